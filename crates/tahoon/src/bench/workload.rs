//! What the benchmark asks: search bodies with mixed filters over dates across the horizon
//! (DST-change days among them) from several zones, schedules, and the slots bookings aim at.

use super::plan::{self, CALLER_ZONES};
use crate::demo_data::Rng;
use jiff::civil::Date;
use serde_json::{Value, json};

/// `count` search bodies: two in five unfiltered, the rest one or two filters; one in ten asks
/// for the second page.
pub fn searches(count: usize, seed: u64, today: Date) -> Vec<Value> {
    let mut rng = Rng::new(seed ^ 0x5EA2C4);
    let dst = plan::dst_days(today);
    (0..count)
        .map(|_| {
            let date = plan::search_date(&mut rng, today, &dst);
            let zone = *rng.pick(CALLER_ZONES);
            let filter = match rng.below(10) {
                0..=3 => None,
                4 | 5 => Some(json!({"languageIds": [1 + rng.below(10)]})),
                6 => Some(json!({"specialtyIds": [1 + rng.below(30), 1 + rng.below(30)]})),
                7 => Some(json!({"genderType": rng.below(2)})),
                8 => Some(json!({"minPrice": 150, "maxPrice": 250})),
                _ => Some(json!({"genderType": rng.below(2), "languageIds": [1 + rng.below(10)]})),
            };
            let page = if rng.below(10) == 0 { 2 } else { 1 };
            let mut body = json!({"scheduleDate": date.to_string(), "timeZone": zone, "page": page, "pageSize": 20});
            if let Some(filter) = filter {
                body["applyFilter"] = true.into();
                body["filterCriteriaObject"] = filter;
            }
            body
        })
        .collect()
}

/// `count` schedule bodies for random providers.
pub fn schedules(count: usize, seed: u64, today: Date, providers: &[String]) -> Vec<Value> {
    let mut rng = Rng::new(seed ^ 0x5C4ED);
    let dst = plan::dst_days(today);
    (0..count)
        .map(|_| {
            let date = plan::search_date(&mut rng, today, &dst);
            json!({"careProviderId": rng.pick(providers), "scheduleDate": date.to_string(),
                "timeZone": rng.pick(CALLER_ZONES)})
        })
        .collect()
}

/// (provider, date) pairs whose schedules give the slots bookings aim at: days 2–40 ahead.
pub fn booking_days(count: usize, seed: u64, today: Date, providers: &[String]) -> Vec<(String, String)> {
    let mut rng = Rng::new(seed ^ 0xB0C4);
    (0..count)
        .map(|_| {
            let days = 2 + rng.below(38) as i64;
            let date = today.checked_add(jiff::SignedDuration::from_hours(24 * days)).unwrap_or(today);
            (rng.pick(providers).clone(), date.to_string())
        })
        .collect()
}

/// Deterministic choices inside the load loops.
pub fn pick(n: u64, salt: u64, len: usize) -> usize {
    let mut rng = Rng::new(n.wrapping_mul(0x9E37_79B9).wrapping_add(salt));
    rng.below(len.max(1) as u64) as usize
}
