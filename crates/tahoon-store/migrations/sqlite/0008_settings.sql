-- Issue 10: settings held in the database (the catalogue of keys is the domain's
-- `settings::CATALOGUE`; docs/configuration.md). A secret's value is sealed under the master key
-- (`sealed` = 1). `settings_version` has one row, whose counter every change bumps, so a process
-- tells cheaply whether its cached settings are current. Instants: INTEGER microseconds (UTC).
CREATE TABLE settings (
    key        TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    sealed     INTEGER NOT NULL DEFAULT 0 CHECK (sealed IN (0, 1)),
    updated_at INTEGER NOT NULL,
    updated_by TEXT    NOT NULL
);

CREATE TABLE settings_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO settings_version (id, version) VALUES (1, 0);
