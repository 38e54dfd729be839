//! The index against the rule it replaces: filter every provider, compute every provider's slots
//! with `availability::slots`, sort (first slot, then rating, then id) and page.

use super::*;
use crate::availability::{BookingPolicy, Interval, LocalWindow, SlotRequest, WeeklyRule, day_bounds, slots};
use crate::ids::{CareProviderId, Id, UserId};
use crate::provider::{CareProvider, Gender, ProviderFilter, SessionRate};
use jiff::civil::{Date, Weekday, date};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

const ZONES: &[&str] = &[
    "UTC",
    "Asia/Riyadh",
    "Europe/London",
    "America/New_York",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "Pacific/Kiritimati",
    "America/Santiago",
];
const TODAY: Date = date(2026, 3, 25);

#[derive(Debug, Clone)]
struct ProviderSpec {
    zone: usize,
    windows: Vec<(u8, u16, u16)>,
    slot: u16,
    buffer: u32,
    notice: u32,
    horizon: u32,
    rating: u8,
    male: bool,
    languages: Vec<i64>,
    level: Option<i64>,
    price: i64,
    active: bool,
}

fn provider_spec() -> impl Strategy<Value = ProviderSpec> {
    (
        (0..ZONES.len(), proptest::collection::vec((1u8..=7, 0u16..24, 1u16..10), 1..4)),
        (prop::sample::select(vec![30u16, 45, 50, 60, 90]), prop::sample::select(vec![0u32, 10, 15])),
        (prop::sample::select(vec![0u32, 60, 1440]), 1u32..30, 0u8..4, any::<bool>()),
        (proptest::collection::vec(1i64..5, 0..3), proptest::option::of(1i64..3), 0i64..5, prop::bool::weighted(0.9)),
    )
        .prop_map(
            |((zone, windows), (slot, buffer), (notice, horizon, rating, male), (languages, level, price, active))| {
                let windows =
                    windows.into_iter().map(|(d, h, len)| (d, h * 60, (h * 60 + len * 60).min(1440))).collect();
                ProviderSpec {
                    zone,
                    windows,
                    slot,
                    buffer,
                    notice,
                    horizon,
                    rating,
                    male,
                    languages,
                    level,
                    price,
                    active,
                }
            },
        )
}

fn provider(id: i64, s: &ProviderSpec) -> CareProvider {
    CareProvider {
        id: Id::new(id),
        external_id: format!("p{id}"),
        names: Default::default(),
        gender: if s.male { Gender::Male } else { Gender::Female },
        experience_years: 1,
        experience_level_id: s.level,
        provider_level_id: None,
        language_ids: s.languages.clone(),
        specialty_ids: vec![],
        rates: vec![SessionRate { duration_minutes: s.slot, price_minor: s.price * 100, currency: "SAR".into() }],
        bio: Default::default(),
        education: vec![],
        certifications: vec![],
        profile_image_url: None,
        rating: f64::from(s.rating),
        review_count: 0,
        time_zone: ZONES[s.zone].into(),
        active: s.active,
        policy: BookingPolicy { min_notice_minutes: s.notice, horizon_days: s.horizon, buffer_minutes: s.buffer },
        weekly: s
            .windows
            .iter()
            .map(|&(d, start, end)| WeeklyRule {
                weekday: Weekday::from_monday_one_offset(d as i8).unwrap(),
                window: LocalWindow::new(start, end).unwrap(),
            })
            .collect(),
        exceptions: vec![],
    }
}

/// Books some of each provider's free slots for users 1–3 (never two overlapping for one user).
fn bookings(providers: &[CareProvider], picks: &[(usize, usize, i64)]) -> Vec<Booked> {
    let index = DirectoryIndex::build(providers.to_vec(), vec![], TODAY);
    let mut out: Vec<Booked> = Vec::new();
    for &(p, n, user) in picks {
        let Some(listed) = providers.get(p % providers.len().max(1)).and_then(|p| index.provider(p.id)) else {
            continue;
        };
        let free = listed.free_in(index.coverage());
        let Some(&slot) = free.get(n % free.len().max(1)) else { continue };
        let held = listed.provider.policy.held(slot).unwrap();
        let user_id: UserId = Id::new(user);
        let clash = out.iter().any(|b| {
            (b.provider_id == listed.provider.id && b.held.overlaps(&held))
                || (b.user_id == user_id && b.interval.overlaps(&slot))
        });
        if !clash {
            out.push(Booked { provider_id: listed.provider.id, user_id, interval: slot, held });
        }
    }
    out
}

/// The rule as it was: everything computed, sorted, paged.
fn reference(
    providers: &[CareProvider],
    booked: &[Booked],
    q: &Query<'_>,
) -> (Vec<(CareProviderId, Vec<Interval>)>, usize) {
    let mut days: Vec<(&CareProvider, Vec<Interval>)> = providers
        .iter()
        .filter(|p| q.filter.matches(p))
        .map(|p| {
            let held: Vec<Interval> = booked.iter().filter(|b| b.provider_id == p.id).map(|b| b.held).collect();
            let found = TimeZone::get(&p.time_zone).ok().and_then(|zone| {
                let schedule = p.schedule(&zone)?;
                let request = SlotRequest {
                    date: q.date,
                    caller_zone: q.zone,
                    now: q.now,
                    provider_busy: &held,
                    caller_busy: q.caller_busy,
                };
                Some(slots(&schedule, &request))
            });
            (p, found.unwrap_or_default())
        })
        .collect();
    days.sort_by(|a, b| {
        let first = |d: &(&CareProvider, Vec<Interval>)| d.1.first().map(|s| s.start);
        match (first(a), first(b)) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        }
        .then(b.0.rating.total_cmp(&a.0.rating))
        .then(a.0.id.cmp(&b.0.id))
    });
    let total = days.len();
    (days.into_iter().skip(q.offset).take(q.limit).map(|(p, s)| (p.id, s)).collect(), total)
}

fn shown(page: &Page) -> Vec<(CareProviderId, Vec<Interval>)> {
    page.providers.iter().map(|f| (f.provider.id, f.slots.clone())).collect()
}

#[derive(Debug, Clone)]
struct QuerySpec {
    day: i64,
    zone: usize,
    minute: i64,
    language: Option<i64>,
    male: Option<bool>,
    max_price: Option<i64>,
    user: i64,
    offset: usize,
    limit: usize,
}

fn query_spec() -> impl Strategy<Value = QuerySpec> {
    (
        (0i64..35, 0..ZONES.len(), 0i64..2880),
        (proptest::option::of(1i64..5), proptest::option::of(any::<bool>()), proptest::option::of(0i64..500)),
        (0i64..4, 0usize..6, 1usize..8),
    )
        .prop_map(|((day, zone, minute), (language, male, max_price), (user, offset, limit))| QuerySpec {
            day,
            zone,
            minute,
            language,
            male,
            max_price,
            user,
            offset,
            limit,
        })
}

fn filter_of(q: &QuerySpec) -> ProviderFilter {
    ProviderFilter {
        gender: q.male.map(|m| if m { Gender::Male } else { Gender::Female }),
        language_ids: q.language.into_iter().collect(),
        max_price_minor: q.max_price,
        ..Default::default()
    }
}

fn check(
    index: &DirectoryIndex,
    providers: &[CareProvider],
    booked: &[Booked],
    spec: &QuerySpec,
) -> Result<(), TestCaseError> {
    let zone = TimeZone::get(ZONES[spec.zone]).unwrap();
    let date = TODAY.checked_add(SignedDuration::from_hours(24 * spec.day)).unwrap();
    let now = day_bounds(TODAY, &TimeZone::UTC).unwrap().start + SignedDuration::from_mins(spec.minute);
    let filter = filter_of(spec);
    let user: UserId = Id::new(spec.user);
    let q = Query {
        date,
        zone: &zone,
        now,
        filter: &filter,
        caller_busy: &index.user_busy(user),
        offset: spec.offset,
        limit: spec.limit,
    };
    let (expected, total) = reference(providers, booked, &q);
    for strategy in [SearchPlan::Scan, SearchPlan::EachMatch, SearchPlan::Choose] {
        let page = index.search_with(&q, strategy);
        prop_assert_eq!(page.total, total, "{:?}", strategy);
        prop_assert_eq!(&shown(&page), &expected, "{:?}", strategy);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn a_search_gives_what_computing_every_provider_gives(
        specs in proptest::collection::vec(provider_spec(), 0..12),
        picks in proptest::collection::vec((0usize..12, 0usize..400, 1i64..4), 0..30),
        queries in proptest::collection::vec(query_spec(), 1..6),
    ) {
        let providers: Vec<CareProvider> = specs.iter().enumerate().map(|(i, s)| provider(i as i64 + 1, s)).collect();
        let booked = bookings(&providers, &picks);
        let index = DirectoryIndex::build(providers.clone(), booked.clone(), TODAY);
        for q in &queries {
            check(&index, &providers, &booked, q)?;
        }
    }

    /// Changes applied in place (bookings made and cancelled, availability replaced, a provider
    /// deactivated) and days moved forward leave the index as a fresh build would be.
    #[test]
    fn changes_applied_in_place_match_a_fresh_build(
        specs in proptest::collection::vec(provider_spec(), 1..8),
        picks in proptest::collection::vec((0usize..8, 0usize..400, 1i64..4), 0..20),
        later in proptest::collection::vec((0usize..8, 0usize..400, 1i64..4), 0..20),
        replaced in proptest::collection::vec((0usize..8, provider_spec()), 0..3),
        advance in 0i64..3,
        queries in proptest::collection::vec(query_spec(), 1..4),
    ) {
        let mut providers: Vec<CareProvider> = specs.iter().enumerate().map(|(i, s)| provider(i as i64 + 1, s)).collect();
        let before = bookings(&providers, &picks);
        let mut index = DirectoryIndex::build(providers.clone(), before, TODAY);
        // New availability, policy and attributes, the rating kept (so it applies in place).
        for (p, spec) in &replaced {
            let at = p % providers.len();
            let mut changed = provider(providers[at].id.get(), spec);
            changed.rating = providers[at].rating;
            providers[at] = changed.clone();
            let change = ProviderChange { id: changed.id, provider: Some(Some(changed)), bookings: None };
            prop_assert!(!index.needs_reranking(std::slice::from_ref(&change)));
            index.apply(change);
        }
        let after = bookings(&providers, &later);
        for p in &providers {
            let own: Vec<Booked> = after.iter().filter(|b| b.provider_id == p.id).copied().collect();
            index.apply(ProviderChange { id: p.id, provider: None, bookings: Some(own) });
        }
        let today = TODAY.checked_add(SignedDuration::from_hours(24 * advance)).unwrap();
        index.advance(today);
        let fresh = DirectoryIndex::build(providers.clone(), after.clone(), today);
        // In place, the held days never shrink (a horizon shortened keeps its days held).
        prop_assert_eq!(index.coverage().start, fresh.coverage().start);
        prop_assert!(index.coverage().end >= fresh.coverage().end);
        prop_assert_eq!(index.days.iter().take(fresh.days.len()).collect::<Vec<_>>(), fresh.days.iter().collect::<Vec<_>>());
        for q in &queries {
            check(&index, &providers, &after, q)?;
        }
    }
}

#[test]
fn a_new_rating_or_a_new_provider_reranks() {
    let spec = ProviderSpec {
        zone: 1,
        windows: vec![(3, 540, 720)],
        slot: 60,
        buffer: 0,
        notice: 0,
        horizon: 30,
        rating: 3,
        male: false,
        languages: vec![1],
        level: None,
        price: 1,
        active: true,
    };
    let (a, b) = (provider(1, &spec), provider(2, &spec));
    let index = DirectoryIndex::build(vec![a.clone(), b.clone()], vec![], TODAY);
    let mut rated = b.clone();
    rated.rating = 5.0;
    let change = ProviderChange { id: b.id, provider: Some(Some(rated)), bookings: None };
    assert!(index.needs_reranking(std::slice::from_ref(&change)));
    let rebuilt = index.rebuilt(vec![change], TODAY);
    assert_eq!(rebuilt.listed[0].provider.id, b.id, "the better rated first");
    let added = ProviderChange { id: Id::new(3), provider: Some(Some(provider(3, &spec))), bookings: Some(vec![]) };
    assert!(index.needs_reranking(std::slice::from_ref(&added)));
    assert_eq!(index.rebuilt(vec![added], TODAY).len(), 3);
    let unknown_bookings = ProviderChange { id: Id::new(9), provider: None, bookings: Some(vec![]) };
    assert!(!index.needs_reranking(std::slice::from_ref(&unknown_bookings)));
}

#[test]
fn days_past_the_coverage_are_computed_per_request() {
    let spec = ProviderSpec {
        zone: 0,
        windows: (1..=7).map(|d| (d, 540, 720)).collect(),
        slot: 60,
        buffer: 0,
        notice: 0,
        horizon: 400,
        rating: 3,
        male: false,
        languages: vec![],
        level: None,
        price: 1,
        active: true,
    };
    let p = provider(1, &spec);
    let index = DirectoryIndex::build(vec![p.clone()], vec![], TODAY);
    assert_eq!(
        index.coverage().end,
        day_bounds(TODAY, &TimeZone::UTC).unwrap().start + SignedDuration::from_hours(24 * MAX_COVERAGE_DAYS)
    );
    let filter = ProviderFilter::default();
    let far = TODAY.checked_add(SignedDuration::from_hours(24 * 300)).unwrap();
    let now = Timestamp::from_second(day_bounds(TODAY, &TimeZone::UTC).unwrap().start.as_second()).unwrap();
    let q = Query { date: far, zone: &TimeZone::UTC, now, filter: &filter, caller_busy: &[], offset: 0, limit: 5 };
    let page = index.search(&q);
    assert_eq!(page.providers.len(), 1);
    assert_eq!(page.providers[0].slots.len(), 3, "09:00, 10:00, 11:00 that far ahead too");
}
