//! Deserializing with the field of the first error named: request bodies (`dialect`), query
//! strings (`ApiQuery`) and path parameters (`ApiPath`) all report a failure this one way.

use crate::error::ApiError;
use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer};
use serde_json::Value;
use tahoon_domain::reason::Reason;

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
}
