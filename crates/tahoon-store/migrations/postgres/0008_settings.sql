-- Issue 10: settings held in the database (the catalogue of keys is the domain's
-- `settings::CATALOGUE`; docs/configuration.md). A secret's value is sealed under the master key
-- (`sealed`). `settings_version` has one row, whose counter every change bumps (and announces with
-- NOTIFY settings_changed in the same transaction), so a process tells cheaply whether its cached
-- settings are current. Instants: BIGINT microseconds (UTC).
CREATE TABLE settings (
    key        TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    sealed     BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at BIGINT  NOT NULL,
    updated_by TEXT    NOT NULL
);

CREATE TABLE settings_version (
    id      SMALLINT PRIMARY KEY CHECK (id = 1),
    version BIGINT   NOT NULL
);
INSERT INTO settings_version (id, version) VALUES (1, 0);
