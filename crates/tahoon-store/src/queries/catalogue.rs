//! The catalogue: languages, specialties, experience levels and provider levels.

use super::DbStore;
use crate::backend::common::corrupt;
use crate::error::StoreError;
use crate::store::CatalogueStore;
use tahoon_domain::catalogue::CatalogueItem;

#[derive(sqlx::FromRow)]
struct CatalogueRow {
    kind: String,
    id: i64,
    name_plang: String,
    name_slang: String,
}

impl TryFrom<CatalogueRow> for CatalogueItem {
    type Error = StoreError;
    fn try_from(r: CatalogueRow) -> Result<Self, StoreError> {
        Ok(CatalogueItem {
            kind: r.kind.parse().map_err(|_| corrupt("catalogue kind", &r.kind))?,
            id: r.id,
            name_plang: r.name_plang,
            name_slang: r.name_slang,
        })
    }
}

#[async_trait::async_trait]
impl CatalogueStore for DbStore {
    async fn catalogue(&self) -> Result<Vec<CatalogueItem>, StoreError> {
        let rows: Vec<CatalogueRow> =
            sqlx::query_as("SELECT kind, id, name_plang, name_slang FROM catalogue_items ORDER BY kind, id")
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn upsert_catalogue_items(&self, items: &[CatalogueItem]) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        for item in items {
            sqlx::query(
                "INSERT INTO catalogue_items (kind, id, name_plang, name_slang) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (kind, id) DO UPDATE SET name_plang = $3, name_slang = $4",
            )
            .bind(item.kind.as_str())
            .bind(item.id)
            .bind(&item.name_plang)
            .bind(&item.name_slang)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
