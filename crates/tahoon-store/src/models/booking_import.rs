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
    /// A charity organization's session already taken from its balance (given back on a timely
    /// cancellation, as a booking made here is).
    pub charity_debited: bool,
    pub meeting: Option<Meeting>,
    /// Named in the status history ("import", "bench").
    pub actor: String,
    /// The id the partner stored in the reference system (`ReferenceAliasStore`); an import of a
    /// booking whose alias the organization already has is skipped.
    pub reference_alias: Option<String>,
    pub now: Timestamp,
}

/// What an import wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BookingImport {
    pub imported: u64,
    /// Left out: an active booking of the provider or the user overlapped.
    pub overlapping: u64,
    /// Left out: the organization already has a booking with this reference alias.
    pub already_present: u64,
}
