//! A video vendor that fails: down, slow past its timeout, answering garbage, refusing, or not
//! configured. The booking ends Failed with its slot and balance restored and the partner gets 503
//! VendorUnavailable (108); the same slot books as soon as the vendor answers again.

use super::*;
use std::sync::Arc;
use std::time::Duration;
use tahoon_integrations::testing::videosdk::Fault;
use tahoon_integrations::video::{
    JoinTicket, Participant, Room, RoomRequest, RoomValidity, Session, VideoError, VideoProvider, VideoRooms,
};

/// A video vendor that cannot be reached.
pub struct BrokenVideo;

fn down() -> VideoError {
    VideoError::Unreachable { vendor: VideoProvider::VideoSdk, reason: "vendor down".into() }
}

#[async_trait::async_trait]
impl VideoRooms for BrokenVideo {
    fn provider(&self) -> VideoProvider {
        VideoProvider::VideoSdk
    }
    async fn create_room(&self, _request: &RoomRequest) -> Result<Room, VideoError> {
        Err(down())
    }
    async fn validate_room(&self, _meeting_id: &str) -> Result<RoomValidity, VideoError> {
        Err(down())
    }
    fn join_ticket(&self, _: Session<'_>, _: &Participant, _: Timestamp) -> Result<JoinTicket, VideoError> {
        Err(down())
    }
}

async fn a_failed_video_step_frees_the_slot(backend: Backend) {
    let app = TestApp::spawn_with(backend, |state| state.with_video(Arc::new(BrokenVideo))).await;
    let ids = import(&app, vec![provider("Amal", json!({}))]).await;
    let o = app.partner_of(OrganizationKind::Charity).await;
    let me = crate::sessionbooking::user(&app, &o, "V1").await;
    let date = soon();
    let free = slots(&app, &o, &ids[0], &date).await;
    let (status, body) = app.send(&o, BOOK, json!({"userId": me, "applicationMultiSlotId": free[0].0})).await;
    assert_envelope(status, &body, 503, 108, None);
    assert_eq!(slots(&app, &o, &ids[0], &date).await.len(), 3, "the slot is free again");
    let org_id = app.state.ids.decode::<tahoon_domain::ids::kind::Organization>(&o.org.id).unwrap();
    assert_eq!(app.state.store.organization(org_id).await.unwrap().unwrap().balance, 5, "the balance is as it was");
    let events = app.state.store.pending_events(100).await.unwrap();
    assert!(events.iter().any(|e| e.event_type == "booking.failed"));
}

async fn a_vendor_that_fails_fails_the_booking_until_it_answers_again(backend: Backend) {
    let w = world(backend, OrganizationKind::Charity).await;
    let fake = use_videosdk(&w.app, 100).await;
    let outages = [
        (Fault::Status(500, "{\"error\":\"internal\"}".into()), "refused the request"),
        (Fault::Late(Duration::from_millis(600)), "did not answer in time"),
        (Fault::Body("<html>Service Unavailable</html>".into()), "answered something unexpected"),
    ];
    for (fault, says) in outages {
        fake.outage(Some(fault.clone()));
        let (status, body) = w.book(0).await;
        assert_envelope(status, &body, 503, 108, None);
        let message = body["message"].as_str().unwrap();
        assert!(message.contains(says) && message.contains("nothing was booked"), "{fault:?}: {message}");
        assert!(!message.contains(SECRET) && !message.contains("internal"), "{message}");
        assert_eq!(w.free_now().await, 3, "{fault:?}: the slot is free again");
        assert_eq!(w.balance().await, 5, "{fault:?}: the session is restored");
        fake.outage(None);
    }
    // Each try ended Failed (in the user's history, with its event).
    let (_, failed) = w.get(&format!("/api/v1/user/bookings?userId={}&status=Failed", w.user)).await;
    assert_eq!(failed["data"]["totalCount"], 3, "{failed}");
    let events = w.app.state.store.pending_events(100).await.unwrap();
    assert_eq!(events.iter().filter(|e| e.event_type == "booking.failed").count(), 3);
    // The vendor answers again: the same slot books, in the vendor's room.
    let data = w.booked(0).await;
    let booking = data["bookingId"].as_str().unwrap();
    let room = tahoon_integrations::video::BookingRef::new(booking).room_key();
    let made = fake.rooms().into_iter().find(|r| r.custom_room_id.as_deref() == Some(room.as_str())).unwrap();
    assert_eq!(data["meetingId"], made.room_id.as_str());
    assert_eq!((w.free_now().await, w.balance().await), (2, 4));
}

/// A vendor whose settings cannot make a client (an operator's error).
struct Unconfigured;

#[async_trait::async_trait]
impl VideoRooms for Unconfigured {
    fn provider(&self) -> VideoProvider {
        VideoProvider::LiveKit
    }
    async fn create_room(&self, _request: &RoomRequest) -> Result<Room, VideoError> {
        Err(VideoError::NotConfigured { vendor: VideoProvider::LiveKit, detail: "livekit.url is not set".into() })
    }
    async fn validate_room(&self, _meeting_id: &str) -> Result<RoomValidity, VideoError> {
        Ok(RoomValidity::Valid)
    }
    fn join_ticket(&self, _: Session<'_>, _: &Participant, _: Timestamp) -> Result<JoinTicket, VideoError> {
        Err(VideoError::NotConfigured { vendor: VideoProvider::LiveKit, detail: "livekit.url is not set".into() })
    }
}

async fn a_vendor_that_is_not_configured_fails_the_booking_too(backend: Backend) {
    let app = TestApp::spawn_with(backend, |state| state.with_video(Arc::new(Unconfigured))).await;
    let ids = import(&app, vec![provider("Amal", json!({}))]).await;
    let o = app.partner_of(OrganizationKind::Standard).await;
    let me = crate::sessionbooking::user(&app, &o, "NC1").await;
    let free = slots(&app, &o, &ids[0], &soon()).await;
    let (status, body) = app.send(&o, BOOK, json!({"userId": me, "applicationMultiSlotId": free[0].0})).await;
    assert_envelope(status, &body, 503, 108, None);
    assert!(body["message"].as_str().unwrap().contains("is not configured"), "{body}");
    assert_eq!(slots(&app, &o, &ids[0], &soon()).await.len(), 3);
}

tahoon_store::backend_tests!(
    a_failed_video_step_frees_the_slot,
    a_vendor_that_fails_fails_the_booking_until_it_answers_again,
    a_vendor_that_is_not_configured_fails_the_booking_too,
);
