//! Users: registration (also of guests, inside a hold), the ownership check, and erasure.

use super::outbox::insert_event;
use super::{Connection, DbStore};
use crate::backend::common::{instant, json};
use crate::error::StoreError;
use crate::models::*;
use crate::store::UserStore;
use const_format::formatcp;
use jiff::Timestamp;
use tahoon_domain::ids::{Id, OrganizationId, UserId};
use tahoon_domain::user::User;

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

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(r: UserRow) -> Result<Self, StoreError> {
        Ok(User {
            id: Id::new(r.id),
            organization_id: Id::new(r.organization_id),
            reference_id: r.reference_id,
            name: r.name,
            dob: r.dob,
            gender: r.gender,
            created_at: instant(r.created_at)?,
        })
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
    .bind(new.organization_id.get())
    .bind(&new.reference_id)
    .bind(&new.name)
    .bind(&new.dob)
    .bind(new.gender)
    .bind(new.now.as_microsecond())
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(row) = created {
        // Announced with the registration; the row id becomes the public user id when the event
        // is delivered (the store cannot encode public ids).
        let event = NewEvent {
            organization_id: Some(new.organization_id),
            event_type: USER_REGISTERED_EVENT.into(),
            payload: serde_json::json!({ "userRowId": row.id }),
        };
        insert_event(&mut *conn, &event, new.now).await?;
        return Ok(Registration::Created(row.try_into()?));
    }
    let row: UserRow =
        sqlx::query_as(formatcp!("SELECT {COLUMNS} FROM users WHERE organization_id = $1 AND reference_id = $2"))
            .bind(new.organization_id.get())
            .bind(&new.reference_id)
            .fetch_one(conn)
            .await?;
    Ok(Registration::Existing(row.try_into()?))
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
    async fn organization_users(
        &self,
        organization_id: OrganizationId,
        reference_prefix: &str,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<UserSummary>, i64), StoreError> {
        // A prefix compared by `substr`, so `%` and `_` in it are only characters.
        const WHERE: &str = "organization_id = $1 AND erased_at IS NULL AND reference_id IS NOT NULL \
             AND substr(reference_id, 1, length($2)) = $2";
        let mut tx = self.begin_read().await?;
        let rows: Vec<(i64, String, i64)> = sqlx::query_as(formatcp!(
            "SELECT id, reference_id, created_at FROM users WHERE {WHERE} ORDER BY reference_id LIMIT $3 OFFSET $4"
        ))
        .bind(organization_id.get())
        .bind(reference_prefix)
        .bind(limit)
        .bind(offset)
        .fetch_all(&mut *tx)
        .await?;
        let (total,): (i64,) = sqlx::query_as(formatcp!("SELECT COUNT(*) FROM users WHERE {WHERE}"))
            .bind(organization_id.get())
            .bind(reference_prefix)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        let users = rows
            .into_iter()
            .map(|(id, reference_id, created_at)| {
                Ok(UserSummary { id: Id::new(id), reference_id, created_at: instant(created_at)? })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok((users, total))
    }

    async fn register_user(&self, new: NewUser) -> Result<Registration, StoreError> {
        let mut tx = self.begin_write().await?;
        let outcome = register(&mut tx, &new).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    async fn user_in_organization(&self, organization_id: OrganizationId, user_id: UserId) -> Result<bool, StoreError> {
        let found: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM users WHERE id = $1 AND organization_id = $2 AND erased_at IS NULL")
                .bind(user_id.get())
                .bind(organization_id.get())
                .fetch_optional(&self.pool)
                .await?;
        Ok(found.is_some())
    }

    async fn user(&self, organization_id: OrganizationId, user_id: UserId) -> Result<Option<User>, StoreError> {
        let row: Option<UserRow> = sqlx::query_as(formatcp!(
            "SELECT {COLUMNS} FROM users WHERE id = $1 AND organization_id = $2 AND erased_at IS NULL"
        ))
        .bind(user_id.get())
        .bind(organization_id.get())
        .fetch_optional(&self.pool)
        .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn erase_user(
        &self,
        organization_id: OrganizationId,
        user_id: UserId,
        event: NewEvent,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let erased = sqlx::query(
            "UPDATE users SET name = NULL, dob = NULL, reference_id = NULL, erased_at = $3 \
             WHERE id = $1 AND organization_id = $2 AND erased_at IS NULL",
        )
        .bind(user_id.get())
        .bind(organization_id.get())
        .bind(now.as_microsecond())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if erased == 0 {
            return Ok(false);
        }
        let rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, answers FROM assessments WHERE user_id = $1")
            .bind(user_id.get())
            .fetch_all(&mut *tx)
            .await?;
        for (id, answers) in rows {
            sqlx::query("UPDATE assessments SET answers = $2 WHERE id = $1")
                .bind(id)
                .bind(without_text(&answers)?)
                .execute(&mut *tx)
                .await?;
        }
        insert_event(&mut tx, &event, now).await?;
        tx.commit().await?;
        Ok(true)
    }
}
