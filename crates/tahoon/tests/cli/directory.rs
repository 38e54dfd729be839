//! The availability index of a running `serve` follows what the CLI changes in its database.

use super::*;
use serde_json::json;
use std::time::{Duration, Instant};

const OPERATOR: &str = "thn_op_cli-directory-operator-token-012345";

pub async fn a_running_server_follows_availability_set_from_the_cli(backend: Backend) {
    let cli = Cli::new(backend).await;
    let org = cli.json(&["org", "create", "--name", "Index", "--json"]);
    let file = cli.dir.join("provider.json");
    let week = |start: &str, end: &str| -> Vec<Value> {
        (1..=7).map(|d| json!({"weekday": d, "startTime": start, "endTime": end})).collect()
    };
    let provider = json!({"externalId": "i-1", "firstNamePLang": "Amal", "lastNamePLang": "Tester", "genderType": 1,
        "timeZone": "UTC", "sessionRates": [{"durationMinutes": 60, "price": 100, "currency": "SAR"}],
        "availability": {"minimumNoticeMinutes": 0, "bookingHorizonDays": 30, "bufferMinutes": 0,
            "weeklyAvailability": week("09:00", "12:00")}});
    std::fs::write(&file, json!({"providers": [provider]}).to_string()).unwrap();
    assert!(cli.run(&["provider", "import", file.to_str().unwrap()]).status.success());
    let provider_id = cli.json(&["provider", "list", "--json"])[0]["careProviderId"].as_str().unwrap().to_string();

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
    let date = jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date().tomorrow().unwrap();
    let search = || {
        let request = http
            .post(format!("{base}/careprovider/getcareproviderslistwithschedule"))
            .bearer_auth(&token)
            .json(&json!({"scheduleDate": date.to_string(), "timeZone": "UTC"}));
        async move {
            let answer: Value = request.send().await.unwrap().json().await.unwrap();
            answer["data"]["careProvidersList"][0]["availableSlotsList"].as_array().map_or(0, Vec::len)
        }
    };
    assert_eq!(search().await, 3, "09:00, 10:00, 11:00");

    // The CLI, another process, replaces the availability; the server's next poll applies it.
    let availability = cli.dir.join("availability.json");
    let shorter = json!({"minimumNoticeMinutes": 0, "bookingHorizonDays": 30, "bufferMinutes": 0,
        "weeklyAvailability": week("09:00", "10:00")});
    std::fs::write(&availability, shorter.to_string()).unwrap();
    let output = cli.run(&["provider", "availability", "set", &provider_id, "--file", availability.to_str().unwrap()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    // Polled every 250 ms; the deadline leaves room for a slow machine.
    let deadline = Instant::now() + Duration::from_secs(2);
    while search().await != 1 {
        assert!(Instant::now() < deadline, "the server did not follow the new availability");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = server.kill();
    let _ = server.wait();
}
