-- interactions-svc: the event log, range-partitioned by day (UTC) on stock
-- PostgreSQL.  Partitions are created ahead and dropped after the retention
-- period by interactions_maintain(), which the service calls at start and
-- hourly; the DEFAULT partition catches anything outside the created days
-- so that no write ever fails for lack of a partition.
CREATE TABLE IF NOT EXISTS interactions (
    id          bigserial,                     -- insertion order; makes duplicates visible
    user_id     text        NOT NULL,          -- case-sensitive: Bob1 <> bob1
    event_type  smallint    NOT NULL,          -- 1 product click, 2 search query
    product_id  varchar(10),
    query       text,
    ts          timestamptz NOT NULL,
    CONSTRAINT interactions_event_shape CHECK (
        (event_type = 1 AND product_id IS NOT NULL AND query IS NULL) OR
        (event_type = 2 AND query IS NOT NULL AND product_id IS NULL))
) PARTITION BY RANGE (ts);

CREATE TABLE IF NOT EXISTS interactions_default PARTITION OF interactions DEFAULT;
CREATE INDEX IF NOT EXISTS interactions_user_ts ON interactions (user_id, ts DESC);

-- Which legacy `{user}_interactions` tables migrate-seed-tables has imported
-- (imports are idempotent per table).
CREATE TABLE IF NOT EXISTS interactions_seed_migrated (
    table_name  text PRIMARY KEY,
    user_id     text NOT NULL,
    rows_read   bigint NOT NULL,
    rows_loaded bigint NOT NULL,
    migrated_at timestamptz NOT NULL DEFAULT now()
);

-- Creates the daily partitions covering [from_day, to_day] (UTC days) that do
-- not exist yet.  Rows already sitting in the DEFAULT partition for such a
-- day are moved into the new partition first (ATTACH would refuse them).
-- Returns the number of partitions created.
CREATE OR REPLACE FUNCTION interactions_ensure_partitions(from_day date, to_day date)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    d       date;
    part    text;
    lo      timestamptz;
    hi      timestamptz;
    created integer := 0;
BEGIN
    IF to_day - from_day > 4000 THEN
        RAISE EXCEPTION 'interactions_ensure_partitions: % days is too wide a range', to_day - from_day;
    END IF;
    -- one maintainer at a time (replicas, the CLI importer)
    PERFORM pg_advisory_xact_lock(hashtext('interactions_partitions'));
    d := from_day;
    WHILE d <= to_day LOOP
        part := 'interactions_p' || to_char(d, 'YYYYMMDD');
        IF to_regclass(quote_ident(part)) IS NULL THEN
            lo := d::timestamp AT TIME ZONE 'UTC';
            hi := (d + 1)::timestamp AT TIME ZONE 'UTC';
            EXECUTE format('CREATE TABLE %I (LIKE interactions INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
            EXECUTE format('WITH moved AS (DELETE FROM interactions_default WHERE ts >= %L AND ts < %L RETURNING *)
                            INSERT INTO %I SELECT * FROM moved', lo, hi, part);
            EXECUTE format('ALTER TABLE interactions ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
            created := created + 1;
        END IF;
        d := d + 1;
    END LOOP;
    RETURN created;
END $$;

-- Creates today's partition and `days_ahead` more; drops partitions (and
-- deletes DEFAULT rows) older than `retention_days` (0 = keep forever).
-- Returns partitions created + dropped.
CREATE OR REPLACE FUNCTION interactions_maintain(days_ahead integer, retention_days integer)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    today   date := (now() AT TIME ZONE 'UTC')::date;
    cutoff  date;
    r       record;
    changed integer;
BEGIN
    changed := interactions_ensure_partitions(today, today + days_ahead);
    IF retention_days > 0 THEN
        cutoff := today - retention_days;
        FOR r IN SELECT c.relname
                   FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                  WHERE i.inhparent = 'interactions'::regclass
                    AND c.relname ~ '^interactions_p[0-9]{8}$'
                    AND to_date(substr(c.relname, 15), 'YYYYMMDD') < cutoff
        LOOP
            EXECUTE format('DROP TABLE %I', r.relname);
            changed := changed + 1;
        END LOOP;
        DELETE FROM interactions_default WHERE ts < cutoff::timestamp AT TIME ZONE 'UTC';
    END IF;
    RETURN changed;
END $$;
