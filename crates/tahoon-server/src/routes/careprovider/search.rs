//! `POST /careprovider/getcareproviderslistwithschedule`.

use super::views::{ProviderListing, caller_day, default_zone, listing, remember_zone, viewer, zone_label};
use crate::envelope::{Envelope, Success};
use crate::error::{ApiError, ApiResult};
use crate::extract::auth::Partner;
use crate::extract::json::ApiJson;
use crate::openapi::{Date, GenderType, GmtOffsetHours, ReadErrors, TimeZoneName, UserId};
use crate::services::directory::{self, catalogue_index};
use crate::state::AppState;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use tahoon_domain::paging::{PageLimits, PageRequest};
use tahoon_domain::provider::{Gender, ProviderFilter};
use utoipa::ToSchema;

/// 20 providers a page by default, at most 100.
pub const PAGE_LIMITS: PageLimits = PageLimits::new(20, 100);

/// In compatibility mode a search without `page` and `pageSize` returns every match, as the
/// reference did, up to this many (`totalCount` tells when there were more).
pub const REFERENCE_ALL_LIMITS: PageLimits = PageLimits::new(500, 500);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SearchRequest {
    /// The organization's user (`usr_…`): their own booked times are not offered. Absent (or
    /// empty) for a guest search.
    #[schema(value_type = Option<UserId>)]
    pub user_id: Option<String>,
    /// The caller's local date, `YYYY-MM-DD` (default: today in the caller's zone).
    #[schema(value_type = Option<Date>)]
    pub schedule_date: Option<String>,
    /// The caller's UTC offset in hours (3, 5.5, -4); `timeZone` wins when both are given.
    #[schema(value_type = Option<GmtOffsetHours>)]
    pub gmt_time_diffrence_hours: Option<f64>,
    /// The caller's IANA time zone, such as `Asia/Riyadh`.
    #[schema(value_type = Option<TimeZoneName>)]
    pub time_zone: Option<String>,
    /// Apply `filterCriteriaObject` (ignored otherwise).
    #[serde(default)]
    pub apply_filter: bool,
    pub filter_criteria_object: Option<FilterCriteria>,
    /// 1-based page number, 1–1,000,000 (default 1).
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub page: Option<i64>,
    /// Providers per page, 1–100 (default 20).
    #[schema(minimum = 1, maximum = 100)]
    pub page_size: Option<i64>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FilterCriteria {
    /// 0 female, 1 male.
    #[schema(value_type = Option<GenderType>)]
    pub gender_type: Option<i64>,
    /// Providers speaking any of these languages.
    pub language_ids: Option<Vec<i64>>,
    /// Providers treating any of these specialties.
    pub specialty_ids: Option<Vec<i64>>,
    pub experience_level: Option<i64>,
    /// Provider level (1 Junior, 2 Senior, 3 Consultant).
    pub service_provider_level: Option<i64>,
    /// Lowest price of the default session, in major units (0 to 1,000,000,000; at most `maxPrice`).
    #[schema(minimum = 0, maximum = 1_000_000_000)]
    pub min_price: Option<f64>,
    /// Highest price of the default session, in major units (0 to 1,000,000,000).
    #[schema(minimum = 0, maximum = 1_000_000_000)]
    pub max_price: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SearchResult {
    pub care_providers_list: Vec<ProviderListing>,
    /// Providers matching the filter, over all pages.
    pub total_count: i64,
    pub page: i64,
    pub page_size: i64,
    #[schema(value_type = Date)]
    pub schedule_date: String,
    /// The zone slots are shown in: an IANA name or a fixed offset.
    pub time_zone: String,
}

fn price_minor(field: &str, value: Option<f64>) -> ApiResult<Option<i64>> {
    match value {
        None => Ok(None),
        Some(v) if v.is_finite() && (0.0..=1e9).contains(&v) => Ok(Some((v * 100.0).round() as i64)),
        Some(_) => Err(ApiError::validation(field, "must be a number from 0")),
    }
}

impl FilterCriteria {
    fn parse(self) -> ApiResult<ProviderFilter> {
        let gender = match self.gender_type {
            None => None,
            Some(code) => Some(Gender::from_code(code).ok_or_else(|| {
                ApiError::validation("filterCriteriaObject.genderType", "must be 0 (female) or 1 (male)")
            })?),
        };
        let min = price_minor("filterCriteriaObject.minPrice", self.min_price)?;
        let max = price_minor("filterCriteriaObject.maxPrice", self.max_price)?;
        if let (Some(min), Some(max)) = (min, max)
            && min > max
        {
            return Err(ApiError::validation("filterCriteriaObject.minPrice", "must not exceed maxPrice"));
        }
        Ok(ProviderFilter {
            gender,
            language_ids: self.language_ids.unwrap_or_default(),
            specialty_ids: self.specialty_ids.unwrap_or_default(),
            experience_level_id: self.experience_level,
            provider_level_id: self.service_provider_level,
            min_price_minor: min,
            max_price_minor: max,
        })
    }
}

/// Search care providers with their available slots.
///
/// Guest search (no `userId`) or a user's search (their own booked times are not offered again).
/// Slots are for the caller's local `scheduleDate` in `timeZone` / `gmtTimeDiffrenceHours`.
/// Providers with availability come first, earliest first, then by rating. For an organization in
/// compatibility mode, a search without `page` and `pageSize` returns every match (at most 500),
/// as the reference did.
#[utoipa::path(
    post,
    path = "/careprovider/getcareproviderslistwithschedule",
    tag = "careprovider",
    request_body = SearchRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of providers with their slots on the caller's day", body = Envelope<SearchResult>,
            links(
                ("book" = (operation_id = "book_session", request_body = json!({
                    "careProviderId": "$response.body#/data/careProvidersList/0/careProviderId",
                    "applicationMultiSlotId": "$response.body#/data/careProvidersList/0/availableSlotsList/0/applicationMultiSlotId"
                }))),
                ("schedule" = (operation_id = "provider_schedule", request_body = json!({
                    "careProviderId": "$response.body#/data/careProvidersList/0/careProviderId"
                }))),
                ("profile" = (operation_id = "provider_profile", request_body = json!({
                    "careProviderId": "$response.body#/data/careProvidersList/0/careProviderId"
                }))),
                ("addFavorite" = (operation_id = "add_favorite", request_body = json!({
                    "careProviderId": "$response.body#/data/careProvidersList/0/careProviderId"
                }))),
            )),
        ReadErrors
    )
)]
pub async fn search_providers(
    State(state): State<AppState>,
    Partner(auth): Partner,
    ApiJson(request): ApiJson<SearchRequest>,
) -> ApiResult<Success<SearchResult>> {
    let organization = &auth.organization;
    let unpaged = request.page.is_none() && request.page_size.is_none();
    let limits = if unpaged && organization.is_reference_compatible() { REFERENCE_ALL_LIMITS } else { PAGE_LIMITS };
    let page = PageRequest::new(request.page, request.page_size, limits)?;
    let day = caller_day(
        request.time_zone.as_deref(),
        request.gmt_time_diffrence_hours,
        request.schedule_date.as_deref(),
        &default_zone(organization),
        state.clock.now(),
    )?;
    remember_zone(&state, organization, request.time_zone.as_deref(), request.gmt_time_diffrence_hours).await;
    let filter = match (request.apply_filter, request.filter_criteria_object) {
        (true, Some(criteria)) => criteria.parse()?,
        _ => ProviderFilter::default(),
    };
    let viewer = viewer(&state, auth.organization.id, request.user_id.as_deref()).await?;
    let found = directory::search(&state, &day, &filter, viewer, page).await?;
    let index = catalogue_index(&state).await?;
    Ok(Success(SearchResult {
        care_providers_list: found.providers.iter().map(|d| listing(&state, &index, d, &day.zone)).collect(),
        total_count: found.total_count as i64,
        page: page.page(),
        page_size: page.page_size(),
        schedule_date: day.date.to_string(),
        time_zone: zone_label(&day.zone, state.clock.now()),
    }))
}
