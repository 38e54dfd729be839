//! What both backends share besides query text, compiled once: reading stored values back into
//! domain types, and the SQL spelling of the active booking statuses.

use crate::error::StoreError;
use tahoon_domain::booking::BookingStatus;
use tahoon_domain::organization::Role;
use tahoon_domain::settings::VideoProvider;

/// The statuses in which a booking holds its time (`BookingStatus::is_active`: Pending 6,
/// Confirmed 1), as the SQL condition every query uses (on `bookings.status`, unqualified).
///
/// Migrations cannot refer to this constant and repeat the list in their partial indexes and
/// exclusion constraints (`0004_booking.sql` and `0006_bounds_buffers_caps.sql` on both backends);
/// a new migration copies it from here. The unit test below keeps this text equal to the domain's
/// rule, and the conformance test `the_database_refuses_overlaps_of_active_statuses_only` keeps the
/// migrations' lists equal to it.
pub(crate) const ACTIVE_STATUSES: &str = "status IN (1, 6)";

pub(crate) fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what}: {value:?}"))
}

pub(crate) fn parse_role(text: &str) -> Result<Role, StoreError> {
    text.parse().map_err(|_| corrupt("role", text))
}

pub(crate) fn json<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|_| corrupt(what, text))
}

/// A stored instant (microseconds since the Unix epoch), read back: the one place rows' instants
/// become `Timestamp`s (values are bound with `Timestamp::as_microsecond`). One outside jiff's range
/// is corrupt, never a silent 1970.
pub(crate) fn instant(us: i64) -> Result<jiff::Timestamp, StoreError> {
    jiff::Timestamp::from_microsecond(us).map_err(|_| corrupt("instant", &us.to_string()))
}

/// A stored video vendor (`jitsi`, `videosdk`, `livekit`).
pub(crate) fn video_vendor_of(text: &str) -> Result<VideoProvider, StoreError> {
    VideoProvider::from_word(text).ok_or_else(|| corrupt("video vendor", text))
}

pub(crate) fn status_of(code: i64) -> Result<BookingStatus, StoreError> {
    BookingStatus::from_code(code).ok_or_else(|| corrupt("booking status", &code.to_string()))
}

/// Runs `begin` (a transaction's start), recording how long it took: waiting for a pooled
/// connection, or for SQLite's one writer, is where a saturated database shows first.
pub(crate) async fn timed_begin<T>(
    backend: &'static str,
    kind: &'static str,
    begin: impl Future<Output = Result<T, sqlx::Error>>,
) -> Result<T, StoreError> {
    let started = std::time::Instant::now();
    let began = begin.await;
    metrics::histogram!("tahoon_db_transaction_wait_seconds", "backend" => backend, "kind" => kind)
        .record(started.elapsed().as_secs_f64());
    Ok(began?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn active_statuses_are_the_domains() {
        let mut codes: Vec<i64> = BookingStatus::ALL.into_iter().filter(|s| s.is_active()).map(|s| s.code()).collect();
        codes.sort_unstable();
        let list = codes.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
        assert_eq!(ACTIVE_STATUSES, format!("status IN ({list})"));
    }

    #[test]
    fn instants_out_of_range_are_corrupt() {
        let t: jiff::Timestamp = "2026-12-01T10:00:00.123456Z".parse().unwrap();
        assert_eq!(instant(t.as_microsecond()).unwrap(), t);
        assert_eq!(instant(0).unwrap(), jiff::Timestamp::UNIX_EPOCH);
        for bad in [i64::MAX, i64::MIN] {
            assert!(matches!(instant(bad), Err(StoreError::Corrupt(_))), "{bad}");
        }
    }
}
