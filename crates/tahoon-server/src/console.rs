//! The console at `/console`: pages for partners (their bookings, keys) and the operator
//! (organizations), in English and Arabic, served by this binary (`docs/console.md`).
//!
//! Server-rendered HTML (maud, which escapes every value), a stylesheet and a small script
//! embedded in the binary, no inline script or style (the pages' CSP forbids both). Sessions live
//! in the database (`session`); every form carries the session's CSRF token; the API's roles
//! apply (a ReadOnly key's session sees no change buttons and is refused if it posts anyway).

mod assets;
mod audit;
mod bookings;
mod care_providers;
mod forms;
mod keys;
mod language;
mod organization;
mod organizations;
mod overview;
mod page;
mod providers;
mod session;
mod sign_in;
mod system;
mod users;
mod webhooks;

pub use session::{SESSION_COOKIE, SignedIn};

use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use tahoon_domain::console::Principal;

/// The console's routes (mounted at the root: every path starts with `/console`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console", get(home))
        .route("/console/", get(home))
        .route("/console/sign-in", get(sign_in::form).post(sign_in::submit))
        .route("/console/sign-out", post(sign_in::sign_out))
        .route("/console/language/{tag}", get(language::switch))
        .route("/console/overview", get(overview::page))
        .route("/console/audit", get(audit::page))
        .route("/console/bookings", get(bookings::list))
        .route("/console/bookings/{bookingId}", get(bookings::detail))
        .route("/console/bookings/{bookingId}/cancel", post(bookings::cancel))
        .route("/console/providers", get(providers::list))
        .route("/console/providers/{careProviderId}", get(providers::week))
        .route("/console/users", get(users::list))
        .route("/console/users/{userId}", get(users::detail))
        .route("/console/users/{userId}/export", post(users::download))
        .route("/console/users/{userId}/erase", post(users::erase))
        .route("/console/screening", get(users::screening))
        .route("/console/webhooks", get(webhooks::list))
        .route("/console/webhooks/{endpointId}", get(webhooks::endpoint))
        .route("/console/webhooks/{endpointId}/test", post(webhooks::send_test))
        .route("/console/webhooks/deliveries/{deliveryId}/redeliver", post(webhooks::redeliver))
        .route("/console/keys", get(keys::page))
        .route("/console/keys/rotate", post(keys::rotate))
        .route("/console/organizations", get(organizations::list).post(organizations::create))
        .route("/console/organizations/{organizationId}", get(organization::page).post(organization::save))
        .route("/console/organizations/{organizationId}/state", post(organizations::set_state))
        .route("/console/care-providers", get(care_providers::list))
        .route("/console/care-providers/import", post(care_providers::import))
        .route("/console/care-providers/import/{importId}", get(care_providers::progress))
        .route(
            "/console/care-providers/{careProviderId}",
            get(care_providers::availability).post(care_providers::set_availability),
        )
        .route("/console/settings", get(system::settings_page))
        .route("/console/system", get(system::system_page))
        .route("/console/assets/{file}", get(assets::serve))
}

/// Where a page that is not this session's sends it: its first page.
fn to_home() -> Response {
    Redirect::to("/console").into_response()
}

/// The first page of whoever is signed in.
async fn home(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let signed_in = match session::find(&state, &headers).await {
        session::Found::Active(signed_in) => Some(*signed_in),
        session::Found::Ended | session::Found::Absent => None,
    };
    match signed_in.map(|s| s.principal) {
        Some(Principal::Operator) => Redirect::to("/console/organizations").into_response(),
        Some(Principal::Partner { .. }) => Redirect::to("/console/overview").into_response(),
        None => Redirect::to("/console/sign-in").into_response(),
    }
}
