//! Booking with the vendors chosen by the settings: VideoSDK's room becomes the booking's, one
//! room per booking whatever is retried, join tickets for both participants; Jitsi by default,
//! and the display-name rule.

use super::*;
use tahoon_integrations::testing::try_verified_claims;
use tahoon_integrations::video::BookingRef;

async fn videosdk_makes_one_room_per_booking_and_tickets_for_both(backend: Backend) {
    let w = world(backend, OrganizationKind::Standard).await;
    let fake = use_videosdk(&w.app, 2_000).await;
    let raw = signed(&w.p.org.shared_key, json!({"userId": w.user, "applicationMultiSlotId": w.free[0].0}));
    let post = || {
        w.app.http.post(w.app.url(BOOK)).bearer_auth(&w.p.token).header("idempotency-key", "video-1").json(&raw).send()
    };
    let first = post().await.unwrap();
    assert_eq!(first.status(), 200);
    let first_bytes = first.bytes().await.unwrap();
    let body: Value = serde_json::from_slice(&first_bytes).unwrap();
    let data = &body["data"];
    let booking = data["bookingId"].as_str().unwrap();

    // The vendor's room is the booking's, named after the booking; nothing else was sent.
    let rooms = fake.rooms();
    assert_eq!(rooms.len(), 1);
    assert_eq!(data["meetingId"], rooms[0].room_id.as_str(), "{body}");
    assert_eq!(rooms[0].custom_room_id.as_deref(), Some(BookingRef::new(booking).room_key().as_str()));
    assert_eq!((&data["joinUrl"], &data["videoVendor"]), (&Value::Null, &json!("videosdk")));
    let created: Vec<_> = fake.seen().into_iter().filter(|s| s.path == "/v2/rooms").collect();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].body, json!({"customRoomId": rooms[0].custom_room_id}));
    assert!(created[0].claims.is_ok(), "a management token signed with the secret");

    // Each participant's `rtc` token, for this room, under their public id.
    let meeting = data["meetingId"].as_str().unwrap();
    for (role, id, permissions) in [
        ("client", w.user.as_str(), json!(["allow_join"])),
        ("provider", w.provider_id.as_str(), json!(["allow_join", "allow_mod"])),
    ] {
        let ticket = &data["participants"][role];
        assert_eq!(ticket["participantId"], id, "{body}");
        assert_eq!(ticket["expiresAt"], ticket_expiry(&w, 0));
        assert!(ticket.get("joinUrl").is_none() && ticket.get("serverUrl").is_none(), "{ticket}");
        let claims = try_verified_claims(ticket["token"].as_str().unwrap(), SECRET, true).unwrap();
        assert_eq!(
            (&claims["apikey"], &claims["roles"], &claims["roomId"], &claims["participantId"]),
            (&json!(API_KEY), &json!(["rtc"]), &json!(meeting), &json!(id))
        );
        assert_eq!(claims["permissions"], permissions);
        assert!(!claims.to_string().contains("Layla"), "no name in a VideoSDK token");
    }
    assert_eq!(data["participants"]["client"]["displayName"], "Client", "not the legal name by default");
    assert_eq!(data["participants"]["provider"]["displayName"], "Amal Tester");

    // The same request again (same Idempotency-Key): the stored answer, and no second room.
    let again = post().await.unwrap();
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.bytes().await.unwrap(), first_bytes);
    assert_eq!((fake.rooms().len(), creates(&fake)), (1, 1));

    // The detail carries the same room and fresh tickets; the session is days away: no check.
    let detail = w.detail(booking).await;
    assert_eq!((&detail["meetingId"], &detail["videoVendor"]), (&json!(meeting), &json!("videosdk")));
    let token = detail["participants"]["provider"]["token"].as_str().unwrap();
    assert_eq!(try_verified_claims(token, SECRET, true).unwrap()["roomId"], meeting);
    assert!(detail.get("roomStatus").is_none(), "{detail}");
    assert!(!fake.seen().iter().any(|s| s.path.starts_with("/v2/rooms/validate")));
}

async fn a_retry_after_a_timeout_finds_the_room_the_first_attempt_made(backend: Backend) {
    let w = world(backend, OrganizationKind::Standard).await;
    let fake = use_videosdk(&w.app, 200).await;
    // The first attempt makes the room but answers too late; the retry asks for the same name.
    fake.fault(tahoon_integrations::testing::videosdk::Fault::Late(std::time::Duration::from_millis(800)));
    let data = w.booked(0).await;
    assert_eq!(creates(&fake), 2);
    let rooms = fake.rooms();
    assert_eq!(rooms.len(), 1, "one room for the booking");
    assert_eq!(data["meetingId"], rooms[0].room_id.as_str());
}

async fn jitsi_by_default_and_the_legal_name_only_when_shared(backend: Backend) {
    let w = world(backend, OrganizationKind::Standard).await;
    // Today's default, unchanged: an unguessable room and the link that ends with it.
    let data = w.booked(0).await;
    let meeting = data["meetingId"].as_str().unwrap();
    assert!(meeting.len() >= 20, "{data}");
    assert!(data["joinUrl"].as_str().unwrap().ends_with(meeting));
    assert!(data["joinUrl"].as_str().unwrap().starts_with("https://meet.jit.si/tahoon-"));
    assert_eq!(data["videoVendor"], "jitsi");
    let client = &data["participants"]["client"];
    assert_eq!((&client["participantId"], &client["displayName"]), (&json!(w.user), &json!("Client")));
    assert!(client.get("token").is_none(), "no token without token authentication: {client}");
    let link = client["joinUrl"].as_str().unwrap();
    assert!(link.contains(meeting) && link.ends_with("#userInfo.displayName=%22Client%22"), "{link}");
    assert!(data["participants"]["provider"]["joinUrl"].as_str().unwrap().contains("Amal%20Tester"));

    // With token authentication each link carries the participant's JWT: still no legal name…
    set(&w.app, "jitsi.app_id", "tahoon-test").await;
    set(&w.app, "jitsi.app_secret", "jitsi-app-secret-0123456789").await;
    let data = w.booked(1).await;
    let second = data["bookingId"].as_str().unwrap().to_string();
    let client = &data["participants"]["client"];
    let claims = try_verified_claims(client["token"].as_str().unwrap(), "jitsi-app-secret-0123456789", true).unwrap();
    assert_eq!(claims["context"]["user"], json!({"id": w.user, "name": "Client"}));
    assert!(client["joinUrl"].as_str().unwrap().contains("?jwt="));
    assert!(!data.to_string().contains("Layla"), "{data}");

    // …until the operator lets organizations share users' names.
    set(&w.app, "privacy.share_user_name_with_providers", "true").await;
    let data = w.booked(2).await;
    let client = &data["participants"]["client"];
    assert_eq!(client["displayName"], LEGAL_NAME);
    let claims = try_verified_claims(client["token"].as_str().unwrap(), "jitsi-app-secret-0123456789", true).unwrap();
    assert_eq!(claims["context"]["user"]["name"], LEGAL_NAME);
    // Tickets follow the setting in force when they are minted: the earlier booking's too.
    let detail = w.detail(&second).await;
    assert_eq!(detail["participants"]["client"]["displayName"], LEGAL_NAME);
}

tahoon_store::backend_tests!(
    videosdk_makes_one_room_per_booking_and_tickets_for_both,
    a_retry_after_a_timeout_finds_the_room_the_first_attempt_made,
    jitsi_by_default_and_the_legal_name_only_when_shared,
);
