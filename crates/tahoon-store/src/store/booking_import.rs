//! `BookingImportStore`: bookings carried over from another system (or generated for benchmarks).

use crate::error::StoreError;
use crate::models::*;
use async_trait::async_trait;

/// Bookings written as they already are, without the booking saga: no hold, no room made, no
/// event (they are not news), each with one status-history line naming its importer.
#[async_trait]
pub trait BookingImportStore: Send + Sync {
    /// Writes the bookings in one transaction; one that would overlap an active booking of its
    /// provider or user (stored, or earlier in `bookings`) is left out and counted.
    async fn import_bookings(&self, bookings: &[ImportedBooking]) -> Result<BookingImport, StoreError>;
}
