-- Tags moderators put on accounts (Pleroma's `mrf_tag:…`), read by the Tag policy.
CREATE TABLE account_tags (
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, tag)
);
