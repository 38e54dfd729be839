//! A partner's audit trail: the organization's own entries, newest last, 50 to a page, as the
//! API's `GET /audit` shows them (action, outcome, who in kind only, request id; no details and no
//! addresses).

use super::session::SignedIn;
use crate::routes::audit::view;
use crate::routes::careprovider::views::default_zone;
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use tahoon_domain::audit::AuditEntry;
use tahoon_domain::ids::OrganizationId;
use tahoon_domain::texts::Text;
use tahoon_store::{AuditQuery, StoreError};

const PAGE_SIZE: i64 = 50;

#[derive(Deserialize, Default)]
pub struct AuditParams {
    /// 1-based; the last page when absent.
    page: Option<i64>,
}

/// The audit query of `organization` (every organization's for `None`) at `offset`.
fn window(organization: Option<OrganizationId>, offset: i64, limit: i64) -> AuditQuery {
    AuditQuery { organization_id: organization, from: None, to: None, action: None, after_seq: 0, offset, limit }
}

/// How many entries `organization` has (every organization's for `None`).
async fn count(state: &AppState, organization: Option<OrganizationId>) -> Result<i64, StoreError> {
    Ok(state.store.audit_search(&window(organization, 0, 1)).await?.1)
}

/// The latest `limit` entries of `organization` (every organization's for `None`), oldest first;
/// none when the trail cannot be read (a page shows what it can).
pub async fn latest_entries(state: &AppState, organization: Option<OrganizationId>, limit: i64) -> Vec<AuditEntry> {
    let total = count(state, organization).await.unwrap_or(0);
    let latest = window(organization, (total - limit).max(0), limit);
    state.store.audit_search(&latest).await.map(|(entries, _)| entries).unwrap_or_default()
}

pub async fn page(State(state): State<AppState>, signed_in: SignedIn, Query(params): Query<AuditParams>) -> Response {
    let Some(organization) = &signed_in.organization else { return Redirect::to("/console").into_response() };
    let frame = signed_in.frame("/console/audit");
    let total = match count(&state, Some(organization.id)).await {
        Ok(total) => total,
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let page = params.page.unwrap_or(pages).clamp(1, pages);
    let entries =
        match state.store.audit_search(&window(Some(organization.id), (page - 1) * PAGE_SIZE, PAGE_SIZE)).await {
            Ok((entries, _)) => entries,
            Err(e) => return crate::error::ApiError::from(e).into_response(),
        };
    let zone = default_zone(organization);
    let body = html! {
        table id="audit" {
            thead { tr {
                th scope="col" { "#" }
                th scope="col" { (frame.t(Text::When)) }
                th scope="col" { (frame.t(Text::Action)) }
                th scope="col" { (frame.t(Text::Outcome)) }
                th scope="col" { (frame.t(Text::By)) }
                th scope="col" { (frame.t(Text::RequestId)) }
            } }
            tbody {
                @for entry in entries {
                    @let at = zone.to_datetime(entry.content.occurred_at).strftime("%Y-%m-%d %H:%M:%S").to_string();
                    @let shown = view(entry);
                    tr {
                        td { (shown.seq) }
                        td { (at) }
                        td { code { (shown.action) } }
                        td { (shown.outcome) }
                        td { (shown.actor) }
                        td { @if let Some(id) = &shown.request_id { code { (id) } } }
                    }
                }
            }
        }
        nav class="pages" aria-label=(frame.t(Text::Pages)) {
            @if page > 1 { a href={ "/console/audit?page=" (page - 1) } { (frame.t(Text::Previous)) } }
            span { (page) " / " (pages) }
            @if page < pages { a href={ "/console/audit?page=" (page + 1) } { (frame.t(Text::Next)) } }
        }
    };
    frame.page(Text::AuditTrail, body)
}
