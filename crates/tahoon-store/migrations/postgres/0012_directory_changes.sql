-- The directory's change sequence: every change that can alter a search (a booking made,
-- cancelled, moved or failed; a provider added, edited or given new availability) appends the
-- provider's id here in the change's own transaction, by trigger, so no code path can forget it.
-- Each serving instance polls the rows after the last it applied and reloads those providers into
-- its in-memory availability index (docs/architecture.md, "Availability index"). Sequence values
-- can commit out of order here; the reader waits a while for a missing one (ChangeCursor).
CREATE TABLE directory_changes (
    seq         BIGSERIAL PRIMARY KEY,
    provider_id BIGINT NOT NULL,
    -- 1: the provider's bookings changed; 2: the provider itself (profile, rates, availability);
    -- 3: the filter catalogue (provider_id 0).
    scope       BIGINT NOT NULL CHECK (scope IN (1, 2, 3)),
    -- Microseconds since the epoch by the database's clock; old rows are pruned by it.
    changed_at  BIGINT NOT NULL DEFAULT ((extract(epoch FROM clock_timestamp()) * 1000000)::BIGINT)
);
CREATE INDEX directory_changes_changed_at ON directory_changes (changed_at);

CREATE FUNCTION directory_change_of_booking() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO directory_changes (provider_id, scope) VALUES (OLD.provider_id, 1);
        RETURN NULL;
    END IF;
    INSERT INTO directory_changes (provider_id, scope) VALUES (NEW.provider_id, 1);
    IF TG_OP = 'UPDATE' AND OLD.provider_id <> NEW.provider_id THEN
        INSERT INTO directory_changes (provider_id, scope) VALUES (OLD.provider_id, 1);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER bookings_directory_change
AFTER INSERT OR DELETE OR UPDATE OF provider_id, starts_at, ends_at, blocks_until, status ON bookings
FOR EACH ROW EXECUTE FUNCTION directory_change_of_booking();

CREATE FUNCTION directory_change_of_provider() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO directory_changes (provider_id, scope) VALUES (NEW.id, 2);
    RETURN NULL;
END
$$;

CREATE TRIGGER care_providers_directory_change AFTER INSERT OR UPDATE ON care_providers
FOR EACH ROW EXECUTE FUNCTION directory_change_of_provider();

CREATE FUNCTION directory_change_of_catalogue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO directory_changes (provider_id, scope) VALUES (0, 3);
    RETURN NULL;
END
$$;

CREATE TRIGGER catalogue_items_directory_change AFTER INSERT OR UPDATE OR DELETE ON catalogue_items
FOR EACH STATEMENT EXECUTE FUNCTION directory_change_of_catalogue();
