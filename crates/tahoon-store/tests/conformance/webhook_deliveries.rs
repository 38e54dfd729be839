//! Webhook deliveries: claimed under a lease by one claimer at a time, fenced by attempt,
//! retried, succeeded, failed with their endpoint disabled, cancelled with it deleted, listed
//! newest first, redelivered on a fresh schedule.

use super::*;
use std::collections::BTreeSet;
use tahoon_domain::ids::WebhookDeliveryId;

/// How attempt `d.attempts` went: `outcome`, with this status code, started at `at`.
fn attempt(d: &WebhookDelivery, outcome: AttemptOutcome, status_code: Option<i64>, at: i64) -> WebhookAttempt {
    WebhookAttempt {
        attempt: d.attempts,
        outcome,
        status_code,
        response_excerpt: None,
        error: None,
        started_at: us(at),
        duration_ms: 120,
    }
}

async fn finish(
    h: &Hooks,
    d: &WebhookDelivery,
    record: WebhookAttempt,
    end: DeliveryEnd,
    health: EndpointHealth,
    at: i64,
) -> bool {
    let finish =
        FinishDelivery { id: d.id, endpoint_id: d.endpoint_id, attempt: d.attempts, record, end, health, now: us(at) };
    h.store().finish_webhook_delivery(finish).await.unwrap()
}

async fn succeed(h: &Hooks, d: &WebhookDelivery, at: i64) -> bool {
    let record = attempt(d, AttemptOutcome::Delivered, Some(200), at);
    finish(h, d, record, DeliveryEnd::Succeeded, EndpointHealth::Healthy, at).await
}

/// One delivery and its attempts, as its organization reads them.
async fn detail(h: &Hooks, id: WebhookDeliveryId) -> (WebhookDelivery, Vec<WebhookAttempt>) {
    h.store().webhook_delivery(h.org, id).await.unwrap().expect("found")
}

async fn endpoint(h: &Hooks, e: &WebhookEndpoint) -> WebhookEndpoint {
    h.store().webhook_endpoint(e.organization_id, e.id).await.unwrap().expect("found")
}

/// A delivery's stored status and error, read behind the store: a deleted endpoint's deliveries
/// are never shown.
async fn stored(f: &Fixture, id: WebhookDeliveryId) -> (String, Option<String>) {
    const SQL: &str = "SELECT status, last_error FROM webhook_deliveries WHERE id = $1";
    match f.store.backend() {
        Backend::Sqlite => {
            let raw = SqliteStore::open(&f.db.url).await.unwrap();
            sqlx::query_as(SQL).bind(id.get()).fetch_one(raw.pool()).await.unwrap()
        }
        Backend::Postgres => {
            let raw = PostgresStore::open(&f.db.url).await.unwrap();
            sqlx::query_as(SQL).bind(id.get()).fetch_one(raw.pool()).await.unwrap()
        }
    }
}

/// An endpoint receiving `booking.confirmed`, created at `T`, and `n` such events written at
/// `T + 1 s`, enqueued at `T + 2 s`: `n` deliveries.
async fn one_endpoint(backend: Backend, n: usize) -> (Hooks, WebhookEndpoint) {
    let h = hooks(backend).await;
    let a = h.create(h.org, &["booking.confirmed"], T).await;
    for _ in 0..n {
        h.write(h.org, &["booking.confirmed"], T + SECOND).await;
    }
    assert_eq!(h.enqueue(T + 2 * SECOND).await, n as u64);
    (h, a)
}

pub async fn webhook_deliveries_are_leased_and_fenced(backend: Backend) {
    let (h, a) = one_endpoint(backend, 1).await;
    let first = h.claim(T + 3 * SECOND, 1).await.remove(0);
    let d = &first.delivery;
    assert_eq!((d.status, d.attempts, d.schedule_from), (DeliveryStatus::Sending, 1, 0));
    assert_eq!((d.locked_until, d.updated_at), (Some(us(T + 33 * SECOND)), us(T + 3 * SECOND)));
    assert_eq!((&first.endpoint, first.endpoint_deleted), (&a, false));
    assert!(h.claim(T + 32 * SECOND, 10).await.is_empty(), "leased");

    // Its worker died: once the lease has expired it is claimed again…
    let second = h.claim(T + 33 * SECOND, 1).await.remove(0);
    assert_eq!((second.delivery.id, second.delivery.attempts), (d.id, 2));
    assert_eq!(second.delivery.locked_until, Some(us(T + 63 * SECOND)));
    // …and the dead worker's late finish changes nothing.
    assert!(!succeed(&h, d, T + 34 * SECOND).await, "fenced");
    assert_eq!(detail(&h, d.id).await, (second.delivery.clone(), vec![]));
    assert_eq!(endpoint(&h, &a).await, a);
}

pub async fn a_failed_attempt_is_recorded_and_retried_until_it_succeeds(backend: Backend) {
    let (h, a) = one_endpoint(backend, 1).await;
    let d = h.claim(T + 3 * SECOND, 1).await.remove(0).delivery;
    // Cut to their bounds, in characters (not bytes).
    let record = WebhookAttempt {
        response_excerpt: Some("é".repeat(WEBHOOK_EXCERPT_MAX_CHARS + 100)),
        error: Some("e".repeat(WEBHOOK_ERROR_MAX_CHARS + 100)),
        ..attempt(&d, AttemptOutcome::Refused, Some(503), T + 3 * SECOND)
    };
    let retry = DeliveryEnd::Retry { at: us(T + 100 * SECOND) };
    assert!(finish(&h, &d, record, retry.clone(), EndpointHealth::Failing, T + 4 * SECOND).await);
    assert!(!succeed(&h, &d, T + 5 * SECOND).await, "finished once");
    let (pending, attempts) = detail(&h, d.id).await;
    assert_eq!((pending.status, pending.attempts, pending.locked_until), (DeliveryStatus::Pending, 1, None));
    assert_eq!((pending.next_attempt_at, pending.updated_at), (us(T + 100 * SECOND), us(T + 4 * SECOND)));
    assert_eq!(pending.last_status_code, Some(503));
    assert_eq!(pending.last_response, Some("é".repeat(WEBHOOK_EXCERPT_MAX_CHARS)));
    assert_eq!(pending.last_error, Some("e".repeat(WEBHOOK_ERROR_MAX_CHARS)));
    let first = WebhookAttempt {
        attempt: 1,
        outcome: AttemptOutcome::Refused,
        status_code: Some(503),
        response_excerpt: Some("é".repeat(WEBHOOK_EXCERPT_MAX_CHARS)),
        error: Some("e".repeat(WEBHOOK_ERROR_MAX_CHARS)),
        started_at: us(T + 3 * SECOND),
        duration_ms: 120,
    };
    assert_eq!(attempts, std::slice::from_ref(&first));
    assert_eq!(endpoint(&h, &a).await.failing_since, Some(us(T + 3 * SECOND)));

    // Not before its time; failing again keeps the first failure's time.
    assert!(h.claim(T + 99 * SECOND, 10).await.is_empty());
    let d = h.claim(T + 100 * SECOND, 10).await.remove(0).delivery;
    assert_eq!((d.id, d.attempts), (pending.id, 2));
    let record = WebhookAttempt {
        error: Some("connection refused".into()),
        ..attempt(&d, AttemptOutcome::Unreachable, None, T + 100 * SECOND)
    };
    let retry = DeliveryEnd::Retry { at: us(T + 200 * SECOND) };
    assert!(finish(&h, &d, record, retry, EndpointHealth::Failing, T + 101 * SECOND).await);
    assert_eq!(endpoint(&h, &a).await.failing_since, Some(us(T + 3 * SECOND)), "set once");

    let d = h.claim(T + 200 * SECOND, 10).await.remove(0).delivery;
    let record =
        WebhookAttempt { response_excerpt: Some("ok".into()), ..attempt(&d, AttemptOutcome::Delivered, Some(200), T) };
    assert!(finish(&h, &d, record, DeliveryEnd::Succeeded, EndpointHealth::Healthy, T + 201 * SECOND).await);
    let (done, attempts) = detail(&h, d.id).await;
    assert_eq!((done.status, done.attempts, done.locked_until), (DeliveryStatus::Succeeded, 3, None));
    assert_eq!((done.delivered_at, done.last_status_code), (Some(us(T + 201 * SECOND)), Some(200)));
    assert_eq!((done.last_response.as_deref(), done.last_error.as_deref()), (Some("ok"), None));
    let outcomes: Vec<_> = attempts.iter().map(|a| (a.attempt, a.outcome, a.status_code)).collect();
    use AttemptOutcome::*;
    assert_eq!(outcomes, [(1, Refused, Some(503)), (2, Unreachable, None), (3, Delivered, Some(200))], "in order");
    assert_eq!(attempts[0], first);
    assert_eq!(attempts[1].error.as_deref(), Some("connection refused"));
    assert_eq!(endpoint(&h, &a).await.failing_since, None, "cleared by the success");
    assert!(h.claim(T + 1_000_000 * SECOND, 10).await.is_empty(), "done");
}

pub async fn disabling_an_endpoint_fails_its_pending_deliveries(backend: Backend) {
    let (h, a) = one_endpoint(backend, 3).await;
    let b = h.create(h.org, &["*"], T + 3 * SECOND).await;
    let two = h.claim(T + 3 * SECOND, 2).await;
    h.write(h.org, &["booking.confirmed"], T + 4 * SECOND).await;
    assert_eq!(h.enqueue(T + 5 * SECOND).await, 1 + 2, "to `a`, and with its assessment to `b`");
    let before = h.store().audit_entries(0, 10_000).await.unwrap().len();

    let gone = |d: &WebhookDelivery, reason: &str| {
        let record = attempt(d, AttemptOutcome::Gone, Some(410), T + 6 * SECOND);
        let audit = hook_audit(h.org, "webhook.endpoint_disabled", T + 6 * SECOND);
        (record, EndpointHealth::Disable { reason: reason.into(), audit })
    };
    let (record, health) = gone(&two[0].delivery, "the endpoint answered 410 Gone");
    assert!(finish(&h, &two[0].delivery, record, DeliveryEnd::Failed, health, T + 6 * SECOND).await);
    let disabled = endpoint(&h, &a).await;
    assert_eq!(
        (disabled.enabled, disabled.disabled_reason.as_deref()),
        (false, Some("the endpoint answered 410 Gone"))
    );
    assert_eq!(disabled.updated_at, us(T + 6 * SECOND));
    let states: Vec<_> = h.deliveries(&a).await.into_iter().map(|d| (d.id, d.status, d.last_error)).collect::<Vec<_>>();
    let failed = |id| (id, DeliveryStatus::Failed, Some("endpoint disabled".to_string()));
    let (first, second) = (two[0].delivery.id, two[1].delivery.id);
    let others: Vec<_> = states.iter().filter(|s| s.0 != first && s.0 != second).cloned().collect();
    assert_eq!(others.len(), 2);
    assert_eq!(others, others.iter().map(|s| failed(s.0)).collect::<Vec<_>>(), "the pending ones failed");
    assert!(states.contains(&(first, DeliveryStatus::Failed, None)));
    assert!(states.contains(&(second, DeliveryStatus::Sending, None)), "an attempt under way finishes itself");
    let to_b = h.deliveries(&b).await;
    assert_eq!(to_b.iter().map(|d| d.status).collect::<Vec<_>>(), [DeliveryStatus::Pending; 2], "another endpoint");
    assert_eq!(h.audited(before).await, ["webhook.endpoint_disabled"]);

    // The attempt under way disables it too: already done, not audited twice.
    let (record, health) = gone(&two[1].delivery, "another reason");
    assert!(finish(&h, &two[1].delivery, record, DeliveryEnd::Failed, health, T + 7 * SECOND).await);
    assert_eq!(endpoint(&h, &a).await, disabled);
    assert_eq!(h.audited(before).await, ["webhook.endpoint_disabled"]);
    let refused = h.store().redeliver_webhook(h.org, first, us(T + 8 * SECOND)).await.unwrap();
    assert!(matches!(refused, RedeliverOutcome::EndpointDisabled), "{refused:?}");
    // New events go to the enabled endpoint only, and only its deliveries are claimed.
    h.write(h.org, &["booking.confirmed"], T + 9 * SECOND).await;
    assert_eq!(h.enqueue(T + 10 * SECOND).await, 2);
    let claimed = h.claim(T + 1_000 * SECOND, 10).await;
    assert_eq!(claimed.iter().map(|c| c.endpoint.id).collect::<Vec<_>>(), [b.id; 4]);
}

pub async fn deleting_an_endpoint_cancels_its_deliveries(backend: Backend) {
    let (h, a) = one_endpoint(backend, 2).await;
    let s = h.store();
    let in_flight = h.claim(T + 3 * SECOND, 1).await.remove(0).delivery;
    let pending = h.deliveries(&a).await.into_iter().find(|d| d.id != in_flight.id).unwrap();
    let before = s.audit_entries(0, 10_000).await.unwrap().len();
    let audit = hook_audit(h.org, "webhook.endpoint_deleted", T + 4 * SECOND);
    assert!(s.delete_webhook_endpoint(h.org, a.id, audit, us(T + 4 * SECOND)).await.unwrap());
    assert_eq!(h.audited(before).await, ["webhook.endpoint_deleted"]);
    assert_eq!(stored(&h.f, pending.id).await, ("cancelled".into(), Some("endpoint deleted".into())));
    assert_eq!(stored(&h.f, in_flight.id).await, ("sending".into(), None));
    assert_eq!(s.webhook_deliveries(h.org, a.id, 0, 10).await.unwrap(), None);
    assert_eq!(s.webhook_delivery(h.org, in_flight.id).await.unwrap(), None);
    assert!(matches!(
        s.redeliver_webhook(h.org, pending.id, us(T + 5 * SECOND)).await.unwrap(),
        RedeliverOutcome::NotFound
    ));

    // The attempt under way, claimed again once its lease expired, learns of the deletion.
    let again = h.claim(T + 1_000 * SECOND, 10).await;
    assert_eq!(again.len(), 1, "the cancelled delivery is not claimed");
    let (d, deleted) = (&again[0].delivery, again[0].endpoint_deleted);
    assert_eq!((d.id, d.attempts, deleted, again[0].endpoint.id), (in_flight.id, 2, true, a.id));
    let record = attempt(d, AttemptOutcome::Cancelled, None, T + 1_000 * SECOND);
    assert!(finish(&h, d, record, DeliveryEnd::Cancelled, EndpointHealth::Unchanged, T + 1_000 * SECOND).await);
    assert_eq!(stored(&h.f, in_flight.id).await, ("cancelled".into(), None));
    assert!(h.claim(T + 1_000_000 * SECOND, 10).await.is_empty());
}

pub async fn webhook_deliveries_are_paged_newest_first(backend: Backend) {
    let (h, a) = one_endpoint(backend, 6).await;
    let (s, org, id) = (h.store(), h.org, a.id);
    let all = h.deliveries(&a).await;
    assert_eq!(all.len(), 6);
    let page = |offset, limit| async move {
        let (page, total) = s.webhook_deliveries(org, id, offset, limit).await.unwrap().unwrap();
        (page.into_iter().map(|d| d.id).collect::<Vec<_>>(), total)
    };
    assert_eq!(page(0, 4).await, (vec![all[5].id, all[4].id, all[3].id, all[2].id], 6));
    assert_eq!(page(4, 4).await, (vec![all[1].id, all[0].id], 6));
    assert_eq!(page(6, 4).await, (vec![], 6));
    assert!(all.windows(2).all(|w| w[0].id < w[1].id && w[0].event.id < w[1].event.id), "in event order");
}

pub async fn a_redelivery_restarts_the_schedule_with_the_same_event(backend: Backend) {
    let (h, a) = one_endpoint(backend, 1).await;
    let s = h.store();
    let first = h.claim(T + 3 * SECOND, 1).await.remove(0).delivery;
    let record = attempt(&first, AttemptOutcome::Refused, Some(500), T + 3 * SECOND);
    let retry = DeliveryEnd::Retry { at: us(T + 10 * SECOND) };
    assert!(finish(&h, &first, record, retry, EndpointHealth::Failing, T + 4 * SECOND).await);
    let d = h.claim(T + 10 * SECOND, 10).await.remove(0).delivery;
    assert_eq!((d.id, d.endpoint_id, d.attempts), (first.id, a.id, 2));
    let record = attempt(&d, AttemptOutcome::Refused, Some(400), T + 10 * SECOND);
    assert!(finish(&h, &d, record, DeliveryEnd::Failed, EndpointHealth::Failing, T + 11 * SECOND).await);

    let RedeliverOutcome::Scheduled(again) = s.redeliver_webhook(h.org, d.id, us(T + 100 * SECOND)).await.unwrap()
    else {
        panic!()
    };
    assert_eq!((again.id, again.status, again.attempts, again.schedule_from), (d.id, DeliveryStatus::Pending, 2, 2));
    assert_eq!(
        (again.next_attempt_at, again.updated_at, again.locked_until),
        (us(T + 100 * SECOND), us(T + 100 * SECOND), None)
    );
    assert_eq!(again.event, first.event, "the same event: the same webhook-id");
    assert_eq!(detail(&h, d.id).await.0, again);
    let third = h.claim(T + 100 * SECOND, 10).await.remove(0).delivery;
    assert_eq!((third.id, third.attempts, third.schedule_from), (d.id, 3, 2));
    let in_flight = s.redeliver_webhook(h.org, d.id, us(T + 101 * SECOND)).await.unwrap();
    assert!(matches!(in_flight, RedeliverOutcome::InFlight), "{in_flight:?}");
    // A delivery that succeeded can be sent again too.
    assert!(succeed(&h, &third, T + 102 * SECOND).await);
    let RedeliverOutcome::Scheduled(fourth) = s.redeliver_webhook(h.org, d.id, us(T + 200 * SECOND)).await.unwrap()
    else {
        panic!()
    };
    assert_eq!((fourth.status, fourth.attempts, fourth.schedule_from), (DeliveryStatus::Pending, 3, 3));
    assert_eq!(detail(&h, d.id).await.1.len(), 3, "its attempts are kept");
    let unknown = s.redeliver_webhook(h.org, Id::new(d.id.get() + 100), us(T + 200 * SECOND)).await.unwrap();
    assert!(matches!(unknown, RedeliverOutcome::NotFound));
}

/// Claimers of several instances at once: each delivery goes to exactly one of them.
pub async fn concurrent_claimers_never_share_a_delivery(backend: Backend) {
    let (h, _) = one_endpoint(backend, 40).await;
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let store = h.f.store.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let claim = ClaimWebhooks { now: us(T + 3 * SECOND), lease_until: us(T + 60 * SECOND), limit: 1 };
                    let Some(claimed) = store.claim_webhook_deliveries(claim).await.unwrap().pop() else {
                        return mine;
                    };
                    let d = claimed.delivery;
                    assert_eq!((d.status, d.attempts), (DeliveryStatus::Sending, 1));
                    let finish = FinishDelivery {
                        id: d.id,
                        endpoint_id: d.endpoint_id,
                        attempt: d.attempts,
                        record: attempt(&d, AttemptOutcome::Delivered, Some(204), T + 3 * SECOND),
                        end: DeliveryEnd::Succeeded,
                        health: EndpointHealth::Healthy,
                        now: us(T + 3 * SECOND),
                    };
                    assert!(store.finish_webhook_delivery(finish).await.unwrap());
                    mine.push(d.id.get());
                }
            })
        })
        .collect();
    let mut all = Vec::new();
    for worker in workers {
        all.extend(worker.await.unwrap());
    }
    let distinct: BTreeSet<i64> = all.iter().copied().collect();
    assert_eq!((all.len(), distinct.len()), (40, 40), "every delivery claimed once");
}
