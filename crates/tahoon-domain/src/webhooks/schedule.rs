//! When a failed delivery is tried again, and when an endpoint is given up on.
//!
//! The schedule is Svix's: the first attempt, then retries immediately, after 5 s, 5 min, 30 min,
//! 2 h, 5 h, 10 h, 14 h, 20 h and 24 h: eleven attempts over a little more than three days, so that
//! an endpoint down over a weekend still receives its events. Each delay is spread by ±10 %
//! so that the retries of many deliveries that failed together do not arrive together.

use jiff::SignedDuration;

/// The wait after the n-th failed attempt is `RETRY_DELAYS[n - 1]`.
pub const RETRY_DELAYS: [SignedDuration; 10] = [
    SignedDuration::ZERO,
    SignedDuration::from_secs(5),
    SignedDuration::from_mins(5),
    SignedDuration::from_mins(30),
    SignedDuration::from_hours(2),
    SignedDuration::from_hours(5),
    SignedDuration::from_hours(10),
    SignedDuration::from_hours(14),
    SignedDuration::from_hours(20),
    SignedDuration::from_hours(24),
];

/// Attempts of one delivery, the first included; when the last fails, the delivery has failed.
pub const ATTEMPTS: u32 = RETRY_DELAYS.len() as u32 + 1;
const _: () = assert!(ATTEMPTS == 11);

/// How long an endpoint has to answer with a 2xx before the attempt counts as failed.
pub const SUCCESS_WITHIN: SignedDuration = SignedDuration::from_secs(15);

/// An endpoint whose deliveries have all failed for this long, with none succeeding, is disabled.
pub const DISABLE_AFTER_FAILING: SignedDuration = SignedDuration::from_hours(5 * 24);

/// After a secret's rotation the old secret signs too, for this long, so consumers can switch.
pub const OLD_SECRET_GRACE: SignedDuration = SignedDuration::from_hours(24);

/// The largest spread of a delay, in ten-thousandths of it (±10 %).
const SPREAD: i128 = 1_000;

/// How long to wait before the next attempt after `failed_attempts` failures; `None` when there is
/// no next attempt (the delivery has failed). `jitter` is the caller's random number in [0, 1)
/// (outside it, clamped; NaN counts as 0.5, no spread): 0 shortens the delay by 10 %, values near
/// 1 lengthen it by up to 10 %. With no failure yet the answer is "now" (`Some(0)`).
pub fn retry_delay(failed_attempts: u32, jitter: f64) -> Option<SignedDuration> {
    if failed_attempts == 0 {
        return Some(SignedDuration::ZERO);
    }
    let base = *RETRY_DELAYS.get(usize::try_from(failed_attempts - 1).ok()?)?;
    let jitter = if jitter.is_nan() { 0.5 } else { jitter.clamp(0.0, 1.0) };
    // In [-SPREAD, SPREAD]; integer arithmetic keeps the bounds exact and the order monotonic.
    let offset = (jitter * (2 * SPREAD) as f64).floor() as i128 - SPREAD;
    let millis = base.as_millis() * (10_000 + offset) / 10_000;
    Some(SignedDuration::from_millis_i128(millis))
}
