//! Care providers: names, gender, rates, and the search filter.

use crate::availability::{BookingPolicy, DatedException, Schedule, WeeklyRule};
use crate::ids::CareProviderId;
use serde::{Deserialize, Serialize};

/// `genderType`: 0 female, 1 male (the reference's values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Gender {
    Female,
    Male,
}

impl Gender {
    pub fn code(self) -> i64 {
        match self {
            Gender::Female => 0,
            Gender::Male => 1,
        }
    }
    pub fn from_code(code: i64) -> Option<Gender> {
        match code {
            0 => Some(Gender::Female),
            1 => Some(Gender::Male),
            _ => None,
        }
    }
}

/// First and last names in the primary (English) and secondary (Arabic) language.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Names {
    pub first_plang: String,
    pub last_plang: String,
    pub first_slang: String,
    pub last_slang: String,
}

fn join(first: &str, last: &str) -> String {
    [first.trim(), last.trim()].iter().filter(|p| !p.is_empty()).copied().collect::<Vec<_>>().join(" ")
}

impl Names {
    /// The reference's rule: the PLang full name, falling back to the SLang one when empty.
    pub fn full_name(&self) -> String {
        let plang = join(&self.first_plang, &self.last_plang);
        if plang.is_empty() { join(&self.first_slang, &self.last_slang) } else { plang }
    }

    /// The SLang full name, falling back to the PLang one when empty.
    pub fn full_name_slang(&self) -> String {
        let slang = join(&self.first_slang, &self.last_slang);
        if slang.is_empty() { join(&self.first_plang, &self.last_plang) } else { slang }
    }
}

/// The price of a session of one length, in minor units (halalas, cents).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRate {
    pub duration_minutes: u16,
    pub price_minor: i64,
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Education {
    pub degree: String,
    pub institution: String,
    pub year: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Certification {
    pub name: String,
    pub issuer: String,
    pub year: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Bio {
    pub short_plang: String,
    pub short_slang: String,
    pub long_plang: String,
    pub long_slang: String,
}

/// A care provider with everything the API shows and the slot computation needs.
#[derive(Debug, Clone, PartialEq)]
pub struct CareProvider {
    pub id: CareProviderId,
    /// The operator's key for imports (idempotent upserts).
    pub external_id: String,
    pub names: Names,
    pub gender: Gender,
    pub experience_years: i32,
    pub experience_level_id: Option<i64>,
    pub provider_level_id: Option<i64>,
    pub language_ids: Vec<i64>,
    pub specialty_ids: Vec<i64>,
    /// The first rate is the provider's default session length (`slotDurationType`).
    pub rates: Vec<SessionRate>,
    pub bio: Bio,
    pub education: Vec<Education>,
    pub certifications: Vec<Certification>,
    pub profile_image_url: Option<String>,
    pub rating: f64,
    pub review_count: i64,
    /// IANA name of the zone the provider's availability is written in.
    pub time_zone: String,
    pub active: bool,
    pub policy: BookingPolicy,
    pub weekly: Vec<WeeklyRule>,
    pub exceptions: Vec<DatedException>,
}

impl CareProvider {
    pub fn primary_rate(&self) -> Option<&SessionRate> {
        self.rates.first()
    }

    /// The provider's availability in `zone` (its own, `time_zone`) with slots of its default
    /// session length, as search and booking both compute slots from it; `None` without a rate.
    pub fn schedule<'a>(&'a self, zone: &'a jiff::tz::TimeZone) -> Option<Schedule<'a>> {
        Some(Schedule {
            zone,
            weekly: &self.weekly,
            exceptions: &self.exceptions,
            policy: self.policy,
            slot_minutes: self.primary_rate()?.duration_minutes,
        })
    }
}

/// The search filter of `getcareproviderslistwithschedule` (`filterCriteriaObject`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProviderFilter {
    pub gender: Option<Gender>,
    /// The provider speaks at least one of these.
    pub language_ids: Vec<i64>,
    /// The provider treats at least one of these.
    pub specialty_ids: Vec<i64>,
    pub experience_level_id: Option<i64>,
    pub provider_level_id: Option<i64>,
    /// Bounds on the default session's price, in minor units, inclusive.
    pub min_price_minor: Option<i64>,
    pub max_price_minor: Option<i64>,
}

impl ProviderFilter {
    pub fn matches(&self, p: &CareProvider) -> bool {
        let any_of = |wanted: &[i64], has: &[i64]| wanted.is_empty() || wanted.iter().any(|w| has.contains(w));
        let price = p.primary_rate().map(|r| r.price_minor);
        p.active
            && self.gender.is_none_or(|g| g == p.gender)
            && any_of(&self.language_ids, &p.language_ids)
            && any_of(&self.specialty_ids, &p.specialty_ids)
            && self.experience_level_id.is_none_or(|l| p.experience_level_id == Some(l))
            && self.provider_level_id.is_none_or(|l| p.provider_level_id == Some(l))
            && self.min_price_minor.is_none_or(|min| price.is_some_and(|p| p >= min))
            && self.max_price_minor.is_none_or(|max| price.is_some_and(|p| p <= max))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_name_falls_back_to_slang() {
        let mut n = Names {
            first_plang: "Sarah".into(),
            last_plang: "Ahmed".into(),
            first_slang: "سارة".into(),
            last_slang: "أحمد".into(),
        };
        assert_eq!(n.full_name(), "Sarah Ahmed");
        assert_eq!(n.full_name_slang(), "سارة أحمد");
        n.first_plang.clear();
        assert_eq!(n.full_name(), "Ahmed");
        n.last_plang = "  ".into();
        assert_eq!(n.full_name(), "سارة أحمد");
    }
}
