//! The availability index's reads and the change sequence the triggers write.

use super::providers::booked;
use super::*;
use jiff::civil::date;
use tahoon_domain::availability::{BookingPolicy, Interval, LocalWindow, WeeklyRule};
use tahoon_domain::booking::BookingStatus;
use tahoon_domain::ids::{CareProviderId, UserId};
use tahoon_store::testing::sample_provider;

async fn changes(store: &Arc<dyn Store>, after: i64) -> Vec<(CareProviderId, ChangeScope)> {
    store.directory_changes(after, 100).await.unwrap().into_iter().map(|c| (c.provider_id, c.scope)).collect()
}

async fn head(store: &Arc<dyn Store>) -> i64 {
    store.directory_changes(0, 10_000).await.unwrap().last().map_or(0, |c| c.seq)
}

async fn a_user(store: &Arc<dyn Store>, org: &Organization) -> UserId {
    let new = NewUser {
        organization_id: org.id,
        reference_id: "U1".into(),
        name: "John".into(),
        dob: "1990-01-01".into(),
        gender: 1,
        now: us(1),
    };
    let Registration::Created(u) = store.register_user(new).await.unwrap() else { panic!("created") };
    u.id
}

/// Every write that can change a search appends the provider to the sequence in its own
/// transaction: a provider added or edited, availability replaced, a booking held and confirmed,
/// cancelled, moved.
pub async fn every_change_that_alters_a_search_is_sequenced(backend: Backend) {
    let f = fixture(backend).await;
    let (p, _) = f.store.upsert_care_provider(&sample_provider("dr-a"), us(1)).await.unwrap();
    let (q, _) = f.store.upsert_care_provider(&sample_provider("dr-b"), us(1)).await.unwrap();
    assert_eq!(changes(&f.store, 0).await, [(p, ChangeScope::Provider), (q, ChangeScope::Provider)]);

    let mark = head(&f.store).await;
    f.store.upsert_care_provider(&sample_provider("dr-a"), us(2)).await.unwrap();
    let weekly = [WeeklyRule { weekday: jiff::civil::Weekday::Monday, window: LocalWindow::new(540, 600).unwrap() }];
    f.store.set_provider_availability(q, BookingPolicy::default(), &weekly, &[], us(3)).await.unwrap();
    assert_eq!(changes(&f.store, mark).await, [(p, ChangeScope::Provider), (q, ChangeScope::Provider)]);

    let org = f.store.create_organization(new_org("Acme", "d1")).await.unwrap();
    let u = a_user(&f.store, &org).await;
    let mark = head(&f.store).await;
    let at = |h: i64| jiff::Timestamp::from_second(1_800_000_000 + h * 3600).unwrap();
    booked(&f.store, org.id, u, q, Interval { start: at(1), end: at(2) }, BookingStatus::Confirmed).await;
    assert_eq!(changes(&f.store, mark).await, [(q, ChangeScope::Bookings); 2], "held, then confirmed");

    let mark = head(&f.store).await;
    let item = tahoon_domain::catalogue::CatalogueItem {
        kind: tahoon_domain::catalogue::CatalogueKind::Language,
        id: 77,
        name_plang: "Tagalog".into(),
        name_slang: "التاغالوغية".into(),
    };
    f.store.upsert_catalogue_items(&[item]).await.unwrap();
    let catalogue = changes(&f.store, mark).await;
    assert!(!catalogue.is_empty() && catalogue.iter().all(|c| *c == (Id::new(0), ChangeScope::Catalogue)));

    let mark = head(&f.store).await;
    let unrelated = f.store.create_organization(new_org("Beta", "d2")).await.unwrap();
    a_user(&f.store, &unrelated).await;
    assert!(changes(&f.store, mark).await.is_empty(), "nothing about providers");
}

/// The full load reads the head first, every provider, and the active bookings still holding
/// time; the partial reads return just the providers asked for.
pub async fn the_directory_loads_whole_and_in_part(backend: Backend) {
    let f = fixture(backend).await;
    let (p, _) = f.store.upsert_care_provider(&sample_provider("dr-a"), us(1)).await.unwrap();
    let (q, _) = f.store.upsert_care_provider(&sample_provider("dr-b"), us(1)).await.unwrap();
    let org = f.store.create_organization(new_org("Acme", "d1")).await.unwrap();
    let u = a_user(&f.store, &org).await;
    let at = |h: i64| jiff::Timestamp::from_second(1_800_000_000 + h * 3600).unwrap();
    booked(&f.store, org.id, u, p, Interval { start: at(1), end: at(2) }, BookingStatus::Confirmed).await;
    booked(&f.store, org.id, u, q, Interval { start: at(5), end: at(6) }, BookingStatus::Pending).await;
    booked(&f.store, org.id, u, q, Interval { start: at(7), end: at(8) }, BookingStatus::Cancelled).await;

    let load = f.store.directory(date(2020, 1, 1), at(3)).await.unwrap();
    assert_eq!(load.head, head(&f.store).await);
    assert_eq!(load.providers.iter().map(|p| p.id).collect::<Vec<_>>(), [p, q]);
    let busy: Vec<_> = load.busy.iter().map(|b| (b.provider_id, b.interval.start)).collect();
    assert_eq!(busy, [(q, at(5))], "ended before `since`, or cancelled: not loaded");

    let some = f.store.directory_providers(&[q, Id::new(q.get() + 100)], date(2020, 1, 1)).await.unwrap();
    assert_eq!(some.iter().map(|p| p.id).collect::<Vec<_>>(), [q], "an unknown id is left out");
    let theirs = f.store.directory_bookings(&[p], at(0)).await.unwrap();
    assert_eq!(theirs.iter().map(|b| (b.provider_id, b.user_id)).collect::<Vec<_>>(), [(p, u)]);
    assert_eq!(f.store.prune_directory_changes(3600).await.unwrap(), 0, "recent changes are kept");
    assert!(!changes(&f.store, 0).await.is_empty());
    assert!(f.store.prune_directory_changes(-3600).await.unwrap() > 0, "older than an hour ahead: all");
}

/// Imported bookings are written as they are, with one history line each; one that overlaps an
/// active booking of its provider or user is left out and counted; each written one is sequenced.
pub async fn imported_bookings_skip_overlaps_and_are_sequenced(backend: Backend) {
    let f = fixture(backend).await;
    let (p, _) = f.store.upsert_care_provider(&sample_provider("dr-a"), us(1)).await.unwrap();
    let org = f.store.create_organization(new_org("Acme", "d1")).await.unwrap();
    let u = a_user(&f.store, &org).await;
    let at = |h: i64| jiff::Timestamp::from_second(1_800_000_000 + h * 3600).unwrap();
    let one = |start: i64, status: BookingStatus| ImportedBooking {
        organization_id: org.id,
        user_id: u,
        provider_id: p,
        starts_at: at(start),
        ends_at: at(start + 1),
        blocks_until: at(start + 1),
        status,
        price_minor: 100,
        currency: "SAR".into(),
        meeting: None,
        actor: "import".into(),
        reference_alias: None,
        now: us(5),
    };
    let mark = head(&f.store).await;
    let outcome = f
        .store
        .import_bookings(&[
            one(1, BookingStatus::Confirmed),
            one(1, BookingStatus::Confirmed),
            one(1, BookingStatus::Cancelled),
            one(2, BookingStatus::Confirmed),
        ])
        .await
        .unwrap();
    assert_eq!(outcome, BookingImport { imported: 3, overlapping: 1 });
    assert_eq!(changes(&f.store, mark).await, [(p, ChangeScope::Bookings); 3]);
    let busy = f.store.directory_bookings(&[p], at(0)).await.unwrap();
    assert_eq!(busy.iter().map(|b| b.interval.start).collect::<Vec<_>>(), [at(1), at(2)]);
    let (bookings, _) = f
        .store
        .user_bookings(BookingQuery {
            organization_id: org.id,
            user_id: u,
            status: None,
            from: None,
            to: None,
            offset: 0,
            limit: 10,
        })
        .await
        .unwrap();
    let history = f.store.booking_history(bookings[0].id).await.unwrap();
    assert_eq!((history.len(), history[0].actor.as_str()), (1, "import"));
}
