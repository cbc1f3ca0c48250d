-- Typed events (issue 19, POST /api/v1/events): besides 1 product click and
-- 2 search query, 3 view, 4 add to cart and 5 purchase, which carry a
-- product id like a click; each event may carry the client's timestamp
-- (`ts` stays the server's receive time: ordering, partitioning and the
-- history cache rely on it) and the recommendation id the client echoed
-- from the X-Recommendation-Id header of the answer that showed the item.
ALTER TABLE interactions ADD COLUMN IF NOT EXISTS client_ts timestamptz;
ALTER TABLE interactions ADD COLUMN IF NOT EXISTS recommendation_id text;

-- The event shape check, widened.  Partitions created by
-- interactions_ensure_partitions (CREATE TABLE ... LIKE ... INCLUDING
-- CONSTRAINTS, then ATTACH) keep a local copy of the check after it is
-- dropped from the parent: drop those too, then add the new one to the
-- parent, which puts it on every partition (and on the ones created later,
-- since LIKE copies the parent's constraints).
ALTER TABLE interactions DROP CONSTRAINT IF EXISTS interactions_event_shape;
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT c.relname
               FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
              WHERE i.inhparent = 'interactions'::regclass
    LOOP
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT IF EXISTS interactions_event_shape', r.relname);
    END LOOP;
END $$;
ALTER TABLE interactions ADD CONSTRAINT interactions_event_shape CHECK (
    (event_type IN (1, 3, 4, 5) AND product_id IS NOT NULL AND query IS NULL) OR
    (event_type = 2 AND query IS NOT NULL AND product_id IS NULL));
