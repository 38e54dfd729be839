//! One conformance suite for every `Store` implementation: each test runs on SQLite and, when
//! `TAHOON_TEST_POSTGRES_URL` is set, on PostgreSQL.

mod bookings;
mod directory;
mod holds;
mod limits;
mod providers;
mod push;
mod reminders;
mod settings;
mod users;
mod webhook_deliveries;
mod webhook_fanout;
mod webhooks;

use bookings::*;
use directory::*;
use holds::*;
use jiff::Timestamp;
use limits::*;
use providers::*;
use push::*;
use reminders::*;
use settings::*;
use std::sync::Arc;
use tahoon_domain::audit::{AuditContent, ChainVerifier, Outcome};
use tahoon_domain::booking::Booking;
use tahoon_domain::ids::Id;
use tahoon_domain::organization::{Organization, OrganizationKind, Role};
use tahoon_store::testing::{TestDatabase, tamper_with_audit_row};
use tahoon_store::*;
use users::*;
use webhook_deliveries::*;
use webhook_fanout::*;
use webhooks::*;

pub(crate) struct Fixture {
    pub store: Arc<dyn Store>,
    pub db: TestDatabase,
}

pub(crate) async fn fixture(backend: Backend) -> Fixture {
    let db = TestDatabase::create(backend).await.expect("test database");
    let store = open(&db.url).await.expect("open store");
    assert_eq!(store.backend(), backend);
    Fixture { store, db }
}

/// An instant given as microseconds since the Unix epoch, as the store keeps it.
pub(crate) fn us(micros: i64) -> Timestamp {
    Timestamp::from_microsecond(micros).unwrap()
}

pub(crate) fn new_org(name: &str, digest: &str) -> NewOrganization {
    NewOrganization {
        name: name.into(),
        kind: OrganizationKind::Charity,
        balance: 10,
        rate_limit_per_minute: 100,
        max_active_bookings_per_user: None,
        require_signature_header: false,
        shared_key_sealed: "v1.sealed".into(),
        access_key_digest: digest.into(),
        role: Role::ReadOnly,
        now: us(1_000),
    }
}

fn refresh(digest: &str, family: &str, now_us: i64) -> NewRefreshToken {
    NewRefreshToken {
        digest: digest.into(),
        family_id: family.into(),
        expires_at: us(now_us + 1_000_000),
        now: us(now_us),
    }
}

async fn organizations_and_keys(backend: Backend) {
    let f = fixture(backend).await;
    let created = f.store.create_organization(new_org("Acme", "d1")).await.unwrap();
    assert_eq!(created.name, "Acme");
    assert_eq!(created.kind, OrganizationKind::Charity);
    assert!(created.enabled);
    assert_eq!(created.credentials_version, 1);
    assert_eq!(f.store.organization(created.id).await.unwrap(), Some(created.clone()));
    assert_eq!(f.store.organization(Id::new(created.id.get() + 100)).await.unwrap(), None);
    f.store.create_organization(new_org("Beta", "d2")).await.unwrap();
    assert_eq!(f.store.organizations().await.unwrap().len(), 2);

    let (key, org) = f.store.access_key_by_digest("d1").await.unwrap().unwrap();
    assert_eq!((key.role, org.id), (Role::ReadOnly, created.id));
    assert!(f.store.access_key_by_digest("nope").await.unwrap().is_none());

    let changes = OrganizationChanges { enabled: Some(false), balance: Some(3), ..Default::default() };
    let updated = f.store.update_organization(created.id, changes, us(2_000)).await.unwrap().unwrap();
    assert!(!updated.enabled);
    assert_eq!((updated.balance, updated.name.as_str()), (3, "Acme"));
    assert!(
        f.store.update_organization(Id::new(9_999), OrganizationChanges::default(), us(1)).await.unwrap().is_none()
    );

    let credentials = NewCredentials {
        shared_key_sealed: "v1.new".into(),
        access_key_digest: "d3".into(),
        role: Role::FullAccess,
        now: us(3_000),
    };
    let rotated = f.store.rotate_organization_keys(created.id, credentials.clone()).await.unwrap().unwrap();
    assert_eq!((rotated.credentials_version, rotated.shared_key_sealed.as_str()), (2, "v1.new"));
    assert!(f.store.access_key_by_digest("d1").await.unwrap().is_none(), "old key revoked");
    assert!(f.store.access_key_by_digest("d3").await.unwrap().is_some());
    let keys = f.store.access_keys(created.id).await.unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0].revoked_at, Some(us(3_000)));
    assert_eq!(keys[1].revoked_at, None);
    assert!(f.store.rotate_organization_keys(Id::new(9_999), credentials).await.unwrap().is_none());
}

async fn start_family(store: &dyn Store, org_digest: &str, family: &str) -> (Organization, TokenFamily) {
    let org = store.create_organization(new_org("Acme", org_digest)).await.unwrap();
    let (key, _) = store.access_key_by_digest(org_digest).await.unwrap().unwrap();
    let family = TokenFamily { id: family.into(), organization_id: org.id, access_key_id: key.id, role: key.role };
    store.start_token_family(family.clone(), refresh("r1", &family.id, 10)).await.unwrap();
    (org, family)
}

async fn refresh_rotation_and_reuse(backend: Backend) {
    let f = fixture(backend).await;
    let (_, family) = start_family(&*f.store, "d1", "fam1").await;
    let outcome = f.store.rotate_refresh_token("r1", refresh("r2", "", 20)).await.unwrap();
    assert_eq!(outcome, RefreshOutcome::Rotated(family.clone()));
    // Presenting r1 again is reuse: the family is revoked…
    let outcome = f.store.rotate_refresh_token("r1", refresh("r3", "", 30)).await.unwrap();
    assert_eq!(outcome, RefreshOutcome::Reused(family.clone()));
    // …so the current token r2 no longer works either.
    let outcome = f.store.rotate_refresh_token("r2", refresh("r4", "", 40)).await.unwrap();
    assert_eq!(outcome, RefreshOutcome::Invalid);
    assert_eq!(f.store.rotate_refresh_token("unknown", refresh("r5", "", 50)).await.unwrap(), RefreshOutcome::Invalid);
}

async fn expired_refresh_token_is_invalid(backend: Backend) {
    let f = fixture(backend).await;
    start_family(&*f.store, "d1", "fam1").await;
    // r1 expires at 10 + 1_000_000.
    let outcome = f.store.rotate_refresh_token("r1", refresh("r2", "", 2_000_000)).await.unwrap();
    assert_eq!(outcome, RefreshOutcome::Invalid);
}

async fn concurrent_refresh_rotates_once(backend: Backend) {
    let f = fixture(backend).await;
    start_family(&*f.store, "d1", "fam1").await;
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let store = f.store.clone();
            tokio::spawn(async move { store.rotate_refresh_token("r1", refresh(&format!("n{i}"), "", 20 + i)).await })
        })
        .collect();
    let mut rotated = 0;
    for task in tasks {
        if let RefreshOutcome::Rotated(_) = task.await.unwrap().unwrap() {
            rotated += 1;
        }
    }
    assert_eq!(rotated, 1, "exactly one presentation of a refresh token rotates it");
}

async fn token_standing_reflects_revocations(backend: Backend) {
    let f = fixture(backend).await;
    let (org, family) = start_family(&*f.store, "d1", "fam1").await;
    let standing = f.store.token_standing(org.id, "fam1", "jti1").await.unwrap().unwrap();
    assert!(!standing.token_revoked && !standing.family_revoked && !standing.key_revoked);
    assert!(
        f.store.token_standing(Id::new(org.id.get() + 1), "fam1", "jti1").await.unwrap().is_none(),
        "other organization"
    );
    assert!(f.store.token_standing(org.id, "nope", "jti1").await.unwrap().is_none());

    f.store.revoke_access_token("jti1", org.id, us(99), us(50)).await.unwrap();
    f.store.revoke_access_token("jti1", org.id, us(99), us(50)).await.unwrap(); // idempotent
    assert!(f.store.token_standing(org.id, "fam1", "jti1").await.unwrap().unwrap().token_revoked);
    assert!(!f.store.token_standing(org.id, "fam1", "jti2").await.unwrap().unwrap().token_revoked);

    assert_eq!(f.store.revoke_refresh_token("r1", us(60)).await.unwrap(), RevokedRefresh::Revoked(family));
    assert!(f.store.token_standing(org.id, "fam1", "jti2").await.unwrap().unwrap().family_revoked);
    assert_eq!(f.store.revoke_refresh_token("zzz", us(60)).await.unwrap(), RevokedRefresh::Unknown);

    let credentials = NewCredentials {
        shared_key_sealed: "v1.x".into(),
        access_key_digest: "d9".into(),
        role: Role::FullAccess,
        now: us(70),
    };
    f.store.rotate_organization_keys(org.id, credentials).await.unwrap();
    assert!(f.store.token_standing(org.id, "fam1", "jti2").await.unwrap().unwrap().key_revoked);
}

async fn signatures_are_accepted_once(backend: Backend) {
    let f = fixture(backend).await;
    let org = f.store.create_organization(new_org("Acme", "d1")).await.unwrap();
    assert!(f.store.record_signature(org.id, "sig", us(1_000), us(10)).await.unwrap());
    assert!(!f.store.record_signature(org.id, "sig", us(1_000), us(20)).await.unwrap(), "replay");
    let other = Id::new(org.id.get() + 1);
    assert!(f.store.record_signature(other, "sig", us(1_000), us(20)).await.unwrap(), "scoped per organization");
    // Once expired, the record is purged (the timestamp window already refuses such a request).
    assert!(f.store.record_signature(org.id, "sig", us(5_000), us(2_000)).await.unwrap());
}

fn audit_content(i: i64) -> AuditContent {
    AuditContent {
        occurred_at: us(1_000 + i),
        organization_id: Some(Id::new(1)),
        actor: "org:1".into(),
        action: "token.issued".into(),
        outcome: Outcome::Success,
        request_id: Some(format!("req_{i}")),
        source_ip: None,
        details: "{}".into(),
    }
}

async fn verify(store: &dyn Store) -> Result<u64, i64> {
    let mut verifier = ChainVerifier::default();
    for entry in store.audit_entries(0, 10_000).await.unwrap() {
        verifier.check(&entry).map_err(|b| b.seq())?;
    }
    Ok(verifier.checked())
}

async fn audit_chain_under_concurrency(backend: Backend) {
    let f = fixture(backend).await;
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let store = f.store.clone();
            tokio::spawn(async move { store.append_audit(audit_content(i)).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(verify(&*f.store).await, Ok(40));
    let page = f.store.audit_entries(10, 5).await.unwrap();
    assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![11, 12, 13, 14, 15]);
}

async fn audit_log_is_append_only_and_tamper_evident(backend: Backend) {
    let f = fixture(backend).await;
    for i in 0..5 {
        f.store.append_audit(audit_content(i)).await.unwrap();
    }
    assert_eq!(verify(&*f.store).await, Ok(5));
    tamper_with_audit_row(&f.db.url, 3).await.unwrap();
    assert_eq!(verify(&*f.store).await, Err(3));
}

async fn a_deleted_or_reordered_audit_row_breaks_the_chain(backend: Backend) {
    for (tamper, broken_at) in [("delete", 3), ("swap", 2)] {
        let f = fixture(backend).await;
        for i in 0..5 {
            f.store.append_audit(audit_content(i)).await.unwrap();
        }
        match tamper {
            "delete" => tahoon_store::testing::delete_audit_row(&f.db.url, 2).await.unwrap(),
            _ => tahoon_store::testing::swap_audit_rows(&f.db.url, 2, 4).await.unwrap(),
        }
        // Entry 3 no longer follows what is now before it; a swapped pair breaks at the first.
        assert_eq!(verify(&*f.store).await, Err(broken_at), "{tamper}");
    }
}

async fn audit_search_filters_and_pages(backend: Backend) {
    let f = fixture(backend).await;
    for i in 0..10 {
        let mut content = audit_content(i);
        content.organization_id = Some(Id::new(1 + i % 2));
        content.action = if i % 3 == 0 { "user.registered".into() } else { "token.issued".into() };
        f.store.append_audit(content).await.unwrap();
    }
    let mut anonymous = audit_content(10);
    anonymous.organization_id = None;
    f.store.append_audit(anonymous).await.unwrap();
    let query = |change: &dyn Fn(&mut AuditQuery)| {
        let mut query = AuditQuery { limit: 100, ..AuditQuery::default() };
        change(&mut query);
        query
    };
    let seqs = |entries: &[tahoon_domain::audit::AuditEntry]| entries.iter().map(|e| e.seq).collect::<Vec<_>>();
    let (all, total) = f.store.audit_search(&query(&|_| {})).await.unwrap();
    assert_eq!((all.len(), total), (11, 11));
    // One organization's: seq 1, 3, 5, 7, 9 (i = 0, 2, 4, 6, 8).
    let (own, total) = f.store.audit_search(&query(&|q| q.organization_id = Some(Id::new(1)))).await.unwrap();
    assert_eq!((seqs(&own), total), (vec![1, 3, 5, 7, 9], 5));
    assert!(own.iter().all(|e| e.content.organization_id == Some(Id::new(1))));
    // By action, time (from inclusive, to exclusive) and page.
    let (registered, _) = f
        .store
        .audit_search(&query(&|q| {
            q.organization_id = Some(Id::new(1));
            q.action = Some("user.registered".into());
        }))
        .await
        .unwrap();
    assert_eq!(seqs(&registered), [1, 7]);
    let (window, total) = f
        .store
        .audit_search(&query(&|q| {
            q.from = Some(us(1_002));
            q.to = Some(us(1_005));
        }))
        .await
        .unwrap();
    assert_eq!((seqs(&window), total), (vec![3, 4, 5], 3));
    let (page, total) = f
        .store
        .audit_search(&query(&|q| {
            q.offset = 2;
            q.limit = 3;
        }))
        .await
        .unwrap();
    assert_eq!((seqs(&page), total), (vec![3, 4, 5], 11));
    let (after, total) = f.store.audit_search(&query(&|q| q.after_seq = 9)).await.unwrap();
    assert_eq!((seqs(&after), total), (vec![10, 11], 2));
}

async fn audit_log_refuses_updates(backend: Backend) {
    let f = fixture(backend).await;
    f.store.append_audit(audit_content(0)).await.unwrap();
    // The application's own connection (its role) can neither change nor remove a row.
    let mut attempts = vec!["UPDATE audit_log SET actor = 'x' WHERE seq = 1", "DELETE FROM audit_log WHERE seq = 1"];
    if backend == Backend::Postgres {
        attempts.push("TRUNCATE audit_log");
    }
    for sql in attempts {
        let refused = match backend {
            Backend::Sqlite => {
                let store = SqliteStore::open(&f.db.url).await.unwrap();
                sqlx::query(sql).execute(store.pool()).await.is_err()
            }
            Backend::Postgres => {
                let store = PostgresStore::open(&f.db.url).await.unwrap();
                sqlx::query(sql).execute(store.pool()).await.is_err()
            }
        };
        assert!(refused, "the append-only trigger refuses: {sql}");
    }
    assert_eq!(verify(&*f.store).await, Ok(1));
}

async fn migrations_are_idempotent(backend: Backend) {
    let f = fixture(backend).await;
    // Opening again applies nothing new and keeps the data.
    f.store.create_organization(new_org("Acme", "d1")).await.unwrap();
    let again = open(&f.db.url).await.unwrap();
    assert_eq!(again.organizations().await.unwrap().len(), 1);
    again.ping().await.unwrap();
}

tahoon_store::backend_tests!(
    organizations_and_keys,
    refresh_rotation_and_reuse,
    expired_refresh_token_is_invalid,
    concurrent_refresh_rotates_once,
    token_standing_reflects_revocations,
    signatures_are_accepted_once,
    audit_chain_under_concurrency,
    audit_log_is_append_only_and_tamper_evident,
    a_deleted_or_reordered_audit_row_breaks_the_chain,
    audit_search_filters_and_pages,
    audit_log_refuses_updates,
    migrations_are_idempotent,
    catalogue_is_seeded_and_upserted,
    providers_upsert_idempotently,
    every_change_that_alters_a_search_is_sequenced,
    the_directory_loads_whole_and_in_part,
    imported_bookings_skip_overlaps_and_are_sequenced,
    availability_is_replaced,
    users_and_busy_intervals,
    concurrent_registrations_create_one_user,
    erasure_keeps_scores_and_frees_the_reference,
    instruments_get_ids_and_unique_codes,
    sixty_four_racers_one_booking,
    racers_hold_and_confirm_without_deadlocks,
    overlaps_conflict_and_neighbours_do_not,
    failed_and_cancelled_free_the_slot_and_balance,
    reschedule_moves_atomically,
    buffers_keep_a_providers_sessions_apart,
    guests_are_registered_with_their_hold,
    a_users_upcoming_sessions_are_capped,
    operator_numbers_stay_in_range,
    an_unreadable_row_does_not_break_the_listing,
    outcomes_are_recorded_only_after_the_start,
    stale_holds_are_found_by_age_and_by_overlap,
    audit_entries_commit_with_their_change,
    the_database_refuses_overlaps_of_active_statuses_only,
    reference_aliases_resolve_in_their_scope,
    settings_are_stored_counted_and_audited,
    concurrent_setting_changes_count_once_each,
    other_processes_hear_of_setting_changes,
    push_jobs_are_enqueued_once_per_pushed_event,
    an_event_committed_after_a_later_one_is_enqueued,
    push_jobs_are_leased_retried_and_fenced,
    concurrent_claimers_never_share_a_job,
    webhook_endpoints_are_created_listed_and_limited,
    another_organizations_webhooks_are_not_found,
    a_rotated_secret_keeps_the_previous_one_until_its_time,
    concurrent_creations_respect_the_endpoint_limit,
    events_fan_out_to_the_endpoints_that_want_them,
    a_test_webhook_goes_to_its_endpoint_only,
    a_backlog_is_fanned_out_in_event_order,
    webhook_deliveries_are_leased_and_fenced,
    a_failed_attempt_is_recorded_and_retried_until_it_succeeds,
    disabling_an_endpoint_fails_its_pending_deliveries,
    deleting_an_endpoint_cancels_its_deliveries,
    webhook_deliveries_are_paged_newest_first,
    a_redelivery_restarts_the_schedule_with_the_same_event,
    concurrent_claimers_never_share_a_delivery,
    a_confirmed_booking_gets_its_reminders,
    cancelling_or_moving_a_booking_replans_its_reminders,
    offsets_chosen_replan_upcoming_sessions,
    due_reminders_are_sent_once,
    a_reminder_of_a_booking_changed_meanwhile_is_not_sent,
    a_sent_reminder_is_not_planned_again,
);
