-- Foundation: organizations, their keys, tokens, replay records and the audit trail.
-- Instants are INTEGER microseconds since the Unix epoch (UTC).

CREATE TABLE organizations (
    id                       INTEGER PRIMARY KEY AUTOINCREMENT,
    name                     TEXT    NOT NULL,
    kind                     TEXT    NOT NULL CHECK (kind IN ('standard', 'charity')),
    balance                  INTEGER NOT NULL DEFAULT 0 CHECK (balance >= 0),
    rate_limit_per_minute    INTEGER NOT NULL CHECK (rate_limit_per_minute > 0),
    enabled                  INTEGER NOT NULL DEFAULT 1,
    require_signature_header INTEGER NOT NULL DEFAULT 0,
    credentials_version      INTEGER NOT NULL DEFAULT 1,
    shared_key_sealed        TEXT    NOT NULL,
    created_at               INTEGER NOT NULL,
    updated_at               INTEGER NOT NULL
);

CREATE TABLE access_keys (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id INTEGER NOT NULL REFERENCES organizations (id),
    digest          TEXT    NOT NULL UNIQUE,
    role            TEXT    NOT NULL CHECK (role IN ('ReadOnly', 'FullAccess')),
    created_at      INTEGER NOT NULL,
    revoked_at      INTEGER
);
CREATE INDEX access_keys_organization ON access_keys (organization_id);

-- A family is one password grant and every refresh token rotated from it.
CREATE TABLE token_families (
    id              TEXT    PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations (id),
    access_key_id   INTEGER NOT NULL REFERENCES access_keys (id),
    role            TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    revoked_at      INTEGER,
    revoked_reason  TEXT
);

CREATE TABLE refresh_tokens (
    digest     TEXT    PRIMARY KEY,
    family_id  TEXT    NOT NULL REFERENCES token_families (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

CREATE TABLE revoked_access_tokens (
    jti             TEXT    PRIMARY KEY,
    organization_id INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    revoked_at      INTEGER NOT NULL
);

CREATE TABLE used_signatures (
    organization_id INTEGER NOT NULL,
    signature       TEXT    NOT NULL,
    expires_at      INTEGER NOT NULL,
    PRIMARY KEY (organization_id, signature)
);
CREATE INDEX used_signatures_expiry ON used_signatures (expires_at);

CREATE TABLE audit_log (
    seq             INTEGER PRIMARY KEY,
    occurred_at     INTEGER NOT NULL,
    organization_id INTEGER,
    actor           TEXT    NOT NULL,
    action          TEXT    NOT NULL,
    outcome         TEXT    NOT NULL,
    request_id      TEXT,
    source_ip       TEXT,
    details         TEXT    NOT NULL,
    prev_hash       TEXT    NOT NULL,
    hash            TEXT    NOT NULL
);
CREATE INDEX audit_log_organization ON audit_log (organization_id, seq);

-- Append-only: the hash chain detects edits made around these triggers.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
