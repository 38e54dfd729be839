//! `ApiJson<T>`: axum's `Json`, but every rejection is our envelope naming the field, and the body
//! is read in the authenticated organization's dialect (`dialect`), with reference ids resolved
//! (`services::reference_ids`).

use super::body::{parse_value, read_json_bytes};
use super::dialect::Dialect;
use crate::error::ApiError;
use crate::services::reference_ids;
use crate::services::tokens::Authenticated;
use crate::state::AppState;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let dialect = Dialect::of_request(req.extensions());
        let organization = req.extensions().get::<Authenticated>().map(|a| a.organization.id);
        let bytes = read_json_bytes(req, state).await?;
        let mut value = parse_value(&bytes)?;
        reference_ids::resolve_in_body(state, organization, &mut value).await;
        Ok(ApiJson(dialect.decode(value)?))
    }
}
