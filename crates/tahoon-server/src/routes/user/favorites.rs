//! A user's favorite care providers: add, remove, list.

use crate::envelope::{Envelope, Success};
use crate::error::{ApiError, ApiResult};
use crate::extract::auth::Partner;
use crate::extract::query::ApiQuery;
use crate::extract::signed::Signed;
use crate::openapi::{CareProviderId, Idempotency, NotFound, QueryErrors, SignedErrors, UserId};
use crate::routes::careprovider::views::provider_id;
use crate::services::{favorites, users};
use crate::state::AppState;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use tahoon_domain::reason::Reason;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FavoriteRequest {
    #[schema(value_type = UserId)]
    pub user_id: String,
    #[schema(value_type = CareProviderId)]
    pub care_provider_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FavoriteChange {
    #[schema(value_type = CareProviderId)]
    pub care_provider_id: String,
    /// Whether this call changed anything (adding a favorite twice, or removing one that is not,
    /// changes nothing and is not an error).
    pub changed: bool,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct FavoritesQuery {
    #[param(value_type = UserId, required = true)]
    pub user_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FavoriteView {
    #[schema(value_type = CareProviderId)]
    pub care_provider_id: String,
    pub full_name: String,
    pub full_name_s_lang: String,
    #[schema(format = DateTime)]
    pub added_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Favorites {
    /// Newest first.
    pub favorites_list: Vec<FavoriteView>,
}

/// Add a favorite provider.
#[utoipa::path(
    post,
    path = "/user/favorites/add",
    tag = "user",
    request_body = FavoriteRequest,
    security(("bearer" = [], "signature" = [])),
    extensions(("x-tahoon-signature" = json!({"forms": ["header"], "signs": "body"}))),
    params(Idempotency),
    responses(
        (status = 200, description = "Added, or was already a favorite (`changed` false)", body = Envelope<FavoriteChange>,
            links(("favorites" = (operation_id = "list_favorites", parameters(("userId" = "$request.body#/userId")))))),
        SignedErrors,
        (status = 404, response = NotFound)
    )
)]
pub async fn add_favorite(
    State(state): State<AppState>,
    request: Signed<FavoriteRequest>,
) -> ApiResult<Success<FavoriteChange>> {
    let organization_id = request.auth.organization.id;
    let user = users::owned_user(&state, organization_id, &request.body.user_id).await?;
    let provider = provider_id(&state, &request.body.care_provider_id)?;
    let changed = favorites::add(&state, organization_id, user, provider).await?;
    Ok(Success(FavoriteChange { care_provider_id: request.body.care_provider_id.trim().into(), changed }))
}

/// Remove a favorite provider.
#[utoipa::path(
    post,
    path = "/user/favorites/remove",
    tag = "user",
    request_body = FavoriteRequest,
    security(("bearer" = [], "signature" = [])),
    extensions(("x-tahoon-signature" = json!({"forms": ["header"], "signs": "body"}))),
    params(Idempotency),
    responses(
        (status = 200, description = "Removed, or was not a favorite (`changed` false)", body = Envelope<FavoriteChange>),
        SignedErrors,
        (status = 404, response = NotFound)
    )
)]
pub async fn remove_favorite(
    State(state): State<AppState>,
    request: Signed<FavoriteRequest>,
) -> ApiResult<Success<FavoriteChange>> {
    let organization_id = request.auth.organization.id;
    let user = users::owned_user(&state, organization_id, &request.body.user_id).await?;
    let provider = provider_id(&state, &request.body.care_provider_id)?;
    let changed = favorites::remove(&state, user, provider).await?;
    Ok(Success(FavoriteChange { care_provider_id: request.body.care_provider_id.trim().into(), changed }))
}

/// A user's favorite providers.
#[utoipa::path(
    get,
    path = "/user/favorites",
    tag = "user",
    params(FavoritesQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The user's favorite providers, newest first", body = Envelope<Favorites>,
            links(("remove" = (operation_id = "remove_favorite", request_body = json!({
                "userId": "$request.query.userId",
                "careProviderId": "$response.body#/data/favoritesList/0/careProviderId"
            }))))),
        QueryErrors
    )
)]
pub async fn list_favorites(
    State(state): State<AppState>,
    Partner(auth): Partner,
    ApiQuery(query): ApiQuery<FavoritesQuery>,
) -> ApiResult<Success<Favorites>> {
    let user = query
        .user_id
        .as_deref()
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| ApiError::field(Reason::EmptyParameter, "userId", "is required"))?;
    let user = users::owned_user(&state, auth.organization.id, user).await?;
    let list = favorites::list(&state, user)
        .await?
        .into_iter()
        .map(|f| FavoriteView {
            care_provider_id: state.ids.encode(f.provider_id),
            full_name: f.names.full_name(),
            full_name_s_lang: f.names.full_name_slang(),
            added_at: f.added_at.to_string(),
        })
        .collect();
    Ok(Success(Favorites { favorites_list: list }))
}
