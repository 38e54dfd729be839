//! Token families, refresh tokens, revoked access tokens, and used request signatures.

use super::organizations::{O_COLUMNS, OrganizationRow};
use super::{Connection, DbStore};
use crate::backend::common::parse_role;
use crate::error::StoreError;
use crate::models::*;
use crate::store::TokenStore;
use const_format::formatcp;
use jiff::Timestamp;
use tahoon_domain::ids::{Id, OrganizationId};

#[derive(sqlx::FromRow)]
struct FamilyRow {
    id: String,
    organization_id: i64,
    access_key_id: i64,
    role: String,
    usable: bool,
}

impl FamilyRow {
    fn family(&self) -> Result<TokenFamily, StoreError> {
        Ok(TokenFamily {
            id: self.id.clone(),
            organization_id: Id::new(self.organization_id),
            access_key_id: Id::new(self.access_key_id),
            role: parse_role(&self.role)?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct StandingRow {
    #[sqlx(flatten)]
    organization: OrganizationRow,
    key_revoked: bool,
    family_revoked: bool,
    token_revoked: bool,
}

impl TryFrom<StandingRow> for TokenStanding {
    type Error = StoreError;
    fn try_from(r: StandingRow) -> Result<Self, StoreError> {
        Ok(TokenStanding {
            organization: r.organization.try_into()?,
            key_revoked: r.key_revoked,
            family_revoked: r.family_revoked,
            token_revoked: r.token_revoked,
        })
    }
}

/// Stores one refresh token.
async fn insert_refresh_token(conn: &mut Connection, token: &NewRefreshToken) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO refresh_tokens (digest, family_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(&token.digest)
        .bind(&token.family_id)
        .bind(token.now.as_microsecond())
        .bind(token.expires_at.as_microsecond())
        .execute(conn)
        .await?;
    Ok(())
}

/// A token family with whether it can still be used (family, key and organization live).
async fn family_row(conn: &mut Connection, family_id: &str) -> Result<FamilyRow, StoreError> {
    Ok(sqlx::query_as(
        "SELECT f.id, f.organization_id, f.access_key_id, f.role, \
         (f.revoked_at IS NULL AND k.revoked_at IS NULL AND o.enabled) AS usable \
         FROM token_families f \
         JOIN access_keys k ON k.id = f.access_key_id \
         JOIN organizations o ON o.id = f.organization_id WHERE f.id = $1",
    )
    .bind(family_id)
    .fetch_one(conn)
    .await?)
}

/// Revokes a family unless it already is.
async fn revoke_family(conn: &mut Connection, family_id: &str, reason: &str, now: Timestamp) -> Result<(), StoreError> {
    sqlx::query("UPDATE token_families SET revoked_at = $2, revoked_reason = $3 WHERE id = $1 AND revoked_at IS NULL")
        .bind(family_id)
        .bind(now.as_microsecond())
        .bind(reason)
        .execute(conn)
        .await?;
    Ok(())
}

#[async_trait::async_trait]
impl TokenStore for DbStore {
    async fn start_token_family(&self, family: TokenFamily, first: NewRefreshToken) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO token_families (id, organization_id, access_key_id, role, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&family.id)
        .bind(family.organization_id.get())
        .bind(family.access_key_id.get())
        .bind(family.role.as_str())
        .bind(first.now.as_microsecond())
        .execute(&mut *tx)
        .await?;
        insert_refresh_token(&mut tx, &first).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn rotate_refresh_token(
        &self,
        presented_digest: &str,
        next: NewRefreshToken,
    ) -> Result<RefreshOutcome, StoreError> {
        let mut tx = self.begin_write().await?;
        // The conditional update is the lock: of two concurrent presentations, one wins.
        let claimed: Option<(String,)> = sqlx::query_as(
            "UPDATE refresh_tokens SET used_at = $2 \
             WHERE digest = $1 AND used_at IS NULL AND expires_at > $2 RETURNING family_id",
        )
        .bind(presented_digest)
        .bind(next.now.as_microsecond())
        .fetch_optional(&mut *tx)
        .await?;
        let family_id = match claimed {
            Some((family_id,)) => family_id,
            None => {
                let previous: Option<(String, Option<i64>)> =
                    sqlx::query_as("SELECT family_id, used_at FROM refresh_tokens WHERE digest = $1")
                        .bind(presented_digest)
                        .fetch_optional(&mut *tx)
                        .await?;
                let Some((family_id, Some(_used))) = previous else {
                    return Ok(RefreshOutcome::Invalid);
                };
                let family = family_row(&mut tx, &family_id).await?.family()?;
                revoke_family(&mut tx, &family_id, "refresh token reused", next.now).await?;
                tx.commit().await?;
                return Ok(RefreshOutcome::Reused(family));
            }
        };
        let row = family_row(&mut tx, &family_id).await?;
        if !row.usable {
            return Ok(RefreshOutcome::Invalid);
        }
        insert_refresh_token(&mut tx, &NewRefreshToken { family_id, ..next }).await?;
        tx.commit().await?;
        Ok(RefreshOutcome::Rotated(row.family()?))
    }

    async fn revoke_refresh_token(&self, digest: &str, now: Timestamp) -> Result<RevokedRefresh, StoreError> {
        let mut tx = self.begin_write().await?;
        let found: Option<(String,)> = sqlx::query_as("SELECT family_id FROM refresh_tokens WHERE digest = $1")
            .bind(digest)
            .fetch_optional(&mut *tx)
            .await?;
        let Some((family_id,)) = found else {
            return Ok(RevokedRefresh::Unknown);
        };
        let family = family_row(&mut tx, &family_id).await?.family()?;
        revoke_family(&mut tx, &family_id, "revoked by client", now).await?;
        tx.commit().await?;
        Ok(RevokedRefresh::Revoked(family))
    }

    async fn revoke_access_token(
        &self,
        jti: &str,
        organization_id: OrganizationId,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO revoked_access_tokens (jti, organization_id, expires_at, revoked_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (jti) DO NOTHING",
        )
        .bind(jti)
        .bind(organization_id.get())
        .bind(expires_at.as_microsecond())
        .bind(now.as_microsecond())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn token_standing(
        &self,
        organization_id: OrganizationId,
        family_id: &str,
        jti: &str,
    ) -> Result<Option<TokenStanding>, StoreError> {
        let row: Option<StandingRow> = sqlx::query_as(formatcp!(
            "SELECT {O_COLUMNS}, k.revoked_at IS NOT NULL AS key_revoked, \
             f.revoked_at IS NOT NULL AS family_revoked, \
             EXISTS (SELECT 1 FROM revoked_access_tokens r WHERE r.jti = $3) AS token_revoked \
             FROM token_families f \
             JOIN organizations o ON o.id = f.organization_id \
             JOIN access_keys k ON k.id = f.access_key_id \
             WHERE f.id = $2 AND f.organization_id = $1"
        ))
        .bind(organization_id.get())
        .bind(family_id)
        .bind(jti)
        .fetch_optional(&self.pool)
        .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn record_signature(
        &self,
        organization_id: OrganizationId,
        signature: &str,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM used_signatures WHERE expires_at < $1")
            .bind(now.as_microsecond())
            .execute(&mut *tx)
            .await?;
        let inserted = sqlx::query(
            "INSERT INTO used_signatures (organization_id, signature, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (organization_id, signature) DO NOTHING",
        )
        .bind(organization_id.get())
        .bind(signature)
        .bind(expires_at.as_microsecond())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(inserted == 1)
    }
}
