//! `POST /sessionbooking/bulk`: up to 50 bookings, each succeeding or failing on its own.

use super::book::{BookRequest, book_one};
use super::views::BookingView;
use crate::context::RequestContext;
use crate::envelope::{Envelope, Success};
use crate::error::{ApiError, ApiResult};
use crate::extract::signed::Signed;
use crate::openapi::{Idempotency, SignedErrors};
use crate::state::AppState;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use tahoon_domain::reason::Reason;
use utoipa::ToSchema;

pub const MAX_BULK: usize = 50;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BulkRequest {
    /// 1 to 50 booking requests (the fields of `booksession`; a `secureHash` among them signs nothing).
    #[schema(min_items = 1, max_items = 50)]
    pub bookings: Vec<BookRequest>,
}

/// One item's outcome, in the envelope's terms.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BulkItem {
    pub index: usize,
    pub status: u8,
    pub reason: u16,
    pub reason_name: &'static str,
    pub message: String,
    pub data: Option<BookingView>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BulkResult {
    pub succeeded: usize,
    pub failed: usize,
    pub results: Vec<BulkItem>,
}

/// Book several sessions.
///
/// Signed with the `X-Tahoon-Signature` header (`secureHash` would not cover the array, so it is
/// refused here). Items are booked in order, each on its own: one failing does not undo the
/// others. Each result carries the reason a single `booksession` would have answered.
#[utoipa::path(
    post,
    path = "/sessionbooking/bulk",
    tag = "sessionbooking",
    request_body = BulkRequest,
    security(("bearer" = [], "signature" = [])),
    extensions(("x-tahoon-signature" = json!({"forms": ["header"], "signs": "body"}))),
    params(Idempotency),
    responses(
        (status = 200, description = "Every item's outcome, in order (one failing does not undo the others)",
            body = Envelope<BulkResult>,
            links(("getBooking" = (operation_id = "get_booking", parameters(("bookingId" = "$response.body#/data/results/0/data/bookingId")))))),
        SignedErrors
    )
)]
pub async fn bulk_book(State(state): State<AppState>, request: Signed<BulkRequest>) -> ApiResult<Success<BulkResult>> {
    let items = request.body.bookings;
    if items.is_empty() {
        return Err(ApiError::field(Reason::EmptyParameter, "bookings", "at least one booking is required"));
    }
    if items.len() > MAX_BULK {
        return Err(ApiError::validation("bookings", format!("at most {MAX_BULK} per request")));
    }
    let language = RequestContext::current().language;
    let mut results = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        let outcome = book_one(&state, &request.auth.organization, item).await;
        results.push(match outcome {
            Ok(view) => BulkItem {
                index,
                status: 1,
                reason: Reason::Success.code(),
                reason_name: Reason::Success.name(),
                message: Reason::Success.message(language).into(),
                data: Some(view),
            },
            Err(e) => {
                if e.reason().http_status() >= 500 {
                    tracing::warn!(index, reason = e.reason().name(), "bulk item failed");
                }
                BulkItem {
                    index,
                    status: 0,
                    reason: e.reason().code(),
                    reason_name: e.reason().name(),
                    message: e.message(language),
                    data: None,
                }
            }
        });
    }
    let succeeded = results.iter().filter(|r| r.status == 1).count();
    Ok(Success(BulkResult { succeeded, failed: results.len() - succeeded, results }))
}
