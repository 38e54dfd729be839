//! Settings held in the database: stored, replaced and deleted with their audit entry, every change
//! counted, and (PostgreSQL) announced to other processes.

use super::*;
use std::time::Duration;

fn audit(action: &str, i: i64) -> AuditContent {
    AuditContent {
        occurred_at: us(1_000 + i),
        organization_id: None,
        actor: "operator".into(),
        action: action.into(),
        outcome: Outcome::Success,
        request_id: None,
        source_ip: None,
        details: r#"{"key":"video.provider"}"#.into(),
    }
}

fn change(key: &str, value: &str, sealed: bool, at: i64) -> SettingChange {
    SettingChange {
        setting: StoredSetting {
            key: key.into(),
            value: value.into(),
            sealed,
            updated_at: us(at),
            updated_by: "cli".into(),
        },
        audit: audit("setting.changed", at),
    }
}

async fn actions(store: &dyn Store) -> Vec<String> {
    store.audit_entries(0, 100).await.unwrap().into_iter().map(|e| e.content.action).collect()
}

pub async fn settings_are_stored_counted_and_audited(backend: Backend) {
    let f = fixture(backend).await;
    assert_eq!(f.store.settings().await.unwrap(), StoredSettings { version: 0, settings: vec![] });
    assert_eq!(f.store.settings_version().await.unwrap(), 0);

    assert_eq!(f.store.set_setting(change("video.provider", "videosdk", false, 10)).await.unwrap(), 1);
    assert_eq!(f.store.set_setting(change("videosdk.secret_key", "v1.sealed", true, 20)).await.unwrap(), 2);
    // Replacing a value keeps one row, with who and when of the last change.
    let mut replaced = change("video.provider", "livekit", false, 30);
    replaced.setting.updated_by = "operator".into();
    assert_eq!(f.store.set_setting(replaced.clone()).await.unwrap(), 3);
    let stored = f.store.settings().await.unwrap();
    assert_eq!(stored.version, 3);
    assert_eq!(
        stored.settings.iter().map(|s| s.key.as_str()).collect::<Vec<_>>(),
        ["video.provider", "videosdk.secret_key"]
    );
    assert_eq!(stored.settings[0], replaced.setting);
    assert!(stored.settings[1].sealed && !stored.settings[0].sealed);
    assert_eq!(f.store.settings_version().await.unwrap(), 3);
    assert!(!format!("{:?}", stored.settings[1]).contains("v1.sealed"), "Debug shows no value");

    // Deleting goes back to the default; deleting what is not set changes and audits nothing.
    assert_eq!(f.store.delete_setting("video.provider", audit("setting.reset", 40)).await.unwrap(), Some(4));
    assert_eq!(f.store.delete_setting("video.provider", audit("setting.reset", 50)).await.unwrap(), None);
    assert_eq!(f.store.delete_setting("never.set", audit("setting.reset", 60)).await.unwrap(), None);
    let stored = f.store.settings().await.unwrap();
    assert_eq!((stored.version, stored.settings.len()), (4, 1));
    assert_eq!(
        actions(&*f.store).await,
        ["setting.changed", "setting.changed", "setting.changed", "setting.reset"],
        "each change committed its audit entry"
    );
    assert_eq!(verify(&*f.store).await, Ok(4));
}

pub async fn concurrent_setting_changes_count_once_each(backend: Backend) {
    let f = fixture(backend).await;
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let store = f.store.clone();
            let key = if i % 2 == 0 { "video.provider" } else { "jitsi.base_url" };
            tokio::spawn(async move { store.set_setting(change(key, &format!("v{i}"), false, i)).await })
        })
        .collect();
    let mut versions = Vec::new();
    for task in tasks {
        versions.push(task.await.unwrap().unwrap());
    }
    versions.sort_unstable();
    assert_eq!(versions, (1..=16).collect::<Vec<_>>(), "every change has a version of its own");
    let stored = f.store.settings().await.unwrap();
    assert_eq!((stored.version, stored.settings.len()), (16, 2));
    assert_eq!(verify(&*f.store).await, Ok(16));
}

pub async fn other_processes_hear_of_setting_changes(backend: Backend) {
    let f = fixture(backend).await;
    let watch = f.store.watch_settings().await.unwrap();
    let Some(mut watch) = watch else {
        // SQLite reports nothing: readers look at the counter, which another store sees at once.
        assert_eq!(backend, Backend::Sqlite);
        let other = open(&f.db.url).await.unwrap();
        other.set_setting(change("video.provider", "videosdk", false, 1)).await.unwrap();
        assert_eq!(f.store.settings_version().await.unwrap(), 1);
        return;
    };
    // Another process (another store on the same database) changes a setting …
    let other = open(&f.db.url).await.unwrap();
    other.set_setting(change("video.provider", "videosdk", false, 1)).await.unwrap();
    let notice = tokio::time::timeout(Duration::from_secs(10), watch.next()).await.expect("notified in time");
    assert_eq!(notice.unwrap(), SettingsNotice::Changed);
    other.delete_setting("video.provider", audit("setting.reset", 2)).await.unwrap();
    let notice = tokio::time::timeout(Duration::from_secs(10), watch.next()).await.expect("notified in time");
    assert_eq!(notice.unwrap(), SettingsNotice::Changed);
    // … and nothing is announced for a change that did not happen.
    assert_eq!(other.delete_setting("video.provider", audit("setting.reset", 3)).await.unwrap(), None);
    assert!(tokio::time::timeout(Duration::from_millis(300), watch.next()).await.is_err(), "no notice");
}
