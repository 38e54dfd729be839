//! `ApiPath<T>`: axum's `Path`, but every rejection is our envelope naming the parameter.
//!
//! `T` is a struct whose fields are the route's parameters by name (`{bookingId}` →
//! `booking_id` with `rename_all = "camelCase"`), decoded like a query string: a segment that is
//! not valid percent-encoded UTF-8, or a value of the wrong type, is ValidationFailed naming the
//! parameter. Reference ids among the parameters are resolved first (`services::reference_ids`).

use super::query::decode_form;
use crate::error::ApiError;
use crate::services::reference_ids;
use crate::services::tokens::Authenticated;
use crate::state::AppState;
use axum::extract::path::ErrorKind;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned> FromRequestParts<AppState> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Path(mut params) =
            Path::<Vec<(String, String)>>::from_request_parts(parts, state).await.map_err(rejection)?;
        let organization = parts.extensions.get::<Authenticated>().map(|a| a.organization.id);
        reference_ids::resolve_in_pairs(state, organization, &mut params).await;
        let encoded = form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
        Ok(ApiPath(decode_form(encoded.as_bytes(), "path")?))
    }
}

fn rejection(rejection: PathRejection) -> ApiError {
    match rejection {
        PathRejection::FailedToDeserializePathParams(e) => match e.kind() {
            ErrorKind::InvalidUtf8InPathParam { key } => {
                ApiError::validation(key.clone(), "is not valid percent-encoded UTF-8")
            }
            _ => ApiError::validation("path", e.body_text()),
        },
        // A route without parameters using `ApiPath`: our mistake, not the client's.
        other => ApiError::internal(anyhow::anyhow!("path parameters: {}", other.body_text())),
    }
}
