//! Data from the CLI: demo data, provider import and availability, screening instruments, and a
//! server started with demo data.

use super::*;

pub async fn demo_and_provider_commands(backend: Backend) {
    let cli = Cli::new(backend).await;
    let demo = cli.json(&["demo", "--providers", "30", "--seed", "3", "--json"]);
    let orgs = demo["organizations"].as_array().unwrap();
    assert_eq!(orgs.len(), 2);
    assert_eq!((orgs[0]["kind"].as_str(), orgs[1]["kind"].as_str()), (Some("standard"), Some("charity")));
    for o in orgs {
        for field in ["name", "organizationId", "accessKey", "sharedApiKey"] {
            assert!(o[field].as_str().is_some_and(|v| !v.is_empty()), "{field}");
        }
    }
    let again = cli.run(&["demo", "--providers", "5"]);
    assert!(!again.status.success(), "demo refuses a database that holds data");
    assert!(String::from_utf8_lossy(&again.stderr).contains("not empty"));
    let listed = cli.json(&["provider", "list", "--json"]);
    assert_eq!(listed.as_array().unwrap().len(), 30);

    // Import: created, then idempotent; a bad file names the field and writes nothing.
    let file = cli.dir.join("providers.json");
    let mut exported = cli.json(&["provider", "availability", "show", listed[0]["careProviderId"].as_str().unwrap()]);
    assert!(exported["weeklyAvailability"].is_array());
    let one = |id: &str| {
        serde_json::json!({
            "externalId": id, "firstNamePLang": "Test", "genderType": 1, "timeZone": "Europe/London",
            "sessionRates": [{"durationMinutes": 50, "price": 120, "currency": "SAR"}],
            "availability": {"minimumNoticeMinutes": 0, "bookingHorizonDays": 30, "bufferMinutes": 5,
                "weeklyAvailability": [{"weekday": 2, "startTime": "10:00", "endTime": "12:00"}]}
        })
    };
    std::fs::write(&file, serde_json::json!({"providers": [one("x-1"), one("x-2")]}).to_string()).unwrap();
    let report = cli.json(&["provider", "import", file.to_str().unwrap(), "--json"]);
    assert_eq!((report["created"].as_i64(), report["updated"].as_i64()), (Some(2), Some(0)));
    let report = cli.json(&["provider", "import", file.to_str().unwrap(), "--json"]);
    assert_eq!((report["created"].as_i64(), report["updated"].as_i64()), (Some(0), Some(2)));
    let mut bad = one("x-3");
    bad["timeZone"] = "Atlantis/Capital".into();
    std::fs::write(&file, serde_json::json!([bad]).to_string()).unwrap();
    let output = cli.run(&["provider", "import", file.to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("providers[0].timeZone"));
    let mut bad = one("x-3");
    bad["firstNamePLang"] = "Nul\u{0}Byte".into();
    std::fs::write(&file, serde_json::json!([bad]).to_string()).unwrap();
    let output = cli.run(&["provider", "import", file.to_str().unwrap()]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("providers[0].firstNamePLang") && stderr.contains("control characters"), "{stderr}");
    assert_eq!(cli.json(&["provider", "list", "--json"]).as_array().unwrap().len(), 32);

    // Availability round trip through a file.
    exported["bufferMinutes"] = 25.into();
    let availability = cli.dir.join("availability.json");
    std::fs::write(&availability, exported.to_string()).unwrap();
    let id = listed[0]["careProviderId"].as_str().unwrap();
    let output = cli.run(&["provider", "availability", "set", id, "--file", availability.to_str().unwrap()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(cli.json(&["provider", "availability", "show", id])["bufferMinutes"], 25);
}

pub async fn instruments_from_the_cli(backend: Backend) {
    let cli = Cli::new(backend).await;
    let file = cli.dir.join("who5.json");
    let options: Vec<Value> = (0..=5)
        .map(|v| serde_json::json!({"textPLang": format!("{v}"), "textSLang": format!("{v}"), "value": v}))
        .collect();
    let mut definition = serde_json::json!({
        "code": "WHO-5", "namePLang": "WHO-5 Well-Being Index", "nameSLang": "مؤشر الرفاهية WHO-5",
        "questions": (1..=5).map(|n| serde_json::json!({"textPLang": format!("Item {n}"), "textSLang": format!("البند {n}"), "type": "choice", "options": options})).collect::<Vec<_>>(),
        "bands": [{"min": 0, "max": 12, "code": "low", "namePLang": "Low", "nameSLang": "منخفض"},
                  {"min": 13, "max": 25, "code": "adequate", "namePLang": "Adequate", "nameSLang": "كافٍ"}]
    });
    std::fs::write(&file, definition.to_string()).unwrap();
    let added = cli.json(&["instrument", "add", file.to_str().unwrap(), "--json"]);
    assert_eq!((added["instrumentId"].as_i64(), added["firstQuestionId"].as_i64()), (Some(100), Some(100_001)));
    let listed = cli.run(&["instrument", "list"]);
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.contains("PHQ-9") && listed.contains("GAD-7") && listed.contains("WHO-5"));
    definition["code"] = "WHO-5B".into();
    definition["bands"][1]["max"] = 30.into();
    std::fs::write(&file, definition.to_string()).unwrap();
    let output = cli.run(&["instrument", "add", file.to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("bands"));
}

pub async fn serve_with_demo_data_answers_a_search(backend: Backend) {
    let cli = Cli::new(backend).await;
    let mut server = cli
        .command()
        .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let address = wait_for_address(server.stderr.take().unwrap());
    // The credentials are printed before the server listens.
    let stdout = BufReader::new(server.stdout.take().unwrap());
    let access_key = stdout
        .lines()
        .map_while(Result::ok)
        .find_map(|l| l.trim().strip_prefix("accessKey:").map(|k| k.trim().to_string()))
        .expect("serve --demo prints credentials");
    let http = reqwest::Client::new();
    let grant: Value = http
        .post(format!("http://{address}/api/v1/auth/token"))
        .form(&[("grant_type", "password"), ("access_key", access_key.as_str())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = grant["access_token"].as_str().unwrap();
    let date = jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date()
        .checked_add(jiff::Span::new().days(7))
        .unwrap();
    let found: Value = http
        .post(format!("http://{address}/api/v1/careprovider/getcareproviderslistwithschedule"))
        .bearer_auth(token)
        .json(&serde_json::json!({"scheduleDate": date.to_string(), "timeZone": "Asia/Riyadh"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(found["data"]["totalCount"], 50);
    assert!(
        found["data"]["careProvidersList"][0]["availableSlotsList"].as_array().is_some_and(|s| !s.is_empty()),
        "{found}"
    );
    let _ = server.kill();
    let _ = server.wait();
}
