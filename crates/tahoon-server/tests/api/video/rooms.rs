//! A booking's room checked at its vendor: on reschedule (made again when the vendor lost it, the
//! move refused while the vendor is down or keeps it disabled) and when the booking is read
//! shortly before its session (`roomStatus`, never an error).

use super::*;
use crate::sessionbooking::RESCHEDULE;
use std::time::{Duration, Instant};
use tahoon_integrations::testing::try_verified_claims;
use tahoon_integrations::testing::videosdk::Fault;

async fn a_reschedule_makes_a_lost_room_again_and_waits_for_a_vendor_that_is_down(backend: Backend) {
    let w = world(backend, OrganizationKind::Standard).await;
    let fake = use_videosdk(&w.app, 100).await;
    let data = w.booked(0).await;
    let booking = data["bookingId"].as_str().unwrap().to_string();
    let first_room = data["meetingId"].as_str().unwrap().to_string();
    let reschedule = |n: usize| {
        let (w, body) = (&w, json!({"bookingId": booking, "userId": w.user, "applicationMultiSlotId": w.free[n].0}));
        async move { w.app.send(&w.p, RESCHEDULE, body).await }
    };

    // The vendor lost the room: the move makes it again, for the same booking, and stores it.
    fake.state.rooms.lock().unwrap().clear();
    let (status, moved) = reschedule(1).await;
    assert_eq!(status, 200, "{moved}");
    let second_room = moved["data"]["meetingId"].as_str().unwrap().to_string();
    assert_ne!(second_room, first_room);
    let rooms = fake.rooms();
    assert_eq!(rooms.len(), 1);
    let name = tahoon_integrations::video::BookingRef::new(&booking).room_key();
    assert_eq!((rooms[0].room_id.as_str(), rooms[0].custom_room_id.as_deref()), (second_room.as_str(), Some(&*name)));
    let token = moved["data"]["participants"]["client"]["token"].as_str().unwrap();
    assert_eq!(try_verified_claims(token, SECRET, true).unwrap()["roomId"], second_room.as_str());
    assert_eq!(moved["data"]["participants"]["client"]["expiresAt"], ticket_expiry(&w, 1));
    assert_eq!(w.detail(&booking).await["meetingId"], second_room.as_str());

    // The vendor is down: nothing moves.
    fake.outage(Some(Fault::Status(503, "busy".into())));
    let (status, refused) = reschedule(2).await;
    assert_envelope(status, &refused, 503, 108, None);
    assert!(refused["message"].as_str().unwrap().contains("nothing was moved"), "{refused}");
    let detail = w.detail(&booking).await;
    assert_eq!(detail["slot"]["applicationMultiSlotId"], w.free[1].0.as_str(), "still at the second slot");

    // The vendor keeps the room disabled (asking for the booking's room answers it again): refused.
    fake.outage(None);
    fake.state.rooms.lock().unwrap()[0].disabled = true;
    let (status, refused) = reschedule(2).await;
    assert_envelope(status, &refused, 503, 108, None);
    assert!(refused["message"].as_str().unwrap().contains("disabled"), "{refused}");

    // A valid room is kept.
    fake.state.rooms.lock().unwrap()[0].disabled = false;
    let (status, moved) = reschedule(2).await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["data"]["meetingId"], second_room.as_str());
    assert_eq!(fake.rooms().len(), 1);
}

async fn the_detail_reports_the_room_shortly_before_the_session(backend: Backend) {
    let w = world(backend, OrganizationKind::Standard).await;
    let fake = use_videosdk(&w.app, 100).await;
    let booking = w.booked(0).await["bookingId"].as_str().unwrap().to_string();
    let path = format!("/api/v1/sessionbooking/{booking}");
    // Ten minutes before the session (a new token: the old one expired on the way).
    w.app.state.clock.set(w.start_of(0) - SignedDuration::from_mins(10));
    let token = w.app.access_token(&w.p.org).await;
    let status_now = || async {
        let started = Instant::now();
        let (status, _, body) = w.get_as(Some(&token), &path).await;
        assert_eq!(status, 200, "{body}");
        (body["data"]["roomStatus"].clone(), started.elapsed())
    };
    assert_eq!(status_now().await.0, "Valid");
    assert!(fake.seen().iter().any(|s| s.path.starts_with("/v2/rooms/validate/")));
    fake.state.rooms.lock().unwrap()[0].disabled = true;
    assert_eq!(status_now().await.0, "Disabled");
    fake.state.rooms.lock().unwrap().clear();
    assert_eq!(status_now().await.0, "Missing");

    // A vendor that fails or is slow never fails the read.
    fake.outage(Some(Fault::Status(500, "oops".into())));
    assert_eq!(status_now().await.0, "Unknown");
    fake.outage(Some(Fault::Late(Duration::from_secs(2))));
    let (room, took) = status_now().await;
    assert_eq!(room, "Unknown");
    assert!(took < Duration::from_millis(1_500), "{took:?}: the vendor's 100 ms timeout, once retried");
    // Slower timeouts are cut at the read's own budget of two seconds.
    set(&w.app, "video.request_timeout_ms", "5000").await;
    fake.outage(Some(Fault::Late(Duration::from_secs(6))));
    let (room, took) = status_now().await;
    assert_eq!(room, "Unknown");
    assert!(took >= Duration::from_millis(1_900) && took < Duration::from_millis(4_000), "{took:?}");
    fake.outage(None);

    // After the session, no check.
    w.app.state.clock.set(w.start_of(0) + SignedDuration::from_mins(61));
    let token = w.app.access_token(&w.p.org).await;
    let (_, _, body) = w.get_as(Some(&token), &path).await;
    assert!(body["data"].get("roomStatus").is_none(), "{body}");
}

tahoon_store::backend_tests!(
    a_reschedule_makes_a_lost_room_again_and_waits_for_a_vendor_that_is_down,
    the_detail_reports_the_room_shortly_before_the_session,
);
