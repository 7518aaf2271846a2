-- A model's draft of a chat message (docs/models.md): drafted once, in the activity that enqueues the message, and
-- sent instead of the template. NULL: the template writes the message at send time (no model, or the model's draft
-- was refused by a control or failed; the reason is in the audit row message.drafted).
ALTER TABLE channel_outbox ADD COLUMN draft text;

COMMENT ON COLUMN channel_outbox.draft IS 'The model''s draft for this recipient, restored for them; NULL when the template writes the message.';
