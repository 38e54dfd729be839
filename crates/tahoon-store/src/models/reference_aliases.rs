//! The kinds of records that keep a reference id as an alias (`ReferenceAliasStore`).

/// A kind of record imported from the reference system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AliasKind {
    Organization,
    CareProvider,
    User,
    Booking,
}
