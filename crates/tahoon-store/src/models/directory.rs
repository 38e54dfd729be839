//! What the availability index loads and the change sequence it follows.

use super::BusyInterval;
use tahoon_domain::ids::CareProviderId;
use tahoon_domain::provider::CareProvider;

/// Everything the index holds, from one snapshot.
#[derive(Debug, Clone)]
pub struct DirectoryLoad {
    /// The change sequence's last number when the snapshot was read (0 when empty).
    pub head: i64,
    pub providers: Vec<CareProvider>,
    pub busy: Vec<BusyInterval>,
}

/// What changed about a provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChangeScope {
    /// A booking of the provider was made, moved, or changed status.
    Bookings,
    /// The provider itself: profile, rates, policy or availability (its bookings may not have).
    Provider,
    /// The filter catalogue (the change's provider id is 0).
    Catalogue,
}

impl ChangeScope {
    pub fn from_code(code: i64) -> Option<ChangeScope> {
        match code {
            1 => Some(ChangeScope::Bookings),
            2 => Some(ChangeScope::Provider),
            3 => Some(ChangeScope::Catalogue),
            _ => None,
        }
    }
}

/// One row of the change sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DirectoryChange {
    pub seq: i64,
    pub provider_id: CareProviderId,
    pub scope: ChangeScope,
}
