//! `GET /user/bookings`: a user's booking history.

use crate::envelope::{Envelope, Success};
use crate::error::{ApiError, ApiResult};
use crate::extract::auth::Partner;
use crate::extract::query::ApiQuery;
use crate::openapi::{BookingStatusFilter, DateOrInstant, QueryErrors, TimeZoneName, UserId};
use crate::routes::sessionbooking::views::{BookingView, booking_view};
use crate::services::audit::AuditEvent;
use crate::services::users;
use crate::state::AppState;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tahoon_domain::booking::BookingStatus;
use tahoon_domain::paging::{PageLimits, PageRequest};
use tahoon_domain::reason::Reason;
use tahoon_store::BookingQuery;
use utoipa::{IntoParams, ToSchema};

/// 20 bookings a page by default, at most 100.
pub const PAGE_LIMITS: PageLimits = PageLimits::new(20, 100);

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct HistoryQuery {
    #[param(value_type = UserId, required = true)]
    pub user_id: Option<String>,
    /// A status name (`Confirmed`, `Cancelled`, …) or code (1, 3, …).
    #[param(value_type = BookingStatusFilter, required = false)]
    pub status: Option<String>,
    /// Sessions starting at or after this instant (RFC 3339) or date (`YYYY-MM-DD`, UTC).
    #[param(value_type = DateOrInstant, required = false)]
    pub from: Option<String>,
    /// Sessions starting before this instant or date.
    #[param(value_type = DateOrInstant, required = false)]
    pub to: Option<String>,
    /// 1-based page number, 1–1,000,000 (default 1).
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<i64>,
    /// Bookings per page, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<i64>,
    /// Zone to show slots in (UTC by default).
    #[param(value_type = TimeZoneName, required = false)]
    pub time_zone: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BookingHistory {
    /// Earliest session first.
    pub bookings_list: Vec<BookingView>,
    pub total_count: i64,
    pub page: i64,
    pub page_size: i64,
}

pub(crate) fn instant(field: &'static str, text: &str) -> ApiResult<jiff::Timestamp> {
    let text = text.trim();
    if let Ok(t) = text.parse::<jiff::Timestamp>() {
        return Ok(t);
    }
    text.parse::<jiff::civil::Date>()
        .ok()
        .filter(|_| text.len() == 10)
        .and_then(|d| {
            jiff::tz::TimeZone::UTC
                .to_ambiguous_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
                .compatible()
                .ok()
        })
        .ok_or_else(|| ApiError::validation(field, "must be an RFC 3339 instant or a date YYYY-MM-DD"))
}

/// A user's bookings, filtered and paged.
#[utoipa::path(
    get,
    path = "/user/bookings",
    tag = "user",
    params(HistoryQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of the user's bookings, earliest session first", body = Envelope<BookingHistory>),
        QueryErrors
    )
)]
pub async fn booking_history(
    State(state): State<AppState>,
    Partner(auth): Partner,
    ApiQuery(q): ApiQuery<HistoryQuery>,
) -> ApiResult<Success<BookingHistory>> {
    let organization_id = auth.organization.id;
    let page = PageRequest::new(q.page, q.page_size, PAGE_LIMITS)?;
    let user = q
        .user_id
        .as_deref()
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| ApiError::field(Reason::EmptyParameter, "userId", "is required"))?;
    let user_id = users::owned_user(&state, organization_id, user).await?;
    let status = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            s.parse::<i64>()
                .ok()
                .and_then(BookingStatus::from_code)
                .or_else(|| BookingStatus::from_name(s))
                .ok_or_else(|| ApiError::validation("status", "must be a booking status name or code"))?,
        ),
    };
    let from = q.from.as_deref().map(|f| instant("from", f)).transpose()?;
    let to = q.to.as_deref().map(|t| instant("to", t)).transpose()?;
    let zone = crate::routes::careprovider::views::caller_day(
        q.time_zone.as_deref(),
        None,
        None,
        &crate::routes::careprovider::views::default_zone(&auth.organization),
        state.clock.now(),
    )?
    .zone;
    let (bookings, total) = state
        .store
        .user_bookings(BookingQuery {
            organization_id,
            user_id,
            status,
            from,
            to,
            offset: page.offset(),
            limit: page.limit(),
        })
        .await?;
    state
        .audit
        .record(
            AuditEvent::success("user.bookings_read", Some(organization_id), format!("org:{}", organization_id.get()))
                .details(json!({ "user": user_id.get() })),
        )
        .await?;
    Ok(Success(BookingHistory {
        bookings_list: bookings.iter().map(|b| booking_view(&state, b, &zone)).collect(),
        total_count: total,
        page: page.page(),
        page_size: page.page_size(),
    }))
}
