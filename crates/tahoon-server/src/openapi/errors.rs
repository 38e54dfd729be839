//! The error answers: the envelope as errors carry it, and the shared responses each kind of
//! route lists.

use super::*;

/// The envelope of an answer that is not a success: `status` 0, the reason, a message, and in
/// `data` what helps the client (or `null`).
#[derive(serde::Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct ErrorEnvelope {
    /// 0.
    #[schema(minimum = 0, maximum = 0)]
    status: u8,
    /// The reason code (the table in `docs/API-DESIGN.md`), such as 105.
    reason: u16,
    /// The reason's name, such as `ValidationFailed`.
    reason_name: String,
    /// What went wrong, in the language of `Accept-Language`; ends with `(field: what is wrong)`
    /// for an input error.
    message: String,
    data: Option<ErrorData>,
    /// The request id, also in the `x-request-id` response header.
    request_id: String,
}

/// What an error answer tells besides its reason.
#[derive(serde::Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct ErrorData {
    /// The offending field, with its JSON path (`answers[1].questionId`), query or path parameter.
    field: Option<String>,
    /// On a `secureHash` mismatch: the exact string the server signed.
    canonical_string: Option<String>,
    /// On 115 ActiveBookingLimitReached: the organization's cap.
    max_active_bookings_per_user: Option<i64>,
}

/// The error responses (`#/components/responses/…`), each an [`ErrorEnvelope`].
pub(super) const ERROR_RESPONSES: &[(&str, &str)] = &[
    (
        "BadRequest",
        "Input refused: 1 EmptyParameter (a required field or parameter is missing, or the body is not JSON), \
         105 ValidationFailed (a wrong type, an unknown field, a refused value), 18 UserNotFound (no such user in \
         this organization). `data.field` names the field.",
    ),
    (
        "Unauthorized",
        "101 InvalidToken: the bearer token is missing, malformed, expired or revoked, or its organization is \
         disabled; on a signed route also 102 InvalidSignature (missing, wrong, stale or replayed).",
    ),
    ("Forbidden", "103 Forbidden: the key's role (ReadOnly) may not change data."),
    (
        "NotFound",
        "104 NotFound: no such resource in this organization (another organization's id gets the same answer), \
         or 16 NotAllowed: the slot is not available, or the booking's status or the organization's policy does \
         not allow the change.",
    ),
    (
        "Conflict",
        "107 IdempotencyConflict: the `Idempotency-Key` was used with another request, or its first request is \
         still running; on booking also 115 ActiveBookingLimitReached (`data.maxActiveBookingsPerUser`); on \
         webhooks 117 WebhookEndpointLimitReached, 118 WebhookEndpointDisabled, 119 WebhookDeliveryInFlight.",
    ),
    (
        "TooManyRequests",
        "106 RateLimited: over the organization's requests per minute (or, on the token routes, the client \
         address's or the access key's); `Retry-After` says in how many seconds a request is allowed again. Every \
         partner answer carries `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` and `RateLimit-Policy` \
         (docs/rate-limits.md).",
    ),
    ("PayloadTooLarge", "110 PayloadTooLarge: the body is over the server's limit (256 KiB by default)."),
    ("UnsupportedMediaType", "111 UnsupportedMediaType: a body sent with a content type other than JSON."),
    (
        "VendorUnavailable",
        "108 VendorUnavailable: the video service is unreachable, too slow, refusing or answering garbage, or is \
         not configured; a booking or a reschedule that answers it changed nothing (retry later).",
    ),
];

fn error_refs(statuses: &[(&str, &str)]) -> BTreeMap<String, RefOr<utoipa::openapi::Response>> {
    statuses.iter().map(|(status, name)| (status.to_string(), Ref::from_response_name(*name).into())).collect()
}

/// Declares a set of error responses that a kind of route gives.
macro_rules! error_set {
    ($(#[doc = $doc:literal])+ $name:ident: [$(($status:literal, $response:literal)),+ $(,)?]) => {
        $(#[doc = $doc])+
        pub struct $name;
        impl utoipa::IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<utoipa::openapi::Response>> {
                error_refs(&[$(($status, $response)),+])
            }
        }
    };
}

error_set! {
    /// A partner route that reads a JSON body (search, schedule, profile).
    ReadErrors: [
        ("400", "BadRequest"), ("401", "Unauthorized"), ("413", "PayloadTooLarge"), ("415", "UnsupportedMediaType"),
        ("429", "TooManyRequests")
    ]
}
error_set! {
    /// A partner route without a body (query and path parameters only).
    QueryErrors: [("400", "BadRequest"), ("401", "Unauthorized"), ("429", "TooManyRequests")]
}
error_set! {
    /// A signed partner route with a JSON body that changes data (and honours `Idempotency-Key`).
    SignedErrors: [
        ("400", "BadRequest"), ("401", "Unauthorized"), ("403", "Forbidden"), ("409", "Conflict"),
        ("413", "PayloadTooLarge"), ("415", "UnsupportedMediaType"), ("429", "TooManyRequests")
    ]
}
error_set! {
    /// A signed partner route without a body (a body, or a content type other than JSON, is refused).
    SignedNoBodyErrors: [
        ("400", "BadRequest"), ("401", "Unauthorized"), ("415", "UnsupportedMediaType"), ("429", "TooManyRequests")
    ]
}
error_set! {
    /// An operator route with a JSON body.
    OperatorErrors: [("400", "BadRequest"), ("401", "Unauthorized"), ("413", "PayloadTooLarge"), ("415", "UnsupportedMediaType")]
}

/// Reference to one error response, for the statuses a single route adds to its set.
macro_rules! error_response {
    ($($name:ident),+) => {
        $(
            #[doc = concat!("The `", stringify!($name), "` error response.")]
            pub struct $name;
            impl<'r> utoipa::ToResponse<'r> for $name {
                fn response() -> (&'r str, RefOr<utoipa::openapi::Response>) {
                    (stringify!($name), Ref::from_response_name(stringify!($name)).into())
                }
            }
        )+
    };
}

error_response!(
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    VendorUnavailable,
    UnsupportedMediaType,
    TooManyRequests
);
