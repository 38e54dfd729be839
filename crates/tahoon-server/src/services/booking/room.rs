//! The saga's video step: the held booking's room, made by the vendor `video.provider` names. Any
//! failure of the vendor (unreachable, slow past `video.request_timeout_ms`, refusing, answering
//! garbage) or of its settings fails the booking — slot freed, a charity's session restored, a
//! guest this request registered withdrawn, in one transaction — and answers 503
//! VendorUnavailable: nothing is booked, and the same slot books as soon as the vendor answers.

use super::change;
use crate::services::error::ServiceResult;
use crate::services::video;
use crate::services::video::sessions::{Names, log_failure, refusal, room_request};
use crate::state::AppState;
use tahoon_domain::booking::{Booking, BookingStatus};
use tahoon_domain::settings::VideoSettings;
use tahoon_store::{Meeting, Transition};

/// The room of `held` (a retry of the vendor's call finds the room an earlier attempt made: it is
/// named after the booking), or the booking failed and the refusal to answer.
pub(super) async fn make(
    state: &AppState,
    settings: &VideoSettings,
    held: &Booking,
    names: &Names,
    guest_created: bool,
    actor: &str,
) -> ServiceResult<Meeting> {
    let made = match state.video.current(settings) {
        Ok(client) => client.create_room(&room_request(state, held, names)).await,
        Err(e) => Err(e),
    };
    let error = match made {
        Ok(room) => {
            return Ok(Meeting {
                meeting_id: room.meeting_id,
                join_url: room.join_url,
                vendor: video::recorded(room.vendor),
            });
        }
        Err(error) => error,
    };
    log_failure(&error, held.id, "create_room");
    let failed = Transition {
        restore_balance: true,
        // Nothing was booked, so the guest this request registered is withdrawn too.
        withdraw_guest: guest_created.then_some(held.user_id),
        ..change(state, held, BookingStatus::Failed, actor, "video room could not be created")
    };
    state.store.transition_booking(failed).await?;
    Err(refusal(&error, "the video room could not be created", "nothing was booked").into())
}
