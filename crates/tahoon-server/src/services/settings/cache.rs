//! The settings in force, read through a cache that a change makes stale.
//!
//! - A change made through this process (`services::settings::set`/`reset`) marks the cache stale
//!   at once: the next read loads the settings again.
//! - A change made by another process (another instance, or the CLI while `serve` runs) is seen:
//!   - on PostgreSQL, as soon as it commits, when `watch` runs: the change's transaction notifies
//!     `settings_changed`, the watch marks the cache stale. Should a notice be lost (the
//!     connection dropped), the change counter is still compared at most every
//!     [`CHECK_WATCHED`], so a missed notice converges within seconds;
//!   - without a watch (SQLite, or PostgreSQL before `watch` or while its connection is down),
//!     by comparing the change counter at most every [`CHECK_UNWATCHED`] on read.
//!
//! Time between counter checks is measured on the service's `Clock` (tests move a manual one).
//! Values are unsealed when loaded and kept in memory; `Debug` never shows them.

use crate::clock::Clock;
use crate::services::error::ServiceResult;
use jiff::{SignedDuration, Timestamp};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;
use tahoon_domain::secrets::MasterKey;
use tahoon_domain::settings::{
    self, FcmSettings, PrivacySettings, SettingValue, SettingValues, VideoSettings, longest_video_request_ms,
};
use tahoon_store::{SettingsNotice, SettingsWatch, Store};
use tokio::sync::{Mutex, watch};

/// Longest time between two looks at the change counter without a watch.
pub const CHECK_UNWATCHED: SignedDuration = SignedDuration::from_secs(1);
/// Longest time between two looks at the change counter while a watch delivers notices.
pub const CHECK_WATCHED: SignedDuration = SignedDuration::from_secs(5);

/// Shared by every request (cloning shares the cache).
#[derive(Clone)]
pub struct Settings {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn Store>,
    master_key: MasterKey,
    clock: Clock,
    hold_ttl_secs: i64,
    cache: Mutex<Cache>,
    /// The cache may be out of date: a change here, a notice, a lost connection.
    stale: AtomicBool,
    /// A watch is connected and delivering notices.
    watching: AtomicBool,
    /// `watch` was started.
    started: AtomicBool,
    /// Counts the notices the watch received (tests wait on it).
    notices: watch::Sender<u64>,
}

#[derive(Default)]
struct Cache {
    snapshot: Option<Arc<Snapshot>>,
    checked_at: Option<Timestamp>,
}

/// What is stored about a known setting besides its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredInfo {
    pub updated_at: Timestamp,
    pub updated_by: String,
    /// Why the stored value is not in force (its default is): it cannot be unsealed with this
    /// master key, or no longer passes its checks. Never contains the value.
    pub problem: Option<String>,
}

/// The settings as loaded at one version of the change counter.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub version: i64,
    /// The valid values set; any other key reads as its default.
    pub values: SettingValues,
    /// Every known key with a stored row.
    pub stored: BTreeMap<&'static str, StoredInfo>,
}

impl Settings {
    pub fn new(store: Arc<dyn Store>, master_key: MasterKey, clock: Clock, hold_ttl_secs: i64) -> Settings {
        Settings {
            inner: Arc::new(Inner {
                store,
                master_key,
                clock,
                hold_ttl_secs,
                cache: Mutex::new(Cache::default()),
                stale: AtomicBool::new(false),
                watching: AtomicBool::new(false),
                started: AtomicBool::new(false),
                notices: watch::channel(0).0,
            }),
        }
    }

    /// The settings in force, from the cache when it is current.
    pub async fn snapshot(&self) -> ServiceResult<Arc<Snapshot>> {
        let inner = &self.inner;
        let mut cache = inner.cache.lock().await;
        let now = inner.clock.now();
        let stale = inner.stale.swap(false, Ordering::SeqCst);
        if let (Some(snapshot), false) = (cache.snapshot.clone(), stale) {
            let every = if inner.watching.load(Ordering::SeqCst) { CHECK_WATCHED } else { CHECK_UNWATCHED };
            // A manual clock set back is due at once too.
            let due = cache.checked_at.is_none_or(|at| {
                let since = now.duration_since(at);
                since >= every || since.is_negative()
            });
            if !due {
                return Ok(snapshot);
            }
            let version = inner.store.settings_version().await?;
            cache.checked_at = Some(now);
            if version == snapshot.version {
                return Ok(snapshot);
            }
        }
        let snapshot = Arc::new(self.load().await?);
        cache.snapshot = Some(snapshot.clone());
        cache.checked_at = Some(now);
        Ok(snapshot)
    }

    /// The next read loads the settings again (a change was made through this process).
    pub fn invalidate(&self) {
        self.inner.stale.store(true, Ordering::SeqCst);
    }

    /// The video vendor in use and every vendor's settings. The request timeout is at most half
    /// the booking hold's time to live, even if a longer one was stored under a longer hold.
    pub async fn video(&self) -> ServiceResult<VideoSettings> {
        let mut video = self.snapshot().await?.values.video();
        video.request_timeout = video.request_timeout.min(self.longest_video_request());
        Ok(video)
    }

    pub async fn fcm(&self) -> ServiceResult<FcmSettings> {
        Ok(self.snapshot().await?.values.fcm())
    }

    pub async fn privacy(&self) -> ServiceResult<PrivacySettings> {
        Ok(self.snapshot().await?.values.privacy())
    }

    /// The value in force of a known key (set, else its default); `None` for an unknown key or
    /// one with neither.
    pub async fn get(&self, key: &str) -> ServiceResult<Option<SettingValue>> {
        Ok(self.snapshot().await?.values.get(key))
    }

    /// The booking hold's time to live, in seconds (bounds `video.request_timeout_ms`).
    pub fn hold_ttl_secs(&self) -> i64 {
        self.inner.hold_ttl_secs
    }

    fn longest_video_request(&self) -> Duration {
        Duration::from_millis(u64::try_from(longest_video_request_ms(self.inner.hold_ttl_secs)).unwrap_or(0))
    }

    /// Counts the change notices received from other processes; tests wait on it.
    pub fn notices(&self) -> watch::Receiver<u64> {
        self.inner.notices.subscribe()
    }

    /// Starts hearing of other processes' changes as they commit, where the backend can tell
    /// (PostgreSQL); once listening, returns. Idempotent; on SQLite it does nothing (reads look at
    /// the change counter). If it fails, reads still look at the counter.
    pub async fn watch(&self) -> ServiceResult<()> {
        if self.inner.started.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        let watch = match self.inner.store.watch_settings().await {
            Ok(Some(watch)) => watch,
            Ok(None) => return Ok(()),
            Err(e) => {
                self.inner.started.store(false, Ordering::SeqCst);
                return Err(e.into());
            }
        };
        self.inner.watching.store(true, Ordering::SeqCst);
        // A change made before the watch listened is found by a full load.
        self.invalidate();
        tokio::spawn(run_watch(Arc::downgrade(&self.inner), watch));
        Ok(())
    }

    /// Reads every stored setting, unsealing secrets; a row that cannot be read is logged (by key,
    /// never by value) and its default is in force.
    async fn load(&self) -> ServiceResult<Snapshot> {
        let stored = self.inner.store.settings().await?;
        let mut values = SettingValues::new();
        let mut infos = BTreeMap::new();
        for row in stored.settings {
            let Some(spec) = settings::find(&row.key) else {
                tracing::warn!(key = %row.key, "a stored setting is not a known one; ignored");
                continue;
            };
            let text = if row.sealed {
                self.inner.master_key.unseal(&row.value).map_err(|_| "cannot be unsealed with this master key".into())
            } else {
                Ok(row.value)
            };
            let value = text.and_then(|text| spec.parse(&text).map_err(|e| format!("no longer valid: {e}")));
            let problem = match value {
                Ok(value) => {
                    values.insert(spec, value);
                    None
                }
                Err(why) => {
                    tracing::warn!(key = spec.key, why = %why, "a stored setting cannot be used; its default is in force");
                    Some(format!("the stored value {why}; the default is in force"))
                }
            };
            infos.insert(spec.key, StoredInfo { updated_at: row.updated_at, updated_by: row.updated_by, problem });
        }
        Ok(Snapshot { version: stored.version, values, stored: infos })
    }
}

/// Marks the cache stale on every notice, until the settings are dropped. After an error (the
/// database unreachable) it waits, with a growing pause, and listens again; meanwhile reads look
/// at the counter.
async fn run_watch(inner: Weak<Inner>, mut watch: Box<dyn SettingsWatch>) {
    let mut pause = Duration::from_secs(1);
    loop {
        let notice = watch.next().await;
        let Some(inner) = inner.upgrade() else { return };
        inner.stale.store(true, Ordering::SeqCst);
        match notice {
            Ok(notice) => {
                if notice == SettingsNotice::Reconnected {
                    tracing::info!("settings watch reconnected; reloading the settings");
                }
                inner.watching.store(true, Ordering::SeqCst);
                inner.notices.send_modify(|n| *n += 1);
                pause = Duration::from_secs(1);
            }
            Err(e) => {
                inner.watching.store(false, Ordering::SeqCst);
                tracing::warn!(error = %e, retry_in_secs = pause.as_secs(), "settings watch failed; checking the change counter meanwhile");
                drop(inner);
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(30));
            }
        }
    }
}
