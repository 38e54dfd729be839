//! The operator's care providers: the list, importing a file (the operator's import format) with
//! its progress shown while it runs, and a provider's availability edited as JSON (the format of
//! `tahoon provider availability show|set`).
//!
//! An import runs in the background of the instance that received it; its page refreshes itself
//! every two seconds (a `meta` refresh: no script needed) until the import is done. Imports are
//! remembered by this instance for an hour.

use super::forms::{FormFields, Refused, check_csrf};
use super::page::Frame;
use super::session::SignedIn;
use super::to_home as home;
use crate::services::providers::{self, AvailabilityInput, ProviderInput};
use crate::state::AppState;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use tahoon_domain::console::{Principal, same_token};
use tahoon_domain::ids::kind;
use tahoon_domain::texts::Text;

/// One import under way or done.
struct ImportJob {
    total: usize,
    done: AtomicUsize,
    outcome: Mutex<Option<Result<String, String>>>,
    started: jiff::Timestamp,
}

static JOBS: LazyLock<Mutex<HashMap<String, Arc<ImportJob>>>> = LazyLock::new(Default::default);

fn operator(signed_in: &SignedIn) -> bool {
    signed_in.principal == Principal::Operator
}

pub async fn list(State(state): State<AppState>, signed_in: SignedIn) -> Response {
    if !operator(&signed_in) {
        return home();
    }
    let frame = signed_in.frame("/console/care-providers");
    let today = jiff::tz::TimeZone::UTC.to_datetime(state.clock.now()).date();
    let all = state.store.care_providers(today, today).await.unwrap_or_default();
    let body = html! {
        section class="card" aria-labelledby="import-heading" {
            h2 id="import-heading" { (frame.t(Text::ImportProviders)) }
            p { (frame.t(Text::ImportNote)) }
            form class="stack" method="post" action="/console/care-providers/import" enctype="multipart/form-data" {
                (frame.csrf())
                label for="providers-file" { (frame.t(Text::File)) }
                input id="providers-file" name="file" type="file" accept="application/json,.json" required;
                button type="submit" id="import-submit" { (frame.t(Text::Import)) }
            }
        }
        table id="care-providers" {
            thead { tr {
                th scope="col" { (frame.t(Text::Provider)) }
                th scope="col" { "externalId" }
                th scope="col" { (frame.t(Text::TimeZone)) }
                th scope="col" { (frame.t(Text::State)) }
            } }
            tbody {
                @for p in &all {
                    @let id = state.ids.encode(p.id);
                    tr {
                        td { a href={ "/console/care-providers/" (id) } data-provider=(id) { (p.names.full_name()) } }
                        td { code { (p.external_id) } }
                        td { (p.time_zone) }
                        td { (frame.t(if p.active { Text::Enabled } else { Text::Disabled })) }
                    }
                }
            }
        }
    };
    frame.page(Text::Providers, body)
}

pub async fn import(State(state): State<AppState>, signed_in: SignedIn, mut multipart: Multipart) -> Response {
    if !operator(&signed_in) {
        return home();
    }
    let frame = signed_in.frame("/console/care-providers");
    let (mut csrf, mut file) = (String::new(), Vec::new());
    while let Ok(Some(part)) = multipart.next_field().await {
        match part.name() {
            Some("csrf") => csrf = part.text().await.unwrap_or_default(),
            Some("file") => file = part.bytes().await.map(|b| b.to_vec()).unwrap_or_default(),
            _ => {}
        }
    }
    if !same_token(&signed_in.csrf_token, &csrf) {
        return frame.refused(Refused::FORM_EXPIRED);
    }
    let inputs = match parse_file(&file) {
        Ok(inputs) => inputs,
        Err(message) => {
            return frame.page_with(
                StatusCode::BAD_REQUEST,
                Text::ImportProviders,
                html! {
                    p class="notice error" role="alert" { (message) }
                    p { a href="/console/care-providers" { (frame.t(Text::Back)) } }
                },
            );
        }
    };
    let id = tahoon_domain::secrets::generate_secret("imp_");
    let job = Arc::new(ImportJob {
        total: inputs.len(),
        done: AtomicUsize::new(0),
        outcome: Mutex::new(None),
        started: state.clock.now(),
    });
    {
        let mut jobs = JOBS.lock().unwrap_or_else(|p| p.into_inner());
        let hour_ago = state.clock.now().as_second() - 3600;
        jobs.retain(|_, j| j.started.as_second() > hour_ago);
        jobs.insert(id.clone(), job.clone());
    }
    tokio::spawn(async move {
        let counter = job.clone();
        let result =
            providers::import(&state, &inputs, "operator (console)", move |n| counter.done.store(n, Ordering::Relaxed))
                .await;
        let outcome = result
            .map(|report| format!("{} + {}", report.created, report.updated))
            .map_err(|e| crate::error::ApiError::from(e).detail().unwrap_or("the import was refused").to_string());
        *job.outcome.lock().unwrap_or_else(|p| p.into_inner()) = Some(outcome);
    });
    Redirect::to(&format!("/console/care-providers/import/{id}")).into_response()
}

/// `{"providers":[…]}` or a bare array, as `tahoon provider import` reads it.
fn parse_file(bytes: &[u8]) -> Result<Vec<ProviderInput>, String> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|_| "the file is not JSON".to_string())?;
    let list = value.get("providers").cloned().unwrap_or(value);
    serde_path_to_error::deserialize::<_, Vec<ProviderInput>>(list)
        .map_err(|e| format!("providers{}: {}", e.path().to_string().trim_start_matches('.'), e.inner()))
}

pub async fn progress(signed_in: SignedIn, Path(id): Path<String>) -> Response {
    if !operator(&signed_in) {
        return home();
    }
    let path = format!("/console/care-providers/import/{id}");
    let frame = signed_in.frame("/console/care-providers");
    let job = JOBS.lock().unwrap_or_else(|p| p.into_inner()).get(&id).cloned();
    let Some(job) = job else {
        return frame.page_with(
            StatusCode::NOT_FOUND,
            Text::ImportProviders,
            html! { (frame.notice(Text::NoSuchImport, true)) },
        );
    };
    let done = job.done.load(Ordering::Relaxed);
    let outcome = job.outcome.lock().unwrap_or_else(|p| p.into_inner()).clone();
    frame.page_refreshing(outcome.is_none().then_some(&path), Text::ImportProviders, html! {
        label for="import-progress" { (frame.t(Text::Imported)) " " (done) " / " (job.total) }
        progress id="import-progress" max=(job.total.max(1)) value=(done) { (done) " / " (job.total) }
        @match outcome {
            None => p role="status" { (frame.t(Text::ImportRunning)) },
            Some(Ok(counts)) => p class="notice ok" role="status" id="import-done" { (frame.t(Text::ImportDone)) " " (counts) },
            Some(Err(message)) => p class="notice error" role="alert" id="import-failed" { (message) },
        }
        p { a href="/console/care-providers" { (frame.t(Text::Back)) } }
    })
}

pub async fn availability(State(state): State<AppState>, signed_in: SignedIn, Path(id): Path<String>) -> Response {
    if !operator(&signed_in) {
        return home();
    }
    let path = format!("/console/care-providers/{id}");
    let frame = signed_in.frame(&path);
    let found = match state.ids.decode::<kind::CareProvider>(id.trim()) {
        Ok(provider_id) => providers::provider(&state, provider_id).await.ok(),
        Err(_) => None,
    };
    let Some(provider) = found else {
        return frame.page_with(
            StatusCode::NOT_FOUND,
            Text::Providers,
            html! { (frame.notice(Text::NoSuchProvider, true)) },
        );
    };
    let json = serde_json::to_string_pretty(&AvailabilityInput::from_provider(&provider)).unwrap_or_default();
    availability_form(&frame, &path, &provider.names.full_name(), &json, None, StatusCode::OK)
}

fn availability_form(
    frame: &Frame<'_>,
    path: &str,
    name: &str,
    json: &str,
    message: Option<(bool, &str)>,
    status: StatusCode,
) -> Response {
    frame.page_with(status, Text::Availability, html! {
        h2 { (name) }
        @if let Some((error, text)) = message {
            p class={ "notice " (if error { "error" } else { "ok" }) } role=(if error { "alert" } else { "status" }) id="availability-message" { (text) }
        }
        form class="stack" method="post" action=(path) {
            (frame.csrf())
            label for="availability" { (frame.t(Text::AvailabilityJson)) }
            textarea id="availability" name="availability" rows="18" spellcheck="false" { (json) }
            button type="submit" id="availability-submit" { (frame.t(Text::Save)) }
        }
        p { a href="/console/care-providers" { (frame.t(Text::Back)) } }
    })
}

pub async fn set_availability(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    fields: FormFields,
) -> Response {
    if !operator(&signed_in) {
        return home();
    }
    let path = format!("/console/care-providers/{id}");
    let frame = signed_in.frame(&path);
    if let Err(refused) = check_csrf(&signed_in, &fields) {
        return frame.refused(refused);
    }
    let Ok(provider_id) = state.ids.decode::<kind::CareProvider>(id.trim()) else {
        return frame.page_with(
            StatusCode::NOT_FOUND,
            Text::Providers,
            html! { (frame.notice(Text::NoSuchProvider, true)) },
        );
    };
    let json = fields.get("availability").unwrap_or("").to_string();
    let parsed =
        serde_json::from_str::<AvailabilityInput>(&json).map_err(|e| format!("availability: {e}")).and_then(|input| {
            input.parse("").map_err(|e| crate::error::ApiError::from(e).detail().unwrap_or("is not valid").to_string())
        });
    let saved = match parsed {
        Ok((policy, weekly, exceptions)) => {
            providers::set_availability(&state, provider_id, policy, &weekly, &exceptions, "operator (console)")
                .await
                .map(|p| p.names.full_name())
                .map_err(|e| crate::error::ApiError::from(e).detail().unwrap_or("was refused").to_string())
        }
        Err(message) => Err(message),
    };
    match saved {
        Ok(name) => availability_form(&frame, &path, &name, &json, Some((false, frame.t(Text::Saved))), StatusCode::OK),
        Err(message) => availability_form(&frame, &path, "", &json, Some((true, &message)), StatusCode::BAD_REQUEST),
    }
}
