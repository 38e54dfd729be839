//! Reading request bodies, shared by `ApiJson` and `Signed`: the media type (in the organization's
//! dialect), the size limit, and JSON parsing.

use super::dialect::Dialect;
use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
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
    use tahoon_domain::reason::Reason;

    #[test]
    fn malformed_json_is_empty_parameter() {
        let e = parse_value(b"{\"a\":").unwrap_err();
        assert_eq!((e.reason(), e.field_name()), (Reason::EmptyParameter, Some("body")));
        assert!(!e.detail().unwrap().contains("line"));
        assert!(parse_value(b"  ").is_err());
    }
}
