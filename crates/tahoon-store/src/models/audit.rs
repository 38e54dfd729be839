//! Reading the audit trail by organization, time and action.

use jiff::Timestamp;
use tahoon_domain::ids::OrganizationId;

/// Which audit entries to read: each filter applies when given. In `seq` order, after
/// `after_seq` (0: from the start), skipping `offset`, at most `limit`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    pub organization_id: Option<OrganizationId>,
    /// Inclusive.
    pub from: Option<Timestamp>,
    /// Exclusive.
    pub to: Option<Timestamp>,
    /// An exact action, such as `token.issued`.
    pub action: Option<String>,
    pub after_seq: i64,
    pub offset: i64,
    pub limit: i64,
}
