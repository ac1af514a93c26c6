-- Media: uploads kept in this instance's media storage (local folder or S3), custom emoji,
-- and the cache of remote files served from our own URLs.

ALTER TABLE media_attachments ADD COLUMN file_key TEXT;
ALTER TABLE media_attachments ADD COLUMN preview_key TEXT;
ALTER TABLE media_attachments ADD COLUMN stored_bytes BIGINT NOT NULL DEFAULT 0;
-- A large upload waits for a worker; its file is then the raw upload, never served.
ALTER TABLE media_attachments ADD COLUMN processing BOOLEAN NOT NULL DEFAULT FALSE;
-- Uploads not (yet) attached to a post, for the daily clean-up.
CREATE INDEX media_attachments_unattached ON media_attachments (created_at) WHERE status_id IS NULL;

-- Custom emoji: local ones (domain NULL) are managed with `rhizome admin emoji`.
CREATE TABLE custom_emojis (
    id INTEGER PRIMARY KEY,
    shortcode TEXT NOT NULL,
    domain TEXT,
    url TEXT NOT NULL,
    file_key TEXT,
    media_type TEXT NOT NULL,
    stored_bytes BIGINT NOT NULL DEFAULT 0,
    category TEXT,
    visible_in_picker BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX custom_emojis_shortcode ON custom_emojis (shortcode, COALESCE(domain, ''));

-- Remote files fetched on first use and served from our URLs; pruned by age and total size.
CREATE TABLE media_cache (
    url TEXT PRIMARY KEY,
    file_key TEXT NOT NULL,
    media_type TEXT NOT NULL,
    stored_bytes BIGINT NOT NULL,
    cached_at BIGINT NOT NULL,
    used_at BIGINT NOT NULL
);
CREATE INDEX media_cache_used ON media_cache (used_at);

-- Custom emoji used in a post (`:shortcode:` in its text), ours or its server's.
CREATE TABLE status_emojis (
    status_id BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    shortcode TEXT NOT NULL,
    url TEXT NOT NULL,
    PRIMARY KEY (status_id, shortcode)
);
