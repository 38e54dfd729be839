-- Issue 9: the sweep that fails abandoned holds finds Pending bookings (status 6, see
-- `BookingStatus` in the domain) by age.
CREATE INDEX bookings_pending_by_age ON bookings (created_at) WHERE status = 6;
