//! A booking's recordings (reference §6.3, §11.3): download links and what the vendor says of
//! them, from the vendor that made the booking's room, for the organization that owns it.

use super::sessions::{client_of, log_failure, refusal};
use crate::services::booking::owned_booking;
use crate::services::error::{Refusal, ServiceResult};
use crate::state::AppState;
use tahoon_domain::booking::Booking;
use tahoon_domain::ids::{BookingId, OrganizationId};
use tahoon_domain::reason::Reason;
use tahoon_integrations::video::{Recording, VideoError};

/// A booking and its recordings (none while it has no room).
#[derive(Debug, Clone)]
pub struct BookingRecordings {
    pub booking: Booking,
    pub recordings: Vec<Recording>,
}

/// The recordings of `organization_id`'s booking. Another organization's booking is 104 NotFound,
/// as an unknown one; a vendor that does not record is 116 RecordingNotSupported; a vendor that
/// fails (or is not configured) is 503 VendorUnavailable.
pub async fn recordings(
    state: &AppState,
    organization_id: OrganizationId,
    booking_id: BookingId,
) -> ServiceResult<BookingRecordings> {
    let booking = owned_booking(state, organization_id, booking_id, None, None).await?;
    let Some(meeting_id) = booking.meeting_id.clone() else {
        return Ok(BookingRecordings { booking, recordings: Vec::new() });
    };
    let listed = match client_of(state, &booking).await? {
        Ok(client) => client.recordings(&meeting_id).await,
        Err(e) => Err(e),
    };
    match listed {
        Ok(listed) => Ok(BookingRecordings { booking, recordings: listed.recordings }),
        Err(VideoError::NotSupported { vendor, .. }) => Err(Refusal::new(Reason::RecordingNotSupported)
            .with_detail(format!("the booking's video service ({vendor}) does not record sessions"))
            .into()),
        Err(e) => {
            log_failure(&e, booking.id, "recordings");
            Err(refusal(&e, "the recordings could not be read", "try again later").into())
        }
    }
}
