-- The directory's change sequence: every change that can alter a search (a booking made,
-- cancelled, moved or failed; a provider added, edited or given new availability) appends the
-- provider's id here in the change's own transaction, by trigger, so no code path can forget it.
-- Each serving instance polls the rows after the last it applied and reloads those providers into
-- its in-memory availability index (docs/architecture.md, "Availability index").
CREATE TABLE directory_changes (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    provider_id INTEGER NOT NULL,
    -- 1: the provider's bookings changed; 2: the provider itself (profile, rates, availability);
    -- 3: the filter catalogue (provider_id 0).
    scope       INTEGER NOT NULL CHECK (scope IN (1, 2, 3)),
    -- Microseconds since the epoch by the database's clock; old rows are pruned by it.
    changed_at  INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER))
);
CREATE INDEX directory_changes_changed_at ON directory_changes (changed_at);

CREATE TRIGGER bookings_directory_change_on_insert AFTER INSERT ON bookings
BEGIN
    INSERT INTO directory_changes (provider_id, scope) VALUES (NEW.provider_id, 1);
END;

CREATE TRIGGER bookings_directory_change_on_update
AFTER UPDATE OF provider_id, starts_at, ends_at, blocks_until, status ON bookings
BEGIN
    INSERT INTO directory_changes (provider_id, scope) VALUES (NEW.provider_id, 1);
    INSERT INTO directory_changes (provider_id, scope) SELECT OLD.provider_id, 1 WHERE OLD.provider_id <> NEW.provider_id;
END;

CREATE TRIGGER bookings_directory_change_on_delete AFTER DELETE ON bookings
BEGIN
    INSERT INTO directory_changes (provider_id, scope) VALUES (OLD.provider_id, 1);
END;

CREATE TRIGGER care_providers_directory_change_on_insert AFTER INSERT ON care_providers
BEGIN
    INSERT INTO directory_changes (provider_id, scope) VALUES (NEW.id, 2);
END;

CREATE TRIGGER care_providers_directory_change_on_update AFTER UPDATE ON care_providers
BEGIN
    INSERT INTO directory_changes (provider_id, scope) VALUES (NEW.id, 2);
END;

CREATE TRIGGER catalogue_items_directory_change_on_insert AFTER INSERT ON catalogue_items
BEGIN
    INSERT INTO directory_changes (provider_id, scope) VALUES (0, 3);
END;

CREATE TRIGGER catalogue_items_directory_change_on_update AFTER UPDATE ON catalogue_items
BEGIN
    INSERT INTO directory_changes (provider_id, scope) VALUES (0, 3);
END;

CREATE TRIGGER catalogue_items_directory_change_on_delete AFTER DELETE ON catalogue_items
BEGIN
    INSERT INTO directory_changes (provider_id, scope) VALUES (0, 3);
END;
