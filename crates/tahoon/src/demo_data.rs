//! Demo data (the CLI's `demo` and `serve --demo`): the same providers for the same seed (dates relative to the day it runs), and two
//! organizations, for trying the API on a fresh database.

use serde::Serialize;
use tahoon_domain::availability::ExceptionKind;
use tahoon_domain::organization::{OrganizationKind, Role, SessionBalance};
use tahoon_domain::provider::{Certification, Education};
use tahoon_domain::reason::Reason;
use tahoon_server::AppState;
use tahoon_server::services::error::{Refusal, ServiceResult};
use tahoon_server::services::organizations::{self, OrganizationSpec};
use tahoon_server::services::providers::{
    self, AvailabilityInput, ExceptionInput, ProviderInput, SessionRateInput, WeeklyWindowInput,
};

/// SplitMix64: tiny, fast and the same on every platform and crate version.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const FEMALE: &[(&str, &str)] = &[
    ("Sarah", "سارة"),
    ("Fatimah", "فاطمة"),
    ("Layla", "ليلى"),
    ("Noura", "نورة"),
    ("Mariam", "مريم"),
    ("Aisha", "عائشة"),
    ("Hind", "هند"),
    ("Reem", "ريم"),
    ("Priya", "بريا"),
    ("Emma", "إيما"),
    ("Olivia", "أوليفيا"),
    ("Hana", "هناء"),
    ("Lina", "لينا"),
    ("Dana", "دانة"),
];
const MALE: &[(&str, &str)] = &[
    ("Omar", "عمر"),
    ("Khalid", "خالد"),
    ("Ahmed", "أحمد"),
    ("Yousef", "يوسف"),
    ("Faisal", "فيصل"),
    ("Tariq", "طارق"),
    ("Ali", "علي"),
    ("Rahul", "راهول"),
    ("James", "جيمس"),
    ("Daniel", "دانيال"),
    ("Hassan", "حسن"),
    ("Saad", "سعد"),
    ("Majed", "ماجد"),
    ("Ziad", "زياد"),
];
const LAST: &[(&str, &str)] = &[
    ("Al-Harbi", "الحربي"),
    ("Al-Otaibi", "العتيبي"),
    ("Al-Qahtani", "القحطاني"),
    ("Haddad", "حداد"),
    ("Nasser", "ناصر"),
    ("Sharma", "شارما"),
    ("Iyer", "آيير"),
    ("Smith", "سميث"),
    ("Carter", "كارتر"),
    ("Mansour", "منصور"),
    ("Al-Zahrani", "الزهراني"),
    ("Khan", "خان"),
    ("Saleh", "صالح"),
    ("O'Brien", "أوبراين"),
];
/// (zone, working weekdays 1=Monday…7=Sunday, languages commonly spoken there)
const ZONES: &[(&str, &[i64], &[i64])] = &[
    ("Asia/Riyadh", &[7, 1, 2, 3, 4], &[2, 1]),
    ("Asia/Dubai", &[1, 2, 3, 4, 5], &[2, 1, 5]),
    ("Asia/Kolkata", &[1, 2, 3, 4, 5, 6], &[5, 1, 4]),
    ("Europe/London", &[1, 2, 3, 4, 5], &[1, 3]),
    ("America/New_York", &[1, 2, 3, 4, 5], &[1, 6]),
];
const UNIVERSITIES: &[&str] = &[
    "King Saud University",
    "American University of Beirut",
    "University of Delhi",
    "King's College London",
    "Columbia University",
];

fn experience_level(years: i64) -> i64 {
    match years {
        0..=4 => 1,
        5..=9 => 2,
        10..=14 => 3,
        _ => 4,
    }
}

/// `count` providers for `seed`; exceptions fall in the coming weeks from `today`.
pub fn demo_providers(count: usize, seed: u64, today: jiff::civil::Date) -> Vec<ProviderInput> {
    let mut rng = Rng(seed);
    (0..count)
        .map(|i| {
            let female = rng.below(2) == 0;
            let (first, first_ar) = *rng.pick(if female { FEMALE } else { MALE });
            let (last, last_ar) = *rng.pick(LAST);
            // Every zone is represented from the first five providers on.
            let (zone, days, languages) = if i < ZONES.len() { ZONES[i] } else { *rng.pick(ZONES) };
            let years = 2 + rng.below(28) as i64;
            let mut language_ids = vec![languages[0]];
            for l in &languages[1..] {
                if rng.below(2) == 0 {
                    language_ids.push(*l);
                }
            }
            let mut specialty_ids: Vec<i64> = (0..1 + rng.below(3)).map(|_| 1 + rng.below(10) as i64).collect();
            specialty_ids.sort();
            specialty_ids.dedup();
            let duration = *rng.pick(&[30i64, 45, 50, 60, 60, 60]);
            let price = (150 + rng.below(36) * 10) as f64 * duration as f64 / 60.0;
            let mut session_rates =
                vec![SessionRateInput { duration_minutes: duration, price: price.round(), currency: "SAR".into() }];
            if duration != 30 {
                session_rates.push(SessionRateInput {
                    duration_minutes: 30,
                    price: (price * 0.6).round(),
                    currency: "SAR".into(),
                });
            }
            let (morning, evening) = match rng.below(3) {
                0 => (Some(("09:00", "13:00")), Some(("16:00", "20:00"))),
                1 => (Some(("08:00", "12:00")), None),
                _ => (None, Some(("14:00", "21:00"))),
            };
            let weekly_availability = days
                .iter()
                .filter(|_| rng.below(6) != 0)
                .flat_map(|day| {
                    [morning, evening].into_iter().flatten().map(move |(start, end)| WeeklyWindowInput {
                        weekday: *day,
                        start_time: start.into(),
                        end_time: end.into(),
                    })
                })
                .collect();
            let mut exceptions = Vec::new();
            if rng.below(3) == 0 {
                let off = today.checked_add(jiff::Span::new().days(3 + rng.below(20) as i64)).unwrap_or(today);
                exceptions.push(ExceptionInput {
                    date: off.to_string(),
                    kind: ExceptionKind::TimeOff,
                    start_time: None,
                    end_time: None,
                });
            }
            if rng.below(4) == 0 {
                let extra = today.checked_add(jiff::Span::new().days(1 + rng.below(14) as i64)).unwrap_or(today);
                exceptions.push(ExceptionInput {
                    date: extra.to_string(),
                    kind: ExceptionKind::ExtraHours,
                    start_time: Some("10:00".into()),
                    end_time: Some("12:00".into()),
                });
            }
            let title = if years >= 12 { "Consultant psychologist" } else { "Psychotherapist" };
            ProviderInput {
                external_id: format!("demo-{:04}", i + 1),
                first_name_plang: first.into(),
                last_name_plang: last.into(),
                first_name_slang: first_ar.into(),
                last_name_slang: last_ar.into(),
                gender_type: i64::from(!female),
                experience_years: years,
                experience_level_id: Some(experience_level(years)),
                provider_level_id: Some(if years < 5 {
                    1
                } else if years < 12 {
                    2
                } else {
                    3
                }),
                language_ids,
                specialty_ids,
                session_rates,
                short_bio_plang: format!("{title} with {years} years of practice."),
                short_bio_slang: format!("معالج نفسي بخبرة {years} سنة."),
                long_bio_plang: format!("{first} {last} helps adults with evidence-based therapy, online."),
                long_bio_slang: format!("يساعد {first_ar} {last_ar} البالغين بعلاج قائم على الأدلة عبر الإنترنت."),
                education: vec![Education {
                    degree: "MSc Clinical Psychology".into(),
                    institution: (*rng.pick(UNIVERSITIES)).into(),
                    year: Some(2026 - years as i32),
                }],
                certifications: vec![Certification {
                    name: "Cognitive Behavioural Therapy".into(),
                    issuer: "Beck Institute".into(),
                    year: None,
                }],
                profile_image_url: Some(format!("https://images.tahoon.example/providers/demo-{:04}.jpg", i + 1)),
                rating: (38 + rng.below(13)) as f64 / 10.0,
                review_count: rng.below(400) as i64,
                time_zone: zone.into(),
                active: true,
                availability: AvailabilityInput {
                    minimum_notice_minutes: *rng.pick(&[60u32, 120, 240]),
                    booking_horizon_days: *rng.pick(&[30u32, 60, 90]),
                    buffer_minutes: *rng.pick(&[0u32, 10, 15]),
                    weekly_availability,
                    exceptions,
                },
            }
        })
        .collect()
}

/// One organization's credentials, as `tahoon demo --json` prints them.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoOrganization {
    pub name: String,
    pub kind: OrganizationKind,
    pub organization_id: String,
    pub access_key: String,
    pub shared_api_key: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoData {
    pub organizations: Vec<DemoOrganization>,
    pub providers: usize,
}

/// Whether the database holds no organizations and no providers.
pub async fn is_empty(state: &AppState) -> ServiceResult<bool> {
    let today = state.clock.now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
    Ok(state.store.organizations().await?.is_empty() && state.store.care_providers(today, today).await?.is_empty())
}

/// Fills an empty database; refuses one that holds data.
pub async fn seed(state: &AppState, count: usize, seed: u64, progress: impl Fn(usize)) -> ServiceResult<DemoData> {
    if !is_empty(state).await? {
        return Err(Refusal::new(Reason::ValidationFailed)
            .with_detail("the database is not empty; demo data goes only into an empty one")
            .into());
    }
    let today = state.clock.now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
    let inputs = demo_providers(count, seed, today);
    providers::import(state, &inputs, "demo", progress).await?;
    let mut organizations = Vec::new();
    for (name, kind, balance) in
        [("Demo Employer", OrganizationKind::Standard, 0), ("Demo Charity", OrganizationKind::Charity, 100)]
    {
        let spec = OrganizationSpec {
            name: name.into(),
            kind,
            balance: SessionBalance::clamped(balance),
            role: Role::FullAccess,
            rate_limit_per_minute: None,
            require_signature_header: false,
            max_active_bookings_per_user: None,
        };
        let issued = organizations::create(state, spec, "demo").await?;
        organizations.push(DemoOrganization {
            name: name.into(),
            kind,
            organization_id: issued.organization_id,
            access_key: issued.access_key,
            shared_api_key: issued.shared_api_key,
        });
    }
    Ok(DemoData { organizations, providers: count })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use tahoon_domain::catalogue::CatalogueKind;
    use tahoon_server::services::providers::KnownIds;

    fn known() -> KnownIds {
        let mut ids = HashSet::new();
        for (kind, n) in [
            (CatalogueKind::Language, 6),
            (CatalogueKind::Specialty, 10),
            (CatalogueKind::ExperienceLevel, 4),
            (CatalogueKind::ProviderLevel, 3),
        ] {
            for id in 1..=n {
                ids.insert((kind, id));
            }
        }
        KnownIds::from_set(ids)
    }

    #[test]
    fn deterministic_valid_and_varied() {
        let today = jiff::civil::date(2026, 11, 25);
        let a = demo_providers(200, 7, today);
        let b = demo_providers(200, 7, today);
        assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
        assert_ne!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&demo_providers(200, 8, today)).unwrap());
        let known = known();
        for (i, p) in a.iter().enumerate() {
            p.parse(&format!("providers[{i}]."), &known).unwrap_or_else(|e| panic!("{i}: {e:?}"));
        }
        let zones: HashSet<_> = a.iter().map(|p| p.time_zone.as_str()).collect();
        for zone in ["Asia/Riyadh", "Asia/Dubai", "Asia/Kolkata", "Europe/London", "America/New_York"] {
            assert!(zones.contains(zone), "{zone}");
        }
        assert!(a.iter().any(|p| p.gender_type == 0) && a.iter().any(|p| p.gender_type == 1));
        assert!(a.iter().filter(|p| !p.availability.weekly_availability.is_empty()).count() > 150);
    }
}
