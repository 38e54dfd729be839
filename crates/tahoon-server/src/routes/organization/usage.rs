//! `GET /organization/usage?from=&to=`: billable sessions for invoicing.

use crate::envelope::{Envelope, Success};
use crate::error::{ApiError, ApiResult};
use crate::extract::auth::Partner;
use crate::extract::query::ApiQuery;
use crate::openapi::{BookingId, BookingStatusName, CareProviderId, Date, QueryErrors, UserId};
use crate::state::AppState;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UsageQuery {
    /// First day (UTC, `YYYY-MM-DD`), inclusive. Default: the first of this month.
    #[param(value_type = Date, required = false)]
    pub from: Option<String>,
    /// Last day (UTC, `YYYY-MM-DD`), inclusive, not before `from`. Default: today.
    #[param(value_type = Date, required = false)]
    pub to: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BillableSession {
    #[schema(value_type = BookingId)]
    pub booking_id: String,
    #[schema(value_type = UserId)]
    pub user_id: String,
    #[schema(value_type = CareProviderId)]
    pub care_provider_id: String,
    #[schema(format = DateTime)]
    pub start_utc: String,
    #[schema(value_type = BookingStatusName)]
    pub status_name: String,
    pub price: f64,
    pub currency: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CurrencyTotal {
    pub currency: String,
    pub sessions: i64,
    pub amount: f64,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    #[schema(value_type = Date)]
    pub from: String,
    #[schema(value_type = Date)]
    pub to: String,
    /// Confirmed, Completed and NoShow sessions starting in the period, earliest first.
    pub sessions: Vec<BillableSession>,
    pub totals: Vec<CurrencyTotal>,
}

fn date(field: &'static str, text: &str) -> ApiResult<jiff::civil::Date> {
    text.trim()
        .parse()
        .ok()
        .filter(|_| text.trim().len() == 10)
        .ok_or_else(|| ApiError::validation(field, "must be a date written YYYY-MM-DD"))
}

/// Billable usage of the calling organization.
#[utoipa::path(
    get,
    path = "/organization/usage",
    tag = "sessionbooking",
    params(UsageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Billable sessions of the period and their totals by currency", body = Envelope<Usage>),
        QueryErrors
    )
)]
pub async fn usage(
    State(state): State<AppState>,
    Partner(auth): Partner,
    ApiQuery(q): ApiQuery<UsageQuery>,
) -> ApiResult<Success<Usage>> {
    let utc = jiff::tz::TimeZone::UTC;
    let today = utc.to_datetime(state.clock.now()).date();
    let from = q.from.as_deref().map(|d| date("from", d)).transpose()?.unwrap_or(today.first_of_month());
    let to = q.to.as_deref().map(|d| date("to", d)).transpose()?.unwrap_or(today);
    if to < from {
        return Err(ApiError::validation("to", "must not be before from"));
    }
    let start = |d: jiff::civil::Date| {
        utc.to_ambiguous_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
            .compatible()
            .unwrap_or(jiff::Timestamp::MAX)
    };
    let bookings = state
        .store
        .organization_bookings(auth.organization.id, start(from), start(to.tomorrow().unwrap_or(to)))
        .await?;
    let mut totals: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    let mut sessions = Vec::new();
    for b in bookings.iter().filter(|b| b.status.is_billable()) {
        let entry = totals.entry(b.currency.clone()).or_default();
        entry.0 += 1;
        entry.1 += b.price_minor;
        sessions.push(BillableSession {
            booking_id: state.ids.encode(b.id),
            user_id: state.ids.encode(b.user_id),
            care_provider_id: state.ids.encode(b.provider_id),
            start_utc: b.starts_at.to_string(),
            status_name: b.status.name().into(),
            price: b.price_minor as f64 / 100.0,
            currency: b.currency.clone(),
        });
    }
    Ok(Success(Usage {
        from: from.to_string(),
        to: to.to_string(),
        sessions,
        totals: totals
            .into_iter()
            .map(|(currency, (sessions, minor))| CurrencyTotal { currency, sessions, amount: minor as f64 / 100.0 })
            .collect(),
    }))
}
