//! A user's favorite care providers.

use crate::services::directory;
use crate::services::error::ServiceResult;
use crate::state::AppState;
use tahoon_domain::ids::{CareProviderId, OrganizationId, UserId};
use tahoon_store::Favorite;

/// Marks an active provider; `false` when it already was a favorite.
pub async fn add(
    state: &AppState,
    organization_id: OrganizationId,
    user_id: UserId,
    provider_id: CareProviderId,
) -> ServiceResult<bool> {
    let provider = directory::active_provider(state, provider_id).await?;
    Ok(state.store.add_favorite(organization_id, user_id, provider.id, state.clock.now()).await?)
}

/// Unmarks a provider; `false` when it was not a favorite.
pub async fn remove(state: &AppState, user_id: UserId, provider_id: CareProviderId) -> ServiceResult<bool> {
    Ok(state.store.remove_favorite(user_id, provider_id).await?)
}

/// The user's favorites, newest first.
pub async fn list(state: &AppState, user_id: UserId) -> ServiceResult<Vec<Favorite>> {
    Ok(state.store.favorites(user_id).await?)
}
