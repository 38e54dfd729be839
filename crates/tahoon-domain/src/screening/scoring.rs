//! Scoring a submission: every answer checked against its instrument (known question, once, an
//! option of that question), then the total, its band and the risk flags.

use super::*;
use std::collections::HashMap;

/// One answer as submitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Answer {
    pub question_id: i64,
    pub option_id: Option<i64>,
    pub text: Option<String>,
}

/// An answer that passed validation, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScoredAnswer {
    pub question_id: i64,
    pub option_id: Option<i64>,
    pub value: Option<i64>,
    pub text: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Scored {
    pub total: i64,
    pub max_total: i64,
    pub band: Band,
    pub risk_flags: Vec<String>,
    pub answers: Vec<ScoredAnswer>,
}

/// Why a submission is refused; `index` is the position in `answers` when one is at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("question {question_id} is not part of this instrument")]
    UnknownQuestion { index: usize, question_id: i64 },
    #[error("question {question_id} is answered more than once")]
    Duplicate { index: usize, question_id: i64 },
    #[error("option {option_id} does not belong to question {question_id}")]
    ForeignOption { index: usize, question_id: i64, option_id: i64 },
    #[error("question {question_id} needs an option (catScreeningQuetionOptionId)")]
    NeedsOption { index: usize, question_id: i64 },
    #[error("question {question_id} needs a text answer (answerText)")]
    NeedsText { index: usize, question_id: i64 },
    #[error("required question {question_id} is not answered")]
    Missing { question_id: i64 },
}

impl AnswerError {
    pub fn index(&self) -> Option<usize> {
        match self {
            AnswerError::UnknownQuestion { index, .. }
            | AnswerError::Duplicate { index, .. }
            | AnswerError::ForeignOption { index, .. }
            | AnswerError::NeedsOption { index, .. }
            | AnswerError::NeedsText { index, .. } => Some(*index),
            AnswerError::Missing { .. } => None,
        }
    }
}

/// Validates a submission against an instrument and scores it.
pub fn score(instrument: &Instrument, answers: &[Answer]) -> Result<Scored, AnswerError> {
    let def = &instrument.definition;
    let mut seen: HashMap<i64, usize> = HashMap::new();
    let mut scored = Vec::with_capacity(answers.len());
    let mut values_by_position: HashMap<usize, i64> = HashMap::new();
    for (index, a) in answers.iter().enumerate() {
        // Checked: a client sends any i64 here, and none may overflow into another question.
        let position = a
            .question_id
            .checked_sub(instrument.id * 1000)
            .filter(|_| Instrument::instrument_of(a.question_id) == instrument.id)
            .and_then(|p| usize::try_from(p).ok())
            .filter(|p| *p >= 1);
        let (position, question) = position
            .and_then(|p| def.questions.get(p - 1).map(|q| (p, q)))
            .ok_or(AnswerError::UnknownQuestion { index, question_id: a.question_id })?;
        if seen.insert(a.question_id, index).is_some() {
            return Err(AnswerError::Duplicate { index, question_id: a.question_id });
        }
        match question.kind {
            QuestionType::Choice => {
                let option_id = a.option_id.ok_or(AnswerError::NeedsOption { index, question_id: a.question_id })?;
                let option = a
                    .question_id
                    .checked_mul(10)
                    .and_then(|base| option_id.checked_sub(base))
                    .and_then(|i| usize::try_from(i).ok())
                    .and_then(|i| question.options.get(i))
                    .ok_or(AnswerError::ForeignOption { index, question_id: a.question_id, option_id })?;
                values_by_position.insert(position, option.value);
                scored.push(ScoredAnswer {
                    question_id: a.question_id,
                    option_id: Some(option_id),
                    value: Some(option.value),
                    text: None,
                });
            }
            QuestionType::Text => {
                let text = a.text.clone().filter(|t| !t.trim().is_empty());
                if text.is_none() && question.required {
                    return Err(AnswerError::NeedsText { index, question_id: a.question_id });
                }
                scored.push(ScoredAnswer { question_id: a.question_id, option_id: None, value: None, text });
            }
        }
    }
    for (i, q) in def.questions.iter().enumerate() {
        let id = instrument.question_id(i + 1);
        if q.required && !seen.contains_key(&id) {
            return Err(AnswerError::Missing { question_id: id });
        }
    }
    let total: i64 = def
        .questions
        .iter()
        .enumerate()
        .filter(|(_, q)| q.scored && q.kind == QuestionType::Choice)
        .filter_map(|(i, _)| values_by_position.get(&(i + 1)))
        .sum();
    let band = def
        .bands
        .iter()
        .find(|b| b.min <= total && total <= b.max)
        .cloned()
        .expect("validated bands cover every total");
    let mut risk_flags: Vec<String> = def
        .risk_rules
        .iter()
        .filter(|r| values_by_position.get(&r.question).is_some_and(|v| *v >= r.min_value))
        .map(|r| r.flag.clone())
        .collect();
    risk_flags.dedup();
    Ok(Scored { total, max_total: def.max_total(), band, risk_flags, answers: scored })
}
