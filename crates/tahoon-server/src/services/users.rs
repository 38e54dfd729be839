//! Users: registration and the one ownership check for every route that takes a `userId`.

use crate::services::error::{Refusal, ServiceResult};
use crate::state::AppState;
use tahoon_domain::ids::{OrganizationId, UserId, kind};
use tahoon_domain::reason::Reason;
use tahoon_domain::user::User;

/// The user named by `user_id` if it belongs to `organization_id`. A malformed id, another
/// kind's id, an unknown user and another organization's user all get the same answer:
/// UserNotFound (18).
pub async fn owned_user(state: &AppState, organization_id: OrganizationId, user_id: &str) -> ServiceResult<UserId> {
    let not_found = || Refusal::field(Reason::UserNotFound, "userId", "no such user in this organization");
    let id = state.ids.decode::<kind::User>(user_id.trim()).map_err(|_| not_found())?;
    if state.store.user_in_organization(organization_id, id).await? { Ok(id) } else { Err(not_found().into()) }
}

/// A validated registration.
#[derive(Debug, Clone)]
pub struct NewRegistration {
    pub reference_id: String,
    pub name: String,
    pub dob: jiff::civil::Date,
    pub gender: tahoon_domain::provider::Gender,
}

/// Registers a user, or finds the one registered with the same reference id: `(userId, created)`.
pub async fn register(
    state: &AppState,
    organization_id: OrganizationId,
    r: NewRegistration,
) -> ServiceResult<(String, bool)> {
    let outcome = state
        .store
        .register_user(tahoon_store::NewUser {
            organization_id,
            reference_id: r.reference_id,
            name: r.name,
            dob: r.dob.to_string(),
            gender: r.gender.code(),
            now: state.clock.now(),
        })
        .await?;
    let (user, created) = match outcome {
        tahoon_store::Registration::Created(u) => (u, true),
        tahoon_store::Registration::Existing(u) => (u, false),
    };
    state
        .audit
        .record(
            crate::services::audit::AuditEvent::success(
                "user.registered",
                Some(organization_id),
                format!("org:{}", organization_id.get()),
            )
            .details(serde_json::json!({ "user": user.id.get(), "created": created })),
        )
        .await?;
    Ok((state.ids.encode(user.id), created))
}

/// The organization's user (not erased), for export.
pub async fn profile(state: &AppState, organization_id: OrganizationId, user_id: UserId) -> ServiceResult<User> {
    let user = state.store.user(organization_id, user_id).await?;
    Ok(user.ok_or_else(|| Refusal::field(Reason::UserNotFound, "userId", "no such user in this organization"))?)
}

/// Erases a user's personal data, writes `user.erased` and audits it.
pub async fn erase(state: &AppState, organization_id: OrganizationId, user_id: &str) -> ServiceResult<()> {
    let id = owned_user(state, organization_id, user_id).await?;
    let event = tahoon_store::NewEvent {
        organization_id: Some(organization_id),
        event_type: "user.erased".into(),
        payload: serde_json::json!({ "userId": user_id.trim() }),
    };
    if !state.store.erase_user(organization_id, id, event, state.clock.now()).await? {
        return Err(Refusal::field(Reason::UserNotFound, "userId", "no such user in this organization").into());
    }
    state
        .audit
        .record(
            crate::services::audit::AuditEvent::success(
                "user.erased",
                Some(organization_id),
                format!("org:{}", organization_id.get()),
            )
            .details(serde_json::json!({ "user": id.get() })),
        )
        .await?;
    Ok(())
}
