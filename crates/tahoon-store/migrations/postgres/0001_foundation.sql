-- Foundation: organizations, their keys, tokens, replay records and the audit trail.
-- Instants are BIGINT microseconds since the Unix epoch (UTC), as on SQLite, so both backends
-- share one query text.

CREATE TABLE organizations (
    id                       BIGSERIAL PRIMARY KEY,
    name                     TEXT    NOT NULL,
    kind                     TEXT    NOT NULL CHECK (kind IN ('standard', 'charity')),
    balance                  BIGINT  NOT NULL DEFAULT 0 CHECK (balance >= 0),
    rate_limit_per_minute    BIGINT  NOT NULL CHECK (rate_limit_per_minute > 0),
    enabled                  BOOLEAN NOT NULL DEFAULT TRUE,
    require_signature_header BOOLEAN NOT NULL DEFAULT FALSE,
    credentials_version      BIGINT  NOT NULL DEFAULT 1,
    shared_key_sealed        TEXT    NOT NULL,
    created_at               BIGINT  NOT NULL,
    updated_at               BIGINT  NOT NULL
);

CREATE TABLE access_keys (
    id              BIGSERIAL PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    digest          TEXT   NOT NULL UNIQUE,
    role            TEXT   NOT NULL CHECK (role IN ('ReadOnly', 'FullAccess')),
    created_at      BIGINT NOT NULL,
    revoked_at      BIGINT
);
CREATE INDEX access_keys_organization ON access_keys (organization_id);

-- A family is one password grant and every refresh token rotated from it.
CREATE TABLE token_families (
    id              TEXT   PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    access_key_id   BIGINT NOT NULL REFERENCES access_keys (id),
    role            TEXT   NOT NULL,
    created_at      BIGINT NOT NULL,
    revoked_at      BIGINT,
    revoked_reason  TEXT
);

CREATE TABLE refresh_tokens (
    digest     TEXT   PRIMARY KEY,
    family_id  TEXT   NOT NULL REFERENCES token_families (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

CREATE TABLE revoked_access_tokens (
    jti             TEXT   PRIMARY KEY,
    organization_id BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    revoked_at      BIGINT NOT NULL
);

CREATE TABLE used_signatures (
    organization_id BIGINT NOT NULL,
    signature       TEXT   NOT NULL,
    expires_at      BIGINT NOT NULL,
    PRIMARY KEY (organization_id, signature)
);
CREATE INDEX used_signatures_expiry ON used_signatures (expires_at);

CREATE TABLE audit_log (
    seq             BIGINT PRIMARY KEY,
    occurred_at     BIGINT NOT NULL,
    organization_id BIGINT,
    actor           TEXT   NOT NULL,
    action          TEXT   NOT NULL,
    outcome         TEXT   NOT NULL,
    request_id      TEXT,
    source_ip       TEXT,
    details         TEXT   NOT NULL,
    prev_hash       TEXT   NOT NULL,
    hash            TEXT   NOT NULL
);
CREATE INDEX audit_log_organization ON audit_log (organization_id, seq);

-- Append-only: the hash chain detects edits made around this trigger.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
