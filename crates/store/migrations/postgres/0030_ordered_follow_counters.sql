-- A follow changes two accounts' counters. The trigger of 0013 updated the follower's row,
-- then the target's: two follows crossing each other (A follows B while B follows A) took the
-- same two row locks in opposite orders, and PostgreSQL aborted one as a deadlock. Both rows
-- are now locked in account id order (a new follow's created first if missing) before they
-- change.
CREATE OR REPLACE FUNCTION rhizome_follows_stats() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    follower BIGINT;
    target BIGINT;
BEGIN
    IF TG_OP = 'DELETE' THEN
        follower := OLD.account_id;
        target := OLD.target_account_id;
    ELSE
        follower := NEW.account_id;
        target := NEW.target_account_id;
    END IF;
    -- Rows are created for the new follow's accounts only: a follow deleted with its
    -- account (whose row is already gone) must not bring that row back.
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO account_stats (account_id)
        SELECT id FROM unnest(ARRAY[follower, target]) AS id GROUP BY id ORDER BY id
        ON CONFLICT (account_id) DO NOTHING;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        PERFORM 1 FROM account_stats
        WHERE account_id IN (OLD.account_id, OLD.target_account_id, follower, target)
        ORDER BY account_id FOR UPDATE;
    ELSE
        PERFORM 1 FROM account_stats WHERE account_id IN (follower, target)
        ORDER BY account_id FOR UPDATE;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE account_stats SET following_count = following_count - 1 WHERE account_id = OLD.account_id;
        UPDATE account_stats SET followers_count = followers_count - 1 WHERE account_id = OLD.target_account_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE account_stats SET following_count = following_count + 1 WHERE account_id = NEW.account_id;
        UPDATE account_stats SET followers_count = followers_count + 1 WHERE account_id = NEW.target_account_id;
    END IF;
    RETURN NULL;
END
$$;
