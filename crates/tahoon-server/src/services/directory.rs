//! The care-provider directory: search with real-time slots, one provider's schedule, profiles.
//!
//! A search reads the providers with their availability (six queries, whatever their number), the
//! active bookings of the day (one query), filters and computes slots in memory, sorts (providers
//! with availability first, earliest first, then rating) and pages.

use crate::services::error::{Refusal, ServiceResult};
use crate::state::AppState;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use std::collections::HashMap;
use tahoon_domain::availability::{Interval, SlotRequest, day_bounds, slots};
use tahoon_domain::ids::{CareProviderId, UserId};
use tahoon_domain::paging::PageRequest;
use tahoon_domain::provider::{CareProvider, ProviderFilter};
use tahoon_domain::reason::Reason;
use tahoon_store::BusyInterval;

/// The caller's day: a local date in the caller's zone.
#[derive(Debug, Clone)]
pub struct CallerDay {
    pub date: Date,
    pub zone: TimeZone,
}

/// One provider with its slots on the caller's day.
#[derive(Debug, Clone)]
pub struct ProviderDay {
    pub provider: CareProvider,
    pub slots: Vec<Interval>,
}

pub struct SearchPage {
    pub providers: Vec<ProviderDay>,
    pub total_count: usize,
}

/// Who is asking: a guest, or an organization's user whose own sessions are not offered again.
#[derive(Debug, Clone, Copy)]
pub enum Viewer {
    Guest,
    User(UserId),
}

/// Active bookings that can touch a slot starting on the caller's day: a slot may run past
/// midnight and keeps its buffer after it, so the read reaches a day further.
async fn busy_for_day(state: &AppState, day: &CallerDay) -> ServiceResult<(Interval, Vec<BusyInterval>)> {
    let bounds =
        day_bounds(day.date, &day.zone).ok_or_else(|| Refusal::validation("scheduleDate", "is out of range"))?;
    let reach = bounds.end.checked_add(jiff::SignedDuration::from_hours(24)).unwrap_or(bounds.end);
    let busy = state.store.busy_intervals(bounds.start, reach).await?;
    Ok((bounds, busy))
}

/// Slots of one provider on the caller's day.
fn provider_day(
    provider: CareProvider,
    day: &CallerDay,
    busy: &[BusyInterval],
    viewer: Viewer,
    now: Timestamp,
) -> ProviderDay {
    let Ok(zone) = TimeZone::get(&provider.time_zone) else {
        tracing::warn!(provider_id = provider.id.get(), "provider has an unknown time zone; no slots offered");
        return ProviderDay { provider, slots: Vec::new() };
    };
    // The provider's calendar compares held times (sessions and their buffers), as booking does.
    let provider_busy: Vec<Interval> = busy.iter().filter(|b| b.provider_id == provider.id).map(|b| b.held).collect();
    let caller_busy: Vec<Interval> = match viewer {
        Viewer::Guest => Vec::new(),
        Viewer::User(user) => busy.iter().filter(|b| b.user_id == user).map(|b| b.interval).collect(),
    };
    let Some(schedule) = provider.schedule(&zone) else {
        return ProviderDay { provider, slots: Vec::new() };
    };
    let request = SlotRequest {
        date: day.date,
        caller_zone: &day.zone,
        now,
        provider_busy: &provider_busy,
        caller_busy: &caller_busy,
    };
    let found = slots(&schedule, &request);
    ProviderDay { provider, slots: found }
}

/// Exceptions matter on the provider's local dates around the caller's date.
fn exception_range(date: Date) -> (Date, Date) {
    (date.yesterday().unwrap_or(date), date.tomorrow().unwrap_or(date))
}

pub async fn search(
    state: &AppState,
    day: &CallerDay,
    filter: &ProviderFilter,
    viewer: Viewer,
    page: PageRequest,
) -> ServiceResult<SearchPage> {
    let (from, to) = exception_range(day.date);
    let providers = state.store.care_providers(from, to).await?;
    let (_, busy) = busy_for_day(state, day).await?;
    let now = state.clock.now();
    let mut days: Vec<ProviderDay> =
        providers.into_iter().filter(|p| filter.matches(p)).map(|p| provider_day(p, day, &busy, viewer, now)).collect();
    days.sort_by(|a, b| {
        let first = |d: &ProviderDay| d.slots.first().map(|s| s.start);
        match (first(a), first(b)) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        }
        .then(b.provider.rating.total_cmp(&a.provider.rating))
        .then(a.provider.id.cmp(&b.provider.id))
    });
    let total_count = days.len();
    // Past the end (or past what this platform can address) is an empty page.
    let skip = usize::try_from(page.offset()).unwrap_or(usize::MAX);
    let take = usize::try_from(page.limit()).unwrap_or(usize::MAX);
    let providers = days.into_iter().skip(skip).take(take).collect();
    Ok(SearchPage { providers, total_count })
}

/// One active provider's slots on the caller's day; unknown or inactive is NotFound.
pub async fn schedule(
    state: &AppState,
    provider_id: CareProviderId,
    day: &CallerDay,
    viewer: Viewer,
) -> ServiceResult<ProviderDay> {
    let provider = active_provider(state, provider_id).await?;
    let (_, busy) = busy_for_day(state, day).await?;
    Ok(provider_day(provider, day, &busy, viewer, state.clock.now()))
}

pub async fn active_provider(state: &AppState, provider_id: CareProviderId) -> ServiceResult<CareProvider> {
    let provider = state.store.care_provider(provider_id).await?.filter(|p| p.active);
    Ok(provider.ok_or_else(|| Refusal::new(Reason::NotFound).with_detail("no such care provider"))?)
}

/// The catalogue grouped by kind, for naming ids in responses.
pub struct CatalogueIndex {
    pub by_kind: HashMap<(tahoon_domain::catalogue::CatalogueKind, i64), tahoon_domain::catalogue::CatalogueItem>,
}

pub async fn catalogue_index(state: &AppState) -> ServiceResult<CatalogueIndex> {
    let items = state.store.catalogue().await?;
    Ok(CatalogueIndex { by_kind: items.into_iter().map(|i| ((i.kind, i.id), i)).collect() })
}

/// The filter catalogue.
pub async fn catalogue(state: &AppState) -> ServiceResult<Vec<tahoon_domain::catalogue::CatalogueItem>> {
    Ok(state.store.catalogue().await?)
}

/// Adds or renames catalogue entries (operator), audited.
pub async fn upsert_catalogue(
    state: &AppState,
    items: &[tahoon_domain::catalogue::CatalogueItem],
    actor: &str,
) -> ServiceResult<()> {
    state.store.upsert_catalogue_items(items).await?;
    state
        .audit
        .record(
            crate::services::audit::AuditEvent::success("catalogue.updated", None, actor)
                .details(serde_json::json!({ "items": items.len() })),
        )
        .await?;
    Ok(())
}
