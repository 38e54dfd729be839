//! Push jobs: enqueued once per pushed event (also by racing instances, also for an event that
//! commits after a later one), claimed under a lease by one claimer at a time, fenced by attempt.

use super::*;
use std::collections::BTreeSet;
use tahoon_domain::ids::OrganizationId;

const SECOND: i64 = 1_000_000;

struct Outbox {
    f: Fixture,
    org: OrganizationId,
    user: tahoon_domain::ids::UserId,
}

async fn outbox(backend: Backend) -> Outbox {
    let f = fixture(backend).await;
    let org = f.store.create_organization(new_org("Acme", "d1")).await.unwrap();
    let new = NewUser {
        organization_id: org.id,
        reference_id: "REF-1".into(),
        name: "Layla".into(),
        dob: "1991-02-03".into(),
        gender: 0,
        now: us(5),
    };
    let (Registration::Created(user) | Registration::Existing(user)) = f.store.register_user(new).await.unwrap();
    let user = user.id;
    Outbox { f, org: org.id, user }
}

impl Outbox {
    /// Writes events of these types, created at `at` (microseconds), as a change would.
    async fn write(&self, types: &[&str], at: i64) {
        let events = types
            .iter()
            .map(|t| NewEvent {
                organization_id: Some(self.org),
                event_type: (*t).into(),
                payload: serde_json::json!({"bookingId": "bkg_x"}),
            })
            .collect();
        let assessment = NewAssessment {
            organization_id: self.org,
            user_id: self.user,
            instrument_id: 2,
            instrument_code: "GAD-7".into(),
            total: 0,
            max_total: 21,
            band_code: "minimal".into(),
            risk_flags: vec![],
            answers: vec![],
            now: us(at),
        };
        self.f.store.record_assessment(assessment, events).await.unwrap();
    }

    async fn enqueue(&self, now: i64) -> u64 {
        let store = &self.f.store;
        store.enqueue_push_jobs(EnqueuePush { now: us(now), settled_before: us(now - 60 * SECOND) }).await.unwrap()
    }

    async fn claim(&self, now: i64, limit: i64) -> Vec<PushJob> {
        let claim = ClaimPush { now: us(now), lease_until: us(now + 30 * SECOND), limit };
        self.f.store.claim_push_jobs(claim).await.unwrap()
    }

    async fn finish(&self, job: &PushJob, end: PushEnd, parts: PushParts, now: i64) -> bool {
        let finish = FinishPush { id: job.id, attempt: job.attempts, sent_parts: parts, end, now: us(now) };
        self.f.store.finish_push_job(finish).await.unwrap()
    }
}

pub async fn push_jobs_are_enqueued_once_per_pushed_event(backend: Backend) {
    let o = outbox(backend).await;
    let t = 1_000 * SECOND;
    o.write(&["booking.confirmed", "booking.failed", "booking.cancelled", "user.erased"], t).await;
    o.write(&["booking.rescheduled", "booking.completed"], t + SECOND).await;
    assert_eq!(o.enqueue(t + 2 * SECOND).await, 3);
    assert_eq!(o.enqueue(t + 3 * SECOND).await, 0, "nothing new");
    // Long after: the cursor has passed them, and they are still not enqueued twice.
    assert_eq!(o.enqueue(t + 3_600 * SECOND).await, 0);
    let jobs = o.f.store.push_jobs(None, 10).await.unwrap();
    let types: Vec<&str> = jobs.iter().rev().map(|j| j.event.event_type.as_str()).collect();
    assert_eq!(types, ["booking.confirmed", "booking.cancelled", "booking.rescheduled"], "newest first");
    let job = &jobs[0];
    assert_eq!((job.status, job.attempts, job.sent_parts), (PushStatus::Pending, 0, PushParts::NONE));
    assert_eq!((job.next_attempt_at, job.locked_until, job.sent_at), (us(t + 2 * SECOND), None, None));
    assert!(job.event.payload.contains(r#""bookingId":"bkg_x""#), "{}", job.event.payload);

    // Instances enqueueing at once create each job once.
    for i in 0..5 {
        o.write(&["booking.confirmed", "booking.cancelled"], t + 4_000 * SECOND + i).await;
    }
    let racers: Vec<_> = (0..8)
        .map(|_| {
            let store = o.f.store.clone();
            let at = EnqueuePush { now: us(t + 4_001 * SECOND), settled_before: us(t + 3_000 * SECOND) };
            tokio::spawn(async move { store.enqueue_push_jobs(at).await.unwrap() })
        })
        .collect();
    let mut created = 0;
    for racer in racers {
        created += racer.await.unwrap();
    }
    assert_eq!(created, 10);
    assert_eq!(o.f.store.push_jobs(Some(PushStatus::Pending), 100).await.unwrap().len(), 13);
}

/// PostgreSQL hands out event ids when they are inserted, not when they commit: an event can
/// become visible after a later one. The cursor stays behind events that have not settled, so the
/// earlier one is enqueued when it commits.
pub async fn an_event_committed_after_a_later_one_is_enqueued(backend: Backend) {
    if backend != Backend::Postgres {
        return; // SQLite's single writer commits events in id order.
    }
    let o = outbox(backend).await;
    let t = 1_000 * SECOND;
    let raw = PostgresStore::open(&o.f.db.url).await.unwrap();
    let mut slow = raw.pool().begin().await.unwrap();
    let insert = "INSERT INTO outbox_events (organization_id, event_type, payload, created_at) \
                  VALUES (NULL, 'booking.confirmed', '{}', $1)";
    sqlx::query(insert).bind(t).execute(&mut *slow).await.unwrap();
    o.write(&["booking.cancelled"], t + 1).await;
    assert_eq!(o.enqueue(t + 2 * SECOND).await, 1, "the later event, committed");
    slow.commit().await.unwrap();
    assert_eq!(o.enqueue(t + 3 * SECOND).await, 1, "the earlier one, committed since");
    assert_eq!(o.enqueue(t + 3_600 * SECOND).await, 0);
}

pub async fn push_jobs_are_leased_retried_and_fenced(backend: Backend) {
    let o = outbox(backend).await;
    let t = 1_000 * SECOND;
    o.write(&["booking.confirmed"], t).await;
    o.enqueue(t).await;
    let claimed = o.claim(t, 10).await;
    assert_eq!(claimed.len(), 1);
    let first = claimed[0].clone();
    assert_eq!((first.status, first.attempts, first.locked_until), (PushStatus::Sending, 1, Some(us(t + 30 * SECOND))));
    assert_eq!(first.event.event_type, "booking.confirmed");
    assert!(o.claim(t + 29 * SECOND, 10).await.is_empty(), "leased");

    // Its worker died: once the lease has expired the job is claimed again, and the dead
    // worker's late finish changes nothing.
    let second = o.claim(t + 30 * SECOND, 10).await.remove(0);
    assert_eq!((second.id, second.attempts), (first.id, 2));
    assert!(!o.finish(&first, PushEnd::Sent, PushParts::BOTH, t + 31 * SECOND).await, "fenced");

    // A retry keeps what was sent and waits until its time.
    let retry = PushEnd::Retry { at: us(t + 100 * SECOND), error: "HTTP 503".into() };
    let android = PushParts { android: true, ios: false };
    assert!(o.finish(&second, retry, android, t + 32 * SECOND).await);
    assert!(!o.finish(&second, PushEnd::Sent, PushParts::BOTH, t + 33 * SECOND).await, "finished once");
    let pending = o.f.store.push_jobs(Some(PushStatus::Pending), 10).await.unwrap().remove(0);
    assert_eq!((pending.sent_parts, pending.last_error.as_deref()), (android, Some("HTTP 503")));
    assert_eq!((pending.next_attempt_at, pending.locked_until), (us(t + 100 * SECOND), None));
    assert!(o.claim(t + 99 * SECOND, 10).await.is_empty(), "not yet due");
    let third = o.claim(t + 100 * SECOND, 10).await.remove(0);
    assert_eq!((third.attempts, third.sent_parts), (3, android));

    // Refused for good: recorded (cut to its bound), never claimed again.
    let long = "UNREGISTERED ".repeat(40);
    assert!(o.finish(&third, PushEnd::Failed { error: long }, android, t + 101 * SECOND).await);
    assert!(o.claim(t + 1_000_000 * SECOND, 10).await.is_empty());
    let failed = o.f.store.push_jobs(Some(PushStatus::Failed), 10).await.unwrap().remove(0);
    assert_eq!(failed.last_error.as_ref().map(|e| e.chars().count()), Some(PUSH_ERROR_MAX_CHARS));
    assert_eq!((failed.attempts, failed.sent_at, failed.locked_until), (3, None, None));

    // Sent and skipped jobs are done too.
    o.write(&["booking.cancelled", "booking.rescheduled"], t + 200 * SECOND).await;
    o.enqueue(t + 200 * SECOND).await;
    let two = o.claim(t + 200 * SECOND, 10).await;
    assert_eq!(two.len(), 2);
    assert!(o.finish(&two[0], PushEnd::Sent, PushParts::BOTH, t + 201 * SECOND).await);
    let skipped = PushEnd::Skipped { reason: "push is not configured".into() };
    assert!(o.finish(&two[1], skipped, PushParts::NONE, t + 201 * SECOND).await);
    assert!(o.claim(t + 1_000_000 * SECOND, 10).await.is_empty());
    let sent = o.f.store.push_jobs(Some(PushStatus::Sent), 10).await.unwrap().remove(0);
    assert_eq!((sent.sent_at, sent.last_error), (Some(us(t + 201 * SECOND)), None));
    let skipped = o.f.store.push_jobs(Some(PushStatus::Skipped), 10).await.unwrap().remove(0);
    assert_eq!(skipped.last_error.as_deref(), Some("push is not configured"));
    assert_eq!(o.f.store.push_jobs(None, 2).await.unwrap().len(), 2, "limited");
}

/// Workers of several instances claim at once: each job goes to exactly one of them.
pub async fn concurrent_claimers_never_share_a_job(backend: Backend) {
    let o = outbox(backend).await;
    let t = 1_000 * SECOND;
    for i in 0..20 {
        o.write(&["booking.confirmed", "booking.cancelled"], t + i).await;
    }
    assert_eq!(o.enqueue(t + SECOND).await, 40);
    let workers: Vec<_> = (0..8)
        .map(|_| {
            let store = o.f.store.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let claim = ClaimPush { now: us(t + SECOND), lease_until: us(t + 60 * SECOND), limit: 3 };
                    let jobs = store.claim_push_jobs(claim).await.unwrap();
                    if jobs.is_empty() {
                        return mine;
                    }
                    for job in jobs {
                        let finish = FinishPush {
                            id: job.id,
                            attempt: job.attempts,
                            sent_parts: PushParts::BOTH,
                            end: PushEnd::Sent,
                            now: us(t + SECOND),
                        };
                        assert!(store.finish_push_job(finish).await.unwrap());
                        mine.push(job.id.get());
                    }
                }
            })
        })
        .collect();
    let mut all = Vec::new();
    for worker in workers {
        all.extend(worker.await.unwrap());
    }
    let distinct: BTreeSet<i64> = all.iter().copied().collect();
    assert_eq!((all.len(), distinct.len()), (40, 40), "every job claimed once");
    assert_eq!(o.f.store.push_jobs(Some(PushStatus::Sent), 100).await.unwrap().len(), 40);
}
