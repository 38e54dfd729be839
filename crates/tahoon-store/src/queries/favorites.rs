//! Favorites: the providers a user marked.

use super::DbStore;
use crate::error::StoreError;
use crate::store::FavoriteStore;

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

    async fn favorites(&self, user_id: i64) -> Result<Vec<(i64, i64)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT provider_id, created_at FROM favorites WHERE user_id = $1 ORDER BY created_at DESC, provider_id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?)
    }
}
