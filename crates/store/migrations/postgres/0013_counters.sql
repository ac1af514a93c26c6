-- Counters kept by triggers, so that rendering an account or a status reads one row instead
-- of counting (a popular account's followers, a long-lived account's posts). Triggers rather
-- than application code: every path that writes these tables (posting, deleting, pruning
-- remote posts, an account's deletion cascading) keeps them right without knowing of them.
-- Increments upsert; decrements only update, so a row deleted with its owner is not revived.

CREATE TABLE account_stats (
    account_id BIGINT PRIMARY KEY,
    statuses_count BIGINT NOT NULL DEFAULT 0,
    followers_count BIGINT NOT NULL DEFAULT 0,
    following_count BIGINT NOT NULL DEFAULT 0,
    last_status_at BIGINT
);

CREATE TABLE status_stats (
    status_id BIGINT PRIMARY KEY,
    replies_count BIGINT NOT NULL DEFAULT 0,
    reblogs_count BIGINT NOT NULL DEFAULT 0,
    favourites_count BIGINT NOT NULL DEFAULT 0
);

INSERT INTO account_stats (account_id, statuses_count, followers_count, following_count, last_status_at)
SELECT a.id,
    (SELECT COUNT(*) FROM statuses s WHERE s.account_id = a.id AND s.visibility <> 'direct'),
    (SELECT COUNT(*) FROM follows f WHERE f.target_account_id = a.id),
    (SELECT COUNT(*) FROM follows f WHERE f.account_id = a.id),
    (SELECT MAX(s.created_at) FROM statuses s WHERE s.account_id = a.id)
FROM accounts a;

INSERT INTO status_stats (status_id, replies_count, reblogs_count, favourites_count)
SELECT s.id,
    (SELECT COUNT(*) FROM statuses r WHERE r.in_reply_to_id = s.id
        AND r.visibility IN ('public', 'unlisted', 'local')),
    (SELECT COUNT(*) FROM statuses b WHERE b.reblog_of_id = s.id),
    (SELECT COUNT(*) FROM favourites f WHERE f.status_id = s.id)
FROM statuses s
WHERE EXISTS (SELECT 1 FROM statuses r WHERE r.in_reply_to_id = s.id)
   OR EXISTS (SELECT 1 FROM statuses b WHERE b.reblog_of_id = s.id)
   OR EXISTS (SELECT 1 FROM favourites f WHERE f.status_id = s.id);

CREATE FUNCTION rhizome_statuses_stats() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE account_stats SET
            statuses_count = statuses_count - CASE WHEN OLD.visibility <> 'direct' THEN 1 ELSE 0 END
        WHERE account_id = OLD.account_id;
        IF OLD.in_reply_to_id IS NOT NULL AND OLD.visibility IN ('public', 'unlisted', 'local') THEN
            UPDATE status_stats SET replies_count = replies_count - 1 WHERE status_id = OLD.in_reply_to_id;
        END IF;
        IF OLD.reblog_of_id IS NOT NULL THEN
            UPDATE status_stats SET reblogs_count = reblogs_count - 1 WHERE status_id = OLD.reblog_of_id;
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        UPDATE account_stats SET last_status_at =
            (SELECT MAX(s.created_at) FROM statuses s WHERE s.account_id = OLD.account_id)
        WHERE account_id = OLD.account_id;
        DELETE FROM status_stats WHERE status_id = OLD.id;
        RETURN NULL;
    END IF;
    INSERT INTO account_stats (account_id, statuses_count, last_status_at)
    VALUES (NEW.account_id, CASE WHEN NEW.visibility <> 'direct' THEN 1 ELSE 0 END, NEW.created_at)
    ON CONFLICT (account_id) DO UPDATE SET
        statuses_count = account_stats.statuses_count + EXCLUDED.statuses_count,
        last_status_at = GREATEST(account_stats.last_status_at, EXCLUDED.last_status_at);
    IF NEW.in_reply_to_id IS NOT NULL AND NEW.visibility IN ('public', 'unlisted', 'local') THEN
        INSERT INTO status_stats (status_id, replies_count) VALUES (NEW.in_reply_to_id, 1)
        ON CONFLICT (status_id) DO UPDATE SET replies_count = status_stats.replies_count + 1;
    END IF;
    IF NEW.reblog_of_id IS NOT NULL THEN
        INSERT INTO status_stats (status_id, reblogs_count) VALUES (NEW.reblog_of_id, 1)
        ON CONFLICT (status_id) DO UPDATE SET reblogs_count = status_stats.reblogs_count + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER statuses_stats AFTER INSERT OR DELETE OR UPDATE OF account_id, visibility, in_reply_to_id, reblog_of_id
ON statuses FOR EACH ROW EXECUTE FUNCTION rhizome_statuses_stats();

CREATE FUNCTION rhizome_follows_stats() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE account_stats SET following_count = following_count - 1 WHERE account_id = OLD.account_id;
        UPDATE account_stats SET followers_count = followers_count - 1 WHERE account_id = OLD.target_account_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO account_stats (account_id, following_count) VALUES (NEW.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET following_count = account_stats.following_count + 1;
        INSERT INTO account_stats (account_id, followers_count) VALUES (NEW.target_account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET followers_count = account_stats.followers_count + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER follows_stats AFTER INSERT OR DELETE OR UPDATE OF account_id, target_account_id
ON follows FOR EACH ROW EXECUTE FUNCTION rhizome_follows_stats();

CREATE FUNCTION rhizome_favourites_stats() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE status_stats SET favourites_count = favourites_count - 1 WHERE status_id = OLD.status_id;
    ELSE
        INSERT INTO status_stats (status_id, favourites_count) VALUES (NEW.status_id, 1)
        ON CONFLICT (status_id) DO UPDATE SET favourites_count = status_stats.favourites_count + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER favourites_stats AFTER INSERT OR DELETE ON favourites
FOR EACH ROW EXECUTE FUNCTION rhizome_favourites_stats();

CREATE FUNCTION rhizome_accounts_stats() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM account_stats WHERE account_id = OLD.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER accounts_stats AFTER DELETE ON accounts
FOR EACH ROW EXECUTE FUNCTION rhizome_accounts_stats();
