//! One provider's bookable slots for one day (issue 12, micro-benchmark): the work search does for
//! every provider it shows. A weekday of two windows in Riyadh, 50-minute sessions, a 10-minute
//! buffer, four bookings that day, asked from New York; and the same on a DST-change day in the
//! provider's zone (New York, 2026-11-01).

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use jiff::Timestamp;
use jiff::civil::{Date, Weekday, date};
use jiff::tz::TimeZone;
use tahoon_domain::availability::{BookingPolicy, Interval, LocalWindow, Schedule, SlotRequest, WeeklyRule, slots};

fn weekly() -> Vec<WeeklyRule> {
    let windows = [(9 * 60, 13 * 60), (14 * 60, 20 * 60)];
    [Weekday::Sunday, Weekday::Monday, Weekday::Tuesday, Weekday::Wednesday, Weekday::Thursday]
        .into_iter()
        .flat_map(|weekday| {
            windows
                .iter()
                .map(move |&(start, end)| WeeklyRule { weekday, window: LocalWindow::new(start, end).unwrap() })
        })
        .collect()
}

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn busy(day: &str) -> Vec<Interval> {
    ["07:00", "08:00", "12:00", "15:00"]
        .iter()
        .map(|hm| Interval { start: at(&format!("{day}T{hm}:00Z")), end: at(&format!("{day}T{hm}:00Z")) })
        .map(|i| Interval { start: i.start, end: i.start.checked_add(jiff::SignedDuration::from_mins(60)).unwrap() })
        .collect()
}

fn bench_day(c: &mut Criterion, name: &str, provider_zone: &str, day: Date, busy_day: &str) {
    let zone = TimeZone::get(provider_zone).unwrap();
    let caller = TimeZone::get("America/New_York").unwrap();
    let weekly = weekly();
    let policy = BookingPolicy { min_notice_minutes: 120, horizon_days: 84, buffer_minutes: 10 };
    let schedule = Schedule { zone: &zone, weekly: &weekly, exceptions: &[], policy, slot_minutes: 50 };
    let provider_busy = busy(busy_day);
    let request = SlotRequest {
        date: day,
        caller_zone: &caller,
        now: at("2026-10-25T06:00:00Z"),
        provider_busy: &provider_busy,
        caller_busy: &[],
    };
    assert!(!slots(&schedule, &request).is_empty(), "{name}: the day has slots");
    c.bench_function(name, |b| b.iter(|| slots(black_box(&schedule), black_box(&request))));
}

fn one_provider_one_day(c: &mut Criterion) {
    bench_day(
        c,
        "slots/one provider, one day (Riyadh, asked from New York)",
        "Asia/Riyadh",
        date(2026, 10, 27),
        "2026-10-27",
    );
    bench_day(c, "slots/one provider, DST-change day (New York)", "America/New_York", date(2026, 11, 1), "2026-11-01");
}

criterion_group!(benches, one_provider_one_day);
criterion_main!(benches);
