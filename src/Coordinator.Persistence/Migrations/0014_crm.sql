-- The CRM outbox: what instances asked the CRM record to show (properties, timeline notes), per record, until the
-- CRM took it. One dispatcher at a time holds a record (crm_records.leased_until), so its updates go in action order.
CREATE TABLE crm_records (
    object_type      text        NOT NULL,
    object_id        text        NOT NULL,
    not_before       timestamptz NOT NULL DEFAULT clock_timestamp(),
    leased_until     timestamptz,
    failures         integer     NOT NULL DEFAULT 0,
    first_failed_at  timestamptz,
    last_error       text,
    PRIMARY KEY (object_type, object_id)
);

CREATE TABLE crm_outbox (
    id               bigserial   PRIMARY KEY,
    idempotency_key  text        NOT NULL UNIQUE,
    object_type      text        NOT NULL,
    object_id        text        NOT NULL,
    instance_id      text        NOT NULL,
    workflow_id      text        NOT NULL,
    sequence         bigint      NOT NULL,
    update           jsonb       NOT NULL,
    note_state       text        NOT NULL CHECK (note_state IN ('none', 'pending', 'attempted', 'sent')),
    note_id          text,
    status           text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
    last_error       text,
    enqueued_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    done_at          timestamptz
);
CREATE INDEX crm_outbox_pending ON crm_outbox (object_type, object_id, sequence) WHERE status = 'pending';

-- Starts asked for by CRM webhooks (HubSpot events), kept before the webhook answers and performed just after.
CREATE TABLE crm_starts (
    id               bigserial   PRIMARY KEY,
    source           text        NOT NULL,
    event_id         text        NOT NULL,
    workflow_id      text        NOT NULL,
    object_type      text        NOT NULL,
    object_id        text        NOT NULL,
    property_value   text,
    status           text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done')),
    attempts         integer     NOT NULL DEFAULT 0,
    not_before       timestamptz NOT NULL DEFAULT clock_timestamp(),
    leased_until     timestamptz,
    instance_id      text,
    outcome          text,
    last_error       text,
    received_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    done_at          timestamptz,
    UNIQUE (source, event_id, workflow_id)
);
CREATE INDEX crm_starts_pending ON crm_starts (not_before) WHERE status = 'pending';

GRANT SELECT, INSERT, UPDATE ON crm_records, crm_outbox, crm_starts TO coordinator_app;
GRANT USAGE ON SEQUENCE crm_outbox_id_seq, crm_starts_id_seq TO coordinator_app;
GRANT SELECT ON crm_records, crm_outbox, crm_starts TO coordinator_auditor;
