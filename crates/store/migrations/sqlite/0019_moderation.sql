-- Reports as Mastodon's admin API describes them: a category, the instance rules they cite,
-- who handles them and who closed them.
ALTER TABLE reports ADD COLUMN category TEXT NOT NULL DEFAULT 'other';
ALTER TABLE reports ADD COLUMN rule_ids TEXT NOT NULL DEFAULT '[]';
ALTER TABLE reports ADD COLUMN assigned_account_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL;
ALTER TABLE reports ADD COLUMN action_taken_by_account_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL;
ALTER TABLE reports ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX reports_open ON reports (action_taken_at, id);

-- Moderation state of an account: limited (silenced) and media forced sensitive; a local
-- login can be disabled without suspending the account.
ALTER TABLE accounts ADD COLUMN silenced_at BIGINT;
ALTER TABLE accounts ADD COLUMN sensitized_at BIGINT;
ALTER TABLE users ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT FALSE;

-- Every moderator action: who did what to which target, when, and why.
CREATE TABLE moderation_log (
    id BIGINT PRIMARY KEY,
    account_id BIGINT,
    action TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id BIGINT NOT NULL,
    text TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX moderation_log_target ON moderation_log (target_type, target_id);
