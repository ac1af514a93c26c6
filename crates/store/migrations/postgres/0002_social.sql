-- The social graph, posts and what people do with them, and federation bookkeeping.

ALTER TABLE accounts ADD COLUMN fetched_at BIGINT;
ALTER TABLE accounts ADD COLUMN emojis TEXT NOT NULL DEFAULT '[]';
CREATE INDEX accounts_domain ON accounts (domain);

CREATE TABLE follows (
    id BIGINT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    uri TEXT,
    show_reblogs BOOLEAN NOT NULL DEFAULT TRUE,
    notify BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    UNIQUE (account_id, target_account_id)
);
CREATE INDEX follows_target ON follows (target_account_id, id);

-- Follows waiting for a locked account's approval (or for a remote Accept).
CREATE TABLE follow_requests (
    id BIGINT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    uri TEXT,
    show_reblogs BOOLEAN NOT NULL DEFAULT TRUE,
    notify BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    UNIQUE (account_id, target_account_id)
);
CREATE INDEX follow_requests_target ON follow_requests (target_account_id, id);

CREATE TABLE blocks (
    id BIGINT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    uri TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (account_id, target_account_id)
);
CREATE INDEX blocks_target ON blocks (target_account_id);

CREATE TABLE mutes (
    id BIGINT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    hide_notifications BOOLEAN NOT NULL DEFAULT TRUE,
    expires_at BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (account_id, target_account_id)
);

-- Domains a user hides (Mastodon's user-level domain blocks).
CREATE TABLE account_domain_blocks (
    id BIGINT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    domain TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (account_id, domain)
);

-- Instance-level domain policy: what the policy stage enforces.
CREATE TABLE domain_blocks (
    id BIGINT PRIMARY KEY,
    domain TEXT NOT NULL UNIQUE,
    severity TEXT NOT NULL DEFAULT 'suspend',
    public_comment TEXT NOT NULL DEFAULT '',
    private_comment TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);

CREATE TABLE statuses (
    id BIGINT PRIMARY KEY,
    uri TEXT NOT NULL UNIQUE,
    url TEXT,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    in_reply_to_id BIGINT,
    in_reply_to_uri TEXT,
    in_reply_to_account_id BIGINT,
    reblog_of_id BIGINT REFERENCES statuses (id) ON DELETE CASCADE,
    quote_of_id BIGINT,
    conversation TEXT,
    text TEXT NOT NULL DEFAULT '',
    content TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL DEFAULT 'text/plain',
    spoiler_text TEXT NOT NULL DEFAULT '',
    sensitive BOOLEAN NOT NULL DEFAULT FALSE,
    visibility TEXT NOT NULL,
    language TEXT,
    local BOOLEAN NOT NULL,
    object_type TEXT NOT NULL DEFAULT 'Note',
    title TEXT,
    application_id BIGINT,
    created_at BIGINT NOT NULL,
    edited_at BIGINT,
    updated_at BIGINT NOT NULL
);
CREATE INDEX statuses_account ON statuses (account_id, id);
CREATE INDEX statuses_in_reply_to ON statuses (in_reply_to_id);
CREATE INDEX statuses_in_reply_to_uri ON statuses (in_reply_to_uri);
CREATE INDEX statuses_reblog ON statuses (reblog_of_id);
CREATE INDEX statuses_conversation ON statuses (conversation);
-- The public timelines read these.
CREATE INDEX statuses_public ON statuses (id) WHERE visibility = 'public' AND reblog_of_id IS NULL;
CREATE INDEX statuses_public_local ON statuses (local, id)
    WHERE (visibility = 'public' OR visibility = 'local') AND reblog_of_id IS NULL;

-- Earlier versions of edited posts.
CREATE TABLE status_edits (
    id BIGINT PRIMARY KEY,
    status_id BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    content TEXT NOT NULL,
    spoiler_text TEXT NOT NULL,
    sensitive BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX status_edits_status ON status_edits (status_id, id);

CREATE TABLE mentions (
    status_id BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    PRIMARY KEY (status_id, account_id)
);
CREATE INDEX mentions_account ON mentions (account_id, status_id);

CREATE TABLE tags (
    id BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX tags_name ON tags (lower(name));

CREATE TABLE status_tags (
    status_id BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    tag_id BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (status_id, tag_id)
);
CREATE INDEX status_tags_tag ON status_tags (tag_id, status_id);

-- Attachments of posts (remote ones point at the remote file).
CREATE TABLE media_attachments (
    id BIGINT PRIMARY KEY,
    status_id BIGINT REFERENCES statuses (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    media_type TEXT,
    url TEXT NOT NULL,
    remote_url TEXT,
    preview_url TEXT,
    description TEXT,
    blurhash TEXT,
    meta TEXT NOT NULL DEFAULT '{}',
    position BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX media_attachments_status ON media_attachments (status_id);

CREATE TABLE favourites (
    id BIGINT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    uri TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (account_id, status_id)
);
CREATE INDEX favourites_status ON favourites (status_id);

CREATE TABLE bookmarks (
    id BIGINT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    UNIQUE (account_id, status_id)
);

-- Akkoma's emoji reactions.
CREATE TABLE reactions (
    id BIGINT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    emoji TEXT NOT NULL,
    emoji_url TEXT,
    uri TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (account_id, status_id, emoji)
);
CREATE INDEX reactions_status ON reactions (status_id);

CREATE TABLE pins (
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, status_id)
);

-- Threads a user muted (by conversation).
CREATE TABLE conversation_mutes (
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    conversation TEXT NOT NULL,
    PRIMARY KEY (account_id, conversation)
);

-- Home timelines, filled on write (fan-out) so that reading one is a single index range.
CREATE TABLE home_feed (
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    PRIMARY KEY (account_id, status_id)
);

CREATE TABLE notifications (
    id BIGINT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    from_account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    status_id BIGINT REFERENCES statuses (id) ON DELETE CASCADE,
    emoji TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX notifications_account ON notifications (account_id, id);

-- Ids of deleted objects: answered with 410 Gone, and never accepted again.
CREATE TABLE tombstones (
    uri TEXT PRIMARY KEY,
    account_id BIGINT,
    deleted_at BIGINT NOT NULL
);

-- Activities we sent, serialised once and delivered by id (and served at /activities/…).
CREATE TABLE outbox_activities (
    id BIGINT PRIMARY KEY,
    uri TEXT NOT NULL UNIQUE,
    account_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Incoming activity ids already handled: the same activity twice is a no-op.
CREATE TABLE inbox_seen (
    uri TEXT PRIMARY KEY,
    received_at BIGINT NOT NULL
);

-- What we know of other servers' reachability.
CREATE TABLE instances (
    domain TEXT PRIMARY KEY,
    first_failure_at BIGINT,
    last_failure_at BIGINT,
    last_success_at BIGINT,
    failures BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE oauth_authorizations (
    code_digest TEXT PRIMARY KEY,
    app_id BIGINT NOT NULL REFERENCES oauth_apps (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    scopes TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    code_challenge TEXT,
    code_challenge_method TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);

CREATE TABLE idempotency_keys (
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    status_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, key)
);

ALTER TABLE oauth_tokens ADD COLUMN last_used_at BIGINT;

-- Reports for moderators, from local users or other servers.
CREATE TABLE reports (
    id BIGINT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_ids TEXT NOT NULL DEFAULT '[]',
    comment TEXT NOT NULL DEFAULT '',
    uri TEXT,
    forwarded BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    action_taken_at BIGINT
);
CREATE INDEX reports_target ON reports (target_account_id);

-- Invitations, for registrations in invite mode.
CREATE TABLE invites (
    code TEXT PRIMARY KEY,
    account_id BIGINT REFERENCES accounts (id) ON DELETE CASCADE,
    max_uses BIGINT,
    uses BIGINT NOT NULL DEFAULT 0,
    expires_at BIGINT,
    created_at BIGINT NOT NULL
);
