//! A backup of the PostgreSQL database with `pg_dump`, restored into a new database with
//! `pg_restore`, serves the same data: the same organizations and ids, the same audit chain head,
//! and new rows after the restored ones (`docs/operations.md`).

use super::*;

fn tool(name: &str, args: &[&str]) {
    let output = Command::new(name).args(args).output().unwrap_or_else(|e| panic!("running {name}: {e}"));
    assert!(output.status.success(), "{name} {args:?}: {}", String::from_utf8_lossy(&output.stderr));
}

#[tokio::test]
async fn a_pg_dump_backup_restores_to_a_working_database() {
    let cli = Cli::new(Backend::Postgres).await;
    assert!(cli.run(&["demo", "--providers", "5"]).status.success());
    let before = cli.json(&["org", "list", "--json"]);
    let head = cli.json(&["audit", "verify"])["head"].clone();

    let backup = cli.dir.join("tahoon.dump");
    tool("pg_dump", &["--format=custom", "--no-owner", "--file", backup.to_str().unwrap(), &cli.db.url]);
    let restored = TestDatabase::create(Backend::Postgres).await.unwrap();
    tool("pg_restore", &["--no-owner", "--exit-on-error", "--dbname", &restored.url, backup.to_str().unwrap()]);

    let on_restored = |args: &[&str]| {
        let output = cli.command().args(args).env("TAHOON_DATABASE_URL", &restored.url).output().unwrap();
        assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
        serde_json::from_slice::<Value>(&output.stdout).unwrap()
    };
    assert_eq!(on_restored(&["org", "list", "--json"]), before);
    let verified = on_restored(&["audit", "verify"]);
    assert_eq!((verified["intact"].as_bool(), &verified["head"]), (Some(true), &head));
    // The restored sequences continue after the restored rows.
    on_restored(&["org", "create", "--name", "After the restore", "--json"]);
    assert_eq!(on_restored(&["org", "list", "--json"]).as_array().unwrap().len(), before.as_array().unwrap().len() + 1);
    assert_eq!(on_restored(&["audit", "verify"])["intact"], true);
}
