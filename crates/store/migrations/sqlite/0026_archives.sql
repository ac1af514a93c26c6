-- Full archives of an account (Mastodon's archive: actor, outbox, likes, bookmarks and media
-- in a zip), built by a job. `file_key` is where the zip goes in media storage (a random
-- name, written only once the file is complete); `state` is pending, running, ready or
-- failed; the daily upkeep removes them after a week.
CREATE TABLE archives (
    id INTEGER PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    file_key TEXT NOT NULL,
    file_name TEXT NOT NULL,
    file_size BIGINT NOT NULL DEFAULT 0,
    processed_items BIGINT NOT NULL DEFAULT 0,
    total_items BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX archives_account ON archives (account_id, id);
CREATE INDEX archives_created ON archives (created_at);
