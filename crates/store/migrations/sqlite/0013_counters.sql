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

-- Statuses: the author's count and last post, the parent's replies, the original's boosts.
CREATE TRIGGER statuses_stats_insert AFTER INSERT ON statuses BEGIN
    INSERT INTO account_stats (account_id, statuses_count, last_status_at)
    VALUES (NEW.account_id, CASE WHEN NEW.visibility <> 'direct' THEN 1 ELSE 0 END, NEW.created_at)
    ON CONFLICT (account_id) DO UPDATE SET
        statuses_count = statuses_count + excluded.statuses_count,
        last_status_at = MAX(COALESCE(last_status_at, excluded.last_status_at), excluded.last_status_at);
    INSERT INTO status_stats (status_id, replies_count)
    SELECT NEW.in_reply_to_id, 1
    WHERE NEW.in_reply_to_id IS NOT NULL AND NEW.visibility IN ('public', 'unlisted', 'local')
    ON CONFLICT (status_id) DO UPDATE SET replies_count = replies_count + 1;
    INSERT INTO status_stats (status_id, reblogs_count)
    SELECT NEW.reblog_of_id, 1 WHERE NEW.reblog_of_id IS NOT NULL
    ON CONFLICT (status_id) DO UPDATE SET reblogs_count = reblogs_count + 1;
END;

CREATE TRIGGER statuses_stats_delete AFTER DELETE ON statuses BEGIN
    UPDATE account_stats SET
        statuses_count = statuses_count - CASE WHEN OLD.visibility <> 'direct' THEN 1 ELSE 0 END,
        last_status_at = (SELECT MAX(s.created_at) FROM statuses s WHERE s.account_id = OLD.account_id)
    WHERE account_id = OLD.account_id;
    UPDATE status_stats SET replies_count = replies_count - 1
    WHERE status_id = OLD.in_reply_to_id AND OLD.visibility IN ('public', 'unlisted', 'local');
    UPDATE status_stats SET reblogs_count = reblogs_count - 1 WHERE status_id = OLD.reblog_of_id;
    DELETE FROM status_stats WHERE status_id = OLD.id;
END;

-- A status re-attached to its parent (the parent arrived later), or moved between accounts.
CREATE TRIGGER statuses_stats_update AFTER UPDATE OF account_id, visibility, in_reply_to_id, reblog_of_id ON statuses BEGIN
    UPDATE account_stats SET
        statuses_count = statuses_count - CASE WHEN OLD.visibility <> 'direct' THEN 1 ELSE 0 END
    WHERE account_id = OLD.account_id;
    INSERT INTO account_stats (account_id, statuses_count, last_status_at)
    VALUES (NEW.account_id, CASE WHEN NEW.visibility <> 'direct' THEN 1 ELSE 0 END, NEW.created_at)
    ON CONFLICT (account_id) DO UPDATE SET
        statuses_count = statuses_count + excluded.statuses_count,
        last_status_at = MAX(COALESCE(last_status_at, excluded.last_status_at), excluded.last_status_at);
    UPDATE status_stats SET replies_count = replies_count - 1
    WHERE status_id = OLD.in_reply_to_id AND OLD.visibility IN ('public', 'unlisted', 'local');
    INSERT INTO status_stats (status_id, replies_count)
    SELECT NEW.in_reply_to_id, 1
    WHERE NEW.in_reply_to_id IS NOT NULL AND NEW.visibility IN ('public', 'unlisted', 'local')
    ON CONFLICT (status_id) DO UPDATE SET replies_count = replies_count + 1;
    UPDATE status_stats SET reblogs_count = reblogs_count - 1 WHERE status_id = OLD.reblog_of_id;
    INSERT INTO status_stats (status_id, reblogs_count)
    SELECT NEW.reblog_of_id, 1 WHERE NEW.reblog_of_id IS NOT NULL
    ON CONFLICT (status_id) DO UPDATE SET reblogs_count = reblogs_count + 1;
END;

CREATE TRIGGER follows_stats_insert AFTER INSERT ON follows BEGIN
    INSERT INTO account_stats (account_id, following_count) VALUES (NEW.account_id, 1)
    ON CONFLICT (account_id) DO UPDATE SET following_count = following_count + 1;
    INSERT INTO account_stats (account_id, followers_count) VALUES (NEW.target_account_id, 1)
    ON CONFLICT (account_id) DO UPDATE SET followers_count = followers_count + 1;
END;

CREATE TRIGGER follows_stats_delete AFTER DELETE ON follows BEGIN
    UPDATE account_stats SET following_count = following_count - 1 WHERE account_id = OLD.account_id;
    UPDATE account_stats SET followers_count = followers_count - 1 WHERE account_id = OLD.target_account_id;
END;

-- Follows handed over to another account (a Move).
CREATE TRIGGER follows_stats_update AFTER UPDATE OF account_id, target_account_id ON follows BEGIN
    UPDATE account_stats SET following_count = following_count - 1 WHERE account_id = OLD.account_id;
    UPDATE account_stats SET followers_count = followers_count - 1 WHERE account_id = OLD.target_account_id;
    INSERT INTO account_stats (account_id, following_count) VALUES (NEW.account_id, 1)
    ON CONFLICT (account_id) DO UPDATE SET following_count = following_count + 1;
    INSERT INTO account_stats (account_id, followers_count) VALUES (NEW.target_account_id, 1)
    ON CONFLICT (account_id) DO UPDATE SET followers_count = followers_count + 1;
END;

CREATE TRIGGER favourites_stats_insert AFTER INSERT ON favourites BEGIN
    INSERT INTO status_stats (status_id, favourites_count) VALUES (NEW.status_id, 1)
    ON CONFLICT (status_id) DO UPDATE SET favourites_count = favourites_count + 1;
END;

CREATE TRIGGER favourites_stats_delete AFTER DELETE ON favourites BEGIN
    UPDATE status_stats SET favourites_count = favourites_count - 1 WHERE status_id = OLD.status_id;
END;

CREATE TRIGGER accounts_stats_delete AFTER DELETE ON accounts BEGIN
    DELETE FROM account_stats WHERE account_id = OLD.id;
END;
