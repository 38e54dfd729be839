//! Organizations as the store creates and changes them.

use jiff::Timestamp;
use tahoon_domain::organization::{CompatMode, OrganizationKind, Role, ZoneSetting};

/// A new organization with its first access key.
#[derive(Debug, Clone)]
pub struct NewOrganization {
    pub name: String,
    pub kind: OrganizationKind,
    pub balance: i64,
    pub rate_limit_per_minute: i64,
    pub max_active_bookings_per_user: Option<i64>,
    pub require_signature_header: bool,
    pub shared_key_sealed: String,
    pub access_key_digest: String,
    pub role: Role,
    pub now: Timestamp,
}

/// New credentials for `rotate_organization_keys`.
#[derive(Debug, Clone)]
pub struct NewCredentials {
    pub shared_key_sealed: String,
    pub access_key_digest: String,
    pub role: Role,
    pub now: Timestamp,
}

/// Settings an operator can change after creation.
#[derive(Debug, Clone, Default)]
pub struct OrganizationChanges {
    pub enabled: Option<bool>,
    pub require_signature_header: Option<bool>,
    pub rate_limit_per_minute: Option<i64>,
    pub balance: Option<i64>,
    pub name: Option<String>,
    pub cancellation_cutoff_hours: Option<i64>,
    /// `Some(None)` removes the cap.
    pub max_active_bookings_per_user: Option<Option<i64>>,
    pub compat_mode: Option<CompatMode>,
    /// The operator's zone; `Some(None)` removes it (requests may then remember one again).
    pub default_time_zone: Option<Option<ZoneSetting>>,
}
