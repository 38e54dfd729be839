-- Favorites, and idempotency records for mutating routes (Stripe semantics, kept 24 hours).

CREATE TABLE favorites (
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    user_id         BIGINT NOT NULL REFERENCES users (id),
    provider_id     BIGINT NOT NULL REFERENCES care_providers (id),
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (user_id, provider_id)
);

-- state 0: the first request is running; 1: its response is stored.
CREATE TABLE idempotency_keys (
    organization_id BIGINT NOT NULL,
    idempotency_key TEXT   NOT NULL,
    request_hash    TEXT   NOT NULL,
    state           BIGINT NOT NULL,
    status_code     BIGINT,
    response_body   TEXT,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (organization_id, idempotency_key)
);
CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);
