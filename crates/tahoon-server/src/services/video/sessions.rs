//! A booking's room at its vendor: what the saga asks for (`room_request`), what a vendor's
//! failure answers (`refusal`), the participants' join tickets (`tickets`), the room's check
//! shortly before the session (`room_status`) and on reschedule (`ensure_room`).
//!
//! Personal data: a vendor's identity for a participant is their public id; the client's display
//! name is the neutral label unless `privacy.share_user_name_with_providers` is on, and only join
//! tickets carry names (no vendor's server API receives one).

use crate::services::error::{Refusal, ServiceResult};
use crate::state::AppState;
use jiff::{SignedDuration, Timestamp};
use std::sync::Arc;
use std::time::Duration;
use tahoon_domain::booking::{Booking, BookingStatus};
use tahoon_domain::ids::BookingId;
use tahoon_domain::reason::Reason;
use tahoon_domain::settings;
use tahoon_integrations::video::{
    BookingRef, JoinTicket, Participant, RoomRequest, RoomValidity, Session, VideoError, VideoRooms,
};
use tahoon_store::Meeting;

/// How long before its start a session's room is checked when the booking is read.
pub const CHECK_BEFORE_START: SignedDuration = SignedDuration::from_mins(15);
/// The longest a read waits for that check; slower is reported `Unknown`, never an error.
pub const CHECK_BUDGET: Duration = Duration::from_secs(2);

/// The names the participants are shown by: the client's only when the organization shares it.
#[derive(Debug, Clone)]
pub struct Names {
    /// The user's name, read only when `privacy.share_user_name_with_providers` is on.
    pub client: Option<String>,
    /// The provider's professional display name.
    pub provider: String,
}

/// The client and the provider as the vendor sees them: public ids and display names.
pub fn participants(state: &AppState, booking: &Booking, names: &Names) -> (Participant, Participant) {
    let client = Participant::client(
        state.ids.encode(booking.user_id),
        names.client.as_deref().unwrap_or_default(),
        names.client.is_some(),
    );
    let provider = Participant::provider(state.ids.encode(booking.provider_id), &names.provider);
    (client, provider)
}

/// What the saga asks a vendor for: a room for the booking, named after its public id (so a retry
/// finds the room an earlier attempt made), for its session's times.
pub fn room_request(state: &AppState, booking: &Booking, names: &Names) -> RoomRequest {
    let (client, provider) = participants(state, booking, names);
    RoomRequest {
        booking: BookingRef::new(state.ids.encode(booking.id)),
        starts_at: booking.starts_at,
        ends_at: booking.ends_at,
        client,
        provider,
    }
}

/// The user's name when the organization shares it (`share`), and the provider's display name.
pub async fn names(state: &AppState, booking: &Booking, share: bool) -> ServiceResult<Names> {
    let client = if share {
        state.store.user(booking.organization_id, booking.user_id).await?.and_then(|u| u.name)
    } else {
        None
    };
    let provider = crate::services::directory::provider(state, booking.provider_id).await?;
    Ok(Names { client, provider: provider.map(|p| p.names.full_name()).unwrap_or_default() })
}

/// The client of the vendor that made `booking`'s room (rooms from before vendors were recorded
/// are Jitsi-style links).
pub async fn client_of(state: &AppState, booking: &Booking) -> ServiceResult<Result<Arc<dyn VideoRooms>, VideoError>> {
    let settings = state.settings.video().await?;
    let vendor = booking.video_vendor.unwrap_or(settings::VideoProvider::Jitsi);
    Ok(state.video.client(&settings, super::vendor(vendor)))
}

/// Logs a vendor's failure for `booking` (`operation`: what was asked): never a secret or a name
/// (a refused answer's excerpt has the secrets sent redacted). Missing settings are the operator's
/// to fix, and are logged as such.
pub fn log_failure(error: &VideoError, booking: BookingId, operation: &'static str) {
    let vendor = error.vendor().as_str();
    match error {
        VideoError::NotConfigured { .. } => tracing::error!(
            booking = booking.get(),
            vendor,
            operation,
            error = %error,
            "the video vendor is not configured: fix its settings (tahoon settings list)"
        ),
        _ => tracing::warn!(booking = booking.get(), vendor, operation, error = %error, "the video vendor failed"),
    }
}

/// The answer to a vendor's failure: 503 VendorUnavailable saying what failed, how, and what that
/// left (`consequence`), in words that carry nothing of the vendor's answer.
pub fn refusal(error: &VideoError, what: &str, consequence: &str) -> Refusal {
    let how = match error {
        VideoError::Timeout { .. } => "did not answer in time",
        VideoError::Unreachable { .. } => "could not be reached",
        VideoError::Refused { .. } => "refused the request",
        VideoError::Malformed { .. } => "answered something unexpected",
        VideoError::NotConfigured { .. } => "is not configured (the operator must complete its settings)",
        VideoError::NotSupported { .. } => "does not support this",
    };
    Refusal::new(Reason::VendorUnavailable)
        .with_detail(format!("{what}: the video service ({}) {how}; {consequence}", error.vendor()))
}

/// Each participant's way into a Confirmed booking's session.
#[derive(Debug, Clone)]
pub struct SessionTickets {
    pub vendor: settings::VideoProvider,
    pub client: JoinTicket,
    pub provider: JoinTicket,
}

/// The participants' join tickets (minted here, no call to the vendor), for a Confirmed booking
/// with a room; `None` otherwise, or when they cannot be minted (logged: a read never fails for
/// them).
pub async fn tickets(state: &AppState, booking: &Booking) -> Option<SessionTickets> {
    let meeting_id = booking.meeting_id.as_deref().filter(|_| booking.status == BookingStatus::Confirmed)?;
    let minted = async {
        let share = state.settings.privacy().await?.share_user_name_with_providers;
        let names = names(state, booking, share).await?;
        let client = match client_of(state, booking).await? {
            Ok(client) => client,
            Err(e) => return Ok(Err(e)),
        };
        let (user, provider) = participants(state, booking, &names);
        let session = Session { meeting_id, ends_at: booking.ends_at };
        let now = state.clock.now();
        let tickets = client.join_ticket(session, &user, now).and_then(|client_ticket| {
            let provider_ticket = client.join_ticket(session, &provider, now)?;
            Ok(SessionTickets {
                vendor: super::recorded(client.provider()),
                client: client_ticket,
                provider: provider_ticket,
            })
        });
        ServiceResult::Ok(tickets)
    };
    match minted.await {
        Ok(Ok(tickets)) => Some(tickets),
        Ok(Err(e)) => {
            log_failure(&e, booking.id, "join_ticket");
            None
        }
        Err(e) => {
            tracing::warn!(booking = booking.id.get(), error = %crate::error::chain(&e), "join tickets could not be made");
            None
        }
    }
}

/// What the vendor says of a booking's room when it is read shortly before its session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoomStatus {
    Valid,
    Missing,
    Disabled,
    /// The vendor did not answer within [`CHECK_BUDGET`], failed, or is not configured.
    Unknown,
}

impl RoomStatus {
    pub fn name(self) -> &'static str {
        match self {
            RoomStatus::Valid => "Valid",
            RoomStatus::Missing => "Missing",
            RoomStatus::Disabled => "Disabled",
            RoomStatus::Unknown => "Unknown",
        }
    }
}

/// The room's status, checked at its vendor, for a Confirmed booking from [`CHECK_BEFORE_START`]
/// before its start to its end; `None` at other times. Never an error: a vendor that fails or
/// takes longer than [`CHECK_BUDGET`] is `Unknown`.
pub async fn room_status(state: &AppState, booking: &Booking) -> Option<RoomStatus> {
    let meeting_id = booking.meeting_id.as_deref().filter(|_| booking.status == BookingStatus::Confirmed)?;
    let now = state.clock.now();
    let from = booking.starts_at.checked_sub(CHECK_BEFORE_START).unwrap_or(Timestamp::MIN);
    if now < from || now >= booking.ends_at {
        return None;
    }
    let client = match client_of(state, booking).await {
        Ok(Ok(client)) => client,
        Ok(Err(e)) => {
            log_failure(&e, booking.id, "validate_room");
            return Some(RoomStatus::Unknown);
        }
        Err(e) => {
            tracing::warn!(booking = booking.id.get(), error = %crate::error::chain(&e), "room check skipped");
            return Some(RoomStatus::Unknown);
        }
    };
    Some(match tokio::time::timeout(CHECK_BUDGET, client.validate_room(meeting_id)).await {
        Ok(Ok(RoomValidity::Valid)) => RoomStatus::Valid,
        Ok(Ok(RoomValidity::Missing)) => RoomStatus::Missing,
        Ok(Ok(RoomValidity::Disabled)) => RoomStatus::Disabled,
        Ok(Err(e)) => {
            log_failure(&e, booking.id, "validate_room");
            RoomStatus::Unknown
        }
        Err(_) => {
            tracing::warn!(booking = booking.id.get(), vendor = %client.provider(), "room check took too long");
            RoomStatus::Unknown
        }
    })
}

/// Before a Confirmed booking moves to `moved`'s times: its room is checked at its vendor, and made
/// again (for the same booking, so a retried reschedule finds the same new room) when the vendor no
/// longer has it or has disabled it. `Some` is the new room, to store with the move; `None` keeps
/// the room. A vendor that fails, or answers the same disabled room again, refuses the move with
/// 503 VendorUnavailable (nothing moved).
pub async fn ensure_room(state: &AppState, moved: &Booking) -> ServiceResult<Option<Meeting>> {
    let Some(meeting_id) = moved.meeting_id.as_deref() else { return Ok(None) };
    let refused = |e: &VideoError| refusal(e, "the booking's video room could not be checked", "nothing was moved");
    let client = match client_of(state, moved).await? {
        Ok(client) => client,
        Err(e) => {
            log_failure(&e, moved.id, "validate_room");
            return Err(refused(&e).into());
        }
    };
    let validity = match client.validate_room(meeting_id).await {
        Ok(validity) => validity,
        Err(e) => {
            log_failure(&e, moved.id, "validate_room");
            return Err(refused(&e).into());
        }
    };
    if validity == RoomValidity::Valid {
        return Ok(None);
    }
    let share = state.settings.privacy().await?.share_user_name_with_providers;
    let request = room_request(state, moved, &names(state, moved, share).await?);
    let room = match client.create_room(&request).await {
        Ok(room) => room,
        Err(e) => {
            log_failure(&e, moved.id, "create_room");
            let what = "the booking's video room was gone and could not be made again";
            return Err(refusal(&e, what, "nothing was moved").into());
        }
    };
    if validity == RoomValidity::Disabled && room.meeting_id == meeting_id {
        tracing::warn!(booking = moved.id.get(), vendor = %room.vendor, "the vendor keeps the booking's room disabled");
        return Err(Refusal::new(Reason::VendorUnavailable)
            .with_detail(format!(
                "the booking's video room is disabled at the video service ({}) and could not be replaced; \
                 nothing was moved",
                room.vendor
            ))
            .into());
    }
    tracing::info!(booking = moved.id.get(), vendor = %room.vendor, "the booking's video room was made again");
    Ok(Some(Meeting { meeting_id: room.meeting_id, join_url: room.join_url, vendor: super::recorded(room.vendor) }))
}
