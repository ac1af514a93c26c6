-- Content filters (Mastodon's filters v2), which also serve the v1 endpoints.

CREATE TABLE filters (
    id BIGINT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    contexts TEXT NOT NULL DEFAULT '[]',
    action TEXT NOT NULL DEFAULT 'warn',
    expires_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX filters_account ON filters (account_id);

CREATE TABLE filter_keywords (
    id BIGINT PRIMARY KEY,
    filter_id BIGINT NOT NULL REFERENCES filters (id) ON DELETE CASCADE,
    keyword TEXT NOT NULL,
    whole_word BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE INDEX filter_keywords_filter ON filter_keywords (filter_id);

CREATE TABLE filter_statuses (
    id BIGINT PRIMARY KEY,
    filter_id BIGINT NOT NULL REFERENCES filters (id) ON DELETE CASCADE,
    status_id BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    UNIQUE (filter_id, status_id)
);
