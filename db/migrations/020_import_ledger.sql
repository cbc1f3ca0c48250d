-- import-events (issue 17): each committed chunk of an import is recorded
-- here in the chunk's own transaction, with the data rows it covers.  A
-- re-run of the same import skips the rows recorded, so importing a file
-- twice (or again after a failure part-way) never duplicates events, while
-- the events themselves still go in with a plain COPY (no unique index on
-- interactions, which would also bind the live write path).  No personal
-- data: a digest, a file name and row numbers.
CREATE TABLE IF NOT EXISTS import_ledger (
    source      text        NOT NULL,   -- SHA-256 of the file's bytes, format, user prefix
    first_row   bigint      NOT NULL,   -- data rows, 1-based, header excluded, inclusive
    last_row    bigint      NOT NULL,
    loaded      integer     NOT NULL,
    file        text        NOT NULL,   -- the path given, for people reading the table
    imported_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, first_row),
    CHECK (first_row <= last_row)
);
