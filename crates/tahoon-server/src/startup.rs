//! Builds the application on a given listener (tests bind port 0) and runs it until told to stop.

use crate::config::ServerConfig;
use crate::middleware::{hardening, idempotency, legacy, rate_limit, reference_answers, request_context};
use crate::openapi::ApiDoc;
use crate::routes::{
    admin, audit, auth, careprovider, diagnostics, fallback, health, metrics, organization, sessionbooking, user,
    webhooks,
};
use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use utoipa_swagger_ui::SwaggerUi;

/// Partner routes, mounted twice: under `/api/v1` and (deprecated) under `/api`.
fn partner_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(auth::token::issue_token))
        .routes(routes!(auth::refresh::refresh_token))
        .routes(routes!(auth::revoke::revoke_token))
        .routes(routes!(diagnostics::check_signature))
        .routes(routes!(careprovider::catalogue::get_catalogue))
        .routes(routes!(careprovider::search::search_providers))
        .routes(routes!(careprovider::schedule::provider_schedule))
        .routes(routes!(careprovider::profile::provider_profile))
        .routes(routes!(user::register::register_user))
        .routes(routes!(user::questions::assessment_questions))
        .routes(routes!(user::submit::submit_assessment))
        .routes(routes!(user::assessments::list_assessments))
        .routes(routes!(user::export::export_user))
        .routes(routes!(user::erase::erase_user))
        .routes(routes!(sessionbooking::book::book_session))
        .routes(routes!(sessionbooking::cancel::cancel_booking))
        .routes(routes!(sessionbooking::reschedule::reschedule_booking))
        .routes(routes!(sessionbooking::bulk::bulk_book))
        .routes(routes!(sessionbooking::get::get_booking))
        .routes(routes!(sessionbooking::recording::get_recording))
        .routes(routes!(user::bookings::booking_history))
        .routes(routes!(user::favorites::add_favorite))
        .routes(routes!(user::favorites::remove_favorite))
        .routes(routes!(user::favorites::list_favorites))
        .routes(routes!(organization::usage::usage))
        .routes(routes!(audit::list_audit))
        .routes(routes!(
            organization::reminders::get_organization_reminders,
            organization::reminders::set_organization_reminders
        ))
        .routes(routes!(user::reminders::get_user_reminders, user::reminders::set_user_reminders))
        .routes(routes!(webhooks::endpoints::create_endpoint, webhooks::endpoints::list_endpoints))
        .routes(routes!(webhooks::endpoints::delete_endpoint))
        .routes(routes!(webhooks::endpoints::rotate_secret))
        .routes(routes!(webhooks::endpoints::test_endpoint))
        .routes(routes!(webhooks::deliveries::list_deliveries))
        .routes(routes!(webhooks::deliveries::get_delivery))
        .routes(routes!(webhooks::deliveries::redeliver))
}

/// The partner routes as served: every signed mutating route honours `Idempotency-Key` (claimed
/// by the signed extractor), so the middleware is bound to the state here, once; every answer
/// reports the rate limit its request was counted against (outermost, so replays do too); a
/// compatibility-mode organization's answers carry its reference ids (replays too).
fn served_partner_routes(state: &AppState) -> Router<AppState> {
    let (routes, _) = partner_routes().split_for_parts();
    routes
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), idempotency::idempotency))
        .route_layer(axum::middleware::from_fn(rate_limit::rate_limit_headers))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), reference_answers::answer_with_reference_ids))
}

/// Operator routes, only under `/api/v1/admin`.
fn admin_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(admin::organizations::create_organization, admin::organizations::list_organizations))
        .routes(routes!(admin::organizations::update_organization))
        .routes(routes!(admin::organizations::rotate_organization_keys))
        .routes(routes!(admin::careproviders::import_providers))
        .routes(routes!(admin::careproviders::get_provider))
        .routes(routes!(admin::careproviders::set_availability))
        .routes(routes!(admin::careproviders::upsert_catalogue))
        .routes(routes!(admin::instruments::add_instrument))
        .routes(routes!(admin::bookings::set_status))
        .routes(routes!(admin::settings::list::list_settings))
        .routes(routes!(
            admin::settings::get::get_setting,
            admin::settings::set::set_setting,
            admin::settings::reset::reset_setting
        ))
}

/// The OpenAPI document, and the routes it describes (without the layers `build_router` adds).
pub fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", partner_routes())
        .nest("/api/v1/admin", admin_routes())
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(metrics::operator_metrics))
        .split_for_parts();
    (router, crate::openapi::finish(openapi))
}

/// Layers every route gets, innermost first: envelope for panics, the time limit, body limit,
/// request context, security headers, CORS when configured (outermost, so a preflight is
/// answered before anything else).
pub fn with_common_layers(router: Router, config: &ServerConfig) -> Router {
    let router = router
        .route_layer(axum::middleware::from_fn(request_context::record_route))
        .fallback(fallback::not_found)
        .method_not_allowed_fallback(fallback::method_not_allowed)
        .layer(CatchPanicLayer::custom(fallback::panic_response))
        .layer(axum::middleware::from_fn_with_state(config.request_timeout, hardening::time_limit))
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
        .layer(axum::middleware::from_fn_with_state(
            config.trusted_proxies.clone().into(),
            request_context::request_context,
        ))
        .layer(axum::middleware::from_fn(hardening::security_headers));
    match hardening::cors(&config.cors_allowed_origins) {
        Some(cors) => router.layer(cors),
        None => router,
    }
}

pub fn build_router(state: AppState) -> Router {
    build_router_with(state, Router::new())
}

/// The application with `extra` routes beside the real ones (tests use it to exercise the
/// extractors on routes of their own).
pub fn build_router_with(state: AppState, extra: Router<AppState>) -> Router {
    let (_, openapi) = api();
    let (admin, _) = admin_routes().split_for_parts();
    let (health, _) =
        OpenApiRouter::new().routes(routes!(health::healthz)).routes(routes!(health::readyz)).split_for_parts();
    let mut operations = Router::new();
    if state.config.metrics_listen.is_none() {
        operations = operations.route("/metrics", axum::routing::get(metrics::operator_metrics));
    }
    let router = Router::new()
        .nest("/api/v1", served_partner_routes(&state))
        .merge(operations)
        .nest("/api/v1/admin", admin)
        .merge(health)
        .nest("/api", served_partner_routes(&state).layer(axum::middleware::from_fn(legacy::mark_deprecated)))
        .merge(crate::console::routes())
        .merge(extra)
        .with_state(state.clone())
        .merge(SwaggerUi::new("/docs").url("/api/v1/openapi.json", openapi));
    with_common_layers(router, &state.config)
}

/// The separate metrics listener's application (`TAHOON_METRICS_LISTEN`): `/metrics` only.
pub fn metrics_router(config: &ServerConfig) -> Router {
    with_common_layers(Router::new().route("/metrics", axum::routing::get(metrics::open_metrics)), config)
}

pub struct Application {
    listener: TcpListener,
    router: Router,
}

impl Application {
    pub fn new(state: AppState, listener: TcpListener) -> Application {
        Application::with_router(build_router(state), listener)
    }

    pub fn with_router(router: Router, listener: TcpListener) -> Application {
        Application { router, listener }
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes, then lets in-flight requests finish.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        axum::serve(self.listener, self.router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown)
            .await
    }

    /// `run_until` over TLS with `certificate` (which the caller may reload meanwhile).
    pub async fn run_tls_until(
        self,
        certificate: std::sync::Arc<crate::tls::ReloadableCertificate>,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        use axum::serve::ListenerExt;
        let listener = crate::tls::TlsListener::new(self.listener, certificate).map_err(std::io::Error::other)?;
        // `tap_io` gives the connections the peer address as `ConnectInfo`, as plain TCP does.
        axum::serve(listener.tap_io(|_| {}), self.router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown)
            .await
    }
}
