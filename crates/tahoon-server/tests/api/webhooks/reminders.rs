//! Reminders before sessions, sent by the reminder pass (`send_due`) as `booking.reminder` events
//! and delivered as webhooks: each once, at its offset; never for a cancelled booking; at the new
//! time for a moved one; none for a user who turned them off; none lost by a restart.

use super::reminder_settings::USER;
use super::*;
use crate::careprovider::soon_plus;
use tahoon_domain::ids::{BookingId, kind};
use tahoon_integrations::testing::webhook_receiver::WebhookReceiver;
use tahoon_server::services::reminders::send_due;
use tahoon_store::ReminderStatus;

fn row(w: &World, booking: &str) -> BookingId {
    w.app.state.ids.decode::<kind::Booking>(booking).unwrap()
}

async fn statuses(w: &World, booking: &str) -> Vec<(i64, ReminderStatus)> {
    let reminders = w.app.state.store.booking_reminders(row(w, booking)).await.unwrap();
    reminders.iter().map(|r| (r.offset_minutes, r.status)).collect()
}

async fn reminders_follow_their_bookings(backend: Backend) {
    let w = world(backend).await;
    let receiver = WebhookReceiver::start().await;
    let endpoint = w.endpoint(receiver.url("/reminders").as_str(), &["booking.reminder"]).await;
    let (me, other) = (w.register("RM-ME").await, w.register("RM-OFF").await);
    let next_day = slots(&w.app, &w.p, &w.provider, &soon_plus(1)).await;

    // A stays; B is cancelled; C moves to the next day; D's user turns reminders off.
    let a = w.book(&me, &w.free[0].0).await["bookingId"].as_str().unwrap().to_string();
    let b = w.book(&me, &w.free[1].0).await["bookingId"].as_str().unwrap().to_string();
    let c = w.book(&me, &w.free[2].0).await["bookingId"].as_str().unwrap().to_string();
    let d = w.book(&other, &next_day[1].0).await["bookingId"].as_str().unwrap().to_string();
    w.cancel(&me, &b).await;
    w.reschedule(&me, &c, &next_day[0].0).await;
    let (status, body) = put(&w.app, &w.p, USER, &json!({"userId": other, "enabled": false})).await;
    assert_eq!(status, 200, "{body}");
    use ReminderStatus::{Cancelled, Scheduled};
    assert_eq!(statuses(&w, &a).await, [(1440, Scheduled), (15, Scheduled)]);
    assert_eq!(statuses(&w, &b).await, [(1440, Cancelled), (15, Cancelled)]);
    assert_eq!(statuses(&w, &d).await, [(1440, Cancelled), (15, Cancelled)]);
    let reminders = w.app.state.store.booking_reminders(row(&w, &c)).await.unwrap();
    let moved_start = w.start_of(&next_day[0].0);
    let planned: Vec<_> = reminders.iter().filter(|r| r.status == Scheduled).map(|r| r.session_start).collect();
    assert_eq!(planned, [moved_start, moved_start], "C's reminders follow it");
    assert_eq!(w.pass().await.enqueued, 0, "nothing yet");

    // Just past 24 hours before A: A's first reminder, once. (B's and C's old ones would be due
    // an hour and two later than A's.)
    let start_a = w.start_of(&w.free[0].0);
    let clock = &w.app.state.clock;
    let second = SignedDuration::from_secs(1);
    clock.set(start_a - SignedDuration::from_hours(24) + second);
    assert_eq!(send_due(&w.app.state).await.unwrap(), 1);
    assert_eq!(send_due(&w.app.state).await.unwrap(), 0, "sent once");
    assert_eq!(w.pass().await, Report { enqueued: 1, succeeded: 1, ..Report::default() });
    assert!(w.pass().await.is_idle());
    let received = receiver.requests();
    assert_eq!(received.len(), 1);
    let body = verified(&received[0], &endpoint.secret);
    assert_eq!(body["type"], "booking.reminder");
    let expected = json!({
        "bookingId": a,
        "userId": me,
        "careProviderId": w.provider,
        "startUtc": start_a.to_string(),
        "endUtc": (start_a + SignedDuration::from_mins(60)).to_string(),
        "status": "Confirmed",
        "offsetMinutes": 1440
    });
    assert_eq!(body["data"], expected);

    // Just past 15 minutes before A: its second. Long past the times B's and C's old reminders
    // had: none of those.
    clock.set(start_a - SignedDuration::from_mins(15) + second);
    assert_eq!(send_due(&w.app.state).await.unwrap(), 1);
    assert_eq!(w.pass().await, Report { enqueued: 1, succeeded: 1, ..Report::default() });
    let body = verified(&receiver.requests()[1], &endpoint.secret);
    assert_eq!(
        (body["data"]["bookingId"].as_str(), body["data"]["offsetMinutes"].as_i64()),
        (Some(a.as_str()), Some(15))
    );
    assert_eq!(statuses(&w, &a).await, [(1440, ReminderStatus::Sent), (15, ReminderStatus::Sent)]);

    // A restart: a new process on the same database finds C's reminders, at C's new time.
    let restarted = AppState::with_clock(
        tahoon_store::open(&w.app._db_url()).await.unwrap(),
        test_config(),
        w.app.state.clock.clone(),
    );
    clock.set(moved_start - SignedDuration::from_hours(24) + second);
    assert_eq!(send_due(&restarted).await.unwrap(), 1);
    clock.set(moved_start - SignedDuration::from_mins(15) + second);
    assert_eq!(send_due(&restarted).await.unwrap(), 1);
    assert_eq!(pass(&restarted).await, Report { enqueued: 2, succeeded: 2, ..Report::default() });
    // D's times pass: nothing, its user turned reminders off.
    let start_d = w.start_of(&next_day[1].0);
    clock.set(start_d - SignedDuration::from_mins(15) + second);
    assert_eq!(send_due(&restarted).await.unwrap(), 0);
    assert_eq!(send_due(&w.app.state).await.unwrap(), 0);
    assert!(pass(&restarted).await.is_idle());

    let mut seen: Vec<(String, String, i64)> = receiver
        .requests()
        .iter()
        .map(|r| {
            let data = verified(r, &endpoint.secret)["data"].clone();
            let booking = data["bookingId"].as_str().unwrap().to_string();
            (booking, data["startUtc"].as_str().unwrap().to_string(), data["offsetMinutes"].as_i64().unwrap())
        })
        .collect();
    seen.sort_by_key(|(_, start, offset)| (start.clone(), -offset));
    let (a_start, c_start) = (start_a.to_string(), moved_start.to_string());
    assert_eq!(
        seen,
        [
            (a.clone(), a_start.clone(), 1440),
            (a.clone(), a_start, 15),
            (c.clone(), c_start.clone(), 1440),
            (c.clone(), c_start, 15)
        ]
    );
    assert_eq!(receiver.webhook_ids().len(), 4);
}

/// The organization's new offsets replan its upcoming sessions' reminders; a session booked less
/// than an offset ahead skips that offset rather than sending it late.
async fn new_offsets_replan_and_past_offsets_are_skipped(backend: Backend) {
    let mut w = world(backend).await;
    let receiver = WebhookReceiver::start().await;
    let endpoint = w.endpoint(receiver.url("/reminders").as_str(), &["booking.reminder"]).await;
    let me = w.register("RM-REPLAN").await;
    let a = w.book(&me, &w.free[0].0).await["bookingId"].as_str().unwrap().to_string();
    let (status, body) =
        put(&w.app, &w.p, super::reminder_settings::ORGANIZATION, &json!({"offsetsMinutes": [30, 120]})).await;
    assert_eq!(status, 200, "{body}");
    use ReminderStatus::{Cancelled, Scheduled};
    assert_eq!(statuses(&w, &a).await, [(1440, Cancelled), (120, Scheduled), (30, Scheduled), (15, Cancelled)]);

    let (start_a, start_b) = (w.start_of(&w.free[0].0), w.start_of(&w.free[2].0));
    let clock = w.app.state.clock.clone();
    let second = SignedDuration::from_secs(1);
    clock.set(start_a - SignedDuration::from_mins(120) + second);
    assert_eq!(send_due(&w.app.state).await.unwrap(), 1);
    clock.set(start_a - SignedDuration::from_mins(30) + second);
    assert_eq!(send_due(&w.app.state).await.unwrap(), 1);

    // Booked 90 minutes ahead: its 120-minute reminder's time has passed, and is skipped.
    clock.set(start_b - SignedDuration::from_mins(90));
    w.retoken().await;
    let b = w.book(&me, &w.free[2].0).await["bookingId"].as_str().unwrap().to_string();
    assert_eq!(statuses(&w, &b).await, [(30, Scheduled)]);
    assert_eq!(send_due(&w.app.state).await.unwrap(), 0);
    clock.set(start_b - SignedDuration::from_mins(30) + second);
    assert_eq!(send_due(&w.app.state).await.unwrap(), 1);
    assert_eq!(w.pass().await, Report { enqueued: 3, succeeded: 3, ..Report::default() });

    let mut seen: Vec<(String, i64)> = receiver
        .requests()
        .iter()
        .map(|r| {
            let data = verified(r, &endpoint.secret)["data"].clone();
            (data["bookingId"].as_str().unwrap().to_string(), data["offsetMinutes"].as_i64().unwrap())
        })
        .collect();
    seen.sort();
    let mut expected = vec![(a.clone(), 120), (a, 30), (b, 30)];
    expected.sort();
    assert_eq!(seen, expected);
}

tahoon_store::backend_tests!(reminders_follow_their_bookings, new_offsets_replan_and_past_offsets_are_skipped);
