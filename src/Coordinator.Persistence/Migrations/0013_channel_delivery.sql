-- When each chat message was due (its enqueueing, or the end of the recipient's quiet hours) and how many provider
-- attempts failed: the delivery latency per channel and the audit rows of a delivery that is delayed and recovers.
ALTER TABLE channel_outbox ADD COLUMN due_at timestamptz;
UPDATE channel_outbox SET due_at = greatest(enqueued_at, not_before);
ALTER TABLE channel_outbox ALTER COLUMN due_at SET NOT NULL;
ALTER TABLE channel_outbox ALTER COLUMN due_at SET DEFAULT clock_timestamp();
ALTER TABLE channel_outbox ADD COLUMN failures integer NOT NULL DEFAULT 0;

-- The question "which of your open items do you mean?" asked in a chat, so that a reply with a number picks one.
CREATE TABLE channel_choices (
    channel    text        NOT NULL,
    sender     text        NOT NULL,
    choice     jsonb       NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (channel, sender)
);
GRANT SELECT, INSERT, UPDATE, DELETE ON channel_choices TO coordinator_app;
GRANT SELECT ON channel_choices TO coordinator_auditor;
