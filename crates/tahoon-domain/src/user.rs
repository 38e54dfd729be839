//! Users: a partner's clients and guests.

use crate::ids::{OrganizationId, UserId};
use jiff::Timestamp;

/// A registered user. Erased users keep their id (for anonymous records) and lose the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub organization_id: OrganizationId,
    pub reference_id: Option<String>,
    pub name: Option<String>,
    pub dob: Option<String>,
    pub gender: Option<i64>,
    pub created_at: Timestamp,
}
