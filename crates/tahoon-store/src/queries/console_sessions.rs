//! The console's sessions (`ConsoleSessionStore`).

use super::DbStore;
use crate::backend::common::{corrupt, instant, parse_role};
use crate::error::StoreError;
use crate::store::ConsoleSessionStore;
use jiff::Timestamp;
use tahoon_domain::console::{ConsoleSession, Principal};
use tahoon_domain::ids::Id;

/// The stored role of an operator's session.
const OPERATOR: &str = "operator";

#[derive(sqlx::FromRow)]
struct SessionRow {
    organization_id: Option<i64>,
    role: String,
    credentials_version: i64,
    csrf_token: String,
    created_at: i64,
    last_seen_at: i64,
}

impl TryFrom<SessionRow> for ConsoleSession {
    type Error = StoreError;
    fn try_from(r: SessionRow) -> Result<Self, StoreError> {
        let principal = match (r.organization_id, r.role.as_str()) {
            (None, OPERATOR) => Principal::Operator,
            (Some(id), role) => Principal::Partner { organization_id: Id::new(id), role: parse_role(role)? },
            (None, other) => return Err(corrupt("console session role", other)),
        };
        Ok(ConsoleSession {
            principal,
            credentials_version: r.credentials_version,
            csrf_token: r.csrf_token,
            created_at: instant(r.created_at)?,
            last_seen_at: instant(r.last_seen_at)?,
        })
    }
}

#[async_trait::async_trait]
impl ConsoleSessionStore for DbStore {
    async fn create_console_session(&self, id_digest: &str, session: &ConsoleSession) -> Result<(), StoreError> {
        let (organization_id, role) = match session.principal {
            Principal::Operator => (None, OPERATOR),
            Principal::Partner { organization_id, role } => (Some(organization_id.get()), role.as_str()),
        };
        sqlx::query(
            "INSERT INTO console_sessions (id_digest, organization_id, role, credentials_version, csrf_token, \
             created_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id_digest)
        .bind(organization_id)
        .bind(role)
        .bind(session.credentials_version)
        .bind(&session.csrf_token)
        .bind(session.created_at.as_microsecond())
        .bind(session.last_seen_at.as_microsecond())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn console_session(&self, id_digest: &str) -> Result<Option<ConsoleSession>, StoreError> {
        let row: Option<SessionRow> = sqlx::query_as(
            "SELECT organization_id, role, credentials_version, csrf_token, created_at, last_seen_at \
             FROM console_sessions WHERE id_digest = $1",
        )
        .bind(id_digest)
        .fetch_optional(&self.pool)
        .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn touch_console_session(&self, id_digest: &str, now: Timestamp) -> Result<(), StoreError> {
        sqlx::query("UPDATE console_sessions SET last_seen_at = $2 WHERE id_digest = $1")
            .bind(id_digest)
            .bind(now.as_microsecond())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn delete_console_session(&self, id_digest: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM console_sessions WHERE id_digest = $1").bind(id_digest).execute(&self.pool).await?;
        Ok(())
    }

    async fn prune_console_sessions(&self, idle_before: Timestamp) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM console_sessions WHERE last_seen_at < $1")
            .bind(idle_before.as_microsecond())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
