//! The operator's organizations: the list, creating one (its keys shown once), and disabling or
//! enabling one.

use super::forms::{FormFields, check_csrf};
use super::keys::credentials;
use super::page::Frame;
use super::session::SignedIn;
use crate::services::organizations::{self, OrganizationSpec};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use tahoon_domain::console::Principal;
use tahoon_domain::ids::kind;
use tahoon_domain::organization::{OrganizationKind, Role, SessionBalance};
use tahoon_domain::texts::Text;
use tahoon_store::OrganizationChanges;

const ACTOR: &str = "operator (console)";

/// A partner's session is sent to its own pages.
fn partner_elsewhere(signed_in: &SignedIn) -> Option<Response> {
    match signed_in.principal {
        Principal::Operator => None,
        Principal::Partner { .. } => Some(Redirect::to("/console").into_response()),
    }
}

pub async fn list(State(state): State<AppState>, signed_in: SignedIn) -> Response {
    if let Some(elsewhere) = partner_elsewhere(&signed_in) {
        return elsewhere;
    }
    let frame = signed_in.frame("/console/organizations");
    let all = match organizations::list(&state).await {
        Ok(all) => all,
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let body = html! {
        (create_form(&frame))
        table id="organizations" {
            thead { tr {
                th scope="col" { (frame.t(Text::Name)) }
                th scope="col" { (frame.t(Text::Kind)) }
                th scope="col" { (frame.t(Text::Balance)) }
                th scope="col" { (frame.t(Text::RateLimit)) }
                th scope="col" { (frame.t(Text::Compatibility)) }
                th scope="col" { (frame.t(Text::State)) }
            } }
            tbody {
                @for o in &all {
                    @let id = state.ids.encode(o.id);
                    tr data-organization=(id) {
                        td { a href={ "/console/organizations/" (id) } { (o.name) } br; code { (id) } }
                        td { (frame.t(if o.kind == OrganizationKind::Charity { Text::Charity } else { Text::Standard })) }
                        td { (o.balance) }
                        td { (o.rate_limit_per_minute) }
                        td { (o.compat_mode.as_str()) }
                        td {
                            form method="post" action={ "/console/organizations/" (id) "/state" } {
                                (frame.csrf())
                                input type="hidden" name="enabled" value=(if o.enabled { "false" } else { "true" });
                                span class="tag" { (frame.t(if o.enabled { Text::Enabled } else { Text::Disabled })) } " "
                                button class="secondary" type="submit" { (frame.t(if o.enabled { Text::Disable } else { Text::Enable })) }
                            }
                        }
                    }
                }
            }
        }
    };
    frame.page(Text::Organizations, body)
}

fn create_form(frame: &Frame<'_>) -> maud::Markup {
    html! {
        section class="card" aria-labelledby="create-heading" {
            h2 id="create-heading" { (frame.t(Text::CreateOrganization)) }
            form class="filters" method="post" action="/console/organizations" {
                (frame.csrf())
                label for="org-name" { (frame.t(Text::Name)) input id="org-name" name="name" required maxlength="200"; }
                label for="org-kind" { (frame.t(Text::Kind))
                    select id="org-kind" name="kind" {
                        option value="standard" { (frame.t(Text::Standard)) }
                        option value="charity" { (frame.t(Text::Charity)) }
                    }
                }
                label for="org-balance" { (frame.t(Text::Balance)) input id="org-balance" name="balance" type="number" min="0" max="1000000000" value="0"; }
                button type="submit" id="create-organization" { (frame.t(Text::Create)) }
            }
        }
    }
}

pub async fn create(State(state): State<AppState>, signed_in: SignedIn, fields: FormFields) -> Response {
    if let Some(elsewhere) = partner_elsewhere(&signed_in) {
        return elsewhere;
    }
    let frame = signed_in.frame("/console/organizations");
    if let Err(refused) = check_csrf(&signed_in, &fields) {
        return frame.refused(refused);
    }
    let name = fields.get("name").unwrap_or("").to_string();
    let kind = fields.get("kind").and_then(|k| k.parse::<OrganizationKind>().ok());
    let balance = fields
        .get("balance")
        .filter(|b| !b.is_empty())
        .unwrap_or("0")
        .parse::<i64>()
        .ok()
        .and_then(|b| SessionBalance::new(b).ok());
    let name_ok =
        !name.is_empty() && name.chars().count() <= 200 && tahoon_domain::anti_xss::check_free_text(&name).is_ok();
    let (Some(kind), Some(balance), true) = (kind, balance, name_ok) else {
        return frame.page_with(
            StatusCode::BAD_REQUEST,
            Text::CreateOrganization,
            html! { (frame.notice(Text::FormExpired, true)) (create_form(&frame)) },
        );
    };
    let spec = OrganizationSpec {
        name,
        kind,
        balance,
        role: Role::FullAccess,
        rate_limit_per_minute: None,
        require_signature_header: false,
        max_active_bookings_per_user: None,
    };
    match organizations::create(&state, spec, ACTOR).await {
        Ok(issued) => frame.page(
            Text::Created,
            html! {
                (credentials(&frame, &issued))
                p { a href="/console/organizations" { (frame.t(Text::Organizations)) } }
            },
        ),
        Err(e) => crate::error::ApiError::from(e).into_response(),
    }
}

pub async fn set_state(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    fields: FormFields,
) -> Response {
    if let Some(elsewhere) = partner_elsewhere(&signed_in) {
        return elsewhere;
    }
    let frame = signed_in.frame("/console/organizations");
    if let Err(refused) = check_csrf(&signed_in, &fields) {
        return frame.refused(refused);
    }
    let enabled = match fields.get("enabled") {
        Some("true") => true,
        Some("false") => false,
        _ => return Redirect::to("/console/organizations").into_response(),
    };
    if let Ok(id) = state.ids.decode::<kind::Organization>(id.trim()) {
        let changes = OrganizationChanges { enabled: Some(enabled), ..OrganizationChanges::default() };
        if let Err(e) = organizations::update(&state, id, changes, ACTOR).await {
            return crate::error::ApiError::from(e).into_response();
        }
    }
    Redirect::to("/console/organizations").into_response()
}
