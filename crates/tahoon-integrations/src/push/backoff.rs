//! When to try a push again: exponential backoff with jitter, capped, and never sooner than the
//! server's `Retry-After`. Pure: the caller passes the jitter (or uses [`Backoff::next_delay`]).

use std::time::Duration;

/// The retry policy of push deliveries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The ceiling of the first retry's delay; each further failure doubles it.
    pub base: Duration,
    /// The largest ceiling.
    pub cap: Duration,
    /// A `Retry-After` is honoured up to this (a larger one waits this long).
    pub max_retry_after: Duration,
    /// Attempts in all, the first included: after this many failures, give up.
    pub max_attempts: u32,
}

impl Default for Backoff {
    /// 5 s, 10 s, 20 s, … up to 10 minutes between attempts, 12 attempts (about an hour in all).
    fn default() -> Backoff {
        Backoff {
            base: Duration::from_secs(5),
            cap: Duration::from_secs(600),
            max_retry_after: Duration::from_secs(3600),
            max_attempts: 12,
        }
    }
}

impl Backoff {
    /// The ceiling after `failed` failed attempts: `base × 2^(failed-1)`, at most `cap`.
    pub fn ceiling(&self, failed: u32) -> Duration {
        let doublings = failed.saturating_sub(1).min(63);
        self.base.checked_mul(1u32.checked_shl(doublings).unwrap_or(u32::MAX)).unwrap_or(Duration::MAX).min(self.cap)
    }

    /// The delay before the next attempt after `failed` (≥ 1) failed attempts, or `None` when
    /// `max_attempts` are used up. With `jitter` in `[0, 1]` the delay is between half the ceiling
    /// and the ceiling ("equal jitter": spread out, never near zero), and at least the server's
    /// `retry_after` (itself at most `max_retry_after`).
    pub fn delay(&self, failed: u32, retry_after: Option<Duration>, jitter: f64) -> Option<Duration> {
        if failed >= self.max_attempts {
            return None;
        }
        let ceiling = self.ceiling(failed);
        let half = ceiling / 2;
        let jitter = if jitter.is_finite() { jitter.clamp(0.0, 1.0) } else { 0.0 };
        let spread = (ceiling - half).mul_f64(jitter);
        let backoff = half + spread;
        let server = retry_after.map(|d| d.min(self.max_retry_after)).unwrap_or(Duration::ZERO);
        Some(backoff.max(server))
    }

    /// [`Backoff::delay`] with a random jitter.
    pub fn next_delay(&self, failed: u32, retry_after: Option<Duration>) -> Option<Duration> {
        self.delay(failed, retry_after, rand::random::<f64>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn doubles_up_to_the_cap() {
        let b = Backoff::default();
        let ceilings: Vec<u64> = (1..=9).map(|n| b.ceiling(n).as_secs()).collect();
        assert_eq!(ceilings, [5, 10, 20, 40, 80, 160, 320, 600, 600]);
        assert_eq!(b.delay(1, None, 0.0), Some(Duration::from_millis(2500)));
        assert_eq!(b.delay(1, None, 1.0), Some(Duration::from_secs(5)));
        assert_eq!(b.delay(12, None, 0.5), None);
    }

    #[test]
    fn honours_retry_after_up_to_its_bound() {
        let b = Backoff::default();
        assert_eq!(b.delay(1, Some(Duration::from_secs(30)), 1.0), Some(Duration::from_secs(30)));
        assert_eq!(b.delay(1, Some(Duration::from_secs(86_400)), 0.0), Some(Duration::from_secs(3600)));
        assert_eq!(b.delay(1, Some(Duration::from_secs(1)), 1.0), Some(Duration::from_secs(5)));
    }

    proptest! {
        #[test]
        fn delay_is_bounded(failed in 1u32..200, jitter in proptest::num::f64::ANY, after in proptest::option::of(0u64..1_000_000)) {
            let b = Backoff { max_attempts: 500, ..Backoff::default() };
            let after = after.map(Duration::from_secs);
            let d = b.delay(failed, after, jitter).unwrap();
            let server = after.map(|a| a.min(b.max_retry_after)).unwrap_or_default();
            prop_assert!(d >= b.ceiling(failed) / 2);
            prop_assert!(d >= server);
            prop_assert!(d <= b.cap.max(server));
        }

        #[test]
        fn ceilings_never_shrink(failed in 1u32..u32::MAX) {
            let b = Backoff::default();
            prop_assert!(b.ceiling(failed) <= b.ceiling(failed.saturating_add(1)));
            prop_assert!(b.ceiling(failed) <= b.cap);
        }

        #[test]
        fn gives_up_after_max_attempts(max in 1u32..50, failed in 0u32..100) {
            let b = Backoff { max_attempts: max, ..Backoff::default() };
            prop_assert_eq!(b.next_delay(failed, None).is_none(), failed >= max);
        }
    }
}
