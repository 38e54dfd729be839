//! Webhook endpoints: created with their audit entry up to the organization's limit, listed,
//! rotated and deleted by their organization only; and the helpers of the webhook tests.

use super::*;
use tahoon_domain::ids::{OrganizationId, UserId, WebhookEndpointId};

pub(crate) const SECOND: i64 = 1_000_000;
/// When the endpoints of a test are created: long after its users were registered (at 5 µs,
/// with their `user.registered` events, which no endpoint receives since none existed yet).
pub(crate) const T: i64 = 1_000 * SECOND;
const URL: &str = "https://hooks.example.org/tahoon";

pub(crate) struct Hooks {
    pub f: Fixture,
    pub org: OrganizationId,
    pub other: OrganizationId,
    /// A user of `org` and one of `other`.
    pub users: [UserId; 2],
}

pub(crate) async fn hooks(backend: Backend) -> Hooks {
    let f = fixture(backend).await;
    let org = f.store.create_organization(new_org("Acme", "d1")).await.unwrap().id;
    let other = f.store.create_organization(new_org("Beta", "d2")).await.unwrap().id;
    let mut users = Vec::new();
    for organization_id in [org, other] {
        let new = NewUser {
            organization_id,
            reference_id: "REF-1".into(),
            name: "Layla".into(),
            dob: "1991-02-03".into(),
            gender: 0,
            now: us(5),
        };
        let Registration::Created(user) = f.store.register_user(new).await.unwrap() else { panic!("registered") };
        users.push(user.id);
    }
    Hooks { f, org, other, users: [users[0], users[1]] }
}

pub(crate) fn hook_audit(organization_id: OrganizationId, action: &str, at: i64) -> AuditContent {
    AuditContent {
        occurred_at: us(at),
        organization_id: Some(organization_id),
        actor: format!("org:{}", organization_id.get()),
        action: action.into(),
        outcome: Outcome::Success,
        request_id: None,
        source_ip: None,
        details: "{}".into(),
    }
}

fn new_endpoint(organization_id: OrganizationId, events: &[&str], at: i64, limit: i64) -> NewWebhookEndpoint {
    NewWebhookEndpoint {
        organization_id,
        url: URL.into(),
        description: "CRM".into(),
        events: events.iter().map(|e| (*e).into()).collect(),
        secret_sealed: "v1.secret-1".into(),
        limit,
        audit: hook_audit(organization_id, "webhook.endpoint_created", at),
        now: us(at),
    }
}

impl Hooks {
    pub fn store(&self) -> &dyn Store {
        &*self.f.store
    }

    pub async fn create(&self, organization_id: OrganizationId, events: &[&str], at: i64) -> WebhookEndpoint {
        match self.store().create_webhook_endpoint(new_endpoint(organization_id, events, at, 10)).await.unwrap() {
            CreateEndpointOutcome::Created(endpoint) => endpoint,
            other => panic!("{other:?}"),
        }
    }

    /// Records an assessment of the organization's user at `at`: its `assessment.submitted`
    /// event, then one event of each of `types`.
    pub async fn write(&self, organization_id: OrganizationId, types: &[&str], at: i64) {
        let user_id = if organization_id == self.org { self.users[0] } else { self.users[1] };
        let events = types
            .iter()
            .map(|t| NewEvent {
                organization_id: Some(organization_id),
                event_type: (*t).into(),
                payload: serde_json::json!({"bookingId": "bkg_x"}),
            })
            .collect();
        let assessment = NewAssessment {
            organization_id,
            user_id,
            instrument_id: 2,
            instrument_code: "GAD-7".into(),
            total: 0,
            max_total: 21,
            band_code: "minimal".into(),
            risk_flags: vec![],
            answers: vec![],
            now: us(at),
        };
        self.store().record_assessment(assessment, events).await.unwrap();
    }

    pub async fn enqueue(&self, at: i64) -> u64 {
        let enqueue = EnqueueWebhooks { now: us(at), settled_before: us(at - 60 * SECOND) };
        self.store().enqueue_webhook_deliveries(enqueue).await.unwrap()
    }

    /// Claims under a 30-second lease.
    pub async fn claim(&self, at: i64, limit: i64) -> Vec<ClaimedDelivery> {
        let claim = ClaimWebhooks { now: us(at), lease_until: us(at + 30 * SECOND), limit };
        self.store().claim_webhook_deliveries(claim).await.unwrap()
    }

    /// The endpoint's deliveries, oldest first.
    pub async fn deliveries(&self, endpoint: &WebhookEndpoint) -> Vec<WebhookDelivery> {
        let page = self.store().webhook_deliveries(endpoint.organization_id, endpoint.id, 0, 100_000).await.unwrap();
        let (mut deliveries, total) = page.expect("the endpoint exists");
        assert_eq!(deliveries.len() as i64, total);
        deliveries.reverse();
        deliveries
    }

    pub async fn send_test(&self, endpoint: &WebhookEndpoint, at: i64) -> Option<WebhookDelivery> {
        let test = TestWebhook {
            organization_id: endpoint.organization_id,
            endpoint_id: endpoint.id,
            event: NewEvent {
                organization_id: Some(endpoint.organization_id),
                event_type: WEBHOOK_TEST_EVENT.into(),
                payload: serde_json::json!({"test": true}),
            },
            now: us(at),
        };
        self.store().send_test_webhook(test).await.unwrap()
    }

    /// The actions of the audit entries appended after the first `skip`.
    pub async fn audited(&self, skip: usize) -> Vec<String> {
        let entries = self.store().audit_entries(0, 10_000).await.unwrap();
        entries.into_iter().skip(skip).map(|e| e.content.action).collect()
    }
}

fn rotation(
    organization_id: OrganizationId,
    endpoint_id: WebhookEndpointId,
    secret: &str,
    at: i64,
) -> RotateWebhookSecret {
    RotateWebhookSecret {
        organization_id,
        endpoint_id,
        secret_sealed: secret.into(),
        previous_until: us(at + 86_400 * SECOND),
        audit: hook_audit(organization_id, "webhook.secret_rotated", at),
        now: us(at),
    }
}

pub async fn webhook_endpoints_are_created_listed_and_limited(backend: Backend) {
    let h = hooks(backend).await;
    let s = h.store();
    let before = s.audit_entries(0, 10_000).await.unwrap().len();
    let new = new_endpoint(h.org, &["booking.confirmed", "assessment.submitted", "booking.cancelled"], T, 2);
    let CreateEndpointOutcome::Created(a) = s.create_webhook_endpoint(new).await.unwrap() else { panic!() };
    assert_eq!(a.events, ["assessment.submitted", "booking.cancelled", "booking.confirmed"], "sorted");
    assert_eq!((a.organization_id, a.url.as_str(), a.description.as_str()), (h.org, URL, "CRM"));
    assert_eq!(
        (a.secret_sealed.as_str(), &a.previous_secret_sealed, a.previous_secret_until),
        ("v1.secret-1", &None, None)
    );
    assert_eq!((a.enabled, &a.disabled_reason, a.failing_since), (true, &None, None));
    assert_eq!((a.created_at, a.updated_at), (us(T), us(T)));
    assert_eq!(s.webhook_endpoint(h.org, a.id).await.unwrap(), Some(a.clone()));
    let entry = s.audit_entries(0, 10_000).await.unwrap().pop().unwrap();
    assert_eq!(
        (entry.content.action.as_str(), entry.content.organization_id),
        ("webhook.endpoint_created", Some(h.org))
    );

    let CreateEndpointOutcome::Created(b) =
        s.create_webhook_endpoint(new_endpoint(h.org, &["*"], T + 1, 2)).await.unwrap()
    else {
        panic!()
    };
    assert_eq!(b.events, ["*"]);
    // At the limit: refused, with nothing stored or audited.
    let refused = s.create_webhook_endpoint(new_endpoint(h.org, &["*"], T + 2, 2)).await.unwrap();
    assert!(matches!(refused, CreateEndpointOutcome::LimitReached { limit: 2 }), "{refused:?}");
    let ids = |v: Vec<WebhookEndpoint>| v.into_iter().map(|e| e.id).collect::<Vec<_>>();
    assert_eq!(ids(s.webhook_endpoints(h.org).await.unwrap()), [a.id, b.id], "oldest first");
    assert_eq!(h.audited(before).await, ["webhook.endpoint_created", "webhook.endpoint_created"]);
    // Another organization counts its own.
    let theirs = s.create_webhook_endpoint(new_endpoint(h.other, &["*"], T + 3, 2)).await.unwrap();
    assert!(matches!(theirs, CreateEndpointOutcome::Created(_)));
    assert_eq!(s.webhook_endpoints(h.other).await.unwrap().len(), 1);

    // A deleted endpoint is never shown again and frees its place.
    assert!(
        s.delete_webhook_endpoint(h.org, a.id, hook_audit(h.org, "webhook.endpoint_deleted", T + 4), us(T + 4))
            .await
            .unwrap()
    );
    assert_eq!(ids(s.webhook_endpoints(h.org).await.unwrap()), [b.id]);
    assert_eq!(s.webhook_endpoint(h.org, a.id).await.unwrap(), None);
    let again = s.delete_webhook_endpoint(h.org, a.id, hook_audit(h.org, "x", T + 5), us(T + 5)).await.unwrap();
    assert!(!again, "already deleted");
    let CreateEndpointOutcome::Created(c) =
        s.create_webhook_endpoint(new_endpoint(h.org, &["*"], T + 6, 2)).await.unwrap()
    else {
        panic!()
    };
    assert_eq!(ids(s.webhook_endpoints(h.org).await.unwrap()), [b.id, c.id]);
    let created = "webhook.endpoint_created";
    assert_eq!(h.audited(before).await, [created, created, created, "webhook.endpoint_deleted", created]);
}

pub async fn another_organizations_webhooks_are_not_found(backend: Backend) {
    let h = hooks(backend).await;
    let s = h.store();
    let a = h.create(h.org, &["*"], T).await;
    let delivery = h.send_test(&a, T + 1).await.unwrap();
    let before = s.audit_entries(0, 10_000).await.unwrap().len();
    let o = h.other;
    assert_eq!(s.webhook_endpoint(o, a.id).await.unwrap(), None);
    assert!(s.webhook_endpoints(o).await.unwrap().is_empty());
    assert!(!s.delete_webhook_endpoint(o, a.id, hook_audit(o, "x", T + 2), us(T + 2)).await.unwrap());
    assert_eq!(s.rotate_webhook_secret(rotation(o, a.id, "v1.theirs", T + 2)).await.unwrap(), None);
    assert_eq!(s.webhook_deliveries(o, a.id, 0, 10).await.unwrap(), None);
    assert_eq!(s.webhook_delivery(o, delivery.id).await.unwrap(), None);
    assert!(matches!(s.redeliver_webhook(o, delivery.id, us(T + 2)).await.unwrap(), RedeliverOutcome::NotFound));
    let test = TestWebhook {
        organization_id: o,
        endpoint_id: a.id,
        event: NewEvent {
            organization_id: Some(o),
            event_type: WEBHOOK_TEST_EVENT.into(),
            payload: serde_json::json!({}),
        },
        now: us(T + 2),
    };
    assert_eq!(s.send_test_webhook(test).await.unwrap(), None);
    // Unknown ids are not found either.
    assert_eq!(s.webhook_endpoint(h.org, Id::new(a.id.get() + 100)).await.unwrap(), None);
    assert_eq!(s.webhook_delivery(h.org, Id::new(delivery.id.get() + 100)).await.unwrap(), None);
    // Nothing was changed or audited.
    assert_eq!(s.webhook_endpoint(h.org, a.id).await.unwrap(), Some(a.clone()));
    assert_eq!(s.webhook_deliveries(h.org, a.id, 0, 10).await.unwrap(), Some((vec![delivery.clone()], 1)));
    assert_eq!(s.webhook_delivery(h.org, delivery.id).await.unwrap(), Some((delivery, vec![])));
    assert_eq!(s.audit_entries(0, 10_000).await.unwrap().len(), before);
}

pub async fn a_rotated_secret_keeps_the_previous_one_until_its_time(backend: Backend) {
    let h = hooks(backend).await;
    let s = h.store();
    let a = h.create(h.org, &["*"], T).await;
    let before = s.audit_entries(0, 10_000).await.unwrap().len();
    let rotated = s.rotate_webhook_secret(rotation(h.org, a.id, "v1.secret-2", T + 10)).await.unwrap().unwrap();
    assert_eq!(rotated.secret_sealed, "v1.secret-2");
    assert_eq!(rotated.previous_secret_sealed.as_deref(), Some("v1.secret-1"));
    assert_eq!(rotated.previous_secret_until, Some(us(T + 10 + 86_400 * SECOND)));
    assert_eq!((rotated.created_at, rotated.updated_at), (us(T), us(T + 10)));
    assert_eq!(s.webhook_endpoint(h.org, a.id).await.unwrap(), Some(rotated));
    // Rotated again: the secret just replaced becomes the previous one.
    let again = s.rotate_webhook_secret(rotation(h.org, a.id, "v1.secret-3", T + 20)).await.unwrap().unwrap();
    assert_eq!(
        (again.secret_sealed.as_str(), again.previous_secret_sealed.as_deref()),
        ("v1.secret-3", Some("v1.secret-2"))
    );
    assert_eq!(again.previous_secret_until, Some(us(T + 20 + 86_400 * SECOND)));
    assert_eq!(h.audited(before).await, ["webhook.secret_rotated", "webhook.secret_rotated"]);
    // A deleted endpoint is not rotated.
    s.delete_webhook_endpoint(h.org, a.id, hook_audit(h.org, "webhook.endpoint_deleted", T + 30), us(T + 30))
        .await
        .unwrap();
    assert_eq!(s.rotate_webhook_secret(rotation(h.org, a.id, "v1.secret-4", T + 40)).await.unwrap(), None);
    assert_eq!(h.audited(before).await.len(), 3);
}

/// Creations racing for an organization's last places: the limit holds.
pub async fn concurrent_creations_respect_the_endpoint_limit(backend: Backend) {
    let h = hooks(backend).await;
    let racers: Vec<_> = (0..8)
        .map(|i| {
            let store = h.f.store.clone();
            let new = new_endpoint(h.org, &["*"], T + i, 3);
            tokio::spawn(async move { store.create_webhook_endpoint(new).await.unwrap() })
        })
        .collect();
    let mut created = 0;
    for racer in racers {
        match racer.await.unwrap() {
            CreateEndpointOutcome::Created(_) => created += 1,
            CreateEndpointOutcome::LimitReached { limit } => assert_eq!(limit, 3),
        }
    }
    assert_eq!(created, 3);
    assert_eq!(h.store().webhook_endpoints(h.org).await.unwrap().len(), 3);
    assert_eq!(h.audited(0).await.iter().filter(|a| *a == "webhook.endpoint_created").count(), 3);
}
