//! Catalogue, care providers, availability, users and busy intervals.

use super::*;
use jiff::civil::date;
use tahoon_domain::availability::*;
use tahoon_domain::booking::BookingStatus;
use tahoon_domain::catalogue::{CatalogueItem, CatalogueKind};
use tahoon_domain::ids::{CareProviderId, OrganizationId, UserId};
use tahoon_store::testing::sample_provider;

pub async fn catalogue_is_seeded_and_upserted(backend: Backend) {
    let f = fixture(backend).await;
    let items = f.store.catalogue().await.unwrap();
    for kind in CatalogueKind::ALL {
        assert!(items.iter().any(|i| i.kind == kind), "{kind} seeded");
    }
    let levels: Vec<_> =
        items.iter().filter(|i| i.kind == CatalogueKind::ProviderLevel).map(|i| i.name_plang.as_str()).collect();
    assert_eq!(levels, ["Junior", "Senior", "Consultant"]);
    let new = CatalogueItem {
        kind: CatalogueKind::Language,
        id: 1,
        name_plang: "English (UK)".into(),
        name_slang: "الإنجليزية".into(),
    };
    let added = CatalogueItem {
        kind: CatalogueKind::Language,
        id: 99,
        name_plang: "Tagalog".into(),
        name_slang: "التاغالوغية".into(),
    };
    f.store.upsert_catalogue_items(&[new.clone(), added.clone()]).await.unwrap();
    let items = f.store.catalogue().await.unwrap();
    assert!(items.contains(&new) && items.contains(&added));
}

pub async fn providers_upsert_idempotently(backend: Backend) {
    let f = fixture(backend).await;
    let mut p = sample_provider("dr-sarah");
    p.exceptions = vec![
        DatedException { date: date(2026, 12, 1), kind: ExceptionKind::TimeOff, window: LocalWindow::whole_day() },
        DatedException {
            date: date(2027, 1, 5),
            kind: ExceptionKind::ExtraHours,
            window: LocalWindow::new(1080, 1200).unwrap(),
        },
    ];
    let (id, created) = f.store.upsert_care_provider(&p, us(1)).await.unwrap();
    assert!(created);
    let stored = f.store.care_provider(id).await.unwrap().unwrap();
    assert_eq!(stored, tahoon_domain::provider::CareProvider { id, ..p.clone() });

    // Same external id: updated in place, children replaced.
    p.language_ids = vec![3];
    p.rates.truncate(1);
    p.weekly.truncate(1);
    p.rating = 4.1;
    let (again, created) = f.store.upsert_care_provider(&p, us(2)).await.unwrap();
    assert_eq!((again, created), (id, false));
    let stored = f.store.care_provider(id).await.unwrap().unwrap();
    assert_eq!(
        (stored.language_ids.clone(), stored.rates.len(), stored.weekly.len(), stored.rating),
        (vec![3], 1, 1, 4.1)
    );

    f.store.upsert_care_provider(&sample_provider("dr-omar"), us(3)).await.unwrap();
    let all = f.store.care_providers(date(2026, 11, 30), date(2026, 12, 2)).await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].exceptions.len(), 1, "only exceptions inside the range are read");
    assert!(f.store.care_provider(Id::new(id.get() + 100)).await.unwrap().is_none());
}

pub async fn availability_is_replaced(backend: Backend) {
    let f = fixture(backend).await;
    let (id, _) = f.store.upsert_care_provider(&sample_provider("dr-sarah"), us(1)).await.unwrap();
    let policy = BookingPolicy { min_notice_minutes: 30, horizon_days: 14, buffer_minutes: 10 };
    let weekly = [WeeklyRule { weekday: jiff::civil::Weekday::Friday, window: LocalWindow::new(600, 720).unwrap() }];
    assert!(f.store.set_provider_availability(id, policy, &weekly, &[], us(2)).await.unwrap());
    let stored = f.store.care_provider(id).await.unwrap().unwrap();
    assert_eq!((stored.policy, stored.weekly.as_slice(), stored.exceptions.len()), (policy, weekly.as_slice(), 0));
    assert!(!f.store.set_provider_availability(Id::new(id.get() + 1), policy, &weekly, &[], us(2)).await.unwrap());
}

pub async fn users_and_busy_intervals(backend: Backend) {
    let f = fixture(backend).await;
    let org = f.store.create_organization(new_org("Acme", "d1")).await.unwrap();
    let other = f.store.create_organization(new_org("Beta", "d2")).await.unwrap();
    let user = |reference: &str, organization_id: OrganizationId| NewUser {
        organization_id,
        reference_id: reference.into(),
        name: "John".into(),
        dob: "1990-01-01".into(),
        gender: 1,
        now: us(1),
    };
    let Registration::Created(u) = f.store.register_user(user("U1", org.id)).await.unwrap() else { panic!() };
    let u = u.id;
    let again = f.store.register_user(user("U1", org.id)).await.unwrap();
    assert!(matches!(again, Registration::Existing(ref e) if e.id == u), "reference ids are unique per organization");
    assert!(matches!(f.store.register_user(user("U1", other.id)).await.unwrap(), Registration::Created(_)));
    assert!(f.store.user_in_organization(org.id, u).await.unwrap());
    assert!(!f.store.user_in_organization(other.id, u).await.unwrap());

    let (p, _) = f.store.upsert_care_provider(&sample_provider("dr-sarah"), us(1)).await.unwrap();
    let at = |h: i64| jiff::Timestamp::from_second(1_800_000_000 + h * 3600).unwrap();
    let interval = |a: i64, b: i64| Interval { start: at(a), end: at(b) };
    for (hours, status) in
        [((1, 2), BookingStatus::Confirmed), ((3, 4), BookingStatus::Pending), ((5, 6), BookingStatus::Cancelled)]
    {
        let session = interval(hours.0, hours.1);
        booked(&f.store, org.id, u, p, session, status).await;
    }
    let busy = f.store.busy_intervals(at(0), at(10)).await.unwrap();
    assert_eq!(busy.iter().map(|b| b.interval).collect::<Vec<_>>(), vec![interval(1, 2), interval(3, 4)]);
    assert!(busy.iter().all(|b| b.provider_id == p && b.user_id == u));
    let busy = f.store.busy_intervals(at(2), at(3)).await.unwrap();
    assert!(busy.is_empty(), "touching intervals do not overlap");
}

/// A booking held through the store and moved to `status` (Pending stays as held).
pub(crate) async fn booked(
    store: &Arc<dyn Store>,
    organization_id: OrganizationId,
    user_id: UserId,
    provider_id: CareProviderId,
    session: Interval,
    status: BookingStatus,
) {
    let hold = NewBooking {
        organization_id,
        user: BookingUser::Existing(user_id),
        provider_id,
        starts_at: session.start,
        ends_at: session.end,
        blocks_until: session.end,
        price_minor: 0,
        currency: "SAR".into(),
        communication_type: 1,
        from_mobile: false,
        platform_id: None,
        debit_balance: false,
        guest_audit: None,
        actor: "test".into(),
        now: us(1),
    };
    let HoldOutcome::Held { booking, .. } = store.hold_booking(hold).await.unwrap() else { panic!("not held") };
    if status != BookingStatus::Pending {
        let change = Transition {
            booking_id: booking.id,
            from: vec![BookingStatus::Pending],
            to: status,
            actor: "test".into(),
            reason: "test".into(),
            restore_balance: false,
            meeting: None,
            event: None,
            withdraw_guest: None,
            audit: None,
            now: us(2),
        };
        store.transition_booking(change).await.unwrap().unwrap();
    }
}
