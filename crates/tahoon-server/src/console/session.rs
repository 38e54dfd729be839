//! Console sessions on the wire: the cookie, opening a session, and `SignedIn`, the extractor of
//! every page behind sign-in (the rules are `tahoon_domain::console`).

use crate::context::RequestContext;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use jiff::Timestamp;
use tahoon_domain::console::{ConsoleSession, MAX_AGE_SECS, Principal, Standing};
use tahoon_domain::organization::Organization;
use tahoon_domain::secrets::{digest, generate_secret};
use tahoon_domain::texts::Language;

/// The session cookie (its value is the session's random id; the database keeps its digest).
pub const SESSION_COOKIE: &str = "tahoon_console";
/// The language chosen with the switch (`en` or `ar`); without it, `Accept-Language` decides.
pub const LANGUAGE_COOKIE: &str = "tahoon_lang";
/// A touch is written at most this often (seconds): the idle timeout is 30 minutes.
const TOUCH_EVERY_SECS: i64 = 60;

/// A request of a signed-in session.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub principal: Principal,
    /// The partner's organization as it is now (`None` for the operator).
    pub organization: Option<Organization>,
    pub csrf_token: String,
    pub id_digest: String,
    pub language: Language,
}

impl SignedIn {
    pub fn can_change(&self) -> bool {
        self.principal.can_change()
    }
}

/// What a request's cookie names.
pub enum Found {
    Active(Box<SignedIn>),
    /// A session that expired or was revoked (it is removed).
    Ended,
    Absent,
}

/// The value of cookie `name` in a request's headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
        .filter(|value| !value.is_empty())
}

/// The page language: the switch's cookie, else the request's `Accept-Language`.
pub fn language(headers: &HeaderMap) -> Language {
    cookie(headers, LANGUAGE_COOKIE).and_then(Language::from_tag).unwrap_or_else(|| RequestContext::current().language)
}

pub async fn find(state: &AppState, headers: &HeaderMap) -> Found {
    let Some(id) = cookie(headers, SESSION_COOKIE) else { return Found::Absent };
    let id_digest = digest(id);
    let session = match state.store.console_session(&id_digest).await {
        Ok(Some(session)) => session,
        Ok(None) => return Found::Ended,
        Err(e) => {
            tracing::error!(error = %e, "a console session could not be read");
            return Found::Ended;
        }
    };
    let organization = match session.principal {
        Principal::Partner { organization_id, .. } => state.store.organization(organization_id).await.ok().flatten(),
        Principal::Operator => None,
    };
    let now = state.clock.now();
    if session.standing(organization.as_ref(), now) != Standing::Active {
        let _ = state.store.delete_console_session(&id_digest).await;
        return Found::Ended;
    }
    if now.as_second() - session.last_seen_at.as_second() >= TOUCH_EVERY_SECS {
        let _ = state.store.touch_console_session(&id_digest, now).await;
    }
    Found::Active(Box::new(SignedIn {
        principal: session.principal,
        organization,
        csrf_token: session.csrf_token,
        id_digest,
        language: language(headers),
    }))
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match find(state, &parts.headers).await {
            Found::Active(signed_in) => Ok(*signed_in),
            Found::Ended => Err(to_sign_in("/console/sign-in?ended=1", state)),
            Found::Absent => Err(Redirect::to("/console/sign-in").into_response()),
        }
    }
}

/// A redirect to the sign-in page that also forgets the session cookie.
fn to_sign_in(target: &str, state: &AppState) -> Response {
    let mut response = Redirect::to(target).into_response();
    if let Ok(value) = HeaderValue::from_str(&session_cookie("", 0, state)) {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
}

/// The `Set-Cookie` value of the session cookie (`max_age` 0 removes it). `Secure` when the
/// console is served over TLS (`console_secure_cookies`).
pub fn session_cookie(value: &str, max_age: i64, state: &AppState) -> String {
    let secure = if state.config.console_secure_cookies { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={value}; Path=/console; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}")
}

/// Opens a session for `principal`; the `Set-Cookie` value that hands it to the browser.
pub async fn open(state: &AppState, principal: Principal, credentials_version: i64) -> anyhow::Result<String> {
    let id = generate_secret("cs_");
    let now: Timestamp = state.clock.now();
    let session = ConsoleSession {
        principal,
        credentials_version,
        csrf_token: generate_secret("csrf_"),
        created_at: now,
        last_seen_at: now,
    };
    state.store.create_console_session(&digest(&id), &session).await?;
    Ok(session_cookie(&id, MAX_AGE_SECS, state))
}

/// Ends the session and answers a redirect to the sign-in page that removes its cookie.
pub async fn close(state: &AppState, signed_in: &SignedIn) -> Response {
    let _ = state.store.delete_console_session(&signed_in.id_digest).await;
    to_sign_in("/console/sign-in", state)
}
