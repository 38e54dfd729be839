//! Rate limits by GCRA (the generic cell rate algorithm, as the `governor` crate and Stripe's
//! limiters use it): one stored instant per key, the theoretical arrival time (TAT), instead of
//! a counter per window, so there is no burst at a window's edge and the state fits one Redis
//! value. A quota of `limit` requests per `period` lets `limit` through at once, then one every
//! `period / limit`.
//!
//! Pure: the caller keeps the TAT (in process, or in Redis by a script doing the same
//! arithmetic) and passes the current instant. Instants are microseconds since the Unix epoch.

use jiff::{SignedDuration, Timestamp};

/// `limit` requests per `period`, at most `limit` of them at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    limit: u32,
    period_micros: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum QuotaError {
    #[error("a rate limit allows at least one request")]
    NoRequests,
    #[error("a rate limit's period is at least one second and at most a day")]
    Period,
}

const MICROS_PER_SECOND: i64 = 1_000_000;

impl Quota {
    pub fn new(limit: u32, period: SignedDuration) -> Result<Quota, QuotaError> {
        if limit == 0 {
            return Err(QuotaError::NoRequests);
        }
        if period < SignedDuration::from_secs(1) || period > SignedDuration::from_hours(24) {
            return Err(QuotaError::Period);
        }
        let period_micros = i64::try_from(period.as_micros()).map_err(|_| QuotaError::Period)?;
        Ok(Quota { limit, period_micros })
    }

    /// `limit` requests a minute.
    pub fn per_minute(limit: u32) -> Result<Quota, QuotaError> {
        Quota::new(limit, SignedDuration::from_mins(1))
    }

    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// The period, in microseconds.
    pub fn period_micros(&self) -> i64 {
        self.period_micros
    }

    /// The period in whole seconds (`RateLimit-Policy`'s window).
    pub fn period_secs(&self) -> i64 {
        self.period_micros / MICROS_PER_SECOND
    }

    /// The time one request uses up: `period / limit` (at least a microsecond).
    fn emission_micros(&self) -> i64 {
        (self.period_micros / i64::from(self.limit)).max(1)
    }
}

/// What one request is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    /// The TAT to store (unchanged when refused).
    pub tat: i64,
    /// Requests still allowed at once after this one (`RateLimit-Remaining`).
    pub remaining: u32,
    /// Whole seconds until the full quota is available again (`RateLimit-Reset`).
    pub reset_secs: i64,
    /// Whole seconds to wait before a refused request is allowed (`Retry-After`); 0 when allowed.
    pub retry_after_secs: i64,
}

fn ceil_secs(micros: i64) -> i64 {
    let micros = micros.max(0);
    micros / MICROS_PER_SECOND + i64::from(micros % MICROS_PER_SECOND != 0)
}

/// Microseconds since the Unix epoch, as rate-limit state stores instants.
pub fn micros(t: Timestamp) -> i64 {
    t.as_microsecond()
}

/// Decides one request at `now` against the stored TAT (`None`: the key has no history).
pub fn decide(quota: Quota, tat: Option<i64>, now: i64) -> Decision {
    let emission = quota.emission_micros();
    // The quota's whole burst: `limit` requests' worth of time.
    let burst = emission.saturating_mul(i64::from(quota.limit));
    let tat = tat.unwrap_or(now).max(now);
    let next = tat.saturating_add(emission);
    // A request is allowed while the TAT it leaves stays within one burst of now.
    let allow_at = next.saturating_sub(burst);
    if now < allow_at {
        return Decision {
            allowed: false,
            tat,
            remaining: 0,
            reset_secs: ceil_secs(tat.saturating_sub(now)),
            retry_after_secs: ceil_secs(allow_at.saturating_sub(now)).max(1),
        };
    }
    let room = now.saturating_add(burst).saturating_sub(next) / emission;
    Decision {
        allowed: true,
        tat: next,
        remaining: u32::try_from(room.clamp(0, i64::from(quota.limit))).unwrap_or(0),
        reset_secs: ceil_secs(next.saturating_sub(now)),
        retry_after_secs: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const S: i64 = MICROS_PER_SECOND;

    fn run(quota: Quota, arrivals: &[i64]) -> Vec<Decision> {
        let mut tat = None;
        arrivals
            .iter()
            .map(|&now| {
                let d = decide(quota, tat, now);
                if d.allowed {
                    tat = Some(d.tat);
                }
                d
            })
            .collect()
    }

    #[test]
    fn a_full_burst_then_one_per_interval() {
        let quota = Quota::per_minute(100).unwrap();
        let at_once = run(quota, &[0; 101]);
        assert!(at_once[..100].iter().all(|d| d.allowed));
        assert_eq!(at_once[99].remaining, 0);
        assert_eq!(at_once[0].remaining, 99);
        let refused = at_once[100];
        assert!(!refused.allowed);
        // One request's worth of time (0.6 s) later, rounded up to whole seconds.
        assert_eq!(refused.retry_after_secs, 1);
        assert_eq!(refused.reset_secs, 60);
        // 0.6 s later exactly one more is allowed.
        let mut tat = Some(at_once[99].tat);
        let next = decide(quota, tat, 600_000);
        assert!(next.allowed);
        tat = Some(next.tat);
        assert!(!decide(quota, tat, 600_001).allowed);
    }

    #[test]
    fn quotas_are_checked() {
        assert_eq!(Quota::per_minute(0), Err(QuotaError::NoRequests));
        assert_eq!(Quota::new(5, SignedDuration::from_millis(10)), Err(QuotaError::Period));
        assert_eq!(Quota::new(5, SignedDuration::from_hours(25)), Err(QuotaError::Period));
        assert!(Quota::new(u32::MAX, SignedDuration::from_secs(1)).is_ok());
    }

    #[test]
    fn an_idle_key_gets_its_whole_quota_back() {
        let quota = Quota::per_minute(10).unwrap();
        let first = run(quota, &[0; 10]);
        let tat = first.last().unwrap().tat;
        let later = decide(quota, Some(tat), 3600 * S);
        assert!(later.allowed);
        assert_eq!(later.remaining, 9);
    }

    #[test]
    fn extreme_instants_do_not_overflow() {
        let quota = Quota::new(u32::MAX, SignedDuration::from_hours(24)).unwrap();
        for now in [i64::MIN / 2, 0, i64::MAX / 2, i64::MAX - 1] {
            let _ = decide(quota, Some(i64::MAX), now);
            let _ = decide(quota, Some(i64::MIN), now);
            let _ = decide(quota, None, now);
        }
    }

    proptest! {
        /// Over any stretch of time, no more than the burst plus one request per emission
        /// interval gets through (GCRA's guarantee), whatever the arrival pattern.
        #[test]
        fn never_more_than_the_burst_plus_the_rate(
            limit in 1u32..50,
            period_secs in 1i64..120,
            gaps in proptest::collection::vec(0i64..3 * S, 1..300),
        ) {
            let quota = Quota::new(limit, SignedDuration::from_secs(period_secs)).unwrap();
            let mut at = 0;
            let arrivals: Vec<i64> = gaps.iter().map(|g| { at += g; at }).collect();
            let decisions = run(quota, &arrivals);
            let emission = quota.emission_micros();
            let allowed: Vec<i64> =
                arrivals.iter().zip(&decisions).filter(|(_, d)| d.allowed).map(|(t, _)| *t).collect();
            for (i, &from) in allowed.iter().enumerate() {
                for (j, &to) in allowed.iter().enumerate().skip(i) {
                    let through = (j - i + 1) as i64;
                    prop_assert!(through <= i64::from(limit) + (to - from) / emission);
                }
            }
        }

        /// A refused request is allowed once its `Retry-After` has passed, and an allowed one
        /// never reports more remaining than the quota.
        #[test]
        fn retry_after_is_enough_and_remaining_is_bounded(
            limit in 1u32..50,
            gaps in proptest::collection::vec(0i64..S, 1..200),
        ) {
            let quota = Quota::per_minute(limit).unwrap();
            let mut tat = None;
            let mut now = 0;
            for gap in gaps {
                now += gap;
                let d = decide(quota, tat, now);
                if d.allowed {
                    prop_assert!(d.remaining < limit);
                    tat = Some(d.tat);
                } else {
                    prop_assert!(d.retry_after_secs >= 1);
                    prop_assert!(decide(quota, tat, now + d.retry_after_secs * S).allowed);
                }
            }
        }

        /// Requests spaced by exactly the emission interval are never refused.
        #[test]
        fn the_steady_rate_is_always_allowed(limit in 1u32..1000, count in 1usize..500) {
            let quota = Quota::per_minute(limit).unwrap();
            let emission = quota.emission_micros();
            let arrivals: Vec<i64> = (0..count as i64).map(|i| i * emission).collect();
            prop_assert!(run(quota, &arrivals).iter().all(|d| d.allowed));
        }
    }
}
