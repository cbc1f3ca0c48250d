-- Core tables: the catalog, process-wide metadata, versioned models.
CREATE TABLE IF NOT EXISTS products (
    id              varchar(10) PRIMARY KEY CHECK (id ~ '^[A-Z0-9]{10}$'),
    name            text NOT NULL,
    main_category   text NOT NULL,
    sub_category    text NOT NULL,
    image           text,
    link            text,
    ratings         double precision,           -- NULL when unknown
    no_of_ratings   bigint NOT NULL DEFAULT 0,
    discount_price  double precision,
    actual_price    double precision,
    discount_ratio  double precision,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- key/value metadata, e.g. catalog_version (bumped by every catalog import)
CREATE TABLE IF NOT EXISTS meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);
INSERT INTO meta (key, value) VALUES ('catalog_version', '0') ON CONFLICT DO NOTHING;

CREATE TABLE IF NOT EXISTS model_versions (
    strategy   text NOT NULL,
    version    bigint NOT NULL,
    trained_at timestamptz NOT NULL DEFAULT now(),
    meta       jsonb,
    PRIMARY KEY (strategy, version)
);

CREATE TABLE IF NOT EXISTS model_blobs (
    strategy text NOT NULL,
    version  bigint NOT NULL,
    data     bytea NOT NULL,
    PRIMARY KEY (strategy, version),
    FOREIGN KEY (strategy, version) REFERENCES model_versions ON DELETE CASCADE
);
