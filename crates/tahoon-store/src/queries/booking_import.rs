//! Bookings written as they already are (`BookingImportStore`).

use super::DbStore;
use super::booking_rows::{BookingRow, COLUMNS, HistoryLine, MeetingColumns, Overlap};
use crate::error::StoreError;
use crate::models::{BookingImport, ImportedBooking};
use crate::store::BookingImportStore;
use const_format::formatcp;
use tahoon_domain::booking::Booking;

/// Imports this large refresh the planner's statistics (`refresh_statistics`).
const ANALYZE_AFTER: u64 = 500;

#[async_trait::async_trait]
impl BookingImportStore for DbStore {
    async fn import_bookings(&self, bookings: &[ImportedBooking]) -> Result<BookingImport, StoreError> {
        let mut tx = self.begin_write().await?;
        let mut outcome = BookingImport::default();
        for b in bookings {
            if let Some(alias) = &b.reference_alias {
                let known: Option<(i64,)> =
                    sqlx::query_as("SELECT id FROM bookings WHERE organization_id = $1 AND reference_alias = $2")
                        .bind(b.organization_id.get())
                        .bind(alias)
                        .fetch_optional(&mut *tx)
                        .await?;
                if known.is_some() {
                    outcome.already_present += 1;
                    continue;
                }
            }
            // Only active bookings hold time; an inactive one never overlaps.
            if b.status.is_active() {
                let overlap = Overlap {
                    except: None,
                    provider_id: b.provider_id,
                    user_id: b.user_id,
                    starts_at: b.starts_at,
                    ends_at: b.ends_at,
                    blocks_until: b.blocks_until,
                };
                if overlap.exists(&mut tx).await? {
                    outcome.overlapping += 1;
                    continue;
                }
            }
            let meeting = MeetingColumns::of(b.meeting.as_ref());
            let row: BookingRow = sqlx::query_as(formatcp!(
                "INSERT INTO bookings (organization_id, user_id, provider_id, starts_at, ends_at, status, \
                 price_minor, currency, communication_type, from_mobile, platform_id, charity_debited, created_at, \
                 updated_at, blocks_until, meeting_id, join_url, video_vendor, reference_alias) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, FALSE, NULL, $15, $9, $9, $10, $11, $12, $13, $14) \
                 RETURNING {COLUMNS}"
            ))
            .bind(b.organization_id.get())
            .bind(b.user_id.get())
            .bind(b.provider_id.get())
            .bind(b.starts_at.as_microsecond())
            .bind(b.ends_at.as_microsecond())
            .bind(b.status.code())
            .bind(b.price_minor)
            .bind(&b.currency)
            .bind(b.now.as_microsecond())
            .bind(b.blocks_until.as_microsecond())
            .bind(&meeting.meeting_id)
            .bind(&meeting.join_url)
            .bind(meeting.vendor)
            .bind(&b.reference_alias)
            .bind(b.charity_debited)
            .fetch_one(&mut *tx)
            .await?;
            let booking = Booking::try_from(row)?;
            // An imported session is reminded of like any other.
            super::reminders::replan(&mut tx, &booking, b.now).await?;
            let line = HistoryLine {
                booking_id: booking.id,
                from: None,
                to: b.status,
                at: b.now,
                actor: &b.actor,
                reason: "imported",
            };
            line.insert(&mut tx).await?;
            outcome.imported += 1;
        }
        tx.commit().await?;
        if outcome.imported >= ANALYZE_AFTER {
            self.refresh_statistics("bookings").await?;
        }
        Ok(outcome)
    }
}
