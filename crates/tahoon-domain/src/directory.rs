//! The availability index: the directory held in memory so that a search costs what its page
//! costs, not what the directory holds.
//!
//! It holds every provider with its weekly rules, exceptions and active bookings; the filters as
//! bitsets over provider ranks (rank: rating, highest first, then id, the order of equally
//! available providers); and every free slot of the coverage (today and the days up to the
//! longest booking horizon, at most `MAX_COVERAGE_DAYS`) in one sorted list per UTC day, each
//! entry a slot's start packed above its provider's rank. A search reads the caller's day in time
//! order and takes each matching provider at its first slot still offered (notice, horizon and
//! the caller's own sessions are checked as it reads), until the page is full; the page's slots
//! are then computed exactly as `availability::slots` computes them.
//!
//! A change to one provider (a booking, its availability) is applied in place by comparing the
//! provider's free slots before and after; a change of rating or a new provider rebuilds the index
//! beside the old one. The database remains the judge: booking checks the slot again and holds it
//! there, so a stale index can at worst show a slot that is then refused.

mod bitset;
mod changes;
mod filters;
mod index;
mod listed;
mod search;

pub use bitset::Bitset;
pub use changes::{ChangeCursor, GAP_GRACE, LOOKBACK};
pub use index::{DirectoryIndex, MAX_COVERAGE_DAYS, MAX_PROVIDERS, ProviderChange};
pub use listed::{Booked, Listed};
pub use search::{Found, Page, Query, SearchPlan};

#[cfg(test)]
mod tests;
