//! `ReferenceAliasStore`: reference ids kept as aliases of imported records.

use crate::error::StoreError;
use crate::models::AliasKind;
use async_trait::async_trait;
use tahoon_domain::ids::OrganizationId;

/// Reference ids (the ids a partner stored from the reference system) kept as aliases of the
/// records imported from it (issue 14).
#[async_trait]
pub trait ReferenceAliasStore: Send + Sync {
    /// The row `alias` names: an organization or a care provider anywhere, a user or a booking
    /// of `organization` only.
    async fn resolve_alias(
        &self,
        kind: AliasKind,
        organization: OrganizationId,
        alias: &str,
    ) -> Result<Option<i64>, StoreError>;
    /// The aliases of those of `rows` that have one (users and bookings of `organization` only).
    async fn aliases_of(
        &self,
        kind: AliasKind,
        organization: OrganizationId,
        rows: &[i64],
    ) -> Result<Vec<(i64, String)>, StoreError>;
    /// Gives row `row` of `kind` the alias `alias` (an import); false when no such row exists.
    /// An alias another record of its scope already has is refused by the database.
    async fn set_alias(&self, kind: AliasKind, row: i64, alias: &str) -> Result<bool, StoreError>;
}
