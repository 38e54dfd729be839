//! Signing in (a partner with its access key, the operator with the operator token) and out.
//!
//! The sign-in form carries a token also set as a cookie for the form's path (double submit), so
//! another site cannot sign a browser in to an account of its choosing. Attempts count against
//! the client address (`console_sign_in_per_minute`), before any key is looked at.

use super::forms::{FormFields, check_csrf};
use super::page::Frame;
use super::session::{self, SignedIn, cookie, language};
use crate::context::RequestContext;
use crate::middleware::rate_limit::enforce;
use crate::services::audit::AuditEvent;
use crate::services::rate_limits::{LimitKey, per_minute};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use serde_json::json;
use subtle::ConstantTimeEq;
use tahoon_domain::console::{Principal, same_token};
use tahoon_domain::secrets::{digest, generate_secret};
use tahoon_domain::texts::Text;

/// The double-submitted token of the sign-in form.
const FORM_COOKIE: &str = "tahoon_sign_in";

#[derive(Deserialize)]
pub struct SignInQuery {
    ended: Option<String>,
}

pub async fn form(State(state): State<AppState>, headers: HeaderMap, Query(query): Query<SignInQuery>) -> Response {
    let message = query.ended.is_some().then_some(Text::SessionEnded);
    render(&state, &headers, StatusCode::OK, message)
}

/// The sign-in page with a fresh form token (and its cookie).
fn render(state: &AppState, headers: &HeaderMap, status: StatusCode, message: Option<Text>) -> Response {
    let frame = Frame { language: language(headers), signed_in: None, path: "/console/sign-in" };
    let token = generate_secret("si_");
    let body = html! {
        div class="signin" {
            @if let Some(message) = message { (frame.notice(message, message != Text::SessionEnded)) }
            section class="card" aria-labelledby="partner-heading" {
                h2 id="partner-heading" { (frame.t(Text::SignInPartner)) }
                form method="post" action="/console/sign-in" {
                    input type="hidden" name="form" value=(token);
                    input type="hidden" name="kind" value="partner";
                    label for="access-key" { (frame.t(Text::AccessKey)) }
                    input id="access-key" name="secret" type="password" autocomplete="current-password" required;
                    button type="submit" id="partner-sign-in" { (frame.t(Text::SignIn)) }
                }
            }
            section class="card" aria-labelledby="operator-heading" {
                h2 id="operator-heading" { (frame.t(Text::SignInOperator)) }
                form method="post" action="/console/sign-in" {
                    input type="hidden" name="form" value=(token);
                    input type="hidden" name="kind" value="operator";
                    label for="operator-token" { (frame.t(Text::OperatorToken)) }
                    input id="operator-token" name="secret" type="password" autocomplete="current-password" required;
                    button type="submit" id="operator-sign-in" { (frame.t(Text::SignIn)) }
                }
            }
        }
    };
    let mut response = frame.page_with(status, Text::SignIn, body);
    let secure = state.config.console_secure_cookies;
    let value = format!(
        "{FORM_COOKIE}={token}; Path=/console/sign-in; HttpOnly; SameSite=Strict; Max-Age=3600{}",
        if secure { "; Secure" } else { "" }
    );
    if let Ok(value) = HeaderValue::from_str(&value) {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
}

pub async fn submit(State(state): State<AppState>, headers: HeaderMap, fields: FormFields) -> Response {
    if let Some(address) = RequestContext::current().source_ip {
        let quota = per_minute(state.config.token_rate_limits.per_address.get());
        if enforce(&state, None, LimitKey::ConsoleAddress(address), quota).await.is_err() {
            return render(&state, &headers, StatusCode::TOO_MANY_REQUESTS, Some(Text::TooManyAttempts));
        }
    }
    let form_token = cookie(&headers, FORM_COOKIE).unwrap_or("");
    if !same_token(form_token, fields.get("form").unwrap_or("")) {
        return render(&state, &headers, StatusCode::FORBIDDEN, Some(Text::FormExpired));
    }
    let secret = fields.get("secret").unwrap_or("");
    let opened = match fields.get("kind") {
        Some("partner") => partner(&state, secret).await,
        Some("operator") => operator(&state, secret),
        _ => None,
    };
    let Some((principal, version)) = opened else {
        state
            .audit
            .record_failure(AuditEvent::failure("console.sign_in_failed", None, "anonymous").details(json!({
                "kind": fields.get("kind").unwrap_or(""),
            })))
            .await;
        return render(&state, &headers, StatusCode::UNAUTHORIZED, Some(Text::WrongCredentials));
    };
    let cookie = match session::open(&state, principal, version).await {
        Ok(cookie) => cookie,
        Err(e) => return crate::error::ApiError::internal(e).into_response(),
    };
    let (organization, actor) = match principal {
        Principal::Partner { organization_id, .. } => (Some(organization_id), format!("org:{}", organization_id.get())),
        Principal::Operator => (None, "operator".to_string()),
    };
    let _ = state.audit.record(AuditEvent::success("console.signed_in", organization, actor)).await;
    let mut response = Redirect::to("/console").into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
}

/// A partner's active access key of an enabled organization: its principal and credentials version.
async fn partner(state: &AppState, access_key: &str) -> Option<(Principal, i64)> {
    if access_key.is_empty() || access_key.len() > 200 {
        return None;
    }
    let (key, organization) = state.store.access_key_by_digest(&digest(access_key)).await.ok().flatten()?;
    let usable = key.revoked_at.is_none() && organization.enabled;
    usable.then_some((
        Principal::Partner { organization_id: organization.id, role: key.role },
        organization.credentials_version,
    ))
}

fn operator(state: &AppState, token: &str) -> Option<(Principal, i64)> {
    let expected = state.config.secrets.operator_token.as_bytes();
    let matches = !token.is_empty() && bool::from(expected.ct_eq(token.as_bytes()));
    matches.then_some((Principal::Operator, 0))
}

pub async fn sign_out(State(state): State<AppState>, signed_in: SignedIn, fields: FormFields) -> Response {
    let frame = signed_in.frame("/console");
    if let Err(refused) = check_csrf(&signed_in, &fields) {
        return frame.refused(refused);
    }
    session::close(&state, &signed_in).await
}
