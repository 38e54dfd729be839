-- Issue 8: operator-set numbers kept in range, an optional cap on a user's active bookings, and
-- the time a booking holds on its provider's calendar (its end plus the provider's buffer).

-- Bring any row into range first, so the constraints can be added.
UPDATE organizations SET balance = LEAST(GREATEST(balance, 0), 1000000000)
    WHERE balance NOT BETWEEN 0 AND 1000000000;
UPDATE organizations SET rate_limit_per_minute = LEAST(GREATEST(rate_limit_per_minute, 1), 1000000)
    WHERE rate_limit_per_minute NOT BETWEEN 1 AND 1000000;
UPDATE organizations SET cancellation_cutoff_hours = LEAST(GREATEST(cancellation_cutoff_hours, 0), 168)
    WHERE cancellation_cutoff_hours NOT BETWEEN 0 AND 168;

-- NULL: no cap.
ALTER TABLE organizations ADD COLUMN max_active_bookings_per_user BIGINT;

ALTER TABLE organizations
    ADD CONSTRAINT organizations_balance_in_range CHECK (balance BETWEEN 0 AND 1000000000),
    ADD CONSTRAINT organizations_rate_limit_in_range CHECK (rate_limit_per_minute BETWEEN 1 AND 1000000),
    ADD CONSTRAINT organizations_cutoff_in_range CHECK (cancellation_cutoff_hours BETWEEN 0 AND 168),
    ADD CONSTRAINT organizations_booking_cap_in_range CHECK (max_active_bookings_per_user BETWEEN 1 AND 1000);

-- Until when a booking keeps its provider busy: its end plus the buffer in force when it was
-- booked or moved. Two active bookings of one provider never have overlapping [starts_at,
-- blocks_until), which keeps at least the buffer between sessions; the exclusion constraint now
-- compares those ranges.
ALTER TABLE bookings ADD COLUMN blocks_until BIGINT;
UPDATE bookings SET blocks_until = ends_at;
ALTER TABLE bookings ALTER COLUMN blocks_until SET NOT NULL;
ALTER TABLE bookings ADD CONSTRAINT bookings_blocks_after_end CHECK (blocks_until >= ends_at);
ALTER TABLE bookings DROP CONSTRAINT bookings_provider_no_overlap;
ALTER TABLE bookings ADD CONSTRAINT bookings_provider_no_overlap
    EXCLUDE USING gist (provider_id WITH =, int8range(starts_at, blocks_until, '[)') WITH &&) WHERE (status IN (1, 6));
