-- Sign-up and sign-in blocks of Mastodon's admin API: e-mail domains, canonical e-mail
-- addresses (kept as SHA-256 digests) and IP ranges with a severity.
CREATE TABLE email_domain_blocks (
    id BIGINT PRIMARY KEY,
    domain TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE canonical_email_blocks (
    id BIGINT PRIMARY KEY,
    canonical_email_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

-- `ip` is a network in CIDR notation; `severity` is sign_up_requires_approval,
-- sign_up_block or no_access.
CREATE TABLE ip_blocks (
    id BIGINT PRIMARY KEY,
    ip TEXT NOT NULL UNIQUE,
    severity TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    expires_at BIGINT,
    created_at BIGINT NOT NULL
);
