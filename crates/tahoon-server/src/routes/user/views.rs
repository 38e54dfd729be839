//! Wire shapes of assessment results, and the `{userId}` path parameter.

use crate::openapi::{AssessmentId, UserId};
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use tahoon_domain::screening::{Band, Instrument, built_in};
use tahoon_store::AssessmentRecord;
use utoipa::{IntoParams, ToSchema};

/// The `{userId}` path parameter.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
#[serde(rename_all = "camelCase")]
pub struct UserPath {
    #[param(value_type = UserId)]
    pub user_id: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SeverityBand {
    /// `minimal`, `mild`, `moderate`, `moderately_severe`, `severe`, …
    pub code: String,
    #[serde(rename = "namePLang")]
    pub name_plang: String,
    #[serde(rename = "nameSLang")]
    pub name_slang: String,
}

impl From<&Band> for SeverityBand {
    fn from(b: &Band) -> Self {
        SeverityBand { code: b.code.clone(), name_plang: b.name_plang.clone(), name_slang: b.name_slang.clone() }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssessmentResult {
    #[schema(value_type = AssessmentId)]
    pub assessment_id: String,
    /// Instrument code, such as `PHQ-9`.
    pub instrument: String,
    pub total_score: i64,
    pub max_score: i64,
    pub severity_band: SeverityBand,
    /// Raised flags, such as `self_harm` (PHQ-9 item 9 above 0, whatever the total).
    pub risk_flags: Vec<String>,
    #[schema(format = DateTime)]
    pub submitted_at: String,
}

/// A stored assessment as a result, naming its band from its instrument.
pub fn result(state: &AppState, record: &AssessmentRecord, instruments: &[Instrument]) -> AssessmentResult {
    let band = instruments
        .iter()
        .chain(built_in().iter())
        .find(|i| i.id == record.instrument_id)
        .and_then(|i| i.definition.bands.iter().find(|b| b.code == record.band_code))
        .map(SeverityBand::from)
        .unwrap_or(SeverityBand {
            code: record.band_code.clone(),
            name_plang: String::new(),
            name_slang: String::new(),
        });
    AssessmentResult {
        assessment_id: state.ids.encode(record.id),
        instrument: record.instrument_code.clone(),
        total_score: record.total,
        max_score: record.max_total,
        severity_band: band,
        risk_flags: record.risk_flags.clone(),
        submitted_at: record.created_at.to_string(),
    }
}
