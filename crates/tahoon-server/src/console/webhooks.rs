//! A partner's webhook endpoints: each with its recent deliveries, a button that sends a test
//! event, and one that redelivers a delivery (the API's `…/test` and `…/redeliver`).

use super::forms::{FormFields, check_change};
use super::page::Frame;
use super::session::SignedIn;
use super::to_home as home;
use crate::routes::webhooks::deliveries::PAGE_LIMITS;
use crate::routes::webhooks::views::{delivery_view, endpoint_view};
use crate::services::webhooks::endpoints;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use tahoon_domain::paging::PageRequest;
use tahoon_domain::texts::Text;

pub async fn list(State(state): State<AppState>, signed_in: SignedIn) -> Response {
    let Some(organization) = &signed_in.organization else { return home() };
    let frame = signed_in.frame("/console/webhooks");
    let all = match endpoints::list(&state, organization.id).await {
        Ok(all) => all,
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let body = html! {
        @if all.is_empty() {
            p class="notice" { (frame.t(Text::NoEndpoints)) }
        } @else {
            table id="endpoints" {
                thead { tr {
                    th scope="col" { (frame.t(Text::Url)) }
                    th scope="col" { (frame.t(Text::Events)) }
                    th scope="col" { (frame.t(Text::State)) }
                } }
                tbody {
                    @for endpoint in &all {
                        @let view = endpoint_view(&state, endpoint);
                        tr {
                            td { a href={ "/console/webhooks/" (view.endpoint_id) } data-endpoint=(view.endpoint_id) { (view.url) } }
                            td { (view.events.join(", ")) }
                            td { span class="tag" { (frame.t(if view.enabled { Text::Enabled } else { Text::Disabled })) } }
                        }
                    }
                }
            }
        }
    };
    frame.page(Text::Webhooks, body)
}

#[derive(Deserialize, Default)]
pub struct Done {
    done: Option<String>,
}

pub async fn endpoint(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Response {
    let Some(organization) = &signed_in.organization else { return home() };
    let path = format!("/console/webhooks/{id}");
    let frame = signed_in.frame(&path);
    let found = match endpoints::endpoint_id(&state, &id) {
        Ok(endpoint_id) => endpoints::list(&state, organization.id)
            .await
            .ok()
            .and_then(|all| all.into_iter().find(|e| e.id == endpoint_id)),
        Err(_) => None,
    };
    let Some(endpoint) = found else {
        return frame.page_with(
            StatusCode::NOT_FOUND,
            Text::Webhooks,
            html! { (frame.notice(Text::NoEndpoints, true)) },
        );
    };
    let page = PageRequest::new(None, Some(50), PAGE_LIMITS).expect("50 is within the page limits");
    let deliveries =
        endpoints::deliveries(&state, organization.id, endpoint.id, page).await.map(|(d, _)| d).unwrap_or_default();
    let view = endpoint_view(&state, &endpoint);
    let body = html! {
        @if done.done.as_deref() == Some("test") { (frame.notice(Text::TestSent, false)) }
        @if done.done.as_deref() == Some("redeliver") { (frame.notice(Text::RedeliveryScheduled, false)) }
        div class="card" {
            dl class="facts" {
                dt { (frame.t(Text::Url)) } dd { code { (view.url) } }
                dt { (frame.t(Text::Events)) } dd { (view.events.join(", ")) }
                dt { (frame.t(Text::State)) } dd { (frame.t(if view.enabled { Text::Enabled } else { Text::Disabled })) }
            }
        }
        @if signed_in.can_change() && view.enabled {
            form method="post" action={ "/console/webhooks/" (id) "/test" } {
                (frame.csrf())
                button type="submit" id="send-test" { (frame.t(Text::SendTest)) }
            }
        }
        h2 { (frame.t(Text::Deliveries)) }
        table id="deliveries" {
            thead { tr {
                th scope="col" { (frame.t(Text::When)) }
                th scope="col" { (frame.t(Text::Event)) }
                th scope="col" { (frame.t(Text::Status)) }
                th scope="col" { (frame.t(Text::Attempts)) }
                th scope="col" { (frame.t(Text::LastAnswer)) }
                th scope="col" { span class="visually-hidden" { (frame.t(Text::Redeliver)) } }
            } }
            tbody {
                @for d in deliveries.iter().map(|d| delivery_view(&state, d)) {
                    tr data-delivery=(d.delivery_id) {
                        td { (d.created_at) }
                        td { code { (d.event_type) } }
                        td { span class="tag" { (d.status) } }
                        td { (d.attempt_count) }
                        td {
                            @if let Some(code) = d.last_response_code { (code) " " }
                            @if let Some(error) = &d.last_error { (error) }
                        }
                        td {
                            @if signed_in.can_change() && d.status != "pending" {
                                form method="post" action={ "/console/webhooks/deliveries/" (d.delivery_id) "/redeliver" } {
                                    (frame.csrf())
                                    input type="hidden" name="endpoint" value=(id);
                                    button class="secondary" type="submit" { (frame.t(Text::Redeliver)) }
                                }
                            }
                        }
                    }
                }
            }
        }
        p { a href="/console/webhooks" { (frame.t(Text::Back)) } }
    };
    frame.page(Text::Webhooks, body)
}

pub async fn send_test(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    fields: FormFields,
) -> Response {
    let Some(organization) = signed_in.organization.clone() else { return home() };
    let path = format!("/console/webhooks/{id}");
    let frame = signed_in.frame(&path);
    if let Err(refused) = check_change(&signed_in, &fields) {
        return frame.refused(refused);
    }
    let sent = match endpoints::endpoint_id(&state, &id) {
        Ok(endpoint_id) => endpoints::send_test(&state, organization.id, endpoint_id).await.map(|_| ()),
        Err(e) => Err(e),
    };
    outcome(&frame, sent, &format!("/console/webhooks/{id}?done=test"))
}

pub async fn redeliver(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    fields: FormFields,
) -> Response {
    let Some(organization) = signed_in.organization.clone() else { return home() };
    let endpoint = fields.get("endpoint").unwrap_or("").to_string();
    let frame = signed_in.frame("/console/webhooks");
    if let Err(refused) = check_change(&signed_in, &fields) {
        return frame.refused(refused);
    }
    let done = match endpoints::delivery_id(&state, &id) {
        Ok(delivery_id) => endpoints::redeliver(&state, organization.id, delivery_id).await.map(|_| ()),
        Err(e) => Err(e),
    };
    // Back to the endpoint's page only when the field names one of this API's ids.
    let back = if endpoints::endpoint_id(&state, &endpoint).is_ok() {
        format!("/console/webhooks/{endpoint}?done=redeliver")
    } else {
        "/console/webhooks".to_string()
    };
    outcome(&frame, done, &back)
}

fn outcome(frame: &Frame<'_>, done: crate::services::error::ServiceResult<()>, back: &str) -> Response {
    match done {
        Ok(()) => Redirect::to(back).into_response(),
        Err(e) => frame.refusal_page(Text::Webhooks, e),
    }
}
