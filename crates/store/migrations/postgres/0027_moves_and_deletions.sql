-- Moving accounts and leaving (issue #10).

-- When an account last moved: another move within the cooldown is refused.
ALTER TABLE accounts ADD COLUMN moved_at BIGINT;

-- A `move` notification names the new account (the old one is its `from_account_id`).
ALTER TABLE notifications ADD COLUMN target_account_id BIGINT REFERENCES accounts (id) ON DELETE CASCADE;

-- Accounts being deleted, and deleted. No foreign key: the row outlives the account's
-- other rows. A local account keeps a bare, suspended `accounts` row once purged (its name
-- is never given again, and its public key still checks the `Delete` others received); the
-- private key stays here to sign that `Delete` while its deliveries are retried.
CREATE TABLE account_deletions (
    account_id BIGINT PRIMARY KEY,
    username TEXT NOT NULL,
    domain TEXT,
    private_key_pem TEXT,
    -- The moderator who deleted it; NULL when its owner did (or its own server, for a remote one).
    requested_by BIGINT,
    -- The `Delete` of the actor, once queued for delivery.
    delete_activity_uri TEXT,
    requested_at BIGINT NOT NULL,
    purged_at BIGINT
);
