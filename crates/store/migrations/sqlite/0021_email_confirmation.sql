-- Sign-ups waiting for their e-mail address to be confirmed (when the instance asks for it):
-- a row is an unconfirmed address; confirming deletes it. Only the token's digest is kept.
CREATE TABLE email_confirmations (
    account_id BIGINT PRIMARY KEY REFERENCES users (account_id) ON DELETE CASCADE,
    token_digest TEXT,
    sent_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX email_confirmations_token ON email_confirmations (token_digest);
