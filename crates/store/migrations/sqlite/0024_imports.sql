-- CSV imports (follows, blocks, mutes, domain blocks, bookmarks, lists): one record per
-- uploaded file and one row per line, each with its own state, so that a job interrupted by
-- a crash resumes at the first row not yet applied.
CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    overwrite BOOLEAN NOT NULL,
    state TEXT NOT NULL,
    original_filename TEXT NOT NULL DEFAULT '',
    total_rows BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX imports_account ON imports (account_id, id);

-- `data` is the parsed row as JSON (NULL when the line could not be read: such a row is
-- failed from the start); `source` is the line as given, for the list of failures;
-- `target_id` is what an applied row acted on (account, status), which overwrite mode keeps.
CREATE TABLE import_rows (
    import_id BIGINT NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    state TEXT NOT NULL,
    data TEXT,
    source TEXT NOT NULL,
    error TEXT,
    target_id BIGINT,
    PRIMARY KEY (import_id, position)
);
CREATE INDEX import_rows_state ON import_rows (import_id, state, position);
