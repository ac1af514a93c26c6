-- Account security and posting defaults (issue #10's account security, issue #7's preferences).

-- What a post gets when the client leaves it out: visibility, the sensitive flag, the
-- language. No row: public, not sensitive, no language.
CREATE TABLE posting_defaults (
    account_id BIGINT PRIMARY KEY REFERENCES users (account_id) ON DELETE CASCADE,
    visibility TEXT NOT NULL,
    sensitive BOOLEAN NOT NULL,
    language TEXT,
    updated_at BIGINT NOT NULL
);

-- TOTP two-factor sign-in. The secret is encrypted (AES-256-GCM under a key derived from an
-- instance secret); `enabled_at` stays NULL until the user confirms a first code.
-- `last_step` is the newest time step a code was accepted for: a code is good once.
CREATE TABLE two_factor (
    account_id BIGINT PRIMARY KEY REFERENCES users (account_id) ON DELETE CASCADE,
    secret TEXT NOT NULL,
    enabled_at BIGINT,
    last_step BIGINT,
    created_at BIGINT NOT NULL
);

-- Single-use recovery codes, as SHA-256 digests.
CREATE TABLE recovery_codes (
    account_id BIGINT NOT NULL REFERENCES users (account_id) ON DELETE CASCADE,
    code_digest TEXT NOT NULL,
    used_at BIGINT,
    PRIMARY KEY (account_id, code_digest)
);

-- At most one password reset waits per user: a new request replaces the older link. The
-- token (its digest) is made by the mail job; using it deletes the row.
CREATE TABLE password_resets (
    account_id BIGINT PRIMARY KEY REFERENCES users (account_id) ON DELETE CASCADE,
    token_digest TEXT,
    requested_at BIGINT NOT NULL,
    expires_at BIGINT
);
CREATE UNIQUE INDEX password_resets_token ON password_resets (token_digest);

-- oauth_tokens.last_used_at (from 0002, unused until now) is written at most hourly.
