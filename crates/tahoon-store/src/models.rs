//! What the store takes and returns, besides the domain's models (`Organization`, `AccessKey`,
//! `User`, `Booking`, `StatusChange`, `CareProvider`, …). Ids are typed (`Id<K>`) and instants are
//! `jiff::Timestamp`s; the store converts them to the integers and microseconds it keeps, where
//! values are bound and where rows are read.

mod audit;
mod booking_import;
mod directory;
mod organizations;
mod push;
mod reference_aliases;
mod reminders;
mod webhooks;

pub use audit::*;
pub use booking_import::*;
pub use directory::*;
pub use organizations::*;
pub use push::*;
pub use reference_aliases::*;
pub use reminders::*;
pub use webhooks::*;

use jiff::Timestamp;
use tahoon_domain::audit::AuditContent;
use tahoon_domain::availability::Interval;
use tahoon_domain::booking::{Booking, BookingStatus};
use tahoon_domain::ids::{AccessKeyId, AssessmentId, BookingId, CareProviderId, OrganizationId, OutboxEventId, UserId};
use tahoon_domain::organization::{Organization, Role};
use tahoon_domain::settings::VideoProvider;
use tahoon_domain::user::User;

/// One password grant's token family, as a token's claims name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenFamily {
    pub id: String,
    pub organization_id: OrganizationId,
    pub access_key_id: AccessKeyId,
    pub role: Role,
}

#[derive(Debug, Clone)]
pub struct NewRefreshToken {
    pub digest: String,
    pub family_id: String,
    pub expires_at: Timestamp,
    pub now: Timestamp,
}

/// What presenting a refresh token did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshOutcome {
    /// The token was current: it is now used and the new one stored in the same family.
    Rotated(TokenFamily),
    /// The token had already been rotated: its family is now revoked.
    Reused(TokenFamily),
    /// Unknown, expired, revoked family, revoked key or disabled organization.
    Invalid,
}

/// Everything checked about a bearer token's organization, key and family, read in one query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenStanding {
    pub organization: Organization,
    pub key_revoked: bool,
    pub family_revoked: bool,
    pub token_revoked: bool,
}

/// The result of revoking a refresh token by value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevokedRefresh {
    Revoked(TokenFamily),
    Unknown,
}

/// A new user (registration itself belongs to the users issue; search needs users to exist).
/// Written by the store with a new user (`userRowId`: the user's row id).
pub const USER_REGISTERED_EVENT: &str = "user.registered";

/// Written by the store with every assessment (`userRowId`, `instrument`, `assessmentRowId`).
pub const ASSESSMENT_SUBMITTED_EVENT: &str = "assessment.submitted";

#[derive(Debug, Clone)]
pub struct NewUser {
    pub organization_id: OrganizationId,
    pub reference_id: String,
    pub name: String,
    pub dob: String,
    pub gender: i64,
    pub now: Timestamp,
}

/// A user as a list shows one: no name, no date of birth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSummary {
    pub id: UserId,
    pub reference_id: String,
    pub created_at: Timestamp,
}

/// An active booking's time, as slot computation needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BusyInterval {
    pub provider_id: CareProviderId,
    pub user_id: UserId,
    /// The session itself (what its user is busy with).
    pub interval: Interval,
    /// The time it holds on the provider's calendar: the session and the buffer after it.
    pub held: Interval,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Registration {
    Created(User),
    /// The reference id was registered already in this organization: that user.
    Existing(User),
}

/// An event for the outbox, written with the change it announces.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub organization_id: Option<OrganizationId>,
    pub event_type: String,
    pub payload: serde_json::Value,
}

#[derive(Debug, Clone)]
pub struct NewAssessment {
    pub organization_id: OrganizationId,
    pub user_id: UserId,
    pub instrument_id: i64,
    pub instrument_code: String,
    pub total: i64,
    pub max_total: i64,
    pub band_code: String,
    pub risk_flags: Vec<String>,
    pub answers: Vec<tahoon_domain::screening::ScoredAnswer>,
    pub now: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessmentRecord {
    pub id: AssessmentId,
    pub user_id: UserId,
    pub instrument_id: i64,
    pub instrument_code: String,
    pub total: i64,
    pub max_total: i64,
    pub band_code: String,
    pub risk_flags: Vec<String>,
    pub answers: Vec<tahoon_domain::screening::ScoredAnswer>,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEvent {
    pub id: OutboxEventId,
    pub organization_id: Option<OrganizationId>,
    pub event_type: String,
    pub payload: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct NewBooking {
    pub organization_id: OrganizationId,
    pub user: BookingUser,
    pub provider_id: CareProviderId,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    /// The session's end plus the provider's buffer (`BookingPolicy::held`).
    pub blocks_until: Timestamp,
    pub price_minor: i64,
    pub currency: String,
    pub communication_type: i64,
    pub from_mobile: bool,
    pub platform_id: Option<i64>,
    /// Debit one session from the organization's balance (charity organizations).
    pub debit_balance: bool,
    /// Appended in the hold's transaction when a guest is registered by it (`user.registered`).
    pub guest_audit: Option<AuditContent>,
    pub actor: String,
    pub now: Timestamp,
}

/// Whom a booking is for.
#[derive(Debug, Clone)]
pub enum BookingUser {
    /// A registered user of the organization.
    Existing(UserId),
    /// A guest registered in the same transaction as the hold (or the user already registered
    /// with this reference id): registration and booking succeed or fail together.
    Guest(NewUser),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HoldOutcome {
    /// Held; `guest_created` when a guest was registered by this hold.
    Held { booking: Booking, guest_created: bool },
    /// The provider or the user already holds an overlapping active session (the provider's
    /// buffer included).
    Taken,
    /// The charity organization's balance is exhausted.
    BalanceOut,
    /// The user already holds the organization's cap of active sessions not yet started.
    UserLimitReached { limit: i64 },
}

/// A status change to apply if the booking is still in one of `from`.
#[derive(Debug, Clone)]
pub struct Transition {
    pub booking_id: BookingId,
    pub from: Vec<BookingStatus>,
    pub to: BookingStatus,
    pub actor: String,
    pub reason: String,
    /// Give a debited session back to the organization.
    pub restore_balance: bool,
    /// The video room made for the booking (the confirmation sets it).
    pub meeting: Option<Meeting>,
    pub event: Option<NewEvent>,
    /// Erase this guest in the same transaction (a guest registered by a booking that failed).
    pub withdraw_guest: Option<UserId>,
    /// The audit entry recording the change, appended in the same transaction.
    pub audit: Option<AuditContent>,
    pub now: Timestamp,
}

/// A booking's video room: its id at the vendor, a link to join it (vendors that have one) and
/// the vendor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    pub meeting_id: String,
    pub join_url: Option<String>,
    pub vendor: VideoProvider,
}

/// A Confirmed booking moved to another time of the same provider.
#[derive(Debug, Clone)]
pub struct Reschedule {
    pub booking_id: BookingId,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    /// The new end plus the provider's buffer (`BookingPolicy::held`).
    pub blocks_until: Timestamp,
    pub actor: String,
    pub event: NewEvent,
    /// The audit entry recording the move, appended in the same transaction.
    pub audit: Option<AuditContent>,
    /// A room made again for the booking (the old one was missing or disabled at the vendor);
    /// `None` keeps the room.
    pub meeting: Option<Meeting>,
    pub now: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RescheduleOutcome {
    Moved(Booking),
    Taken,
    /// Not found, or not Confirmed any more.
    NotMovable,
}

/// A page of one user's bookings starting in `[from, to)` (`None`: unbounded on that side),
/// optionally of one status.
#[derive(Debug, Clone)]
pub struct BookingQuery {
    pub organization_id: OrganizationId,
    pub user_id: UserId,
    pub status: Option<BookingStatus>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub offset: i64,
    pub limit: i64,
}

/// What claiming an idempotency key found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyClaim {
    /// First use: run the request, then complete or release the key.
    New,
    /// Same key, same request, finished: answer this again.
    Replay { status_code: u16, body: String },
    /// Same key, another request.
    Mismatch,
    /// Same key, same request, still running.
    InFlight,
}

/// Pending holds created by a moment (optionally only those in a provider's or user's way), for
/// the sweep that fails abandoned holds and for a hold that meets one.
#[derive(Debug, Clone)]
pub struct StaleHolds {
    /// Holds created at or before this instant.
    pub created_by: Timestamp,
    /// Only holds that would overlap this session.
    pub overlapping: Option<SessionTimes>,
    pub limit: i64,
}

/// A session's times as the overlap rules compare them.
#[derive(Debug, Clone, Copy)]
pub struct SessionTimes {
    pub provider_id: CareProviderId,
    /// `None`: only the provider's calendar (a guest not registered yet has no sessions).
    pub user_id: Option<UserId>,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub blocks_until: Timestamp,
}

/// A provider a user marked, with the names a list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Favorite {
    pub provider_id: CareProviderId,
    pub names: tahoon_domain::provider::Names,
    pub added_at: Timestamp,
}

/// A setting as stored: its text (sealed under the master key when `sealed`) and who changed it
/// last. The store neither reads nor checks the value (the domain's catalogue does).
#[derive(Clone, PartialEq, Eq)]
pub struct StoredSetting {
    pub key: String,
    pub value: String,
    pub sealed: bool,
    pub updated_at: Timestamp,
    pub updated_by: String,
}

/// Never the value: it may be a secret sealed or not.
impl std::fmt::Debug for StoredSetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredSetting")
            .field("key", &self.key)
            .field("sealed", &self.sealed)
            .field("updated_at", &self.updated_at)
            .field("updated_by", &self.updated_by)
            .finish_non_exhaustive()
    }
}

/// Every stored setting and the change counter, read in one snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSettings {
    /// Bumped by every change; equal versions mean equal settings.
    pub version: i64,
    /// By key.
    pub settings: Vec<StoredSetting>,
}

/// A setting to store (inserted or replaced), with its audit entry, in one transaction.
#[derive(Debug, Clone)]
pub struct SettingChange {
    pub setting: StoredSetting,
    pub audit: AuditContent,
}

/// What a watch on settings changes reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingsNotice {
    /// A change was committed (by any process on this database).
    Changed,
    /// The connection was lost and made again: changes in between may have gone unreported.
    Reconnected,
}

/// Changes of the settings as another process commits them (PostgreSQL `LISTEN`).
#[async_trait::async_trait]
pub trait SettingsWatch: Send {
    /// Waits for the next notice. After an error, calling again reconnects.
    async fn next(&mut self) -> Result<SettingsNotice, crate::StoreError>;
}
