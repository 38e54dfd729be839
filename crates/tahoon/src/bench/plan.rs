//! The benchmark's data, the same for the same seed: providers across ten time zones, a catalogue
//! of 10 languages and 30 specialties, and 25 bookings per provider clustered at popular hours.

use crate::demo_data::Rng;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use std::collections::HashMap;
use tahoon_domain::availability::{Interval, free_slots};
use tahoon_domain::catalogue::{CatalogueItem, CatalogueKind};
use tahoon_domain::provider::CareProvider;
use tahoon_server::services::providers::{AvailabilityInput, ProviderInput, SessionRateInput, WeeklyWindowInput};

pub const ORGANIZATIONS: usize = 50;
pub const BOOKINGS_PER_PROVIDER: usize = 25;
/// Twelve weeks.
pub const HORIZON_DAYS: u32 = 84;

/// (zone, working weekdays 1=Monday…7=Sunday): six of them change their clocks during the horizon.
const ZONES: &[(&str, &[i64])] = &[
    ("Asia/Riyadh", &[7, 1, 2, 3, 4]),
    ("Asia/Dubai", &[1, 2, 3, 4, 5]),
    ("Africa/Cairo", &[7, 1, 2, 3, 4]),
    ("Europe/London", &[1, 2, 3, 4, 5]),
    ("Europe/Berlin", &[1, 2, 3, 4, 5]),
    ("America/New_York", &[1, 2, 3, 4, 5]),
    ("America/Los_Angeles", &[1, 2, 3, 4, 5]),
    ("Asia/Kolkata", &[1, 2, 3, 4, 5, 6]),
    ("Australia/Sydney", &[1, 2, 3, 4, 5]),
    ("Asia/Kathmandu", &[7, 1, 2, 3, 4, 5]),
];

/// The zones callers search from.
pub const CALLER_ZONES: &[&str] = &["Asia/Riyadh", "Europe/London", "America/New_York", "Asia/Kolkata", "UTC"];

const LANGUAGES: [(&str, &str); 10] = [
    ("English", "الإنجليزية"),
    ("Arabic", "العربية"),
    ("French", "الفرنسية"),
    ("Urdu", "الأردية"),
    ("Hindi", "الهندية"),
    ("Spanish", "الإسبانية"),
    ("German", "الألمانية"),
    ("Turkish", "التركية"),
    ("Tagalog", "التاغالوغية"),
    ("Malay", "الملايوية"),
];

const SPECIALTIES: [&str; 30] = [
    "Anxiety",
    "Depression",
    "Stress management",
    "Relationships",
    "Trauma and PTSD",
    "Sleep problems",
    "Grief and loss",
    "Addiction",
    "Children and adolescents",
    "Workplace wellbeing",
    "Obsessive-compulsive disorder",
    "Eating disorders",
    "Bipolar disorder",
    "Panic attacks",
    "Phobias",
    "Self-esteem",
    "Anger management",
    "Parenting",
    "Couples therapy",
    "Family therapy",
    "Postpartum depression",
    "ADHD",
    "Autism spectrum",
    "Chronic pain",
    "Burnout",
    "Life transitions",
    "Loneliness",
    "Social anxiety",
    "Health anxiety",
    "Career counselling",
];

pub fn catalogue() -> Vec<CatalogueItem> {
    let languages = LANGUAGES.iter().enumerate().map(|(i, (en, ar))| CatalogueItem {
        kind: CatalogueKind::Language,
        id: i as i64 + 1,
        name_plang: (*en).into(),
        name_slang: (*ar).into(),
    });
    let specialties = SPECIALTIES.iter().enumerate().map(|(i, en)| CatalogueItem {
        kind: CatalogueKind::Specialty,
        id: i as i64 + 1,
        name_plang: (*en).into(),
        name_slang: format!("تخصص {}", i + 1),
    });
    languages.chain(specialties).collect()
}

/// `count` distinct values from `1..=of`, `min..=max` of them.
fn some_of(rng: &mut Rng, of: u64, min: u64, max: u64) -> Vec<i64> {
    let wanted = min + rng.below(max - min + 1);
    let mut picked: Vec<i64> = Vec::new();
    while (picked.len() as u64) < wanted {
        let v = 1 + rng.below(of) as i64;
        if !picked.contains(&v) {
            picked.push(v);
        }
    }
    picked.sort();
    picked
}

/// The providers, in import format: 1–3 of the 10 languages, 2–5 of the 30 specialties, weekly
/// windows on each zone's working days, a twelve-week horizon.
pub fn providers(count: usize, seed: u64) -> Vec<ProviderInput> {
    let mut rng = Rng::new(seed);
    (0..count)
        .map(|i| {
            let (zone, days) = ZONES[i % ZONES.len()];
            let duration = *rng.pick(&[50i64, 60, 60, 45]);
            let windows: &[(&str, &str)] = match rng.below(3) {
                0 => &[("09:00", "13:00"), ("14:00", "18:00")],
                1 => &[("08:00", "12:00"), ("16:00", "20:00")],
                _ => &[("10:00", "19:00")],
            };
            let weekly_availability = days
                .iter()
                .flat_map(|day| {
                    windows.iter().map(move |(start, end)| WeeklyWindowInput {
                        weekday: *day,
                        start_time: (*start).into(),
                        end_time: (*end).into(),
                    })
                })
                .collect();
            let years = 1 + rng.below(30) as i64;
            ProviderInput {
                external_id: format!("bench-{:06}", i + 1),
                first_name_plang: format!("Provider{}", i + 1),
                last_name_plang: "Bench".into(),
                first_name_slang: "مقدم".into(),
                last_name_slang: "اختبار".into(),
                gender_type: rng.below(2) as i64,
                experience_years: years,
                experience_level_id: Some(1 + (years / 5).min(3)),
                provider_level_id: Some(1 + rng.below(3) as i64),
                language_ids: some_of(&mut rng, 10, 1, 3),
                specialty_ids: some_of(&mut rng, 30, 2, 5),
                session_rates: vec![SessionRateInput {
                    duration_minutes: duration,
                    price: (100 + rng.below(30) * 10) as f64,
                    currency: "SAR".into(),
                }],
                short_bio_plang: "Psychotherapist".into(),
                short_bio_slang: "معالج نفسي".into(),
                long_bio_plang: String::new(),
                long_bio_slang: String::new(),
                education: vec![],
                certifications: vec![],
                profile_image_url: None,
                rating: (30 + rng.below(21)) as f64 / 10.0,
                review_count: rng.below(500) as i64,
                time_zone: zone.into(),
                active: true,
                availability: AvailabilityInput {
                    minimum_notice_minutes: 60,
                    booking_horizon_days: HORIZON_DAYS,
                    buffer_minutes: *rng.pick(&[0u32, 0, 10]),
                    weekly_availability,
                    exceptions: vec![],
                },
            }
        })
        .collect()
}

/// One planned booking: provider and user by index, the session and the time it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedBooking {
    pub provider: usize,
    pub user: usize,
    pub session: Interval,
    pub held: Interval,
}

/// Local hours most asked for: a slot starting in one is four times as likely to be booked.
fn popular(hour: i8) -> bool {
    matches!(hour, 10 | 11 | 17 | 18)
}

/// `BOOKINGS_PER_PROVIDER` bookings of each provider's free slots from tomorrow over the horizon,
/// clustered at popular local hours, never two overlapping for a provider or a user.
pub fn bookings(providers: &[CareProvider], users: usize, seed: u64, today: Date) -> Vec<PlannedBooking> {
    let mut rng = Rng::new(seed ^ 0xB00C);
    let utc = |d: Date| TimeZone::UTC.to_ambiguous_timestamp(d.to_datetime(jiff::civil::Time::midnight())).compatible();
    let (Ok(start), Ok(end)) = (utc(today.tomorrow().unwrap_or(today)), utc(today)) else { return Vec::new() };
    let range = Interval { start, end: end + SignedDuration::from_hours(24 * i64::from(HORIZON_DAYS)) };
    let mut by_user: HashMap<usize, Vec<Interval>> = HashMap::new();
    let mut out = Vec::with_capacity(providers.len() * BOOKINGS_PER_PROVIDER);
    for (p, provider) in providers.iter().enumerate() {
        let Ok(zone) = TimeZone::get(&provider.time_zone) else { continue };
        let Some(schedule) = provider.schedule(&zone) else { continue };
        let free = free_slots(&schedule, range, &[]);
        let weights: Vec<u64> =
            free.iter().map(|s| if popular(zone.to_datetime(s.start).hour()) { 4 } else { 1 }).collect();
        let total: u64 = weights.iter().sum();
        let mut held_here: Vec<Interval> = Vec::new();
        let mut tries = 0;
        while held_here.len() < BOOKINGS_PER_PROVIDER && total > 0 && tries < BOOKINGS_PER_PROVIDER * 20 {
            tries += 1;
            let mut target = rng.below(total);
            let chosen = weights.iter().position(|w| {
                if target < *w {
                    return true;
                }
                target -= w;
                false
            });
            let Some(slot) = chosen.map(|i| free[i]) else { continue };
            let Some(held) = provider.policy.held(slot) else { continue };
            if held_here.iter().any(|h| h.overlaps(&held)) {
                continue;
            }
            // The first user, from a random start, free at that time.
            let first = rng.below(users as u64) as usize;
            let user = (0..users)
                .map(|k| (first + k) % users)
                .find(|u| by_user.get(u).is_none_or(|taken| !taken.iter().any(|t| t.overlaps(&slot))));
            let Some(user) = user else { continue };
            by_user.entry(user).or_default().push(slot);
            held_here.push(held);
            out.push(PlannedBooking { provider: p, user, session: slot, held });
        }
    }
    out
}

/// A search day: within the horizon, every fifth one on a day a searched zone changes its clocks.
pub fn search_date(rng: &mut Rng, today: Date, dst_days: &[Date]) -> Date {
    if !dst_days.is_empty() && rng.below(5) == 0 {
        return *rng.pick(dst_days);
    }
    today
        .checked_add(SignedDuration::from_hours(24 * (1 + rng.below(u64::from(HORIZON_DAYS) - 2)) as i64))
        .unwrap_or(today)
}

/// The days within the horizon on which one of the providers' or callers' zones changes its clocks.
pub fn dst_days(today: Date) -> Vec<Date> {
    let Ok(start) = TimeZone::UTC.to_ambiguous_timestamp(today.to_datetime(jiff::civil::Time::midnight())).compatible()
    else {
        return Vec::new();
    };
    let end = start + SignedDuration::from_hours(24 * i64::from(HORIZON_DAYS));
    let mut days: Vec<Date> = Vec::new();
    for name in ZONES.iter().map(|(n, _)| *n).chain(CALLER_ZONES.iter().copied()) {
        let Ok(zone) = TimeZone::get(name) else { continue };
        let mut at: Timestamp = start;
        while let Some(t) = zone.following(at).next() {
            if t.timestamp() >= end {
                break;
            }
            days.push(zone.to_datetime(t.timestamp()).date());
            at = t.timestamp();
        }
    }
    days.sort();
    days.dedup();
    days.retain(|d| *d > today);
    days
}
