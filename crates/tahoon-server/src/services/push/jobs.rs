//! What the operator sees of push jobs (`tahoon push list`): which events were pushed, which wait
//! for another attempt and why, which failed for good.

use crate::services::error::ServiceResult;
use crate::state::AppState;
use serde::Serialize;
use tahoon_store::{PushJob, PushStatus};

/// The most jobs one listing shows.
pub const MAX_LISTED: i64 = 1_000;

/// A push job as the operator sees it: no message content, no personal data.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PushJobView {
    /// `psh_…`.
    pub id: String,
    /// The outbox event announced (`booking.confirmed`, …).
    pub event: String,
    /// The booking's public id, as the event names it.
    pub booking_id: Option<String>,
    /// `pending`, `sending`, `sent`, `failed` or `skipped`.
    pub status: &'static str,
    /// Attempts begun.
    pub attempts: i64,
    /// The topics whose message FCM accepted: `android`, `ios`.
    pub sent_to: Vec<&'static str>,
    /// When a pending job is tried next (RFC 3339).
    pub next_attempt_at: String,
    /// Why the last attempt did not send (an FCM code such as `UNREGISTERED`, `HTTP 503`), or why
    /// the job was skipped.
    pub last_error: Option<String>,
    pub sent_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl PushJobView {
    fn new(state: &AppState, job: PushJob) -> PushJobView {
        let booking_id = serde_json::from_str::<serde_json::Value>(&job.event.payload)
            .ok()
            .and_then(|p| p.get("bookingId").and_then(|id| id.as_str()).map(str::to_string));
        let mut sent_to = Vec::new();
        if job.sent_parts.android {
            sent_to.push("android");
        }
        if job.sent_parts.ios {
            sent_to.push("ios");
        }
        PushJobView {
            id: state.ids.encode(job.id),
            event: job.event.event_type,
            booking_id,
            status: job.status.as_str(),
            attempts: job.attempts,
            sent_to,
            next_attempt_at: job.next_attempt_at.to_string(),
            last_error: job.last_error,
            sent_at: job.sent_at.map(|t| t.to_string()),
            created_at: job.created_at.to_string(),
            updated_at: job.updated_at.to_string(),
        }
    }
}

/// The newest jobs (at most `limit`, up to `MAX_LISTED`), optionally of one status.
pub async fn list(state: &AppState, status: Option<PushStatus>, limit: i64) -> ServiceResult<Vec<PushJobView>> {
    let jobs = state.store.push_jobs(status, limit.clamp(1, MAX_LISTED)).await?;
    Ok(jobs.into_iter().map(|job| PushJobView::new(state, job)).collect())
}
