//! `DirectoryStore`: what the availability index loads, and the change sequence that keeps it fresh.

use crate::error::StoreError;
use crate::models::*;
use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use tahoon_domain::ids::CareProviderId;
use tahoon_domain::provider::CareProvider;

/// The availability index's reads. Every change that can alter a search appends the provider's id
/// to the change sequence in the change's own transaction (by trigger, migration 0012): a booking
/// inserted, moved, or changing status (`ChangeScope::Bookings`), a provider inserted or updated,
/// which every edit of its profile, rates or availability does (`ChangeScope::Provider`), and the
/// filter catalogue changed (`ChangeScope::Catalogue`).
#[async_trait]
pub trait DirectoryStore: Send + Sync {
    /// Every provider (exceptions dated from `from` on) and every active booking holding time after
    /// `since`, read in one snapshot, with the change sequence's head read first.
    async fn directory(&self, from: Date, since: Timestamp) -> Result<DirectoryLoad, StoreError>;
    /// The providers with these ids (exceptions dated from `from` on); an unknown id is left out.
    async fn directory_providers(&self, ids: &[CareProviderId], from: Date) -> Result<Vec<CareProvider>, StoreError>;
    /// The active bookings of these providers holding time after `since`.
    async fn directory_bookings(
        &self,
        ids: &[CareProviderId],
        since: Timestamp,
    ) -> Result<Vec<BusyInterval>, StoreError>;
    /// Changes with a sequence number above `after`, in order, at most `limit`.
    async fn directory_changes(&self, after: i64, limit: i64) -> Result<Vec<DirectoryChange>, StoreError>;
    /// Deletes the changes recorded more than `keep_secs` ago by the database's clock.
    async fn prune_directory_changes(&self, keep_secs: i64) -> Result<u64, StoreError>;
}
