//! The one source of "now" for the service. Production reads the system clock; tests hold a
//! manual clock they set and advance, so nothing depends on the time of day or on sleeping.

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

    pub fn now(&self) -> Timestamp {
        match self {
            Clock::System => Timestamp::now(),
            Clock::Manual(at) => *at.lock().unwrap_or_else(|poisoned| poisoned.into_inner()),
        }
    }

    /// Microseconds since the Unix epoch, as the store keeps instants.
    pub fn now_us(&self) -> i64 {
        self.now().as_microsecond()
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
        assert_eq!(copy.now_us(), start.as_microsecond());
        assert!(Clock::System.now() > start.checked_sub(SignedDuration::from_hours(24 * 365)).unwrap());
    }
}
