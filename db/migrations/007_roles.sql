-- Least privilege (docs/security.md).  Migrations and training (`hybridrec
-- migrate`, `train`, `import-*`) run as the schema owner; the services and
-- the gateway connect as a LOGIN user that is a member of the NOLOGIN role
-- hybridrec_app, which may only:
--   SELECT products, meta, model_versions, model_blobs (catalog, models)
--   SELECT, INSERT interactions (+ its id sequence)      (interactions-svc)
--   EXECUTE the two partition-maintenance functions, which run as the owner
--   (SECURITY DEFINER): creating a partition needs ownership of the table.
-- Queries through the partitioned table `interactions` check privileges on
-- it only, so partitions created later need no grants of their own.
--
-- Roles are cluster-wide and creating one needs CREATEROLE, which the owner
-- often lacks: then the role is not created here (NOTICE) and an
-- administrator creates it later and the owner runs
--     SELECT hybridrec_app_grants();
-- (also after any migration that adds a table the services must read).

-- Idempotent; grants only on objects that exist.  Run as the owner.
CREATE OR REPLACE FUNCTION hybridrec_app_grants() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    s   text := current_schema();
    t   text;
    seq text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hybridrec_app') THEN
        RAISE NOTICE 'role hybridrec_app does not exist: nothing granted (docs/security.md)';
        RETURN;
    END IF;
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO hybridrec_app', s);
    FOREACH t IN ARRAY ARRAY['products', 'meta', 'model_versions', 'model_blobs'] LOOP
        IF to_regclass(format('%I.%I', s, t)) IS NOT NULL THEN
            EXECUTE format('GRANT SELECT ON %I.%I TO hybridrec_app', s, t);
        END IF;
    END LOOP;
    IF to_regclass(format('%I.interactions', s)) IS NOT NULL THEN
        EXECUTE format('GRANT SELECT, INSERT ON %I.interactions TO hybridrec_app', s);
        seq := pg_get_serial_sequence(format('%I.interactions', s), 'id');
        IF seq IS NOT NULL THEN
            EXECUTE format('GRANT USAGE ON SEQUENCE %s TO hybridrec_app', seq);
        END IF;
    END IF;
    IF to_regprocedure(format('%I.interactions_maintain(integer, integer)', s)) IS NOT NULL THEN
        EXECUTE format('GRANT EXECUTE ON FUNCTION %I.interactions_maintain(integer, integer),'
                       ' %I.interactions_ensure_partitions(date, date) TO hybridrec_app', s, s);
    END IF;
END $$;
REVOKE EXECUTE ON FUNCTION hybridrec_app_grants() FROM PUBLIC;

-- Partition maintenance runs with the owner's rights whoever calls it.  A
-- fixed search_path keeps a caller from substituting its own objects.
DO $$
DECLARE
    s text := current_schema();
BEGIN
    IF to_regprocedure(format('%I.interactions_maintain(integer, integer)', s)) IS NOT NULL THEN
        EXECUTE format('ALTER FUNCTION %I.interactions_maintain(integer, integer)'
                       ' SECURITY DEFINER SET search_path = %I, pg_temp', s, s);
        EXECUTE format('ALTER FUNCTION %I.interactions_ensure_partitions(date, date)'
                       ' SECURITY DEFINER SET search_path = %I, pg_temp', s, s);
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %I.interactions_maintain(integer, integer),'
                       ' %I.interactions_ensure_partitions(date, date) FROM PUBLIC', s, s);
    END IF;
END $$;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hybridrec_app') THEN
        BEGIN
            CREATE ROLE hybridrec_app NOLOGIN;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'cannot create role hybridrec_app (no CREATEROLE): an administrator '
                         'creates it, then the owner runs SELECT hybridrec_app_grants()';
        WHEN duplicate_object OR unique_violation THEN
            NULL;    -- a migration of another database of this cluster won the race
        END;
    END IF;
END $$;

SELECT hybridrec_app_grants();
