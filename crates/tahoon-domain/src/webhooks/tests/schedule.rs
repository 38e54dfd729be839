use crate::webhooks::schedule::*;
use jiff::SignedDuration;
use proptest::prelude::*;

fn secs(s: i64) -> SignedDuration {
    SignedDuration::from_secs(s)
}

#[test]
fn the_schedule_without_spread() {
    // A jitter of 0.5 is the middle of the ±10 % spread: the delays exactly.
    let expected = [0, 5, 300, 1_800, 7_200, 18_000, 36_000, 50_400, 72_000, 86_400];
    for (n, want) in (1u32..).zip(expected) {
        assert_eq!(retry_delay(n, 0.5), Some(secs(want)), "after failure {n}");
    }
    assert_eq!(retry_delay(11, 0.5), None);
    assert_eq!(retry_delay(u32::MAX, 0.5), None);
    assert_eq!(ATTEMPTS, 11);
}

#[test]
fn no_failure_yet_means_now() {
    assert_eq!(retry_delay(0, 0.9), Some(SignedDuration::ZERO));
}

#[test]
fn jitter_spreads_by_ten_percent_and_is_clamped() {
    assert_eq!(retry_delay(10, 0.0), Some(secs(77_760)));
    assert_eq!(retry_delay(10, 1.0), Some(secs(95_040)));
    assert_eq!(retry_delay(10, -3.0), retry_delay(10, 0.0));
    assert_eq!(retry_delay(10, 7.0), retry_delay(10, 1.0));
    assert_eq!(retry_delay(10, f64::INFINITY), retry_delay(10, 1.0));
    assert_eq!(retry_delay(10, f64::NEG_INFINITY), retry_delay(10, 0.0));
    assert_eq!(retry_delay(10, f64::NAN), Some(secs(86_400)));
    assert!(retry_delay(10, 0.999_999) < Some(secs(95_040)));
    assert_eq!(retry_delay(2, 0.0), Some(SignedDuration::from_millis(4_500)));
    for jitter in [0.0, 0.3, 0.99, 1.0, -1.0, f64::NAN] {
        assert_eq!(retry_delay(1, jitter), Some(SignedDuration::ZERO));
    }
}

#[test]
fn the_constants() {
    assert_eq!(SUCCESS_WITHIN, secs(15));
    assert_eq!(DISABLE_AFTER_FAILING, secs(5 * 86_400));
    assert_eq!(OLD_SECRET_GRACE, secs(86_400));
    // The whole schedule is over before an endpoint could be disabled by one delivery alone.
    let total: SignedDuration = RETRY_DELAYS.iter().fold(SignedDuration::ZERO, |a, b| a + *b);
    assert!(total.checked_mul(11).unwrap() / 10 < DISABLE_AFTER_FAILING);
}

proptest! {
    #[test]
    fn delays_stay_within_ten_percent(n in 1u32..=10, jitter in 0.0f64..1.0) {
        let base = RETRY_DELAYS[n as usize - 1];
        let delay = retry_delay(n, jitter).unwrap();
        prop_assert!(delay >= SignedDuration::ZERO);
        prop_assert!(delay * 10 >= base * 9, "{delay:?} below 90 % of {base:?}");
        prop_assert!(delay * 10 <= base * 11, "{delay:?} above 110 % of {base:?}");
    }

    #[test]
    fn delays_never_decrease_with_more_failures(n in 1u32..10, jitter in any::<f64>()) {
        prop_assert!(retry_delay(n, jitter).unwrap() <= retry_delay(n + 1, jitter).unwrap());
    }

    #[test]
    fn more_jitter_never_shortens_a_delay(n in 1u32..=10, a in 0.0f64..1.0, b in 0.0f64..1.0) {
        let (low, high) = if a <= b { (a, b) } else { (b, a) };
        prop_assert!(retry_delay(n, low) <= retry_delay(n, high));
    }

    #[test]
    fn none_exactly_beyond_the_schedule(n in any::<u32>(), jitter in any::<f64>()) {
        prop_assert_eq!(retry_delay(n, jitter).is_none(), n >= ATTEMPTS);
    }
}
