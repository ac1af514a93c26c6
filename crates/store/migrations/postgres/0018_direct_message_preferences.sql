-- Who may send a local account direct messages (Pleroma's `accepts_direct_messages_from`):
-- `everybody` (no row), `people_i_follow` or `nobody`. Read by the Direct message disabled policy.
CREATE TABLE direct_message_preferences (
    account_id BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    accepts_from TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
