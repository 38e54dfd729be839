//! `POST /user/submituserassessmentquestions`.

use super::views::{AssessmentResult, SeverityBand};
use crate::envelope::{Envelope, Success};
use crate::error::{ApiError, ApiResult};
use crate::extract::signed::SignedUnlessReference;
use crate::openapi::{self, Idempotency, NotFound, SignedErrors, UserId};
use crate::services::{screening, users};
use crate::state::AppState;
use axum::extract::State;
use serde::Deserialize;
use tahoon_domain::anti_xss::FreeText;
use tahoon_domain::screening::Answer;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AnswerInput {
    pub question_id: i64,
    /// For choice questions.
    pub cat_screening_quetion_option_id: Option<i64>,
    /// For text questions; at most 2000 characters, no markup.
    #[schema(value_type = Option<openapi::AnswerText>)]
    pub answer_text: Option<FreeText>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SubmitRequest {
    #[schema(value_type = UserId)]
    pub user_id: String,
    /// The instrument's code (`PHQ-9`, `GAD-7`, …); inferred from the question ids when absent. An
    /// unknown code is 404 NotFound.
    #[schema(example = "PHQ-9")]
    pub instrument: Option<String>,
    /// Every required question exactly once.
    pub answers: Vec<AnswerInput>,
}

/// Submit a user's answers.
///
/// Signed with the `X-Tahoon-Signature` header, which covers the `answers` (the reference's
/// `secureHash` would not, so it is refused here). The reference did not sign this route: an
/// organization in compatibility mode may send its token alone (`docs/switching.md`). Validates that every required question is answered exactly once
/// and each option belongs to its question, then stores and scores the submission. A raised risk
/// flag writes an `assessment.risk_flagged` event.
#[utoipa::path(
    post,
    path = "/user/submituserassessmentquestions",
    tag = "user",
    request_body = SubmitRequest,
    security(("bearer" = [], "signature" = [])),
    extensions(("x-tahoon-signature" = json!({"forms": ["header"], "signs": "body"}))),
    params(Idempotency),
    responses(
        (status = 200, description = "The stored and scored submission", body = Envelope<AssessmentResult>,
            links(("assessments" = (operation_id = "list_assessments", parameters(("userId" = "$request.body#/userId")))))),
        SignedErrors,
        (status = 404, response = NotFound)
    )
)]
pub async fn submit_assessment(
    State(state): State<AppState>,
    request: SignedUnlessReference<SubmitRequest>,
) -> ApiResult<Success<AssessmentResult>> {
    let organization_id = request.auth.organization.id;
    let body = request.body;
    let user_id = users::owned_user(&state, organization_id, &body.user_id).await?;
    let mut answers = Vec::with_capacity(body.answers.len());
    for (i, a) in body.answers.into_iter().enumerate() {
        let text = a.answer_text.map(FreeText::into_inner);
        if text.as_ref().is_some_and(|t| t.chars().count() > 2000) {
            return Err(ApiError::validation(format!("answers[{i}].answerText"), "must be at most 2000 characters"));
        }
        answers.push(Answer { question_id: a.question_id, option_id: a.cat_screening_quetion_option_id, text });
    }
    let done = screening::submit(&state, organization_id, user_id, body.instrument.as_deref(), &answers).await?;
    Ok(Success(AssessmentResult {
        assessment_id: done.assessment_id,
        instrument: done.instrument.definition.code.clone(),
        total_score: done.scored.total,
        max_score: done.scored.max_total,
        severity_band: SeverityBand::from(&done.scored.band),
        risk_flags: done.scored.risk_flags,
        submitted_at: done.submitted_at.to_string(),
    }))
}
