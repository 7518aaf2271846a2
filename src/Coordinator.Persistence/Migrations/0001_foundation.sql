-- Foundation: pgvector (used by the memory of later issues) and the two login roles the
-- application and the compliance officers use. Runs as the database owner or a superuser.
-- pgvector is not a trusted extension: if the owner is not a superuser, a superuser must run
-- CREATE EXTENSION vector once beforehand (scripts/postgres.sh start does).
CREATE EXTENSION IF NOT EXISTS vector;

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'coordinator_app') THEN
        CREATE ROLE coordinator_app NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'coordinator_auditor') THEN
        CREATE ROLE coordinator_auditor NOLOGIN;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO coordinator_app, coordinator_auditor;
