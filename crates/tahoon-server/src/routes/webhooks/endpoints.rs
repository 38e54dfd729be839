//! `/webhooks/endpoints…`: create, list, delete, rotate the secret, send a test event.

use super::views::{DeliveryView, EndpointPath, EndpointView, delivery_view, endpoint_view};
use crate::envelope::{Envelope, Success};
use crate::error::ApiResult;
use crate::extract::auth::Partner;
use crate::extract::path::ApiPath;
use crate::extract::signed::{Signed, SignedNoBody};
use crate::openapi::{
    self, Conflict, Forbidden, Idempotency, NotFound, QueryErrors, SignedErrors, SignedNoBodyErrors, WebhookEndpointId,
    WebhookEventName,
};
use crate::services::webhooks::endpoints::{self, EndpointRequest};
use crate::state::AppState;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use tahoon_domain::anti_xss::FreeText;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CreateEndpointRequest {
    /// Where events are POSTed: `https`, at most 2048 characters, no user name or password, no
    /// fragment. Loopback, private, link-local, carrier-grade NAT, multicast, unspecified and
    /// cloud-metadata addresses (and their IPv4-mapped IPv6 forms) are refused, here and again at
    /// every send after DNS resolution.
    #[schema(max_length = 2048, examples("https://partner.example/tahoon/webhooks"))]
    pub url: String,
    /// Event types to receive (1–32 entries), or `["*"]` for all.
    #[schema(value_type = Vec<WebhookEventName>, min_items = 1, max_items = 32)]
    pub events: Vec<String>,
    #[schema(value_type = Option<openapi::WebhookDescription>)]
    pub description: Option<FreeText>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EndpointWithSecret {
    #[serde(flatten)]
    pub endpoint: EndpointView,
    /// The signing secret, `whsec_` and base64 of 32 random bytes. Shown this once: store it.
    pub secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EndpointList {
    /// Oldest first.
    pub endpoints: Vec<EndpointView>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EndpointDeleted {
    #[schema(value_type = WebhookEndpointId)]
    pub endpoint_id: String,
    pub deleted: bool,
}

/// Create a webhook endpoint.
///
/// FullAccess. Answers the signing secret once. Deliveries start with the events written after
/// the endpoint exists. At most 20 endpoints per organization (117 beyond). Audited.
#[utoipa::path(
    post,
    path = "/webhooks/endpoints",
    tag = "webhooks",
    request_body = CreateEndpointRequest,
    params(Idempotency),
    security(("bearer" = [], "signature" = [])),
    extensions(("x-tahoon-signature" = json!({"forms": ["header"], "signs": "body"}))),
    responses(
        (status = 200, description = "Created; `secret` is shown this once", body = Envelope<EndpointWithSecret>),
        SignedErrors
    )
)]
pub async fn create_endpoint(
    State(state): State<AppState>,
    request: Signed<CreateEndpointRequest>,
) -> ApiResult<Success<EndpointWithSecret>> {
    let body = request.body;
    let wanted =
        EndpointRequest { url: body.url, events: body.events, description: body.description.map(FreeText::into_inner) };
    let created = endpoints::create(&state, request.auth.organization.id, wanted).await?;
    Ok(Success(EndpointWithSecret {
        endpoint: endpoint_view(&state, &created.endpoint),
        secret: created.secret.expose(),
    }))
}

/// The organization's webhook endpoints.
///
/// Any role. Secrets are never shown again.
#[utoipa::path(
    get,
    path = "/webhooks/endpoints",
    tag = "webhooks",
    security(("bearer" = [])),
    responses((status = 200, description = "Every endpoint, oldest first", body = Envelope<EndpointList>), QueryErrors)
)]
pub async fn list_endpoints(State(state): State<AppState>, Partner(auth): Partner) -> ApiResult<Success<EndpointList>> {
    let found = endpoints::list(&state, auth.organization.id).await?;
    Ok(Success(EndpointList { endpoints: found.iter().map(|e| endpoint_view(&state, e)).collect() }))
}

/// Delete a webhook endpoint.
///
/// FullAccess; signed over `<t>.DELETE <path>`. Its pending deliveries are cancelled. Audited.
#[utoipa::path(
    delete,
    path = "/webhooks/endpoints/{endpointId}",
    tag = "webhooks",
    params(EndpointPath, Idempotency),
    security(("bearer" = [], "signature" = [])),
    extensions(("x-tahoon-signature" = json!({"forms": ["header"], "signs": "method and path"}))),
    responses(
        (status = 200, description = "Deleted", body = Envelope<EndpointDeleted>),
        SignedNoBodyErrors,
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict)
    )
)]
pub async fn delete_endpoint(
    State(state): State<AppState>,
    ApiPath(EndpointPath { endpoint_id }): ApiPath<EndpointPath>,
    request: SignedNoBody,
) -> ApiResult<Success<EndpointDeleted>> {
    let id = endpoints::endpoint_id(&state, &endpoint_id)?;
    endpoints::delete(&state, request.auth.organization.id, id).await?;
    Ok(Success(EndpointDeleted { endpoint_id: state.ids.encode(id), deleted: true }))
}

/// Rotate an endpoint's signing secret.
///
/// FullAccess; signed over `<t>.POST <path>`, no body. Answers the new secret once; the old one
/// keeps signing beside it for 24 hours (`webhook-signature` carries both), so the receiver can
/// switch without losing a delivery. Audited.
#[utoipa::path(
    post,
    path = "/webhooks/endpoints/{endpointId}/rotate-secret",
    tag = "webhooks",
    params(EndpointPath, Idempotency),
    security(("bearer" = [], "signature" = [])),
    extensions(("x-tahoon-signature" = json!({"forms": ["header"], "signs": "method and path"}))),
    responses(
        (status = 200, description = "The new secret, shown this once", body = Envelope<EndpointWithSecret>),
        SignedNoBodyErrors,
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict)
    )
)]
pub async fn rotate_secret(
    State(state): State<AppState>,
    ApiPath(EndpointPath { endpoint_id }): ApiPath<EndpointPath>,
    request: SignedNoBody,
) -> ApiResult<Success<EndpointWithSecret>> {
    let id = endpoints::endpoint_id(&state, &endpoint_id)?;
    let (endpoint, secret) = endpoints::rotate(&state, request.auth.organization.id, id).await?;
    Ok(Success(EndpointWithSecret { endpoint: endpoint_view(&state, &endpoint), secret: secret.expose() }))
}

/// Send a test event to an endpoint.
///
/// FullAccess; signed over `<t>.POST <path>`, no body. Queues a `webhook.test` event for this
/// endpoint alone, delivered (and retried) like any other; follow it in the deliveries.
#[utoipa::path(
    post,
    path = "/webhooks/endpoints/{endpointId}/test",
    tag = "webhooks",
    params(EndpointPath, Idempotency),
    security(("bearer" = [], "signature" = [])),
    extensions(("x-tahoon-signature" = json!({"forms": ["header"], "signs": "method and path"}))),
    responses(
        (status = 200, description = "Queued", body = Envelope<DeliveryView>),
        SignedNoBodyErrors,
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict)
    )
)]
pub async fn test_endpoint(
    State(state): State<AppState>,
    ApiPath(EndpointPath { endpoint_id }): ApiPath<EndpointPath>,
    request: SignedNoBody,
) -> ApiResult<Success<DeliveryView>> {
    let id = endpoints::endpoint_id(&state, &endpoint_id)?;
    let delivery = endpoints::send_test(&state, request.auth.organization.id, id).await?;
    Ok(Success(delivery_view(&state, &delivery)))
}
