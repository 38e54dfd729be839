//! The response envelope of every partner route (all but the OAuth token routes).

use crate::context::RequestContext;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tahoon_domain::reason::Reason;
use utoipa::ToSchema;

/// `{"status","reason","reasonName","message","data","requestId"}`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Envelope<T> {
    /// 1 on success, 0 otherwise.
    #[schema(maximum = 1)]
    pub status: u8,
    /// Numeric reason code (see the reason table in the docs).
    pub reason: u16,
    /// Name of the reason code, such as `Success` or `UserNotFound`.
    pub reason_name: &'static str,
    /// Human-readable message in the language of `Accept-Language` (`en` or `ar`).
    pub message: String,
    /// The answer's data (`openapi::SecurityAndResponses` documents it as nullable: utoipa loses
    /// that for a generic field).
    pub data: Option<T>,
    /// The request id, also in the `x-request-id` response header.
    pub request_id: String,
}

impl<T: Serialize> Envelope<T> {
    pub fn new(reason: Reason, message: String, data: Option<T>) -> Envelope<T> {
        Envelope {
            status: u8::from(reason == Reason::Success),
            reason: reason.code(),
            reason_name: reason.name(),
            message,
            data,
            request_id: RequestContext::current().request_id,
        }
    }
}

/// A successful response: 200 with `data`.
pub struct Success<T>(pub T);

impl<T: Serialize> IntoResponse for Success<T> {
    fn into_response(self) -> Response {
        let language = RequestContext::current().language;
        let body = Envelope::new(Reason::Success, Reason::Success.message(language).to_string(), Some(self.0));
        (StatusCode::OK, Json(body)).into_response()
    }
}

/// A response that is not an error but not a plain success either, such as RecordAlreadyExist
/// (reason 4, HTTP 200) carrying the existing record.
pub struct Outcome<T> {
    pub reason: Reason,
    pub data: T,
}

impl<T: Serialize> IntoResponse for Outcome<T> {
    fn into_response(self) -> Response {
        let language = RequestContext::current().language;
        let status = StatusCode::from_u16(self.reason.http_status()).unwrap_or(StatusCode::OK);
        let body = Envelope::new(self.reason, self.reason.message(language).to_string(), Some(self.data));
        (status, Json(body)).into_response()
    }
}
