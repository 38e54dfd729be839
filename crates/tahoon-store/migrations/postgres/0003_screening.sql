-- Users' screening: operator-defined instruments (PHQ-9 and GAD-7 are built into the code),
-- submitted assessments, erasure, and the outbox that carries events to their deliverers.

ALTER TABLE users ADD COLUMN erased_at BIGINT;

CREATE TABLE screening_instruments (
    id         BIGINT PRIMARY KEY,
    code       TEXT   NOT NULL UNIQUE,
    definition TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE assessments (
    id              BIGSERIAL PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    user_id         BIGINT NOT NULL REFERENCES users (id),
    instrument_id   BIGINT NOT NULL,
    instrument_code TEXT   NOT NULL,
    total           BIGINT NOT NULL,
    max_total       BIGINT NOT NULL,
    band_code       TEXT   NOT NULL,
    risk_flags      TEXT   NOT NULL,
    answers         TEXT   NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX assessments_user ON assessments (user_id, created_at);

-- Written in the same transaction as the change it announces; delivered by a worker.
CREATE TABLE outbox_events (
    id              BIGSERIAL PRIMARY KEY,
    organization_id BIGINT,
    event_type      TEXT   NOT NULL,
    payload         TEXT   NOT NULL,
    created_at      BIGINT NOT NULL,
    delivered_at    BIGINT
);
CREATE INDEX outbox_events_pending ON outbox_events (delivered_at, id);
