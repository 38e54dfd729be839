//! Typed record ids: `Id<K>` is the row id of a record of kind `K`, so a user's id cannot be
//! passed where a booking's is expected. The raw number is read (`Id::get`) only where it is
//! stored (the store's binds) or encoded (`IdCodec`, which turns it into the client-facing
//! `usr_…` text); clients never see it.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;

/// A kind of record. Each kind has its own byte and prefix (for its public id).
pub trait IdKind {
    const TAG: u8;
    const PREFIX: &'static str;
    /// A human name used in error messages ("user id").
    const NAME: &'static str;
}

macro_rules! id_kinds {
    ($( $(#[$doc:meta])* $ty:ident = $tag:literal, $prefix:literal, $name:literal; )*) => {
        $(
            $(#[$doc])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
            pub struct $ty;
            impl IdKind for $ty {
                const TAG: u8 = $tag;
                const PREFIX: &'static str = $prefix;
                const NAME: &'static str = $name;
            }
        )*
    };
}

/// Marker types for the kinds of ids. Later kinds get new, never reused, tag bytes.
pub mod kind {
    use super::IdKind;
    id_kinds! {
        Organization = 1, "org", "organization id";
        User = 2, "usr", "user id";
        CareProvider = 3, "cp", "care provider id";
        Booking = 4, "bkg", "booking id";
        Slot = 5, "slot", "slot id";
        WebhookEndpoint = 6, "whe", "webhook endpoint id";
        Assessment = 7, "asm", "assessment id";
        /// Internal: access keys are never named to clients by id.
        AccessKey = 8, "key", "access key id";
        /// Internal: outbox events (delivery is a later issue).
        OutboxEvent = 9, "evt", "event id";
        /// Internal: a push notification's delivery job (named to the operator only).
        PushJob = 10, "psh", "push job id";
        /// One event's delivery to one webhook endpoint.
        WebhookDelivery = 11, "whd", "webhook delivery id";
        /// Internal: one scheduled reminder of a booking.
        Reminder = 12, "rmd", "reminder id";
    }
}

/// The row id of one record of kind `K`.
pub struct Id<K> {
    id: i64,
    _kind: PhantomData<K>,
}

pub type OrganizationId = Id<kind::Organization>;
pub type UserId = Id<kind::User>;
pub type CareProviderId = Id<kind::CareProvider>;
pub type BookingId = Id<kind::Booking>;
pub type AssessmentId = Id<kind::Assessment>;
pub type AccessKeyId = Id<kind::AccessKey>;
pub type OutboxEventId = Id<kind::OutboxEvent>;
pub type PushJobId = Id<kind::PushJob>;
pub type WebhookEndpointId = Id<kind::WebhookEndpoint>;
pub type WebhookDeliveryId = Id<kind::WebhookDelivery>;
pub type ReminderId = Id<kind::Reminder>;

impl<K> Id<K> {
    /// The record with this row id. Only where a row id enters the program: a row read from the
    /// database, a decoded public id.
    pub const fn new(id: i64) -> Self {
        Id { id, _kind: PhantomData }
    }

    /// The row id, for the store's binds and the public-id codec.
    pub const fn get(self) -> i64 {
        self.id
    }
}

impl<K> Clone for Id<K> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<K> Copy for Id<K> {}
impl<K> PartialEq for Id<K> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}
impl<K> Eq for Id<K> {}
impl<K> Hash for Id<K> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id.hash(state);
    }
}
impl<K> PartialOrd for Id<K> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<K> Ord for Id<K> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.id.cmp(&other.id)
    }
}
impl<K: IdKind> fmt::Debug for Id<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Id<{}>({})", K::PREFIX, self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_compare_hash_and_debug_by_row_id() {
        let (a, b) = (UserId::new(5), UserId::new(7));
        assert_eq!(a.get(), 5);
        assert!(a < b && a == UserId::new(5));
        assert_eq!([a, b, a].into_iter().collect::<HashSet<_>>().len(), 2);
        assert_eq!(format!("{a:?}"), "Id<usr>(5)");
        assert_eq!(format!("{:?}", BookingId::new(-1)), "Id<bkg>(-1)");
    }

    #[test]
    fn tags_are_never_reused() {
        use kind::*;
        let mut tags = vec![
            Organization::TAG,
            User::TAG,
            CareProvider::TAG,
            Booking::TAG,
            Slot::TAG,
            WebhookEndpoint::TAG,
            Assessment::TAG,
            AccessKey::TAG,
            OutboxEvent::TAG,
            PushJob::TAG,
            WebhookDelivery::TAG,
            Reminder::TAG,
        ];
        let count = tags.len();
        tags.sort_unstable();
        tags.dedup();
        assert_eq!(tags.len(), count);
    }
}
