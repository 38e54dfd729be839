//! A user's favorite care providers.

use crate::services::directory;
use crate::services::error::ServiceResult;
use crate::state::AppState;
use tahoon_store::Favorite;

/// Marks an active provider; `false` when it already was a favorite.
pub async fn add(state: &AppState, organization_id: i64, user_id: i64, provider_id: i64) -> ServiceResult<bool> {
    let provider = directory::active_provider(state, provider_id).await?;
    Ok(state.store.add_favorite(organization_id, user_id, provider.id, state.clock.now_us()).await?)
}

/// Unmarks a provider; `false` when it was not a favorite.
pub async fn remove(state: &AppState, user_id: i64, provider_id: i64) -> ServiceResult<bool> {
    Ok(state.store.remove_favorite(user_id, provider_id).await?)
}

/// The user's favorites, newest first.
pub async fn list(state: &AppState, user_id: i64) -> ServiceResult<Vec<Favorite>> {
    Ok(state.store.favorites(user_id).await?)
}
