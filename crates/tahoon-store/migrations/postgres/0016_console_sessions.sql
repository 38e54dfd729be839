-- Issue 15: the console's sign-in sessions. The browser holds a random id; only its SHA-256 digest
-- is kept. organization_id is NULL for the operator's sessions.
CREATE TABLE console_sessions (
    id_digest           TEXT    PRIMARY KEY,
    organization_id     BIGINT  REFERENCES organizations (id),
    role                TEXT    NOT NULL CHECK (role IN ('FullAccess', 'ReadOnly', 'operator')),
    credentials_version BIGINT  NOT NULL,
    csrf_token          TEXT    NOT NULL,
    created_at          BIGINT  NOT NULL,
    last_seen_at        BIGINT  NOT NULL
);
CREATE INDEX console_sessions_last_seen ON console_sessions (last_seen_at);
