//! The care-provider directory: search with real-time slots, one provider's schedule, profiles.
//!
//! Search and schedule read the availability index (`live::Directory`, rules in
//! `tahoon_domain::directory`): no database round trip, and a cost that follows the page shown.

mod catalogue;
pub mod live;

pub use catalogue::CatalogueIndex;
pub use live::{Directory, POLL_EVERY};

use crate::services::error::{Refusal, ServiceResult};
use crate::state::AppState;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use std::sync::Arc;
use tahoon_domain::availability::{Interval, day_bounds};
use tahoon_domain::directory::Query;
use tahoon_domain::ids::{CareProviderId, UserId};
use tahoon_domain::paging::PageRequest;
use tahoon_domain::provider::{CareProvider, ProviderFilter};
use tahoon_domain::reason::Reason;

/// The caller's day: a local date in the caller's zone.
#[derive(Debug, Clone)]
pub struct CallerDay {
    pub date: Date,
    pub zone: TimeZone,
}

/// One provider with its slots on the caller's day.
#[derive(Debug, Clone)]
pub struct ProviderDay {
    pub provider: Arc<CareProvider>,
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

fn checked_day(day: &CallerDay) -> ServiceResult<()> {
    day_bounds(day.date, &day.zone).ok_or_else(|| Refusal::validation("scheduleDate", "is out of range"))?;
    Ok(())
}

pub async fn search(
    state: &AppState,
    day: &CallerDay,
    filter: &ProviderFilter,
    viewer: Viewer,
    page: PageRequest,
) -> ServiceResult<SearchPage> {
    checked_day(day)?;
    let now = state.clock.now();
    // Past the end (or past what this platform can address) is an empty page.
    let offset = usize::try_from(page.offset()).unwrap_or(usize::MAX);
    let limit = usize::try_from(page.limit()).unwrap_or(usize::MAX);
    state
        .directory
        .read(|index| {
            let caller_busy = match viewer {
                Viewer::Guest => Vec::new(),
                Viewer::User(user) => index.user_busy(user),
            };
            let query =
                Query { date: day.date, zone: &day.zone, now, filter, caller_busy: &caller_busy, offset, limit };
            let found = index.search(&query);
            SearchPage {
                providers: found
                    .providers
                    .into_iter()
                    .map(|f| ProviderDay { provider: f.provider, slots: f.slots })
                    .collect(),
                total_count: found.total,
            }
        })
        .await
}

/// One active provider's slots on the caller's day; unknown or inactive is NotFound.
pub async fn schedule(
    state: &AppState,
    provider_id: CareProviderId,
    day: &CallerDay,
    viewer: Viewer,
) -> ServiceResult<ProviderDay> {
    checked_day(day)?;
    let now = state.clock.now();
    let found = state
        .directory
        .read(|index| {
            let listed = index.provider(provider_id).filter(|l| l.provider.active)?;
            let caller_busy = match viewer {
                Viewer::Guest => Vec::new(),
                Viewer::User(user) => index.user_busy(user),
            };
            let slots = listed.slots_on(day.date, &day.zone, now, &caller_busy);
            Some(ProviderDay { provider: listed.provider.clone(), slots })
        })
        .await?;
    Ok(found.ok_or_else(|| Refusal::new(Reason::NotFound).with_detail("no such care provider"))?)
}

pub async fn active_provider(state: &AppState, provider_id: CareProviderId) -> ServiceResult<Arc<CareProvider>> {
    let provider = provider(state, provider_id).await?.filter(|p| p.active);
    Ok(provider.ok_or_else(|| Refusal::new(Reason::NotFound).with_detail("no such care provider"))?)
}

/// A provider as the availability index holds it (this process's changes at once, other
/// processes' within `POLL_EVERY`), or from the database when the index is not loaded (a CLI
/// command) or does not list it yet.
pub async fn provider(state: &AppState, provider_id: CareProviderId) -> ServiceResult<Option<Arc<CareProvider>>> {
    if let Some(listed) = state.directory.provider(provider_id) {
        return Ok(Some(listed));
    }
    Ok(state.store.care_provider(provider_id).await?.map(Arc::new))
}

/// The catalogue, from memory (`Directory::catalogue`).
pub async fn catalogue_index(state: &AppState) -> ServiceResult<Arc<CatalogueIndex>> {
    state.directory.catalogue().await
}

/// The filter catalogue.
pub async fn catalogue(state: &AppState) -> ServiceResult<Vec<tahoon_domain::catalogue::CatalogueItem>> {
    Ok(state.directory.catalogue().await?.items.clone())
}

/// Adds or renames catalogue entries (operator), audited.
pub async fn upsert_catalogue(
    state: &AppState,
    items: &[tahoon_domain::catalogue::CatalogueItem],
    actor: &str,
) -> ServiceResult<()> {
    state.store.upsert_catalogue_items(items).await?;
    state.directory.forget_catalogue();
    state
        .audit
        .record(
            crate::services::audit::AuditEvent::success("catalogue.updated", None, actor)
                .details(serde_json::json!({ "items": items.len() })),
        )
        .await?;
    Ok(())
}
