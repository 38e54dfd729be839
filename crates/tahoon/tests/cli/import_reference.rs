//! `tahoon import reference` (issue 14): the sample data set imported with a dry run first, then
//! for real, then again (nothing changes); a wrong record stops the import before anything is
//! written; the compatibility settings from the CLI.

use super::Cli;
use serde_json::{Value, json};
use std::path::PathBuf;
use tahoon_store::Backend;

pub(crate) fn reference_data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/reference")
}

fn import(cli: &Cli, dir: &std::path::Path, extra: &[&str]) -> Value {
    let mut args = vec!["import", "reference", "--dir", dir.to_str().unwrap(), "--json"];
    args.extend_from_slice(extra);
    cli.json(&args)
}

pub async fn the_reference_data_set_imports_once(backend: Backend) {
    let cli = Cli::new(backend).await;
    let data = reference_data();

    let planned = import(&cli, &data, &["--dry-run"]);
    let counts = json!({
        "organizations": {"created": 2, "present": 0},
        "careProviders": {"created": 2, "present": 0},
        "users": {"created": 3, "present": 0},
        "bookings": {"imported": 2, "present": 0, "past": 1, "overlapping": 0, "pending": 1},
    });
    for kind in ["organizations", "careProviders", "users", "bookings"] {
        assert_eq!(planned[kind], counts[kind], "dry run, {kind}: {planned}");
    }
    assert_eq!(planned["dryRun"], true);
    assert_eq!(cli.json(&["org", "list", "--json"]), json!([]), "a dry run writes nothing");

    let done = import(&cli, &data, &[]);
    for kind in ["organizations", "careProviders", "users", "bookings"] {
        assert_eq!(done[kind], counts[kind], "import, {kind}: {done}");
    }
    let organizations = cli.json(&["org", "list", "--json"]);
    let summary: Vec<(String, String, String, i64)> = organizations
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["name"].as_str().unwrap().into(),
                o["compatMode"].as_str().unwrap().into(),
                o["defaultTimeZone"].as_str().unwrap().into(),
                o["balance"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("Wellbeing Partners".into(), "reference".into(), "+03:00".into(), 0),
            ("Hope Charity".into(), "reference".into(), "Asia/Riyadh".into(), 12),
        ]
    );

    let again = import(&cli, &data, &[]);
    let present = json!({
        "organizations": {"created": 0, "present": 2},
        "careProviders": {"created": 0, "present": 2},
        "users": {"created": 0, "present": 3},
        "bookings": {"imported": 0, "present": 2, "past": 1, "overlapping": 0, "pending": 1},
    });
    for kind in ["organizations", "careProviders", "users", "bookings"] {
        assert_eq!(again[kind], present[kind], "again, {kind}: {again}");
    }
    assert_eq!(cli.json(&["org", "list", "--json"]).as_array().unwrap().len(), 2);
    // A dry run after the import sees everything present.
    let rehearsed = import(&cli, &data, &["--dry-run"]);
    for kind in ["organizations", "careProviders", "users", "bookings"] {
        assert_eq!(rehearsed[kind], present[kind], "dry run again, {kind}: {rehearsed}");
    }

    // The operator can take an organization out of compatibility mode, and back.
    let id = organizations[0]["organizationId"].as_str().unwrap();
    let strict = cli.json(&["org", "set", id, "--compat", "strict", "--time-zone", "none", "--json"]);
    assert_eq!((strict["compatMode"].as_str(), &strict["defaultTimeZone"]), (Some("strict"), &Value::Null));
    let back = cli.json(&["org", "set", id, "--compat", "reference", "--time-zone", "Asia/Riyadh", "--json"]);
    assert_eq!(
        (back["compatMode"].as_str(), back["defaultTimeZone"].as_str()),
        (Some("reference"), Some("Asia/Riyadh"))
    );
    for bad in [["--compat", "dotnet"], ["--time-zone", "Mars/Olympus"]] {
        let output = cli.run(&["org", "set", id, bad[0], bad[1]]);
        assert!(!output.status.success(), "{bad:?} accepted");
    }
}

pub async fn a_wrong_record_stops_the_import_before_anything_is_written(backend: Backend) {
    let cli = Cli::new(backend).await;
    let broken = cli.dir.join("broken");
    std::fs::create_dir_all(&broken).unwrap();
    for file in ["organizations.csv", "careproviders.json", "bookings.json"] {
        std::fs::copy(reference_data().join(file), broken.join(file)).unwrap();
    }
    let users = std::fs::read_to_string(reference_data().join("users.csv")).unwrap();
    std::fs::write(broken.join("users.csv"), users.replace("1985-11-02", "1985-13-02")).unwrap();

    for extra in [&["--dry-run"][..], &[]] {
        let mut args = vec!["import", "reference", "--dir", broken.to_str().unwrap()];
        args.extend_from_slice(extra);
        let output = cli.run(&args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success());
        assert!(stderr.contains("users record 2") && stderr.contains("dob"), "{stderr}");
    }
    assert_eq!(cli.json(&["org", "list", "--json"]), json!([]), "nothing written");
    assert_eq!(cli.json(&["provider", "list", "--json"]), json!([]), "nothing written");

    // A key too short to carry over, both files of one kind, and a directory that is not one.
    std::fs::write(broken.join("users.csv"), users).unwrap();
    let organizations = std::fs::read_to_string(reference_data().join("organizations.csv")).unwrap();
    std::fs::write(
        broken.join("organizations.csv"),
        organizations.replace("8f14e45f-ceea-467a-9575-df5a2f0c0d21", "short"),
    )
    .unwrap();
    let output = cli.run(&["import", "reference", "--dir", broken.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("applicationToken must be at least 16"));
    std::fs::write(broken.join("users.json"), "[]").unwrap();
    let output = cli.run(&["import", "reference", "--dir", broken.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("both users.json and users.csv"));
    std::fs::remove_file(broken.join("users.json")).unwrap();
    std::fs::write(broken.join("organizations.csv"), &organizations).unwrap();
    // A booking naming no provider, a misspelt provider field, a status the reference never had.
    let bookings = std::fs::read_to_string(reference_data().join("bookings.json")).unwrap();
    std::fs::write(broken.join("bookings.json"), bookings.replace("REF-CP-502", "REF-CP-999")).unwrap();
    let output = cli.run(&["import", "reference", "--dir", broken.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("\"REF-CP-999\" names no care provider"), "{output:?}");
    std::fs::write(broken.join("bookings.json"), bookings.replace("\"status\": 6", "\"status\": 9")).unwrap();
    let output = cli.run(&["import", "reference", "--dir", broken.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("status must be 1 (Confirmed)"), "{output:?}");
    std::fs::write(broken.join("bookings.json"), &bookings).unwrap();
    let providers = std::fs::read_to_string(reference_data().join("careproviders.json")).unwrap();
    std::fs::write(broken.join("careproviders.json"), providers.replacen("shortBioPLang", "shortBioPlang", 1)).unwrap();
    let output = cli.run(&["import", "reference", "--dir", broken.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("shortBioPlang"), "{output:?}");
    let output = cli.run(&["import", "reference", "--dir", "/nonexistent/reference"]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("is not a directory"));
    assert_eq!(cli.json(&["org", "list", "--json"]), json!([]), "still nothing written");
}
