//! Gives every request an id (the client's `x-request-id` when sane, else a new one), its
//! language and client address (through trusted proxies: `tahoon_domain::client_address`), a
//! tracing span, and echoes the id on the response.

use crate::context::RequestContext;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use std::net::SocketAddr;
use std::sync::Arc;
use tahoon_domain::client_address::{AddressRange, client_address};
use tahoon_domain::reason::Language;
use tracing::Instrument;

pub const REQUEST_ID_HEADER: &str = "x-request-id";

fn acceptable_request_id(value: &HeaderValue) -> Option<String> {
    let text = value.to_str().ok()?;
    let ok = !text.is_empty()
        && text.len() <= 128
        && text.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
    ok.then(|| text.to_string())
}

pub async fn request_context(
    State(trusted_proxies): State<Arc<[AddressRange]>>,
    request: Request,
    next: Next,
) -> Response {
    let request_id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(acceptable_request_id)
        .unwrap_or_else(|| format!("req_{}", uuid::Uuid::new_v4().simple()));
    let language = request
        .headers()
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Language::from_accept_language)
        .unwrap_or_default();
    let forwarded_for: Vec<&str> =
        request.headers().get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
    let source_ip = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| client_address(c.0.ip(), &forwarded_for, &trusted_proxies));
    // No query strings, bodies or headers in the span: they may carry personal data.
    let span = tracing::info_span!(
        "request",
        request_id = %request_id,
        method = %request.method(),
        route = tracing::field::Empty,
        organization_id = tracing::field::Empty,
        status = tracing::field::Empty,
    );
    let context = RequestContext { request_id: request_id.clone(), language, source_ip };
    let method = request.method().clone();
    let started = std::time::Instant::now();
    let mut response = context.scope(next.run(request)).instrument(span.clone()).await;
    span.record("status", response.status().as_u16());
    // By route template, never the concrete path (ids would make every path its own series).
    let route = response.extensions().get::<MatchedPath>().map(|r| r.as_str().to_string());
    metrics::histogram!(
        "tahoon_http_request_duration_seconds",
        "method" => method.to_string(),
        "route" => route.unwrap_or_else(|| "unmatched".into()),
        "status" => response.status().as_u16().to_string(),
    )
    .record(started.elapsed().as_secs_f64());
    span.in_scope(|| tracing::info!("request handled"));
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

/// Records the matched route template (`/api/v1/user/{userId}`, never the concrete path) on the
/// request span, and hands it to the response for the latency metric; runs as a route layer,
/// where routing has happened.
pub async fn record_route(request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().cloned();
    if let Some(route) = &route {
        tracing::Span::current().record("route", route.as_str());
    }
    let mut response = next.run(request).await;
    if let Some(route) = route {
        response.extensions_mut().insert(route);
    }
    response
}
