//! Favorites: the providers a user marked.

use super::DbStore;
use crate::error::StoreError;
use crate::models::Favorite;
use crate::store::FavoriteStore;
use tahoon_domain::provider::Names;

#[async_trait::async_trait]
impl FavoriteStore for DbStore {
    async fn add_favorite(
        &self,
        organization_id: i64,
        user_id: i64,
        provider_id: i64,
        now_us: i64,
    ) -> Result<bool, StoreError> {
        let added = sqlx::query(
            "INSERT INTO favorites (organization_id, user_id, provider_id, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id, provider_id) DO NOTHING",
        )
        .bind(organization_id)
        .bind(user_id)
        .bind(provider_id)
        .bind(now_us)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(added == 1)
    }

    async fn remove_favorite(&self, user_id: i64, provider_id: i64) -> Result<bool, StoreError> {
        let removed = sqlx::query("DELETE FROM favorites WHERE user_id = $1 AND provider_id = $2")
            .bind(user_id)
            .bind(provider_id)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(removed == 1)
    }

    async fn favorites(&self, user_id: i64) -> Result<Vec<Favorite>, StoreError> {
        // One query for the whole list, names included.
        let rows: Vec<(i64, i64, String, String, String, String)> = sqlx::query_as(
            "SELECT f.provider_id, f.created_at, p.first_name_plang, p.last_name_plang, p.first_name_slang, \
             p.last_name_slang FROM favorites f JOIN care_providers p ON p.id = f.provider_id \
             WHERE f.user_id = $1 ORDER BY f.created_at DESC, f.provider_id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(provider_id, added_at_us, first_plang, last_plang, first_slang, last_slang)| Favorite {
                provider_id,
                names: Names { first_plang, last_plang, first_slang, last_slang },
                added_at_us,
            })
            .collect())
    }
}
