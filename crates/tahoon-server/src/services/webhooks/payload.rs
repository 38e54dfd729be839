//! The body a receiver gets for an outbox event: `{"type", "timestamp", "data"}` (Standard
//! Webhooks), `data` thin by construction. Only the fields named here are copied out of the stored
//! event, so no name, date of birth, answer or score can reach a receiver, and row ids are turned
//! into public ids here (the store, which writes some events, cannot encode them).

use crate::state::AppState;
use serde_json::{Map, Value, json};
use tahoon_domain::booking::BookingStatus;
use tahoon_domain::ids::{Id, IdKind, kind};
use tahoon_store::OutboxEvent;

/// The booking fields every booking event carries.
const BOOKING_FIELDS: [&str; 5] = ["bookingId", "userId", "careProviderId", "startUtc", "endUtc"];

/// The booking's status once the event happened.
fn booking_status(event_type: &str) -> Option<BookingStatus> {
    Some(match event_type {
        "booking.confirmed" | "booking.rescheduled" | "booking.reminder" => BookingStatus::Confirmed,
        "booking.failed" => BookingStatus::Failed,
        "booking.cancelled" => BookingStatus::Cancelled,
        "booking.completed" => BookingStatus::Completed,
        "booking.no_show" => BookingStatus::NoShow,
        _ => return None,
    })
}

fn copy(from: &Map<String, Value>, to: &mut Map<String, Value>, fields: &[&str]) {
    for field in fields {
        if let Some(value) = from.get(*field) {
            to.insert((*field).into(), value.clone());
        }
    }
}

/// A row id stored under `field`, encoded as `K`'s public id under `public`.
fn public<K: IdKind>(
    state: &AppState,
    from: &Map<String, Value>,
    field: &str,
    public: &str,
    to: &mut Map<String, Value>,
) {
    if let Some(row) = from.get(field).and_then(Value::as_i64) {
        to.insert(public.into(), state.ids.encode(Id::<K>::new(row)).into());
    }
}

/// The event's `data`; `Err` for an event no receiver is sent.
fn data(state: &AppState, event: &OutboxEvent) -> Result<Map<String, Value>, String> {
    let stored: Map<String, Value> =
        serde_json::from_str(&event.payload).map_err(|_| format!("event {} is not a JSON object", event.id.get()))?;
    let mut data = Map::new();
    let kind = event.event_type.as_str();
    if let Some(status) = booking_status(kind) {
        copy(&stored, &mut data, &BOOKING_FIELDS);
        data.insert("status".into(), status.name().into());
        if kind == "booking.reminder" {
            copy(&stored, &mut data, &["offsetMinutes"]);
        }
        return Ok(data);
    }
    match kind {
        "user.registered" | "user.erased" => {
            copy(&stored, &mut data, &["userId"]);
            public::<kind::User>(state, &stored, "userRowId", "userId", &mut data);
        }
        "assessment.submitted" | "assessment.risk_flagged" => {
            copy(&stored, &mut data, &["userId", "instrument"]);
            public::<kind::User>(state, &stored, "userRowId", "userId", &mut data);
            public::<kind::Assessment>(state, &stored, "assessmentRowId", "assessmentId", &mut data);
        }
        "webhook.test" => {
            copy(&stored, &mut data, &["endpointId"]);
            data.insert(
                "message".into(),
                "A test event from Tahoon: your endpoint receives and verifies webhooks.".into(),
            );
        }
        other => return Err(format!("{other} events are not sent to webhooks")),
    }
    Ok(data)
}

/// The exact bytes sent (and signed) for `event`: the same on every attempt.
pub fn body(state: &AppState, event: &OutboxEvent) -> Result<Vec<u8>, String> {
    let body = json!({
        "type": event.event_type,
        "timestamp": event.created_at.to_string(),
        "data": data(state, event)?,
    });
    Ok(serde_json::to_vec(&body).expect("JSON values serialize"))
}
