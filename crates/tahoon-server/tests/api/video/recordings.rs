//! `GET /sessionbooking/getrecording/{bookingId}` (and its legacy alias): the recordings of the
//! booking's room at the vendor that made it, for the owner only; "not supported" for a vendor
//! that does not record; 503 while the vendor is down.

use super::*;
use tahoon_integrations::testing::videosdk::{Fault, recording};

async fn recordings_for_the_owner_from_the_vendor_that_made_the_room(backend: Backend) {
    let w = world(backend, OrganizationKind::Standard).await;
    // Booked while Jitsi (the default) makes rooms: its room stays Jitsi's after the switch.
    let jitsi = w.booked(0).await["bookingId"].as_str().unwrap().to_string();
    let fake = use_videosdk(&w.app, 500).await;
    let data = w.booked(1).await;
    let (booking, room) = (data["bookingId"].as_str().unwrap(), data["meetingId"].as_str().unwrap());
    let path = format!("{RECORDING}/{booking}");

    // None yet: an empty list.
    let (status, body) = w.get(&path).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"],
        json!({"bookingId": booking, "meetingId": room, "videoVendor": "videosdk", "recordings": []})
    );

    fake.set_recordings(room, vec![recording("rec-1", room), recording("rec-2", room)]);
    let (status, body) = w.get(&path).await;
    assert_eq!(status, 200, "{body}");
    let listed = body["data"]["recordings"].as_array().unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(
        listed[0],
        json!({
            "recordingId": "rec-1",
            "sessionId": "session-rec-1",
            "fileUrl": "https://cdn.videosdk.live/uploads/videos/rec-1.mp4",
            "sizeBytes": 17023255,
            "durationSeconds": 3005.5,
            "format": "mov,mp4,m4a,3gp,3g2,mj2",
            "createdAt": "2031-05-06T10:00:05.814Z"
        })
    );
    let asked = fake.seen().into_iter().rfind(|s| s.path == "/v2/recordings").unwrap();
    assert_eq!(asked.query.get("roomId").map(String::as_str), Some(room));
    assert!(asked.claims.is_ok(), "a management token signed with the secret");

    // The legacy alias answers the same, marked deprecated.
    let (status, headers, legacy) = w.get_as(None, &format!("/api/sessionbooking/getrecording/{booking}")).await;
    assert_eq!((status, &legacy["data"]), (200, &body["data"]));
    assert_eq!(headers["deprecation"], "true");

    // Another organization's booking is not found, as an unknown one; so is a malformed id.
    let stranger = w.app.partner().await;
    let (status, _, body) = w.get_as(Some(&stranger.token), &path).await;
    assert_envelope(status, &body, 404, 104, Some("bookingId"));
    let unknown = w.app.state.ids.encode(tahoon_domain::ids::BookingId::new(999_999));
    let (status, body) = w.get(&format!("{RECORDING}/{unknown}")).await;
    assert_envelope(status, &body, 404, 104, Some("bookingId"));
    let (status, body) = w.get(&format!("{RECORDING}/not-a-booking")).await;
    assert_envelope(status, &body, 404, 104, Some("bookingId"));
    let (status, _, body) = w.get_as(Some("not-a-token"), &path).await;
    assert_envelope(status, &body, 401, 101, None);

    // Jitsi does not record: a clear reason, not an empty list.
    let (status, body) = w.get(&format!("{RECORDING}/{jitsi}")).await;
    assert_envelope(status, &body, 404, 116, None);
    assert_eq!(body["reasonName"], "RecordingNotSupported");
    assert!(body["message"].as_str().unwrap().contains("(jitsi) does not record"), "{body}");

    // The vendor down: 503, and the recordings again once it answers.
    fake.outage(Some(Fault::Status(502, "bad gateway".into())));
    let (status, body) = w.get(&path).await;
    assert_envelope(status, &body, 503, 108, None);
    fake.outage(None);
    assert_eq!(w.get(&path).await.0, 200);
}

tahoon_store::backend_tests!(recordings_for_the_owner_from_the_vendor_that_made_the_room);
