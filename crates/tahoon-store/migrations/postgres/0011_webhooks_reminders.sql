-- Issue 11: signed webhooks delivered from the outbox, and reminders (docs/webhooks.md). Webhooks
-- are a second consumer of the outbox beside push: their own cursor, their own delivery rows.
-- Instants: BIGINT microseconds (UTC).

-- An organization's webhook endpoints. The signing secret is sealed with the master key; after a
-- rotation the previous one keeps signing beside it until `previous_secret_until`. `failing_since`
-- is the first failed attempt since the last success (cleared by a success): an endpoint failing
-- for five days is disabled. A deleted endpoint is kept (its deliveries name it) but never shown.
CREATE TABLE webhook_endpoints (
    id                     BIGSERIAL PRIMARY KEY,
    organization_id        BIGINT NOT NULL REFERENCES organizations (id),
    url                    TEXT   NOT NULL CHECK (length(url) BETWEEN 1 AND 2048),
    description            TEXT   NOT NULL DEFAULT '' CHECK (length(description) <= 500),
    secret_sealed          TEXT   NOT NULL,
    previous_secret_sealed TEXT,
    previous_secret_until  BIGINT,
    status                 TEXT   NOT NULL CHECK (status IN ('enabled', 'disabled')),
    disabled_reason        TEXT   CHECK (length(disabled_reason) <= 200),
    failing_since          BIGINT,
    created_at             BIGINT NOT NULL,
    updated_at             BIGINT NOT NULL,
    deleted_at             BIGINT,
    CONSTRAINT webhook_endpoints_previous CHECK ((previous_secret_sealed IS NULL) = (previous_secret_until IS NULL))
);
CREATE INDEX webhook_endpoints_organization ON webhook_endpoints (organization_id, id);

-- The event types an endpoint receives, one row each; `*` stands for all of them.
CREATE TABLE webhook_endpoint_events (
    endpoint_id BIGINT NOT NULL REFERENCES webhook_endpoints (id),
    event_type  TEXT   NOT NULL CHECK (length(event_type) BETWEEN 1 AND 64),
    PRIMARY KEY (endpoint_id, event_type)
);

-- Webhooks start after the events written before they existed.
INSERT INTO outbox_consumers (consumer, enqueued_through)
    SELECT 'webhooks', COALESCE(MAX(id), 0) FROM outbox_events;

-- One event's delivery to one endpoint. Claimed like a push job: `sending` under a lease, the
-- attempt counted (`attempts` fences the finish). `schedule_from` is `attempts` when the delivery
-- was (re)started: the retry schedule counts the failures since. `last_response` holds the first
-- bytes of the last answer; `last_error` is short and holds no secret.
CREATE TABLE webhook_deliveries (
    id               BIGSERIAL PRIMARY KEY,
    endpoint_id      BIGINT NOT NULL REFERENCES webhook_endpoints (id),
    event_id         BIGINT NOT NULL REFERENCES outbox_events (id),
    status           TEXT   NOT NULL CHECK (status IN ('pending', 'sending', 'succeeded', 'failed', 'cancelled')),
    attempts         BIGINT NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    schedule_from    BIGINT NOT NULL DEFAULT 0 CHECK (schedule_from >= 0),
    next_attempt_at  BIGINT NOT NULL,
    locked_until     BIGINT,
    last_status_code BIGINT,
    last_response    TEXT   CHECK (length(last_response) <= 1024),
    last_error       TEXT   CHECK (length(last_error) <= 200),
    delivered_at     BIGINT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    UNIQUE (endpoint_id, event_id),
    CONSTRAINT webhook_deliveries_lease CHECK ((status = 'sending') = (locked_until IS NOT NULL))
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at, id);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);

-- Every attempt of a delivery, as it ended.
CREATE TABLE webhook_attempts (
    id               BIGSERIAL PRIMARY KEY,
    delivery_id      BIGINT NOT NULL REFERENCES webhook_deliveries (id),
    attempt          BIGINT NOT NULL,
    outcome          TEXT   NOT NULL CHECK (outcome IN ('delivered', 'refused', 'gone', 'blocked', 'unreachable', 'cancelled')),
    status_code      BIGINT,
    response_excerpt TEXT   CHECK (length(response_excerpt) <= 1024),
    error            TEXT   CHECK (length(error) <= 200),
    started_at       BIGINT NOT NULL,
    duration_ms      BIGINT NOT NULL CHECK (duration_ms >= 0),
    UNIQUE (delivery_id, attempt)
);

-- Reminder offsets (minutes before a session) an organization chose; none: the default (24 h, 15 min).
CREATE TABLE organization_reminder_settings (
    organization_id BIGINT PRIMARY KEY REFERENCES organizations (id),
    offsets         TEXT   NOT NULL,
    updated_at      BIGINT NOT NULL
);

-- A user's reminder preferences; none: reminders on, at the organization's offsets.
CREATE TABLE user_reminder_preferences (
    user_id    BIGINT  PRIMARY KEY REFERENCES users (id),
    enabled    BOOLEAN NOT NULL,
    offsets    TEXT,
    updated_at BIGINT  NOT NULL
);

-- One reminder of a Confirmed booking: `offset_minutes` before the session that starts at
-- `session_start`. Written with the booking's change (confirm, reschedule, cancel) and sent by
-- the reminder pass, which marks it sent in the transaction that writes its outbox event: sent once.
CREATE TABLE booking_reminders (
    id              BIGSERIAL PRIMARY KEY,
    booking_id      BIGINT NOT NULL REFERENCES bookings (id),
    offset_minutes  BIGINT NOT NULL CHECK (offset_minutes BETWEEN 1 AND 20160),
    session_start   BIGINT NOT NULL,
    due_at          BIGINT NOT NULL,
    status          TEXT   NOT NULL CHECK (status IN ('scheduled', 'sent', 'cancelled')),
    sent_at         BIGINT,
    created_at      BIGINT NOT NULL,
    UNIQUE (booking_id, offset_minutes, session_start)
);
CREATE INDEX booking_reminders_due ON booking_reminders (status, due_at, id);
