-- Booking: the order details, the status history, the cancellation policy, and the database's
-- guarantee that no provider and no user ever holds two overlapping active sessions.

ALTER TABLE organizations ADD COLUMN cancellation_cutoff_hours INTEGER NOT NULL DEFAULT 24;

ALTER TABLE bookings ADD COLUMN price_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE bookings ADD COLUMN currency TEXT NOT NULL DEFAULT '';
ALTER TABLE bookings ADD COLUMN communication_type INTEGER NOT NULL DEFAULT 1;
ALTER TABLE bookings ADD COLUMN from_mobile INTEGER NOT NULL DEFAULT 0;
ALTER TABLE bookings ADD COLUMN platform_id INTEGER;
ALTER TABLE bookings ADD COLUMN meeting_id TEXT;
ALTER TABLE bookings ADD COLUMN join_url TEXT;
ALTER TABLE bookings ADD COLUMN charity_debited INTEGER NOT NULL DEFAULT 0;

CREATE TABLE booking_status_history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    booking_id  INTEGER NOT NULL REFERENCES bookings (id),
    from_status INTEGER,
    to_status   INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    actor       TEXT   NOT NULL,
    reason      TEXT   NOT NULL
);
CREATE INDEX booking_status_history_booking ON booking_status_history (booking_id, id);

-- SQLite has no exclusion constraints: every booking write runs in a BEGIN IMMEDIATE transaction
-- (one writer at a time) that checks for overlaps before writing; these indexes are the backstop
-- for the commonest race, two holds of the same start.
CREATE UNIQUE INDEX bookings_provider_active_start ON bookings (provider_id, starts_at) WHERE status IN (1, 6);
CREATE UNIQUE INDEX bookings_user_active_start ON bookings (user_id, starts_at) WHERE status IN (1, 6);
