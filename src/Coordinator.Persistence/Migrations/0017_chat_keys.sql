-- The OpenAI-compatible chat endpoint's per-person bearer keys (coordinator people key PERSON). Only the key's SHA-256
-- is kept; the key itself is printed once.
CREATE TABLE chat_keys (
    key_hash   bytea       PRIMARY KEY CHECK (octet_length(key_hash) = 32),
    person_id  text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    revoked_at timestamptz
);
CREATE INDEX chat_keys_person_idx ON chat_keys (person_id);

COMMENT ON TABLE chat_keys IS 'Bearer keys of /v1/chat/completions, one row per key: its SHA-256 and the person it opens.';

GRANT SELECT, INSERT, UPDATE ON chat_keys TO coordinator_app;
GRANT SELECT (person_id, created_at, revoked_at) ON chat_keys TO coordinator_auditor;
