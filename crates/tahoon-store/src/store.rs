mod booking_import;
mod console;
mod directory;
mod reference_aliases;
mod reminders;
mod webhooks;

pub use booking_import::BookingImportStore;
pub use console::ConsoleSessionStore;
pub use directory::DirectoryStore;
pub use reference_aliases::ReferenceAliasStore;
pub use reminders::ReminderStore;
pub use webhooks::WebhookStore;

use crate::error::StoreError;
use crate::models::*;
use async_trait::async_trait;
use jiff::Timestamp;
use tahoon_domain::audit::{AuditContent, AuditEntry};
use tahoon_domain::availability::{BookingPolicy, DatedException, WeeklyRule};
use tahoon_domain::booking::{Booking, StatusChange};
use tahoon_domain::catalogue::CatalogueItem;
use tahoon_domain::ids::{AssessmentId, BookingId, CareProviderId, OrganizationId, UserId};
use tahoon_domain::organization::{AccessKey, Organization, ZoneSetting};
use tahoon_domain::provider::CareProvider;
use tahoon_domain::user::User;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Backend, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            // Never echo the URL: it may hold a password.
            let scheme = url.split(':').next().unwrap_or("");
            Err(StoreError::UnsupportedUrl(format!("scheme {scheme:?}")))
        }
    }
}

/// Every read and write the service makes: one trait per resource, and `Store`, which is all of
/// them (the server holds an `Arc<dyn Store>` and calls any of their methods on it).
///
/// Each method is one atomic operation: a write runs in one transaction, and a read that needs
/// several queries runs them in one read-only transaction, so it sees one snapshot.
///
/// Each trait's SQL is in `src/queries/` under the resource's name (`BookingStore`:
/// `queries/bookings.rs`), written once for both backends.
#[async_trait]
pub trait Store:
    OrganizationStore
    + ConsoleSessionStore
    + ReferenceAliasStore
    + TokenStore
    + CatalogueStore
    + ProviderStore
    + UserStore
    + ScreeningStore
    + BookingStore
    + FavoriteStore
    + IdempotencyStore
    + OutboxStore
    + PushStore
    + WebhookStore
    + ReminderStore
    + DirectoryStore
    + BookingImportStore
    + AuditStore
    + SettingStore
    + 'static
{
    fn backend(&self) -> Backend;

    /// A cheap round trip, for readiness.
    async fn ping(&self) -> Result<(), StoreError>;
    /// The migrations applied to the database (version and description), in order.
    async fn applied_migrations(&self) -> Result<Vec<(i64, String)>, StoreError>;
}

/// Organizations and their access keys.
#[async_trait]
pub trait OrganizationStore: Send + Sync {
    async fn create_organization(&self, new: NewOrganization) -> Result<Organization, StoreError>;
    async fn organization(&self, id: OrganizationId) -> Result<Option<Organization>, StoreError>;
    async fn organizations(&self) -> Result<Vec<Organization>, StoreError>;
    async fn update_organization(
        &self,
        id: OrganizationId,
        changes: OrganizationChanges,
        now: Timestamp,
    ) -> Result<Option<Organization>, StoreError>;
    /// Remembers `zone` (from a request's `gmtTimeDiffrenceHours`) as the organization's default
    /// zone, unless the operator set one; true when it changed.
    async fn remember_time_zone(
        &self,
        id: OrganizationId,
        zone: &ZoneSetting,
        now: Timestamp,
    ) -> Result<bool, StoreError>;
    /// Revokes every active access key, stores the new key and shared key, and bumps the
    /// credentials version, in one transaction.
    async fn rotate_organization_keys(
        &self,
        id: OrganizationId,
        credentials: NewCredentials,
    ) -> Result<Option<Organization>, StoreError>;
    /// Every key of the organization, oldest first, revoked ones included.
    async fn access_keys(&self, organization_id: OrganizationId) -> Result<Vec<AccessKey>, StoreError>;
    /// The active key with this digest and its organization.
    async fn access_key_by_digest(&self, digest: &str) -> Result<Option<(AccessKey, Organization)>, StoreError>;
}

/// Token families, refresh and access token revocation, and used request signatures.
#[async_trait]
pub trait TokenStore: Send + Sync {
    /// Starts a family for a password grant and stores its first refresh token.
    async fn start_token_family(&self, family: TokenFamily, first: NewRefreshToken) -> Result<(), StoreError>;
    /// Presents a refresh token (by digest): rotates it, or detects reuse and revokes the family.
    async fn rotate_refresh_token(
        &self,
        presented_digest: &str,
        next: NewRefreshToken,
    ) -> Result<RefreshOutcome, StoreError>;
    async fn revoke_refresh_token(&self, digest: &str, now: Timestamp) -> Result<RevokedRefresh, StoreError>;
    async fn revoke_access_token(
        &self,
        jti: &str,
        organization_id: OrganizationId,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> Result<(), StoreError>;
    /// The standing of an access token, or `None` when its organization or family is unknown.
    async fn token_standing(
        &self,
        organization_id: OrganizationId,
        family_id: &str,
        jti: &str,
    ) -> Result<Option<TokenStanding>, StoreError>;

    // Signatures.
    /// Records a header signature; `false` when it was seen before (a replay).
    async fn record_signature(
        &self,
        organization_id: OrganizationId,
        signature: &str,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError>;
}

/// The catalogue of languages, specialties and levels that providers and filters refer to.
#[async_trait]
pub trait CatalogueStore: Send + Sync {
    async fn catalogue(&self) -> Result<Vec<CatalogueItem>, StoreError>;
    /// Inserts or renames catalogue entries (by kind and id).
    async fn upsert_catalogue_items(&self, items: &[CatalogueItem]) -> Result<(), StoreError>;
}

/// Care providers with their languages, specialties, rates and availability.
#[async_trait]
pub trait ProviderStore: Send + Sync {
    /// Creates or replaces (by `external_id`) a provider with its languages, specialties, rates and
    /// availability, in one transaction. Returns its id and whether it was created.
    async fn upsert_care_provider(
        &self,
        provider: &CareProvider,
        now: Timestamp,
    ) -> Result<(CareProviderId, bool), StoreError>;
    /// Replaces a provider's availability; `false` when there is no such provider.
    async fn set_provider_availability(
        &self,
        provider_id: CareProviderId,
        policy: BookingPolicy,
        weekly: &[WeeklyRule],
        exceptions: &[DatedException],
        now: Timestamp,
    ) -> Result<bool, StoreError>;
    /// One provider with all its exceptions.
    async fn care_provider(&self, provider_id: CareProviderId) -> Result<Option<CareProvider>, StoreError>;
    /// Every provider (active or not) with exceptions dated `from..=to` only: a bounded number of
    /// queries whatever the number of providers.
    async fn care_providers(
        &self,
        from: jiff::civil::Date,
        to: jiff::civil::Date,
    ) -> Result<Vec<CareProvider>, StoreError>;
}

/// Users: partners' clients and guests.
#[async_trait]
pub trait UserStore: Send + Sync {
    /// The organization's users (not erased) whose reference id starts with `reference_prefix`,
    /// by reference id: one page and the total.
    async fn organization_users(
        &self,
        organization_id: OrganizationId,
        reference_prefix: &str,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<UserSummary>, i64), StoreError>;
    /// Registers a user, or returns the one already registered with this reference id in this
    /// organization; concurrent registrations of one reference id create exactly one user.
    async fn register_user(&self, new: NewUser) -> Result<Registration, StoreError>;
    /// The one ownership check: the user exists, is not erased and belongs to the organization.
    async fn user_in_organization(&self, organization_id: OrganizationId, user_id: UserId) -> Result<bool, StoreError>;
    /// The organization's (not erased) user.
    async fn user(&self, organization_id: OrganizationId, user_id: UserId) -> Result<Option<User>, StoreError>;
    /// Erases name, date of birth, reference id and free-text answers (scores and bookings stay,
    /// anonymous), and records `event`, in one transaction. `false` when there is no such user.
    async fn erase_user(
        &self,
        organization_id: OrganizationId,
        user_id: UserId,
        event: NewEvent,
        now: Timestamp,
    ) -> Result<bool, StoreError>;
}

/// Screening instruments and assessments.
#[async_trait]
pub trait ScreeningStore: Send + Sync {
    /// How many of the organization's submissions fell in each severity band, by instrument and
    /// band code (counts only: no user, score or answer).
    async fn screening_band_counts(
        &self,
        organization_id: OrganizationId,
    ) -> Result<Vec<(String, String, i64)>, StoreError>;
    /// Operator-defined instruments (the built-in ones live in the domain).
    async fn custom_instruments(&self) -> Result<Vec<tahoon_domain::screening::Instrument>, StoreError>;
    /// Stores a new instrument with the next free id; `None` when its code is taken.
    async fn add_instrument(
        &self,
        definition: &tahoon_domain::screening::InstrumentDefinition,
        now: Timestamp,
    ) -> Result<Option<tahoon_domain::screening::Instrument>, StoreError>;
    /// Stores an assessment and its events in one transaction.
    async fn record_assessment(
        &self,
        assessment: NewAssessment,
        events: Vec<NewEvent>,
    ) -> Result<AssessmentId, StoreError>;
    /// A user's assessments, newest first.
    async fn assessments(
        &self,
        organization_id: OrganizationId,
        user_id: UserId,
    ) -> Result<Vec<AssessmentRecord>, StoreError>;
}

/// Bookings, their status history, and the calendar they occupy.
#[async_trait]
pub trait BookingStore: Send + Sync {
    /// Holds a slot: registers a guest, checks the organization's cap on the user's active
    /// bookings, checks overlaps (the provider's held times, buffers included), debits a charity's
    /// balance and inserts a Pending booking, in one transaction; the database refuses
    /// overlapping active bookings even under races. Any refusal leaves nothing behind.
    async fn hold_booking(&self, new: NewBooking) -> Result<HoldOutcome, StoreError>;
    /// Applies a status change if the booking is still in an expected status; records history,
    /// restores the balance and writes the event in the same transaction. `None` when not applied.
    async fn transition_booking(&self, transition: Transition) -> Result<Option<Booking>, StoreError>;
    /// Moves a Confirmed booking to another time in one statement: at no moment are both times
    /// or neither held.
    async fn reschedule_booking(&self, change: Reschedule) -> Result<RescheduleOutcome, StoreError>;
    async fn booking(
        &self,
        organization_id: OrganizationId,
        booking_id: BookingId,
    ) -> Result<Option<Booking>, StoreError>;
    async fn booking_history(&self, booking_id: BookingId) -> Result<Vec<StatusChange>, StoreError>;
    /// A user's bookings starting in `[from, to)`, optionally of one status, earliest first:
    /// one page and the total count.
    async fn user_bookings(&self, query: BookingQuery) -> Result<(Vec<Booking>, i64), StoreError>;
    /// The organization's bookings starting in `[from, to)` (for usage reports).
    async fn organization_bookings(
        &self,
        organization_id: OrganizationId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<Booking>, StoreError>;
    /// Active bookings (Pending or Confirmed) whose held time overlaps `[from, to)`.
    async fn busy_intervals(&self, from: Timestamp, to: Timestamp) -> Result<Vec<BusyInterval>, StoreError>;
    /// Pending holds created at or before a moment, oldest first (see `StaleHolds`).
    async fn stale_holds(&self, query: StaleHolds) -> Result<Vec<Booking>, StoreError>;
    /// Any booking by id, whatever its organization (the operator plane).
    async fn booking_by_id(&self, booking_id: BookingId) -> Result<Option<Booking>, StoreError>;
}

/// A user's favorite providers.
#[async_trait]
pub trait FavoriteStore: Send + Sync {
    /// `false` when already a favorite.
    async fn add_favorite(
        &self,
        organization_id: OrganizationId,
        user_id: UserId,
        provider_id: CareProviderId,
        now: Timestamp,
    ) -> Result<bool, StoreError>;
    /// `false` when it was not a favorite.
    async fn remove_favorite(&self, user_id: UserId, provider_id: CareProviderId) -> Result<bool, StoreError>;
    /// The providers a user marked, with their names, newest first, in one query.
    async fn favorites(&self, user_id: UserId) -> Result<Vec<Favorite>, StoreError>;
}

/// Idempotency keys of mutating requests.
#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Claims `key` for a request with `request_hash`; records older than `expired_before` are
    /// forgotten first.
    async fn claim_idempotency_key(
        &self,
        organization_id: OrganizationId,
        key: &str,
        request_hash: &str,
        now: Timestamp,
        expired_before: Timestamp,
    ) -> Result<IdempotencyClaim, StoreError>;
    async fn complete_idempotency_key(
        &self,
        organization_id: OrganizationId,
        key: &str,
        status_code: u16,
        body: &str,
    ) -> Result<(), StoreError>;
    /// Forgets a claim whose request failed on our side, so that a retry runs again.
    async fn release_idempotency_key(&self, organization_id: OrganizationId, key: &str) -> Result<(), StoreError>;
}

/// Events written with the changes they describe, for later delivery.
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Undelivered events, oldest first.
    async fn pending_events(&self, limit: i64) -> Result<Vec<OutboxEvent>, StoreError>;
}

/// Push notifications to care providers, delivered from the outbox: one job per announced event
/// (`PUSH_EVENT_TYPES`), claimed by workers under a lease. Push keeps its own cursor over the outbox
/// and its own jobs, and does not mark events delivered: other consumers (webhooks) read the same
/// events beside it.
#[async_trait]
pub trait PushStore: Send + Sync {
    /// Creates a pending job for every pushed event after push's cursor that has none, and moves
    /// the cursor over the events created before `settled_before`, in one transaction. Idempotent,
    /// also when instances run it at once. Returns how many jobs were created.
    async fn enqueue_push_jobs(&self, enqueue: EnqueuePush) -> Result<u64, StoreError>;
    /// Claims up to `limit` due jobs, oldest due first (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so
    /// concurrent claimers never get the same job; SQLite: under its write lock).
    async fn claim_push_jobs(&self, claim: ClaimPush) -> Result<Vec<PushJob>, StoreError>;
    /// Records how a claimed attempt ended. `false`, with nothing changed, when the attempt no
    /// longer holds the job (its lease expired and another worker claimed it).
    async fn finish_push_job(&self, finish: FinishPush) -> Result<bool, StoreError>;
    /// Jobs, newest first, optionally of one status.
    async fn push_jobs(&self, status: Option<PushStatus>, limit: i64) -> Result<Vec<PushJob>, StoreError>;
}

/// The hash-chained audit log.
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Appends to the hash chain; appends are serialized so the chain never forks.
    async fn append_audit(&self, content: AuditContent) -> Result<AuditEntry, StoreError>;
    /// Entries with `seq > after`, in order, at most `limit`.
    async fn audit_entries(&self, after: i64, limit: i64) -> Result<Vec<AuditEntry>, StoreError>;
    /// The entries `query` selects, in `seq` order (one page of them), and how many it selects in
    /// all.
    async fn audit_search(&self, query: &AuditQuery) -> Result<(Vec<AuditEntry>, i64), StoreError>;
}

/// Settings held in the database and the counter of their changes. Every change bumps the counter
/// and, on PostgreSQL, notifies the `settings_changed` channel in its transaction, so other
/// processes learn of it at once (`watch_settings`) or at their next look at the counter.
#[async_trait]
pub trait SettingStore: Send + Sync {
    /// Every stored setting (by key) and the counter, in one snapshot.
    async fn settings(&self) -> Result<StoredSettings, StoreError>;
    /// The change counter alone: a cheap check that cached settings are current.
    async fn settings_version(&self) -> Result<i64, StoreError>;
    /// Stores a setting (inserted or replaced), bumps the counter, notifies and appends the audit
    /// entry, in one transaction. Returns the new version.
    async fn set_setting(&self, change: SettingChange) -> Result<i64, StoreError>;
    /// Deletes a setting (back to its default) as `set_setting` stores one. `None`, with nothing
    /// written or audited, when it was not set.
    async fn delete_setting(&self, key: &str, audit: AuditContent) -> Result<Option<i64>, StoreError>;
    /// Reports changes committed by any process as they happen: PostgreSQL `LISTEN` on a
    /// connection of its own. `None` where the backend cannot (SQLite: look at the counter).
    async fn watch_settings(&self) -> Result<Option<Box<dyn SettingsWatch>>, StoreError>;
}
