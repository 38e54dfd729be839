//! Favorites: the providers a user marked.

use super::DbStore;
use crate::backend::common::instant;
use crate::error::StoreError;
use crate::models::Favorite;
use crate::store::FavoriteStore;
use jiff::Timestamp;
use tahoon_domain::ids::{CareProviderId, Id, OrganizationId, UserId};
use tahoon_domain::provider::Names;

#[async_trait::async_trait]
impl FavoriteStore for DbStore {
    async fn add_favorite(
        &self,
        organization_id: OrganizationId,
        user_id: UserId,
        provider_id: CareProviderId,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let added = sqlx::query(
            "INSERT INTO favorites (organization_id, user_id, provider_id, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id, provider_id) DO NOTHING",
        )
        .bind(organization_id.get())
        .bind(user_id.get())
        .bind(provider_id.get())
        .bind(now.as_microsecond())
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(added == 1)
    }

    async fn remove_favorite(&self, user_id: UserId, provider_id: CareProviderId) -> Result<bool, StoreError> {
        let removed = sqlx::query("DELETE FROM favorites WHERE user_id = $1 AND provider_id = $2")
            .bind(user_id.get())
            .bind(provider_id.get())
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(removed == 1)
    }

    async fn favorites(&self, user_id: UserId) -> Result<Vec<Favorite>, StoreError> {
        // One query for the whole list, names included.
        let rows: Vec<(i64, i64, String, String, String, String)> = sqlx::query_as(
            "SELECT f.provider_id, f.created_at, p.first_name_plang, p.last_name_plang, p.first_name_slang, \
             p.last_name_slang FROM favorites f JOIN care_providers p ON p.id = f.provider_id \
             WHERE f.user_id = $1 ORDER BY f.created_at DESC, f.provider_id",
        )
        .bind(user_id.get())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(provider_id, added_at, first_plang, last_plang, first_slang, last_slang)| {
                Ok(Favorite {
                    provider_id: Id::new(provider_id),
                    names: Names { first_plang, last_plang, first_slang, last_slang },
                    added_at: instant(added_at)?,
                })
            })
            .collect()
    }
}
