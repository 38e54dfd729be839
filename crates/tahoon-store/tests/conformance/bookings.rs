//! Bookings: the database never holds two overlapping active sessions of a provider or a user.

use super::*;
use tahoon_domain::booking::BookingStatus;
use tahoon_domain::ids::{BookingId, CareProviderId, UserId};
use tahoon_domain::settings::VideoProvider;
use tahoon_store::testing::sample_provider;

const HOUR: i64 = 3_600_000_000;
const T0: i64 = 1_800_000_000_000_000;

pub(crate) struct World {
    pub f: Fixture,
    pub org: Organization,
    pub users: Vec<UserId>,
    pub providers: Vec<CareProviderId>,
}

pub(crate) async fn world(backend: Backend, users: usize) -> World {
    let f = fixture(backend).await;
    let org = f.store.create_organization(new_org("Charity", "d1")).await.unwrap(); // balance 10
    let mut ids = Vec::new();
    for i in 0..users {
        let new = NewUser {
            organization_id: org.id,
            reference_id: format!("U{i}"),
            name: "N".into(),
            dob: "1990-01-01".into(),
            gender: 1,
            now: us(0),
        };
        let Registration::Created(user) = f.store.register_user(new).await.unwrap() else { panic!("registered") };
        ids.push(user.id);
    }
    let (p1, _) = f.store.upsert_care_provider(&sample_provider("p1"), us(0)).await.unwrap();
    let (p2, _) = f.store.upsert_care_provider(&sample_provider("p2"), us(0)).await.unwrap();
    World { f, org, users: ids, providers: vec![p1, p2] }
}

pub(crate) fn booking(w: &World, user: usize, provider: usize, start: i64, minutes: i64, debit: bool) -> NewBooking {
    NewBooking {
        organization_id: w.org.id,
        user: BookingUser::Existing(w.users[user]),
        provider_id: w.providers[provider],
        starts_at: us(start),
        ends_at: us(start + minutes * 60_000_000),
        blocks_until: us(start + minutes * 60_000_000),
        price_minor: 25_000,
        currency: "SAR".into(),
        communication_type: 1,
        from_mobile: false,
        platform_id: Some(3),
        debit_balance: debit,
        guest_audit: None,
        actor: "test".into(),
        now: us(1),
    }
}

/// Pending to Confirmed, with nothing else written.
pub(crate) fn confirming(id: BookingId, meeting: Option<Meeting>, now: i64) -> Transition {
    Transition {
        booking_id: id,
        from: vec![BookingStatus::Pending],
        to: BookingStatus::Confirmed,
        actor: "test".into(),
        reason: "room ready".into(),
        restore_balance: false,
        meeting,
        event: None,
        withdraw_guest: None,
        audit: None,
        now: us(now),
    }
}

pub async fn sixty_four_racers_one_booking(backend: Backend) {
    let w = world(backend, 64).await;
    let tasks: Vec<_> = (0..64)
        .map(|i| {
            let store = w.f.store.clone();
            let new = booking(&w, i, 0, T0, 60, false);
            tokio::spawn(async move { store.hold_booking(new).await })
        })
        .collect();
    let mut held = 0;
    for task in tasks {
        match task.await.unwrap().unwrap() {
            HoldOutcome::Held { .. } => held += 1,
            HoldOutcome::Taken => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(held, 1);
}

/// Racers that hold and at once confirm, round after round (on PostgreSQL, overlapping inserts
/// under the exclusion constraints once deadlocked: the winner's confirmation waited for losers'
/// inserts that waited for each other). Every attempt ends held or taken, never in an error.
pub async fn racers_hold_and_confirm_without_deadlocks(backend: Backend) {
    let w = world(backend, 32).await;
    for round in 0..4 {
        let start = T0 + round * 2 * HOUR;
        let tasks: Vec<_> = (0..32)
            .map(|i| {
                let store = w.f.store.clone();
                // Half race for the provider's slot, half for a user's time with another provider.
                let new =
                    if i % 2 == 0 { booking(&w, i, 0, start, 60, false) } else { booking(&w, 0, 1, start, 60, false) };
                tokio::spawn(async move {
                    let HoldOutcome::Held { booking: b, .. } = store.hold_booking(new).await? else {
                        return Ok::<_, tahoon_store::StoreError>(false);
                    };
                    let confirm = confirming(b.id, None, 3);
                    Ok(store.transition_booking(confirm).await?.is_some())
                })
            })
            .collect();
        let mut confirmed = 0;
        for task in tasks {
            if task.await.unwrap().expect("held or taken, never an error") {
                confirmed += 1;
            }
        }
        // One for the provider's slot; the user's own booking (user 0) may be the same one.
        assert!((1..=2).contains(&confirmed), "round {round}: {confirmed} confirmed");
    }
}

pub async fn overlaps_conflict_and_neighbours_do_not(backend: Backend) {
    let w = world(backend, 4).await;
    let s = &w.f.store;
    assert!(matches!(s.hold_booking(booking(&w, 0, 0, T0, 60, false)).await.unwrap(), HoldOutcome::Held { .. }));
    // A 30-minute session inside, and a 90-minute one across, the held hour: refused.
    assert_eq!(s.hold_booking(booking(&w, 1, 0, T0 + HOUR / 2, 30, false)).await.unwrap(), HoldOutcome::Taken);
    assert_eq!(s.hold_booking(booking(&w, 1, 0, T0 - HOUR / 2, 90, false)).await.unwrap(), HoldOutcome::Taken);
    // Back to back on both sides: fine.
    assert!(matches!(s.hold_booking(booking(&w, 1, 0, T0 + HOUR, 60, false)).await.unwrap(), HoldOutcome::Held { .. }));
    assert!(matches!(s.hold_booking(booking(&w, 2, 0, T0 - HOUR, 60, false)).await.unwrap(), HoldOutcome::Held { .. }));
    // The same user with another provider at an overlapping time: refused.
    assert_eq!(s.hold_booking(booking(&w, 0, 1, T0 + HOUR / 4, 30, false)).await.unwrap(), HoldOutcome::Taken);
}

pub async fn failed_and_cancelled_free_the_slot_and_balance(backend: Backend) {
    let w = world(backend, 2).await;
    let s = &w.f.store;
    let HoldOutcome::Held { booking: b, .. } = s.hold_booking(booking(&w, 0, 0, T0, 60, true)).await.unwrap() else {
        panic!()
    };
    assert_eq!(s.organization(w.org.id).await.unwrap().unwrap().balance, 9);
    let fail = Transition {
        booking_id: b.id,
        from: vec![BookingStatus::Pending],
        to: BookingStatus::Failed,
        actor: "test".into(),
        reason: "video".into(),
        restore_balance: true,
        meeting: None,
        event: Some(NewEvent {
            organization_id: Some(w.org.id),
            event_type: "booking.failed".into(),
            payload: serde_json::json!({}),
        }),
        withdraw_guest: None,
        audit: None,
        now: us(2),
    };
    let failed = s.transition_booking(fail.clone()).await.unwrap().unwrap();
    assert_eq!((failed.status, failed.charity_debited), (BookingStatus::Failed, false));
    assert_eq!(s.organization(w.org.id).await.unwrap().unwrap().balance, 10);
    assert!(s.transition_booking(fail).await.unwrap().is_none(), "Failed is terminal");
    // The slot is free again.
    let HoldOutcome::Held { booking: b2, .. } = s.hold_booking(booking(&w, 1, 0, T0, 60, true)).await.unwrap() else {
        panic!()
    };
    let meeting = Meeting {
        meeting_id: "room-1".into(),
        join_url: Some("https://meet/room-1".into()),
        vendor: VideoProvider::Jitsi,
    };
    let confirm = confirming(b2.id, Some(meeting), 3);
    let confirmed = s.transition_booking(confirm).await.unwrap().unwrap();
    assert_eq!(
        (confirmed.meeting_id.as_deref(), confirmed.join_url.as_deref(), confirmed.video_vendor),
        (Some("room-1"), Some("https://meet/room-1"), Some(VideoProvider::Jitsi))
    );
    let history = s.booking_history(b2.id).await.unwrap();
    assert_eq!(
        history.iter().map(|h| h.to).collect::<Vec<_>>(),
        vec![BookingStatus::Pending, BookingStatus::Confirmed]
    );

    // Balance exhausted: nothing is booked.
    s.update_organization(w.org.id, OrganizationChanges { balance: Some(0), ..Default::default() }, us(4))
        .await
        .unwrap();
    assert_eq!(s.hold_booking(booking(&w, 0, 1, T0 + 5 * HOUR, 60, true)).await.unwrap(), HoldOutcome::BalanceOut);
}

pub async fn reschedule_moves_atomically(backend: Backend) {
    let w = world(backend, 2).await;
    let s = &w.f.store;
    let confirm = |id: BookingId| Transition {
        booking_id: id,
        from: vec![BookingStatus::Pending],
        to: BookingStatus::Confirmed,
        actor: "t".into(),
        reason: "r".into(),
        restore_balance: false,
        meeting: None,
        event: None,
        withdraw_guest: None,
        audit: None,
        now: us(2),
    };
    let HoldOutcome::Held { booking: a, .. } = s.hold_booking(booking(&w, 0, 0, T0, 60, false)).await.unwrap() else {
        panic!()
    };
    s.transition_booking(confirm(a.id)).await.unwrap().unwrap();
    let HoldOutcome::Held { booking: b, .. } =
        s.hold_booking(booking(&w, 1, 0, T0 + 2 * HOUR, 60, false)).await.unwrap()
    else {
        panic!()
    };
    s.transition_booking(confirm(b.id)).await.unwrap().unwrap();
    let event = || NewEvent {
        organization_id: Some(w.org.id),
        event_type: "booking.rescheduled".into(),
        payload: serde_json::json!({}),
    };
    // Onto the other booking: refused. Overlapping its own old time: fine.
    assert_eq!(
        s.reschedule_booking(Reschedule {
            booking_id: a.id,
            starts_at: us(T0 + 2 * HOUR),
            ends_at: us(T0 + 3 * HOUR),
            blocks_until: us(T0 + 3 * HOUR),
            actor: "t".into(),
            event: event(),
            audit: None,
            meeting: None,
            now: us(3)
        })
        .await
        .unwrap(),
        RescheduleOutcome::Taken
    );
    let RescheduleOutcome::Moved(moved) = s
        .reschedule_booking(Reschedule {
            booking_id: a.id,
            starts_at: us(T0 + HOUR / 2),
            ends_at: us(T0 + HOUR + HOUR / 2),
            blocks_until: us(T0 + HOUR + HOUR / 2),
            actor: "t".into(),
            event: event(),
            audit: None,
            // The room made again for the booking replaces the old one whole.
            meeting: Some(Meeting { meeting_id: "room-2".into(), join_url: None, vendor: VideoProvider::VideoSdk }),
            now: us(3),
        })
        .await
        .unwrap()
    else {
        panic!()
    };
    assert_eq!((moved.id, moved.starts_at), (a.id, us(T0 + HOUR / 2)));
    assert_eq!(
        (moved.meeting_id.as_deref(), moved.join_url.as_deref(), moved.video_vendor),
        (Some("room-2"), None, Some(VideoProvider::VideoSdk))
    );
    // The old hour is free for someone else now.
    let (bookings, total) = s
        .user_bookings(BookingQuery {
            organization_id: w.org.id,
            user_id: w.users[0],
            status: None,
            from: Some(us(0)),
            to: None,
            offset: 0,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!((bookings.len(), total), (1, 1));
    assert_eq!(s.booking_history(a.id).await.unwrap().len(), 3);
    assert!(s.booking(Id::new(w.org.id.get() + 1), a.id).await.unwrap().is_none(), "tenancy");
}

/// Runs one statement on the test database behind the store's back (test values formatted in).
async fn execute_behind_the_store(w: &World, backend: Backend, sql: String) -> Result<(), sqlx::Error> {
    let sql = sqlx::AssertSqlSafe(sql);
    match backend {
        Backend::Sqlite => {
            sqlx::raw_sql(sql).execute(SqliteStore::open(&w.f.db.url).await.unwrap().pool()).await?;
        }
        Backend::Postgres => {
            sqlx::raw_sql(sql).execute(PostgresStore::open(&w.f.db.url).await.unwrap().pool()).await?;
        }
    }
    Ok(())
}

/// The migrations repeat the active statuses (`status IN (1, 6)`) in their partial indexes and
/// exclusion constraints, and the queries take them from one Rust constant: for every status, the
/// database refuses a second booking at the same time of the same provider or user, and
/// `busy_intervals` lists the first, exactly when `BookingStatus::is_active` says so.
pub async fn the_database_refuses_overlaps_of_active_statuses_only(backend: Backend) {
    let w = world(backend, 2).await;
    for (i, status) in BookingStatus::ALL.into_iter().enumerate() {
        let start = T0 + i64::try_from(i).unwrap() * 10 * HOUR;
        let HoldOutcome::Held { booking: first, .. } =
            w.f.store.hold_booking(booking(&w, 0, 0, start, 60, false)).await.unwrap()
        else {
            panic!("{status:?}: the time is free")
        };
        let code = status.code();
        execute_behind_the_store(
            &w,
            backend,
            format!("UPDATE bookings SET status = {code} WHERE id = {}", first.id.get()),
        )
        .await
        .unwrap();
        let busy = w.f.store.busy_intervals(us(start), us(start + HOUR)).await.unwrap();
        assert_eq!(busy.len(), usize::from(status.is_active()), "{status:?} in busy_intervals");
        // Another user with the same provider, then the same user with another provider.
        for (user, provider) in [(1, 0), (0, 1)] {
            let (user, provider, end) = (w.users[user].get(), w.providers[provider].get(), start + HOUR);
            let pending = BookingStatus::Pending.code();
            let second = format!(
                "INSERT INTO bookings (organization_id, user_id, provider_id, starts_at, ends_at, blocks_until, \
                 status, created_at, updated_at) VALUES ({}, {user}, {provider}, {start}, {end}, {end}, {pending}, 1, 1)",
                w.org.id.get()
            );
            let refused = execute_behind_the_store(&w, backend, second).await.is_err();
            assert_eq!(refused, status.is_active(), "a second booking beside a {status:?} one");
        }
    }
}
