//! Holds left Pending, found by age (and by what they are in the way of), and audit entries
//! written in the transaction of the change they record.

use super::*;
use tahoon_domain::booking::BookingStatus;
use tahoon_domain::ids::BookingId;

const HOUR: i64 = 3_600_000_000;
const T0: i64 = 1_800_000_000_000_000;

fn created_at(new: NewBooking, now_us: i64) -> NewBooking {
    NewBooking { now: us(now_us), ..new }
}

fn times(w: &World, user: usize, start: i64) -> SessionTimes {
    SessionTimes {
        provider_id: w.providers[0],
        user_id: Some(w.users[user]),
        starts_at: us(start),
        ends_at: us(start + HOUR),
        blocks_until: us(start + HOUR),
    }
}

pub async fn stale_holds_are_found_by_age_and_by_overlap(backend: Backend) {
    let w = world(backend, 3).await;
    let s = &w.f.store;
    let held = |o: HoldOutcome| match o {
        HoldOutcome::Held { booking, .. } => booking,
        other => panic!("{other:?}"),
    };
    let old = held(s.hold_booking(created_at(booking(&w, 0, 0, T0, 60, false), 100)).await.unwrap());
    let young = held(s.hold_booking(created_at(booking(&w, 1, 0, T0 + 2 * HOUR, 60, false), 500)).await.unwrap());
    let query = |by: i64, overlapping: Option<SessionTimes>| StaleHolds { created_by: us(by), overlapping, limit: 10 };
    let ids = |v: Vec<Booking>| v.into_iter().map(|b| b.id).collect::<Vec<_>>();
    assert_eq!(ids(s.stale_holds(query(100, None)).await.unwrap()), [old.id], "at or before");
    assert_eq!(ids(s.stale_holds(query(99, None)).await.unwrap()), Vec::<BookingId>::new());
    assert_eq!(ids(s.stale_holds(query(1_000, None)).await.unwrap()), [old.id, young.id], "oldest first");
    // Only what is in the way: the provider's time, or the user's.
    assert_eq!(ids(s.stale_holds(query(1_000, Some(times(&w, 2, T0 + HOUR / 2)))).await.unwrap()), [old.id]);
    assert_eq!(
        ids(s.stale_holds(query(1_000, Some(times(&w, 2, T0 + 5 * HOUR)))).await.unwrap()),
        Vec::<BookingId>::new()
    );
    let mut other_provider = times(&w, 1, T0 + 2 * HOUR);
    other_provider.provider_id = w.providers[1];
    assert_eq!(ids(s.stale_holds(query(1_000, Some(other_provider))).await.unwrap()), [young.id], "the user's time");
    // Confirmed bookings are not holds.
    let confirm = super::bookings::confirming(old.id, None, 600);
    s.transition_booking(confirm).await.unwrap().unwrap();
    assert_eq!(ids(s.stale_holds(query(1_000, None)).await.unwrap()), [young.id]);
    // Any booking by id, for the operator; unknown ids are None.
    assert_eq!(s.booking_by_id(young.id).await.unwrap().map(|b| b.id), Some(young.id));
    assert!(s.booking_by_id(Id::new(young.id.get() + 1_000)).await.unwrap().is_none());
}

fn entry(action: &str) -> AuditContent {
    AuditContent {
        occurred_at: us(1),
        organization_id: None,
        actor: "t".into(),
        action: action.into(),
        outcome: Outcome::Success,
        request_id: None,
        source_ip: None,
        details: "{}".into(),
    }
}

pub async fn audit_entries_commit_with_their_change(backend: Backend) {
    let w = world(backend, 2).await;
    let s = &w.f.store;
    let before = s.audit_entries(0, 1_000).await.unwrap().len();
    let HoldOutcome::Held { booking: b, .. } = s.hold_booking(booking(&w, 0, 0, T0, 60, false)).await.unwrap() else {
        panic!()
    };
    let change = |to: BookingStatus, action: &str| Transition {
        booking_id: b.id,
        from: vec![BookingStatus::Pending],
        to,
        actor: "t".into(),
        reason: "r".into(),
        restore_balance: false,
        meeting: None,
        event: None,
        withdraw_guest: None,
        audit: Some(entry(action)),
        now: us(2),
    };
    s.transition_booking(change(BookingStatus::Confirmed, "booking.confirmed")).await.unwrap().unwrap();
    // A change the status machine refuses writes no audit entry either.
    assert!(s.transition_booking(change(BookingStatus::Failed, "booking.failed")).await.unwrap().is_none());
    // A guest hold writes its registration's entry; a refused one writes nothing.
    let guest = |reference: &str| {
        BookingUser::Guest(NewUser {
            organization_id: w.org.id,
            reference_id: reference.into(),
            name: "G".into(),
            dob: "1990-01-01".into(),
            gender: 0,
            now: us(1),
        })
    };
    let taken = NewBooking {
        user: guest("G1"),
        guest_audit: Some(entry("user.registered")),
        ..booking(&w, 1, 0, T0, 60, false)
    };
    assert_eq!(s.hold_booking(taken).await.unwrap(), HoldOutcome::Taken);
    let free = NewBooking {
        user: guest("G1"),
        guest_audit: Some(entry("user.registered")),
        ..booking(&w, 1, 0, T0 + 2 * HOUR, 60, false)
    };
    assert!(matches!(s.hold_booking(free).await.unwrap(), HoldOutcome::Held { guest_created: true, .. }));
    let actions: Vec<String> =
        s.audit_entries(0, 1_000).await.unwrap().into_iter().skip(before).map(|e| e.content.action).collect();
    assert_eq!(actions, ["booking.confirmed", "user.registered"]);
    let mut verifier = ChainVerifier::default();
    for e in s.audit_entries(0, 1_000).await.unwrap() {
        verifier.check(&e).unwrap();
    }
}
