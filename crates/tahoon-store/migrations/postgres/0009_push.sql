-- Issue 10: push to care providers, delivered from the outbox (docs/integrations.md, "Push to
-- providers"). Every consumer of the outbox keeps its own cursor and its own jobs, and none marks
-- `outbox_events.delivered_at`, so another consumer (webhooks) is added beside push without
-- changing it. Instants: BIGINT microseconds (UTC).

-- How far each consumer has enqueued the outbox: every event with `id <= enqueued_through` that it
-- wants has its job. The cursor trails the newest event by a settling time, and enqueueing rescans
-- from it with NOT EXISTS, so an event whose transaction commits after a later one is not missed.
-- Push starts after the events written before it existed: they are not announced now.
CREATE TABLE outbox_consumers (
    consumer         TEXT   PRIMARY KEY,
    enqueued_through BIGINT NOT NULL
);
INSERT INTO outbox_consumers (consumer, enqueued_through)
    SELECT 'push', COALESCE(MAX(id), 0) FROM outbox_events;

-- One job per outbox event announced to a provider. A worker claims a due job by setting `sending`
-- with a lease (`locked_until`) and counting the attempt; a worker that dies leaves the lease to
-- expire, and the job is claimed again. `sent_parts`: 1 = the Android topic's message, 2 = the iOS
-- topic's. `last_error` is short and holds no secret and no personal data (an FCM code, `HTTP 503`).
CREATE TABLE push_jobs (
    id              BIGSERIAL PRIMARY KEY,
    event_id        BIGINT NOT NULL UNIQUE REFERENCES outbox_events (id),
    status          TEXT   NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped')),
    attempts        BIGINT NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    sent_parts      BIGINT NOT NULL DEFAULT 0 CHECK (sent_parts BETWEEN 0 AND 3),
    next_attempt_at BIGINT NOT NULL,
    locked_until    BIGINT,
    last_error      TEXT   CHECK (length(last_error) <= 200),
    sent_at         BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    CONSTRAINT push_jobs_lease CHECK ((status = 'sending') = (locked_until IS NOT NULL))
);
CREATE INDEX push_jobs_due ON push_jobs (status, next_attempt_at, id);
