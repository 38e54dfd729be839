//! Issue 8's storage rules: buffers between a provider's sessions, guests registered with their
//! hold, the cap on a user's upcoming sessions, numbers kept in range, listing that survives an
//! unreadable row, and session outcomes only after the start.

use super::*;
use sqlx::Connection;
use tahoon_domain::booking::BookingStatus;
use tahoon_domain::ids::BookingId;

const HOUR: i64 = 3_600_000_000;
const MINUTE: i64 = 60_000_000;
const T0: i64 = 1_800_000_000_000_000;

/// A session of `w.users[user]` with provider 0 and a 15-minute buffer after it.
fn buffered(w: &World, user: usize, start: i64) -> NewBooking {
    NewBooking { blocks_until: us(start + HOUR + 15 * MINUTE), ..booking(w, user, 0, start, 60, false) }
}

fn transition(id: BookingId, to: BookingStatus, now_us: i64) -> Transition {
    Transition {
        booking_id: id,
        from: vec![BookingStatus::Pending, BookingStatus::Confirmed],
        to,
        actor: "t".into(),
        reason: "r".into(),
        restore_balance: true,
        meeting: None,
        event: None,
        withdraw_guest: None,
        audit: None,
        now: us(now_us),
    }
}

fn held(outcome: HoldOutcome) -> Booking {
    match outcome {
        HoldOutcome::Held { booking, .. } => booking,
        other => panic!("not held: {other:?}"),
    }
}

pub async fn buffers_keep_a_providers_sessions_apart(backend: Backend) {
    let w = world(backend, 8).await;
    let s = &w.f.store;
    held(s.hold_booking(buffered(&w, 0, T0)).await.unwrap());
    // Right after the session, inside its buffer: refused, for another user too.
    assert_eq!(s.hold_booking(buffered(&w, 1, T0 + HOUR)).await.unwrap(), HoldOutcome::Taken);
    // Right before it, so that the new session's own buffer runs into it: refused.
    assert_eq!(s.hold_booking(buffered(&w, 2, T0 - HOUR)).await.unwrap(), HoldOutcome::Taken);
    // At the buffer's distance on both sides: fine.
    held(s.hold_booking(buffered(&w, 1, T0 + HOUR + 15 * MINUTE)).await.unwrap());
    held(s.hold_booking(buffered(&w, 2, T0 - HOUR - 15 * MINUTE)).await.unwrap());
    // The user's own calendar has no buffer: back to back with another provider is fine.
    held(s.hold_booking(booking(&w, 0, 1, T0 + HOUR, 60, false)).await.unwrap());
    // The provider's busy times carry the buffer for search.
    let busy = s.busy_intervals(us(T0), us(T0 + HOUR + 10 * MINUTE)).await.unwrap();
    let first = busy.iter().find(|b| b.interval.start.as_microsecond() == T0).unwrap();
    assert_eq!(first.held.end.as_microsecond(), T0 + HOUR + 15 * MINUTE);
    assert_eq!(first.interval.end.as_microsecond(), T0 + HOUR);

    // Racing for two neighbouring slots closer than the buffer: one wins.
    let later = T0 + 10 * HOUR;
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let store = s.clone();
            let start = if i % 2 == 0 { later } else { later + HOUR };
            let new = buffered(&w, i % 8, start);
            tokio::spawn(async move { store.hold_booking(new).await.unwrap() })
        })
        .collect();
    let mut winners = 0;
    for task in tasks {
        if matches!(task.await.unwrap(), HoldOutcome::Held { .. }) {
            winners += 1;
        }
    }
    assert_eq!(winners, 1);

    // Rescheduling keeps the rule.
    let moving = held(s.hold_booking(buffered(&w, 3, T0 + 20 * HOUR)).await.unwrap());
    s.transition_booking(Transition {
        to: BookingStatus::Confirmed,
        ..transition(moving.id, BookingStatus::Confirmed, 2)
    })
    .await
    .unwrap()
    .unwrap();
    let event = NewEvent { organization_id: Some(w.org.id), event_type: "x".into(), payload: serde_json::json!({}) };
    let next_to_first = T0 + HOUR + 15 * MINUTE + HOUR;
    assert_eq!(
        s.reschedule_booking(Reschedule {
            booking_id: moving.id,
            starts_at: us(next_to_first),
            ends_at: us(next_to_first + HOUR),
            blocks_until: us(next_to_first + HOUR + 15 * MINUTE),
            actor: "t".into(),
            event,
            audit: None,
            meeting: None,
            now: us(3)
        })
        .await
        .unwrap(),
        RescheduleOutcome::Taken
    );
}

fn guest(w: &World, reference: &str) -> BookingUser {
    BookingUser::Guest(NewUser {
        organization_id: w.org.id,
        reference_id: reference.into(),
        name: "Guest".into(),
        dob: "1990-01-01".into(),
        gender: 0,
        now: us(1),
    })
}

async fn registered(s: &Arc<dyn Store>, w: &World, reference: &str) -> bool {
    let probe = NewUser {
        organization_id: w.org.id,
        reference_id: reference.into(),
        name: "Probe".into(),
        dob: "1990-01-01".into(),
        gender: 0,
        now: us(1),
    };
    matches!(s.register_user(probe).await.unwrap(), Registration::Existing(_))
}

pub async fn guests_are_registered_with_their_hold(backend: Backend) {
    let w = world(backend, 1).await;
    let s = &w.f.store;
    held(s.hold_booking(booking(&w, 0, 0, T0, 60, false)).await.unwrap());
    // The slot is taken: the guest is not registered.
    let refused = NewBooking { user: guest(&w, "G-TAKEN"), ..booking(&w, 0, 0, T0, 60, false) };
    assert_eq!(s.hold_booking(refused).await.unwrap(), HoldOutcome::Taken);
    assert!(!registered(s, &w, "G-TAKEN").await);
    // A free slot: registered and held together; the same reference id reuses the user.
    let first = NewBooking { user: guest(&w, "G1"), ..booking(&w, 0, 0, T0 + 2 * HOUR, 60, false) };
    let HoldOutcome::Held { booking: a, guest_created: true } = s.hold_booking(first).await.unwrap() else { panic!() };
    let again = NewBooking { user: guest(&w, "G1"), ..booking(&w, 0, 1, T0 + 4 * HOUR, 60, false) };
    let HoldOutcome::Held { booking: b, guest_created: false } = s.hold_booking(again).await.unwrap() else { panic!() };
    assert_eq!(a.user_id, b.user_id);
    // A failed booking withdraws the guest it registered, in the same transaction.
    let third = NewBooking { user: guest(&w, "G2"), ..booking(&w, 0, 1, T0 + 6 * HOUR, 60, false) };
    let c = held(s.hold_booking(third).await.unwrap());
    let fail = Transition { withdraw_guest: Some(c.user_id), ..transition(c.id, BookingStatus::Failed, 2) };
    s.transition_booking(fail).await.unwrap().unwrap();
    assert!(!registered(s, &w, "G2").await, "the reference id is free again");
    assert!(!s.user_in_organization(w.org.id, c.user_id).await.unwrap());
}

pub async fn a_users_upcoming_sessions_are_capped(backend: Backend) {
    let w = world(backend, 2).await;
    let s = &w.f.store;
    let cap = OrganizationChanges { max_active_bookings_per_user: Some(Some(2)), ..Default::default() };
    assert_eq!(
        s.update_organization(w.org.id, cap, us(1)).await.unwrap().unwrap().max_active_bookings_per_user,
        Some(2)
    );
    let a = held(s.hold_booking(booking(&w, 0, 0, T0, 60, false)).await.unwrap());
    held(s.hold_booking(booking(&w, 0, 0, T0 + 2 * HOUR, 60, false)).await.unwrap());
    assert_eq!(
        s.hold_booking(booking(&w, 0, 0, T0 + 4 * HOUR, 60, false)).await.unwrap(),
        HoldOutcome::UserLimitReached { limit: 2 }
    );
    // Another user is not affected; a cancelled session and a started one no longer count.
    held(s.hold_booking(booking(&w, 1, 0, T0 + 4 * HOUR, 60, false)).await.unwrap());
    s.transition_booking(transition(a.id, BookingStatus::Cancelled, 2)).await.unwrap().unwrap();
    held(s.hold_booking(booking(&w, 0, 0, T0 + 6 * HOUR, 60, false)).await.unwrap());
    let after_start = NewBooking { now: us(T0 + 3 * HOUR), ..booking(&w, 0, 1, T0 + 8 * HOUR, 60, false) };
    held(s.hold_booking(after_start).await.unwrap());
    // Removing the cap.
    let uncapped = OrganizationChanges { max_active_bookings_per_user: Some(None), ..Default::default() };
    assert_eq!(
        s.update_organization(w.org.id, uncapped, us(1)).await.unwrap().unwrap().max_active_bookings_per_user,
        None
    );

    // Concurrent holds of one user at different times: exactly the cap.
    let cap = OrganizationChanges { max_active_bookings_per_user: Some(Some(3)), ..Default::default() };
    s.update_organization(w.org.id, cap, us(1)).await.unwrap();
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let store = s.clone();
            let new = booking(&w, 1, i % 2, T0 + (20 + 2 * i as i64) * HOUR, 60, false);
            tokio::spawn(async move { store.hold_booking(new).await.unwrap() })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    // User 1 already holds one upcoming session (at T0 + 4 h).
    assert_eq!(outcomes.iter().filter(|o| matches!(o, HoldOutcome::Held { .. })).count(), 2);
    assert!(
        outcomes.iter().all(|o| matches!(o, HoldOutcome::Held { .. } | HoldOutcome::UserLimitReached { limit: 3 }))
    );
}

pub async fn operator_numbers_stay_in_range(backend: Backend) {
    let w = world(backend, 1).await;
    let s = &w.f.store;
    let before = s.organization(w.org.id).await.unwrap().unwrap();
    for changes in [
        OrganizationChanges { balance: Some(i64::MAX), ..Default::default() },
        OrganizationChanges { balance: Some(-1), ..Default::default() },
        OrganizationChanges { rate_limit_per_minute: Some(0), ..Default::default() },
        OrganizationChanges { cancellation_cutoff_hours: Some(i64::MAX), ..Default::default() },
        OrganizationChanges { max_active_bookings_per_user: Some(Some(0)), ..Default::default() },
    ] {
        assert!(s.update_organization(w.org.id, changes, us(5)).await.is_err(), "the database refuses it");
    }
    assert!(s.create_organization(NewOrganization { balance: i64::MAX, ..new_org("Big", "d9") }).await.is_err());
    assert_eq!(s.organization(w.org.id).await.unwrap().unwrap(), before);

    // A refund at the ceiling keeps the balance at the ceiling instead of overflowing.
    let debited = held(s.hold_booking(booking(&w, 0, 0, T0, 60, true)).await.unwrap());
    let ceiling = tahoon_domain::organization::SessionBalance::MAX;
    s.update_organization(w.org.id, OrganizationChanges { balance: Some(ceiling), ..Default::default() }, us(6))
        .await
        .unwrap();
    s.transition_booking(transition(debited.id, BookingStatus::Failed, 7)).await.unwrap().unwrap();
    assert_eq!(s.organization(w.org.id).await.unwrap().unwrap().balance, ceiling);
    assert_eq!(s.organizations().await.unwrap().len(), 1);
}

pub async fn an_unreadable_row_does_not_break_the_listing(backend: Backend) {
    let f = fixture(backend).await;
    let good = f.store.create_organization(new_org("Good", "d1")).await.unwrap();
    let bad = f.store.create_organization(new_org("Bad", "d2")).await.unwrap();
    // Damage one row behind the store's back, past the constraints that now prevent it.
    match backend {
        Backend::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(&f.db.url).await.unwrap();
            sqlx::query("DROP TRIGGER organizations_in_range_on_update").execute(&mut conn).await.unwrap();
            sqlx::query("UPDATE organizations SET balance = 9.3e18 WHERE id = $1")
                .bind(bad.id.get())
                .execute(&mut conn)
                .await
                .unwrap();
        }
        Backend::Postgres => {
            let mut conn = sqlx::PgConnection::connect(&f.db.url).await.unwrap();
            sqlx::query("ALTER TABLE organizations DROP CONSTRAINT organizations_kind_check")
                .execute(&mut conn)
                .await
                .unwrap();
            sqlx::query("UPDATE organizations SET kind = 'bogus' WHERE id = $1")
                .bind(bad.id.get())
                .execute(&mut conn)
                .await
                .unwrap();
        }
    }
    let listed = f.store.organizations().await.unwrap();
    assert_eq!(listed.iter().map(|o| o.id).collect::<Vec<_>>(), [good.id]);
    assert!(f.store.organization(bad.id).await.is_err(), "reading the damaged row itself still fails");
}

pub async fn outcomes_are_recorded_only_after_the_start(backend: Backend) {
    let w = world(backend, 1).await;
    let s = &w.f.store;
    let b = held(s.hold_booking(booking(&w, 0, 0, T0, 60, false)).await.unwrap());
    s.transition_booking(transition(b.id, BookingStatus::Confirmed, 2)).await.unwrap().unwrap();
    for outcome in [BookingStatus::Completed, BookingStatus::NoShow] {
        assert!(s.transition_booking(transition(b.id, outcome, T0 - 1)).await.unwrap().is_none());
    }
    let done = s.transition_booking(transition(b.id, BookingStatus::NoShow, T0)).await.unwrap().unwrap();
    assert_eq!(done.status, BookingStatus::NoShow);
}
