//! Users: registration (also of guests, inside a hold), the ownership check, and erasure.

use super::outbox::insert_event;
use super::{Connection, DbStore};
use crate::backend::common::json;
use crate::error::StoreError;
use crate::models::*;
use crate::store::UserStore;
use const_format::formatcp;

/// The user columns, in `UserRow` order.
const COLUMNS: &str = "id, organization_id, reference_id, name, dob, gender, created_at";

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    organization_id: i64,
    reference_id: Option<String>,
    name: Option<String>,
    dob: Option<String>,
    gender: Option<i64>,
    created_at: i64,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        User {
            id: r.id,
            organization_id: r.organization_id,
            reference_id: r.reference_id,
            name: r.name,
            dob: r.dob,
            gender: r.gender,
            created_at_us: r.created_at,
        }
    }
}

/// Registers a user inside the caller's transaction, or finds the one already registered with
/// the same reference id in the organization.
pub(super) async fn register(conn: &mut Connection, new: &NewUser) -> Result<Registration, StoreError> {
    let created: Option<UserRow> = sqlx::query_as(formatcp!(
        "INSERT INTO users (organization_id, reference_id, name, dob, gender, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (organization_id, reference_id) DO NOTHING \
         RETURNING {COLUMNS}"
    ))
    .bind(new.organization_id)
    .bind(&new.reference_id)
    .bind(&new.name)
    .bind(&new.dob)
    .bind(new.gender)
    .bind(new.now_us)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(row) = created {
        return Ok(Registration::Created(row.into()));
    }
    let row: UserRow =
        sqlx::query_as(formatcp!("SELECT {COLUMNS} FROM users WHERE organization_id = $1 AND reference_id = $2"))
            .bind(new.organization_id)
            .bind(&new.reference_id)
            .fetch_one(conn)
            .await?;
    Ok(Registration::Existing(row.into()))
}

/// Free text removed from stored answers (erasure keeps the choices and scores).
fn without_text(answers: &str) -> Result<String, StoreError> {
    let mut parsed: Vec<tahoon_domain::screening::ScoredAnswer> = json("answers", answers)?;
    for a in &mut parsed {
        a.text = None;
    }
    Ok(serde_json::to_string(&parsed).expect("plain data serializes"))
}

#[async_trait::async_trait]
impl UserStore for DbStore {
    async fn register_user(&self, new: NewUser) -> Result<Registration, StoreError> {
        let mut tx = self.begin_write().await?;
        let outcome = register(&mut tx, &new).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    async fn user_in_organization(&self, organization_id: i64, user_id: i64) -> Result<bool, StoreError> {
        let found: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM users WHERE id = $1 AND organization_id = $2 AND erased_at IS NULL")
                .bind(user_id)
                .bind(organization_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(found.is_some())
    }

    async fn user(&self, organization_id: i64, user_id: i64) -> Result<Option<User>, StoreError> {
        let row: Option<UserRow> = sqlx::query_as(formatcp!(
            "SELECT {COLUMNS} FROM users WHERE id = $1 AND organization_id = $2 AND erased_at IS NULL"
        ))
        .bind(user_id)
        .bind(organization_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(Into::into))
    }

    async fn erase_user(
        &self,
        organization_id: i64,
        user_id: i64,
        event: NewEvent,
        now_us: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let erased = sqlx::query(
            "UPDATE users SET name = NULL, dob = NULL, reference_id = NULL, erased_at = $3 \
             WHERE id = $1 AND organization_id = $2 AND erased_at IS NULL",
        )
        .bind(user_id)
        .bind(organization_id)
        .bind(now_us)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if erased == 0 {
            return Ok(false);
        }
        let rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, answers FROM assessments WHERE user_id = $1")
            .bind(user_id)
            .fetch_all(&mut *tx)
            .await?;
        for (id, answers) in rows {
            sqlx::query("UPDATE assessments SET answers = $2 WHERE id = $1")
                .bind(id)
                .bind(without_text(&answers)?)
                .execute(&mut *tx)
                .await?;
        }
        insert_event(&mut tx, &event, now_us).await?;
        tx.commit().await?;
        Ok(true)
    }
}
