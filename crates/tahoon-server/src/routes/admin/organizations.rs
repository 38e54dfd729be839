//! `/api/v1/admin/organizations`: create, list, change and rotate the keys of organizations.

use crate::envelope::{Envelope, Success};
use crate::error::{ApiError, ApiResult};
use crate::extract::json::ApiJson;
use crate::extract::operator::Operator;
use crate::extract::path::ApiPath;
use crate::openapi::{
    BadRequest, Name, NotFound, OperatorErrors, OrganizationId, OrganizationKindName, RoleName, TimeZoneName,
    Unauthorized,
};
use crate::services::organizations::{self, IssuedCredentials, OrganizationSpec, OrganizationView};
use crate::state::AppState;
use axum::extract::State;
use serde::Deserialize;
use tahoon_domain::anti_xss::FreeText;
use tahoon_domain::ids::{self, kind};
use tahoon_domain::organization::{
    ActiveBookingCap, CancellationCutoff, CompatMode, OrganizationKind, RateLimit, Role, SessionBalance, ZoneSetting,
};
use tahoon_domain::reason::Reason;
use tahoon_store::OrganizationChanges;
use utoipa::{IntoParams, ToSchema};

const ACTOR: &str = "operator";

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CreateOrganization {
    /// 1–200 characters, not blank, no markup.
    #[schema(value_type = Name)]
    pub name: FreeText,
    /// `standard` (billed per session, the default) or `charity` (spends a session balance).
    #[serde(default = "standard")]
    #[schema(value_type = Option<OrganizationKindName>)]
    pub kind: OrganizationKind,
    /// Sessions available to a charity organization (0–1,000,000,000).
    #[serde(default = "no_sessions")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 1_000_000_000)]
    pub balance: SessionBalance,
    /// `FullAccess` (default) or `ReadOnly`.
    #[serde(default = "full_access")]
    #[schema(value_type = Option<RoleName>)]
    pub role: Role,
    /// Requests per minute (1–1,000,000; default from the server's configuration).
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 1_000_000)]
    pub rate_limit_per_minute: Option<RateLimit>,
    #[serde(default)]
    pub require_signature_header: bool,
    /// The most upcoming sessions one user may hold (1–1,000; absent: no cap).
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 1_000)]
    pub max_active_bookings_per_user: Option<ActiveBookingCap>,
}

fn no_sessions() -> SessionBalance {
    SessionBalance::clamped(0)
}

fn standard() -> OrganizationKind {
    OrganizationKind::Standard
}
fn full_access() -> Role {
    Role::FullAccess
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UpdateOrganization {
    /// 1–200 characters, not blank, no markup.
    #[schema(value_type = Option<Name>)]
    pub name: Option<FreeText>,
    pub enabled: Option<bool>,
    /// 0–1,000,000,000.
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 1_000_000_000)]
    pub balance: Option<SessionBalance>,
    /// 1–1,000,000.
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 1_000_000)]
    pub rate_limit_per_minute: Option<RateLimit>,
    pub require_signature_header: Option<bool>,
    /// Hours before a session's start after which a cancellation no longer restores a charity's
    /// session and a reschedule is refused (0–168; default 24).
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 168)]
    pub cancellation_cutoff_hours: Option<CancellationCutoff>,
    /// The most upcoming sessions one user may hold (1–1,000); `null` removes the cap, absent
    /// keeps it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 1_000)]
    pub max_active_bookings_per_user: Option<Option<ActiveBookingCap>>,
    /// `strict` (the default) or `reference`: read this organization's requests as the reference
    /// system did and answer with its field names too (`docs/switching.md`).
    #[schema(value_type = Option<String>, pattern = "^(strict|reference)$")]
    pub compat_mode: Option<CompatMode>,
    /// The zone of requests that name none: an IANA name or an offset such as `+03:00`; `null`
    /// removes it (UTC again, or remembered from `gmtTimeDiffrenceHours` in compatibility mode),
    /// absent keeps it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<TimeZoneName>)]
    pub default_time_zone: Option<Option<ZoneSetting>>,
}

/// A field that is present, even as `null` (`Some(None)`), as opposed to absent (`None`).
fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

fn check_name(name: &FreeText) -> ApiResult<String> {
    let name = name.as_str().trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ApiError::validation("name", "must be 1 to 200 characters"));
    }
    Ok(name.to_string())
}

/// The `{organizationId}` path parameter.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationPath {
    #[param(value_type = OrganizationId)]
    pub organization_id: String,
}

fn organization_id(state: &AppState, text: &str) -> ApiResult<ids::OrganizationId> {
    state
        .ids
        .decode::<kind::Organization>(text)
        .map_err(|_| ApiError::new(Reason::NotFound).with_detail("no such organization"))
}

/// Create an organization.
///
/// Answers its credentials; this is the only time the access key and shared key are shown.
#[utoipa::path(
    post,
    path = "/organizations",
    tag = "admin",
    request_body = CreateOrganization,
    security(("operator" = [])),
    responses(
        (status = 200, description = "The new organization's credentials, shown this once", body = Envelope<IssuedCredentials>,
            links(
                ("update" = (operation_id = "update_organization", parameters(("organizationId" = "$response.body#/data/organizationId")))),
                ("rotateKeys" = (operation_id = "rotate_organization_keys", parameters(("organizationId" = "$response.body#/data/organizationId")))),
                ("token" = (operation_id = "issue_token", request_body = json!({
                    "grant_type": "password",
                    "access_key": "$response.body#/data/accessKey"
                }))),
            )),
        OperatorErrors
    )
)]
pub async fn create_organization(
    State(state): State<AppState>,
    _: Operator,
    ApiJson(body): ApiJson<CreateOrganization>,
) -> ApiResult<Success<IssuedCredentials>> {
    let name = check_name(&body.name)?;
    let spec = OrganizationSpec {
        name,
        kind: body.kind,
        balance: body.balance,
        role: body.role,
        rate_limit_per_minute: body.rate_limit_per_minute,
        require_signature_header: body.require_signature_header,
        max_active_bookings_per_user: body.max_active_bookings_per_user,
    };
    Ok(Success(organizations::create(&state, spec, ACTOR).await?))
}

/// List organizations (no secrets).
#[utoipa::path(
    get,
    path = "/organizations",
    tag = "admin",
    security(("operator" = [])),
    responses(
        (status = 200, description = "Every organization", body = Envelope<Vec<OrganizationView>>,
            links(("update" = (operation_id = "update_organization", parameters(("organizationId" = "$response.body#/data/0/organizationId")))))),
        (status = 401, response = Unauthorized)
    )
)]
pub async fn list_organizations(
    State(state): State<AppState>,
    _: Operator,
) -> ApiResult<Success<Vec<OrganizationView>>> {
    let all = organizations::list(&state).await?;
    Ok(Success(all.iter().map(|o| OrganizationView::new(&state, o)).collect()))
}

/// Change an organization (name, enabled, balance, rate limit, signing form, cancellation
/// cut-off, cap on a user's upcoming sessions, compatibility mode, default time zone).
#[utoipa::path(
    patch,
    path = "/organizations/{organizationId}",
    tag = "admin",
    params(OrganizationPath),
    request_body = UpdateOrganization,
    security(("operator" = [])),
    responses(
        (status = 200, description = "The organization as changed", body = Envelope<OrganizationView>),
        OperatorErrors,
        (status = 404, response = NotFound)
    )
)]
pub async fn update_organization(
    State(state): State<AppState>,
    _: Operator,
    ApiPath(OrganizationPath { organization_id: organization }): ApiPath<OrganizationPath>,
    ApiJson(body): ApiJson<UpdateOrganization>,
) -> ApiResult<Success<OrganizationView>> {
    let id = organization_id(&state, &organization)?;
    let name = body.name.as_ref().map(check_name).transpose()?;
    let changes = OrganizationChanges {
        cancellation_cutoff_hours: body.cancellation_cutoff_hours.map(CancellationCutoff::get),
        name,
        enabled: body.enabled,
        balance: body.balance.map(SessionBalance::get),
        rate_limit_per_minute: body.rate_limit_per_minute.map(RateLimit::get),
        require_signature_header: body.require_signature_header,
        max_active_bookings_per_user: body.max_active_bookings_per_user.map(|cap| cap.map(ActiveBookingCap::get)),
        compat_mode: body.compat_mode,
        default_time_zone: body.default_time_zone,
    };
    let updated = organizations::update(&state, id, changes, ACTOR)
        .await?
        .ok_or_else(|| ApiError::new(Reason::NotFound).with_detail("no such organization"))?;
    Ok(Success(OrganizationView::new(&state, &updated)))
}

/// Rotate an organization's keys.
///
/// Issues a new access key and shared key; every older key and every token issued before stops
/// working at once.
#[utoipa::path(
    post,
    path = "/organizations/{organizationId}/rotate-keys",
    tag = "admin",
    params(OrganizationPath),
    security(("operator" = [])),
    responses(
        (status = 200, description = "The new credentials, shown this once", body = Envelope<IssuedCredentials>),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound)
    )
)]
pub async fn rotate_organization_keys(
    State(state): State<AppState>,
    _: Operator,
    ApiPath(OrganizationPath { organization_id: organization }): ApiPath<OrganizationPath>,
) -> ApiResult<Success<IssuedCredentials>> {
    let id = organization_id(&state, &organization)?;
    let issued = organizations::rotate_keys(&state, id, ACTOR)
        .await?
        .ok_or_else(|| ApiError::new(Reason::NotFound).with_detail("no such organization"))?;
    Ok(Success(issued))
}
