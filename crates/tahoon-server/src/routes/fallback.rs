//! Unknown paths and methods, and panics, answered in the envelope.

use crate::error::ApiError;
use axum::response::{IntoResponse, Response};
use std::any::Any;
use tahoon_domain::reason::Reason;

pub async fn not_found() -> ApiError {
    ApiError::new(Reason::NotFound).with_detail("no such route")
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::new(Reason::MethodNotAllowed)
}

/// A panic in a handler becomes a 500 envelope (the connection is not dropped).
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("non-string panic payload");
    ApiError::internal(anyhow::anyhow!("handler panicked: {what}")).into_response()
}
