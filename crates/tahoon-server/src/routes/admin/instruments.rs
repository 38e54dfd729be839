//! `POST /api/v1/admin/instruments`: the operator adds a screening instrument.

use crate::envelope::{Envelope, Success};
use crate::error::ApiResult;
use crate::extract::json::ApiJson;
use crate::extract::operator::Operator;
use crate::openapi::OperatorErrors;
use crate::services::screening;
use crate::state::AppState;
use axum::extract::State;
use serde::Serialize;
use tahoon_domain::screening::InstrumentDefinition;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AddedInstrument {
    pub instrument: String,
    pub instrument_id: i64,
    /// The id of question n is `instrumentId * 1000 + n`.
    pub first_question_id: i64,
}

/// Add a screening instrument from its definition.
///
/// Questions (`choice` with 2–10 scored options, or `text`), severity bands covering every total
/// from 0 to the maximum, and optional risk rules. See `docs/screening.md`.
#[utoipa::path(
    post,
    path = "/instruments",
    tag = "admin",
    request_body(
        content = Object,
        description = "An instrument definition (docs/screening.md)",
        example = json!({
            "code": "WHO-5",
            "namePLang": "WHO-5 Well-Being Index",
            "nameSLang": "مؤشر الرفاهية WHO-5",
            "instructionsPLang": "Over the last two weeks:",
            "instructionsSLang": "خلال الأسبوعين الماضيين:",
            "questions": [
                {"textPLang": "I have felt cheerful and in good spirits", "textSLang": "شعرت بالبهجة", "type": "choice",
                 "required": true, "scored": true, "options": [
                    {"textPLang": "At no time", "textSLang": "في أي وقت", "value": 0},
                    {"textPLang": "All of the time", "textSLang": "طوال الوقت", "value": 5}
                ]}
            ],
            "bands": [
                {"min": 0, "max": 2, "code": "low", "namePLang": "Low", "nameSLang": "منخفض"},
                {"min": 3, "max": 5, "code": "good", "namePLang": "Good", "nameSLang": "جيد"}
            ]
        })
    ),
    security(("operator" = [])),
    responses(
        (status = 200, description = "The instrument's id and the id of its first question", body = Envelope<AddedInstrument>),
        OperatorErrors
    )
)]
pub async fn add_instrument(
    State(state): State<AppState>,
    _: Operator,
    ApiJson(definition): ApiJson<InstrumentDefinition>,
) -> ApiResult<Success<AddedInstrument>> {
    let added = screening::add_instrument(&state, definition, "operator").await?;
    Ok(Success(AddedInstrument {
        instrument: added.definition.code.clone(),
        instrument_id: added.id,
        first_question_id: added.question_id(1),
    }))
}
