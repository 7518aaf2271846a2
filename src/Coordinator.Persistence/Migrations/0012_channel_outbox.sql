-- The chat channels' outbox: one row per (notification, person, channel), written before the provider is called and
-- completed with the provider's message id after; webhooks find the step a reply belongs to through that id.
CREATE TABLE channel_outbox (
    id                  bigserial PRIMARY KEY,
    notification_key    text        NOT NULL,
    person_id           text        NOT NULL,
    channel             text        NOT NULL,
    address             text        NOT NULL,
    instance_id         text        NOT NULL,
    notification        jsonb       NOT NULL,
    enqueued_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    not_before          timestamptz NOT NULL,
    status              text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts            integer     NOT NULL DEFAULT 0,
    leased_until        timestamptz,
    provider_message_id text,
    conversation        text,
    last_error          text,
    sent_at             timestamptz,
    UNIQUE (notification_key, person_id, channel)
);

-- Each recipient's open messages in order (the head is the only one that may be sent).
CREATE INDEX channel_outbox_open_idx ON channel_outbox (channel, address, id) WHERE status IN ('pending', 'sending');
-- Replies: the message a reply or a button press answers.
CREATE INDEX channel_outbox_message_idx ON channel_outbox (channel, address, provider_message_id) WHERE provider_message_id IS NOT NULL;
CREATE INDEX channel_outbox_latest_idx ON channel_outbox (channel, address, sent_at DESC) WHERE status = 'sent';

-- Token buckets shared by every host (per channel, per conversation), on the database's clock.
CREATE TABLE rate_limit_buckets (
    bucket     text             PRIMARY KEY,
    tokens     double precision NOT NULL,
    updated_at timestamptz      NOT NULL
);

-- Replies received by the webhooks, kept until handled: the webhook answers at once, a restart loses none, and a
-- provider's repeated delivery (same delivery id) is one reply.
CREATE TABLE channel_inbound (
    id           bigserial   PRIMARY KEY,
    channel      text        NOT NULL,
    delivery_id  text        NOT NULL,
    sender       text        NOT NULL,
    reply        jsonb       NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    not_before   timestamptz NOT NULL DEFAULT clock_timestamp(),
    status       text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'handling', 'done')),
    attempts     integer     NOT NULL DEFAULT 0,
    leased_until timestamptz,
    outcome      text,
    last_error   text,
    handled_at   timestamptz,
    UNIQUE (channel, delivery_id)
);
CREATE INDEX channel_inbound_open_idx ON channel_inbound (channel, sender, id) WHERE status <> 'done';

GRANT SELECT, INSERT, UPDATE ON channel_outbox, rate_limit_buckets, channel_inbound TO coordinator_app;
GRANT USAGE ON SEQUENCE channel_outbox_id_seq, channel_inbound_id_seq TO coordinator_app;
GRANT SELECT ON channel_outbox, channel_inbound TO coordinator_auditor;
