-- Moderators' warnings to accounts (Mastodon's AccountWarning, "strikes"): every action on an
-- account, and on some of its statuses, leaves one; a local user is told by a
-- `moderation_warning` notification naming it.
CREATE TABLE account_warnings (
    id BIGINT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- Kept for the staff's eyes only; the warned account never learns who acted.
    moderator_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    -- Mastodon's names: none, disable, mark_statuses_as_sensitive, delete_statuses,
    -- sensitive, silence, suspend.
    action TEXT NOT NULL,
    text TEXT NOT NULL DEFAULT '',
    report_id BIGINT REFERENCES reports (id) ON DELETE SET NULL,
    -- The statuses the warning is about, as a JSON array of ids (deleted ones included).
    status_ids TEXT NOT NULL DEFAULT '[]',
    created_at BIGINT NOT NULL
);
CREATE INDEX account_warnings_by_account ON account_warnings (account_id, id);

ALTER TABLE notifications ADD COLUMN account_warning_id BIGINT REFERENCES account_warnings (id) ON DELETE CASCADE;
