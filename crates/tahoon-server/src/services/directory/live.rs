//! The availability index as the service keeps it: loaded on first use, moved to each new day,
//! and kept fresh from the change sequence (`DirectoryStore`), at once after this process's own
//! changes (`sync`) and within `POLL_EVERY` after anyone else's (`start`: other instances, the CLI).

use super::catalogue::CatalogueIndex;
use crate::clock::Clock;
use crate::services::error::ServiceResult;
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock, Weak};
use std::time::Duration;
use tahoon_domain::directory::{Booked, ChangeCursor, DirectoryIndex, ProviderChange};
use tahoon_domain::ids::CareProviderId;
use tahoon_domain::provider::CareProvider;
use tahoon_store::{BusyInterval, ChangeScope, Store};

/// How often the change sequence is read for other processes' changes.
pub const POLL_EVERY: Duration = Duration::from_millis(250);
/// How long applied changes stay in the sequence (the database prunes older ones).
const KEEP_CHANGES_SECS: i64 = 3600;
/// Changes read at once.
const BATCH: i64 = 1000;

#[derive(Clone)]
pub struct Directory {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn Store>,
    clock: Clock,
    index: RwLock<Option<DirectoryIndex>>,
    /// Held while loading or applying changes, so they apply in the order they were read; `None`
    /// until the first load.
    cursor: tokio::sync::Mutex<Option<ChangeCursor>>,
    started: AtomicBool,
    /// Reads of the change sequence begun so far (each under `cursor`).
    reads_begun: AtomicU64,
    /// The filter catalogue, named in every listing; dropped when it changes.
    catalogue: RwLock<Option<Arc<CatalogueIndex>>>,
    /// Bumped when the catalogue is dropped, so a read that began before is not cached after.
    catalogue_generation: AtomicU64,
}

fn booked(b: BusyInterval) -> Booked {
    Booked { provider_id: b.provider_id, user_id: b.user_id, interval: b.interval, held: b.held }
}

impl Directory {
    pub fn new(store: Arc<dyn Store>, clock: Clock) -> Directory {
        Directory {
            inner: Arc::new(Inner {
                store,
                clock,
                index: RwLock::new(None),
                cursor: tokio::sync::Mutex::new(None),
                started: AtomicBool::new(false),
                reads_begun: AtomicU64::new(0),
                catalogue: RwLock::new(None),
                catalogue_generation: Default::default(),
            }),
        }
    }

    fn today(&self) -> Date {
        DirectoryIndex::date_of(self.inner.clock.now())
    }

    /// Runs `read` on the index as of today, loading it first if this is its first use.
    pub async fn read<R>(&self, read: impl FnOnce(&DirectoryIndex) -> R) -> ServiceResult<R> {
        let today = self.today();
        if !self.with_index(|index| index.is_some_and(|i| i.first_day() == today)) {
            self.sync().await?;
        }
        Ok(self.with_index(|index| read(index.expect("loaded by sync"))))
    }

    /// The filter catalogue, read once and then from memory until it changes.
    pub async fn catalogue(&self) -> ServiceResult<Arc<CatalogueIndex>> {
        if let Some(cached) = self.inner.catalogue.read().unwrap_or_else(|p| p.into_inner()).clone() {
            return Ok(cached);
        }
        let generation = self.inner.catalogue_generation.load(Ordering::SeqCst);
        let loaded = Arc::new(CatalogueIndex::new(self.inner.store.catalogue().await?));
        let mut cached = self.inner.catalogue.write().unwrap_or_else(|p| p.into_inner());
        if self.inner.catalogue_generation.load(Ordering::SeqCst) == generation {
            *cached = Some(loaded.clone());
        }
        Ok(loaded)
    }

    /// Drops the cached catalogue (this process changed it; others hear of it by the sequence).
    pub fn forget_catalogue(&self) {
        let mut cached = self.inner.catalogue.write().unwrap_or_else(|p| p.into_inner());
        self.inner.catalogue_generation.fetch_add(1, Ordering::SeqCst);
        *cached = None;
    }

    /// The provider as the loaded index holds it; `None` when it is not loaded or lists no such
    /// provider.
    pub fn provider(&self, id: CareProviderId) -> Option<Arc<CareProvider>> {
        self.with_index(|index| index?.provider(id).map(|listed| listed.provider.clone()))
    }

    fn with_index<R>(&self, f: impl FnOnce(Option<&DirectoryIndex>) -> R) -> R {
        let guard = self.inner.index.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        f(guard.as_ref())
    }

    /// Applies every change committed so far (loading the index if need be). Called after each
    /// change this process commits, so its own searches see it at once.
    pub async fn sync(&self) -> ServiceResult<()> {
        let mut guard = self.inner.cursor.lock().await;
        self.sync_locked(&mut guard).await
    }

    async fn sync_locked(&self, guard: &mut Option<ChangeCursor>) -> ServiceResult<()> {
        let today = self.today();
        if guard.is_none() {
            let load = self.inner.store.directory(exceptions_from(today), day_start(today)).await?;
            let busy = load.busy.into_iter().map(booked).collect();
            let index = DirectoryIndex::build(load.providers, busy, today);
            tracing::info!(providers = index.len(), slots = index.slot_count(), "availability index loaded");
            *self.inner.index.write().unwrap_or_else(|p| p.into_inner()) = Some(index);
            // The last changes before the load are applied again (one may have been committing).
            *guard = Some(ChangeCursor::after_load(load.head));
        }
        let cursor = guard.as_mut().expect("loaded above");
        self.write(|index| index.advance(today));
        self.inner.reads_begun.fetch_add(1, Ordering::SeqCst);
        loop {
            let rows = self.inner.store.directory_changes(cursor.after(), BATCH).await?;
            let read = rows.len();
            let mut scopes: BTreeMap<CareProviderId, ChangeScope> = BTreeMap::new();
            for row in rows.iter().filter(|r| cursor.wants(r.seq)) {
                if row.scope == ChangeScope::Catalogue {
                    self.forget_catalogue();
                    continue;
                }
                let scope = scopes.entry(row.provider_id).or_insert(row.scope);
                *scope = (*scope).max(row.scope);
            }
            if !scopes.is_empty() {
                self.apply(&scopes, today).await?;
            }
            cursor.applied(rows.iter().map(|r| r.seq), Timestamp::now());
            if (read as i64) < BATCH {
                return Ok(());
            }
        }
    }

    /// Reads the changed providers (and their bookings) and applies them.
    async fn apply(&self, scopes: &BTreeMap<CareProviderId, ChangeScope>, today: Date) -> ServiceResult<()> {
        let store = &self.inner.store;
        let ids: Vec<CareProviderId> = scopes.keys().copied().collect();
        let edited: Vec<CareProviderId> =
            scopes.iter().filter(|(_, s)| **s == ChangeScope::Provider).map(|(id, _)| *id).collect();
        let mut providers: BTreeMap<CareProviderId, _> = BTreeMap::new();
        if !edited.is_empty() {
            for p in store.directory_providers(&edited, exceptions_from(today)).await? {
                providers.insert(p.id, p);
            }
        }
        let mut bookings: BTreeMap<CareProviderId, Vec<Booked>> = ids.iter().map(|id| (*id, Vec::new())).collect();
        for b in store.directory_bookings(&ids, day_start(today)).await? {
            bookings.entry(b.provider_id).or_default().push(booked(b));
        }
        let changes: Vec<ProviderChange> = ids
            .iter()
            .map(|id| ProviderChange {
                id: *id,
                provider: edited.contains(id).then(|| providers.remove(id)),
                bookings: bookings.remove(id),
            })
            .collect();
        let rebuilt = self.with_index(|index| {
            let index = index.expect("loaded before changes apply");
            index.needs_reranking(&changes).then(|| index.rebuilt(changes.clone(), today))
        });
        self.write(|index| match rebuilt {
            Some(rebuilt) => *index = rebuilt,
            None => changes.into_iter().for_each(|c| index.apply(c)),
        });
        Ok(())
    }

    fn write(&self, f: impl FnOnce(&mut DirectoryIndex)) {
        let mut guard = self.inner.index.write().unwrap_or_else(|p| p.into_inner());
        if let Some(index) = guard.as_mut() {
            f(index);
        }
    }

    /// `sync` after a change this process committed: a failure is logged, not returned, since
    /// the change itself stands (the poll applies it later). An index not loaded yet (a CLI
    /// command's process) is left unloaded: its first use reads everything.
    pub async fn changed(&self) {
        if !self.with_index(|i| i.is_some()) {
            return;
        }
        // Under concurrent changes, one read of the sequence serves every change committed
        // before it began: a caller that waited for the lock while such a read ran is done.
        let begun = self.inner.reads_begun.load(Ordering::SeqCst);
        let mut guard = self.inner.cursor.lock().await;
        if self.inner.reads_begun.load(Ordering::SeqCst) != begun {
            return;
        }
        if let Err(e) = self.sync_locked(&mut guard).await {
            tracing::warn!(error = %e, "the availability index could not apply a change yet");
        }
    }

    /// Starts following other processes' changes, until the directory is dropped. Idempotent.
    pub fn start(&self) {
        if self.inner.started.swap(true, Ordering::SeqCst) {
            return;
        }
        tokio::spawn(follow(Arc::downgrade(&self.inner)));
    }
}

/// The UTC midnight starting `date`.
fn day_start(date: Date) -> Timestamp {
    jiff::tz::TimeZone::UTC
        .to_ambiguous_timestamp(date.to_datetime(jiff::civil::Time::midnight()))
        .compatible()
        .unwrap_or(Timestamp::MIN)
}

/// A provider's local date may be the day before the UTC one.
fn exceptions_from(today: Date) -> Date {
    today.checked_sub(SignedDuration::from_hours(48)).unwrap_or(today)
}

async fn follow(inner: Weak<Inner>) {
    let mut polls: u64 = 0;
    loop {
        tokio::time::sleep(POLL_EVERY).await;
        let Some(inner) = inner.upgrade() else { return };
        let directory = Directory { inner };
        // Not loaded yet: the first search loads it.
        let loaded = directory.with_index(|i| i.is_some());
        if loaded && let Err(e) = directory.sync().await {
            tracing::warn!(error = %e, "reading the directory's changes failed; trying again");
        }
        polls += 1;
        if polls.is_multiple_of(2400)
            && let Err(e) = directory.inner.store.prune_directory_changes(KEEP_CHANGES_SECS).await
        {
            tracing::warn!(error = %e, "pruning the directory's changes failed");
        }
    }
}
