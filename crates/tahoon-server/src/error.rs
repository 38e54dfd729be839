//! The one error type at the HTTP edge, mapped once to the envelope.

use crate::context::RequestContext;
use crate::envelope::Envelope;
use crate::services::error::{Refusal, ServiceError};
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tahoon_domain::paging::PageError;
use tahoon_domain::reason::Reason;
use tahoon_store::StoreError;

#[derive(Debug)]
pub struct ApiError {
    reason: Reason,
    /// The offending field, for input errors (`answers[0].questionId`).
    field: Option<String>,
    /// What is wrong, in English, shown after the localized message.
    detail: Option<String>,
    /// Extra facts for the client in `data` (never secrets).
    data: Option<Value>,
    /// Seconds, for 429 and 503.
    retry_after: Option<u64>,
    /// The cause of a 5xx: logged with the request id, never sent.
    cause: Option<anyhow::Error>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(reason: Reason) -> ApiError {
        ApiError { reason, field: None, detail: None, data: None, retry_after: None, cause: None }
    }

    /// An input error naming the field.
    pub fn field(reason: Reason, field: impl Into<String>, detail: impl Into<String>) -> ApiError {
        ApiError { field: Some(field.into()), detail: Some(detail.into()), ..ApiError::new(reason) }
    }

    pub fn validation(field: impl Into<String>, detail: impl Into<String>) -> ApiError {
        ApiError::field(Reason::ValidationFailed, field, detail)
    }

    pub fn internal(cause: impl Into<anyhow::Error>) -> ApiError {
        ApiError { cause: Some(cause.into()), ..ApiError::new(Reason::InternalError) }
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> ApiError {
        self.detail = Some(detail.into());
        self
    }

    pub fn with_data(mut self, data: Value) -> ApiError {
        self.data = Some(data);
        self
    }

    pub fn with_retry_after(mut self, secs: u64) -> ApiError {
        self.retry_after = Some(secs);
        self
    }

    pub fn reason(&self) -> Reason {
        self.reason
    }

    /// The envelope's message: the reason's text in `language`, then what is wrong.
    pub fn message(&self, language: tahoon_domain::reason::Language) -> String {
        let mut message = self.reason.message(language).to_string();
        match (&self.field, &self.detail) {
            (Some(field), Some(detail)) => message.push_str(&format!(" ({field}: {detail})")),
            (Some(field), None) => message.push_str(&format!(" ({field})")),
            (None, Some(detail)) => message.push_str(&format!(" ({detail})")),
            (None, None) => {}
        }
        message
    }

    pub fn field_name(&self) -> Option<&str> {
        self.field.as_deref()
    }

    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        ApiError::internal(e)
    }
}

/// An error and its sources, as one line: "outer: inner: innermost".
pub fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(tahoon_domain::reason::Language::English))
    }
}

impl std::error::Error for ApiError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause.as_ref().map(|cause| cause.as_ref() as &(dyn std::error::Error + 'static))
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> ApiError {
        match e {
            ServiceError::Refused(r) => {
                ApiError { field: r.field, detail: r.detail, data: r.data, ..ApiError::new(r.reason) }
            }
            ServiceError::Unauthenticated(_) | ServiceError::InvalidGrant | ServiceError::RefreshReused(_) => {
                ApiError::new(Reason::InvalidToken)
            }
            ServiceError::Store(e) => ApiError::internal(e),
            ServiceError::Internal(what) => ApiError::internal(anyhow::anyhow!(what)),
        }
    }
}

impl From<Refusal> for ApiError {
    fn from(r: Refusal) -> ApiError {
        ApiError::from(ServiceError::Refused(r))
    }
}

impl From<ApiError> for Response {
    fn from(e: ApiError) -> Response {
        e.into_response()
    }
}

impl From<PageError> for ApiError {
    fn from(e: PageError) -> ApiError {
        ApiError::validation(e.field(), e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let context = RequestContext::current();
        let status = StatusCode::from_u16(self.reason.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_server_error() {
            match &self.cause {
                Some(cause) => {
                    tracing::error!(request_id = %context.request_id, error = %format!("{cause:#}"), "request failed")
                }
                None => {
                    tracing::error!(request_id = %context.request_id, reason = self.reason.name(), "request failed")
                }
            }
        }
        let message = self.message(context.language);
        let data = match (self.field, self.data) {
            (Some(field), Some(Value::Object(mut extra))) => {
                extra.insert("field".into(), json!(field));
                Some(Value::Object(extra))
            }
            (Some(field), _) => Some(json!({ "field": field })),
            (None, data) => data,
        };
        let mut response = (status, Json(Envelope::new(self.reason, message, data))).into_response();
        if let Some(secs) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if self.reason == Reason::InvalidToken {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"tahoon\""));
        }
        response
    }
}
