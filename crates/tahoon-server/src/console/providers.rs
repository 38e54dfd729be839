//! The provider directory for a partner: providers with free time on a day, and one provider's
//! week of free slots (and the organization's own sessions with them) in a chosen time zone.
//! Other organizations' bookings are never shown: their time is simply not free.

use super::page::Frame;
use super::session::SignedIn;
use crate::routes::careprovider::views::default_zone;
use crate::services::directory::{self, CallerDay, Viewer};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::ToSpan;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use maud::html;
use serde::Deserialize;
use tahoon_domain::ids::kind;
use tahoon_domain::paging::{PageLimits, PageRequest};
use tahoon_domain::provider::ProviderFilter;
use tahoon_domain::texts::Text;
use tahoon_domain::time_zone::parse_iana;

const LIMITS: PageLimits = PageLimits::new(50, 50);

#[derive(Deserialize, Default)]
pub struct DirectoryQuery {
    /// The first day shown, `YYYY-MM-DD` (today by default).
    from: Option<String>,
    /// An IANA zone (the organization's default zone, else UTC).
    zone: Option<String>,
    page: Option<i64>,
}

/// The zone and first day a page is drawn for, and the zone's name as the form shows it.
fn view(state: &AppState, signed_in: &SignedIn, query: &DirectoryQuery) -> (TimeZone, Date, String) {
    let fallback = signed_in.organization.as_ref().map_or(TimeZone::UTC, default_zone);
    let named = query.zone.as_deref().map(str::trim).filter(|z| !z.is_empty());
    let zone = named.and_then(|z| parse_iana(z).ok()).unwrap_or(fallback);
    let today = zone.to_datetime(state.clock.now()).date();
    let from = query.from.as_deref().and_then(|d| d.trim().parse::<Date>().ok()).unwrap_or(today).max(today);
    let label = zone.iana_name().unwrap_or("UTC").to_string();
    (zone, from, label)
}

pub async fn list(State(state): State<AppState>, signed_in: SignedIn, Query(query): Query<DirectoryQuery>) -> Response {
    if signed_in.organization.is_none() {
        return Redirect::to("/console").into_response();
    }
    let frame = signed_in.frame("/console/providers");
    let (zone, from, label) = view(&state, &signed_in, &query);
    let page = PageRequest::new(Some(query.page.unwrap_or(1).clamp(1, 1_000_000)), None, LIMITS)
        .unwrap_or_else(|_| PageRequest::new(None, None, LIMITS).expect("the default page is valid"));
    let day = CallerDay { date: from, zone: zone.clone() };
    let found = match directory::search(&state, &day, &ProviderFilter::default(), Viewer::Guest, page).await {
        Ok(found) => found,
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let body = html! {
        (zone_form(&frame, "/console/providers", from, &label))
        table id="providers" {
            thead { tr {
                th scope="col" { (frame.t(Text::Provider)) }
                th scope="col" { (frame.t(Text::FreeSlots)) }
            } }
            tbody {
                @for p in &found.providers {
                    @let id = state.ids.encode(p.provider.id);
                    tr {
                        td { a href={ "/console/providers/" (id) "?from=" (from) "&zone=" (label) } data-provider=(id) { (p.provider.names.full_name()) } }
                        td { (p.slots.len()) }
                    }
                }
            }
        }
    };
    frame.page(Text::Providers, body)
}

fn zone_form(frame: &Frame<'_>, action: &str, from: Date, zone: &str) -> maud::Markup {
    html! {
        form class="filters" method="get" action=(action) {
            label { (frame.t(Text::From)) input type="date" name="from" value=(from); }
            label { (frame.t(Text::TimeZone)) input type="text" name="zone" value=(zone) maxlength="64"; }
            button type="submit" { (frame.t(Text::Filter)) }
        }
    }
}

pub async fn week(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Query(query): Query<DirectoryQuery>,
) -> Response {
    let Some(organization) = &signed_in.organization else { return Redirect::to("/console").into_response() };
    let path = format!("/console/providers/{id}");
    let frame = signed_in.frame(&path);
    let (zone, from, label) = view(&state, &signed_in, &query);
    let Ok(provider_id) = state.ids.decode::<kind::CareProvider>(id.trim()) else {
        return frame.page_with(
            StatusCode::NOT_FOUND,
            Text::Provider,
            html! { (frame.notice(Text::NoSuchProvider, true)) },
        );
    };
    let mut days = Vec::with_capacity(7);
    for offset in 0..7 {
        let date = from.saturating_add(offset.days());
        let day = CallerDay { date, zone: zone.clone() };
        match directory::schedule(&state, provider_id, &day, Viewer::Guest).await {
            Ok(found) => days.push((date, found.provider.names.full_name(), found.slots)),
            Err(_) => {
                return frame.page_with(
                    StatusCode::NOT_FOUND,
                    Text::Provider,
                    html! { (frame.notice(Text::NoSuchProvider, true)) },
                );
            }
        }
    }
    let start = zone.to_ambiguous_timestamp(from.to_datetime(jiff::civil::Time::midnight())).compatible().ok();
    let end = start.and_then(|s| s.checked_add(jiff::SignedDuration::from_hours(24 * 7)).ok());
    let own = match (start, end) {
        (Some(start), Some(end)) => {
            state.store.organization_bookings(organization.id, start, end).await.unwrap_or_default()
        }
        _ => Vec::new(),
    };
    let own: Vec<_> = own.into_iter().filter(|b| b.provider_id == provider_id && b.status.is_active()).collect();
    let name = days.first().map(|(_, n, _)| n.clone()).unwrap_or_default();
    let time = |t: jiff::Timestamp| zone.to_datetime(t).strftime("%H:%M").to_string();
    let body = html! {
        h2 { (name) }
        (zone_form(&frame, &path, from, &label))
        div class="week" id="week" {
            @for (date, _, slots) in &days {
                section class="day card" aria-label=(date) {
                    h3 { (date.strftime("%a %d")) }
                    ul class="slots" {
                        @for slot in slots { li class="free" { (time(slot.start)) "–" (time(slot.end)) } }
                        @for b in own.iter().filter(|b| zone.to_datetime(b.starts_at).date() == *date) {
                            li class="booked" { a href={ "/console/bookings/" (state.ids.encode(b.id)) } { (time(b.starts_at)) " " (frame.t(Text::Booked)) } }
                        }
                    }
                    @if slots.is_empty() { p class="chart-note" { (frame.t(Text::NoFreeSlots)) } }
                }
            }
        }
        p { a href="/console/providers" { (frame.t(Text::Back)) } }
    };
    frame.page(Text::Providers, body)
}
