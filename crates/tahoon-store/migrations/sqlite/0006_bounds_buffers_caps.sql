-- Issue 8: operator-set numbers kept in range, an optional cap on a user's active bookings, and
-- the time a booking holds on its provider's calendar (its end plus the provider's buffer).
--
-- SQLite cannot add a CHECK constraint to an existing table without rebuilding it, and rebuilding
-- `organizations` (which other tables reference) inside the migrator's transaction is unsafe; so
-- the same bounds as PostgreSQL's CHECK constraints are triggers that abort the write. They also
-- refuse non-integers: SQLite would otherwise store an overflowing `balance + 1` as REAL.

-- Bring any row into range first (a balance that overflowed into REAL included).
UPDATE organizations SET balance = CAST(MIN(MAX(balance, 0), 1000000000) AS INTEGER)
    WHERE typeof(balance) <> 'integer' OR balance NOT BETWEEN 0 AND 1000000000;
UPDATE organizations SET rate_limit_per_minute = CAST(MIN(MAX(rate_limit_per_minute, 1), 1000000) AS INTEGER)
    WHERE typeof(rate_limit_per_minute) <> 'integer' OR rate_limit_per_minute NOT BETWEEN 1 AND 1000000;
UPDATE organizations SET cancellation_cutoff_hours = CAST(MIN(MAX(cancellation_cutoff_hours, 0), 168) AS INTEGER)
    WHERE typeof(cancellation_cutoff_hours) <> 'integer' OR cancellation_cutoff_hours NOT BETWEEN 0 AND 168;

-- NULL: no cap.
ALTER TABLE organizations ADD COLUMN max_active_bookings_per_user INTEGER;

CREATE TRIGGER organizations_in_range_on_insert BEFORE INSERT ON organizations
WHEN typeof(NEW.balance) <> 'integer' OR NEW.balance NOT BETWEEN 0 AND 1000000000
    OR typeof(NEW.rate_limit_per_minute) <> 'integer' OR NEW.rate_limit_per_minute NOT BETWEEN 1 AND 1000000
    OR typeof(NEW.cancellation_cutoff_hours) <> 'integer' OR NEW.cancellation_cutoff_hours NOT BETWEEN 0 AND 168
    OR (NEW.max_active_bookings_per_user IS NOT NULL AND (typeof(NEW.max_active_bookings_per_user) <> 'integer'
        OR NEW.max_active_bookings_per_user NOT BETWEEN 1 AND 1000))
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: organizations number out of range');
END;

CREATE TRIGGER organizations_in_range_on_update BEFORE UPDATE ON organizations
WHEN typeof(NEW.balance) <> 'integer' OR NEW.balance NOT BETWEEN 0 AND 1000000000
    OR typeof(NEW.rate_limit_per_minute) <> 'integer' OR NEW.rate_limit_per_minute NOT BETWEEN 1 AND 1000000
    OR typeof(NEW.cancellation_cutoff_hours) <> 'integer' OR NEW.cancellation_cutoff_hours NOT BETWEEN 0 AND 168
    OR (NEW.max_active_bookings_per_user IS NOT NULL AND (typeof(NEW.max_active_bookings_per_user) <> 'integer'
        OR NEW.max_active_bookings_per_user NOT BETWEEN 1 AND 1000))
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: organizations number out of range');
END;

-- Until when a booking keeps its provider busy: its end plus the buffer in force when it was
-- booked or moved. Two active bookings of one provider never have overlapping [starts_at,
-- blocks_until), which keeps at least the buffer between sessions.
ALTER TABLE bookings ADD COLUMN blocks_until INTEGER NOT NULL DEFAULT 0;
UPDATE bookings SET blocks_until = ends_at;

CREATE TRIGGER bookings_blocks_after_end_on_insert BEFORE INSERT ON bookings
WHEN NEW.blocks_until < NEW.ends_at
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: bookings blocks_until before ends_at');
END;

CREATE TRIGGER bookings_blocks_after_end_on_update BEFORE UPDATE ON bookings
WHEN NEW.blocks_until < NEW.ends_at
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: bookings blocks_until before ends_at');
END;
