//! Bookings written as they already are (`BookingImportStore`).

use super::DbStore;
use super::booking_rows::{HistoryLine, MeetingColumns, Overlap};
use crate::error::StoreError;
use crate::models::{BookingImport, ImportedBooking};
use crate::store::BookingImportStore;
use tahoon_domain::ids::Id;

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
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO bookings (organization_id, user_id, provider_id, starts_at, ends_at, status, \
                 price_minor, currency, communication_type, from_mobile, platform_id, charity_debited, created_at, \
                 updated_at, blocks_until, meeting_id, join_url, video_vendor, reference_alias) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, FALSE, NULL, FALSE, $9, $9, $10, $11, $12, $13, $14) \
                 RETURNING id",
            )
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
            .fetch_one(&mut *tx)
            .await?;
            let line = HistoryLine {
                booking_id: Id::new(id),
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
