-- Issue 14: records imported from the reference system keep the id a partner stored (an
-- encrypted string) as an alias. Every route that takes an id accepts it; a compatibility-mode
-- organization is answered with it. Providers are shared by every organization; users and
-- bookings belong to one.
ALTER TABLE organizations ADD COLUMN reference_alias TEXT;
ALTER TABLE care_providers ADD COLUMN reference_alias TEXT;
ALTER TABLE users ADD COLUMN reference_alias TEXT;
ALTER TABLE bookings ADD COLUMN reference_alias TEXT;
CREATE UNIQUE INDEX organizations_reference_alias ON organizations (reference_alias);
CREATE UNIQUE INDEX care_providers_reference_alias ON care_providers (reference_alias);
CREATE UNIQUE INDEX users_reference_alias ON users (organization_id, reference_alias);
CREATE UNIQUE INDEX bookings_reference_alias ON bookings (organization_id, reference_alias);
