-- Side effects (notifications, CRM updates) keyed by a deterministic idempotency key: an activity
-- records the intent, performs the effect once, and records the outcome.
CREATE TABLE outbox (
    key          text        PRIMARY KEY,
    kind         text        NOT NULL,
    status       text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
    payload      jsonb       NOT NULL,
    result       jsonb,
    attempts     integer     NOT NULL DEFAULT 0,
    last_error   text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    completed_at timestamptz
);

CREATE INDEX outbox_pending_idx ON outbox (created_at) WHERE status = 'pending';

REVOKE ALL ON outbox FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON outbox TO coordinator_app;
GRANT SELECT ON outbox TO coordinator_auditor;
