-- Booking: the order details, the status history, the cancellation policy, and the database's
-- guarantee that no provider and no user ever holds two overlapping active sessions.

ALTER TABLE organizations ADD COLUMN cancellation_cutoff_hours BIGINT NOT NULL DEFAULT 24;

ALTER TABLE bookings ADD COLUMN price_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE bookings ADD COLUMN currency TEXT NOT NULL DEFAULT '';
ALTER TABLE bookings ADD COLUMN communication_type BIGINT NOT NULL DEFAULT 1;
ALTER TABLE bookings ADD COLUMN from_mobile BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE bookings ADD COLUMN platform_id BIGINT;
ALTER TABLE bookings ADD COLUMN meeting_id TEXT;
ALTER TABLE bookings ADD COLUMN join_url TEXT;
ALTER TABLE bookings ADD COLUMN charity_debited BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE booking_status_history (
    id          BIGSERIAL PRIMARY KEY,
    booking_id  BIGINT NOT NULL REFERENCES bookings (id),
    from_status BIGINT,
    to_status   BIGINT NOT NULL,
    at          BIGINT NOT NULL,
    actor       TEXT   NOT NULL,
    reason      TEXT   NOT NULL
);
CREATE INDEX booking_status_history_booking ON booking_status_history (booking_id, id);

CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE bookings ADD CONSTRAINT bookings_provider_no_overlap
    EXCLUDE USING gist (provider_id WITH =, int8range(starts_at, ends_at, '[)') WITH &&) WHERE (status IN (1, 6));
ALTER TABLE bookings ADD CONSTRAINT bookings_user_no_overlap
    EXCLUDE USING gist (user_id WITH =, int8range(starts_at, ends_at, '[)') WITH &&) WHERE (status IN (1, 6));
