//! Care providers: their profile, languages, specialties, rates and availability.

use super::provider_rows::{COLUMNS, ProviderRows, exception_kind};
use super::{Connection, Db, DbStore};
use crate::error::StoreError;
use crate::store::ProviderStore;
use const_format::formatcp;
use jiff::Timestamp;
use tahoon_domain::availability::{BookingPolicy, DatedException, WeeklyRule};
use tahoon_domain::ids::{CareProviderId, Id};
use tahoon_domain::provider::CareProvider;

const UPDATE: &str = "UPDATE care_providers SET first_name_plang = $2, last_name_plang = $3, \
     first_name_slang = $4, last_name_slang = $5, gender = $6, experience_years = $7, experience_level_id = $8, \
     provider_level_id = $9, bio_short_plang = $10, bio_short_slang = $11, bio_long_plang = $12, \
     bio_long_slang = $13, education = $14, certifications = $15, profile_image_url = $16, rating = $17, \
     review_count = $18, time_zone = $19, active = $20, min_notice_minutes = $21, horizon_days = $22, \
     buffer_minutes = $23, updated_at = $24 WHERE external_id = $1 RETURNING id";

const INSERT: &str = "INSERT INTO care_providers (external_id, first_name_plang, last_name_plang, \
     first_name_slang, last_name_slang, gender, experience_years, experience_level_id, provider_level_id, \
     bio_short_plang, bio_short_slang, bio_long_plang, bio_long_slang, education, certifications, \
     profile_image_url, rating, review_count, time_zone, active, min_notice_minutes, horizon_days, \
     buffer_minutes, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, \
     $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $24) RETURNING id";

/// Replaces a provider's weekly rules and exceptions.
async fn replace_availability(
    conn: &mut Connection,
    provider_id: CareProviderId,
    weekly: &[WeeklyRule],
    exceptions: &[DatedException],
) -> Result<(), StoreError> {
    let provider_id = provider_id.get();
    sqlx::query("DELETE FROM availability_rules WHERE provider_id = $1").bind(provider_id).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM availability_exceptions WHERE provider_id = $1")
        .bind(provider_id)
        .execute(&mut *conn)
        .await?;
    for rule in weekly {
        sqlx::query(
            "INSERT INTO availability_rules (provider_id, weekday, start_minute, end_minute) VALUES ($1, $2, $3, $4)",
        )
        .bind(provider_id)
        .bind(i64::from(rule.weekday.to_monday_one_offset()))
        .bind(i64::from(rule.window.start()))
        .bind(i64::from(rule.window.end()))
        .execute(&mut *conn)
        .await?;
    }
    for exception in exceptions {
        sqlx::query(
            "INSERT INTO availability_exceptions (provider_id, local_date, kind, start_minute, end_minute) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(provider_id)
        .bind(exception.date.to_string())
        .bind(exception_kind(exception.kind))
        .bind(i64::from(exception.window.start()))
        .bind(i64::from(exception.window.end()))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Rows of the providers with ids in `lo..=hi` (`$1..=$2`), as every child table is read.
async fn rows_of_providers<T>(
    conn: &mut Connection,
    sql: &'static str,
    (lo, hi): (i64, i64),
) -> Result<Vec<T>, StoreError>
where
    T: for<'r> sqlx::FromRow<'r, <Db as sqlx::Database>::Row> + Send + Unpin,
{
    Ok(sqlx::query_as(sql).bind(lo).bind(hi).fetch_all(conn).await?)
}

/// Reads the providers with ids in `lo..=hi` and their details (exceptions dated `from..=to`):
/// six queries whatever the number of providers, run in one read transaction by the caller.
pub(super) async fn load_providers(
    conn: &mut Connection,
    ids: (i64, i64),
    (from, to): (&str, &str),
) -> Result<ProviderRows, StoreError> {
    let providers = formatcp!("SELECT {COLUMNS} FROM care_providers WHERE id BETWEEN $1 AND $2 ORDER BY id");
    Ok(ProviderRows {
        providers: rows_of_providers(conn, providers, ids).await?,
        languages: rows_of_providers(
            conn,
            "SELECT provider_id, language_id AS value FROM provider_languages \
             WHERE provider_id BETWEEN $1 AND $2 ORDER BY provider_id, language_id",
            ids,
        )
        .await?,
        specialties: rows_of_providers(
            conn,
            "SELECT provider_id, specialty_id AS value FROM provider_specialties \
             WHERE provider_id BETWEEN $1 AND $2 ORDER BY provider_id, specialty_id",
            ids,
        )
        .await?,
        rates: rows_of_providers(
            conn,
            "SELECT provider_id, duration_minutes, price_minor, currency FROM provider_rates \
             WHERE provider_id BETWEEN $1 AND $2 ORDER BY provider_id, position",
            ids,
        )
        .await?,
        rules: rows_of_providers(
            conn,
            "SELECT provider_id, weekday, start_minute, end_minute FROM availability_rules \
             WHERE provider_id BETWEEN $1 AND $2 ORDER BY provider_id, weekday, start_minute",
            ids,
        )
        .await?,
        exceptions: sqlx::query_as(
            "SELECT provider_id, local_date, kind, start_minute, end_minute FROM availability_exceptions \
             WHERE provider_id BETWEEN $1 AND $2 AND local_date BETWEEN $3 AND $4 \
             ORDER BY provider_id, local_date, start_minute",
        )
        .bind(ids.0)
        .bind(ids.1)
        .bind(from)
        .bind(to)
        .fetch_all(conn)
        .await?,
    })
}

#[async_trait::async_trait]
impl ProviderStore for DbStore {
    async fn upsert_care_provider(
        &self,
        p: &CareProvider,
        now: Timestamp,
    ) -> Result<(CareProviderId, bool), StoreError> {
        let education = serde_json::to_string(&p.education).expect("plain data serializes");
        let certifications = serde_json::to_string(&p.certifications).expect("plain data serializes");
        let mut tx = self.begin_write().await?;
        let existing: Option<(i64,)> = sqlx::query_as("SELECT id FROM care_providers WHERE external_id = $1")
            .bind(&p.external_id)
            .fetch_optional(&mut *tx)
            .await?;
        let (id,): (i64,) = sqlx::query_as(if existing.is_some() { UPDATE } else { INSERT })
            .bind(&p.external_id)
            .bind(&p.names.first_plang)
            .bind(&p.names.last_plang)
            .bind(&p.names.first_slang)
            .bind(&p.names.last_slang)
            .bind(p.gender.code())
            .bind(i64::from(p.experience_years))
            .bind(p.experience_level_id)
            .bind(p.provider_level_id)
            .bind(&p.bio.short_plang)
            .bind(&p.bio.short_slang)
            .bind(&p.bio.long_plang)
            .bind(&p.bio.long_slang)
            .bind(&education)
            .bind(&certifications)
            .bind(&p.profile_image_url)
            .bind(p.rating)
            .bind(p.review_count)
            .bind(&p.time_zone)
            .bind(p.active)
            .bind(i64::from(p.policy.min_notice_minutes))
            .bind(i64::from(p.policy.horizon_days))
            .bind(i64::from(p.policy.buffer_minutes))
            .bind(now.as_microsecond())
            .fetch_one(&mut *tx)
            .await?;
        for table in [
            "DELETE FROM provider_languages WHERE provider_id = $1",
            "DELETE FROM provider_specialties WHERE provider_id = $1",
            "DELETE FROM provider_rates WHERE provider_id = $1",
        ] {
            sqlx::query(table).bind(id).execute(&mut *tx).await?;
        }
        for language in &p.language_ids {
            sqlx::query("INSERT INTO provider_languages (provider_id, language_id) VALUES ($1, $2)")
                .bind(id)
                .bind(language)
                .execute(&mut *tx)
                .await?;
        }
        for specialty in &p.specialty_ids {
            sqlx::query("INSERT INTO provider_specialties (provider_id, specialty_id) VALUES ($1, $2)")
                .bind(id)
                .bind(specialty)
                .execute(&mut *tx)
                .await?;
        }
        for (position, rate) in p.rates.iter().enumerate() {
            sqlx::query(
                "INSERT INTO provider_rates (provider_id, position, duration_minutes, price_minor, currency) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(position as i64)
            .bind(i64::from(rate.duration_minutes))
            .bind(rate.price_minor)
            .bind(&rate.currency)
            .execute(&mut *tx)
            .await?;
        }
        replace_availability(&mut tx, Id::new(id), &p.weekly, &p.exceptions).await?;
        tx.commit().await?;
        Ok((Id::new(id), existing.is_none()))
    }

    async fn set_provider_availability(
        &self,
        provider_id: CareProviderId,
        policy: BookingPolicy,
        weekly: &[WeeklyRule],
        exceptions: &[DatedException],
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE care_providers SET min_notice_minutes = $2, horizon_days = $3, buffer_minutes = $4, \
             updated_at = $5 WHERE id = $1",
        )
        .bind(provider_id.get())
        .bind(i64::from(policy.min_notice_minutes))
        .bind(i64::from(policy.horizon_days))
        .bind(i64::from(policy.buffer_minutes))
        .bind(now.as_microsecond())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            return Ok(false);
        }
        replace_availability(&mut tx, provider_id, weekly, exceptions).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn care_provider(&self, provider_id: CareProviderId) -> Result<Option<CareProvider>, StoreError> {
        let mut tx = self.begin_read().await?;
        let id = provider_id.get();
        let rows = load_providers(&mut tx, (id, id), ("0000-01-01", "9999-12-31")).await?;
        tx.commit().await?;
        Ok(rows.assemble()?.into_iter().next())
    }

    async fn care_providers(
        &self,
        from: jiff::civil::Date,
        to: jiff::civil::Date,
    ) -> Result<Vec<CareProvider>, StoreError> {
        let (from, to) = (from.to_string(), to.to_string());
        let mut tx = self.begin_read().await?;
        let rows = load_providers(&mut tx, (i64::MIN, i64::MAX), (&from, &to)).await?;
        tx.commit().await?;
        rows.assemble()
    }
}
