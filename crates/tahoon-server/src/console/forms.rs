//! Posted forms: their fields, the CSRF check every one passes, and the role check of those that
//! change something.

use super::page::Frame;
use super::session::SignedIn;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::html;
use tahoon_domain::console::same_token;
use tahoon_domain::texts::Text;

/// An `application/x-www-form-urlencoded` body (the body limit applies).
pub struct FormFields(Vec<(String, String)>);

impl<S: Send + Sync> FromRequest<S> for FormFields {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let bytes = Bytes::from_request(req, state).await.map_err(IntoResponse::into_response)?;
        Ok(FormFields(form_urlencoded::parse(&bytes).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()))
    }
}

impl FormFields {
    /// The field's value (the first, when sent twice), trimmed.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim())
    }

    /// A ticked checkbox.
    pub fn ticked(&self, name: &str) -> bool {
        self.get(name).is_some_and(|v| !v.is_empty())
    }
}

/// Why a posted form is refused (403): the page says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused(Text);

impl Refused {
    /// A form without the session's token.
    pub const FORM_EXPIRED: Refused = Refused(Text::FormExpired);
}

/// The form's CSRF token must be the session's.
pub fn check_csrf(signed_in: &SignedIn, fields: &FormFields) -> Result<(), Refused> {
    if same_token(&signed_in.csrf_token, fields.get("csrf").unwrap_or("")) {
        Ok(())
    } else {
        Err(Refused(Text::FormExpired))
    }
}

/// A form that changes something: the CSRF token, and a session that may change (not a ReadOnly
/// key's).
pub fn check_change(signed_in: &SignedIn, fields: &FormFields) -> Result<(), Refused> {
    check_csrf(signed_in, fields)?;
    if signed_in.can_change() { Ok(()) } else { Err(Refused(Text::Forbidden)) }
}

impl Frame<'_> {
    /// The 403 page of a refused form.
    pub fn refused(&self, Refused(text): Refused) -> Response {
        let body = html! { (self.notice(text, true)) p { a href="/console" { (self.t(Text::Back)) } } };
        self.page_with(StatusCode::FORBIDDEN, text, body)
    }
}
