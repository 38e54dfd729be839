//! Wire shapes shared by the care-provider routes (the reference's field names), and parsing of
//! the caller's day.

use crate::error::{ApiError, ApiResult};
use crate::openapi::{CareProviderId, Date, GenderType, SlotId};
use crate::services::directory::{CallerDay, CatalogueIndex, ProviderDay, Viewer};
use crate::services::users::owned_user;
use crate::state::AppState;
use jiff::tz::TimeZone;
use serde::Serialize;
use tahoon_domain::availability::Interval;
use tahoon_domain::catalogue::{CatalogueItem, CatalogueKind};
use tahoon_domain::ids::{self, OrganizationId};
use tahoon_domain::organization::{Organization, ZoneSetting};
use tahoon_domain::provider::{CareProvider, SessionRate};
use tahoon_domain::public_id::{SlotKey, kind};
use tahoon_domain::time_zone::{from_offset_hours, parse_iana};
use utoipa::ToSchema;

/// `{id, namePLang, nameSLang}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CatalogueEntry {
    pub id: i64,
    #[serde(rename = "namePLang")]
    pub name_plang: String,
    #[serde(rename = "nameSLang")]
    pub name_slang: String,
}

impl From<&CatalogueItem> for CatalogueEntry {
    fn from(i: &CatalogueItem) -> Self {
        CatalogueEntry { id: i.id, name_plang: i.name_plang.clone(), name_slang: i.name_slang.clone() }
    }
}

/// A bookable slot, in the caller's time zone and in UTC.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SlotView {
    /// Caller-local date, `YYYY-MM-DD`.
    #[schema(value_type = Date)]
    pub slot_date: String,
    /// Caller-local start, `HH:MM:SS`.
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$")]
    pub slot_start_time: String,
    /// Caller-local end, `HH:MM:SS` (may be on the next date).
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$")]
    pub slot_end_time: String,
    #[schema(format = DateTime)]
    pub start_utc: String,
    #[schema(format = DateTime)]
    pub end_utc: String,
    pub duration_minutes: i64,
    /// Opaque id of this slot, accepted by booking.
    #[schema(value_type = SlotId)]
    pub application_multi_slot_id: String,
}

/// An hour of the caller's day with at least one slot starting in it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleHour {
    pub slot_date: String,
    pub hour_start_time: String,
    pub hour_end_time: String,
    pub available_slots_count: i64,
}

/// A session length and its price.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SlotDurationType {
    pub duration_minutes: i64,
    /// In major units (e.g. 250.00 SAR).
    pub price: f64,
    /// ISO 4217 code.
    pub currency: String,
}

impl From<&SessionRate> for SlotDurationType {
    fn from(r: &SessionRate) -> Self {
        SlotDurationType {
            duration_minutes: i64::from(r.duration_minutes),
            price: r.price_minor as f64 / 100.0,
            currency: r.currency.clone(),
        }
    }
}

fn hms(time: jiff::civil::Time) -> String {
    time.strftime("%H:%M:%S").to_string()
}

pub fn slot_views(
    state: &AppState,
    provider_id: ids::CareProviderId,
    slots: &[Interval],
    zone: &TimeZone,
) -> Vec<SlotView> {
    slots
        .iter()
        .map(|s| {
            let start = zone.to_datetime(s.start);
            let end = zone.to_datetime(s.end);
            let minutes = s.end.duration_since(s.start).as_secs() / 60;
            SlotView {
                slot_date: start.date().to_string(),
                slot_start_time: hms(start.time()),
                slot_end_time: hms(end.time()),
                start_utc: s.start.to_string(),
                end_utc: s.end.to_string(),
                duration_minutes: minutes,
                application_multi_slot_id: state.ids.encode_slot(SlotKey {
                    provider_id,
                    start_unix_seconds: s.start.as_second(),
                    duration_minutes: u16::try_from(minutes).unwrap_or(u16::MAX),
                }),
            }
        })
        .collect()
}

/// Hours of the caller's day that have slots, derived from the slots.
pub fn schedule_hours(slots: &[Interval], zone: &TimeZone) -> Vec<ScheduleHour> {
    let mut hours: Vec<ScheduleHour> = Vec::new();
    for s in slots {
        let start = zone.to_datetime(s.start);
        let hour = start.time().hour();
        let date = start.date().to_string();
        let hour_start = format!("{hour:02}:00:00");
        match hours.last_mut() {
            Some(last) if last.slot_date == date && last.hour_start_time == hour_start => {
                last.available_slots_count += 1
            }
            _ => hours.push(ScheduleHour {
                slot_date: date,
                hour_start_time: hour_start,
                hour_end_time: if hour == 23 { "24:00:00".into() } else { format!("{:02}:00:00", hour + 1) },
                available_slots_count: 1,
            }),
        }
    }
    hours
}

/// A provider as listed in search results.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProviderListing {
    /// The provider's id (the reference's name for it).
    #[schema(value_type = CareProviderId)]
    pub user_login_info_id: String,
    /// The same id, under a clearer name.
    #[schema(value_type = CareProviderId)]
    pub care_provider_id: String,
    pub full_name: String,
    pub full_name_s_lang: String,
    #[schema(value_type = GenderType)]
    pub gender_type: i64,
    pub languages_list: Vec<CatalogueEntry>,
    pub specialties_list: Vec<CatalogueEntry>,
    pub experience_years: i64,
    pub experience_level: Option<CatalogueEntry>,
    pub service_provider_level: Option<CatalogueEntry>,
    pub profile_image_url: Option<String>,
    pub rating: f64,
    pub review_count: i64,
    /// The provider's own IANA time zone.
    pub time_zone: String,
    pub available_schedule_hours_list: Vec<ScheduleHour>,
    pub available_slots_list: Vec<SlotView>,
    pub slot_duration_type: Option<SlotDurationType>,
}

pub fn named(index: &CatalogueIndex, kind: CatalogueKind, ids: &[i64]) -> Vec<CatalogueEntry> {
    ids.iter().filter_map(|id| index.by_kind.get(&(kind, *id))).map(CatalogueEntry::from).collect()
}

pub fn provider_id_text(state: &AppState, p: &CareProvider) -> String {
    state.ids.encode(p.id)
}

pub fn listing(state: &AppState, index: &CatalogueIndex, day: &ProviderDay, zone: &TimeZone) -> ProviderListing {
    let p = &day.provider;
    let id = provider_id_text(state, p);
    let one = |kind, id: Option<i64>| id.and_then(|id| index.by_kind.get(&(kind, id))).map(CatalogueEntry::from);
    ProviderListing {
        user_login_info_id: id.clone(),
        care_provider_id: id,
        full_name: p.names.full_name(),
        full_name_s_lang: p.names.full_name_slang(),
        gender_type: p.gender.code(),
        languages_list: named(index, CatalogueKind::Language, &p.language_ids),
        specialties_list: named(index, CatalogueKind::Specialty, &p.specialty_ids),
        experience_years: i64::from(p.experience_years),
        experience_level: one(CatalogueKind::ExperienceLevel, p.experience_level_id),
        service_provider_level: one(CatalogueKind::ProviderLevel, p.provider_level_id),
        profile_image_url: p.profile_image_url.clone(),
        rating: p.rating,
        review_count: p.review_count,
        time_zone: p.time_zone.clone(),
        available_schedule_hours_list: schedule_hours(&day.slots, zone),
        available_slots_list: slot_views(state, p.id, &day.slots, zone),
        slot_duration_type: p.primary_rate().map(SlotDurationType::from),
    }
}

/// The zone of a request that names none: the organization's default zone (`--time-zone`, or
/// remembered in compatibility mode), else UTC.
pub fn default_zone(organization: &Organization) -> TimeZone {
    organization.default_time_zone.as_ref().map_or(TimeZone::UTC, |z| z.zone().clone())
}

/// In compatibility mode, a request's `gmtTimeDiffrenceHours` (without `timeZone`) becomes the
/// organization's default zone, as the reference's clients expect the zone they searched in to
/// apply to the booking that follows. Never over a zone the operator set; a failure to remember
/// is logged and does not fail the request.
pub async fn remember_zone(
    state: &AppState,
    organization: &Organization,
    time_zone: Option<&str>,
    gmt_hours: Option<f64>,
) {
    if !organization.is_reference_compatible() || time_zone.is_some_and(|z| !z.trim().is_empty()) {
        return;
    }
    let Some(Ok(zone)) = gmt_hours.map(ZoneSetting::from_offset_hours) else {
        return;
    };
    let operator_set = organization.default_time_zone.is_some() && !organization.default_time_zone_remembered;
    if operator_set || organization.default_time_zone.as_ref() == Some(&zone) {
        return;
    }
    if let Err(e) = state.store.remember_time_zone(organization.id, &zone, state.clock.now()).await {
        tracing::warn!(error = %e, "the organization's default time zone could not be remembered");
    }
}

/// The caller's zone and day from `timeZone` (IANA, wins), `gmtTimeDiffrenceHours` (`fallback`
/// when neither is given) and `scheduleDate` (today in that zone when absent).
pub fn caller_day(
    time_zone: Option<&str>,
    gmt_hours: Option<f64>,
    schedule_date: Option<&str>,
    fallback: &TimeZone,
    now: jiff::Timestamp,
) -> ApiResult<CallerDay> {
    let zone = match (time_zone.filter(|z| !z.trim().is_empty()), gmt_hours) {
        (Some(name), _) => parse_iana(name).map_err(|e| ApiError::validation("timeZone", e.to_string()))?,
        (None, Some(hours)) => {
            from_offset_hours(hours).map_err(|e| ApiError::validation("gmtTimeDiffrenceHours", e.to_string()))?
        }
        (None, None) => fallback.clone(),
    };
    let date = match schedule_date.map(str::trim).filter(|d| !d.is_empty()) {
        Some(text) => text
            .parse::<jiff::civil::Date>()
            .ok()
            .filter(|_| text.len() == 10)
            .ok_or_else(|| ApiError::validation("scheduleDate", "must be a date written YYYY-MM-DD"))?,
        None => zone.to_datetime(now).date(),
    };
    Ok(CallerDay { date, zone })
}

/// How a zone is reported back: its IANA name, or its fixed offset.
pub fn zone_label(zone: &TimeZone, now: jiff::Timestamp) -> String {
    zone.iana_name().map(str::to_string).unwrap_or_else(|| zone.to_offset(now).to_string())
}

/// A guest when `userId` is absent or empty, else the organization's user (UserNotFound otherwise).
pub async fn viewer(state: &AppState, organization_id: OrganizationId, user_id: Option<&str>) -> ApiResult<Viewer> {
    match user_id.map(str::trim).filter(|u| !u.is_empty()) {
        None => Ok(Viewer::Guest),
        Some(text) => Ok(Viewer::User(owned_user(state, organization_id, text).await?)),
    }
}

/// The provider named by `careProviderId`; malformed, other-kind and unknown ids are NotFound.
pub fn provider_id(state: &AppState, text: &str) -> ApiResult<ids::CareProviderId> {
    state.ids.decode::<kind::CareProvider>(text.trim()).map_err(|_| {
        ApiError::field(tahoon_domain::reason::Reason::NotFound, "careProviderId", "no such care provider")
    })
}
