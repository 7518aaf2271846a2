-- How far each person has seen their notifications through the chat endpoint: the next answer there begins with the
-- notifications delivered to them that it has not shown yet. chat_marks holds each person's mark (the latest delivery
-- time shown); chat_seen the keys shown within a minute before it, so that a notification whose insert committed
-- after a later one was shown (its delivery time is its statement's start) is still shown once, not skipped. The mark is
-- set when the person's first key is created, so a new key does not replay a person's whole history.
CREATE TABLE chat_marks (
    person_id text        PRIMARY KEY,
    seen_at   timestamptz NOT NULL
);

CREATE TABLE chat_seen (
    person_id    text        NOT NULL,
    key          text        NOT NULL,
    delivered_at timestamptz NOT NULL,
    PRIMARY KEY (person_id, key)
);

COMMENT ON TABLE chat_marks IS 'Per person: the latest delivery time of the notifications shown at the top of a chat endpoint answer.';
COMMENT ON TABLE chat_seen IS 'Per person: the notifications shown (or counted) near their mark, so each is shown once.';

GRANT SELECT, INSERT, UPDATE ON chat_marks TO coordinator_app;
GRANT SELECT, INSERT, DELETE ON chat_seen TO coordinator_app;
GRANT SELECT ON chat_marks, chat_seen TO coordinator_auditor;
