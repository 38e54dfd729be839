//! A partner's overview: sessions today and this week, billable sessions this month, and the
//! bookings of the coming two weeks per day as an inline SVG chart (drawn here, no script).

use super::page::Frame;
use super::session::SignedIn;
use crate::routes::careprovider::views::default_zone;
use crate::state::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::ToSpan;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use maud::{Markup, html};
use tahoon_domain::booking::Booking;
use tahoon_domain::texts::Text;

/// Days the chart shows, from today.
const CHART_DAYS: i32 = 14;

fn start_of(day: Date, zone: &TimeZone) -> jiff::Timestamp {
    zone.to_ambiguous_timestamp(day.to_datetime(Time::midnight())).compatible().unwrap_or(jiff::Timestamp::MIN)
}

pub async fn page(State(state): State<AppState>, signed_in: SignedIn) -> Response {
    let Some(organization) = &signed_in.organization else { return Redirect::to("/console").into_response() };
    let frame = signed_in.frame("/console/overview");
    let zone = default_zone(organization);
    let today = zone.to_datetime(state.clock.now()).date();
    let month_start = today.first_of_month();
    let horizon = today.saturating_add(CHART_DAYS.days());
    let from = start_of(month_start.min(today), &zone);
    let to = start_of(horizon.max(month_start.saturating_add(1.month())), &zone);
    let bookings = match state.store.organization_bookings(organization.id, from, to).await {
        Ok(found) => found,
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let day_of = |b: &Booking| zone.to_datetime(b.starts_at).date();
    let active: Vec<&Booking> = bookings.iter().filter(|b| b.status.is_active()).collect();
    let today_count = active.iter().filter(|b| day_of(b) == today).count();
    let week_count = active.iter().filter(|b| (today..today.saturating_add(7.days())).contains(&day_of(b))).count();
    let next_month = month_start.saturating_add(1.month());
    let billable =
        bookings.iter().filter(|b| b.status.is_billable() && (month_start..next_month).contains(&day_of(b))).count();
    let per_day: Vec<(Date, usize)> = (0..CHART_DAYS)
        .map(|i| {
            let day = today.saturating_add(i.days());
            (day, active.iter().filter(|b| day_of(b) == day).count())
        })
        .collect();
    let body = html! {
        div class="figures" {
            div class="card figure" { span class="figure-label" { (frame.t(Text::SessionsToday)) } span class="figure-value" id="sessions-today" { (today_count) } }
            div class="card figure" { span class="figure-label" { (frame.t(Text::SessionsThisWeek)) } span class="figure-value" id="sessions-week" { (week_count) } }
            div class="card figure" { span class="figure-label" { (frame.t(Text::BillableThisMonth)) } span class="figure-value" id="billable-month" { (billable) } }
        }
        h2 id="chart-heading" { (frame.t(Text::BookingsPerDay)) }
        (chart(&frame, &per_day))
    };
    frame.page(Text::Overview, body)
}

/// Bars of sessions per day; each bar has its date and count as text for screen readers.
fn chart(frame: &Frame<'_>, per_day: &[(Date, usize)]) -> Markup {
    // Bars stand on a baseline `top + height` down, with room above the tallest for its count.
    let (width, height, gap, top) = (40usize, 160usize, 8usize, 20usize);
    let highest = per_day.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let total_width = per_day.len() * (width + gap);
    html! {
        svg class="chart" role="img" aria-labelledby="chart-heading" viewBox={ "0 0 " (total_width) " " (top + height + 24) }
            width=(total_width) height=(top + height + 24) xmlns="http://www.w3.org/2000/svg" {
            @for (i, (day, count)) in per_day.iter().enumerate() {
                @let bar = count * height / highest;
                @let x = i * (width + gap);
                g {
                    title { (day) ": " (count) }
                    rect class="bar" x=(x) y=(top + height - bar) width=(width) height=(bar) {}
                    text class="count" x=(x + width / 2) y=(top + height - bar - 4) text-anchor="middle" { (count) }
                    text class="day" x=(x + width / 2) y=(top + height + 16) text-anchor="middle" { (day.strftime("%d")) }
                }
            }
        }
        p class="chart-note" { (frame.t(Text::ChartNote)) }
    }
}
