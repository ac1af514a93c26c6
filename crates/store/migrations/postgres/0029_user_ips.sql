-- The addresses local users signed up and signed in from, for moderators (Mastodon's
-- Admin::Account `ip` and `ips`): the latest use of each, a bounded number per user.
CREATE TABLE user_ips (
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    ip TEXT NOT NULL,
    used_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, ip)
);
CREATE INDEX user_ips_by_ip ON user_ips (ip);
