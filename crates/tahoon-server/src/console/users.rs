//! A partner's users by reference id (never by name in a list), each with export and erasure
//! behind a confirmation; and the screening summary (counts by severity band, never answers).

use super::forms::{FormFields, check_change};
use super::session::SignedIn;
use super::to_home as home;
use crate::routes::user::export::export;
use crate::services::users;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use tahoon_domain::texts::Text;

const PAGE_SIZE: i64 = 50;

#[derive(Deserialize, Default)]
pub struct UserQuery {
    reference: Option<String>,
    page: Option<i64>,
    erased: Option<String>,
}

pub async fn list(State(state): State<AppState>, signed_in: SignedIn, Query(query): Query<UserQuery>) -> Response {
    let Some(organization) = &signed_in.organization else { return home() };
    let frame = signed_in.frame("/console/users");
    let prefix: String = query.reference.as_deref().unwrap_or("").trim().chars().take(100).collect();
    let page = query.page.unwrap_or(1).clamp(1, 1_000_000);
    let found = state.store.organization_users(organization.id, &prefix, (page - 1) * PAGE_SIZE, PAGE_SIZE).await;
    let (shown, total) = match found {
        Ok(found) => found,
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let body = html! {
        @if query.erased.is_some() { (frame.notice(Text::Erased, false)) }
        form class="filters" method="get" action="/console/users" {
            label { (frame.t(Text::ReferenceId)) input type="search" name="reference" value=(prefix) maxlength="100"; }
            button type="submit" { (frame.t(Text::Filter)) }
        }
        table id="users" {
            thead { tr {
                th scope="col" { (frame.t(Text::ReferenceId)) }
                th scope="col" { (frame.t(Text::User)) }
                th scope="col" { (frame.t(Text::Registered)) }
            } }
            tbody {
                @for user in &shown {
                    @let id = state.ids.encode(user.id);
                    tr {
                        td { a href={ "/console/users/" (id) } data-user=(id) { (user.reference_id) } }
                        td { code { (id) } }
                        td { (user.created_at.strftime("%Y-%m-%d")) }
                    }
                }
            }
        }
        nav class="pages" aria-label=(frame.t(Text::Pages)) {
            @if page > 1 { a href={ "/console/users?page=" (page - 1) "&reference=" (prefix) } { (frame.t(Text::Previous)) } }
            span { (page) " / " (pages) }
            @if page < pages { a href={ "/console/users?page=" (page + 1) "&reference=" (prefix) } { (frame.t(Text::Next)) } }
        }
    };
    frame.page(Text::Users, body)
}

pub async fn detail(State(state): State<AppState>, signed_in: SignedIn, Path(id): Path<String>) -> Response {
    let Some(organization) = &signed_in.organization else { return home() };
    let path = format!("/console/users/{id}");
    let frame = signed_in.frame(&path);
    let found = match users::owned_user(&state, organization.id, &id).await {
        Ok(user_id) => users::profile(&state, organization.id, user_id).await.ok(),
        Err(_) => None,
    };
    let Some(profile) = found else {
        return frame.page_with(StatusCode::NOT_FOUND, Text::User, html! { (frame.notice(Text::NoSuchUser, true)) });
    };
    let body = html! {
        div class="card" {
            dl class="facts" {
                dt { (frame.t(Text::User)) } dd { code { (id) } }
                dt { (frame.t(Text::ReferenceId)) } dd { (profile.reference_id.unwrap_or_default()) }
                dt { (frame.t(Text::Registered)) } dd { (profile.created_at.strftime("%Y-%m-%d")) }
            }
        }
        @if signed_in.can_change() {
            section class="card" aria-labelledby="export-heading" {
                h2 id="export-heading" { (frame.t(Text::Export)) }
                p { (frame.t(Text::ExportNote)) }
                (frame.confirmed_form(&format!("/console/users/{id}/export"), "export", Text::ConfirmExport, Text::Export, false, html! {}))
            }
            section class="card" aria-labelledby="erase-heading" {
                h2 id="erase-heading" { (frame.t(Text::Erase)) }
                p { (frame.t(Text::EraseNote)) }
                (frame.confirmed_form(&format!("/console/users/{id}/erase"), "erase", Text::ConfirmErase, Text::Erase, true, html! {}))
            }
        }
        p { a href="/console/users" { (frame.t(Text::Back)) } }
    };
    frame.page(Text::User, body)
}

/// The user's data as the API's export gives it, as a JSON download.
pub async fn download(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    fields: FormFields,
) -> Response {
    let Some(organization) = signed_in.organization.clone() else { return home() };
    let frame = signed_in.frame("/console/users");
    if let Err(refused) = check_change(&signed_in, &fields) {
        return frame.refused(refused);
    }
    if !fields.ticked("confirm") {
        return Redirect::to(&format!("/console/users/{}", id.trim())).into_response();
    }
    match export(&state, organization.id, &id).await {
        Ok(data) => {
            let body = serde_json::to_vec_pretty(&data).unwrap_or_default();
            let name = format!("attachment; filename=\"user-export-{}.json\"", state.clock.now().as_second());
            ([(CONTENT_TYPE, "application/json".to_string()), (CONTENT_DISPOSITION, name)], body).into_response()
        }
        Err(e) => frame.refusal_page(Text::User, e),
    }
}

pub async fn erase(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    fields: FormFields,
) -> Response {
    let Some(organization) = signed_in.organization.clone() else { return home() };
    let frame = signed_in.frame("/console/users");
    if let Err(refused) = check_change(&signed_in, &fields) {
        return frame.refused(refused);
    }
    if !fields.ticked("confirm") {
        return Redirect::to(&format!("/console/users/{}", id.trim())).into_response();
    }
    match users::erase(&state, organization.id, &id).await {
        Ok(()) => Redirect::to("/console/users?erased=1").into_response(),
        Err(e) => frame.refusal_page(Text::User, e),
    }
}

pub async fn screening(State(state): State<AppState>, signed_in: SignedIn) -> Response {
    let Some(organization) = &signed_in.organization else { return home() };
    let frame = signed_in.frame("/console/screening");
    let counts = match state.store.screening_band_counts(organization.id).await {
        Ok(counts) => counts,
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let body = html! {
        p { (frame.t(Text::ScreeningNote)) }
        table id="bands" {
            thead { tr {
                th scope="col" { (frame.t(Text::Instrument)) }
                th scope="col" { (frame.t(Text::Band)) }
                th scope="col" { (frame.t(Text::Submissions)) }
            } }
            tbody {
                @for (instrument, band, count) in &counts {
                    tr { td { (instrument) } td { (band) } td { (count) } }
                }
            }
        }
    };
    frame.page(Text::Screening, body)
}
