//! A partner's bookings: the list (by status and dates), one booking with its status history,
//! and cancelling it. Times are shown in the organization's default zone (UTC without one).

use super::forms::{FormFields, check_change};
use super::page::Frame;
use super::session::SignedIn;
use super::to_home as home;
use crate::routes::careprovider::views::default_zone;
use crate::services::{booking, directory};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use maud::{Markup, html};
use serde::Deserialize;
use tahoon_domain::booking::{Booking, BookingStatus};
use tahoon_domain::ids::kind;
use tahoon_domain::organization::Organization;
use tahoon_domain::texts::Text;

/// At most this many bookings are listed at once (narrow the dates to see others).
const MAX_LISTED: usize = 200;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    status: Option<String>,
    from: Option<String>,
    to: Option<String>,
    /// A care provider's id.
    provider: Option<String>,
    /// A user's reference id (exact).
    reference: Option<String>,
}

fn when(at: Timestamp, zone: &TimeZone) -> String {
    zone.to_datetime(at).strftime("%Y-%m-%d %H:%M").to_string()
}

async fn provider_name(state: &AppState, b: &Booking) -> String {
    match directory::provider(state, b.provider_id).await {
        Ok(Some(p)) => p.names.full_name(),
        _ => state.ids.encode(b.provider_id),
    }
}

pub async fn list(State(state): State<AppState>, signed_in: SignedIn, Query(query): Query<ListQuery>) -> Response {
    // The operator has no bookings pages.
    let Some(organization) = &signed_in.organization else { return home() };
    let frame = signed_in.frame("/console/bookings");
    let zone = default_zone(organization);
    let today = zone.to_datetime(state.clock.now()).date();
    let date = |text: Option<&str>, default: jiff::civil::Date| {
        text.filter(|t| !t.trim().is_empty())
            .and_then(|t| t.trim().parse::<jiff::civil::Date>().ok())
            .unwrap_or(default)
    };
    let from = date(query.from.as_deref(), today.saturating_sub(7.days()));
    let to = date(query.to.as_deref(), today.saturating_add(60.days()));
    let status = query.status.as_deref().and_then(|s| s.parse::<i64>().ok()).and_then(BookingStatus::from_code);
    let instant = |d: jiff::civil::Date| {
        zone.to_ambiguous_timestamp(d.to_datetime(jiff::civil::Time::midnight())).compatible().unwrap_or(Timestamp::MIN)
    };
    let found = match state
        .store
        .organization_bookings(organization.id, instant(from), instant(to.tomorrow().unwrap_or(to)))
        .await
    {
        Ok(found) => found,
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let provider = query.provider.as_deref().map(str::trim).filter(|p| !p.is_empty());
    let provider_id = provider.map(|p| state.ids.decode::<kind::CareProvider>(p).ok());
    let reference: String = query.reference.as_deref().unwrap_or("").trim().chars().take(100).collect();
    let user_id = if reference.is_empty() {
        None
    } else {
        let matching = state.store.organization_users(organization.id, &reference, 0, 50).await.unwrap_or_default().0;
        Some(matching.into_iter().find(|u| u.reference_id == reference).map(|u| u.id))
    };
    let shown: Vec<&Booking> = found
        .iter()
        .filter(|b| status.is_none_or(|s| b.status == s))
        .filter(|b| provider_id.is_none_or(|p| p == Some(b.provider_id)))
        .filter(|b| user_id.is_none_or(|u| u == Some(b.user_id)))
        .take(MAX_LISTED)
        .collect();
    let mut rows = Vec::with_capacity(shown.len());
    for b in &shown {
        rows.push((
            state.ids.encode(b.id),
            when(b.starts_at, &zone),
            provider_name(&state, b).await,
            state.ids.encode(b.user_id),
            b.status,
        ));
    }
    let body = html! {
        form class="filters" method="get" action="/console/bookings" {
            label { (frame.t(Text::Status))
                select name="status" {
                    option value="" { (frame.t(Text::AnyStatus)) }
                    @for s in BookingStatus::ALL {
                        option value=(s.code()) selected[status == Some(s)] { (frame.status(s)) }
                    }
                }
            }
            label { (frame.t(Text::From)) input type="date" name="from" value=(from); }
            label { (frame.t(Text::To)) input type="date" name="to" value=(to); }
            label { (frame.t(Text::Provider)) input type="text" name="provider" value=(provider.unwrap_or("")) maxlength="64"; }
            label { (frame.t(Text::ReferenceId)) input type="text" name="reference" value=(reference) maxlength="100"; }
            button type="submit" { (frame.t(Text::Filter)) }
        }
        @if rows.is_empty() {
            p class="notice" { (frame.t(Text::NoBookings)) }
        } @else {
            table {
                thead { tr {
                    th scope="col" { (frame.t(Text::Session)) }
                    th scope="col" { (frame.t(Text::Provider)) }
                    th scope="col" { (frame.t(Text::User)) }
                    th scope="col" { (frame.t(Text::Status)) }
                } }
                tbody {
                    @for (id, at, provider, user, s) in &rows {
                        tr {
                            td { a href={ "/console/bookings/" (id) } data-booking=(id) { (at) } }
                            td { (provider) }
                            td { code { (user) } }
                            td { span class="tag" { (frame.status(*s)) } }
                        }
                    }
                }
            }
        }
    };
    frame.page(Text::Bookings, body)
}

#[derive(Deserialize, Default)]
pub struct DetailQuery {
    cancelled: Option<String>,
}

pub async fn detail(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Query(query): Query<DetailQuery>,
) -> Response {
    // The operator has no bookings pages.
    let Some(organization) = &signed_in.organization else { return home() };
    let path = format!("/console/bookings/{id}");
    let frame = signed_in.frame(&path);
    let Some(found) = owned(&state, organization, &id).await else {
        return frame.page_with(StatusCode::NOT_FOUND, Text::Booking, html! { (frame.notice(Text::NoBookings, true)) });
    };
    let zone = default_zone(organization);
    let history = state.store.booking_history(found.id).await.unwrap_or_default();
    let audit = booking_audit(&state, organization, found.id).await;
    let cancellable = found.status.is_active() && found.starts_at > state.clock.now() && signed_in.can_change();
    let body = html! {
        @if query.cancelled.is_some() { (frame.notice(Text::Cancelled, false)) }
        div class="card" {
            dl class="facts" {
                dt { (frame.t(Text::Booking)) } dd { code id="booking-id" { (id) } }
                dt { (frame.t(Text::Session)) } dd { (when(found.starts_at, &zone)) " – " (when(found.ends_at, &zone)) }
                dt { (frame.t(Text::Status)) } dd { span class="tag" id="booking-status" { (frame.status(found.status)) } }
                dt { (frame.t(Text::Provider)) } dd { (provider_name(&state, &found).await) }
                dt { (frame.t(Text::User)) } dd { code { (state.ids.encode(found.user_id)) } }
                @if let Some(meeting) = &found.meeting_id { dt { (frame.t(Text::Meeting)) } dd { code { (meeting) } } }
            }
        }
        h2 { (frame.t(Text::History)) }
        (history_table(&frame, &history, &zone))
        h2 { (frame.t(Text::AuditTrail)) }
        table id="booking-audit" {
            thead { tr {
                th scope="col" { (frame.t(Text::When)) }
                th scope="col" { (frame.t(Text::Action)) }
                th scope="col" { (frame.t(Text::Outcome)) }
                th scope="col" { (frame.t(Text::RequestId)) }
            } }
            tbody {
                @for entry in &audit {
                    tr {
                        td { (when(entry.content.occurred_at, &zone)) }
                        td { code { (entry.content.action) } }
                        td { (entry.content.outcome.as_str()) }
                        td { @if let Some(id) = &entry.content.request_id { code { (id) } } }
                    }
                }
            }
        }
        @if cancellable { (cancel_form(&frame, &id)) }
        p { a href="/console/bookings" { (frame.t(Text::Back)) } }
    };
    frame.page(Text::Booking, body)
}

fn history_table(frame: &Frame<'_>, history: &[tahoon_domain::booking::StatusChange], zone: &TimeZone) -> Markup {
    html! {
        table id="history" {
            thead { tr {
                th scope="col" { (frame.t(Text::When)) }
                th scope="col" { (frame.t(Text::Change)) }
                th scope="col" { (frame.t(Text::By)) }
                th scope="col" { (frame.t(Text::Note)) }
            } }
            tbody {
                @for change in history {
                    tr {
                        td { (when(change.at, zone)) }
                        td {
                            @if let Some(from) = change.from { (frame.status(from)) " → " }
                            (frame.status(change.to))
                        }
                        td { (actor(frame, &change.actor)) }
                        td { (change.reason) }
                    }
                }
            }
        }
    }
}

/// Who made a change, in words: the history records `org:<row>` for the organization's own
/// requests (through the API or the console) and other names for Tahoon's own work (the hold
/// sweep, the operator, an import); row numbers are not shown.
fn actor(frame: &Frame<'_>, recorded: &str) -> &'static str {
    frame.t(if recorded.starts_with("org:") { Text::YourOrganization } else { Text::System })
}

fn cancel_form(frame: &Frame<'_>, id: &str) -> Markup {
    html! {
        section class="card" aria-labelledby="cancel-heading" {
            h2 id="cancel-heading" { (frame.t(Text::CancelBooking)) }
            (frame.confirmed_form(&format!("/console/bookings/{id}/cancel"), "cancel", Text::ConfirmCancel, Text::CancelBooking, true, html! {
                label for="cancel-reason" { (frame.t(Text::CancellationReason)) }
                textarea id="cancel-reason" name="reason" maxlength="500" rows="2" {}
            }))
        }
    }
}

/// The organization's audit entries about this booking, among its latest 1,000.
async fn booking_audit(
    state: &AppState,
    organization: &Organization,
    booking: tahoon_domain::ids::BookingId,
) -> Vec<tahoon_domain::audit::AuditEntry> {
    super::audit::latest_entries(state, Some(organization.id), 1000)
        .await
        .into_iter()
        .filter(|e| {
            serde_json::from_str::<serde_json::Value>(&e.content.details)
                .is_ok_and(|details| details["booking"].as_i64() == Some(booking.get()))
        })
        .collect()
}

async fn owned(state: &AppState, organization: &Organization, id: &str) -> Option<Booking> {
    let booking_id = state.ids.decode::<kind::Booking>(id.trim()).ok()?;
    booking::owned_booking(state, organization.id, booking_id, None, None).await.ok()
}

pub async fn cancel(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    fields: FormFields,
) -> Response {
    let Some(organization) = signed_in.organization.clone() else { return home() };
    let path = format!("/console/bookings/{id}");
    let frame = signed_in.frame(&path);
    if let Err(refused) = check_change(&signed_in, &fields) {
        return frame.refused(refused);
    }
    let reason = fields.get("reason").unwrap_or("").to_string();
    let valid = fields.ticked("confirm")
        && reason.chars().count() <= 500
        && tahoon_domain::anti_xss::check_free_text(&reason).is_ok();
    let Some(found) = owned(&state, &organization, &id).await.filter(|_| valid) else {
        return frame.page_with(
            StatusCode::BAD_REQUEST,
            Text::Booking,
            html! { (frame.notice(Text::FormExpired, true)) },
        );
    };
    match booking::cancel(&state, &organization, found, reason).await {
        Ok(_) => Redirect::to(&format!("/console/bookings/{id}?cancelled=1")).into_response(),
        Err(e) => frame.refusal_page(Text::Booking, e),
    }
}
