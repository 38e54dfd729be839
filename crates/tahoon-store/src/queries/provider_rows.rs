//! A provider's rows as selected (the provider and its child tables), and their assembly into
//! `CareProvider`s.

use crate::backend::common::{corrupt, json};
use crate::error::StoreError;
use std::collections::HashMap;
use tahoon_domain::availability::{
    BookingPolicy, DatedException, ExceptionKind, LocalWindow, WeeklyRule, weekday_from_number,
};
use tahoon_domain::ids::Id;
use tahoon_domain::provider::{Bio, CareProvider, Gender, Names, SessionRate};

/// The provider columns, in `ProviderRow` order.
pub(super) const COLUMNS: &str = "id, external_id, first_name_plang, last_name_plang, first_name_slang, \
     last_name_slang, gender, experience_years, experience_level_id, provider_level_id, bio_short_plang, \
     bio_short_slang, bio_long_plang, bio_long_slang, education, certifications, profile_image_url, rating, \
     review_count, time_zone, active, min_notice_minutes, horizon_days, buffer_minutes";

#[derive(sqlx::FromRow)]
pub(super) struct ProviderRow {
    id: i64,
    external_id: String,
    first_name_plang: String,
    last_name_plang: String,
    first_name_slang: String,
    last_name_slang: String,
    gender: i64,
    experience_years: i64,
    experience_level_id: Option<i64>,
    provider_level_id: Option<i64>,
    bio_short_plang: String,
    bio_short_slang: String,
    bio_long_plang: String,
    bio_long_slang: String,
    education: String,
    certifications: String,
    profile_image_url: Option<String>,
    rating: f64,
    review_count: i64,
    time_zone: String,
    active: bool,
    min_notice_minutes: i64,
    horizon_days: i64,
    buffer_minutes: i64,
}

/// A provider's language or specialty.
#[derive(sqlx::FromRow)]
pub(super) struct PairRow {
    provider_id: i64,
    value: i64,
}

#[derive(sqlx::FromRow)]
pub(super) struct RateRow {
    provider_id: i64,
    duration_minutes: i64,
    price_minor: i64,
    currency: String,
}

#[derive(sqlx::FromRow)]
pub(super) struct RuleRow {
    provider_id: i64,
    weekday: i64,
    start_minute: i64,
    end_minute: i64,
}

#[derive(sqlx::FromRow)]
pub(super) struct ExceptionRow {
    provider_id: i64,
    local_date: String,
    kind: String,
    start_minute: i64,
    end_minute: i64,
}

/// How an exception's kind is stored.
pub(super) fn exception_kind(kind: ExceptionKind) -> &'static str {
    match kind {
        ExceptionKind::TimeOff => "timeOff",
        ExceptionKind::ExtraHours => "extraHours",
    }
}

fn parse_exception_kind(text: &str) -> Result<ExceptionKind, StoreError> {
    match text {
        "timeOff" => Ok(ExceptionKind::TimeOff),
        "extraHours" => Ok(ExceptionKind::ExtraHours),
        other => Err(corrupt("exception kind", other)),
    }
}

fn window(start: i64, end: i64) -> Result<LocalWindow, StoreError> {
    let minutes = |m: i64| u16::try_from(m).map_err(|_| corrupt("minute", &m.to_string()));
    LocalWindow::new(minutes(start)?, minutes(end)?).map_err(|_| corrupt("window", &format!("{start}-{end}")))
}

/// Everything read for a set of providers, assembled into domain models.
pub(super) struct ProviderRows {
    pub providers: Vec<ProviderRow>,
    pub languages: Vec<PairRow>,
    pub specialties: Vec<PairRow>,
    pub rates: Vec<RateRow>,
    pub rules: Vec<RuleRow>,
    pub exceptions: Vec<ExceptionRow>,
}

impl ProviderRows {
    /// The providers in the order read, each with its children.
    pub fn assemble(self) -> Result<Vec<CareProvider>, StoreError> {
        let mut by_id: HashMap<i64, CareProvider> = HashMap::with_capacity(self.providers.len());
        let mut order = Vec::with_capacity(self.providers.len());
        for r in self.providers {
            order.push(r.id);
            by_id.insert(r.id, r.provider()?);
        }
        for l in self.languages {
            if let Some(p) = by_id.get_mut(&l.provider_id) {
                p.language_ids.push(l.value);
            }
        }
        for s in self.specialties {
            if let Some(p) = by_id.get_mut(&s.provider_id) {
                p.specialty_ids.push(s.value);
            }
        }
        for r in self.rates {
            if let Some(p) = by_id.get_mut(&r.provider_id) {
                p.rates.push(SessionRate {
                    duration_minutes: u16::try_from(r.duration_minutes)
                        .map_err(|_| corrupt("duration", &r.duration_minutes.to_string()))?,
                    price_minor: r.price_minor,
                    currency: r.currency,
                });
            }
        }
        for r in self.rules {
            if let Some(p) = by_id.get_mut(&r.provider_id) {
                p.weekly.push(WeeklyRule {
                    weekday: weekday_from_number(r.weekday).map_err(|_| corrupt("weekday", &r.weekday.to_string()))?,
                    window: window(r.start_minute, r.end_minute)?,
                });
            }
        }
        for e in self.exceptions {
            if let Some(p) = by_id.get_mut(&e.provider_id) {
                p.exceptions.push(DatedException {
                    date: e.local_date.parse().map_err(|_| corrupt("date", &e.local_date))?,
                    kind: parse_exception_kind(&e.kind)?,
                    window: window(e.start_minute, e.end_minute)?,
                });
            }
        }
        Ok(order.into_iter().filter_map(|id| by_id.remove(&id)).collect())
    }
}

impl ProviderRow {
    /// The provider without its children (languages, specialties, rates, availability).
    fn provider(self) -> Result<CareProvider, StoreError> {
        let r = self;
        let small = |v: i64| u32::try_from(v).map_err(|_| corrupt("policy value", &v.to_string()));
        Ok(CareProvider {
            id: Id::new(r.id),
            external_id: r.external_id,
            names: Names {
                first_plang: r.first_name_plang,
                last_plang: r.last_name_plang,
                first_slang: r.first_name_slang,
                last_slang: r.last_name_slang,
            },
            gender: Gender::from_code(r.gender).ok_or_else(|| corrupt("gender", &r.gender.to_string()))?,
            experience_years: i32::try_from(r.experience_years)
                .map_err(|_| corrupt("experience years", &r.experience_years.to_string()))?,
            experience_level_id: r.experience_level_id,
            provider_level_id: r.provider_level_id,
            language_ids: Vec::new(),
            specialty_ids: Vec::new(),
            rates: Vec::new(),
            bio: Bio {
                short_plang: r.bio_short_plang,
                short_slang: r.bio_short_slang,
                long_plang: r.bio_long_plang,
                long_slang: r.bio_long_slang,
            },
            education: json("education", &r.education)?,
            certifications: json("certifications", &r.certifications)?,
            profile_image_url: r.profile_image_url,
            rating: r.rating,
            review_count: r.review_count,
            time_zone: r.time_zone,
            active: r.active,
            policy: BookingPolicy {
                min_notice_minutes: small(r.min_notice_minutes)?,
                horizon_days: small(r.horizon_days)?,
                buffer_minutes: small(r.buffer_minutes)?,
            },
            weekly: Vec::new(),
            exceptions: Vec::new(),
        })
    }
}
