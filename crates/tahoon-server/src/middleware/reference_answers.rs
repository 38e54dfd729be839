//! For an organization in compatibility mode, every id in an answer that has a reference alias is
//! written as that alias, the id the partner already stored (`services::reference_ids`).
//!
//! Two halves, like the rate-limit slot: this middleware puts an empty `ReferenceAnswerSlot` on
//! every partner request; the partner extractor marks it once it knows the organization is in
//! compatibility mode; the middleware then rewrites the answer's JSON. Other answers pass
//! untouched, without being read.

use crate::services::reference_ids;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::{Arc, OnceLock};
use tahoon_domain::ids::OrganizationId;

/// Far above any answer this API writes; an answer this large passes as it is.
const MAX_REWRITTEN_BYTES: usize = 64 * 1024 * 1024;

/// Marked with the organization when its answer is to carry reference ids.
#[derive(Clone, Default)]
pub struct ReferenceAnswerSlot(Arc<OnceLock<OrganizationId>>);

impl ReferenceAnswerSlot {
    pub fn mark(&self, organization: OrganizationId) {
        let _ = self.0.set(organization);
    }
}

pub async fn answer_with_reference_ids(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let slot = ReferenceAnswerSlot::default();
    request.extensions_mut().insert(slot.clone());
    let response = next.run(request).await;
    let Some(organization) = slot.0.get().copied() else {
        return response;
    };
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_REWRITTEN_BYTES).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::warn!(error = %e, "an answer could not be read to write its reference ids");
            return Response::from_parts(parts, Body::empty());
        }
    };
    let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    if !reference_ids::answer_with_aliases(&state, organization, &mut value).await {
        return Response::from_parts(parts, Body::from(bytes));
    }
    match serde_json::to_vec(&value) {
        Ok(rewritten) => {
            parts.headers.remove(CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(rewritten))
        }
        Err(_) => Response::from_parts(parts, Body::from(bytes)),
    }
}
