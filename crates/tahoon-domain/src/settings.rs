//! Settings held in the database (the reference's `CatAppConfigSetting` groups, §9.2): the
//! catalogue of known settings as data — each key (`group.name`), its type, whether it is secret,
//! its default and a one-line description — the rules that turn a text into a typed value, and
//! the typed groups the integrations read (`SettingValues::video`, `::fcm`, `::privacy`).
//!
//! Pure: sealing secrets, storing, caching and propagating changes are the store's and the
//! server's. A value is stored as the text `SettingValue::to_text` writes, which `parse` reads
//! back to the same value.

mod catalogue;
mod typed;
mod validate;

#[cfg(test)]
mod tests;

pub use catalogue::{CATALOGUE, GROUPS, REQUIREMENTS};
pub use typed::*;
pub use validate::service_account;

use serde_json::Value;
use std::fmt;

/// What a masked secret shows in place of the hidden characters.
pub const MASK: &str = "••••";

/// Longest text value, in characters.
pub const MAX_TEXT_CHARS: usize = 4_096;
/// Longest JSON document, in bytes (a service-account key file is about 2.4 KB).
pub const MAX_JSON_BYTES: usize = 64 * 1024;

/// A group of settings: the part of a key before the dot.
#[derive(Debug, Clone, Copy)]
pub struct SettingGroup {
    pub name: &'static str,
    pub description: &'static str,
    /// The reference's `CatAppConfigSetting` group this one takes over, if any.
    pub reference: Option<&'static str>,
}

/// What a setting holds, and so which texts it accepts.
#[derive(Debug, Clone, Copy)]
pub enum SettingType {
    /// Text on one line: 1–4,096 characters, no control characters.
    Text,
    /// An absolute `http` or `https` URL with a host and without user information, query or
    /// fragment; stored normalized and without a trailing `/`, so `{url}/path` joins.
    Url,
    /// `true` or `false`.
    Bool,
    /// A whole number within bounds.
    Integer { min: i64, max: i64 },
    /// A duration: a whole number of seconds within bounds.
    Seconds { min: i64, max: i64 },
    /// A duration: a whole number of milliseconds within bounds.
    Milliseconds { min: i64, max: i64 },
    /// One of these words (read without regard to case, stored in lowercase).
    Choice(&'static [&'static str]),
    /// A JSON document that `check` accepts; `what` says what it must be.
    Json { what: &'static str, check: fn(&Value) -> Result<(), String> },
}

impl SettingType {
    /// Its name in listings.
    pub fn name(&self) -> &'static str {
        match self {
            SettingType::Text => "text",
            SettingType::Url => "url",
            SettingType::Bool => "bool",
            SettingType::Integer { .. } => "integer",
            SettingType::Seconds { .. } => "seconds",
            SettingType::Milliseconds { .. } => "milliseconds",
            SettingType::Choice(_) => "choice",
            SettingType::Json { .. } => "json",
        }
    }

    /// The smallest and largest number a numeric setting takes.
    pub fn bounds(&self) -> Option<(i64, i64)> {
        match *self {
            SettingType::Integer { min, max }
            | SettingType::Seconds { min, max }
            | SettingType::Milliseconds { min, max } => Some((min, max)),
            _ => None,
        }
    }

    /// The words a choice takes.
    pub fn choices(&self) -> Option<&'static [&'static str]> {
        match *self {
            SettingType::Choice(words) => Some(words),
            _ => None,
        }
    }

    /// What a value must be, as the end of "must be …".
    pub fn rule(&self) -> String {
        match *self {
            SettingType::Text => format!("text of 1 to {MAX_TEXT_CHARS} characters without control characters"),
            SettingType::Url => "an absolute http or https URL without user name, password, query or fragment".into(),
            SettingType::Bool => "true or false".into(),
            SettingType::Integer { min, max } => format!("a whole number from {min} to {max}"),
            SettingType::Seconds { min, max } => format!("a whole number of seconds from {min} to {max}"),
            SettingType::Milliseconds { min, max } => format!("a whole number of milliseconds from {min} to {max}"),
            SettingType::Choice(words) => format!("one of: {}", words.join(", ")),
            SettingType::Json { what, .. } => what.into(),
        }
    }
}

/// One known setting.
#[derive(Debug, Clone, Copy)]
pub struct SettingSpec {
    /// `group.name`, lowercase.
    pub key: &'static str,
    pub kind: SettingType,
    /// Sealed at rest with the master key and never shown in full.
    pub secret: bool,
    /// The value when none is set, as text (`None`: no value).
    pub default: Option<&'static str>,
    /// One line on what it does.
    pub description: &'static str,
}

impl SettingSpec {
    /// The group: the part of the key before the dot.
    pub fn group(&self) -> &'static str {
        self.key.split_once('.').map_or(self.key, |(group, _)| group)
    }

    /// Reads a text as this setting's value (surrounding white space ignored), or says why not.
    /// The reason never repeats the text, which may be a secret.
    pub fn parse(&self, text: &str) -> Result<SettingValue, SettingError> {
        validate::parse(self.kind, text.trim()).map_err(SettingError)
    }

    /// The default as a value (`None` when the setting has none).
    pub fn default_value(&self) -> Option<SettingValue> {
        self.default.and_then(|text| self.parse(text).ok())
    }

    /// A value as it may be shown: in full, or masked when the setting is secret.
    pub fn shown(&self, value: &SettingValue) -> String {
        match (self.secret, value) {
            (false, value) => value.to_text(),
            (true, SettingValue::Json(_)) => MASK.to_string(),
            (true, value) => mask(&value.to_text()),
        }
    }
}

/// The known setting named `key` (read without regard to case or surrounding space).
pub fn find(key: &str) -> Option<&'static SettingSpec> {
    let key = key.trim();
    CATALOGUE.iter().find(|spec| spec.key.eq_ignore_ascii_case(key))
}

/// A secret as it may be shown: the mask, then its last four characters when it has at least 16
/// (so at most a quarter of it shows); a shorter secret shows nothing.
pub fn mask(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    if chars.len() >= 16 {
        let tail: String = chars[chars.len() - 4..].iter().collect();
        format!("{MASK}{tail}")
    } else {
        MASK.to_string()
    }
}

/// A setting's typed value. URLs and choices are `Text`; durations are `Integer` in the
/// setting's unit. `Debug` never shows the value (it may be a secret).
#[derive(Clone, PartialEq)]
pub enum SettingValue {
    Text(String),
    Bool(bool),
    Integer(i64),
    Json(Value),
}

impl SettingValue {
    /// The text it is stored as, which `SettingSpec::parse` reads back to the same value.
    pub fn to_text(&self) -> String {
        match self {
            SettingValue::Text(text) => text.clone(),
            SettingValue::Bool(flag) => flag.to_string(),
            SettingValue::Integer(number) => number.to_string(),
            SettingValue::Json(document) => document.to_string(),
        }
    }
}

impl fmt::Debug for SettingValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SettingValue::Text(text) => write!(f, "Text({} characters)", text.chars().count()),
            SettingValue::Bool(_) => f.write_str("Bool(..)"),
            SettingValue::Integer(_) => f.write_str("Integer(..)"),
            SettingValue::Json(_) => f.write_str("Json(..)"),
        }
    }
}

/// Why a text is not a valid value: "must be …", never repeating the text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SettingError(pub String);

/// A value of one setting that needs other settings set: a video vendor needs its credentials.
#[derive(Debug, Clone, Copy)]
pub struct Requirement {
    pub key: &'static str,
    pub value: &'static str,
    pub needs: &'static [&'static str],
}

/// A requirement that a set of values leaves unmet, with the keys missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmet {
    pub key: &'static str,
    pub value: &'static str,
    pub missing: Vec<&'static str>,
}

impl fmt::Display for Unmet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} needs {} set", self.value, self.missing.join(" and "))
    }
}

/// The first requirement `values` leaves unmet.
pub fn unmet(values: &SettingValues) -> Option<Unmet> {
    REQUIREMENTS.iter().find_map(|r| {
        if values.get(r.key).map(|v| v.to_text()).as_deref() != Some(r.value) {
            return None;
        }
        let missing: Vec<&'static str> = r.needs.iter().copied().filter(|key| !values.is_set(key)).collect();
        (!missing.is_empty()).then_some(Unmet { key: r.key, value: r.value, missing })
    })
}

/// The longest `video.request_timeout_ms` a booking hold of `hold_ttl_secs` allows: half of it.
/// The video room is made while the slot is held; a call still running when the hold is given up
/// would make a room for nothing, so the whole call must end well inside the hold's time to live.
pub fn longest_video_request_ms(hold_ttl_secs: i64) -> i64 {
    hold_ttl_secs.saturating_mul(1_000) / 2
}
