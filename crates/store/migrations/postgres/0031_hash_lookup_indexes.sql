-- Statuses are looked up by `url` (0011) and grouped by `conversation` (0002) with equality
-- only. A B-tree keeps a copy of each of those long addresses (135 and 158 bytes per status
-- in the benchmark's `db_bytes_per_status`); a hash index keeps a 4-byte hash (about 37
-- bytes per status each, measured on the same database) and answers the same `=` look-ups.
-- Rebuilding them locks writes to `statuses` while it runs.
DROP INDEX statuses_url;
CREATE INDEX statuses_url ON statuses USING hash (url);
DROP INDEX statuses_conversation;
CREATE INDEX statuses_conversation ON statuses USING hash (conversation);
