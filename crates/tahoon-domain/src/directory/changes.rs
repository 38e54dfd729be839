//! Following the change sequence: which numbers were applied, and how long to wait for a missing one.
//!
//! On PostgreSQL a sequence number is taken when a change's row is written and becomes visible
//! when its transaction commits, so number 11 can be read before number 10 commits. The cursor
//! keeps everything at or below `done` applied, remembers the numbers applied above it, and asks
//! again from `done` until the missing number appears or `GAP_GRACE` passes (its transaction
//! rolled back, or is slower than any of ours).

use jiff::{SignedDuration, Timestamp};
use std::collections::BTreeSet;

/// How long a missing sequence number is waited for.
pub const GAP_GRACE: SignedDuration = SignedDuration::from_secs(10);

/// After a full load the last `LOOKBACK` changes are applied again, in case one of them was
/// still committing when the load read the sequence's head.
pub const LOOKBACK: i64 = 256;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeCursor {
    done: i64,
    applied_above: BTreeSet<i64>,
    /// When the number after `done` was first found missing.
    missing_since: Option<Timestamp>,
}

impl ChangeCursor {
    /// After a full load that read the sequence's head `head`.
    pub fn after_load(head: i64) -> ChangeCursor {
        ChangeCursor { done: head.saturating_sub(LOOKBACK).max(0), applied_above: BTreeSet::new(), missing_since: None }
    }

    /// Ask for the numbers after this one.
    pub fn after(&self) -> i64 {
        self.done
    }

    /// Whether `seq` still needs applying.
    pub fn wants(&self, seq: i64) -> bool {
        seq > self.done && !self.applied_above.contains(&seq)
    }

    /// Records the numbers read and applied at `now`, and moves `done` as far as it may.
    pub fn applied(&mut self, seqs: impl IntoIterator<Item = i64>, now: Timestamp) {
        self.applied_above.extend(seqs.into_iter().filter(|&s| s > self.done));
        loop {
            while self.applied_above.remove(&(self.done + 1)) {
                self.done += 1;
                self.missing_since = None;
            }
            let Some(&next) = self.applied_above.first() else {
                self.missing_since = None;
                return;
            };
            let since = *self.missing_since.get_or_insert(now);
            if now.duration_since(since) < GAP_GRACE {
                return;
            }
            // Given up on: everything below the next applied number.
            self.done = next - 1;
            self.missing_since = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + secs).unwrap()
    }

    #[test]
    fn in_order_numbers_move_done() {
        let mut c = ChangeCursor::after_load(0);
        c.applied([1, 2, 3], at(0));
        assert_eq!(c.after(), 3);
        assert!(!c.wants(3));
        assert!(c.wants(4));
    }

    #[test]
    fn a_missing_number_is_asked_for_again_until_the_grace_passes() {
        let mut c = ChangeCursor::after_load(0);
        c.applied([1, 3], at(0));
        assert_eq!(c.after(), 1, "2 may still commit");
        assert!(!c.wants(3) && c.wants(2));
        c.applied([], at(9));
        assert_eq!(c.after(), 1);
        c.applied([2], at(9));
        assert_eq!(c.after(), 3, "2 arrived late and was applied");
        c.applied([5], at(10));
        c.applied([], at(20));
        assert_eq!(c.after(), 5, "4 never came: given up after the grace");
    }

    #[test]
    fn a_load_applies_the_last_changes_again() {
        assert_eq!(ChangeCursor::after_load(1000).after(), 1000 - LOOKBACK);
        assert_eq!(ChangeCursor::after_load(10).after(), 0);
    }

    proptest! {
        /// Whatever order numbers arrive in, each is wanted until applied and never after, and
        /// `done` never passes a number that is still wanted within the grace.
        #[test]
        fn never_skips_a_number_within_the_grace(order in Just((1..=40i64).collect::<Vec<_>>()).prop_shuffle(), cut in 0usize..40) {
            let mut c = ChangeCursor::after_load(0);
            let (first, second) = order.split_at(cut);
            c.applied(first.iter().copied(), at(0));
            for s in second {
                prop_assert!(c.wants(*s));
            }
            for s in first {
                prop_assert!(!c.wants(*s));
            }
            c.applied(second.iter().copied(), at(1));
            prop_assert_eq!(c.after(), 40);
        }
    }
}
