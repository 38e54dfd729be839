//! `tahoon audit export` (JSON lines, by time and organization) and `tahoon audit verify` with the
//! chain's head as an anchor: an edited, deleted or reordered row, or a removed tail, is found.

use super::*;
use tahoon_store::testing::{delete_audit_row, swap_audit_rows};

fn lines(text: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(text).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

pub async fn audit_export_and_anchored_verification(backend: Backend) {
    let cli = Cli::new(backend).await;
    let first = cli.json(&["org", "create", "--name", "First", "--json"]);
    cli.json(&["org", "create", "--name", "Second", "--json"]);
    cli.json(&["org", "set", first["organizationId"].as_str().unwrap(), "--balance", "3", "--json"]);

    let verified = cli.json(&["audit", "verify"]);
    assert_eq!(verified["intact"], true);
    let checked = verified["checked"].as_i64().unwrap();
    let head = &verified["head"];
    assert_eq!(head["seq"].as_i64(), Some(checked));
    let anchor = format!("{}:{}", head["seq"], head["hash"].as_str().unwrap());

    // Every entry, oldest first, as JSON lines; then one organization's; then none after tomorrow.
    let output = cli.run(&["audit", "export"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let all = lines(&output.stdout);
    assert_eq!(all.len() as i64, checked);
    assert_eq!(all.last().unwrap()["hash"], head["hash"]);
    assert!(all.windows(2).all(|w| w[0]["hash"] == w[1]["prevHash"]), "the lines carry the chain");
    let organization = first["organizationId"].as_str().unwrap();
    let file = cli.dir.join("first.jsonl");
    let output = cli.run(&["audit", "export", "--organization", organization, "--output", file.to_str().unwrap()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let own = lines(&std::fs::read(&file).unwrap());
    assert!(!own.is_empty() && own.len() < all.len());
    assert!(own.iter().all(|l| l["organizationId"] == organization), "{own:?}");
    let tomorrow = jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date().tomorrow().unwrap();
    let output = cli.run(&["audit", "export", "--from", &tomorrow.to_string()]);
    assert!(output.status.success() && output.stdout.is_empty());
    for bad in [vec!["--from", "soon"], vec!["--organization", "org_nope"]] {
        let output = cli.run(&[&["audit", "export"][..], &bad].concat());
        assert!(!output.status.success(), "{bad:?}");
    }

    // The anchor holds; then the newest entry is removed behind the application's back: the
    // chain alone still links (nothing follows it), the anchor does not.
    assert_eq!(cli.json(&["audit", "verify", "--anchor", &anchor])["intact"], true);
    delete_audit_row(&cli.db.url, checked).await.unwrap();
    assert_eq!(cli.json(&["audit", "verify"])["intact"], true);
    let output = cli.run(&["audit", "verify", "--anchor", &anchor]);
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!((report["intact"].as_bool(), report["anchorMismatch"].as_i64()), (Some(false), Some(checked)));
    assert!(!cli.run(&["audit", "verify", "--anchor", "12:nothex"]).status.success());

    // Two rows swapped: broken at the first of them.
    swap_audit_rows(&cli.db.url, 1, 2).await.unwrap();
    let output = cli.run(&["audit", "verify"]);
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["brokenAt"].as_i64(), Some(1), "{report}");
}
