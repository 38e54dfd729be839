//! `ApiJson<T>`: axum's `Json`, but every rejection is our envelope naming the field.

use super::body::{decode, parse_value, read_json_bytes};
use crate::error::ApiError;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = read_json_bytes(req, state).await?;
        Ok(ApiJson(decode(parse_value(&bytes)?)?))
    }
}
