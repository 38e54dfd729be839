//! The operator's provider format (import, export, availability), its validation, and import.
//!
//! One JSON shape serves `tahoon provider import`, `POST /api/v1/admin/careproviders/import` and
//! `GET /api/v1/admin/careproviders/{id}` (which answers in the same shape, so an export can be
//! edited and imported again).

use crate::services::audit::AuditEvent;
use crate::services::error::{Refusal, ServiceResult};
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashSet;
use tahoon_domain::anti_xss::check_free_text;
use tahoon_domain::availability::{
    BookingPolicy, DatedException, ExceptionKind, LocalWindow, WeeklyRule, format_clock, parse_clock,
    weekday_from_number,
};
use tahoon_domain::catalogue::CatalogueKind;
use tahoon_domain::provider::{Bio, CareProvider, Certification, Education, Gender, Names, SessionRate};
use tahoon_domain::reason::Reason;
use tahoon_domain::time_zone::parse_iana;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WeeklyWindowInput {
    /// 1 (Monday) to 7 (Sunday).
    pub weekday: i64,
    /// Provider-local `HH:MM`.
    pub start_time: String,
    /// Provider-local `HH:MM`; `24:00` for midnight.
    pub end_time: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExceptionInput {
    /// Provider-local date, `YYYY-MM-DD`.
    pub date: String,
    /// `timeOff` or `extraHours`.
    #[schema(value_type = String, example = "timeOff")]
    pub kind: ExceptionKind,
    /// Omit both times for a whole day off.
    pub start_time: Option<String>,
    pub end_time: Option<String>,
}

/// A provider's availability, in the provider's own time zone.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AvailabilityInput {
    /// A slot must start at least this many minutes from now (0–10080).
    pub minimum_notice_minutes: u32,
    /// Slots are offered this many days ahead (1–365).
    pub booking_horizon_days: u32,
    /// Kept free before and after every booked session (0–240).
    pub buffer_minutes: u32,
    pub weekly_availability: Vec<WeeklyWindowInput>,
    #[serde(default)]
    pub exceptions: Vec<ExceptionInput>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SessionRateInput {
    /// 15–240, a multiple of 5.
    pub duration_minutes: i64,
    /// In major units (250.00).
    pub price: f64,
    /// ISO 4217, such as `SAR`.
    pub currency: String,
}

/// One provider as the operator writes it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ProviderInput {
    /// The operator's stable key: importing the same `externalId` again updates the provider.
    pub external_id: String,
    #[serde(rename = "firstNamePLang", default)]
    pub first_name_plang: String,
    #[serde(rename = "lastNamePLang", default)]
    pub last_name_plang: String,
    #[serde(rename = "firstNameSLang", default)]
    pub first_name_slang: String,
    #[serde(rename = "lastNameSLang", default)]
    pub last_name_slang: String,
    /// 0 female, 1 male.
    pub gender_type: i64,
    #[serde(default)]
    pub experience_years: i64,
    pub experience_level_id: Option<i64>,
    pub provider_level_id: Option<i64>,
    #[serde(default)]
    pub language_ids: Vec<i64>,
    #[serde(default)]
    pub specialty_ids: Vec<i64>,
    /// At least one; the first is the default session length.
    pub session_rates: Vec<SessionRateInput>,
    #[serde(rename = "shortBioPLang", default)]
    pub short_bio_plang: String,
    #[serde(rename = "shortBioSLang", default)]
    pub short_bio_slang: String,
    #[serde(rename = "longBioPLang", default)]
    pub long_bio_plang: String,
    #[serde(rename = "longBioSLang", default)]
    pub long_bio_slang: String,
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub education: Vec<Education>,
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub certifications: Vec<Certification>,
    pub profile_image_url: Option<String>,
    #[serde(default)]
    pub rating: f64,
    #[serde(default)]
    pub review_count: i64,
    /// IANA zone the availability is written in.
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

fn clock(field: String, value: &str) -> Result<u16, Refusal> {
    parse_clock(value).map_err(|e| Refusal::validation(field, e.to_string()))
}

impl AvailabilityInput {
    pub fn parse(&self, at: &str) -> ServiceResult<(BookingPolicy, Vec<WeeklyRule>, Vec<DatedException>)> {
        if self.minimum_notice_minutes > 10_080 {
            return Err(Refusal::validation(format!("{at}minimumNoticeMinutes"), "must be 0 to 10080").into());
        }
        if !(1..=365).contains(&self.booking_horizon_days) {
            return Err(Refusal::validation(format!("{at}bookingHorizonDays"), "must be 1 to 365").into());
        }
        if self.buffer_minutes > 240 {
            return Err(Refusal::validation(format!("{at}bufferMinutes"), "must be 0 to 240").into());
        }
        let mut weekly = Vec::new();
        for (i, w) in self.weekly_availability.iter().enumerate() {
            let field = |name: &str| format!("{at}weeklyAvailability[{i}].{name}");
            let weekday =
                weekday_from_number(w.weekday).map_err(|e| Refusal::validation(field("weekday"), e.to_string()))?;
            let window =
                LocalWindow::new(clock(field("startTime"), &w.start_time)?, clock(field("endTime"), &w.end_time)?)
                    .map_err(|e| Refusal::validation(field("endTime"), e.to_string()))?;
            weekly.push(WeeklyRule { weekday, window });
        }
        let mut exceptions = Vec::new();
        for (i, e) in self.exceptions.iter().enumerate() {
            let field = |name: &str| format!("{at}exceptions[{i}].{name}");
            let date = e
                .date
                .parse::<jiff::civil::Date>()
                .ok()
                .filter(|_| e.date.len() == 10)
                .ok_or_else(|| Refusal::validation(field("date"), "must be a date written YYYY-MM-DD"))?;
            let window = match (&e.start_time, &e.end_time, e.kind) {
                (None, None, ExceptionKind::TimeOff) => LocalWindow::whole_day(),
                (Some(start), Some(end), _) => {
                    LocalWindow::new(clock(field("startTime"), start)?, clock(field("endTime"), end)?)
                        .map_err(|err| Refusal::validation(field("endTime"), err.to_string()))?
                }
                _ => {
                    return Err(Refusal::validation(
                        field("startTime"),
                        "give both startTime and endTime (extra hours need them)",
                    )
                    .into());
                }
            };
            exceptions.push(DatedException { date, kind: e.kind, window });
        }
        let policy = BookingPolicy {
            min_notice_minutes: self.minimum_notice_minutes,
            horizon_days: self.booking_horizon_days,
            buffer_minutes: self.buffer_minutes,
        };
        Ok((policy, weekly, exceptions))
    }

    pub fn from_provider(p: &CareProvider) -> AvailabilityInput {
        AvailabilityInput {
            minimum_notice_minutes: p.policy.min_notice_minutes,
            booking_horizon_days: p.policy.horizon_days,
            buffer_minutes: p.policy.buffer_minutes,
            weekly_availability: p
                .weekly
                .iter()
                .map(|r| WeeklyWindowInput {
                    weekday: i64::from(r.weekday.to_monday_one_offset()),
                    start_time: format_clock(r.window.start()),
                    end_time: format_clock(r.window.end()),
                })
                .collect(),
            exceptions: p
                .exceptions
                .iter()
                .map(|e| {
                    let whole = e.window == LocalWindow::whole_day() && e.kind == ExceptionKind::TimeOff;
                    ExceptionInput {
                        date: e.date.to_string(),
                        kind: e.kind,
                        start_time: (!whole).then(|| format_clock(e.window.start())),
                        end_time: (!whole).then(|| format_clock(e.window.end())),
                    }
                })
                .collect(),
        }
    }
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
            id: 0,
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

/// What an import did.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    pub created: i64,
    pub updated: i64,
    /// In input order.
    pub care_provider_ids: Vec<String>,
}

/// Validates every provider first (nothing is written if one is invalid), then upserts each;
/// `progress` is called after each one. Importing the same file twice changes nothing.
pub async fn import(
    state: &AppState,
    inputs: &[ProviderInput],
    actor: &str,
    progress: impl Fn(usize),
) -> ServiceResult<ImportReport> {
    let known = KnownIds::load(state).await?;
    let mut seen = HashSet::new();
    let mut parsed = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.iter().enumerate() {
        let provider = input.parse(&format!("providers[{i}]."), &known)?;
        if !seen.insert(provider.external_id.clone()) {
            return Err(
                Refusal::validation(format!("providers[{i}].externalId"), "appears twice in this import").into()
            );
        }
        parsed.push(provider);
    }
    let now = state.clock.now_us();
    let mut report = ImportReport { created: 0, updated: 0, care_provider_ids: Vec::with_capacity(parsed.len()) };
    for (i, provider) in parsed.iter().enumerate() {
        let (id, created) = state.store.upsert_care_provider(provider, now).await?;
        if created {
            report.created += 1;
        } else {
            report.updated += 1;
        }
        report.care_provider_ids.push(
            state
                .ids
                .encode(tahoon_domain::public_id::PublicId::<tahoon_domain::public_id::kind::CareProvider>::new(id)),
        );
        progress(i + 1);
    }
    state
        .audit
        .record(
            AuditEvent::success("careprovider.imported", None, actor)
                .details(json!({ "created": report.created, "updated": report.updated })),
        )
        .await?;
    Ok(report)
}

/// One provider, active or not (operator).
pub async fn provider(state: &AppState, provider_id: i64) -> ServiceResult<CareProvider> {
    let found = state.store.care_provider(provider_id).await?;
    Ok(found.ok_or_else(|| Refusal::new(Reason::NotFound).with_detail("no such care provider"))?)
}

/// Replaces a provider's availability (operator), audited; answers the provider as stored.
pub async fn set_availability(
    state: &AppState,
    provider_id: i64,
    policy: BookingPolicy,
    weekly: &[WeeklyRule],
    exceptions: &[DatedException],
    actor: &str,
) -> ServiceResult<CareProvider> {
    let now = state.clock.now_us();
    if !state.store.set_provider_availability(provider_id, policy, weekly, exceptions, now).await? {
        return Err(Refusal::new(Reason::NotFound).with_detail("no such care provider").into());
    }
    state
        .audit
        .record(
            crate::services::audit::AuditEvent::success("careprovider.availability_set", None, actor)
                .details(serde_json::json!({ "careProvider": provider_id })),
        )
        .await?;
    provider(state, provider_id).await
}
