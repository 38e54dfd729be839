//! Screening: the instruments on offer, submissions and their results.

use crate::services::audit::AuditEvent;
use crate::services::error::{Refusal, ServiceResult};
use crate::state::AppState;
use jiff::Timestamp;
use serde_json::json;
use tahoon_domain::ids::{OrganizationId, UserId};
use tahoon_domain::reason::Reason;
use tahoon_domain::screening::{Answer, AnswerError, Instrument, InstrumentDefinition, built_in, score};
use tahoon_store::{AssessmentRecord, NewAssessment, NewEvent};

/// Built-in instruments first, then the operator's.
pub async fn instruments(state: &AppState) -> ServiceResult<Vec<Instrument>> {
    let mut all = built_in();
    all.extend(state.store.custom_instruments().await?);
    Ok(all)
}

pub async fn by_code(state: &AppState, code: &str) -> ServiceResult<Instrument> {
    let found = instruments(state).await?.into_iter().find(|i| i.definition.code.eq_ignore_ascii_case(code.trim()));
    Ok(found.ok_or_else(|| Refusal::field(Reason::NotFound, "instrument", "no such instrument"))?)
}

/// The result of a stored submission.
pub struct Submitted {
    pub assessment_id: String,
    pub instrument: Instrument,
    pub scored: tahoon_domain::screening::Scored,
    pub submitted_at: Timestamp,
}

fn answer_error(e: &AnswerError) -> Refusal {
    let field = match e {
        AnswerError::UnknownQuestion { index, .. } | AnswerError::Duplicate { index, .. } => {
            format!("answers[{index}].questionId")
        }
        AnswerError::ForeignOption { index, .. } | AnswerError::NeedsOption { index, .. } => {
            format!("answers[{index}].catScreeningQuetionOptionId")
        }
        AnswerError::NeedsText { index, .. } => format!("answers[{index}].answerText"),
        AnswerError::Missing { .. } => "answers".into(),
    };
    Refusal::validation(field, e.to_string())
}

/// Validates, scores and stores a submission; a raised risk flag writes an
/// `assessment.risk_flagged` event in the same transaction.
pub async fn submit(
    state: &AppState,
    organization_id: OrganizationId,
    user_id: UserId,
    instrument_code: Option<&str>,
    answers: &[Answer],
) -> ServiceResult<Submitted> {
    let Some(first) = answers.first() else {
        return Err(Refusal::field(Reason::EmptyParameter, "answers", "at least one answer is required").into());
    };
    let instrument = match instrument_code {
        Some(code) => by_code(state, code).await?,
        None => {
            let wanted = Instrument::instrument_of(first.question_id);
            instruments(state).await?.into_iter().find(|i| i.id == wanted).ok_or_else(|| {
                Refusal::validation(
                    "answers[0].questionId",
                    format!("question {} is not part of any instrument", first.question_id),
                )
            })?
        }
    };
    let scored = score(&instrument, answers).map_err(|e| answer_error(&e))?;
    let now = state.clock.now();
    let user_public = state.ids.encode(user_id);
    let events = if scored.risk_flags.is_empty() {
        Vec::new()
    } else {
        vec![NewEvent {
            organization_id: Some(organization_id),
            event_type: "assessment.risk_flagged".into(),
            payload: json!({
                "userId": user_public,
                "instrument": instrument.definition.code,
                "riskFlags": scored.risk_flags,
                "totalScore": scored.total,
            }),
        }]
    };
    let id = state
        .store
        .record_assessment(
            NewAssessment {
                organization_id,
                user_id,
                instrument_id: instrument.id,
                instrument_code: instrument.definition.code.clone(),
                total: scored.total,
                max_total: scored.max_total,
                band_code: scored.band.code.clone(),
                risk_flags: scored.risk_flags.clone(),
                answers: scored.answers.clone(),
                now,
            },
            events,
        )
        .await?;
    state
        .audit
        .record(
            AuditEvent::success(
                "assessment.submitted",
                Some(organization_id),
                format!("org:{}", organization_id.get()),
            )
            .details(json!({
                "user": user_id.get(),
                "instrument": instrument.definition.code,
                "riskFlagged": !scored.risk_flags.is_empty(),
            })),
        )
        .await?;
    Ok(Submitted { assessment_id: state.ids.encode(id), instrument, scored, submitted_at: now })
}

/// Adds an operator-defined instrument after validating it.
pub async fn add_instrument(
    state: &AppState,
    definition: InstrumentDefinition,
    actor: &str,
) -> ServiceResult<Instrument> {
    // Also checks every text as free text, naming its field.
    definition.validate().map_err(|(field, problem)| Refusal::validation(field, problem))?;
    if built_in().iter().any(|b| b.definition.code == definition.code) {
        return Err(Refusal::validation("code", "is the code of a built-in instrument").into());
    }
    let now = state.clock.now();
    let added = state
        .store
        .add_instrument(&definition, now)
        .await?
        .ok_or_else(|| Refusal::validation("code", "is already used by another instrument"))?;
    state
        .audit
        .record(
            AuditEvent::success("instrument.added", None, actor)
                .details(json!({ "code": added.definition.code, "id": added.id })),
        )
        .await?;
    Ok(added)
}

/// A user's assessments, newest first, with the instruments that name their questions.
pub async fn history(
    state: &AppState,
    organization_id: OrganizationId,
    user_id: UserId,
) -> ServiceResult<(Vec<AssessmentRecord>, Vec<Instrument>)> {
    let records = state.store.assessments(organization_id, user_id).await?;
    Ok((records, instruments(state).await?))
}
