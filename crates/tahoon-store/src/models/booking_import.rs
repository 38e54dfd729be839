//! Bookings carried over as they are (`BookingImportStore`).

use super::Meeting;
use jiff::Timestamp;
use tahoon_domain::ids::{CareProviderId, OrganizationId, UserId};

/// A booking as it already is elsewhere (`BookingImportStore`).
#[derive(Debug, Clone)]
pub struct ImportedBooking {
    pub organization_id: OrganizationId,
    pub user_id: UserId,
    pub provider_id: CareProviderId,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub blocks_until: Timestamp,
    pub status: tahoon_domain::booking::BookingStatus,
    pub price_minor: i64,
    pub currency: String,
    pub meeting: Option<Meeting>,
    /// Named in the status history ("import", "bench").
    pub actor: String,
    pub now: Timestamp,
}

/// What an import wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BookingImport {
    pub imported: u64,
    /// Left out: an active booking of the provider or the user overlapped.
    pub overlapping: u64,
}
