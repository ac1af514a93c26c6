-- Web Push subscriptions: one per access token, as in Mastodon, and gone with it (revoking
-- a token deletes its subscription; deleting the token or the account cascades).
CREATE TABLE push_subscriptions (
    id INTEGER PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    token_id BIGINT NOT NULL UNIQUE REFERENCES oauth_tokens (id) ON DELETE CASCADE,
    endpoint TEXT NOT NULL,
    key_p256dh TEXT NOT NULL,
    key_auth TEXT NOT NULL,
    standard BOOLEAN NOT NULL,
    -- Space-separated notification types to push.
    alerts TEXT NOT NULL,
    policy TEXT NOT NULL,
    -- The access token, sealed under an instance secret: each push carries it to the app.
    sealed_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX push_subscriptions_account ON push_subscriptions (account_id);
