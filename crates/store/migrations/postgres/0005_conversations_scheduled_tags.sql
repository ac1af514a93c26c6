-- Direct conversations per participant, scheduled posts, followed hashtags.

CREATE TABLE account_conversations (
    id BIGINT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    conversation TEXT NOT NULL,
    last_status_id BIGINT NOT NULL,
    unread BOOLEAN NOT NULL DEFAULT TRUE,
    UNIQUE (account_id, conversation)
);
CREATE INDEX account_conversations_recent ON account_conversations (account_id, last_status_id);

CREATE TABLE scheduled_statuses (
    id BIGINT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    scheduled_at BIGINT NOT NULL,
    params TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX scheduled_statuses_account ON scheduled_statuses (account_id, id);

CREATE TABLE tag_follows (
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    tag_id BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, tag_id)
);
CREATE INDEX tag_follows_tag ON tag_follows (tag_id);
