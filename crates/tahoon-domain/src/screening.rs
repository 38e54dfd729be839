//! Screening instruments (PHQ-9, GAD-7 and operator-defined ones), answer validation and scoring.
//!
//! Ids: question `instrument_id * 1000 + position` (1-based), option `question_id * 10 + index`
//! (0-based), so every question and option id is unique across instruments and a submission's
//! instrument follows from its question ids.

use crate::anti_xss::check_free_text;
use serde::{Deserialize, Serialize};

pub const PHQ9_ID: i64 = 1;
pub const GAD7_ID: i64 = 2;
/// Operator-defined instruments get ids from here on.
pub const FIRST_CUSTOM_ID: i64 = 100;
pub const MAX_OPTIONS: usize = 10;
pub const MAX_QUESTIONS: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum QuestionType {
    Choice,
    Text,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OptionDefinition {
    #[serde(rename = "textPLang")]
    pub text_plang: String,
    #[serde(rename = "textSLang")]
    pub text_slang: String,
    pub value: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuestionDefinition {
    #[serde(rename = "textPLang")]
    pub text_plang: String,
    #[serde(rename = "textSLang")]
    pub text_slang: String,
    #[serde(rename = "type")]
    pub kind: QuestionType,
    #[serde(default = "yes")]
    pub required: bool,
    /// Counted in the total (choice questions only).
    #[serde(default = "yes")]
    pub scored: bool,
    #[serde(default)]
    pub options: Vec<OptionDefinition>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Band {
    pub min: i64,
    pub max: i64,
    /// `minimal`, `mild`, `moderate`, `moderately_severe`, `severe`, …
    pub code: String,
    #[serde(rename = "namePLang")]
    pub name_plang: String,
    #[serde(rename = "nameSLang")]
    pub name_slang: String,
}

/// Raises `flag` when the answer to question `question` (1-based position) is worth at least
/// `min_value`, whatever the total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RiskRule {
    pub question: usize,
    pub min_value: i64,
    pub flag: String,
}

/// An instrument as defined (by us for the built-ins, by the operator otherwise).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct InstrumentDefinition {
    pub code: String,
    #[serde(rename = "namePLang")]
    pub name_plang: String,
    #[serde(rename = "nameSLang")]
    pub name_slang: String,
    #[serde(rename = "instructionsPLang", default)]
    pub instructions_plang: String,
    #[serde(rename = "instructionsSLang", default)]
    pub instructions_slang: String,
    pub questions: Vec<QuestionDefinition>,
    pub bands: Vec<Band>,
    #[serde(default)]
    pub risk_rules: Vec<RiskRule>,
}

/// An instrument with its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instrument {
    pub id: i64,
    pub definition: InstrumentDefinition,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DefinitionError {
    #[error("{0}")]
    Invalid(String),
}

/// Where a definition error is, and what.
pub type FieldError = (String, String);

impl InstrumentDefinition {
    pub fn max_total(&self) -> i64 {
        self.questions
            .iter()
            .filter(|q| q.scored && q.kind == QuestionType::Choice)
            .map(|q| q.options.iter().map(|o| o.value).max().unwrap_or(0))
            .sum()
    }

    /// Every text of the definition that is shown to partners, with its field.
    fn free_texts(&self) -> impl Iterator<Item = (String, &str)> {
        let top = [
            ("namePLang", &self.name_plang),
            ("nameSLang", &self.name_slang),
            ("instructionsPLang", &self.instructions_plang),
            ("instructionsSLang", &self.instructions_slang),
        ]
        .into_iter()
        .map(|(field, text)| (field.to_string(), text.as_str()));
        let questions = self.questions.iter().enumerate().flat_map(|(i, q)| {
            let options = q.options.iter().enumerate().flat_map(move |(j, o)| {
                [
                    (format!("questions[{i}].options[{j}].textPLang"), o.text_plang.as_str()),
                    (format!("questions[{i}].options[{j}].textSLang"), o.text_slang.as_str()),
                ]
            });
            [
                (format!("questions[{i}].textPLang"), q.text_plang.as_str()),
                (format!("questions[{i}].textSLang"), q.text_slang.as_str()),
            ]
            .into_iter()
            .chain(options)
        });
        let bands = self.bands.iter().enumerate().flat_map(|(i, b)| {
            [
                (format!("bands[{i}].code"), b.code.as_str()),
                (format!("bands[{i}].namePLang"), b.name_plang.as_str()),
                (format!("bands[{i}].nameSLang"), b.name_slang.as_str()),
            ]
        });
        top.chain(questions).chain(bands)
    }

    /// Checks a definition; errors name the field (`questions[2].options`). Every text is free
    /// text (`anti_xss`).
    pub fn validate(&self) -> Result<(), FieldError> {
        let err = |f: &str, m: &str| Err((f.to_string(), m.to_string()));
        if self.code.len() < 2
            || self.code.len() > 20
            || !self.code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        {
            return err("code", "must be 2 to 20 characters of A–Z 0–9 - _");
        }
        for (field, text) in self.free_texts() {
            check_free_text(text).map_err(|e| (field, e.to_string()))?;
        }
        let texts = [("namePLang", &self.name_plang), ("nameSLang", &self.name_slang)];
        for (field, text) in texts {
            if text.trim().is_empty() || text.chars().count() > 200 {
                return err(field, "must be 1 to 200 characters");
            }
        }
        if self.questions.is_empty() || self.questions.len() > MAX_QUESTIONS {
            return err("questions", "must hold 1 to 100 questions");
        }
        for (i, q) in self.questions.iter().enumerate() {
            let f = |name: &str| format!("questions[{i}].{name}");
            if q.text_plang.trim().is_empty()
                || q.text_plang.chars().count() > 1000
                || q.text_slang.chars().count() > 1000
            {
                return Err((f("textPLang"), "must be 1 to 1000 characters".into()));
            }
            match q.kind {
                QuestionType::Choice => {
                    if q.options.len() < 2 || q.options.len() > MAX_OPTIONS {
                        return Err((f("options"), "a choice question needs 2 to 10 options".into()));
                    }
                    for (j, o) in q.options.iter().enumerate() {
                        if !(0..=100).contains(&o.value) {
                            return Err((format!("questions[{i}].options[{j}].value"), "must be 0 to 100".into()));
                        }
                        if o.text_plang.trim().is_empty() || o.text_plang.chars().count() > 200 {
                            return Err((
                                format!("questions[{i}].options[{j}].textPLang"),
                                "must be 1 to 200 characters".into(),
                            ));
                        }
                    }
                }
                QuestionType::Text => {
                    if !q.options.is_empty() {
                        return Err((f("options"), "a text question has no options".into()));
                    }
                }
            }
        }
        // Bands cover 0..=max_total, in order, without gaps or overlaps.
        let mut next = 0;
        for (i, b) in self.bands.iter().enumerate() {
            if b.min != next || b.max < b.min {
                return Err((
                    format!("bands[{i}].min"),
                    format!("bands must cover the scores from 0 in order; expected min {next}"),
                ));
            }
            if b.code.is_empty() || b.name_plang.trim().is_empty() {
                return Err((format!("bands[{i}].code"), "a band needs a code and a name".into()));
            }
            next = b.max + 1;
        }
        if next != self.max_total() + 1 {
            return Err((
                "bands".into(),
                format!("bands must end at the highest possible total, {}", self.max_total()),
            ));
        }
        for (i, r) in self.risk_rules.iter().enumerate() {
            let ok =
                r.question >= 1 && self.questions.get(r.question - 1).is_some_and(|q| q.kind == QuestionType::Choice);
            if !ok {
                return Err((
                    format!("riskRules[{i}].question"),
                    "must be the 1-based position of a choice question".into(),
                ));
            }
            if r.flag.is_empty() || r.flag.len() > 40 || !r.flag.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
                return Err((format!("riskRules[{i}].flag"), "must be 1 to 40 characters of a–z _".into()));
            }
        }
        Ok(())
    }
}

impl Instrument {
    pub fn question_id(&self, position: usize) -> i64 {
        self.id * 1000 + position as i64
    }
    pub fn option_id(&self, position: usize, index: usize) -> i64 {
        self.question_id(position) * 10 + index as i64
    }
    /// The instrument a question id belongs to.
    pub fn instrument_of(question_id: i64) -> i64 {
        question_id / 1000
    }
}

mod scoring;
mod standard;
pub use scoring::{Answer, AnswerError, Scored, ScoredAnswer, score};
pub use standard::{built_in, gad7, phq9};

#[cfg(test)]
mod tests;
