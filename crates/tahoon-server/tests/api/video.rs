//! The video vendors wired into booking, over real HTTP on both backends: the vendor chosen through
//! the operator's settings route, a fake VideoSDK (`tahoon_integrations::testing`) that checks
//! every token it receives, join tickets, the display-name rule, failures (Failed + 503, the slot
//! bookable again), rooms checked and made again, and recordings.

mod booking;
pub mod failures;
mod recordings;
mod rooms;

use crate::careprovider::{admin, import, provider, soon};
use crate::helpers::*;
use crate::sessionbooking::{BOOK, slots};
use jiff::{SignedDuration, Timestamp};
use reqwest::Method;
use serde_json::{Value, json};
use tahoon_domain::organization::OrganizationKind;
use tahoon_integrations::testing::videosdk::{API_KEY, FakeVideoSdk, SECRET};
use tahoon_store::Backend;

pub const RECORDING: &str = "/api/v1/sessionbooking/getrecording";
/// The user's legal name, which no vendor may see unless the organization shares names.
pub const LEGAL_NAME: &str = "Layla Haddad";

/// Sets `key` through the operator's settings route.
pub async fn set(app: &TestApp, key: &str, value: &str) {
    let path = format!("/api/v1/admin/settings/{key}");
    let (status, body) = admin(app, Method::PUT, &path, Some(json!({ "value": value }))).await;
    assert_eq!(status, 200, "{key}: {body}");
}

/// A fake VideoSDK made the video vendor through the settings route, with `timeout_ms` as the
/// connect and request timeouts.
pub async fn use_videosdk(app: &TestApp, timeout_ms: u64) -> FakeVideoSdk {
    let fake = FakeVideoSdk::start().await;
    set(app, "videosdk.api_endpoint", fake.url.as_str()).await;
    set(app, "videosdk.api_key", API_KEY).await;
    set(app, "videosdk.secret_key", SECRET).await;
    set(app, "video.connect_timeout_ms", &timeout_ms.to_string()).await;
    set(app, "video.request_timeout_ms", &timeout_ms.to_string()).await;
    set(app, "video.provider", "videosdk").await;
    fake
}

/// An application with one provider (`Amal Tester`, three slots a day), a partner of `kind` and
/// one of its users, named [`LEGAL_NAME`].
pub struct World {
    pub app: TestApp,
    pub provider_id: String,
    pub p: Partner,
    pub user: String,
    pub date: String,
    /// The day's free slots (ids and start times) before anything is booked.
    pub free: Vec<(String, String)>,
}

pub async fn world(backend: Backend, kind: OrganizationKind) -> World {
    let app = TestApp::spawn(backend).await;
    let provider_id = import(&app, vec![provider("Amal", json!({}))]).await.remove(0);
    let p = app.partner_of(kind).await;
    let body = json!({"referenceId": "VID-1", "name": LEGAL_NAME, "dob": "1990-01-01", "genderType": 0});
    let (status, registered) = app.send(&p, "/api/v1/user/register", body).await;
    assert_eq!(status, 200, "{registered}");
    let user = registered["data"]["userId"].as_str().unwrap().to_string();
    let date = soon();
    let free = slots(&app, &p, &provider_id, &date).await;
    assert_eq!(free.len(), 3);
    World { app, provider_id, p, user, date, free }
}

impl World {
    /// Books the `n`th free slot for the user: status and answer.
    pub async fn book(&self, n: usize) -> (u16, Value) {
        self.app.send(&self.p, BOOK, json!({"userId": self.user, "applicationMultiSlotId": self.free[n].0})).await
    }

    /// Books the `n`th free slot, which must succeed: the booking's data.
    pub async fn booked(&self, n: usize) -> Value {
        let (status, body) = self.book(n).await;
        assert_eq!((status, body["reason"].as_i64()), (200, Some(0)), "{body}");
        body["data"].clone()
    }

    /// GETs `path` with `token` (the partner's when `None`): status, headers, answer.
    pub async fn get_as(&self, token: Option<&str>, path: &str) -> (u16, reqwest::header::HeaderMap, Value) {
        let token = token.unwrap_or(&self.p.token);
        let response = self.app.http.get(self.app.url(path)).bearer_auth(token).send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        (status, headers, response.json().await.unwrap())
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let (status, _, body) = self.get_as(None, path).await;
        (status, body)
    }

    /// The booking's detail, which must be found.
    pub async fn detail(&self, booking: &str) -> Value {
        let (status, body) = self.get(&format!("/api/v1/sessionbooking/{booking}")).await;
        assert_eq!(status, 200, "{body}");
        body["data"].clone()
    }

    /// The number of free slots of the day now.
    pub async fn free_now(&self) -> usize {
        slots(&self.app, &self.p, &self.provider_id, &self.date).await.len()
    }

    /// The start of the `n`th free slot.
    pub fn start_of(&self, n: usize) -> Timestamp {
        let slot = self.app.state.ids.decode_slot(&self.free[n].0).unwrap();
        Timestamp::from_second(slot.start_unix_seconds).unwrap()
    }

    /// The partner's organization's balance of sessions.
    pub async fn balance(&self) -> i64 {
        let id = self.app.state.ids.decode::<tahoon_domain::ids::kind::Organization>(&self.p.org.id).unwrap();
        self.app.state.store.organization(id).await.unwrap().unwrap().balance
    }
}

/// The end of the session of `data` (a booking answer) plus the 30 minutes a join ticket lasts.
pub fn ticket_expiry(world: &World, n: usize) -> String {
    let end = world.start_of(n) + SignedDuration::from_mins(60);
    (end + SignedDuration::from_mins(30)).to_string()
}

/// How many rooms the fake was asked to create.
pub fn creates(fake: &FakeVideoSdk) -> usize {
    fake.seen().iter().filter(|s| s.method == Method::POST && s.path == "/v2/rooms").count()
}
