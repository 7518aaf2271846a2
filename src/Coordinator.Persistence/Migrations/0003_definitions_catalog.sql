-- The versioned catalog of workflow definitions. A published (workflow_id, version) never changes:
-- instances load the definition they were pinned to from here.
CREATE TABLE workflow_definitions (
    workflow_id  text        NOT NULL,
    version      integer     NOT NULL CHECK (version > 0),
    content_hash text        NOT NULL CHECK (content_hash ~ '^[0-9a-f]{64}$'),
    definition   text        NOT NULL,
    published_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workflow_id, version)
);

COMMENT ON COLUMN workflow_definitions.definition IS 'Canonical JSON of the definition; content_hash = lowercase hex sha256 of its UTF-8 bytes.';

CREATE TRIGGER workflow_definitions_refuse_update_delete BEFORE UPDATE OR DELETE ON workflow_definitions
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
ALTER TABLE workflow_definitions ENABLE ALWAYS TRIGGER workflow_definitions_refuse_update_delete;

REVOKE ALL ON workflow_definitions FROM PUBLIC;
GRANT SELECT, INSERT ON workflow_definitions TO coordinator_app;
GRANT SELECT ON workflow_definitions TO coordinator_auditor;
