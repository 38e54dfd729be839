//! Abandoned holds. A crash or a failure between holding a slot and confirming it leaves the
//! booking Pending; once it has waited longer than the configured time to live
//! (`pending_hold_ttl_secs`, default two minutes) it is failed, its slot freed and a charity's
//! session restored. That happens in two places: a periodic sweep (`sweep`, run by `tahoon
//! serve`), and right away when a new hold finds such a hold in its way (`hold_past_stale`).

use super::{audit, change};
use crate::services::error::ServiceResult;
use crate::state::AppState;
use jiff::{SignedDuration, Timestamp};
use tahoon_domain::booking::{Booking, BookingStatus, is_stale_hold};
use tahoon_store::{BookingUser, HoldOutcome, NewBooking, SessionTimes, StaleHolds, Transition};

/// How many stale holds one sweep (or one meeting hold) fails at most.
const BATCH: i64 = 100;
const ACTOR: &str = "system:hold-expiry";

fn ttl(state: &AppState) -> SignedDuration {
    SignedDuration::from_secs(state.config.pending_hold_ttl_secs)
}

/// Fails one stale hold (if it is still Pending): slot freed, balance restored, `booking.failed`
/// written and audited in one transaction. `false` when it had moved on meanwhile.
async fn expire(state: &AppState, hold: &Booking) -> ServiceResult<bool> {
    let failed = Transition {
        restore_balance: true,
        audit: Some(audit(state, hold, "booking.hold_expired", BookingStatus::Failed, ACTOR)),
        ..change(state, hold, BookingStatus::Failed, ACTOR, "hold expired before its video room was ready")
    };
    Ok(state.store.transition_booking(failed).await?.is_some())
}

fn is_stale(state: &AppState, hold: &Booking, now: Timestamp) -> bool {
    is_stale_hold(hold.status, hold.created_at, now, ttl(state))
}

/// Holds created at or before this instant are stale at `now`.
fn stale_since(state: &AppState, now: Timestamp) -> Timestamp {
    now.checked_sub(ttl(state)).unwrap_or(Timestamp::MIN)
}

/// Fails every hold older than its time to live; returns how many.
pub async fn sweep(state: &AppState) -> ServiceResult<usize> {
    let now = state.clock.now();
    let mut expired = 0;
    loop {
        let created_by = stale_since(state, now);
        let stale = state.store.stale_holds(StaleHolds { created_by, overlapping: None, limit: BATCH }).await?;
        for hold in stale.iter().filter(|h| is_stale(state, h, now)) {
            if expire(state, hold).await? {
                expired += 1;
            }
        }
        if (stale.len() as i64) < BATCH {
            if expired > 0 {
                state.directory.changed().await;
            }
            return Ok(expired);
        }
    }
}

/// Holds `new`; when the slot is taken by holds that were abandoned, fails them and tries once more.
pub async fn hold_past_stale(state: &AppState, new: NewBooking) -> ServiceResult<HoldOutcome> {
    let outcome = state.store.hold_booking(new.clone()).await?;
    if outcome != HoldOutcome::Taken {
        return Ok(outcome);
    }
    let now = state.clock.now();
    let user_id = match &new.user {
        BookingUser::Existing(id) => Some(*id),
        // A guest registered by this hold was rolled back: only the provider's calendar matters.
        BookingUser::Guest(_) => None,
    };
    let overlapping = SessionTimes {
        provider_id: new.provider_id,
        user_id,
        starts_at: new.starts_at,
        ends_at: new.ends_at,
        blocks_until: new.blocks_until,
    };
    let query = StaleHolds { created_by: stale_since(state, now), overlapping: Some(overlapping), limit: BATCH };
    let mut freed = false;
    for hold in state.store.stale_holds(query).await?.iter().filter(|h| is_stale(state, h, now)) {
        freed |= expire(state, hold).await?;
    }
    if !freed {
        return Ok(outcome);
    }
    Ok(state.store.hold_booking(new).await?)
}

/// Runs `sweep` every `every` until the process ends (started by `tahoon serve`).
pub async fn run_sweeps(state: AppState, every: std::time::Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match sweep(&state).await {
            Ok(0) => {}
            Ok(expired) => tracing::info!(expired, "abandoned holds failed"),
            Err(e) => tracing::error!(error = %crate::error::chain(&e), "hold sweep failed"),
        }
    }
}
