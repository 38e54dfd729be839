//! The one source of "now" for the service. Production reads the system clock; tests hold a
//! manual clock they set and advance, so nothing depends on the time of day or on sleeping.
//!
//! "Now" is read to the microsecond, the precision the store keeps instants in: an instant the
//! service writes and one it reads back are equal, and what it answers at once (a submission's
//! time) is what later reads answer.

use jiff::{SignedDuration, Timestamp};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Default)]
pub enum Clock {
    /// The system clock.
    #[default]
    System,
    /// A clock that moves only when told to.
    Manual(Arc<Mutex<Timestamp>>),
}

impl Clock {
    /// A manual clock reading `at`.
    pub fn manual(at: Timestamp) -> Clock {
        Clock::Manual(Arc::new(Mutex::new(at)))
    }

    /// The current instant, to the microsecond.
    pub fn now(&self) -> Timestamp {
        let now = match self {
            Clock::System => Timestamp::now(),
            Clock::Manual(at) => *at.lock().unwrap_or_else(|poisoned| poisoned.into_inner()),
        };
        to_the_microsecond(now)
    }

    /// Moves a manual clock (the system clock cannot be moved: a no-op).
    pub fn advance(&self, by: SignedDuration) {
        if let Clock::Manual(at) = self {
            let mut at = at.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            *at = at.checked_add(by).unwrap_or(*at);
        }
    }

    /// Sets a manual clock (a no-op on the system clock).
    pub fn set(&self, to: Timestamp) {
        if let Clock::Manual(at) = self {
            *at.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = to;
        }
    }
}

/// `at` without its nanoseconds (toward the past).
fn to_the_microsecond(at: Timestamp) -> Timestamp {
    let nanos = i64::from(at.subsec_nanosecond().rem_euclid(1_000));
    at.checked_sub(SignedDuration::from_nanos(nanos)).unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told() {
        let start: Timestamp = "2026-12-01T10:00:00Z".parse().unwrap();
        let clock = Clock::manual(start);
        let copy = clock.clone();
        assert_eq!(clock.now(), start);
        copy.advance(SignedDuration::from_mins(3));
        assert_eq!(clock.now(), "2026-12-01T10:03:00Z".parse().unwrap());
        clock.set(start);
        assert_eq!(copy.now(), start);
        assert!(Clock::System.now() > start.checked_sub(SignedDuration::from_hours(24 * 365)).unwrap());
    }

    #[test]
    fn now_is_read_to_the_microsecond() {
        let clock = Clock::manual("2026-12-01T10:00:00.123456789Z".parse().unwrap());
        assert_eq!(clock.now(), "2026-12-01T10:00:00.123456Z".parse().unwrap());
        clock.set("1969-12-31T23:59:59.999999999Z".parse().unwrap());
        assert_eq!(clock.now(), "1969-12-31T23:59:59.999999Z".parse().unwrap());
        let system = Clock::System.now();
        assert_eq!(system.subsec_nanosecond() % 1_000, 0);
        assert_eq!(Timestamp::from_microsecond(system.as_microsecond()).unwrap(), system);
    }
}
