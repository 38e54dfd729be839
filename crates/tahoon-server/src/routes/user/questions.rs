//! `GET /user/getassessmentquestions`.

use crate::envelope::{Envelope, Success};
use crate::error::ApiResult;
use crate::extract::auth::Partner;
use crate::extract::query::ApiQuery;
use crate::openapi::{NotFound, QueryErrors};
use crate::services::screening;
use crate::state::AppState;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use tahoon_domain::screening::{Instrument, QuestionType};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QuestionsQuery {
    /// One instrument's code (`PHQ-9`, `GAD-7`, …); all instruments when absent. An unknown code
    /// is 404 NotFound.
    #[param(example = "PHQ-9")]
    pub instrument: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OptionView {
    pub cat_screening_quetion_option_id: i64,
    #[serde(rename = "optionTextPLang")]
    pub option_text_plang: String,
    #[serde(rename = "optionTextSLang")]
    pub option_text_slang: String,
    pub value: i64,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QuestionView {
    pub question_id: i64,
    #[serde(rename = "questionTextPLang")]
    pub question_text_plang: String,
    #[serde(rename = "questionTextSLang")]
    pub question_text_slang: String,
    /// `choice` (answer with `catScreeningQuetionOptionId`) or `text` (answer with `answerText`).
    #[schema(pattern = "^(choice|text)$")]
    pub question_type: String,
    pub is_required: bool,
    pub options_list: Vec<OptionView>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InstrumentView {
    pub instrument: String,
    #[serde(rename = "namePLang")]
    pub name_plang: String,
    #[serde(rename = "nameSLang")]
    pub name_slang: String,
    #[serde(rename = "instructionsPLang")]
    pub instructions_plang: String,
    #[serde(rename = "instructionsSLang")]
    pub instructions_slang: String,
    pub max_score: i64,
    pub questions_list: Vec<QuestionView>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Questionnaires {
    pub instruments_list: Vec<InstrumentView>,
}

fn view(i: &Instrument) -> InstrumentView {
    let d = &i.definition;
    InstrumentView {
        instrument: d.code.clone(),
        name_plang: d.name_plang.clone(),
        name_slang: d.name_slang.clone(),
        instructions_plang: d.instructions_plang.clone(),
        instructions_slang: d.instructions_slang.clone(),
        max_score: d.max_total(),
        questions_list: d
            .questions
            .iter()
            .enumerate()
            .map(|(qi, q)| QuestionView {
                question_id: i.question_id(qi + 1),
                question_text_plang: q.text_plang.clone(),
                question_text_slang: q.text_slang.clone(),
                question_type: match q.kind {
                    QuestionType::Choice => "choice".into(),
                    QuestionType::Text => "text".into(),
                },
                is_required: q.required,
                options_list: q
                    .options
                    .iter()
                    .enumerate()
                    .map(|(oi, o)| OptionView {
                        cat_screening_quetion_option_id: i.option_id(qi + 1, oi),
                        option_text_plang: o.text_plang.clone(),
                        option_text_slang: o.text_slang.clone(),
                        value: o.value,
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// Screening questions.
///
/// PHQ-9 and GAD-7 are built in, with their published items in English and Arabic; operators may
/// add instruments. Question and option ids are unique across instruments.
#[utoipa::path(
    get,
    path = "/user/getassessmentquestions",
    tag = "user",
    params(QuestionsQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The instruments with their questions and options", body = Envelope<Questionnaires>),
        QueryErrors,
        (status = 404, response = NotFound)
    )
)]
pub async fn assessment_questions(
    State(state): State<AppState>,
    _: Partner,
    ApiQuery(query): ApiQuery<QuestionsQuery>,
) -> ApiResult<Success<Questionnaires>> {
    let instruments = match query.instrument.as_deref().filter(|c| !c.trim().is_empty()) {
        Some(code) => vec![screening::by_code(&state, code).await?],
        None => screening::instruments(&state).await?,
    };
    Ok(Success(Questionnaires { instruments_list: instruments.iter().map(view).collect() }))
}
