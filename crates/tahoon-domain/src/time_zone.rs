//! The caller's time zone: an IANA name (`timeZone`, wins) or a whole-or-fractional hour offset
//! (`gmtTimeDiffrenceHours`, the reference's field), UTC when neither is given.

use jiff::tz::{Offset, TimeZone};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ZoneError {
    #[error("is not a known IANA time zone name (such as Asia/Riyadh)")]
    UnknownZone,
    #[error("must be between -12 and +14 hours in steps of 0.25")]
    BadOffset,
}

/// Parses an IANA zone name such as `Asia/Kolkata`.
pub fn parse_iana(name: &str) -> Result<TimeZone, ZoneError> {
    let name = name.trim();
    if name.is_empty() || name.len() > 64 {
        return Err(ZoneError::UnknownZone);
    }
    TimeZone::get(name).map_err(|_| ZoneError::UnknownZone)
}

/// A fixed offset of `hours` (3, -4.5, 5.75).
pub fn from_offset_hours(hours: f64) -> Result<TimeZone, ZoneError> {
    if !hours.is_finite() || !(-12.0..=14.0).contains(&hours) || (hours * 4.0).fract() != 0.0 {
        return Err(ZoneError::BadOffset);
    }
    let seconds = (hours * 3600.0).round() as i32;
    Offset::from_seconds(seconds).map(TimeZone::fixed).map_err(|_| ZoneError::BadOffset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_offsets() {
        assert!(parse_iana("Asia/Riyadh").is_ok());
        assert!(parse_iana("America/New_York").is_ok());
        assert_eq!(parse_iana("Mars/Olympus"), Err(ZoneError::UnknownZone));
        assert_eq!(parse_iana(""), Err(ZoneError::UnknownZone));
        assert!(from_offset_hours(3.0).is_ok());
        assert!(from_offset_hours(5.5).is_ok());
        assert!(from_offset_hours(5.75).is_ok());
        assert!(from_offset_hours(-12.0).is_ok());
        assert_eq!(from_offset_hours(5.1), Err(ZoneError::BadOffset));
        assert_eq!(from_offset_hours(15.0), Err(ZoneError::BadOffset));
        assert_eq!(from_offset_hours(f64::NAN), Err(ZoneError::BadOffset));
    }
}
