//! Events fanned out from the outbox to the endpoints that subscribe to them: once each, in the
//! order they were written, never to another organization's, a disabled, a deleted or a newer
//! endpoint; test events to their endpoint only.

use super::*;
use tahoon_domain::ids::OrganizationId;

fn event_types(deliveries: &[WebhookDelivery]) -> Vec<&str> {
    deliveries.iter().map(|d| d.event.event_type.as_str()).collect()
}

/// Disables an endpoint as its sender would on a 410: through a test delivery's attempt.
async fn disable(h: &Hooks, endpoint: &WebhookEndpoint, at: i64) {
    h.send_test(endpoint, at).await.unwrap();
    let claimed = h.claim(at, 10).await;
    assert_eq!(claimed.len(), 1);
    let d = &claimed[0].delivery;
    let record = WebhookAttempt {
        attempt: d.attempts,
        outcome: AttemptOutcome::Gone,
        status_code: Some(410),
        response_excerpt: None,
        error: None,
        started_at: us(at),
        duration_ms: 20,
    };
    let health = EndpointHealth::Disable {
        reason: "the endpoint answered 410 Gone".into(),
        audit: hook_audit(endpoint.organization_id, "webhook.endpoint_disabled", at),
    };
    let finish = FinishDelivery {
        id: d.id,
        endpoint_id: d.endpoint_id,
        attempt: d.attempts,
        record,
        end: DeliveryEnd::Failed,
        health,
        now: us(at),
    };
    assert!(h.store().finish_webhook_delivery(finish).await.unwrap());
    assert!(!h.store().webhook_endpoint(endpoint.organization_id, endpoint.id).await.unwrap().unwrap().enabled);
}

pub async fn events_fan_out_to_the_endpoints_that_want_them(backend: Backend) {
    let h = hooks(backend).await;
    let s = h.store();
    let disabled = h.create(h.org, &["*"], T).await;
    disable(&h, &disabled, T + SECOND).await;
    let confirmed = h.create(h.org, &["booking.confirmed"], T + 2 * SECOND).await;
    let all = h.create(h.org, &["*"], T + 2 * SECOND).await;
    let twice = h.create(h.org, &["booking.confirmed", "*"], T + 2 * SECOND).await; // one delivery per event
    let cancelled = h.create(h.org, &["booking.cancelled"], T + 2 * SECOND).await;
    let theirs = h.create(h.other, &["*"], T + 2 * SECOND).await;
    let deleted = h.create(h.org, &["*"], T + 2 * SECOND).await;
    let audit = hook_audit(h.org, "webhook.endpoint_deleted", T + 3 * SECOND);
    assert!(s.delete_webhook_endpoint(h.org, deleted.id, audit, us(T + 3 * SECOND)).await.unwrap());

    h.write(h.org, &["booking.confirmed"], T + 5 * SECOND).await;
    // A test event written otherwise is still never fanned out, nor a type outside the catalogue.
    h.write(h.org, &[WEBHOOK_TEST_EVENT, "booking.pending"], T + 5 * SECOND).await;
    let erased = NewEvent {
        organization_id: Some(h.org),
        event_type: "user.erased".into(),
        payload: serde_json::json!({"userId": "usr_x"}),
    };
    assert!(s.erase_user(h.org, h.users[0], erased, us(T + 6 * SECOND)).await.unwrap());
    let late = h.create(h.org, &["*"], T + 7 * SECOND).await;

    // `confirmed`: 1; `all` and `twice`: both assessments, booking.confirmed, user.erased.
    assert_eq!(h.enqueue(T + 8 * SECOND).await, 1 + 4 + 4);
    assert_eq!(h.enqueue(T + 9 * SECOND).await, 0, "nothing new");
    assert_eq!(h.enqueue(T + 3_600 * SECOND).await, 0, "the cursor passed them, still not twice");

    assert_eq!(event_types(&h.deliveries(&confirmed).await), ["booking.confirmed"]);
    let expected = ["assessment.submitted", "booking.confirmed", "assessment.submitted", "user.erased"];
    let to_all = h.deliveries(&all).await;
    assert_eq!(event_types(&to_all), expected);
    assert_eq!(event_types(&h.deliveries(&twice).await), expected);
    assert!(h.deliveries(&cancelled).await.is_empty());
    assert!(h.deliveries(&theirs).await.is_empty(), "another organization's endpoint");
    assert!(h.deliveries(&late).await.is_empty(), "created after the events");
    assert_eq!(event_types(&h.deliveries(&disabled).await), [WEBHOOK_TEST_EVENT], "its test delivery only");
    assert_eq!(s.webhook_deliveries(h.org, deleted.id, 0, 10).await.unwrap(), None);

    let d = &to_all[1];
    assert_eq!((d.endpoint_id, d.status, d.attempts, d.schedule_from), (all.id, DeliveryStatus::Pending, 0, 0));
    assert_eq!((d.next_attempt_at, d.locked_until, d.delivered_at), (us(T + 8 * SECOND), None, None));
    assert_eq!((d.last_status_code, &d.last_response, &d.last_error), (None, &None, &None));
    assert_eq!((d.created_at, d.updated_at), (us(T + 8 * SECOND), us(T + 8 * SECOND)));
    assert_eq!((d.event.organization_id, d.event.created_at), (Some(h.org), us(T + 5 * SECOND)));
    assert!(d.event.payload.contains(r#""bookingId":"bkg_x""#), "{}", d.event.payload);
    assert_eq!(to_all[3].event.payload, r#"{"userId":"usr_x"}"#);
    assert_eq!(h.deliveries(&twice).await[1].event, d.event, "the same event to each endpoint");

    // Later events reach the endpoint created since; each organization's reach its own endpoints.
    h.write(h.other, &["booking.cancelled"], T + 4_000 * SECOND).await;
    h.write(h.org, &["booking.cancelled"], T + 4_000 * SECOND).await;
    assert_eq!(h.enqueue(T + 4_001 * SECOND).await, 2 + 2 + 1 + 2 + 2);
    assert_eq!(event_types(&h.deliveries(&cancelled).await), ["booking.cancelled"]);
    assert_eq!(event_types(&h.deliveries(&theirs).await), ["assessment.submitted", "booking.cancelled"]);
    assert_eq!(event_types(&h.deliveries(&late).await), ["assessment.submitted", "booking.cancelled"]);
    assert_eq!(h.deliveries(&confirmed).await.len(), 1);
    assert_eq!(h.deliveries(&disabled).await.len(), 1, "a disabled endpoint receives nothing");
}

pub async fn a_test_webhook_goes_to_its_endpoint_only(backend: Backend) {
    let h = hooks(backend).await;
    let s = h.store();
    let a = h.create(h.org, &["booking.confirmed"], T).await;
    let b = h.create(h.org, &["*"], T).await;
    let d = h.send_test(&a, T + SECOND).await.unwrap();
    assert_eq!((d.endpoint_id, d.status, d.attempts, d.schedule_from), (a.id, DeliveryStatus::Pending, 0, 0));
    assert_eq!((d.next_attempt_at, d.created_at, d.locked_until), (us(T + SECOND), us(T + SECOND), None));
    assert_eq!((d.event.event_type.as_str(), d.event.payload.as_str()), (WEBHOOK_TEST_EVENT, r#"{"test":true}"#));
    assert_eq!((d.event.organization_id, d.event.created_at), (Some(h.org), us(T + SECOND)));
    // The event is in the outbox like any other, and fanned out to no one.
    let events = s.pending_events(100).await.unwrap();
    assert_eq!(events.last(), Some(&d.event));
    assert_eq!(h.enqueue(T + 2 * SECOND).await, 0);
    assert_eq!(h.enqueue(T + 3_600 * SECOND).await, 0);
    assert_eq!(h.deliveries(&a).await, [d]);
    assert!(h.deliveries(&b).await.is_empty());
    // A deleted endpoint gets no test.
    s.delete_webhook_endpoint(h.org, b.id, hook_audit(h.org, "webhook.endpoint_deleted", T), us(T + 4 * SECOND))
        .await
        .unwrap();
    assert_eq!(h.send_test(&b, T + 5 * SECOND).await, None);
}

/// Writes `n` `booking.confirmed` events of the organization at `at`, behind the store (as many
/// as an outage leaves behind), and has the database count them as a periodic analysis would.
async fn write_backlog(f: &Fixture, organization_id: OrganizationId, at: i64) {
    const SQL: &str = "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) \
         INSERT INTO outbox_events (organization_id, event_type, payload, created_at) \
         SELECT $1, 'booking.confirmed', '{}', $2 FROM n";
    match f.store.backend() {
        Backend::Sqlite => {
            let raw = SqliteStore::open(&f.db.url).await.unwrap();
            sqlx::query(SQL).bind(organization_id.get()).bind(at).execute(raw.pool()).await.unwrap();
            sqlx::query("ANALYZE").execute(raw.pool()).await.unwrap();
        }
        Backend::Postgres => {
            let raw = PostgresStore::open(&f.db.url).await.unwrap();
            sqlx::query(SQL).bind(organization_id.get()).bind(at).execute(raw.pool()).await.unwrap();
            sqlx::query("ANALYZE").execute(raw.pool()).await.unwrap();
        }
    }
}

/// A backlog is fanned out in one statement: each endpoint's deliveries are still created, and
/// so claimed, in the order the events were written, the endpoints taking turns. (With many
/// rows PostgreSQL removes duplicates with a hash, whose output has no order.)
pub async fn a_backlog_is_fanned_out_in_event_order(backend: Backend) {
    let h = hooks(backend).await;
    let a = h.create(h.org, &["*"], T).await;
    let b = h.create(h.org, &["booking.confirmed", "*"], T).await;
    write_backlog(&h.f, h.org, T + SECOND).await;
    assert_eq!(h.enqueue(T + 2 * SECOND).await, 10_000);
    let mut first = Vec::new();
    for endpoint in [&a, &b] {
        let events: Vec<i64> = h.deliveries(endpoint).await.iter().map(|d| d.event.id.get()).collect();
        assert_eq!(events.len(), 5_000);
        assert!(events.windows(2).all(|w| w[0] < w[1]), "{:?}…", &events[..10]);
        first.push(events[0]);
    }
    assert_eq!(first[0], first[1]);
    let claimed = h.claim(T + 3 * SECOND, 4).await;
    let claimed: Vec<_> = claimed.iter().map(|c| (c.delivery.event.id.get() - first[0], c.endpoint.id)).collect();
    assert_eq!(claimed, [(0, a.id), (0, b.id), (1, a.id), (1, b.id)]);
}
