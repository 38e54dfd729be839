//! Screening: operator-defined instruments and users' assessments.

use super::DbStore;
use super::outbox::insert_event;
use crate::backend::common::{instant, json};
use crate::error::StoreError;
use crate::models::*;
use crate::store::ScreeningStore;
use jiff::Timestamp;
use tahoon_domain::ids::{AssessmentId, Id, OrganizationId, UserId};
use tahoon_domain::screening::{FIRST_CUSTOM_ID, Instrument, InstrumentDefinition};

#[derive(sqlx::FromRow)]
struct InstrumentRow {
    id: i64,
    definition: String,
}

impl TryFrom<InstrumentRow> for Instrument {
    type Error = StoreError;
    fn try_from(r: InstrumentRow) -> Result<Self, StoreError> {
        Ok(Instrument { id: r.id, definition: json("instrument", &r.definition)? })
    }
}

#[derive(sqlx::FromRow)]
struct AssessmentRow {
    id: i64,
    user_id: i64,
    instrument_id: i64,
    instrument_code: String,
    total: i64,
    max_total: i64,
    band_code: String,
    risk_flags: String,
    answers: String,
    created_at: i64,
}

impl TryFrom<AssessmentRow> for AssessmentRecord {
    type Error = StoreError;
    fn try_from(r: AssessmentRow) -> Result<Self, StoreError> {
        Ok(AssessmentRecord {
            id: Id::new(r.id),
            user_id: Id::new(r.user_id),
            instrument_id: r.instrument_id,
            instrument_code: r.instrument_code,
            total: r.total,
            max_total: r.max_total,
            band_code: r.band_code,
            risk_flags: json("risk flags", &r.risk_flags)?,
            answers: json("answers", &r.answers)?,
            created_at: instant(r.created_at)?,
        })
    }
}

#[async_trait::async_trait]
impl ScreeningStore for DbStore {
    async fn screening_band_counts(
        &self,
        organization_id: OrganizationId,
    ) -> Result<Vec<(String, String, i64)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT instrument_code, band_code, COUNT(*) FROM assessments WHERE organization_id = $1 \
             GROUP BY instrument_code, band_code ORDER BY instrument_code, band_code",
        )
        .bind(organization_id.get())
        .fetch_all(&self.pool)
        .await?)
    }

    async fn custom_instruments(&self) -> Result<Vec<Instrument>, StoreError> {
        let rows: Vec<InstrumentRow> = sqlx::query_as("SELECT id, definition FROM screening_instruments ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn add_instrument(
        &self,
        definition: &InstrumentDefinition,
        now: Timestamp,
    ) -> Result<Option<Instrument>, StoreError> {
        let mut tx = self.begin_write().await?;
        let taken: Option<(i64,)> = sqlx::query_as("SELECT id FROM screening_instruments WHERE code = $1")
            .bind(&definition.code)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Ok(None);
        }
        let (last,): (Option<i64>,) =
            sqlx::query_as("SELECT MAX(id) FROM screening_instruments").fetch_one(&mut *tx).await?;
        let id = last.map_or(FIRST_CUSTOM_ID, |l| l + 1);
        sqlx::query("INSERT INTO screening_instruments (id, code, definition, created_at) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(&definition.code)
            .bind(serde_json::to_string(definition).expect("plain data serializes"))
            .bind(now.as_microsecond())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(Instrument { id, definition: definition.clone() }))
    }

    async fn record_assessment(&self, a: NewAssessment, events: Vec<NewEvent>) -> Result<AssessmentId, StoreError> {
        let mut tx = self.begin_write().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO assessments (organization_id, user_id, instrument_id, instrument_code, total, max_total, \
             band_code, risk_flags, answers, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             RETURNING id",
        )
        .bind(a.organization_id.get())
        .bind(a.user_id.get())
        .bind(a.instrument_id)
        .bind(&a.instrument_code)
        .bind(a.total)
        .bind(a.max_total)
        .bind(&a.band_code)
        .bind(serde_json::to_string(&a.risk_flags).expect("plain data serializes"))
        .bind(serde_json::to_string(&a.answers).expect("plain data serializes"))
        .bind(a.now.as_microsecond())
        .fetch_one(&mut *tx)
        .await?;
        let submitted = NewEvent {
            organization_id: Some(a.organization_id),
            event_type: ASSESSMENT_SUBMITTED_EVENT.into(),
            payload: serde_json::json!({ "userRowId": a.user_id.get(), "instrument": a.instrument_code }),
        };
        for event in std::iter::once(&submitted).chain(&events) {
            let mut event = event.clone();
            if let serde_json::Value::Object(fields) = &mut event.payload {
                fields.insert("assessmentRowId".into(), id.into());
            }
            insert_event(&mut tx, &event, a.now).await?;
        }
        tx.commit().await?;
        Ok(Id::new(id))
    }

    async fn assessments(
        &self,
        organization_id: OrganizationId,
        user_id: UserId,
    ) -> Result<Vec<AssessmentRecord>, StoreError> {
        let rows: Vec<AssessmentRow> = sqlx::query_as(
            "SELECT id, user_id, instrument_id, instrument_code, total, max_total, band_code, risk_flags, answers, \
             created_at FROM assessments WHERE organization_id = $1 AND user_id = $2 \
             ORDER BY created_at DESC, id DESC",
        )
        .bind(organization_id.get())
        .bind(user_id.get())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }
}
