-- Functions that run for others get a fixed search_path, and the application may not create
-- temporary tables.
--
-- An unqualified table name inside a function resolves through the search_path of the session
-- that calls it, and the session's temporary schema is searched FIRST unless the path lists it:
-- a TEMP table named audit_log shadowed the real one inside audit_chain_head_guard, so the head
-- could be moved to a row that does not exist. `pg_temp` listed last closes that (listing only
-- `pg_catalog, public` does not: pg_temp would still be searched first).
ALTER FUNCTION audit_refuse_change() SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION audit_chain_head_guard() SET search_path = pg_catalog, public, pg_temp;

-- TEMP is granted to PUBLIC by default; the bootstrap script revokes everything from PUBLIC, a
-- database created otherwise still hands it out. Revoking needs the database owner or a superuser.
DO $$
BEGIN
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC, coordinator_app', current_database());
    IF has_database_privilege('coordinator_app', current_database(), 'TEMPORARY') THEN
        RAISE EXCEPTION 'coordinator_app may still create temporary tables in database %', current_database()
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Run the migrations as the database owner or a superuser, and revoke TEMPORARY from any role that passes it on to coordinator_app.';
    END IF;
END
$$;
