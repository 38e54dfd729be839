//! Reading and decoding request bodies, shared by `ApiJson` and `Signed`, and naming the field of
//! a deserialization error, shared with `ApiQuery` and `ApiPath`.

use super::dialect::Dialect;
use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer};
use serde_json::Value;
use tahoon_domain::reason::Reason;

/// The raw body, refusing non-JSON content types (in the authenticated organization's dialect)
/// and bodies over the limit (413).
pub async fn read_json_bytes<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    if let Some(content_type) = req.headers().get(header::CONTENT_TYPE) {
        let dialect = Dialect::of_request(req.extensions());
        let is_json = content_type
            .to_str()
            .ok()
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| dialect.accepts_media_type(mime));
        if !is_json {
            return Err(ApiError::new(Reason::UnsupportedMediaType));
        }
    }
    Bytes::from_request(req, state).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(Reason::PayloadTooLarge)
        } else {
            ApiError::field(Reason::EmptyParameter, "body", "the request body could not be read")
        }
    })
}

/// Parses bytes as JSON into a `Value`; malformed JSON is EmptyParameter naming `body`.
pub fn parse_value(bytes: &[u8]) -> Result<Value, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::field(Reason::EmptyParameter, "body", "a JSON object is required"));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        ApiError::field(Reason::EmptyParameter, "body", format!("malformed JSON: {}", without_position(&e)))
    })
}

/// Deserializes a parsed body into `T`, naming the field of the first error.
pub fn decode<T: DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    deserialize_named(value, "body")
}

/// Deserializes `T` from any input (a JSON value, a query string, path parameters), naming the
/// field of the first error; an error about the input as a whole names `whole`.
pub(super) fn deserialize_named<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
    whole: &str,
) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        field_error(&path, &inner.to_string(), whole)
    })
}

/// Maps one serde error at `path` to our error: a missing field is EmptyParameter (the reference's
/// code), anything else about a field is ValidationFailed; both name the field.
fn field_error(path: &str, message: &str, whole: &str) -> ApiError {
    let path = if path == "." { "" } else { path };
    let join = |name: &str| {
        if path.is_empty() { name.to_string() } else { format!("{path}.{name}") }
    };
    if let Some(name) = backticked(message, "missing field `") {
        return ApiError::field(Reason::EmptyParameter, join(name), "is required");
    }
    if let Some(name) = backticked(message, "unknown field `") {
        // For unknown fields the path already ends at the field itself.
        let field = if path.is_empty() { name.to_string() } else { path.to_string() };
        return ApiError::validation(field, "is not a known field");
    }
    if let Some(name) = backticked(message, "duplicate field `") {
        // Raised by the object itself, so the path ends before the field.
        return ApiError::validation(join(name), "is given more than once");
    }
    let field = if path.is_empty() { whole.to_string() } else { path.to_string() };
    ApiError::validation(field, message.to_string())
}

fn backticked<'a>(message: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = message.strip_prefix(prefix)?;
    rest.split('`').next()
}

fn without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Inner {
        question_id: i64,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Outer {
        user_id: String,
        answers: Vec<Inner>,
    }

    fn err(v: Value) -> ApiError {
        decode::<Outer>(v).unwrap_err()
    }

    #[test]
    fn names_the_field() {
        let e = err(json!({"answers": []}));
        assert_eq!((e.reason(), e.field_name()), (Reason::EmptyParameter, Some("userId")));
        let e = err(json!({"userId": "u", "answers": [{}]}));
        assert_eq!((e.reason(), e.field_name()), (Reason::EmptyParameter, Some("answers[0].questionId")));
        let e = err(json!({"userId": "u", "answers": [], "extra": 1}));
        assert_eq!((e.reason(), e.field_name()), (Reason::ValidationFailed, Some("extra")));
        let e = err(json!({"userId": 5, "answers": []}));
        assert_eq!((e.reason(), e.field_name()), (Reason::ValidationFailed, Some("userId")));
        let e = err(json!(5));
        assert_eq!((e.reason(), e.field_name()), (Reason::ValidationFailed, Some("body")));
    }

    #[test]
    fn malformed_json_is_empty_parameter() {
        let e = parse_value(b"{\"a\":").unwrap_err();
        assert_eq!((e.reason(), e.field_name()), (Reason::EmptyParameter, Some("body")));
        assert!(!e.detail().unwrap().contains("line"));
        assert!(parse_value(b"  ").is_err());
    }
}
