//! Organizations and their access keys.

use super::DbStore;
use crate::backend::common::{corrupt, instant, parse_role};
use crate::error::StoreError;
use crate::models::*;
use crate::store::OrganizationStore;
use const_format::{concatcp, formatcp, str_replace};
use jiff::Timestamp;
use tahoon_domain::ids::{Id, OrganizationId};
use tahoon_domain::organization::{AccessKey, Organization, ZoneSetting};

/// The organization columns, in `OrganizationRow` order.
pub(super) const COLUMNS: &str = "id, name, kind, balance, rate_limit_per_minute, enabled, require_signature_header, \
     credentials_version, shared_key_sealed, created_at, cancellation_cutoff_hours, max_active_bookings_per_user, \
     compat_mode, default_time_zone, default_time_zone_remembered";

/// The same columns of the organization aliased `o` in a join.
pub(super) const O_COLUMNS: &str = concatcp!("o.", str_replace!(COLUMNS, ", ", ", o."));

const INSERT_KEY: &str = "INSERT INTO access_keys (organization_id, digest, role, created_at) VALUES ($1, $2, $3, $4)";

#[derive(sqlx::FromRow)]
pub(super) struct OrganizationRow {
    id: i64,
    name: String,
    kind: String,
    balance: i64,
    rate_limit_per_minute: i64,
    enabled: bool,
    require_signature_header: bool,
    credentials_version: i64,
    shared_key_sealed: String,
    created_at: i64,
    cancellation_cutoff_hours: i64,
    max_active_bookings_per_user: Option<i64>,
    compat_mode: String,
    default_time_zone: Option<String>,
    default_time_zone_remembered: bool,
}

impl TryFrom<OrganizationRow> for Organization {
    type Error = StoreError;
    fn try_from(r: OrganizationRow) -> Result<Self, StoreError> {
        Ok(Organization {
            kind: r.kind.parse().map_err(|_| corrupt("organization kind", &r.kind))?,
            id: Id::new(r.id),
            name: r.name,
            balance: r.balance,
            rate_limit_per_minute: r.rate_limit_per_minute,
            enabled: r.enabled,
            require_signature_header: r.require_signature_header,
            credentials_version: r.credentials_version,
            shared_key_sealed: r.shared_key_sealed,
            created_at: instant(r.created_at)?,
            cancellation_cutoff_hours: r.cancellation_cutoff_hours,
            max_active_bookings_per_user: r.max_active_bookings_per_user,
            compat_mode: r.compat_mode.parse().map_err(|_| corrupt("compatibility mode", &r.compat_mode))?,
            default_time_zone: r
                .default_time_zone
                .as_deref()
                .map(|z| ZoneSetting::parse(z).map_err(|_| corrupt("default time zone", z)))
                .transpose()?,
            default_time_zone_remembered: r.default_time_zone_remembered,
        })
    }
}

#[derive(sqlx::FromRow)]
struct AccessKeyRow {
    id: i64,
    organization_id: i64,
    role: String,
    created_at: i64,
    revoked_at: Option<i64>,
}

impl TryFrom<AccessKeyRow> for AccessKey {
    type Error = StoreError;
    fn try_from(r: AccessKeyRow) -> Result<Self, StoreError> {
        Ok(AccessKey {
            id: Id::new(r.id),
            organization_id: Id::new(r.organization_id),
            role: parse_role(&r.role)?,
            created_at: instant(r.created_at)?,
            revoked_at: r.revoked_at.map(instant).transpose()?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct KeyWithOrganizationRow {
    key_id: i64,
    key_role: String,
    key_created_at: i64,
    #[sqlx(flatten)]
    organization: OrganizationRow,
}

impl TryFrom<KeyWithOrganizationRow> for (AccessKey, Organization) {
    type Error = StoreError;
    fn try_from(r: KeyWithOrganizationRow) -> Result<Self, StoreError> {
        let organization = Organization::try_from(r.organization)?;
        let key = AccessKey {
            id: Id::new(r.key_id),
            organization_id: organization.id,
            role: parse_role(&r.key_role)?,
            created_at: instant(r.key_created_at)?,
            revoked_at: None,
        };
        Ok((key, organization))
    }
}

#[async_trait::async_trait]
impl OrganizationStore for DbStore {
    async fn create_organization(&self, new: NewOrganization) -> Result<Organization, StoreError> {
        let mut tx = self.begin_write().await?;
        let row: OrganizationRow = sqlx::query_as(formatcp!(
            "INSERT INTO organizations (name, kind, balance, rate_limit_per_minute, require_signature_header, \
             shared_key_sealed, created_at, updated_at, max_active_bookings_per_user) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) RETURNING {COLUMNS}"
        ))
        .bind(&new.name)
        .bind(new.kind.as_str())
        .bind(new.balance)
        .bind(new.rate_limit_per_minute)
        .bind(new.require_signature_header)
        .bind(&new.shared_key_sealed)
        .bind(new.now.as_microsecond())
        .bind(new.max_active_bookings_per_user)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(INSERT_KEY)
            .bind(row.id)
            .bind(&new.access_key_digest)
            .bind(new.role.as_str())
            .bind(new.now.as_microsecond())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        row.try_into()
    }

    async fn organization(&self, id: OrganizationId) -> Result<Option<Organization>, StoreError> {
        let row: Option<OrganizationRow> =
            sqlx::query_as(formatcp!("SELECT {COLUMNS} FROM organizations WHERE id = $1"))
                .bind(id.get())
                .fetch_optional(&self.pool)
                .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn organizations(&self) -> Result<Vec<Organization>, StoreError> {
        // Each row is decoded on its own: one that cannot be read is reported and skipped, never
        // allowed to break the listing of every other organization.
        let rows =
            sqlx::query(formatcp!("SELECT {COLUMNS} FROM organizations ORDER BY id")).fetch_all(&self.pool).await?;
        Ok(rows
            .iter()
            .filter_map(|row| {
                let decoded = <OrganizationRow as sqlx::FromRow<_>>::from_row(row)
                    .map_err(StoreError::from)
                    .and_then(Organization::try_from);
                match decoded {
                    Ok(organization) => Some(organization),
                    Err(e) => {
                        let id: Option<i64> = sqlx::Row::try_get(row, "id").ok();
                        tracing::error!(organization = ?id, error = %e, "an organization row cannot be read; skipped");
                        None
                    }
                }
            })
            .collect())
    }

    async fn update_organization(
        &self,
        id: OrganizationId,
        changes: OrganizationChanges,
        now: Timestamp,
    ) -> Result<Option<Organization>, StoreError> {
        let row: Option<OrganizationRow> = sqlx::query_as(formatcp!(
            "UPDATE organizations SET enabled = COALESCE($2, enabled), \
             require_signature_header = COALESCE($3, require_signature_header), \
             rate_limit_per_minute = COALESCE($4, rate_limit_per_minute), \
             balance = COALESCE($5, balance), name = COALESCE($6, name), updated_at = $7, \
             cancellation_cutoff_hours = COALESCE($8, cancellation_cutoff_hours), \
             max_active_bookings_per_user = CASE WHEN $9 THEN $10 ELSE max_active_bookings_per_user END, \
             compat_mode = COALESCE($11, compat_mode), \
             default_time_zone = CASE WHEN $12 THEN $13 ELSE default_time_zone END, \
             default_time_zone_remembered = CASE WHEN $12 THEN $14 ELSE default_time_zone_remembered END \
             WHERE id = $1 RETURNING {COLUMNS}"
        ))
        .bind(id.get())
        .bind(changes.enabled)
        .bind(changes.require_signature_header)
        .bind(changes.rate_limit_per_minute)
        .bind(changes.balance)
        .bind(changes.name)
        .bind(now.as_microsecond())
        .bind(changes.cancellation_cutoff_hours)
        .bind(changes.max_active_bookings_per_user.is_some())
        .bind(changes.max_active_bookings_per_user.flatten())
        .bind(changes.compat_mode.map(|m| m.as_str()))
        .bind(changes.default_time_zone.is_some())
        .bind(changes.default_time_zone.as_ref().and_then(|z| z.as_ref().map(|z| z.as_str().to_string())))
        .bind(false)
        .fetch_optional(&self.pool)
        .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn remember_time_zone(
        &self,
        id: OrganizationId,
        zone: &ZoneSetting,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        // Never over a zone the operator set; no write when the zone is already the one held.
        let done = sqlx::query(
            "UPDATE organizations SET default_time_zone = $2, default_time_zone_remembered = TRUE, updated_at = $3 \
             WHERE id = $1 AND (default_time_zone IS NULL OR default_time_zone_remembered) \
             AND (default_time_zone IS NULL OR default_time_zone <> $2)",
        )
        .bind(id.get())
        .bind(zone.as_str())
        .bind(now.as_microsecond())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn rotate_organization_keys(
        &self,
        id: OrganizationId,
        credentials: NewCredentials,
    ) -> Result<Option<Organization>, StoreError> {
        let mut tx = self.begin_write().await?;
        let row: Option<OrganizationRow> = sqlx::query_as(formatcp!(
            "UPDATE organizations SET shared_key_sealed = $2, credentials_version = credentials_version + 1, \
             updated_at = $3 WHERE id = $1 RETURNING {COLUMNS}"
        ))
        .bind(id.get())
        .bind(&credentials.shared_key_sealed)
        .bind(credentials.now.as_microsecond())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        sqlx::query("UPDATE access_keys SET revoked_at = $2 WHERE organization_id = $1 AND revoked_at IS NULL")
            .bind(id.get())
            .bind(credentials.now.as_microsecond())
            .execute(&mut *tx)
            .await?;
        sqlx::query(INSERT_KEY)
            .bind(id.get())
            .bind(&credentials.access_key_digest)
            .bind(credentials.role.as_str())
            .bind(credentials.now.as_microsecond())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(row.try_into()?))
    }

    async fn access_keys(&self, organization_id: OrganizationId) -> Result<Vec<AccessKey>, StoreError> {
        let rows: Vec<AccessKeyRow> = sqlx::query_as(
            "SELECT id, organization_id, role, created_at, revoked_at FROM access_keys \
             WHERE organization_id = $1 ORDER BY id",
        )
        .bind(organization_id.get())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn access_key_by_digest(&self, digest: &str) -> Result<Option<(AccessKey, Organization)>, StoreError> {
        let row: Option<KeyWithOrganizationRow> = sqlx::query_as(formatcp!(
            "SELECT k.id AS key_id, k.role AS key_role, k.created_at AS key_created_at, {O_COLUMNS} \
             FROM access_keys k JOIN organizations o ON o.id = k.organization_id \
             WHERE k.digest = $1 AND k.revoked_at IS NULL"
        ))
        .bind(digest)
        .fetch_optional(&self.pool)
        .await?;
        row.map(TryInto::try_into).transpose()
    }
}
