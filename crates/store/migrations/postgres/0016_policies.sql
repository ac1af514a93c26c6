-- Mastodon's domain block options: each maps to a Simple policy list.
ALTER TABLE domain_blocks ADD COLUMN reject_media BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE domain_blocks ADD COLUMN reject_reports BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE domain_blocks ADD COLUMN obfuscate BOOLEAN NOT NULL DEFAULT FALSE;

-- Domains allowed in allow-list mode (the Simple policy's accept list).
CREATE TABLE domain_allows (
    id BIGINT PRIMARY KEY,
    domain TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

-- The most recent incoming activities, kept (bounded) for policy dry runs.
CREATE TABLE policy_samples (
    id BIGINT PRIMARY KEY,
    actor_id BIGINT NOT NULL,
    activity TEXT NOT NULL,
    received_at BIGINT NOT NULL
);
