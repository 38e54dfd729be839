//! Several workers on one database: each delivery is attempted by one of them at a time and
//! delivered once; a worker that dies holding a delivery delays it by its lease, no more, and its
//! late finish changes nothing.

use super::*;
use std::collections::BTreeSet;
use tahoon_domain::ids::{OrganizationId, WebhookEndpointId, kind};
use tahoon_integrations::testing::webhook_receiver::WebhookReceiver;
use tahoon_server::services::webhooks::endpoints::send_test;
use tahoon_store::{
    AttemptOutcome, ClaimWebhooks, DeliveryEnd, DeliveryStatus, EndpointHealth, EnqueueWebhooks, FinishDelivery,
    WebhookAttempt,
};

/// Another process on the same database: its own store (and pool), the same clock.
async fn another_worker(w: &World) -> AppState {
    let store = tahoon_store::open(&w.app._db_url()).await.unwrap();
    AppState::with_clock(store, test_config(), w.app.state.clock.clone())
}

fn ids(w: &World, endpoint: &str) -> (OrganizationId, WebhookEndpointId) {
    let ids = &w.app.state.ids;
    (ids.decode::<kind::Organization>(&w.p.org.id).unwrap(), ids.decode::<kind::WebhookEndpoint>(endpoint).unwrap())
}

/// Runs passes until every delivery of the endpoint has succeeded; how many this worker delivered.
async fn drain(state: AppState, organization: OrganizationId, endpoint: WebhookEndpointId) -> usize {
    let mut succeeded = 0;
    for _ in 0..200 {
        let report = pass(&state).await;
        assert_eq!((report.lost, report.retried, report.failed), (0, 0, 0), "{report:?}");
        succeeded += report.succeeded;
        if report.is_idle() {
            let (all, _) = state.store.webhook_deliveries(organization, endpoint, 0, 1_000).await.unwrap().unwrap();
            if all.iter().all(|d| d.status == DeliveryStatus::Succeeded) {
                return succeeded;
            }
            tokio::task::yield_now().await;
        }
    }
    panic!("the deliveries never all succeeded");
}

async fn two_workers_deliver_each_event_once(backend: Backend) {
    if backend == Backend::Sqlite {
        eprintln!("PostgreSQL only: several workers on one database is a PostgreSQL deployment");
        return;
    }
    let w = world(backend).await;
    let receiver = WebhookReceiver::start().await;
    let endpoint = w.endpoint(receiver.url("/hook").as_str(), &["*"]).await;
    let (organization, endpoint_id) = ids(&w, &endpoint.id);
    for _ in 0..200 {
        send_test(&w.app.state, organization, endpoint_id).await.unwrap();
    }
    let (one, two) = (another_worker(&w).await, another_worker(&w).await);
    let (a, b) = tokio::join!(
        tokio::spawn(drain(one, organization, endpoint_id)),
        tokio::spawn(drain(two, organization, endpoint_id))
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    eprintln!("the workers delivered {a} and {b}");
    assert_eq!(a + b, 200);

    let seen = receiver.webhook_ids();
    assert_eq!(seen.len(), 200, "200 requests");
    assert_eq!(seen.iter().collect::<BTreeSet<_>>().len(), 200, "each event once");
    let (all, total) =
        w.app.state.store.webhook_deliveries(organization, endpoint_id, 0, 1_000).await.unwrap().unwrap();
    assert_eq!(total, 200);
    assert!(all.iter().all(|d| d.attempts == 1 && d.status == DeliveryStatus::Succeeded));
    let events: BTreeSet<String> = all.iter().map(|d| w.app.state.ids.encode(d.event.id)).collect();
    assert_eq!(events, seen.into_iter().collect::<BTreeSet<_>>());
    // Paged over HTTP: 100 at most a page.
    let (status, page) = w.get(&format!("{ENDPOINTS}/{}/deliveries?page=2&pageSize=100", endpoint.id)).await;
    assert_eq!((status, page["data"]["totalCount"].as_i64()), (200, Some(200)), "{page}");
    assert_eq!((page["data"]["page"].as_i64(), page["data"]["deliveries"].as_array().unwrap().len()), (Some(2), 100));
    let (status, page) = w.get(&format!("{ENDPOINTS}/{}/deliveries?pageSize=101", endpoint.id)).await;
    assert_envelope(status, &page, 400, 105, Some("pageSize"));
}

async fn a_delivery_held_by_a_dead_worker_is_delivered_once(backend: Backend) {
    let w = world(backend).await;
    let receiver = WebhookReceiver::start().await;
    let endpoint = w.endpoint(receiver.url("/hook").as_str(), &["user.registered"]).await;
    w.register("WH-CRASH").await;
    // A worker enqueues, claims with a 30-second lease, and dies before it sends.
    let store = &w.app.state.store;
    let now = w.app.state.clock.now();
    assert_eq!(store.enqueue_webhook_deliveries(EnqueueWebhooks { now, settled_before: now }).await.unwrap(), 1);
    let lease = now + SignedDuration::from_secs(30);
    let claimed = store.claim_webhook_deliveries(ClaimWebhooks { now, lease_until: lease, limit: 10 }).await.unwrap();
    assert_eq!(claimed.len(), 1);
    let dead = &claimed[0].delivery;
    assert_eq!((dead.attempts, dead.status), (1, DeliveryStatus::Sending));

    // Another worker, in another process: nothing to do while the lease holds.
    let other = another_worker(&w).await;
    assert!(pass(&other).await.is_idle());
    let id = w.app.state.ids.encode(dead.id);
    let (status, answer) = w.no_body(Method::POST, &format!("{DELIVERIES}/{id}/redeliver")).await;
    assert_envelope(status, &answer, 409, 119, None);
    w.advance(SignedDuration::from_secs(29));
    assert!(pass(&other).await.is_idle());
    assert_eq!(receiver.count(), 0);

    // The lease expires: the other worker delivers it, as attempt 2.
    w.advance(SignedDuration::from_secs(1));
    assert_eq!(pass(&other).await, Report { succeeded: 1, ..Report::default() });
    assert_eq!(receiver.count(), 1);
    assert_eq!(receiver.webhook_ids(), [w.app.state.ids.encode(dead.event.id)]);
    let detail = w.delivery(&id).await;
    assert_eq!((detail["status"].as_str(), detail["attemptCount"].as_i64()), (Some("succeeded"), Some(2)));
    let attempts: Vec<(i64, &str)> = detail["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["attempt"].as_i64().unwrap(), a["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(attempts, [(2, "delivered")], "the dead worker's attempt left no record");

    // The dead worker wakes up and reports its attempt: refused, nothing changes.
    let late = FinishDelivery {
        id: dead.id,
        endpoint_id: claimed[0].endpoint.id,
        attempt: 1,
        record: WebhookAttempt {
            attempt: 1,
            outcome: AttemptOutcome::Refused,
            status_code: Some(500),
            response_excerpt: Some("late".into()),
            error: Some("HTTP 500".into()),
            started_at: now,
            duration_ms: 31_000,
        },
        end: DeliveryEnd::Retry { at: now },
        health: EndpointHealth::Failing,
        now: w.app.state.clock.now(),
    };
    assert!(!store.finish_webhook_delivery(late).await.unwrap());
    let after = w.delivery(&id).await;
    assert_eq!(after, detail, "unchanged by the late finish");
    assert_eq!(w.endpoints().await[0]["failingSince"], json!(null));
    w.advance(SignedDuration::from_hours(1));
    assert!(pass(&other).await.is_idle());
    assert!(w.pass().await.is_idle());
    assert_eq!(receiver.count(), 1, "delivered once");
    assert!(verifies(&receiver.requests()[0], &endpoint.secret));
}

tahoon_store::backend_tests!(two_workers_deliver_each_event_once, a_delivery_held_by_a_dead_worker_is_delivered_once);
