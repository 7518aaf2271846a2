-- How far each person has seen their notifications through the chat endpoint: the next answer there begins with the
-- notifications delivered after the mark (in delivery order, then by key), and moves the mark past them. Set when the
-- person's first key is created, so a new key does not replay a person's whole history.
CREATE TABLE chat_marks (
    person_id text        PRIMARY KEY,
    seen_at   timestamptz NOT NULL,
    seen_key  text        NOT NULL DEFAULT ''
);

COMMENT ON TABLE chat_marks IS 'Per person: the last notification (delivered_at, key) shown at the top of a chat endpoint answer.';

GRANT SELECT, INSERT, UPDATE ON chat_marks TO coordinator_app;
GRANT SELECT ON chat_marks TO coordinator_auditor;
