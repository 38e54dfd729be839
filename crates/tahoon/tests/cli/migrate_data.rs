//! `tahoon migrate-data`: a SQLite database with demo data copied to PostgreSQL, ids unchanged,
//! sequences advanced, the audit chain intact; a non-empty target refused unless `--replace`.

use super::*;

#[tokio::test]
async fn sqlite_data_moves_to_postgres_unchanged() {
    let cli = Cli::new(Backend::Sqlite).await;
    assert!(cli.run(&["demo", "--providers", "5"]).status.success());
    let org = cli.json(&["org", "create", "--name", "Moving", "--json"]);
    let target = TestDatabase::create(Backend::Postgres).await.unwrap();
    let on_target = |args: &[&str]| {
        let output = cli.command().args(args).env("TAHOON_DATABASE_URL", &target.url).output().unwrap();
        assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
        serde_json::from_slice::<Value>(&output.stdout).unwrap()
    };

    let output = cli.run(&["migrate-data", "--from", &cli.db.url, "--to", &target.url]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(report["tables"]["organizations"].as_i64().unwrap() >= 2, "{report}");
    assert!(report["tables"]["care_providers"].as_i64().unwrap() >= 5, "{report}");

    // The same organizations under the same ids, and the same audit chain, head included.
    assert_eq!(on_target(&["org", "list", "--json"]), cli.json(&["org", "list", "--json"]));
    let source_audit = cli.json(&["audit", "verify"]);
    let target_audit = on_target(&["audit", "verify"]);
    assert_eq!(target_audit["intact"], true);
    assert_eq!(target_audit["head"], source_audit["head"]);
    assert_eq!(report["auditHead"], source_audit["head"]);
    // Sequences moved past the copied ids: a new organization gets a new id, and the old one's
    // credentials still sign in (checked by listing it by id).
    let created = on_target(&["org", "create", "--name", "After", "--json"]);
    assert_ne!(created["organizationId"], org["organizationId"]);
    assert_eq!(
        on_target(&["org", "list", "--json"]).as_array().unwrap().len(),
        cli.json(&["org", "list", "--json"]).as_array().unwrap().len() + 1
    );

    // The target now holds rows: refused, unless told to replace them.
    let output = cli.run(&["migrate-data", "--from", &cli.db.url, "--to", &target.url]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--replace"));
    let output = cli.run(&["migrate-data", "--from", &cli.db.url, "--to", &target.url, "--replace"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(on_target(&["org", "list", "--json"]), cli.json(&["org", "list", "--json"]));
    // Wrong directions are refused.
    assert!(!cli.run(&["migrate-data", "--from", &target.url, "--to", &cli.db.url]).status.success());
}
