//! A provider's availability as the operator writes it (weekly windows, dated exceptions,
//! notice, horizon, buffer), and its parsing into the domain's rules.

use crate::services::error::{Refusal, ServiceResult};
use serde::{Deserialize, Serialize};
use tahoon_domain::availability::{
    BookingPolicy, DatedException, ExceptionKind, LocalWindow, WeeklyRule, format_clock, parse_clock,
    weekday_from_number,
};
use tahoon_domain::provider::CareProvider;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"weekday": 1, "startTime": "09:00", "endTime": "17:00"}))]
pub struct WeeklyWindowInput {
    /// 1 (Monday) to 7 (Sunday).
    #[schema(minimum = 1, maximum = 7)]
    pub weekday: i64,
    /// Provider-local `HH:MM`.
    #[schema(value_type = crate::openapi::ClockTime)]
    pub start_time: String,
    /// Provider-local `HH:MM`, after `startTime`; `24:00` for midnight.
    #[schema(value_type = crate::openapi::ClockTime)]
    pub end_time: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"date": "2026-12-24", "kind": "timeOff"}))]
pub struct ExceptionInput {
    /// Provider-local date, `YYYY-MM-DD`.
    #[schema(value_type = crate::openapi::Date)]
    pub date: String,
    #[schema(value_type = crate::openapi::ExceptionKindName)]
    pub kind: ExceptionKind,
    /// Omit both times for a whole day off; give both for extra hours.
    #[schema(value_type = Option<crate::openapi::ClockTime>)]
    pub start_time: Option<String>,
    #[schema(value_type = Option<crate::openapi::ClockTime>)]
    pub end_time: Option<String>,
}

/// A provider's availability, in the provider's own time zone.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AvailabilityInput {
    /// A slot must start at least this many minutes from now (0–10080).
    #[schema(minimum = 0, maximum = 10_080)]
    pub minimum_notice_minutes: u32,
    /// Slots are offered this many days ahead (1–365).
    #[schema(minimum = 1, maximum = 365)]
    pub booking_horizon_days: u32,
    /// Kept free before and after every booked session (0–240).
    #[schema(minimum = 0, maximum = 240)]
    pub buffer_minutes: u32,
    pub weekly_availability: Vec<WeeklyWindowInput>,
    #[serde(default)]
    pub exceptions: Vec<ExceptionInput>,
}

fn clock(field: String, value: &str) -> Result<u16, Refusal> {
    parse_clock(value).map_err(|e| Refusal::validation(field, e.to_string()))
}

impl AvailabilityInput {
    pub fn parse(&self, at: &str) -> ServiceResult<(BookingPolicy, Vec<WeeklyRule>, Vec<DatedException>)> {
        if self.minimum_notice_minutes > 10_080 {
            return Err(Refusal::validation(format!("{at}minimumNoticeMinutes"), "must be 0 to 10080").into());
        }
        if !(1..=365).contains(&self.booking_horizon_days) {
            return Err(Refusal::validation(format!("{at}bookingHorizonDays"), "must be 1 to 365").into());
        }
        if self.buffer_minutes > 240 {
            return Err(Refusal::validation(format!("{at}bufferMinutes"), "must be 0 to 240").into());
        }
        let mut weekly = Vec::new();
        for (i, w) in self.weekly_availability.iter().enumerate() {
            let field = |name: &str| format!("{at}weeklyAvailability[{i}].{name}");
            let weekday =
                weekday_from_number(w.weekday).map_err(|e| Refusal::validation(field("weekday"), e.to_string()))?;
            let window =
                LocalWindow::new(clock(field("startTime"), &w.start_time)?, clock(field("endTime"), &w.end_time)?)
                    .map_err(|e| Refusal::validation(field("endTime"), e.to_string()))?;
            weekly.push(WeeklyRule { weekday, window });
        }
        let mut exceptions = Vec::new();
        for (i, e) in self.exceptions.iter().enumerate() {
            let field = |name: &str| format!("{at}exceptions[{i}].{name}");
            let date = e
                .date
                .parse::<jiff::civil::Date>()
                .ok()
                .filter(|_| e.date.len() == 10)
                .ok_or_else(|| Refusal::validation(field("date"), "must be a date written YYYY-MM-DD"))?;
            let window = match (&e.start_time, &e.end_time, e.kind) {
                (None, None, ExceptionKind::TimeOff) => LocalWindow::whole_day(),
                (Some(start), Some(end), _) => {
                    LocalWindow::new(clock(field("startTime"), start)?, clock(field("endTime"), end)?)
                        .map_err(|err| Refusal::validation(field("endTime"), err.to_string()))?
                }
                _ => {
                    return Err(Refusal::validation(
                        field("startTime"),
                        "give both startTime and endTime (extra hours need them)",
                    )
                    .into());
                }
            };
            exceptions.push(DatedException { date, kind: e.kind, window });
        }
        let policy = BookingPolicy {
            min_notice_minutes: self.minimum_notice_minutes,
            horizon_days: self.booking_horizon_days,
            buffer_minutes: self.buffer_minutes,
        };
        Ok((policy, weekly, exceptions))
    }

    pub fn from_provider(p: &CareProvider) -> AvailabilityInput {
        AvailabilityInput {
            minimum_notice_minutes: p.policy.min_notice_minutes,
            booking_horizon_days: p.policy.horizon_days,
            buffer_minutes: p.policy.buffer_minutes,
            weekly_availability: p
                .weekly
                .iter()
                .map(|r| WeeklyWindowInput {
                    weekday: i64::from(r.weekday.to_monday_one_offset()),
                    start_time: format_clock(r.window.start()),
                    end_time: format_clock(r.window.end()),
                })
                .collect(),
            exceptions: p
                .exceptions
                .iter()
                .map(|e| {
                    let whole = e.window == LocalWindow::whole_day() && e.kind == ExceptionKind::TimeOff;
                    ExceptionInput {
                        date: e.date.to_string(),
                        kind: e.kind,
                        start_time: (!whole).then(|| format_clock(e.window.start())),
                        end_time: (!whole).then(|| format_clock(e.window.end())),
                    }
                })
                .collect(),
        }
    }
}
