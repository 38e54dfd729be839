//! Reminders before sessions (docs/webhooks.md, "Reminders"): the offsets an organization and a
//! user choose, and the pass that sends due reminders as `booking.reminder` events (delivered as
//! webhooks and pushed to the provider, like every outbox event).
//!
//! Each reminder is a row scheduled in the transaction that confirms, moves or ends its booking;
//! the pass marks it sent in the transaction that writes its event, so each is sent once, a
//! restart loses nothing, and a cancelled or moved booking's old reminders never go.

use crate::services::error::{Refusal, ServiceResult};
use crate::state::AppState;
use serde_json::json;
use tahoon_domain::ids::{OrganizationId, UserId};
use tahoon_domain::reminders::{ReminderOffsets, effective};

/// At most this many reminders per pass; the rest wait for the next.
const MAX_PER_PASS: i64 = 500;

/// Offsets as a client sent them, checked; errors name `field`.
pub fn offsets(field: &str, minutes: &[i64]) -> ServiceResult<ReminderOffsets> {
    Ok(ReminderOffsets::parse(minutes).map_err(|e| {
        let text = e.to_string();
        match text.strip_prefix('[').and_then(|rest| rest.split_once("]: ")) {
            Some((index, detail)) => Refusal::validation(format!("{field}[{index}]"), detail),
            None => Refusal::validation(field, text),
        }
    })?)
}

/// Sends every due reminder; returns how many were sent.
pub async fn send_due(state: &AppState) -> ServiceResult<usize> {
    let now = state.clock.now();
    let mut sent = 0;
    for due in state.store.due_reminders(now, MAX_PER_PASS).await? {
        let b = &due.booking;
        let mut event = crate::services::booking::event(b.organization_id, "booking.reminder", state, b);
        if let serde_json::Value::Object(fields) = &mut event.payload {
            fields.insert("offsetMinutes".into(), json!(due.reminder.offset_minutes));
        }
        if state.store.send_reminder(due.reminder.id, event, now).await? {
            sent += 1;
        }
    }
    Ok(sent)
}

/// The organization's offsets (the defaults when it never chose).
pub async fn organization_offsets(state: &AppState, organization_id: OrganizationId) -> ServiceResult<ReminderOffsets> {
    let stored = state.store.organization_reminder_offsets(organization_id).await?;
    Ok(match stored {
        Some(minutes) => offsets("offsetsMinutes", &minutes)?,
        None => ReminderOffsets::default_offsets(),
    })
}

pub async fn set_organization_offsets(
    state: &AppState,
    organization_id: OrganizationId,
    chosen: ReminderOffsets,
) -> ServiceResult<()> {
    let now = state.clock.now();
    Ok(state.store.set_organization_reminder_offsets(organization_id, chosen.minutes().to_vec(), now).await?)
}

/// A user's preferences: whether reminders are on, the user's own offsets (if any), and the
/// offsets that apply.
pub struct Preferences {
    pub enabled: bool,
    pub own: Option<ReminderOffsets>,
    pub effective: ReminderOffsets,
}

pub async fn preferences(
    state: &AppState,
    organization_id: OrganizationId,
    user_id: UserId,
) -> ServiceResult<Preferences> {
    let stored = state.store.user_reminder_preferences(user_id).await?;
    let organization = organization_offsets(state, organization_id).await?;
    let (enabled, own) = match stored {
        Some(p) => (p.enabled, p.offsets.map(|m| offsets("offsetsMinutes", &m)).transpose()?),
        None => (true, None),
    };
    let effective = effective(Some(enabled), own.clone(), Some(organization));
    Ok(Preferences { enabled, own, effective })
}

pub async fn set_preferences(
    state: &AppState,
    user_id: UserId,
    enabled: bool,
    own: Option<ReminderOffsets>,
) -> ServiceResult<()> {
    let now = state.clock.now();
    let minutes = own.map(|o| o.minutes().to_vec());
    Ok(state.store.set_user_reminder_preferences(user_id, enabled, minutes, now).await?)
}
