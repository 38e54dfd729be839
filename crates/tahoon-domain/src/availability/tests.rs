use super::*;
use jiff::civil::date;
use proptest::prelude::*;

fn zone(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap()
}

fn rule(weekday: Weekday, start: &str, end: &str) -> WeeklyRule {
    WeeklyRule { weekday, window: LocalWindow::new(parse_clock(start).unwrap(), parse_clock(end).unwrap()).unwrap() }
}

fn ts(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn open_policy() -> BookingPolicy {
    BookingPolicy { min_notice_minutes: 0, horizon_days: 3650, buffer_minutes: 0 }
}

/// Slots as "local start–local end" in `caller`, for readable assertions.
fn local(slots: &[Interval], caller: &TimeZone) -> Vec<String> {
    slots
        .iter()
        .map(|s| {
            let a = caller.to_datetime(s.start);
            let b = caller.to_datetime(s.end);
            format!("{} {}-{}", a.date(), a.time().strftime("%H:%M"), b.time().strftime("%H:%M"))
        })
        .collect()
}

fn compute(provider_zone: &str, weekly: &[WeeklyRule], day: Date, caller: &TimeZone, minutes: u16) -> Vec<Interval> {
    let z = zone(provider_zone);
    let schedule = Schedule { zone: &z, weekly, exceptions: &[], policy: open_policy(), slot_minutes: minutes };
    let request = SlotRequest {
        date: day,
        caller_zone: caller,
        now: ts("2020-01-01T00:00:00Z"),
        provider_busy: &[],
        caller_busy: &[],
    };
    slots(&schedule, &request)
}

#[test]
fn riyadh_provider_riyadh_caller() {
    let riyadh = zone("Asia/Riyadh");
    let got = compute("Asia/Riyadh", &[rule(Weekday::Monday, "09:00", "12:00")], date(2026, 11, 30), &riyadh, 60);
    assert_eq!(local(&got, &riyadh), ["2026-11-30 09:00-10:00", "2026-11-30 10:00-11:00", "2026-11-30 11:00-12:00"]);
    assert_eq!(got[0].start, ts("2026-11-30T06:00:00Z"));
}

#[test]
fn kolkata_caller_sees_half_hour_offset() {
    let kolkata = zone("Asia/Kolkata");
    let got = compute("Asia/Riyadh", &[rule(Weekday::Monday, "09:00", "11:00")], date(2026, 11, 30), &kolkata, 60);
    assert_eq!(local(&got, &kolkata), ["2026-11-30 11:30-12:30", "2026-11-30 12:30-13:30"]);
    // A +05:45 zone shows quarter hours.
    let kathmandu = zone("Asia/Kathmandu");
    let got = compute("Asia/Riyadh", &[rule(Weekday::Monday, "09:00", "10:00")], date(2026, 11, 30), &kathmandu, 60);
    assert_eq!(local(&got, &kathmandu), ["2026-11-30 11:45-12:45"]);
}

#[test]
fn new_york_spring_forward_day_has_real_hours() {
    // 2026-03-08: 02:00 EST jumps to 03:00 EDT. A 00:00–05:00 window is four real hours.
    let ny = zone("America/New_York");
    let got = compute("America/New_York", &[rule(Weekday::Sunday, "00:00", "05:00")], date(2026, 3, 8), &ny, 60);
    assert_eq!(
        local(&got, &ny),
        ["2026-03-08 00:00-01:00", "2026-03-08 01:00-03:00", "2026-03-08 03:00-04:00", "2026-03-08 04:00-05:00"]
    );
    assert!(got.iter().all(|s| s.end.duration_since(s.start) == SignedDuration::from_hours(1)));
    assert_eq!(got[0].start, ts("2026-03-08T05:00:00Z"));
    assert_eq!(got[3].end, ts("2026-03-08T09:00:00Z"));
}

#[test]
fn new_york_fall_back_day_repeats_an_hour() {
    // 2026-11-01: 02:00 EDT falls back to 01:00 EST. A 00:00–03:00 window is four real hours.
    let ny = zone("America/New_York");
    let got = compute("America/New_York", &[rule(Weekday::Sunday, "00:00", "03:00")], date(2026, 11, 1), &ny, 60);
    assert_eq!(
        local(&got, &ny),
        ["2026-11-01 00:00-01:00", "2026-11-01 01:00-01:00", "2026-11-01 01:00-02:00", "2026-11-01 02:00-03:00"]
    );
    assert_eq!(got[1].start, ts("2026-11-01T05:00:00Z"));
    assert_eq!(got[2].start, ts("2026-11-01T06:00:00Z"));
}

#[test]
fn london_clocks_go_forward() {
    // 2026-03-29: 01:00 GMT jumps to 02:00 BST.
    let london = zone("Europe/London");
    let got = compute("Europe/London", &[rule(Weekday::Sunday, "00:00", "03:00")], date(2026, 3, 29), &london, 60);
    assert_eq!(local(&got, &london), ["2026-03-29 00:00-02:00", "2026-03-29 02:00-03:00"]);
    // An ordinary winter day in London is UTC.
    let got = compute("Europe/London", &[rule(Weekday::Monday, "09:00", "10:00")], date(2026, 12, 7), &london, 60);
    assert_eq!(got[0].start, ts("2026-12-07T09:00:00Z"));
}

#[test]
fn caller_day_spans_two_provider_days() {
    // A New York provider working 20:00–24:00 Sunday and 00:00–02:00 Monday, seen from Riyadh
    // (+3, 8 hours ahead in winter): Monday 04:00–10:00 Riyadh.
    let riyadh = zone("Asia/Riyadh");
    let weekly = [rule(Weekday::Sunday, "20:00", "24:00"), rule(Weekday::Monday, "00:00", "02:00")];
    let got = compute("America/New_York", &weekly, date(2026, 12, 7), &riyadh, 60);
    assert_eq!(local(&got, &riyadh).first().unwrap(), "2026-12-07 04:00-05:00");
    assert_eq!(got.len(), 6);
}

#[test]
fn fixed_offset_caller() {
    let plus3 = crate::time_zone::from_offset_hours(3.0).unwrap();
    let got = compute("Asia/Riyadh", &[rule(Weekday::Monday, "09:00", "10:00")], date(2026, 11, 30), &plus3, 30);
    assert_eq!(local(&got, &plus3), ["2026-11-30 09:00-09:30", "2026-11-30 09:30-10:00"]);
}

#[test]
fn notice_horizon_buffer_bookings_and_exceptions() {
    let riyadh = zone("Asia/Riyadh");
    let weekly = [rule(Weekday::Monday, "09:00", "17:00")];
    let day = date(2026, 11, 30);
    let exceptions = [
        DatedException {
            date: day,
            kind: ExceptionKind::TimeOff,
            window: LocalWindow::new(parse_clock("12:00").unwrap(), parse_clock("13:00").unwrap()).unwrap(),
        },
        DatedException {
            date: day,
            kind: ExceptionKind::ExtraHours,
            window: LocalWindow::new(parse_clock("18:00").unwrap(), parse_clock("19:00").unwrap()).unwrap(),
        },
    ];
    let policy = BookingPolicy { min_notice_minutes: 120, horizon_days: 30, buffer_minutes: 15 };
    let schedule = Schedule { zone: &riyadh, weekly: &weekly, exceptions: &exceptions, policy, slot_minutes: 60 };
    // Now is 08:00 Riyadh: with 2 h notice the first slot is 10:00.
    let booked = Interval { start: ts("2026-11-30T11:00:00Z"), end: ts("2026-11-30T12:00:00Z") }; // 14:00–15:00
    // The booking holds its time plus the buffer after it: 14:00–15:15.
    let booked = [policy.held(booked).unwrap()];
    assert_eq!(booked[0].end, ts("2026-11-30T12:15:00Z"));
    let mine = [Interval { start: ts("2026-11-30T13:30:00Z"), end: ts("2026-11-30T14:00:00Z") }]; // 16:30–17:00
    let request = SlotRequest {
        date: day,
        caller_zone: &riyadh,
        now: ts("2026-11-30T05:00:00Z"),
        provider_busy: &booked,
        caller_busy: &mine,
    };
    assert_eq!(
        local(&slots(&schedule, &request), &riyadh),
        // 12:00 off; 13:00 and 15:00 fall in the 15-minute buffer of the 14:00 booking; 16:00
        // overlaps the caller's own session; 18:00 is extra hours.
        ["2026-11-30 10:00-11:00", "2026-11-30 11:00-12:00", "2026-11-30 18:00-19:00"]
    );
    // Beyond the horizon nothing is offered.
    let far = SlotRequest { date: date(2027, 2, 1), ..request.clone() };
    assert!(slots(&schedule, &far).is_empty());
    // A whole day off.
    let off = [DatedException { date: day, kind: ExceptionKind::TimeOff, window: LocalWindow::whole_day() }];
    let schedule = Schedule { exceptions: &off, ..schedule };
    assert!(slots(&schedule, &request).is_empty());
}

#[test]
fn windows_merge_and_split() {
    let day = date(2026, 11, 30);
    let weekly = [rule(Weekday::Monday, "09:00", "12:00"), rule(Weekday::Monday, "11:00", "14:00")];
    let off = [DatedException { date: day, kind: ExceptionKind::TimeOff, window: LocalWindow::new(600, 660).unwrap() }];
    let got: Vec<_> = open_windows(day, &weekly, &off).iter().map(|w| (w.start(), w.end())).collect();
    assert_eq!(got, [(540, 600), (660, 840)]);
}

#[test]
fn clock_parsing() {
    assert_eq!(parse_clock("09:30"), Ok(570));
    assert_eq!(parse_clock("24:00"), Ok(1440));
    assert_eq!(parse_clock("10:00:00"), Ok(600));
    for bad in ["9:30", "24:01", "12:60", "10:00:30", "ab:cd", ""] {
        assert_eq!(parse_clock(bad), Err(AvailabilityError::BadTime), "{bad}");
    }
    assert_eq!(format_clock(570), "09:30");
    assert!(weekday_from_number(0).is_err() && weekday_from_number(8).is_err());
    assert_eq!(weekday_from_number(7), Ok(Weekday::Sunday));
}

const ZONES: &[&str] =
    &["Asia/Riyadh", "Asia/Dubai", "Asia/Kolkata", "Asia/Kathmandu", "Europe/London", "America/New_York", "UTC"];

fn arb_window() -> impl Strategy<Value = LocalWindow> {
    (0u16..96, 1u16..40).prop_map(|(start, len)| {
        let start = start * 15;
        LocalWindow::new(start, (start + len * 15).min(MINUTES_PER_DAY)).unwrap()
    })
}

fn arb_rules() -> impl Strategy<Value = Vec<WeeklyRule>> {
    proptest::collection::vec(
        (1i64..=7, arb_window()).prop_map(|(d, w)| WeeklyRule { weekday: weekday_from_number(d).unwrap(), window: w }),
        0..8,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn slot_invariants(
        rules in arb_rules(),
        provider_zone in 0..ZONES.len(),
        caller_zone in 0..ZONES.len(),
        day_offset in 0i64..20,
        // Dates around both 2026 DST changes of New York and London.
        season in prop_oneof![Just(date(2026, 3, 1)), Just(date(2026, 10, 20)), Just(date(2026, 6, 1))],
        minutes in prop_oneof![Just(15u16), Just(30), Just(45), Just(60), Just(90)],
        notice in 0u32..600,
        horizon in 1u32..30,
        buffer in 0u32..60,
        bookings in proptest::collection::vec((0i64..(40 * 24 * 4), 1i64..12), 0..6),
        off_window in proptest::option::of(arb_window()),
        now_offset_minutes in 0i64..(10 * 24 * 60),
    ) {
        let pz = zone(ZONES[provider_zone]);
        let cz = zone(ZONES[caller_zone]);
        let day = season.checked_add(jiff::Span::new().days(day_offset)).unwrap();
        let base = pz.to_ambiguous_timestamp(season.to_datetime(jiff::civil::Time::midnight())).compatible().unwrap();
        let now = base.checked_add(SignedDuration::from_mins(now_offset_minutes)).unwrap();
        let busy: Vec<Interval> = bookings
            .iter()
            .map(|(q, len)| {
                let start = base.checked_add(SignedDuration::from_mins(q * 15)).unwrap();
                Interval { start, end: start.checked_add(SignedDuration::from_mins(len * 15)).unwrap() }
            })
            .collect();
        let exceptions: Vec<DatedException> = off_window
            .map(|w| DatedException { date: day, kind: ExceptionKind::TimeOff, window: w })
            .into_iter()
            .collect();
        let policy = BookingPolicy { min_notice_minutes: notice, horizon_days: horizon, buffer_minutes: buffer };
        let schedule = Schedule { zone: &pz, weekly: &rules, exceptions: &exceptions, policy, slot_minutes: minutes };
        let held: Vec<Interval> = busy.iter().map(|b| policy.held(*b).unwrap()).collect();
        let request = SlotRequest { date: day, caller_zone: &cz, now, provider_busy: &held, caller_busy: &[] };
        let got = slots(&schedule, &request);

        // Sorted, no duplicates, no overlaps between slots.
        for pair in got.windows(2) {
            prop_assert!(pair[0].end <= pair[1].start, "sorted and disjoint: {:?}", pair);
        }
        let day_range = day_bounds(day, &cz).unwrap();
        let buffer = SignedDuration::from_mins(i64::from(buffer));
        let open = open_intervals(&schedule, day_range);
        for slot in &got {
            // The requested length, on the caller's date.
            prop_assert_eq!(slot.end.duration_since(slot.start), SignedDuration::from_mins(i64::from(minutes)));
            prop_assert!(slot.start >= day_range.start && slot.start < day_range.end);
            prop_assert_eq!(cz.to_datetime(slot.start).date(), day);
            // Notice and horizon.
            prop_assert!(slot.start >= now.checked_add(SignedDuration::from_mins(i64::from(notice))).unwrap());
            prop_assert!(slot.end <= now.checked_add(SignedDuration::from_hours(24 * i64::from(horizon))).unwrap());
            // No overlap with a booking widened by the buffer on both sides.
            for b in &busy {
                let widened = Interval { start: b.start.checked_sub(buffer).unwrap(), end: b.end.checked_add(buffer).unwrap() };
                prop_assert!(!widened.overlaps(slot), "{:?} overlaps booking {:?}", slot, b);
            }
            // Inside one open window, whose local start is a rule's start on that weekday.
            prop_assert!(open.iter().any(|w| w.start <= slot.start && slot.end <= w.end), "{:?} outside windows", slot);
            let local_start = pz.to_datetime(slot.start);
            let weekday_rules: Vec<_> = rules.iter().filter(|r| r.weekday == local_start.date().weekday()).collect();
            prop_assert!(!weekday_rules.is_empty(), "a rule exists for the slot's local weekday");
            // Not in time off.
            if let Some(off) = off_window
                && local_start.date() == day
            {
                let minute = local_start.time().hour() as u16 * 60 + local_start.time().minute() as u16;
                prop_assert!(minute < off.start() || minute >= off.end(), "slot starts in time off");
            }
        }
    }
}
