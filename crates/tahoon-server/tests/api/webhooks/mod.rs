//! Webhooks and reminders end to end, over real HTTP on both backends: endpoints managed through
//! the routes, events written by real bookings, registrations and screenings, and the worker's
//! passes (`deliver_due`, `send_due`) run directly against a local receiver
//! (`tahoon_integrations::testing::webhook_receiver`). Time moves by the application's manual
//! clock, never by sleeping.

mod edges;
mod endpoints;
mod filters;
mod payloads;
mod reminder_settings;
mod reminders;
mod retries;
mod rotation;
mod ssrf;
mod workers;

use crate::careprovider::{import, provider, soon};
use crate::helpers::*;
use crate::sessionbooking::{BOOK, CANCEL, RESCHEDULE, slots};
use jiff::{SignedDuration, Timestamp};
use reqwest::Method;
use serde_json::{Value, json};
use tahoon_domain::organization::OrganizationKind;
use tahoon_domain::webhooks::WebhookSecret;
use tahoon_domain::webhooks::signature::verify;
use tahoon_integrations::testing::webhook_receiver::Received;
use tahoon_server::AppState;
use tahoon_server::services::webhooks::{Report, deliver_due};
use tahoon_store::Backend;

pub const ENDPOINTS: &str = "/api/v1/webhooks/endpoints";
pub const DELIVERIES: &str = "/api/v1/webhooks/deliveries";
/// The registered user's name and date of birth, which no webhook may carry.
pub const NAME: &str = "Noura Al-Qahtani";
pub const DOB: &str = "1988-03-21";

/// An application with one provider (three slots a day at 09:00, 10:00, 11:00 in Riyadh) and a
/// FullAccess partner; users are registered by the test (after its endpoints, so that they get
/// `user.registered`).
pub struct World {
    pub app: TestApp,
    pub p: Partner,
    pub provider: String,
    /// The free slots of `soon()` before anything is booked.
    pub free: Vec<(String, String)>,
}

/// An endpoint as created: its public id and the secret shown once.
pub struct Endpoint {
    pub id: String,
    pub secret: WebhookSecret,
}

pub async fn world(backend: Backend) -> World {
    world_with(backend, |state| state).await
}

pub async fn world_with(backend: Backend, change: impl FnOnce(AppState) -> AppState) -> World {
    let app = TestApp::spawn_with(backend, change).await;
    let provider = import(&app, vec![provider("Amal", json!({}))]).await.remove(0);
    let p = app.partner_of(OrganizationKind::Standard).await;
    let free = slots(&app, &p, &provider, &soon()).await;
    assert_eq!(free.len(), 3);
    World { app, p, provider, free }
}

impl World {
    /// Registers a user named [`NAME`], born [`DOB`]; returns the public id.
    pub async fn register(&self, reference: &str) -> String {
        let body = json!({"referenceId": reference, "name": NAME, "dob": DOB, "genderType": 0});
        let (status, registered) = self.app.send(&self.p, "/api/v1/user/register", body).await;
        assert_eq!(status, 200, "{registered}");
        registered["data"]["userId"].as_str().unwrap().to_string()
    }

    /// Books `slot` for `user`, which must succeed; the booking's data.
    pub async fn book(&self, user: &str, slot: &str) -> Value {
        let (status, booked) =
            self.app.send(&self.p, BOOK, json!({"userId": user, "applicationMultiSlotId": slot})).await;
        assert_eq!((status, booked["data"]["statusName"].as_str()), (200, Some("Confirmed")), "{booked}");
        booked["data"].clone()
    }

    pub async fn cancel(&self, user: &str, booking: &str) {
        let body = json!({"bookingId": booking, "userId": user, "careProviderId": self.provider});
        let (status, answer) = self.app.send(&self.p, CANCEL, body).await;
        assert_eq!(status, 200, "{answer}");
    }

    pub async fn reschedule(&self, user: &str, booking: &str, slot: &str) {
        let body = json!({"bookingId": booking, "userId": user, "applicationMultiSlotId": slot});
        let (status, answer) = self.app.send(&self.p, RESCHEDULE, body).await;
        assert_eq!((status, answer["reason"].as_i64()), (200, Some(0)), "{answer}");
    }

    /// Creates an endpoint, which must succeed.
    pub async fn endpoint(&self, url: &str, events: &[&str]) -> Endpoint {
        let (status, body) = self.create(json!({"url": url, "events": events})).await;
        assert_eq!(status, 200, "{body}");
        let secret = WebhookSecret::parse(body["data"]["secret"].as_str().unwrap()).unwrap();
        Endpoint { id: body["data"]["endpointId"].as_str().unwrap().to_string(), secret }
    }

    /// `POST /webhooks/endpoints` with `body`, signed.
    pub async fn create(&self, body: Value) -> (u16, Value) {
        self.app.send(&self.p, ENDPOINTS, body).await
    }

    /// GETs `path` with the partner's token.
    pub async fn get(&self, path: &str) -> (u16, Value) {
        get_as(&self.app, &self.p.token, path).await
    }

    /// A signed request without a body (delete, rotate-secret, test, redeliver).
    pub async fn no_body(&self, method: Method, path: &str) -> (u16, Value) {
        no_body_as(&self.app, &self.p, method, path).await
    }

    /// `POST /webhooks/endpoints/{id}/test`, which must succeed: the new delivery.
    pub async fn test_event(&self, endpoint: &str) -> Value {
        let (status, body) = self.no_body(Method::POST, &format!("{ENDPOINTS}/{endpoint}/test")).await;
        assert_eq!(status, 200, "{body}");
        body["data"].clone()
    }

    /// The organization's endpoints as listed.
    pub async fn endpoints(&self) -> Vec<Value> {
        let (status, body) = self.get(ENDPOINTS).await;
        assert_eq!(status, 200, "{body}");
        body["data"]["endpoints"].as_array().unwrap().clone()
    }

    /// An endpoint's deliveries as listed, newest first.
    pub async fn deliveries(&self, endpoint: &str) -> Vec<Value> {
        let (status, body) = self.get(&format!("{ENDPOINTS}/{endpoint}/deliveries")).await;
        assert_eq!(status, 200, "{body}");
        body["data"]["deliveries"].as_array().unwrap().clone()
    }

    /// One delivery with its attempts.
    pub async fn delivery(&self, id: &str) -> Value {
        let (status, body) = self.get(&format!("{DELIVERIES}/{id}")).await;
        assert_eq!(status, 200, "{body}");
        body["data"].clone()
    }

    /// One delivery pass of the worker.
    pub async fn pass(&self) -> Report {
        pass(&self.app.state).await
    }

    pub fn advance(&self, by: SignedDuration) {
        self.app.state.clock.advance(by);
    }

    /// A new access token (after the clock has moved past the old one's life).
    pub async fn retoken(&mut self) {
        self.p.token = self.app.access_token(&self.p.org).await;
    }

    /// When `slot` starts.
    pub fn start_of(&self, slot: &str) -> Timestamp {
        let slot = self.app.state.ids.decode_slot(slot).unwrap();
        Timestamp::from_second(slot.start_unix_seconds).unwrap()
    }
}

pub async fn pass(state: &AppState) -> Report {
    deliver_due(state, &|| false).await.expect("a webhook pass")
}

pub async fn get_as(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    let response = app.http.get(app.url(path)).bearer_auth(token).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// A request without a body, signed with the header over `<METHOD> <path>` on the app's clock.
pub async fn no_body_as(app: &TestApp, p: &Partner, method: Method, path: &str) -> (u16, Value) {
    let signed = format!("{method} {path}");
    let signature = fresh_signature_at(&p.org.shared_key, &signed, app.state.clock.now().as_second());
    let response = app
        .http
        .request(method, app.url(path))
        .bearer_auth(&p.token)
        .header("x-tahoon-signature", signature)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// A signed `PUT` of `body` (the reminder settings routes).
pub async fn put(app: &TestApp, p: &Partner, path: &str, body: &Value) -> (u16, Value) {
    let raw = body.to_string();
    let signature = fresh_signature_at(&p.org.shared_key, &raw, app.state.clock.now().as_second());
    let response = app
        .http
        .put(app.url(path))
        .bearer_auth(&p.token)
        .header("content-type", "application/json")
        .header("x-tahoon-signature", signature)
        .body(raw)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// Whether `secret` verifies the request's `webhook-signature`.
pub fn verifies(r: &Received, secret: &WebhookSecret) -> bool {
    let id = r.header("webhook-id").expect("webhook-id");
    let timestamp: i64 = r.header("webhook-timestamp").expect("webhook-timestamp").parse().unwrap();
    verify(secret, id, timestamp, &r.body, r.header("webhook-signature").expect("webhook-signature"))
}

/// The request's body, after checking that `secret` signed it.
pub fn verified(r: &Received, secret: &WebhookSecret) -> Value {
    assert!(verifies(r, secret), "the signature verifies: {:?}", r.headers);
    serde_json::from_slice(&r.body).unwrap()
}

/// The `type` of each request's body, in arrival order.
pub fn types(received: &[Received]) -> Vec<String> {
    received
        .iter()
        .map(|r| serde_json::from_slice::<Value>(&r.body).unwrap()["type"].as_str().unwrap().to_string())
        .collect()
}
