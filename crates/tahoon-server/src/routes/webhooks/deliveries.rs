//! An endpoint's deliveries, one delivery with its attempts, and redelivery.

use super::views::{AttemptView, DeliveryPath, DeliveryView, EndpointPath, attempt_view, delivery_view};
use crate::envelope::{Envelope, Success};
use crate::error::ApiResult;
use crate::extract::auth::Partner;
use crate::extract::path::ApiPath;
use crate::extract::query::ApiQuery;
use crate::extract::signed::SignedNoBody;
use crate::openapi::{Conflict, Forbidden, Idempotency, NotFound, QueryErrors, SignedNoBodyErrors};
use crate::services::webhooks::endpoints;
use crate::state::AppState;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use tahoon_domain::paging::{PageLimits, PageRequest};
use utoipa::{IntoParams, ToSchema};

/// 20 deliveries a page by default, at most 100.
pub const PAGE_LIMITS: PageLimits = PageLimits::new(20, 100);

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct DeliveriesQuery {
    /// 1-based page number, 1–1,000,000 (default 1).
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<i64>,
    /// Deliveries per page, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryPage {
    /// Newest first.
    pub deliveries: Vec<DeliveryView>,
    pub total_count: i64,
    pub page: i64,
    pub page_size: i64,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryDetail {
    #[serde(flatten)]
    pub delivery: DeliveryView,
    /// Every attempt, first first.
    pub attempts: Vec<AttemptView>,
}

/// An endpoint's deliveries.
///
/// Any role. Newest first: the event, the attempts made, the last answer (its status and the
/// first bytes of its body), and when the next attempt is due.
#[utoipa::path(
    get,
    path = "/webhooks/endpoints/{endpointId}/deliveries",
    tag = "webhooks",
    params(EndpointPath, DeliveriesQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of deliveries, newest first", body = Envelope<DeliveryPage>),
        QueryErrors,
        (status = 404, response = NotFound)
    )
)]
pub async fn list_deliveries(
    State(state): State<AppState>,
    Partner(auth): Partner,
    ApiPath(EndpointPath { endpoint_id }): ApiPath<EndpointPath>,
    ApiQuery(q): ApiQuery<DeliveriesQuery>,
) -> ApiResult<Success<DeliveryPage>> {
    let page = PageRequest::new(q.page, q.page_size, PAGE_LIMITS)?;
    let id = endpoints::endpoint_id(&state, &endpoint_id)?;
    let (found, total) = endpoints::deliveries(&state, auth.organization.id, id, page).await?;
    Ok(Success(DeliveryPage {
        deliveries: found.iter().map(|d| delivery_view(&state, d)).collect(),
        total_count: total,
        page: page.page(),
        page_size: page.page_size(),
    }))
}

/// One delivery and its attempts.
///
/// Any role.
#[utoipa::path(
    get,
    path = "/webhooks/deliveries/{deliveryId}",
    tag = "webhooks",
    params(DeliveryPath),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The delivery and every attempt", body = Envelope<DeliveryDetail>),
        QueryErrors,
        (status = 404, response = NotFound)
    )
)]
pub async fn get_delivery(
    State(state): State<AppState>,
    Partner(auth): Partner,
    ApiPath(DeliveryPath { delivery_id }): ApiPath<DeliveryPath>,
) -> ApiResult<Success<DeliveryDetail>> {
    let id = endpoints::delivery_id(&state, &delivery_id)?;
    let (delivery, attempts) = endpoints::delivery(&state, auth.organization.id, id).await?;
    Ok(Success(DeliveryDetail {
        delivery: delivery_view(&state, &delivery),
        attempts: attempts.iter().map(attempt_view).collect(),
    }))
}

/// Deliver an event again.
///
/// FullAccess; signed over `<t>.POST <path>`, no body. The same event and `webhook-id`, due now,
/// with a fresh retry schedule. 119 while an attempt is under way; 118 when the endpoint is
/// disabled.
#[utoipa::path(
    post,
    path = "/webhooks/deliveries/{deliveryId}/redeliver",
    tag = "webhooks",
    params(DeliveryPath, Idempotency),
    security(("bearer" = [], "signature" = [])),
    extensions(("x-tahoon-signature" = json!({"forms": ["header"], "signs": "method and path"}))),
    responses(
        (status = 200, description = "Due now", body = Envelope<DeliveryView>),
        SignedNoBodyErrors,
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict)
    )
)]
pub async fn redeliver(
    State(state): State<AppState>,
    ApiPath(DeliveryPath { delivery_id }): ApiPath<DeliveryPath>,
    request: SignedNoBody,
) -> ApiResult<Success<DeliveryView>> {
    let id = endpoints::delivery_id(&state, &delivery_id)?;
    let delivery = endpoints::redeliver(&state, request.auth.organization.id, id).await?;
    Ok(Success(delivery_view(&state, &delivery)))
}
