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
        charity_debited: false,
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
    assert_eq!(outcome, BookingImport { imported: 3, overlapping: 1, already_present: 0 });
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

/// Reference aliases: set, resolved in their scope (providers anywhere, users and bookings in
/// their organization), listed back, unique in their scope; an imported booking whose alias the
/// organization already has is skipped, so a second import changes nothing; organization
/// settings of compatibility mode and the remembered zone.
pub async fn reference_aliases_resolve_in_their_scope(backend: Backend) {
    let f = fixture(backend).await;
    let (p, _) = f.store.upsert_care_provider(&sample_provider("dr-a"), us(1)).await.unwrap();
    let a = f.store.create_organization(new_org("A", "d1")).await.unwrap();
    let b = f.store.create_organization(new_org("B", "d2")).await.unwrap();
    let u = a_user(&f.store, &a).await;
    assert!(f.store.set_alias(AliasKind::CareProvider, p.get(), "cp-alias").await.unwrap());
    assert!(f.store.set_alias(AliasKind::User, u.get(), "user-alias").await.unwrap());
    assert!(!f.store.set_alias(AliasKind::User, u.get() + 1000, "nobody").await.unwrap(), "no such row");
    let resolve = |kind, org: &Organization, alias: &'static str| {
        let store = f.store.clone();
        let org = org.id;
        async move { store.resolve_alias(kind, org, alias).await.unwrap() }
    };
    assert_eq!(resolve(AliasKind::CareProvider, &b, "cp-alias").await, Some(p.get()), "providers are everyone's");
    assert_eq!(resolve(AliasKind::User, &a, "user-alias").await, Some(u.get()));
    assert_eq!(resolve(AliasKind::User, &b, "user-alias").await, None, "users are their organization's");
    assert_eq!(resolve(AliasKind::User, &a, "USER-ALIAS").await, None, "aliases are exact");
    let listed = f.store.aliases_of(AliasKind::User, a.id, &[u.get(), u.get() + 1]).await.unwrap();
    assert_eq!(listed, vec![(u.get(), "user-alias".to_string())]);
    assert!(f.store.aliases_of(AliasKind::User, b.id, &[u.get()]).await.unwrap().is_empty());
    assert!(f.store.aliases_of(AliasKind::Booking, a.id, &[]).await.unwrap().is_empty());
    let (q, _) = f.store.upsert_care_provider(&sample_provider("dr-b"), us(1)).await.unwrap();
    assert!(f.store.set_alias(AliasKind::CareProvider, q.get(), "cp-alias").await.is_err(), "unique");

    let booking = ImportedBooking {
        organization_id: a.id,
        user_id: u,
        provider_id: p,
        starts_at: jiff::Timestamp::from_second(1_900_000_000).unwrap(),
        ends_at: jiff::Timestamp::from_second(1_900_003_600).unwrap(),
        blocks_until: jiff::Timestamp::from_second(1_900_003_600).unwrap(),
        status: BookingStatus::Confirmed,
        price_minor: 100,
        currency: "SAR".into(),
        charity_debited: false,
        meeting: None,
        actor: "import".into(),
        reference_alias: Some("booking-alias".into()),
        now: us(5),
    };
    let first = f.store.import_bookings(std::slice::from_ref(&booking)).await.unwrap();
    let again = f.store.import_bookings(&[booking]).await.unwrap();
    assert_eq!((first.imported, again.imported, again.already_present), (1, 0, 1));
    assert!(resolve(AliasKind::Booking, &a, "booking-alias").await.is_some());

    let zone = tahoon_domain::organization::ZoneSetting::parse("+03:00").unwrap();
    assert!(f.store.remember_time_zone(a.id, &zone, us(9)).await.unwrap());
    assert!(!f.store.remember_time_zone(a.id, &zone, us(9)).await.unwrap(), "the same zone: no write");
    let pinned = tahoon_domain::organization::ZoneSetting::parse("Asia/Riyadh").unwrap();
    let changes = OrganizationChanges {
        compat_mode: Some(tahoon_domain::organization::CompatMode::Reference),
        default_time_zone: Some(Some(pinned.clone())),
        ..OrganizationChanges::default()
    };
    let updated = f.store.update_organization(a.id, changes, us(10)).await.unwrap().unwrap();
    assert_eq!((updated.default_time_zone.as_ref(), updated.default_time_zone_remembered), (Some(&pinned), false));
    assert!(updated.is_reference_compatible());
    assert!(!f.store.remember_time_zone(a.id, &zone, us(11)).await.unwrap(), "never over the operator's zone");
}
