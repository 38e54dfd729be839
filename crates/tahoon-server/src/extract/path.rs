//! `ApiPath<T>`: axum's `Path`, but every rejection is our envelope naming the parameter.
//!
//! `T` is a struct whose fields are the route's parameters by name (`{bookingId}` →
//! `booking_id` with `rename_all = "camelCase"`), decoded like a query string: a segment that is
//! not valid percent-encoded UTF-8, or a value of the wrong type, is ValidationFailed naming the
//! parameter.

use super::query::decode_form;
use crate::error::ApiError;
use axum::extract::path::ErrorKind;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(params) = Path::<Vec<(String, String)>>::from_request_parts(parts, state).await.map_err(rejection)?;
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
