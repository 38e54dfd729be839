//! The contract suite against a new organization set to compatibility mode from the CLI, and
//! against the small reference data set imported with `tahoon import reference`.

use super::booking::charity_balance_out;
use super::*;
use crate::{Cli, wait_for_address};
use std::process::{Child, Stdio};
use tahoon_store::Backend;

/// `tahoon serve` on a free port, killed when dropped (a failed assertion included).
struct Server {
    child: Child,
    address: String,
}

impl Server {
    fn start(cli: &Cli) -> Server {
        let mut child = cli
            .command()
            .args(["serve", "--listen", "127.0.0.1:0"])
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let address = wait_for_address(child.stderr.take().unwrap());
        Server { child, address }
    }

    /// The reference's base: the legacy paths.
    fn legacy_base(&self) -> String {
        format!("http://{}/api", self.address)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sets `id` to compatibility mode with the organization's zone +03:00, as the CLI reports it.
fn compatibility_mode(cli: &Cli, id: &str) {
    let set = cli.json(&["org", "set", id, "--compat", "reference", "--time-zone", "+03:00", "--json"]);
    assert_eq!((set["compatMode"].as_str(), set["defaultTimeZone"].as_str()), (Some("reference"), Some("+03:00")));
}

/// A provider file entry, open 08:00–20:00 Asia/Riyadh every day with 60-minute sessions.
fn provider(external_id: &str, first: &str, last: &str, traits: Value) -> Value {
    let week: Vec<Value> = (1..=7).map(|d| json!({"weekday": d, "startTime": "08:00", "endTime": "20:00"})).collect();
    let mut provider = json!({"externalId": external_id, "firstNamePLang": first, "lastNamePLang": last,
        "firstNameSLang": "د.", "lastNameSLang": "أحمد", "shortBioPLang": "Clinical psychologist",
        "shortBioSLang": "أخصائية نفسية", "timeZone": "Asia/Riyadh",
        "availability": {"minimumNoticeMinutes": 0, "bookingHorizonDays": 30, "bufferMinutes": 0,
            "weeklyAvailability": week}});
    provider.as_object_mut().unwrap().extend(traits.as_object().unwrap().clone());
    provider
}

pub async fn contract_with_a_new_compatibility_mode_organization(backend: Backend) {
    let cli = Cli::new(backend).await;
    let org = cli.json(&["org", "create", "--name", "Contract Partner", "--json"]);
    compatibility_mode(&cli, org["organizationId"].as_str().unwrap());
    let charity = cli.json(&["org", "create", "--name", "Spent Charity", "--kind", "charity", "--json"]);
    compatibility_mode(&cli, charity["organizationId"].as_str().unwrap());

    // The inventory's example provider (3.1), with every criterion of its example filter, and 22
    // others, more than the 20 a strict search pages.
    let sarah = provider(
        "CONTRACT-SARAH",
        "Dr. Sarah",
        "Ahmed",
        json!({"genderType": 0, "languageIds": [1, 2],
        "specialtyIds": [3, 5], "experienceYears": 10, "experienceLevelId": 2, "providerLevelId": 3, "rating": 4.8,
        "reviewCount": 40, "profileImageUrl": "https://cdn.example.com/providers/sarah.jpg",
        "sessionRates": [{"durationMinutes": 60, "price": 250, "currency": "SAR"}]}),
    );
    let mut providers = vec![sarah];
    for i in 0..22 {
        providers.push(provider(
            &format!("CONTRACT-{i:02}"),
            "Omar",
            &format!("Tester {i}"),
            json!({
            "genderType": i % 2, "languageIds": [2], "specialtyIds": [3], "experienceYears": 4,
            "experienceLevelId": 1, "providerLevelId": 1 + i % 3, "rating": 4.0,
            "sessionRates": [{"durationMinutes": 60, "price": 150 + 10 * i, "currency": "SAR"}]}),
        ));
    }
    let file = cli.dir.join("contract-providers.json");
    std::fs::write(&file, json!({"providers": providers}).to_string()).unwrap();
    let output = cli.run(&["provider", "import", file.to_str().unwrap()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let listed = cli.json(&["provider", "list", "--json"]);
    let sarah = listed.as_array().unwrap().iter().find(|p| p["externalId"] == "CONTRACT-SARAH").unwrap();
    let sarah_id = sarah["careProviderId"].as_str().unwrap().to_string();

    let server = Server::start(&cli);
    let partner = ContractPartner {
        access_key: org["accessKey"].as_str().unwrap().into(),
        shared_key: org["sharedApiKey"].as_str().unwrap().into(),
        provider: ExpectedProvider {
            id: sarah_id.clone(),
            full_name: "Dr. Sarah Ahmed".into(),
            gender_type: 0,
            language_ids: vec![1, 2],
            specialty_ids: vec![3, 5],
            experience_years: 10,
            experience_level: 2,
            provider_level: 3,
            rating: 4.8,
            price: 250.0,
            profile_image_url: Some("https://cdn.example.com/providers/sarah.jpg".into()),
            opens: 8,
            closes: 20,
        },
        providers_in_directory: 23,
        existing_user: None,
        existing_booking: None,
    };
    let http = reqwest::Client::new();
    let base = server.legacy_base();
    reference_contract(&http, &base, &partner).await;
    charity_balance_out(
        &http,
        &base,
        charity["accessKey"].as_str().unwrap(),
        charity["sharedApiKey"].as_str().unwrap(),
        &sarah_id,
    )
    .await;
}

pub async fn contract_with_imported_credentials_and_ids(backend: Backend) {
    let cli = Cli::new(backend).await;
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/reference");
    let report = cli.json(&["import", "reference", "--dir", dir, "--json"]);
    assert_eq!(
        (&report["organizations"]["created"], &report["users"]["created"], &report["bookings"]["imported"]),
        (&json!(2), &json!(3), &json!(2)),
        "{report}"
    );
    // The charity's twelve sessions spent, to meet CharityOrganizationBalanceOut.
    let listed = cli.json(&["org", "list", "--json"]);
    let hope = listed.as_array().unwrap().iter().find(|o| o["name"] == "Hope Charity").unwrap();
    let spent = cli.json(&["org", "set", hope["organizationId"].as_str().unwrap(), "--balance", "0", "--json"]);
    assert_eq!(spent["balance"], 0);

    let server = Server::start(&cli);
    // The Wellbeing Partners row of organizations.csv: the partner's ApplicationToken and
    // sharedApiKey; every id below is a reference id the partner stored.
    let partner = ContractPartner {
        access_key: "8f14e45f-ceea-467a-9575-df5a2f0c0d21".into(),
        shared_key: "c9f0f895fb98ab9159f51fd0297e236d".into(),
        provider: ExpectedProvider {
            id: "Q2FyZVByb3ZpZGVyLTUwMQ".into(),
            full_name: "Sarah Ahmed".into(),
            gender_type: 0,
            language_ids: vec![1, 2],
            specialty_ids: vec![1, 2],
            experience_years: 10,
            experience_level: 2,
            provider_level: 3,
            rating: 4.8,
            price: 250.0,
            profile_image_url: None,
            opens: 9,
            closes: 17,
        },
        providers_in_directory: 2,
        existing_user: Some(KnownUser { id: "VXNlckxvZ2luLTcwMDE".into(), reference_id: "ORG-USER-123".into() }),
        existing_booking: Some(KnownBooking {
            booking_id: "U2Vzc2lvbkJvb2tpbmctOTAwMQ".into(),
            user_id: "VXNlckxvZ2luLTcwMDE".into(),
            care_provider_id: "Q2FyZVByb3ZpZGVyLTUwMQ".into(),
            meeting_id: "abc-1234-efgh".into(),
        }),
    };
    let http = reqwest::Client::new();
    let base = server.legacy_base();
    reference_contract(&http, &base, &partner).await;
    // Hope Charity's keys, and its provider by reference id.
    charity_balance_out(
        &http,
        &base,
        "45c48cce-2e2d-4fbd-8c1a-7f1b3e0e9a44",
        "d3d9446802a44259755d38e6d163e820",
        "Q2FyZVByb3ZpZGVyLTUwMg",
    )
    .await;
}
