//! The operator's record of how a session ended: Completed or NoShow.

use super::{audit, change, synced};
use crate::services::error::{Refusal, ServiceResult};
use crate::state::AppState;
use tahoon_domain::booking::{Booking, BookingStatus};
use tahoon_domain::ids::BookingId;
use tahoon_domain::reason::Reason;
use tahoon_store::Transition;

/// Records how a session ended (operator): Completed or NoShow, only once it has started. Writes
/// `booking.completed` or `booking.no_show` with the change, and audits it.
pub async fn record_outcome(
    state: &AppState,
    booking_id: BookingId,
    outcome: BookingStatus,
    reason: Option<String>,
    actor: &str,
) -> ServiceResult<Booking> {
    synced(state, async move {
        if !matches!(outcome, BookingStatus::Completed | BookingStatus::NoShow) {
            return Err(Refusal::validation("status", "must be Completed or NoShow").into());
        }
        let refused = || {
            Refusal::new(Reason::NotAllowed)
                .with_detail("only a Confirmed booking whose session has started can become Completed or NoShow")
        };
        let current = state.store.booking_by_id(booking_id).await?.ok_or_else(refused)?;
        let reason = reason.unwrap_or_else(|| "recorded by the operator".into());
        let transition = Transition {
            from: vec![BookingStatus::Confirmed],
            audit: Some(audit(state, &current, "booking.status_set", outcome, actor)),
            ..change(state, &current, outcome, actor, &reason)
        };
        Ok(state.store.transition_booking(transition).await?.ok_or_else(refused)?)
    })
    .await
}
