//! The operator's provider format: the JSON shapes of providers and their availability, and
//! their parsing into domain models (every error names its field).

use super::AvailabilityInput;
use crate::services::error::{Refusal, ServiceResult};
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use tahoon_domain::anti_xss::check_free_text;
use tahoon_domain::catalogue::CatalogueKind;
use tahoon_domain::provider::{Bio, CareProvider, Certification, Education, Gender, Names, SessionRate};
use tahoon_domain::time_zone::parse_iana;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SessionRateInput {
    /// 15–240, a multiple of 5.
    #[schema(minimum = 15, maximum = 240, multiple_of = 5)]
    pub duration_minutes: i64,
    /// In major units (250.00), 0 to 10,000,000.
    #[schema(minimum = 0, maximum = 10_000_000)]
    pub price: f64,
    /// ISO 4217, such as `SAR`.
    #[schema(pattern = "^[A-Z]{3}$")]
    pub currency: String,
}

/// One provider as the operator writes it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ProviderInput {
    /// The operator's stable key: importing the same `externalId` again updates the provider.
    /// 1–100 characters of A–Z a–z 0–9 - _ .
    #[schema(pattern = "^[A-Za-z0-9._-]{1,100}$")]
    pub external_id: String,
    #[serde(rename = "firstNamePLang", default)]
    #[schema(value_type = crate::openapi::ProviderName)]
    pub first_name_plang: String,
    #[serde(rename = "lastNamePLang", default)]
    #[schema(value_type = crate::openapi::ProviderName)]
    pub last_name_plang: String,
    #[serde(rename = "firstNameSLang", default)]
    #[schema(value_type = crate::openapi::ProviderName)]
    pub first_name_slang: String,
    #[serde(rename = "lastNameSLang", default)]
    #[schema(value_type = crate::openapi::ProviderName)]
    pub last_name_slang: String,
    #[schema(value_type = crate::openapi::GenderType)]
    pub gender_type: i64,
    /// 0 to 70.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 70)]
    pub experience_years: i64,
    pub experience_level_id: Option<i64>,
    pub provider_level_id: Option<i64>,
    #[serde(default)]
    pub language_ids: Vec<i64>,
    #[serde(default)]
    pub specialty_ids: Vec<i64>,
    /// At least one; the first is the default session length.
    #[schema(min_items = 1)]
    pub session_rates: Vec<SessionRateInput>,
    #[serde(rename = "shortBioPLang", default)]
    #[schema(value_type = crate::openapi::ShortBio)]
    pub short_bio_plang: String,
    #[serde(rename = "shortBioSLang", default)]
    #[schema(value_type = crate::openapi::ShortBio)]
    pub short_bio_slang: String,
    #[serde(rename = "longBioPLang", default)]
    #[schema(value_type = crate::openapi::LongBio)]
    pub long_bio_plang: String,
    #[serde(rename = "longBioSLang", default)]
    #[schema(value_type = crate::openapi::LongBio)]
    pub long_bio_slang: String,
    #[serde(default)]
    #[schema(value_type = Vec<crate::openapi::EducationEntry>)]
    pub education: Vec<Education>,
    #[serde(default)]
    #[schema(value_type = Vec<crate::openapi::CertificationEntry>)]
    pub certifications: Vec<Certification>,
    /// An `http://` or `https://` URL of at most 500 characters of printable ASCII (percent-encode
    /// the rest), without `"`, `<`, `>`, `\`, `^`, `` ` ``, `{`, `|` or `}`.
    #[schema(pattern = "^https?://[!#-;=?-\\[\\]_a-z~]{0,492}$")]
    pub profile_image_url: Option<String>,
    /// 0 to 5.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 5)]
    pub rating: f64,
    #[serde(default)]
    #[schema(minimum = 0)]
    pub review_count: i64,
    /// IANA zone the availability is written in.
    #[schema(value_type = crate::openapi::TimeZoneName)]
    pub time_zone: String,
    #[serde(default = "yes")]
    pub active: bool,
    pub availability: AvailabilityInput,
}

fn yes() -> bool {
    true
}

/// The catalogue ids that exist, to check references.
pub struct KnownIds(HashSet<(CatalogueKind, i64)>);

impl KnownIds {
    pub async fn load(state: &AppState) -> ServiceResult<KnownIds> {
        Ok(KnownIds(state.store.catalogue().await?.into_iter().map(|i| (i.kind, i.id)).collect()))
    }
    pub fn from_set(ids: HashSet<(CatalogueKind, i64)>) -> KnownIds {
        KnownIds(ids)
    }
    fn check(&self, kind: CatalogueKind, id: i64, field: String) -> ServiceResult<()> {
        if self.0.contains(&(kind, id)) {
            Ok(())
        } else {
            Err(Refusal::validation(field, format!("{id} is not a known {kind}")).into())
        }
    }
}

fn text(field: String, value: &str, max: usize) -> ServiceResult<String> {
    if value.chars().count() > max {
        return Err(Refusal::validation(field, format!("must be at most {max} characters")).into());
    }
    check_free_text(value).map_err(|e| Refusal::validation(field, e.to_string()))?;
    Ok(value.trim().to_string())
}

/// A character RFC 3986 allows in a URI: printable ASCII except `"`, `<`, `>`, `\`, `^`, the
/// backtick, `{`, `|` and `}`. So no space or control character, nothing non-ASCII (percent-encode
/// it), and no `"` or `>` to end an HTML attribute or tag.
fn is_uri_character(c: char) -> bool {
    c.is_ascii_graphic() && !matches!(c, '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}')
}

impl ProviderInput {
    /// Validates everything; `at` prefixes field names (`providers[3].`).
    pub fn parse(&self, at: &str, known: &KnownIds) -> ServiceResult<CareProvider> {
        let f = |name: &str| format!("{at}{name}");
        let id = self.external_id.trim();
        if id.is_empty() || id.len() > 100 || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)) {
            return Err(Refusal::validation(f("externalId"), "must be 1 to 100 characters of A–Z a–z 0–9 - _ .").into());
        }
        let names = Names {
            first_plang: text(f("firstNamePLang"), &self.first_name_plang, 100)?,
            last_plang: text(f("lastNamePLang"), &self.last_name_plang, 100)?,
            first_slang: text(f("firstNameSLang"), &self.first_name_slang, 100)?,
            last_slang: text(f("lastNameSLang"), &self.last_name_slang, 100)?,
        };
        if names.full_name().is_empty() {
            return Err(Refusal::validation(f("firstNamePLang"), "a name in at least one language is required").into());
        }
        let gender = Gender::from_code(self.gender_type)
            .ok_or_else(|| Refusal::validation(f("genderType"), "must be 0 (female) or 1 (male)"))?;
        if !(0..=70).contains(&self.experience_years) {
            return Err(Refusal::validation(f("experienceYears"), "must be 0 to 70").into());
        }
        if let Some(level) = self.experience_level_id {
            known.check(CatalogueKind::ExperienceLevel, level, f("experienceLevelId"))?;
        }
        if let Some(level) = self.provider_level_id {
            known.check(CatalogueKind::ProviderLevel, level, f("providerLevelId"))?;
        }
        for (i, l) in self.language_ids.iter().enumerate() {
            known.check(CatalogueKind::Language, *l, f(&format!("languageIds[{i}]")))?;
        }
        for (i, s) in self.specialty_ids.iter().enumerate() {
            known.check(CatalogueKind::Specialty, *s, f(&format!("specialtyIds[{i}]")))?;
        }
        if self.session_rates.is_empty() {
            return Err(Refusal::validation(f("sessionRates"), "at least one session rate is required").into());
        }
        let mut rates = Vec::new();
        for (i, r) in self.session_rates.iter().enumerate() {
            let rf = |name: &str| f(&format!("sessionRates[{i}].{name}"));
            if !(15..=240).contains(&r.duration_minutes) || r.duration_minutes % 5 != 0 {
                return Err(Refusal::validation(rf("durationMinutes"), "must be 15 to 240, a multiple of 5").into());
            }
            if !r.price.is_finite() || !(0.0..=1e7).contains(&r.price) {
                return Err(Refusal::validation(rf("price"), "must be a number from 0").into());
            }
            if r.currency.len() != 3 || !r.currency.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(Refusal::validation(rf("currency"), "must be an ISO 4217 code such as SAR").into());
            }
            rates.push(SessionRate {
                duration_minutes: r.duration_minutes as u16,
                price_minor: (r.price * 100.0).round() as i64,
                currency: r.currency.clone(),
            });
        }
        let bio = Bio {
            short_plang: text(f("shortBioPLang"), &self.short_bio_plang, 500)?,
            short_slang: text(f("shortBioSLang"), &self.short_bio_slang, 500)?,
            long_plang: text(f("longBioPLang"), &self.long_bio_plang, 5000)?,
            long_slang: text(f("longBioSLang"), &self.long_bio_slang, 5000)?,
        };
        let mut education = Vec::new();
        for (i, e) in self.education.iter().enumerate() {
            education.push(Education {
                degree: text(f(&format!("education[{i}].degree")), &e.degree, 200)?,
                institution: text(f(&format!("education[{i}].institution")), &e.institution, 200)?,
                year: e.year,
            });
        }
        let mut certifications = Vec::new();
        for (i, c) in self.certifications.iter().enumerate() {
            certifications.push(Certification {
                name: text(f(&format!("certifications[{i}].name")), &c.name, 200)?,
                issuer: text(f(&format!("certifications[{i}].issuer")), &c.issuer, 200)?,
                year: c.year,
            });
        }
        if let Some(url) = &self.profile_image_url
            && (url.len() > 500
                || !(url.starts_with("https://") || url.starts_with("http://"))
                || !url.chars().all(is_uri_character))
        {
            return Err(Refusal::validation(
                f("profileImageUrl"),
                "must be an http(s) URL of at most 500 characters, non-ASCII characters percent-encoded",
            )
            .into());
        }
        if !self.rating.is_finite() || !(0.0..=5.0).contains(&self.rating) {
            return Err(Refusal::validation(f("rating"), "must be 0 to 5").into());
        }
        if self.review_count < 0 {
            return Err(Refusal::validation(f("reviewCount"), "must not be negative").into());
        }
        parse_iana(&self.time_zone).map_err(|e| Refusal::validation(f("timeZone"), e.to_string()))?;
        let (policy, weekly, exceptions) = self.availability.parse(&f("availability."))?;
        Ok(CareProvider {
            id: tahoon_domain::ids::Id::new(0), // not stored yet: the upsert assigns it (by external id)
            external_id: id.to_string(),
            names,
            gender,
            experience_years: self.experience_years as i32,
            experience_level_id: self.experience_level_id,
            provider_level_id: self.provider_level_id,
            language_ids: self.language_ids.clone(),
            specialty_ids: self.specialty_ids.clone(),
            rates,
            bio,
            education,
            certifications,
            profile_image_url: self.profile_image_url.clone(),
            rating: self.rating,
            review_count: self.review_count,
            time_zone: self.time_zone.trim().to_string(),
            active: self.active,
            policy,
            weekly,
            exceptions,
        })
    }

    pub fn from_provider(p: &CareProvider) -> ProviderInput {
        ProviderInput {
            external_id: p.external_id.clone(),
            first_name_plang: p.names.first_plang.clone(),
            last_name_plang: p.names.last_plang.clone(),
            first_name_slang: p.names.first_slang.clone(),
            last_name_slang: p.names.last_slang.clone(),
            gender_type: p.gender.code(),
            experience_years: i64::from(p.experience_years),
            experience_level_id: p.experience_level_id,
            provider_level_id: p.provider_level_id,
            language_ids: p.language_ids.clone(),
            specialty_ids: p.specialty_ids.clone(),
            session_rates: p
                .rates
                .iter()
                .map(|r| SessionRateInput {
                    duration_minutes: i64::from(r.duration_minutes),
                    price: r.price_minor as f64 / 100.0,
                    currency: r.currency.clone(),
                })
                .collect(),
            short_bio_plang: p.bio.short_plang.clone(),
            short_bio_slang: p.bio.short_slang.clone(),
            long_bio_plang: p.bio.long_plang.clone(),
            long_bio_slang: p.bio.long_slang.clone(),
            education: p.education.clone(),
            certifications: p.certifications.clone(),
            profile_image_url: p.profile_image_url.clone(),
            rating: p.rating,
            review_count: p.review_count,
            time_zone: p.time_zone.clone(),
            active: p.active,
            availability: AvailabilityInput::from_provider(p),
        }
    }
}
