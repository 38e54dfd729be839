//! Creating organizations and rotating their credentials (operator plane: CLI and admin routes).

use crate::services::audit::AuditEvent;
use crate::services::error::ServiceResult;
use crate::state::AppState;
use serde::Serialize;
use serde_json::json;
use tahoon_domain::ids::OrganizationId;
use tahoon_domain::organization::{
    ActiveBookingCap, CompatMode, Organization, OrganizationKind, RateLimit, Role, SessionBalance, ZoneSetting,
};
use tahoon_domain::secrets::{ACCESS_KEY_PREFIX, SHARED_KEY_PREFIX, digest, generate_secret};
use tahoon_store::{NewCredentials, NewOrganization, OrganizationChanges};

#[derive(Debug, Clone)]
pub struct OrganizationSpec {
    pub name: String,
    pub kind: OrganizationKind,
    pub balance: SessionBalance,
    pub role: Role,
    pub rate_limit_per_minute: Option<RateLimit>,
    pub require_signature_header: bool,
    pub max_active_bookings_per_user: Option<ActiveBookingCap>,
}

/// The only time the secrets are shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IssuedCredentials {
    pub organization_id: String,
    pub access_key: String,
    pub shared_api_key: String,
}

/// An organization as the operator sees it (no secrets).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationView {
    pub organization_id: String,
    pub name: String,
    #[schema(value_type = String, example = "standard")]
    pub kind: OrganizationKind,
    pub balance: i64,
    pub rate_limit_per_minute: i64,
    pub enabled: bool,
    pub require_signature_header: bool,
    pub cancellation_cutoff_hours: i64,
    /// The most upcoming sessions one user may hold; `null` when there is no cap.
    pub max_active_bookings_per_user: Option<i64>,
    /// `strict` or `reference` (`docs/switching.md`).
    #[schema(value_type = String, example = "strict")]
    pub compat_mode: CompatMode,
    /// The zone of requests that name none (`null`: UTC).
    #[schema(value_type = Option<String>)]
    pub default_time_zone: Option<ZoneSetting>,
    /// The default zone was remembered from a request's `gmtTimeDiffrenceHours`, not set by the
    /// operator.
    pub default_time_zone_remembered: bool,
    pub created_at: String,
}

impl OrganizationView {
    pub fn new(state: &AppState, o: &Organization) -> OrganizationView {
        OrganizationView {
            organization_id: state.ids.encode(o.id),
            name: o.name.clone(),
            kind: o.kind,
            balance: o.balance,
            rate_limit_per_minute: o.rate_limit_per_minute,
            enabled: o.enabled,
            require_signature_header: o.require_signature_header,
            cancellation_cutoff_hours: o.cancellation_cutoff_hours,
            max_active_bookings_per_user: o.max_active_bookings_per_user,
            compat_mode: o.compat_mode,
            default_time_zone: o.default_time_zone.clone(),
            default_time_zone_remembered: o.default_time_zone_remembered,
            created_at: o.created_at.to_string(),
        }
    }
}

fn audit(actor: &str, action: &'static str, organization_id: OrganizationId) -> AuditEvent {
    AuditEvent::success(action, Some(organization_id), actor)
}

pub async fn create(state: &AppState, spec: OrganizationSpec, actor: &str) -> ServiceResult<IssuedCredentials> {
    let access_key = generate_secret(ACCESS_KEY_PREFIX);
    let shared_key = generate_secret(SHARED_KEY_PREFIX);
    let organization = insert(state, spec, &access_key, &shared_key, actor).await?;
    Ok(IssuedCredentials { organization_id: state.ids.encode(organization.id), access_key, shared_api_key: shared_key })
}

/// Creates an organization with the credentials its partner already holds (an import from the
/// reference system), stored as every key is: the access key's digest, the shared key sealed.
pub async fn create_with_credentials(
    state: &AppState,
    spec: OrganizationSpec,
    access_key: &str,
    shared_key: &str,
    actor: &str,
) -> ServiceResult<Organization> {
    insert(state, spec, access_key, shared_key, actor).await
}

async fn insert(
    state: &AppState,
    spec: OrganizationSpec,
    access_key: &str,
    shared_key: &str,
    actor: &str,
) -> ServiceResult<Organization> {
    let organization = state
        .store
        .create_organization(NewOrganization {
            name: spec.name,
            kind: spec.kind,
            balance: spec.balance.get(),
            rate_limit_per_minute: spec
                .rate_limit_per_minute
                .unwrap_or(state.config.default_rate_limit_per_minute)
                .get(),
            max_active_bookings_per_user: spec.max_active_bookings_per_user.map(ActiveBookingCap::get),
            require_signature_header: spec.require_signature_header,
            shared_key_sealed: state.config.secrets.master_key.seal(shared_key),
            access_key_digest: digest(access_key),
            role: spec.role,
            now: state.clock.now(),
        })
        .await?;
    state
        .audit
        .record(audit(actor, "organization.created", organization.id).details(json!({
            "kind": organization.kind, "role": spec.role,
        })))
        .await?;
    Ok(organization)
}

/// New access key and shared key; every older key and token stops working at once.
pub async fn rotate_keys(
    state: &AppState,
    id: OrganizationId,
    actor: &str,
) -> ServiceResult<Option<IssuedCredentials>> {
    // The new key keeps the role of the newest active key (FullAccess if none is active).
    let keys = state.store.access_keys(id).await?;
    let role = keys.iter().rev().find(|k| k.revoked_at.is_none()).map(|k| k.role).unwrap_or(Role::FullAccess);
    let access_key = generate_secret(ACCESS_KEY_PREFIX);
    let shared_key = generate_secret(SHARED_KEY_PREFIX);
    let rotated = state
        .store
        .rotate_organization_keys(
            id,
            NewCredentials {
                shared_key_sealed: state.config.secrets.master_key.seal(&shared_key),
                access_key_digest: digest(&access_key),
                role,
                now: state.clock.now(),
            },
        )
        .await?;
    let Some(organization) = rotated else {
        return Ok(None);
    };
    state.audit.record(audit(actor, "organization.keys_rotated", organization.id)).await?;
    Ok(Some(IssuedCredentials {
        organization_id: state.ids.encode(organization.id),
        access_key,
        shared_api_key: shared_key,
    }))
}

pub async fn update(
    state: &AppState,
    id: OrganizationId,
    changes: OrganizationChanges,
    actor: &str,
) -> ServiceResult<Option<Organization>> {
    let details = json!({
        "enabled": changes.enabled,
        "requireSignatureHeader": changes.require_signature_header,
        "rateLimitPerMinute": changes.rate_limit_per_minute,
        "balance": changes.balance,
        "cancellationCutoffHours": changes.cancellation_cutoff_hours,
        "maxActiveBookingsPerUser": changes.max_active_bookings_per_user,
        "compatMode": changes.compat_mode,
        "defaultTimeZone": changes.default_time_zone,
        "renamed": changes.name.is_some(),
    });
    let Some(organization) = state.store.update_organization(id, changes, state.clock.now()).await? else {
        return Ok(None);
    };
    state.audit.record(audit(actor, "organization.updated", organization.id).details(details)).await?;
    Ok(Some(organization))
}

/// Every organization (operator), oldest first.
pub async fn list(state: &AppState) -> ServiceResult<Vec<Organization>> {
    Ok(state.store.organizations().await?)
}
