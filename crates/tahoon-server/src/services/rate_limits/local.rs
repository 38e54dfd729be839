//! Rate-limit state kept in this process: one TAT per key.

use jiff::Timestamp;
use std::collections::HashMap;
use std::sync::Mutex;
use tahoon_domain::rate_limit::{Decision, Quota, decide, micros};

/// Keys beyond this many trigger a sweep of the ones whose TAT has passed (they mean the same as
/// no history), so the map holds only keys active within their last period.
const SWEEP_ABOVE: usize = 10_000;

#[derive(Default)]
pub struct LocalLimits {
    tats: Mutex<HashMap<String, i64>>,
}

impl LocalLimits {
    pub fn decide(&self, key: &str, quota: Quota, now: Timestamp) -> Decision {
        let now = micros(now);
        let mut tats = self.tats.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let decision = decide(quota, tats.get(key).copied(), now);
        if decision.allowed {
            if tats.len() >= SWEEP_ABOVE && !tats.contains_key(key) {
                tats.retain(|_, tat| *tat > now);
            }
            match tats.get_mut(key) {
                Some(tat) => *tat = decision.tat,
                None => {
                    tats.insert(key.to_string(), decision.tat);
                }
            }
        }
        decision
    }
}
