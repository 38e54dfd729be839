//! Filter catalogues: languages, specialties, experience levels, provider levels.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CatalogueKind {
    Language,
    Specialty,
    ExperienceLevel,
    ProviderLevel,
}

impl CatalogueKind {
    pub const ALL: [CatalogueKind; 4] = [
        CatalogueKind::Language,
        CatalogueKind::Specialty,
        CatalogueKind::ExperienceLevel,
        CatalogueKind::ProviderLevel,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CatalogueKind::Language => "language",
            CatalogueKind::Specialty => "specialty",
            CatalogueKind::ExperienceLevel => "experienceLevel",
            CatalogueKind::ProviderLevel => "providerLevel",
        }
    }
}

impl fmt::Display for CatalogueKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CatalogueKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        CatalogueKind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| "expected language, specialty, experienceLevel or providerLevel".to_string())
    }
}

/// One catalogue entry, named in English (PLang) and Arabic (SLang).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueItem {
    pub kind: CatalogueKind,
    pub id: i64,
    pub name_plang: String,
    pub name_slang: String,
}
