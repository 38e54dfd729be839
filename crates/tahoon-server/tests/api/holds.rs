//! Abandoned holds: a Pending booking left behind by a crash between holding and confirming is
//! failed once it is older than its time to live — by the sweep, or right away when a new
//! booking meets it — freeing its slot and restoring a charity's session. Time moves by the
//! application's clock, never by sleeping. Also: the operator's outcome writes its event.

use crate::careprovider::{admin, import, provider, soon};
use crate::helpers::*;
use crate::sessionbooking::{BOOK, slots, user};
use jiff::{SignedDuration, Timestamp};
use reqwest::Method;
use serde_json::{Value, json};
use tahoon_domain::ids::{BookingId, kind};
use tahoon_domain::organization::OrganizationKind;
use tahoon_integrations::video::{
    JoinTicket, Participant, Room, RoomRequest, RoomValidity, Session, VideoError, VideoProvider, VideoRooms,
};
use tahoon_server::services::booking::expiry;
use tahoon_store::{Backend, BookingUser, HoldOutcome, NewBooking};

/// Holds `slot_id` for `user` straight through the store, as the booking saga does before it asks
/// for a video room, and stops there (as a crashed process would).
async fn abandoned_hold(app: &TestApp, p: &Partner, user: &str, slot_id: &str) -> BookingId {
    let ids = &app.state.ids;
    let slot = ids.decode_slot(slot_id).unwrap();
    let organization = ids.decode::<kind::Organization>(&p.org.id).unwrap();
    let start = Timestamp::from_second(slot.start_unix_seconds).unwrap();
    let end = start + SignedDuration::from_mins(i64::from(slot.duration_minutes));
    let hold = NewBooking {
        organization_id: organization,
        user: BookingUser::Existing(ids.decode::<kind::User>(user).unwrap()),
        provider_id: slot.provider_id,
        starts_at: start,
        ends_at: end,
        blocks_until: end,
        price_minor: 20_000,
        currency: "SAR".into(),
        communication_type: 1,
        from_mobile: false,
        platform_id: None,
        debit_balance: true,
        guest_audit: None,
        actor: "test".into(),
        now: app.state.clock.now(),
    };
    let held = match app.state.store.hold_booking(hold).await.unwrap() {
        HoldOutcome::Held { booking, .. } => booking.id,
        other => panic!("not held: {other:?}"),
    };
    // Written behind the service: the search index hears of it at its next poll, or now.
    app.state.directory.sync().await.unwrap();
    held
}

async fn balance(app: &TestApp, p: &Partner) -> i64 {
    let (_, body) = admin(app, Method::GET, "/api/v1/admin/organizations", None).await;
    let found = body["data"].as_array().unwrap().iter().find(|o| o["organizationId"] == p.org.id).unwrap().clone();
    found["balance"].as_i64().unwrap()
}

async fn events_of(app: &TestApp, event_type: &str) -> Vec<Value> {
    let events = app.state.store.pending_events(1_000).await.unwrap();
    events
        .into_iter()
        .filter(|e| e.event_type == event_type)
        .map(|e| serde_json::from_str(&e.payload).unwrap())
        .collect()
}

async fn the_sweep_fails_an_abandoned_hold(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let provider_id = import(&app, vec![provider("Sweep", json!({}))]).await.remove(0);
    let p = app.partner_of(OrganizationKind::Charity).await;
    let (me, other) = (user(&app, &p, "HOLD-1").await, user(&app, &p, "HOLD-2").await);
    let date = soon();
    let free = slots(&app, &p, &provider_id, &date).await;
    let held = abandoned_hold(&app, &p, &me, &free[0].0).await;
    assert_eq!(balance(&app, &p).await, 4, "the hold debited a session");
    assert_eq!(slots(&app, &p, &provider_id, &date).await.len(), 2);

    // Younger than two minutes: kept, and the slot stays taken.
    app.state.clock.advance(SignedDuration::from_secs(119));
    assert_eq!(expiry::sweep(&app.state).await.unwrap(), 0);
    let (status, body) = app.send(&p, BOOK, json!({"userId": other, "applicationMultiSlotId": free[0].0})).await;
    assert_envelope(status, &body, 200, 4, None);

    // Two minutes old: failed, slot free, session restored, event and audit written.
    app.state.clock.advance(SignedDuration::from_secs(1));
    assert_eq!(expiry::sweep(&app.state).await.unwrap(), 1);
    assert_eq!(expiry::sweep(&app.state).await.unwrap(), 0, "once");
    assert_eq!(slots(&app, &p, &provider_id, &date).await.len(), 3);
    assert_eq!(balance(&app, &p).await, 5);
    let failed = events_of(&app, "booking.failed").await;
    let public = app.state.ids.encode(held);
    assert!(failed.iter().any(|e| e["bookingId"] == public), "{failed:?}");
    let audit = app.state.store.audit_entries(0, 1_000).await.unwrap();
    assert!(audit.iter().any(|e| e.content.action == "booking.hold_expired"));
    let (status, body) = app.send(&p, BOOK, json!({"userId": other, "applicationMultiSlotId": free[0].0})).await;
    assert_eq!((status, body["reason"].as_i64()), (200, Some(0)), "{body}");
}

async fn a_booking_that_meets_an_abandoned_hold_frees_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let provider_id = import(&app, vec![provider("Lazy", json!({}))]).await.remove(0);
    let p = app.partner_of(OrganizationKind::Charity).await;
    let (me, other) = (user(&app, &p, "LAZY-1").await, user(&app, &p, "LAZY-2").await);
    let free = slots(&app, &p, &provider_id, &soon()).await;
    abandoned_hold(&app, &p, &me, &free[1].0).await;
    app.state.clock.advance(SignedDuration::from_mins(3));
    // No sweep has run: the booking itself fails the stale hold and takes the slot.
    let (status, body) = app.send(&p, BOOK, json!({"userId": other, "applicationMultiSlotId": free[1].0})).await;
    assert_eq!((status, body["reason"].as_i64()), (200, Some(0)), "{body}");
    assert_eq!(balance(&app, &p).await, 4, "one session spent, the abandoned one restored");
    assert_eq!(expiry::sweep(&app.state).await.unwrap(), 0);
}

async fn an_operator_outcome_writes_its_event(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let provider_id = import(&app, vec![provider("Outcome", json!({}))]).await.remove(0);
    let p = app.partner().await;
    let me = user(&app, &p, "EVT-1").await;
    let free = slots(&app, &p, &provider_id, &soon()).await;
    let (_, booked) = app.send(&p, BOOK, json!({"userId": me, "applicationMultiSlotId": free[0].0})).await;
    let booking = booked["data"]["bookingId"].as_str().unwrap().to_string();
    app.state.clock.advance(SignedDuration::from_hours(6 * 24));
    let path = format!("/api/v1/admin/bookings/{booking}/status");
    let (status, body) = admin(&app, Method::POST, &path, Some(json!({"status": "NoShow"}))).await;
    assert_eq!(status, 200, "{body}");
    let no_shows = events_of(&app, "booking.no_show").await;
    assert_eq!(no_shows.len(), 1);
    assert_eq!(no_shows[0]["bookingId"], booking.as_str());
    assert_eq!(no_shows[0]["userId"], me.as_str());
}

/// A video vendor so slow that the hold expires (and the sweep fails it) before the room arrives.
struct SlowVideo(std::sync::OnceLock<tahoon_server::AppState>);

#[async_trait::async_trait]
impl VideoRooms for SlowVideo {
    fn provider(&self) -> VideoProvider {
        VideoProvider::VideoSdk
    }
    async fn create_room(&self, _request: &RoomRequest) -> Result<Room, VideoError> {
        let state = self.0.get().expect("state set after spawn");
        state.clock.advance(SignedDuration::from_mins(3));
        expiry::sweep(state).await.unwrap();
        Ok(Room { meeting_id: "late".into(), join_url: Some("https://meet/late".into()), vendor: self.provider() })
    }
    async fn validate_room(&self, _meeting_id: &str) -> Result<RoomValidity, VideoError> {
        Ok(RoomValidity::Valid)
    }
    fn join_ticket(&self, _: Session<'_>, _: &Participant, _: Timestamp) -> Result<JoinTicket, VideoError> {
        Err(VideoError::NotSupported { vendor: self.provider(), what: "join tickets" })
    }
}

async fn a_room_that_arrives_after_the_hold_expired_books_nothing(backend: Backend) {
    let slow = std::sync::Arc::new(SlowVideo(std::sync::OnceLock::new()));
    let video = slow.clone();
    let app = TestApp::spawn_with(backend, move |state| state.with_video(video)).await;
    slow.0.set(app.state.clone()).ok().unwrap();
    let provider_id = import(&app, vec![provider("Slow", json!({}))]).await.remove(0);
    let p = app.partner_of(OrganizationKind::Charity).await;
    let me = user(&app, &p, "SLOW-1").await;
    let date = soon();
    let free = slots(&app, &p, &provider_id, &date).await;
    let (status, body) = app.send(&p, BOOK, json!({"userId": me, "applicationMultiSlotId": free[0].0})).await;
    assert_envelope(status, &body, 503, 108, None);
    assert!(body["message"].as_str().unwrap().contains("expired"), "{body}");
    // Failed by the sweep: slot free and session restored.
    assert_eq!(slots(&app, &p, &provider_id, &date).await.len(), 3);
    assert_eq!(balance(&app, &p).await, 5);
}

tahoon_store::backend_tests!(
    a_room_that_arrives_after_the_hold_expired_books_nothing,
    the_sweep_fails_an_abandoned_hold,
    a_booking_that_meets_an_abandoned_hold_frees_it,
    an_operator_outcome_writes_its_event
);
