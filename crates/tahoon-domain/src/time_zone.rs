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

/// A zone kept as a setting: an IANA name, or a fixed offset written `±HH:MM`; it reads back as
/// it was written.
#[derive(Debug, Clone)]
pub struct ZoneSetting {
    text: String,
    zone: TimeZone,
}

impl PartialEq for ZoneSetting {
    fn eq(&self, other: &ZoneSetting) -> bool {
        self.text == other.text
    }
}
impl Eq for ZoneSetting {}

impl ZoneSetting {
    /// An IANA name (`Asia/Riyadh`) or an offset (`+03:00`, `-04:30`, `UTC`).
    pub fn parse(text: &str) -> Result<ZoneSetting, ZoneError> {
        let text = text.trim();
        if let Some(sign) = text.chars().next().filter(|c| *c == '+' || *c == '-') {
            let (hours, minutes) = text[1..].split_once(':').ok_or(ZoneError::BadOffset)?;
            let digits =
                |t: &str| (t.len() == 2 && t.bytes().all(|b| b.is_ascii_digit())).then(|| t.parse::<u8>().ok());
            let (Some(Some(h)), Some(Some(m))) = (digits(hours), digits(minutes)) else {
                return Err(ZoneError::BadOffset);
            };
            let magnitude = f64::from(h) + f64::from(m) / 60.0;
            return ZoneSetting::from_offset_hours(if sign == '-' { -magnitude } else { magnitude });
        }
        Ok(ZoneSetting { text: text.to_string(), zone: parse_iana(text)? })
    }

    /// A fixed offset of `hours`, as `gmtTimeDiffrenceHours` gives it.
    pub fn from_offset_hours(hours: f64) -> Result<ZoneSetting, ZoneError> {
        let zone = from_offset_hours(hours)?;
        let minutes = (hours * 60.0).round() as i32;
        let sign = if minutes < 0 { '-' } else { '+' };
        let text = format!("{sign}{:02}:{:02}", minutes.abs() / 60, minutes.abs() % 60);
        Ok(ZoneSetting { text, zone })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn zone(&self) -> &TimeZone {
        &self.zone
    }
}

impl std::str::FromStr for ZoneSetting {
    type Err = ZoneError;
    fn from_str(s: &str) -> Result<ZoneSetting, ZoneError> {
        ZoneSetting::parse(s)
    }
}

impl serde::Serialize for ZoneSetting {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> serde::Deserialize<'de> for ZoneSetting {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<ZoneSetting, D::Error> {
        let text = String::deserialize(deserializer)?;
        ZoneSetting::parse(&text).map_err(|_| {
            serde::de::Error::custom("must be an IANA time zone name (such as Asia/Riyadh) or an offset such as +03:00")
        })
    }
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

    #[test]
    fn zone_settings_read_back_as_written() {
        for text in ["Asia/Riyadh", "+03:00", "-04:30", "+05:45", "+00:00", "UTC"] {
            assert_eq!(ZoneSetting::parse(text).unwrap().as_str(), text);
        }
        assert_eq!(ZoneSetting::from_offset_hours(3.0).unwrap().as_str(), "+03:00");
        assert_eq!(ZoneSetting::from_offset_hours(-4.5).unwrap().as_str(), "-04:30");
        assert_eq!(ZoneSetting::from_offset_hours(5.75).unwrap(), ZoneSetting::parse("+05:45").unwrap());
        for bad in ["", "+3", "+03", "+15:00", "+03:10", "+0a:00", "Mars/Olympus", "+03:00:00"] {
            assert!(ZoneSetting::parse(bad).is_err(), "{bad}");
        }
    }
}
