//! The legacy `/api/…` paths: the same routes as `/api/v1/…`, marked deprecated.

use axum::extract::{OriginalUri, Request};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

pub async fn mark_deprecated(request: Request, next: Next) -> Response {
    // Inside the nested router the path has lost its `/api` prefix; the original has it.
    let original = request.extensions().get::<OriginalUri>().map(|u| u.0.path().to_string());
    let successor = original
        .as_deref()
        .and_then(|path| path.strip_prefix("/api/"))
        .map(|rest| format!("</api/v1/{rest}>; rel=\"successor-version\""));
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert("deprecation", HeaderValue::from_static("true"));
    if let Some(link) = successor.and_then(|l| HeaderValue::from_str(&l).ok()) {
        headers.insert(axum::http::header::LINK, link);
    }
    response
}
