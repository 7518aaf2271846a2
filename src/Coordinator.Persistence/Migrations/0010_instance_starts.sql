-- Starts by business key, claimed once across every host: the first request that inserts the row
-- starts the instance (and answers 202); every other one finds it (200). The instance id is a function
-- of (workflow, business key), so the primary key is the claim.
CREATE TABLE instance_starts (
    instance_id  text PRIMARY KEY,
    workflow_id  text NOT NULL,
    claimed_at   timestamptz NOT NULL DEFAULT now()
);

REVOKE ALL ON instance_starts FROM PUBLIC;
GRANT SELECT, INSERT ON instance_starts TO coordinator_app;
GRANT SELECT ON instance_starts TO coordinator_auditor;
