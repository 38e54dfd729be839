//! Reminders: planned with the booking's confirmation, replanned when it moves, ends or when the
//! offsets change, and sent once, only while the booking is still Confirmed at that time.

use super::*;
use tahoon_domain::booking::BookingStatus;
use tahoon_domain::ids::BookingId;

const MINUTE: i64 = 60_000_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
const T0: i64 = 1_800_000_000_000_000;

fn change(booking_id: BookingId, from: BookingStatus, to: BookingStatus, now: i64) -> Transition {
    Transition {
        booking_id,
        from: vec![from],
        to,
        actor: "test".into(),
        reason: "test".into(),
        restore_balance: false,
        meeting: None,
        event: None,
        withdraw_guest: None,
        audit: None,
        now: us(now),
    }
}

/// A one-hour session of user `user` with provider 0 at `start`, held and confirmed at `now`.
async fn confirmed(w: &World, user: usize, start: i64, now: i64) -> Booking {
    let s = &w.f.store;
    let new = NewBooking { now: us(now), ..booking(w, user, 0, start, 60, false) };
    let HoldOutcome::Held { booking: held, .. } = s.hold_booking(new).await.unwrap() else { panic!("held") };
    assert!(s.booking_reminders(held.id).await.unwrap().is_empty(), "a hold has no reminders");
    let confirm = change(held.id, BookingStatus::Pending, BookingStatus::Confirmed, now);
    s.transition_booking(confirm).await.unwrap().expect("confirmed")
}

async fn cancel(w: &World, b: &Booking, now: i64) {
    let cancel = change(b.id, BookingStatus::Confirmed, BookingStatus::Cancelled, now);
    w.f.store.transition_booking(cancel).await.unwrap().expect("cancelled");
}

async fn reschedule(w: &World, b: &Booking, start: i64, now: i64) {
    let change = Reschedule {
        booking_id: b.id,
        starts_at: us(start),
        ends_at: us(start + HOUR),
        blocks_until: us(start + HOUR),
        actor: "test".into(),
        event: NewEvent {
            organization_id: Some(w.org.id),
            event_type: "booking.rescheduled".into(),
            payload: serde_json::json!({}),
        },
        audit: None,
        meeting: None,
        now: us(now),
    };
    let outcome = w.f.store.reschedule_booking(change).await.unwrap();
    assert!(matches!(outcome, RescheduleOutcome::Moved(_)), "{outcome:?}");
}

/// The booking's scheduled reminders: (minutes before, due at), in due order.
async fn scheduled(w: &World, b: &Booking) -> Vec<(i64, Timestamp)> {
    let all = w.f.store.booking_reminders(b.id).await.unwrap();
    all.into_iter().filter(|r| r.status == ReminderStatus::Scheduled).map(|r| (r.offset_minutes, r.due_at)).collect()
}

/// The due reminders at `now`: (booking, minutes before).
async fn due(w: &World, now: i64, limit: i64) -> Vec<(BookingId, i64)> {
    let due = w.f.store.due_reminders(us(now), limit).await.unwrap();
    due.into_iter().map(|d| (d.booking.id, d.reminder.offset_minutes)).collect()
}

fn reminder_event(w: &World, b: &Booking, minutes: i64) -> NewEvent {
    NewEvent {
        organization_id: Some(w.org.id),
        event_type: "booking.reminder".into(),
        payload: serde_json::json!({"bookingRowId": b.id.get(), "minutesBefore": minutes}),
    }
}

async fn reminder_events(w: &World) -> Vec<OutboxEvent> {
    let events = w.f.store.pending_events(1_000).await.unwrap();
    events.into_iter().filter(|e| e.event_type == "booking.reminder").collect()
}

pub async fn a_confirmed_booking_gets_its_reminders(backend: Backend) {
    let w = world(backend, 2).await;
    let s = &w.f.store;
    let far = confirmed(&w, 0, T0, T0 - 2 * DAY).await;
    let reminders = s.booking_reminders(far.id).await.unwrap();
    let shape: Vec<_> =
        reminders.iter().map(|r| (r.offset_minutes, r.session_start, r.due_at, r.status, r.sent_at)).collect();
    let scheduled_at = |minutes: i64| (minutes, us(T0), us(T0 - minutes * MINUTE), ReminderStatus::Scheduled, None);
    assert_eq!(shape, [scheduled_at(24 * 60), scheduled_at(15)], "the defaults: 24 h and 15 min before");
    // Confirmed an hour ahead: the 24-hour reminder is already past and is skipped.
    let soon = confirmed(&w, 1, T0 + 5 * HOUR, T0 + 4 * HOUR).await;
    assert_eq!(scheduled(&w, &soon).await, [(15, us(T0 + 5 * HOUR - 15 * MINUTE))]);
    assert_eq!(s.booking_reminders(soon.id).await.unwrap().len(), 1);
    assert_eq!(s.organization_reminder_offsets(w.org.id).await.unwrap(), None);
    assert_eq!(s.user_reminder_preferences(w.users[0]).await.unwrap(), None);
    // Due when their time has come, with their booking.
    assert!(due(&w, T0 - DAY - 1, 10).await.is_empty());
    let at_due = s.due_reminders(us(T0 - DAY), 10).await.unwrap();
    assert_eq!(at_due.len(), 1);
    assert_eq!((&at_due[0].reminder, &at_due[0].booking), (&reminders[0], &far));
}

pub async fn cancelling_or_moving_a_booking_replans_its_reminders(backend: Backend) {
    let w = world(backend, 2).await;
    let s = &w.f.store;
    let a = confirmed(&w, 0, T0, T0 - 3 * DAY).await;
    cancel(&w, &a, T0 - 2 * DAY).await;
    let statuses: Vec<_> = s.booking_reminders(a.id).await.unwrap().into_iter().map(|r| r.status).collect();
    assert_eq!(statuses, [ReminderStatus::Cancelled; 2]);
    assert!(due(&w, T0, 10).await.is_empty(), "none left to send");

    let b = confirmed(&w, 1, T0, T0 - 3 * DAY).await;
    let first = s.booking_reminders(b.id).await.unwrap();
    reschedule(&w, &b, T0 + DAY, T0 - 2 * DAY).await;
    assert_eq!(scheduled(&w, &b).await, [(24 * 60, us(T0)), (15, us(T0 + DAY - 15 * MINUTE))]);
    let all = s.booking_reminders(b.id).await.unwrap();
    assert_eq!(all.len(), 4);
    let old: Vec<_> = all.iter().filter(|r| r.session_start == us(T0)).map(|r| (r.id, r.status)).collect();
    assert_eq!(old, first.iter().map(|r| (r.id, ReminderStatus::Cancelled)).collect::<Vec<_>>());
    assert_eq!(due(&w, T0, 10).await, [(b.id, 24 * 60)], "the new time's only");

    // Moved back: the first time's reminders are scheduled again (the same rows).
    reschedule(&w, &b, T0, T0 - 2 * DAY + 1).await;
    let all = s.booking_reminders(b.id).await.unwrap();
    assert_eq!(all.len(), 4);
    let live: Vec<_> = all.into_iter().filter(|r| r.status == ReminderStatus::Scheduled).collect();
    assert_eq!(live, first);
}

pub async fn offsets_chosen_replan_upcoming_sessions(backend: Backend) {
    let w = world(backend, 3).await;
    let s = &w.f.store;
    let past = confirmed(&w, 2, T0 - 3 * DAY, T0 - 5 * DAY).await;
    let mine = confirmed(&w, 0, T0, T0 - 5 * DAY).await;
    let theirs = confirmed(&w, 1, T0 + 2 * HOUR, T0 - 5 * DAY).await;
    let now = T0 - 2 * DAY;

    s.set_organization_reminder_offsets(w.org.id, vec![30, 60], us(now)).await.unwrap();
    assert_eq!(s.organization_reminder_offsets(w.org.id).await.unwrap(), Some(vec![60, 30]), "largest first");
    assert_eq!(scheduled(&w, &mine).await, [(60, us(T0 - HOUR)), (30, us(T0 - 30 * MINUTE))]);
    assert_eq!(scheduled(&w, &theirs).await, [(60, us(T0 + HOUR)), (30, us(T0 + 90 * MINUTE))]);
    let defaults = [(24 * 60, us(T0 - 4 * DAY)), (15, us(T0 - 3 * DAY - 15 * MINUTE))];
    assert_eq!(scheduled(&w, &past).await, defaults, "a session already held is not replanned");
    assert_eq!(s.booking_reminders(mine.id).await.unwrap().len(), 4, "the defaults, cancelled, and the new ones");

    // A user who turns reminders off gets none; the other user's stay.
    s.set_user_reminder_preferences(w.users[0], false, None, us(now + 1)).await.unwrap();
    let off = ReminderPreferences { enabled: false, offsets: None, updated_at: us(now + 1) };
    assert_eq!(s.user_reminder_preferences(w.users[0]).await.unwrap(), Some(off));
    assert!(scheduled(&w, &mine).await.is_empty());
    assert_eq!(scheduled(&w, &theirs).await.len(), 2);
    let later = confirmed(&w, 0, T0 + DAY, now + 1).await;
    assert!(s.booking_reminders(later.id).await.unwrap().is_empty(), "confirmed while off");
    // On again, with offsets of their own.
    s.set_user_reminder_preferences(w.users[0], true, Some(vec![120]), us(now + 2)).await.unwrap();
    let on = ReminderPreferences { enabled: true, offsets: Some(vec![120]), updated_at: us(now + 2) };
    assert_eq!(s.user_reminder_preferences(w.users[0]).await.unwrap(), Some(on));
    assert_eq!(scheduled(&w, &mine).await, [(120, us(T0 - 2 * HOUR))]);
    assert_eq!(scheduled(&w, &later).await, [(120, us(T0 + DAY - 2 * HOUR))]);
    // On, at the organization's offsets.
    s.set_user_reminder_preferences(w.users[0], true, None, us(now + 3)).await.unwrap();
    assert_eq!(scheduled(&w, &mine).await, [(60, us(T0 - HOUR)), (30, us(T0 - 30 * MINUTE))]);
    // No offsets at all: no reminders.
    s.set_organization_reminder_offsets(w.org.id, vec![], us(now + 4)).await.unwrap();
    assert_eq!(s.organization_reminder_offsets(w.org.id).await.unwrap(), Some(vec![]));
    assert!(scheduled(&w, &mine).await.is_empty() && scheduled(&w, &theirs).await.is_empty());
}

pub async fn due_reminders_are_sent_once(backend: Backend) {
    let w = world(backend, 2).await;
    let s = &w.f.store;
    let a = confirmed(&w, 0, T0, T0 - 2 * DAY).await;
    let b = confirmed(&w, 1, T0 + HOUR, T0 - 2 * DAY).await;
    let day = 24 * 60;
    assert_eq!(due(&w, T0 - DAY, 10).await, [(a.id, day)]);
    assert_eq!(due(&w, T0 - 15 * MINUTE, 10).await, [(a.id, day), (b.id, day), (a.id, 15)], "earliest first");
    assert_eq!(due(&w, T0 - 15 * MINUTE, 2).await, [(a.id, day), (b.id, day)], "limited");

    let first = s.due_reminders(us(T0 - DAY), 10).await.unwrap().remove(0);
    let sent_at = T0 - DAY + MINUTE;
    assert!(s.send_reminder(first.reminder.id, reminder_event(&w, &a, day), us(sent_at)).await.unwrap());
    let events = reminder_events(&w).await;
    assert_eq!(events.len(), 1);
    assert_eq!((events[0].organization_id, events[0].created_at), (Some(w.org.id), us(sent_at)));
    let payload: serde_json::Value = serde_json::from_str(&events[0].payload).unwrap();
    assert_eq!(payload, serde_json::json!({"bookingRowId": a.id.get(), "minutesBefore": day}));
    // Another instance sending it too: refused, nothing written.
    assert!(!s.send_reminder(first.reminder.id, reminder_event(&w, &a, day), us(sent_at + 1)).await.unwrap());
    assert_eq!(reminder_events(&w).await.len(), 1);
    let stored = s.booking_reminders(a.id).await.unwrap().remove(0);
    assert_eq!(
        (stored.id, stored.status, stored.sent_at),
        (first.reminder.id, ReminderStatus::Sent, Some(us(sent_at)))
    );
    assert_eq!(due(&w, T0 - 15 * MINUTE, 10).await, [(b.id, day), (a.id, 15)], "sent: no longer due");
}

pub async fn a_reminder_of_a_booking_changed_meanwhile_is_not_sent(backend: Backend) {
    let w = world(backend, 2).await;
    let s = &w.f.store;
    let a = confirmed(&w, 0, T0, T0 - 2 * DAY).await;
    let b = confirmed(&w, 1, T0 + HOUR, T0 - 2 * DAY).await;
    let now = T0 - DAY + HOUR;
    let read = s.due_reminders(us(now), 10).await.unwrap();
    assert_eq!(read.iter().map(|d| d.booking.id).collect::<Vec<_>>(), [a.id, b.id]);
    // After the pass read them: one booking cancelled, the other moved.
    cancel(&w, &a, now + 1).await;
    reschedule(&w, &b, T0 + 3 * DAY, now + 2).await;
    for d in &read {
        let event = reminder_event(&w, &d.booking, 24 * 60);
        assert!(!s.send_reminder(d.reminder.id, event, us(now + 3)).await.unwrap(), "{:?}", d.booking.id);
    }
    assert!(reminder_events(&w).await.is_empty(), "nothing written");
    for b in [&a, &b] {
        let reminder = s.booking_reminders(b.id).await.unwrap().remove(0);
        assert_eq!((reminder.status, reminder.sent_at), (ReminderStatus::Cancelled, None));
    }
}

/// A reminder sent is not planned again when its booking is replanned for the same session,
/// even by an instance whose clock is behind (to which the reminder is not due yet).
pub async fn a_sent_reminder_is_not_planned_again(backend: Backend) {
    let w = world(backend, 1).await;
    let s = &w.f.store;
    let a = confirmed(&w, 0, T0, T0 - 2 * DAY).await;
    let before = s.booking_reminders(a.id).await.unwrap();
    let first = s.due_reminders(us(T0 - DAY), 10).await.unwrap().remove(0).reminder;
    assert!(s.send_reminder(first.id, reminder_event(&w, &a, 24 * 60), us(T0 - DAY)).await.unwrap());
    // The organization's offsets set to the defaults, a minute earlier by that clock.
    s.set_organization_reminder_offsets(w.org.id, vec![24 * 60, 15], us(T0 - DAY - MINUTE)).await.unwrap();
    let after = s.booking_reminders(a.id).await.unwrap();
    assert_eq!(after.len(), 2, "no new row");
    assert_eq!((after[0].id, after[0].status, after[0].sent_at), (first.id, ReminderStatus::Sent, Some(us(T0 - DAY))));
    assert_eq!(after[1], before[1], "the other one, scheduled as before");
    assert_eq!(due(&w, T0 - DAY, 10).await, [], "not due again");
    // Moved away and back, by that clock too: still sent once.
    reschedule(&w, &a, T0 + DAY, T0 - DAY - MINUTE + 1).await;
    reschedule(&w, &a, T0, T0 - DAY - MINUTE + 2).await;
    let first_again = s.booking_reminders(a.id).await.unwrap().remove(0);
    assert_eq!((first_again.id, first_again.status), (first.id, ReminderStatus::Sent));
    assert_eq!(due(&w, T0 - DAY, 10).await, []);
    assert_eq!(reminder_events(&w).await.len(), 1);
}
