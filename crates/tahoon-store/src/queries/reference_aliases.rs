//! Reference ids kept as aliases of imported records (`ReferenceAliasStore`).

use super::{Db, DbStore};
use crate::error::StoreError;
use crate::models::AliasKind;
use crate::store::ReferenceAliasStore;
use tahoon_domain::ids::OrganizationId;

/// The lookup of an alias of `kind`, and whether its rows belong to one organization (`$2`).
fn lookup(kind: AliasKind) -> (&'static str, bool) {
    match kind {
        AliasKind::Organization => ("SELECT id FROM organizations WHERE reference_alias = $1", false),
        AliasKind::CareProvider => ("SELECT id FROM care_providers WHERE reference_alias = $1", false),
        AliasKind::User => ("SELECT id FROM users WHERE reference_alias = $1 AND organization_id = $2", true),
        AliasKind::Booking => ("SELECT id FROM bookings WHERE reference_alias = $1 AND organization_id = $2", true),
    }
}

/// The start of a listing of aliases of `kind` (the row ids follow).
fn listing(kind: AliasKind) -> &'static str {
    match kind {
        AliasKind::Organization => "SELECT id, reference_alias FROM organizations WHERE reference_alias IS NOT NULL",
        AliasKind::CareProvider => "SELECT id, reference_alias FROM care_providers WHERE reference_alias IS NOT NULL",
        AliasKind::User => "SELECT id, reference_alias FROM users WHERE reference_alias IS NOT NULL",
        AliasKind::Booking => "SELECT id, reference_alias FROM bookings WHERE reference_alias IS NOT NULL",
    }
}

/// Setting the alias of a row of `kind`.
fn update(kind: AliasKind) -> &'static str {
    match kind {
        AliasKind::Organization => "UPDATE organizations SET reference_alias = $2 WHERE id = $1",
        AliasKind::CareProvider => "UPDATE care_providers SET reference_alias = $2 WHERE id = $1",
        AliasKind::User => "UPDATE users SET reference_alias = $2 WHERE id = $1",
        AliasKind::Booking => "UPDATE bookings SET reference_alias = $2 WHERE id = $1",
    }
}

#[async_trait::async_trait]
impl ReferenceAliasStore for DbStore {
    async fn set_alias(&self, kind: AliasKind, row: i64, alias: &str) -> Result<bool, StoreError> {
        let done = sqlx::query(update(kind)).bind(row).bind(alias).execute(&self.pool).await?;
        Ok(done.rows_affected() > 0)
    }

    async fn resolve_alias(
        &self,
        kind: AliasKind,
        organization: OrganizationId,
        alias: &str,
    ) -> Result<Option<i64>, StoreError> {
        let (sql, owned) = lookup(kind);
        let query = sqlx::query_as(sql).bind(alias);
        let query = if owned { query.bind(organization.get()) } else { query };
        let row: Option<(i64,)> = query.fetch_optional(&self.pool).await?;
        Ok(row.map(|(id,)| id))
    }

    async fn aliases_of(
        &self,
        kind: AliasKind,
        organization: OrganizationId,
        rows: &[i64],
    ) -> Result<Vec<(i64, String)>, StoreError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let (_, owned) = lookup(kind);
        let mut query = sqlx::QueryBuilder::<Db>::new(listing(kind));
        query.push(" AND id IN (");
        let mut ids = query.separated(", ");
        for row in rows {
            ids.push_bind(*row);
        }
        query.push(")");
        if owned {
            query.push(" AND organization_id = ").push_bind(organization.get());
        }
        Ok(query.build_query_as::<(i64, String)>().fetch_all(&self.pool).await?)
    }
}
