//! `ApiQuery<T>`: axum's `Query`, but every rejection is our envelope naming the parameter.
//!
//! A missing required parameter is EmptyParameter; a malformed value (wrong type, a number out of
//! range, empty where a number is expected), a parameter given twice, and a key or value that is
//! not valid percent-encoded UTF-8 are ValidationFailed. Unknown parameters are ignored unless
//! `T` denies them.

use super::named::deserialize_named;
use crate::error::ApiError;
use crate::services::reference_ids;
use crate::services::tokens::Authenticated;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned> FromRequestParts<AppState> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or("");
        let organization = parts.extensions.get::<Authenticated>().map(|a| a.organization.id);
        check_encoding(query)?;
        let resolved = with_reference_ids_resolved(state, organization, query).await;
        Ok(ApiQuery(decode_form(resolved.as_deref().unwrap_or(query).as_bytes(), "query")?))
    }
}

/// The query with its reference ids resolved (`services::reference_ids`), when it has any.
async fn with_reference_ids_resolved(
    state: &AppState,
    organization: Option<tahoon_domain::ids::OrganizationId>,
    query: &str,
) -> Option<String> {
    let mut pairs: Vec<(String, String)> =
        form_urlencoded::parse(query.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    let before = pairs.clone();
    reference_ids::resolve_in_pairs(state, organization, &mut pairs).await;
    (pairs != before).then(|| form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish())
}

/// Decodes a raw query string (without `?`) into `T`.
pub fn decode_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    check_encoding(query)?;
    decode_form(query.as_bytes(), "query")
}

/// Every key and value is valid percent-encoded UTF-8.
fn check_encoding(query: &str) -> Result<(), ApiError> {
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match (percent_decoded(key), percent_decoded(value)) {
            (Some(_), Some(_)) => {}
            (key, _) => {
                let name = key.filter(|k| !k.is_empty()).unwrap_or_else(|| "query".to_string());
                return Err(ApiError::validation(name, "is not valid percent-encoded UTF-8"));
            }
        }
    }
    Ok(())
}

/// Decodes `application/x-www-form-urlencoded` pairs into `T`, naming the field of any error
/// (`whole` names the input when no field is at fault).
pub(super) fn decode_form<T: DeserializeOwned>(encoded: &[u8], whole: &str) -> Result<T, ApiError> {
    deserialize_named(serde_urlencoded::Deserializer::new(form_urlencoded::parse(encoded)), whole)
}

/// One form-encoded component decoded strictly (`+` is a space; `%` must start two hex digits;
/// the result must be UTF-8), where `form_urlencoded` would pass bad escapes through and replace
/// bad bytes with U+FFFD.
fn percent_decoded(component: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(component.len());
    let mut input = component.bytes();
    while let Some(b) = input.next() {
        bytes.push(match b {
            b'+' => b' ',
            b'%' => {
                let high = hex_digit(input.next()?)?;
                let low = hex_digit(input.next()?)?;
                high << 4 | low
            }
            other => other,
        });
    }
    String::from_utf8(bytes).ok()
}

fn hex_digit(b: u8) -> Option<u8> {
    char::from(b).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use tahoon_domain::reason::Reason;

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Q {
        user_id: String,
        page: Option<i64>,
        time_zone: Option<String>,
    }

    fn refused(query: &str) -> (Reason, String) {
        let e = decode_query::<Q>(query).unwrap_err();
        (e.reason(), e.field_name().unwrap_or_default().to_string())
    }

    #[test]
    fn decodes() {
        let q = decode_query::<Q>("userId=u%20v&page=2&timeZone=Asia%2FRiyadh&other=x").unwrap();
        assert_eq!((q.user_id.as_str(), q.page, q.time_zone.as_deref()), ("u v", Some(2), Some("Asia/Riyadh")));
        let q = decode_query::<Q>("userId=a+b&&").unwrap();
        assert_eq!((q.user_id.as_str(), q.page), ("a b", None));
        assert_eq!(decode_query::<Q>("userId=%D8%B3").unwrap().user_id, "س");
    }

    #[test]
    fn names_the_parameter() {
        let v = |f: &str| (Reason::ValidationFailed, f.to_string());
        assert_eq!(refused(""), (Reason::EmptyParameter, "userId".into()));
        assert_eq!(refused("page=1"), (Reason::EmptyParameter, "userId".into()));
        for page in ["abc", "", "1.5", "9223372036854775808", "%zz", "%FF", "%F", "%"] {
            assert_eq!(refused(&format!("userId=u&page={page}")), v("page"), "page={page}");
        }
        assert_eq!(refused("userId=u&page=1&page=2"), v("page"));
        assert_eq!(refused("userId=a&userId=b"), v("userId"));
        assert_eq!(refused("userId=u&timeZone=%C3%28"), v("timeZone"));
        assert_eq!(refused("userId=u&%FF=1"), v("query"));
        assert_eq!(refused("userId=u&=%FF"), v("query"));
    }
}
