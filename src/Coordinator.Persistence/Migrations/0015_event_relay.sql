-- The CloudEvents relay (docs/integrations.md): one cursor per delivery target (the host-wide webhook, each workflow
-- with its own crm.webhook). The relay reads audit_log rows after position in seq order and moves position only when
-- the receiver answered 2xx (or refused an event for good). A target is sent by one host at a time: the host holding
-- the lease (owner, leased_until), taken with FOR UPDATE SKIP LOCKED. After a failure nobody sends before not_before
-- (the back-off), and failures counts the failures in a row of the event at position + 1.
CREATE TABLE event_relay_cursors (
    target       text        PRIMARY KEY,
    position     bigint      NOT NULL CHECK (position >= 0),
    failures     integer     NOT NULL DEFAULT 0,
    not_before   timestamptz NOT NULL DEFAULT '-infinity',
    owner        text,
    leased_until timestamptz,
    last_error   text,
    created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);

COMMENT ON TABLE event_relay_cursors IS 'CloudEvents relay: the last audit_log seq delivered to each target. See docs/integrations.md.';

GRANT SELECT, INSERT, UPDATE ON event_relay_cursors TO coordinator_app;
GRANT SELECT ON event_relay_cursors TO coordinator_auditor;
