//! `GET /metrics`: Prometheus's text format. On the main listener for the operator token only;
//! with `TAHOON_METRICS_LISTEN` on its own listener instead (without a token: that address is
//! for the scraper's network only), and not on the main one.

use crate::extract::operator::Operator;
use crate::openapi::Unauthorized;
use crate::telemetry;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

/// Prometheus's text exposition format, version 0.0.4.
const TEXT_FORMAT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Metrics.
///
/// Request latency by route template and status, bookings by outcome, rate-limit refusals,
/// database transaction waits, vendor calls, outbox lag and deliveries (`docs/operations.md`).
/// Operator token; not served here when the server has a separate metrics address.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "health",
    security(("operator" = [])),
    responses(
        (status = 200, description = "Prometheus text format 0.0.4", content_type = "text/plain", body = String),
        (status = 401, response = Unauthorized)
    )
)]
pub async fn operator_metrics(_: Operator) -> Response {
    rendered()
}

/// The same text on the separate metrics listener.
pub async fn open_metrics() -> Response {
    rendered()
}

fn rendered() -> Response {
    ([(CONTENT_TYPE, TEXT_FORMAT), (CACHE_CONTROL, "no-store")], telemetry::render()).into_response()
}
