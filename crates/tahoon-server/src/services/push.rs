//! Push to care providers, delivered from the outbox (docs/integrations.md, "Push to providers").
//!
//! A booking's transaction writes its event (`booking.confirmed`, `booking.cancelled`,
//! `booking.rescheduled`); nothing is sent before it commits, and nothing a push does can block or
//! fail a booking. A pass (`deliver_due`, every few seconds under `tahoon serve`: `run_pushes`):
//!
//! 1. enqueues a job for every new pushed event (`PushStore::enqueue_push_jobs`: push's own cursor
//!    and jobs, so webhooks can read the same outbox beside it);
//! 2. claims due jobs one at a time under a lease long enough for one job's sends; a worker that
//!    dies leaves its job to be claimed again when the lease expires, and its late finish, should
//!    it come back, changes nothing (finishes are fenced by the attempt's number);
//! 3. sends the Android and iOS messages not yet accepted, and records the outcome: sent; refused
//!    for good (`UNREGISTERED`, `INVALID_ARGUMENT`, …) → failed, not retried; FCM unavailable,
//!    overloaded or not accepting the service account → tried again with `Backoff` (honouring
//!    `Retry-After`) until the attempts are used up → failed.
//!
//! Without `fcm.service_account` push is off: due jobs are closed as skipped (one log line per
//! pass). With FCM settings that cannot be used, jobs wait (one error line per pass) until they
//! are fixed.

pub mod client;
pub mod jobs;
mod notice;

pub use client::{Fcm, PushClient};
pub use notice::NoNotice;

use crate::services::error::ServiceResult;
use crate::state::AppState;
use jiff::{SignedDuration, Timestamp};
use std::time::Duration;
use tahoon_integrations::push::{AuthFailure, Backoff, FcmClient, SendOutcome, booking_messages};
use tahoon_store::{ClaimPush, EnqueuePush, FinishPush, PushEnd, PushJob, PushParts};

/// Events created longer ago than this have committed: push's cursor passes them. Newer ones are
/// looked at again on each pass, so one whose transaction commits after a later one's is not
/// missed (a transaction that writes an event commits well within this).
pub const SETTLE: SignedDuration = SignedDuration::from_mins(10);

/// At most this many jobs per pass; the rest wait for the next one.
const MAX_PER_PASS: usize = 200;

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    /// Jobs created for new events.
    pub enqueued: u64,
    /// Jobs whose messages FCM accepted.
    pub sent: usize,
    /// Jobs to be tried again later.
    pub retried: usize,
    /// Jobs given up: refused for good or out of attempts.
    pub failed: usize,
    /// Jobs closed without sending (push not configured, nothing to tell).
    pub skipped: usize,
    /// Attempts that lost their job: their lease expired and another worker claimed it.
    pub lost: usize,
    /// The FCM settings cannot be used: no job was claimed.
    pub misconfigured: bool,
}

impl Report {
    pub fn is_idle(&self) -> bool {
        *self == Report::default()
    }
}

/// How long one job may hold its claim: per message, a token exchange and a send, each twice
/// (a 401 is retried with a new token), each within the request timeout; and a margin.
fn lease(request_timeout: Duration) -> SignedDuration {
    let sends = request_timeout.checked_mul(8).unwrap_or(Duration::from_secs(3600));
    SignedDuration::try_from(sends).unwrap_or(SignedDuration::from_hours(1)) + SignedDuration::from_secs(60)
}

/// `by` after `at` (the latest instant when that is out of range).
fn later(at: Timestamp, by: SignedDuration) -> Timestamp {
    at.checked_add(by).unwrap_or(Timestamp::MAX)
}

/// One pass: enqueue new events, then deliver every due job (up to `MAX_PER_PASS`).
pub async fn deliver_due(state: &AppState) -> ServiceResult<Report> {
    let now = state.clock.now();
    let settled_before = now.checked_sub(SETTLE).unwrap_or(Timestamp::MIN);
    let mut report = Report {
        enqueued: state.store.enqueue_push_jobs(EnqueuePush { now, settled_before }).await?,
        ..Report::default()
    };
    let (client, request_timeout) = match state.push.current(&state.settings, &state.clock).await? {
        Fcm::Ready { client, request_timeout } => (Some(client), request_timeout),
        Fcm::NotConfigured => (None, Duration::from_secs(10)),
        Fcm::Invalid(why) => {
            tracing::error!(problem = %why, "the FCM settings cannot be used; pushes wait until they are fixed");
            report.misconfigured = true;
            return Ok(report);
        }
    };
    let mut unconfigured = 0;
    for _ in 0..MAX_PER_PASS {
        let now = state.clock.now();
        let claim = ClaimPush { now, lease_until: later(now, lease(request_timeout)), limit: 1 };
        let Some(job) = state.store.claim_push_jobs(claim).await?.pop() else { break };
        crate::telemetry::outbox_lag("push", job.next_attempt_at, now);
        let (end, sent_parts) = match &client {
            Some(client) => attempt(state, client, &job).await?,
            None => {
                unconfigured += 1;
                (PushEnd::Skipped { reason: "push is not configured (fcm.service_account)".into() }, job.sent_parts)
            }
        };
        let outcome = match &end {
            PushEnd::Sent => {
                report.sent += 1;
                "sent"
            }
            PushEnd::Retry { .. } => {
                report.retried += 1;
                "retry"
            }
            PushEnd::Failed { .. } => {
                report.failed += 1;
                "failed"
            }
            PushEnd::Skipped { .. } => {
                report.skipped += 1;
                "skipped"
            }
        };
        metrics::counter!("tahoon_push_deliveries_total", "outcome" => outcome).increment(1);
        let job_id = job.id.get();
        let finish = FinishPush { id: job.id, attempt: job.attempts, sent_parts, end, now: state.clock.now() };
        if !state.store.finish_push_job(finish).await? {
            tracing::warn!(job = job_id, "a push attempt outlived its lease; another worker has the job");
            report.lost += 1;
        }
    }
    if unconfigured > 0 {
        tracing::info!(jobs = unconfigured, "FCM is not configured (fcm.service_account): pushes closed unsent");
    }
    Ok(report)
}

/// Sends the messages of `job` not yet accepted; returns how the attempt ended and what is sent.
async fn attempt(state: &AppState, client: &FcmClient, job: &PushJob) -> ServiceResult<(PushEnd, PushParts)> {
    let backoff = Backoff::default();
    let mut parts = job.sent_parts;
    let job_id = job.id.get();
    if job.attempts > i64::from(backoff.max_attempts) {
        // Claimed again and again by workers that never finished (each claim counts).
        let error = format!("gave up after {} attempts", job.attempts - 1);
        return Ok((PushEnd::Failed { error }, parts));
    }
    let now = state.clock.now();
    let notice = match notice::notice(state, job, now).await? {
        Ok(notice) => notice,
        Err(NoNotice::Skip(reason)) => return Ok((PushEnd::Skipped { reason: reason.into() }, parts)),
        Err(NoNotice::Fail(error)) => {
            tracing::warn!(job = job_id, error, "a push cannot be built");
            return Ok((PushEnd::Failed { error: error.into() }, parts));
        }
    };
    let messages = match booking_messages(&notice) {
        Ok(messages) => messages,
        Err(e) => {
            tracing::warn!(job = job_id, error = %e, "a push cannot be built");
            return Ok((PushEnd::Failed { error: e.to_string() }, parts));
        }
    };
    let mut refused = None;
    let mut again = None;
    for android in [true, false] {
        let (done, message) = if android { (parts.android, &messages.android) } else { (parts.ios, &messages.ios) };
        if done {
            continue;
        }
        match client.send(message).await {
            SendOutcome::Sent { .. } if android => parts.android = true,
            SendOutcome::Sent { .. } => parts.ios = true,
            // Refused for good; the other topic's message may still go.
            SendOutcome::Permanent { error } => refused = Some(error.to_string()),
            // FCM (or its token endpoint) is down or overloaded: the other message would fare alike.
            SendOutcome::Retry { after, error } => {
                again = Some((after, error.to_string()));
                break;
            }
            SendOutcome::Unauthenticated { cause } => {
                tracing::error!(job = job_id, cause = %unauthenticated(&cause), "FCM did not accept the service account; fix fcm.service_account");
                again = Some((None, unauthenticated(&cause)));
                break;
            }
        }
    }
    let end = if parts.is_complete() {
        PushEnd::Sent
    } else if let Some(error) = refused {
        PushEnd::Failed { error }
    } else {
        let (after, error) = again.unwrap_or((None, "not sent".into()));
        let failed = u32::try_from(job.attempts).unwrap_or(u32::MAX);
        match backoff.next_delay(failed, after).and_then(|d| SignedDuration::try_from(d).ok()) {
            Some(delay) => PushEnd::Retry { at: later(state.clock.now(), delay), error },
            None => PushEnd::Failed { error: format!("gave up after {} attempts: {error}", job.attempts) },
        }
    };
    Ok((end, parts))
}

/// Why the service account was not accepted, without its secrets.
fn unauthenticated(cause: &AuthFailure) -> String {
    match cause {
        AuthFailure::Unauthorized => "unauthenticated: FCM refused a new access token (HTTP 401)".into(),
        AuthFailure::Forbidden => "unauthenticated: the service account may not send (HTTP 403)".into(),
        AuthFailure::TokenRefused { status, error } => {
            format!("unauthenticated: the token endpoint refused the service account (HTTP {status}, {error})")
        }
        AuthFailure::Signing => "unauthenticated: the assertion could not be signed".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tahoon_integrations::push::NotificationType;
    use tahoon_store::PUSH_EVENT_TYPES;

    #[test]
    fn the_store_enqueues_exactly_the_announced_events() {
        for event in PUSH_EVENT_TYPES {
            assert!(NotificationType::for_event(event).is_some_and(|t| t.is_sent()), "{event}");
        }
        for event in ["booking.pending", "booking.failed", "booking.completed", "booking.no_show", "user.erased"] {
            assert_eq!(NotificationType::for_event(event), None, "{event}");
        }
    }

    #[test]
    fn a_lease_outlasts_one_jobs_sends() {
        assert_eq!(lease(Duration::from_secs(10)), SignedDuration::from_secs(140));
        assert_eq!(lease(Duration::from_secs(300)), SignedDuration::from_secs(2_460));
    }
}
