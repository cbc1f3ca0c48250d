-- The catalog API (issue 19): a product can be out of stock or hidden
-- without being deleted.  Only status 0 (in stock) is ever recommended;
-- every change bumps meta.catalog_version so every process reloads.
ALTER TABLE products ADD COLUMN IF NOT EXISTS status smallint NOT NULL DEFAULT 0
    CHECK (status IN (0, 1, 2));         -- 0 in_stock, 1 out_of_stock, 2 hidden

-- The gateway writes the catalog (PUT/PATCH/DELETE /api/v1/catalog/...) and
-- erases users (DELETE /api/v1/users/{id}): the least-privilege role needs
-- these rights on top of hybridrec_app_grants() (docs/security.md).
CREATE OR REPLACE FUNCTION hybridrec_app_grants_catalog() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    s text := current_schema();
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hybridrec_app') THEN
        RETURN;
    END IF;
    EXECUTE format('GRANT INSERT, UPDATE, DELETE ON %I.products TO hybridrec_app', s);
    EXECUTE format('GRANT UPDATE ON %I.meta TO hybridrec_app', s);
    IF to_regclass(format('%I.interactions', s)) IS NOT NULL THEN
        EXECUTE format('GRANT DELETE ON %I.interactions TO hybridrec_app', s);
    END IF;
END $$;
REVOKE EXECUTE ON FUNCTION hybridrec_app_grants_catalog() FROM PUBLIC;
SELECT hybridrec_app_grants_catalog();
