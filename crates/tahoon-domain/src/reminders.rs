//! Reminders before a session: which offsets an organization or a user chose, and when each of a
//! booking's reminders is due.

use jiff::{SignedDuration, Timestamp};
use std::fmt;

/// The offsets used when neither the organization nor the user chose: 24 hours and 15 minutes.
pub const DEFAULT_OFFSETS_MINUTES: [i64; 2] = [24 * 60, 15];

/// The longest offset: two weeks before the session.
pub const MAX_OFFSET_MINUTES: i64 = 14 * 24 * 60;

/// At most this many reminders per session.
pub const MAX_OFFSETS: usize = 8;

/// Minutes before a session at which its reminders go: distinct, each 1..=`MAX_OFFSET_MINUTES`,
/// at most `MAX_OFFSETS`, held largest first. Empty means no reminders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderOffsets(Vec<i64>);

/// Why offsets were refused; `index` is the offending entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OffsetsError {
    #[error("at most {MAX_OFFSETS} reminders per session")]
    TooMany,
    #[error("[{index}]: {value} is not between 1 and {MAX_OFFSET_MINUTES} minutes")]
    OutOfRange { index: usize, value: i64 },
}

impl ReminderOffsets {
    pub fn parse(minutes: &[i64]) -> Result<ReminderOffsets, OffsetsError> {
        if minutes.len() > MAX_OFFSETS {
            return Err(OffsetsError::TooMany);
        }
        if let Some((index, &value)) = minutes.iter().enumerate().find(|(_, m)| !(1..=MAX_OFFSET_MINUTES).contains(*m))
        {
            return Err(OffsetsError::OutOfRange { index, value });
        }
        let mut offsets = minutes.to_vec();
        offsets.sort_unstable_by(|a, b| b.cmp(a));
        offsets.dedup();
        Ok(ReminderOffsets(offsets))
    }

    pub fn default_offsets() -> ReminderOffsets {
        ReminderOffsets(DEFAULT_OFFSETS_MINUTES.to_vec())
    }

    pub fn none() -> ReminderOffsets {
        ReminderOffsets(Vec::new())
    }

    pub fn minutes(&self) -> &[i64] {
        &self.0
    }
}

impl fmt::Display for ReminderOffsets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

/// Whose offsets apply to a user's sessions: the user's when set, else the organization's, else
/// the defaults; none at all when the user turned reminders off.
pub fn effective(
    user_enabled: Option<bool>,
    user_offsets: Option<ReminderOffsets>,
    organization: Option<ReminderOffsets>,
) -> ReminderOffsets {
    if user_enabled == Some(false) {
        return ReminderOffsets::none();
    }
    user_offsets.or(organization).unwrap_or_else(ReminderOffsets::default_offsets)
}

/// One reminder to schedule: `offset_minutes` before the session, due at `due_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedReminder {
    pub offset_minutes: i64,
    pub due_at: Timestamp,
}

/// The reminders of a session starting at `session_start`, planned at `now`: one per offset
/// whose time is still ahead. An offset already past is skipped, not sent late: a session booked
/// an hour ahead gets its 15-minute reminder, not a "tomorrow" one.
pub fn plan(session_start: Timestamp, offsets: &ReminderOffsets, now: Timestamp) -> Vec<PlannedReminder> {
    offsets
        .0
        .iter()
        .filter_map(|&minutes| {
            let due_at = session_start.checked_sub(SignedDuration::from_mins(minutes)).ok()?;
            (due_at > now).then_some(PlannedReminder { offset_minutes: minutes, due_at })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn offsets_are_bounded_distinct_and_largest_first() {
        assert_eq!(ReminderOffsets::parse(&[15, 1440, 15]).unwrap().minutes(), &[1440, 15]);
        assert_eq!(ReminderOffsets::parse(&[]).unwrap(), ReminderOffsets::none());
        assert_eq!(ReminderOffsets::parse(&[15, 0]), Err(OffsetsError::OutOfRange { index: 1, value: 0 }));
        assert_eq!(ReminderOffsets::parse(&[i64::MAX]), Err(OffsetsError::OutOfRange { index: 0, value: i64::MAX }));
        assert_eq!(ReminderOffsets::parse(&[1; 9]), Err(OffsetsError::TooMany));
        assert!(ReminderOffsets::parse(&[MAX_OFFSET_MINUTES, 1]).is_ok());
    }

    #[test]
    fn the_user_then_the_organization_then_the_defaults() {
        let mine = ReminderOffsets::parse(&[60]).unwrap();
        let theirs = ReminderOffsets::parse(&[30]).unwrap();
        assert_eq!(effective(None, None, None), ReminderOffsets::default_offsets());
        assert_eq!(effective(Some(true), None, Some(theirs.clone())), theirs);
        assert_eq!(effective(Some(true), Some(mine.clone()), Some(theirs.clone())), mine);
        assert_eq!(effective(Some(false), Some(mine), Some(theirs)), ReminderOffsets::none());
    }

    #[test]
    fn past_offsets_are_skipped() {
        let start = at("2026-12-01T10:00:00Z");
        let planned = plan(start, &ReminderOffsets::default_offsets(), at("2026-12-01T09:00:00Z"));
        assert_eq!(planned, vec![PlannedReminder { offset_minutes: 15, due_at: at("2026-12-01T09:45:00Z") }]);
        let both = plan(start, &ReminderOffsets::default_offsets(), at("2026-11-29T10:00:00Z"));
        assert_eq!(both.len(), 2);
        assert_eq!(both[0].due_at, at("2026-11-30T10:00:00Z"));
        assert!(plan(start, &ReminderOffsets::default_offsets(), start).is_empty());
    }

    proptest! {
        #[test]
        fn every_planned_reminder_is_ahead_and_before_the_session(
            start in 0i64..4_000_000_000, now in 0i64..4_000_000_000,
            minutes in proptest::collection::vec(1i64..=MAX_OFFSET_MINUTES, 0..=MAX_OFFSETS),
        ) {
            let offsets = ReminderOffsets::parse(&minutes).unwrap();
            let (start, now) = (Timestamp::from_second(start).unwrap(), Timestamp::from_second(now).unwrap());
            for r in plan(start, &offsets, now) {
                prop_assert!(r.due_at > now && r.due_at < start);
                prop_assert_eq!(start.duration_since(r.due_at), SignedDuration::from_mins(r.offset_minutes));
            }
        }
    }
}
