//! The language switch: `GET /console/language/{en|ar}?back=/console/…` remembers the choice in a
//! cookie and returns to the page it was chosen on (only a console path: no open redirect).

use super::session::LANGUAGE_COOKIE;
use axum::extract::{Path, Query};
use axum::http::HeaderValue;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tahoon_domain::texts::Language;

#[derive(Deserialize)]
pub struct Back {
    back: Option<String>,
}

/// A console path to return to: `/console` followed by path characters only.
fn console_path(back: Option<&str>) -> &str {
    match back {
        Some(path)
            if (path == "/console" || path.starts_with("/console/"))
                && path.len() <= 200
                && !path.contains("..")
                && path.bytes().all(|b| b.is_ascii_alphanumeric() || b"/-_.".contains(&b)) =>
        {
            path
        }
        _ => "/console",
    }
}

pub async fn switch(Path(tag): Path<String>, Query(query): Query<Back>) -> Response {
    let mut response = Redirect::to(console_path(query.back.as_deref())).into_response();
    if let Some(language) = Language::from_tag(&tag) {
        let cookie = format!("{LANGUAGE_COOKIE}={}; Path=/console; SameSite=Lax; Max-Age=31536000", language.tag());
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::console_path;

    #[test]
    fn only_console_paths_are_returned_to() {
        assert_eq!(console_path(Some("/console/bookings/bkg_x-1")), "/console/bookings/bkg_x-1");
        for elsewhere in
            ["//evil.example", "https://evil.example", "/consolex", "/console/../x", "/console\\x", "/api/v1"]
        {
            assert_eq!(console_path(Some(elsewhere)), "/console", "{elsewhere}");
        }
        assert_eq!(console_path(None), "/console");
    }
}
