//! Organizations (tenants) and what their access keys may do.

use crate::ids::{AccessKeyId, OrganizationId};
pub use crate::time_zone::ZoneSetting;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A tenant: a partner organization and its settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    pub id: OrganizationId,
    pub name: String,
    pub kind: OrganizationKind,
    /// Sessions left, for charity organizations.
    pub balance: i64,
    pub rate_limit_per_minute: i64,
    pub enabled: bool,
    pub require_signature_header: bool,
    /// Bumped by a key rotation; tokens carry it, so rotation invalidates every older token.
    pub credentials_version: i64,
    /// The shared signing key, sealed under the master key.
    pub shared_key_sealed: String,
    pub created_at: Timestamp,
    /// Cancelling at least this many hours before a session's start restores a charity's session.
    pub cancellation_cutoff_hours: i64,
    /// The most active sessions, not yet started, one user may hold (`None`: no cap).
    pub max_active_bookings_per_user: Option<i64>,
    /// How this organization's requests are read and its answers written.
    pub compat_mode: CompatMode,
    /// The zone of requests that name none (compatibility mode): set by the operator, or
    /// remembered from the organization's last `gmtTimeDiffrenceHours`.
    pub default_time_zone: Option<ZoneSetting>,
    /// `default_time_zone` was remembered from a request (a later request may replace it), not
    /// set by the operator (which requests never change).
    pub default_time_zone_remembered: bool,
}

impl Organization {
    /// Whether this organization speaks the reference system's dialect.
    pub fn is_reference_compatible(&self) -> bool {
        self.compat_mode == CompatMode::Reference
    }
}

/// How an organization's requests are read: `strict` (the default, what the docs teach) or
/// `reference`, which reads requests as the reference system's ASP.NET Core binder did
/// (`docs/switching.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CompatMode {
    #[default]
    Strict,
    Reference,
}

/// One of an organization's access keys (its digest stays in the store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessKey {
    pub id: AccessKeyId,
    pub organization_id: OrganizationId,
    pub role: Role,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

/// Standard organizations are billed for usage; charity organizations spend a session balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrganizationKind {
    Standard,
    Charity,
}

/// What an access key (and the tokens issued for it) may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    ReadOnly,
    FullAccess,
}

impl Role {
    pub fn can_mutate(self) -> bool {
        matches!(self, Role::FullAccess)
    }
}

macro_rules! text_enum {
    ($ty:ident { $($variant:ident => $text:literal),* }) => {
        impl $ty {
            pub fn as_str(self) -> &'static str { match self { $($ty::$variant => $text),* } }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
        impl FromStr for $ty {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $( _ if s.eq_ignore_ascii_case($text) => Ok($ty::$variant), )*
                    _ => Err(format!("expected one of: {}", [$($text),*].join(", "))),
                }
            }
        }
    };
}

text_enum!(OrganizationKind { Standard => "standard", Charity => "charity" });
text_enum!(Role { ReadOnly => "ReadOnly", FullAccess => "FullAccess" });
text_enum!(CompatMode { Strict => "strict", Reference => "reference" });

/// A number outside its setting's bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("must be {min} to {max}")]
pub struct OutOfRange {
    pub min: i64,
    pub max: i64,
}

/// The operator-set numbers of an organization, each bounded so that no arithmetic on it can
/// overflow and no stored row can hold what the service cannot read back. The database holds the
/// same bounds as constraints.
macro_rules! bounded_setting {
    ($(#[$doc:meta])* $name:ident, $field:literal, $min:expr, $max:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name(i64);

        impl $name {
            pub const MIN: i64 = $min;
            pub const MAX: i64 = $max;
            /// The field's name on the wire (camelCase), for errors.
            pub const FIELD: &'static str = $field;

            pub const fn new(value: i64) -> Result<$name, OutOfRange> {
                if value >= $min && value <= $max {
                    Ok($name(value))
                } else {
                    Err(OutOfRange { min: $min, max: $max })
                }
            }

            /// The nearest value within bounds; for constants written in code, never for input.
            pub const fn clamped(value: i64) -> $name {
                if value < $min {
                    $name($min)
                } else if value > $max {
                    $name($max)
                } else {
                    $name(value)
                }
            }

            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<$name, String> {
                let value: i64 = s.trim().parse().map_err(|_| format!("must be a whole number from {} to {}", $min, $max))?;
                $name::new(value).map_err(|e| e.to_string())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<$name, D::Error> {
                let value = i64::deserialize(deserializer)?;
                $name::new(value).map_err(serde::de::Error::custom)
            }
        }
    };
}

bounded_setting!(
    /// Sessions a charity organization may still book.
    SessionBalance, "balance", 0, 1_000_000_000
);
bounded_setting!(
    /// Requests per minute an organization may send.
    RateLimit, "rateLimitPerMinute", 1, 1_000_000
);
bounded_setting!(
    /// Hours before a session's start after which cancelling no longer refunds and rescheduling is refused.
    CancellationCutoff, "cancellationCutoffHours", 0, 168
);
bounded_setting!(
    /// The most active (Pending or Confirmed) sessions, not yet started, one user may hold.
    ActiveBookingCap, "maxActiveBookingsPerUser", 1, 1_000
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trip() {
        for k in [OrganizationKind::Standard, OrganizationKind::Charity] {
            assert_eq!(k.as_str().parse::<OrganizationKind>().unwrap(), k);
        }
        for r in [Role::ReadOnly, Role::FullAccess] {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
        assert_eq!("fullaccess".parse::<Role>().unwrap(), Role::FullAccess);
        assert!("admin".parse::<Role>().is_err());
    }

    #[test]
    fn settings_are_bounded() {
        assert_eq!(SessionBalance::new(0).unwrap().get(), 0);
        assert_eq!(SessionBalance::new(1_000_000_000).unwrap().get(), 1_000_000_000);
        for bad in [-1, 1_000_000_001, i64::MAX, i64::MIN] {
            assert_eq!(SessionBalance::new(bad), Err(OutOfRange { min: 0, max: 1_000_000_000 }));
        }
        assert!(RateLimit::new(0).is_err() && RateLimit::new(1).is_ok() && RateLimit::new(1_000_001).is_err());
        assert!(CancellationCutoff::new(169).is_err() && CancellationCutoff::new(0).is_ok());
        assert!(ActiveBookingCap::new(0).is_err() && ActiveBookingCap::new(1_000).is_ok());
        assert_eq!("12".parse::<ActiveBookingCap>().unwrap().get(), 12);
        assert!("x".parse::<ActiveBookingCap>().is_err());
        assert!(
            serde_json::from_str::<SessionBalance>("9223372036854775807").unwrap_err().to_string().contains("0 to")
        );
        assert!(serde_json::from_str::<SessionBalance>("\"5\"").is_err());
    }
}
