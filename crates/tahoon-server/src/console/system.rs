//! The operator's settings (the database-held groups, secrets masked) and system page (version,
//! database and its migrations, push backlog, recent refusals).

use super::session::SignedIn;
use crate::services::settings;
use crate::state::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use tahoon_domain::audit::Outcome;
use tahoon_domain::console::Principal;
use tahoon_domain::texts::Text;
use tahoon_store::PushStatus;

/// The refusals shown are among this many latest entries.
const RECENT: i64 = 500;

fn operator(signed_in: &SignedIn) -> bool {
    signed_in.principal == Principal::Operator
}

pub async fn settings_page(State(state): State<AppState>, signed_in: SignedIn) -> Response {
    if !operator(&signed_in) {
        return Redirect::to("/console").into_response();
    }
    let frame = signed_in.frame("/console/settings");
    let all = match settings::list(&state).await {
        Ok(all) => all,
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let mut groups: Vec<&str> = all.iter().map(|s| s.group.as_str()).collect();
    groups.dedup();
    let body = html! {
        p { (frame.t(Text::SettingsNote)) }
        @for group in groups {
            section class="card" aria-labelledby={ "group-" (group) } {
                h2 id={ "group-" (group) } { code { (group) } }
                table {
                    thead { tr {
                        th scope="col" { (frame.t(Text::Name)) }
                        th scope="col" { (frame.t(Text::Value)) }
                        th scope="col" { (frame.t(Text::Note)) }
                    } }
                    tbody {
                        @for s in all.iter().filter(|s| s.group == group) {
                            tr data-setting=(s.key) {
                                td { code { (s.key) } }
                                td { @if let Some(value) = &s.value { code class=(if s.secret { "masked" } else { "" }) { (value) } } }
                                td { (s.description) }
                            }
                        }
                    }
                }
            }
        }
    };
    frame.page(Text::Settings, body)
}

pub async fn system_page(State(state): State<AppState>, signed_in: SignedIn) -> Response {
    if !operator(&signed_in) {
        return Redirect::to("/console").into_response();
    }
    let frame = signed_in.frame("/console/system");
    let database = crate::services::health::database(&state).await.unwrap_or("unreachable");
    let migrations = state.store.applied_migrations().await.unwrap_or_default();
    let now = state.clock.now();
    let waiting = state.store.push_jobs(Some(PushStatus::Pending), 1000).await.unwrap_or_default();
    let oldest_due = waiting.iter().map(|j| j.next_attempt_at).filter(|due| *due <= now).min();
    let lag = oldest_due.map_or(0, |due| now.as_second() - due.as_second());
    let entries = super::audit::latest_entries(&state, None, RECENT).await;
    let refusals: Vec<_> = entries.iter().rev().filter(|e| e.content.outcome == Outcome::Failure).take(20).collect();
    let body = html! {
        div class="card" {
            dl class="facts" {
                dt { (frame.t(Text::Version)) } dd { code id="version" { (env!("CARGO_PKG_VERSION")) } }
                dt { (frame.t(Text::Database)) } dd { code id="database" { (database) } }
                dt { (frame.t(Text::Migrations)) }
                dd id="migrations" {
                    @if let Some((version, description)) = migrations.last() {
                        (migrations.len()) " · " code { (format!("{version:04}")) } " " (description)
                    }
                }
                dt { (frame.t(Text::PushWaiting)) } dd { span id="push-waiting" { (waiting.len()) } }
                dt { (frame.t(Text::OutboxLag)) } dd { span id="outbox-lag" { (lag) " s" } }
            }
        }
        h2 { (frame.t(Text::RecentRefusals)) }
        table id="refusals" {
            thead { tr {
                th scope="col" { (frame.t(Text::When)) }
                th scope="col" { (frame.t(Text::Action)) }
                th scope="col" { (frame.t(Text::By)) }
                th scope="col" { (frame.t(Text::RequestId)) }
            } }
            tbody {
                @for e in refusals {
                    tr {
                        td { (e.content.occurred_at.strftime("%Y-%m-%d %H:%M:%S")) }
                        td { code { (e.content.action) } }
                        td { (e.content.actor) }
                        td { @if let Some(id) = &e.content.request_id { code { (id) } } }
                    }
                }
            }
        }
    };
    frame.page(Text::SystemPage, body)
}
