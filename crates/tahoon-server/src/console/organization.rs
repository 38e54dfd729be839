//! One organization for the operator: its settings (balance, rate limit, cancellation cut-off,
//! compatibility mode) changed with the same bounds as the admin route.

use super::forms::{FormFields, check_csrf};
use super::session::SignedIn;
use crate::services::organizations;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use tahoon_domain::console::Principal;
use tahoon_domain::ids::kind;
use tahoon_domain::organization::{CancellationCutoff, CompatMode, Organization, RateLimit, SessionBalance};
use tahoon_domain::texts::Text;
use tahoon_store::OrganizationChanges;

#[derive(Deserialize, Default)]
pub struct Saved {
    saved: Option<String>,
}

async fn find(state: &AppState, id: &str) -> Option<Organization> {
    let id = state.ids.decode::<kind::Organization>(id.trim()).ok()?;
    state.store.organization(id).await.ok().flatten()
}

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Query(saved): Query<Saved>,
) -> Response {
    if signed_in.principal != Principal::Operator {
        return Redirect::to("/console").into_response();
    }
    let path = format!("/console/organizations/{id}");
    let frame = signed_in.frame(&path);
    let Some(o) = find(&state, &id).await else {
        return frame.page_with(
            StatusCode::NOT_FOUND,
            Text::Organizations,
            html! { (frame.notice(Text::NoSuchOrganization, true)) },
        );
    };
    let body = html! {
        @if saved.saved.is_some() { (frame.notice(Text::Saved, false)) }
        h2 { (o.name) }
        form class="stack card" method="post" action=(path) {
            (frame.csrf())
            label for="balance" { (frame.t(Text::Balance)) }
            input id="balance" name="balance" type="number" min=(SessionBalance::MIN) max=(SessionBalance::MAX) value=(o.balance);
            label for="rate" { (frame.t(Text::RateLimit)) }
            input id="rate" name="rateLimitPerMinute" type="number" min=(RateLimit::MIN) max=(RateLimit::MAX) value=(o.rate_limit_per_minute);
            label for="cutoff" { (frame.t(Text::CutoffHours)) }
            input id="cutoff" name="cancellationCutoffHours" type="number" min=(CancellationCutoff::MIN) max=(CancellationCutoff::MAX) value=(o.cancellation_cutoff_hours);
            label for="compat" { (frame.t(Text::Compatibility)) }
            select id="compat" name="compatMode" {
                @for mode in [CompatMode::Strict, CompatMode::Reference] {
                    option value=(mode.as_str()) selected[o.compat_mode == mode] { (mode.as_str()) }
                }
            }
            button type="submit" id="save-organization" { (frame.t(Text::Save)) }
        }
        p { a href="/console/organizations" { (frame.t(Text::Back)) } }
    };
    frame.page(Text::Organizations, body)
}

pub async fn save(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    fields: FormFields,
) -> Response {
    if signed_in.principal != Principal::Operator {
        return Redirect::to("/console").into_response();
    }
    let path = format!("/console/organizations/{id}");
    let frame = signed_in.frame(&path);
    if let Err(refused) = check_csrf(&signed_in, &fields) {
        return frame.refused(refused);
    }
    let Some(o) = find(&state, &id).await else {
        return frame.page_with(
            StatusCode::NOT_FOUND,
            Text::Organizations,
            html! { (frame.notice(Text::NoSuchOrganization, true)) },
        );
    };
    let number = |name: &str| fields.get(name).and_then(|v| v.parse::<i64>().ok());
    let balance = number("balance").and_then(|v| SessionBalance::new(v).ok());
    let rate = number("rateLimitPerMinute").and_then(|v| RateLimit::new(v).ok());
    let cutoff = number("cancellationCutoffHours").and_then(|v| CancellationCutoff::new(v).ok());
    let compat = fields.get("compatMode").and_then(|v| v.parse::<CompatMode>().ok());
    let (Some(balance), Some(rate), Some(cutoff), Some(compat)) = (balance, rate, cutoff, compat) else {
        return frame.page_with(
            StatusCode::BAD_REQUEST,
            Text::Organizations,
            html! {
                (frame.notice(Text::OutOfBounds, true))
                p { a href=(path) { (frame.t(Text::Back)) } }
            },
        );
    };
    let changes = OrganizationChanges {
        balance: Some(balance.get()),
        rate_limit_per_minute: Some(rate.get()),
        cancellation_cutoff_hours: Some(cutoff.get()),
        compat_mode: Some(compat),
        ..OrganizationChanges::default()
    };
    match organizations::update(&state, o.id, changes, "operator (console)").await {
        Ok(_) => Redirect::to(&format!("{path}?saved=1")).into_response(),
        Err(e) => crate::error::ApiError::from(e).into_response(),
    }
}
