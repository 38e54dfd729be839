//! `tahoon settings set video.provider videosdk` on a running `serve`: the next booking's room is
//! VideoSDK's (a fake on a local port), with no restart.

use super::*;
use serde_json::json;
use std::time::{Duration, Instant};
use tahoon_integrations::testing::videosdk::{API_KEY, FakeVideoSdk, SECRET};

const OPERATOR: &str = "thn_op_cli-video-operator-token-0123456789";

pub async fn the_cli_switches_a_running_server_to_videosdk(backend: Backend) {
    let cli = Cli::new(backend).await;
    let fake = FakeVideoSdk::start().await;
    let ok = |args: &[&str]| {
        let output = cli.run(args);
        assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    };
    // An organization, and a provider open around the clock.
    let org = cli.json(&["org", "create", "--name", "Video", "--json"]);
    let shared_key = org["sharedApiKey"].as_str().unwrap().to_string();
    let provider_id = cli.provider_open_all_week("v-1");

    let mut server = cli
        .command()
        .args(["serve", "--listen", "127.0.0.1:0", "--operator-token", OPERATOR])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let address = wait_for_address(server.stderr.take().unwrap());
    let base = format!("http://{address}/api/v1");
    let http = reqwest::Client::new();
    let grant: Value = http
        .post(format!("{base}/auth/token"))
        .form(&[("grant_type", "password"), ("access_key", org["accessKey"].as_str().unwrap())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = grant["access_token"].as_str().unwrap().to_string();
    let post = |path: &str, body: Value| {
        let request = http.post(format!("{base}{path}")).bearer_auth(&token).json(&signed(&shared_key, body));
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let user = post(
        "/user/register",
        json!({"referenceId": "CLI-V1", "name": "Layla Haddad", "dob": "1990-01-01", "genderType": 0}),
    )
    .await["data"]["userId"]
        .as_str()
        .unwrap()
        .to_string();
    let date = jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date().tomorrow().unwrap();
    let schedule: Value = http
        .post(format!("{base}/careprovider/getcareproviderschedule"))
        .bearer_auth(&token)
        .json(&json!({"careProviderId": provider_id, "scheduleDate": date.to_string(), "timeZone": "UTC"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let slot = |n: usize| schedule["data"]["availableSlotsList"][n]["applicationMultiSlotId"].clone();

    // Jitsi by default.
    let booked = post("/sessionbooking/booksession", json!({"userId": user, "applicationMultiSlotId": slot(0)})).await;
    assert_eq!((&booked["reason"], &booked["data"]["videoVendor"]), (&json!(0), &json!("jitsi")), "{booked}");

    // The CLI sets VideoSDK's keys and endpoint, then chooses it; the running server follows.
    ok(&["settings", "set", "videosdk.api_endpoint", fake.url.as_str()]);
    ok(&["settings", "set", "videosdk.api_key", API_KEY]);
    ok(&["settings", "set", "videosdk.secret_key", SECRET]);
    ok(&["settings", "set", "video.provider", "videosdk"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let read = http.get(format!("{base}/admin/settings/video.provider")).bearer_auth(OPERATOR).send();
        if read.await.unwrap().json::<Value>().await.unwrap()["data"]["value"] == "videosdk" {
            break;
        }
        assert!(Instant::now() < deadline, "the server did not pick up the change");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let booked = post("/sessionbooking/booksession", json!({"userId": user, "applicationMultiSlotId": slot(1)})).await;
    assert_eq!(booked["reason"], 0, "{booked}");
    let rooms = fake.rooms();
    assert_eq!(rooms.len(), 1);
    assert_eq!(
        (&booked["data"]["meetingId"], &booked["data"]["videoVendor"]),
        (&json!(rooms[0].room_id), &json!("videosdk"))
    );
    let _ = server.kill();
    let _ = server.wait();
}
