-- Quote posts with consent (FEP-044f, Mastodon 4.5): where each quote stands, the quoted
-- author's approval stamp, and who may quote each post (automatic << 8 | manual, as bits of
-- public, followers, following and "unsupported"; NULL when a remote server states none).
ALTER TABLE statuses ADD COLUMN quote_state TEXT;
ALTER TABLE statuses ADD COLUMN quote_authorization TEXT;
ALTER TABLE statuses ADD COLUMN quote_policy BIGINT;
-- Quotes made before consent existed here were shown as accepted; they stay so.
UPDATE statuses SET quote_state = 'accepted' WHERE quote_of_id IS NOT NULL;
-- Local posts had an implicit policy: anyone for public and unlisted posts, else nobody.
UPDATE statuses SET quote_policy = CASE WHEN visibility IN ('public', 'unlisted') THEN 512 ELSE 0 END
    WHERE local AND reblog_of_id IS NULL;
-- A revoked stamp (Delete) is found by its id.
CREATE INDEX statuses_quote_authorization ON statuses (quote_authorization)
    WHERE quote_authorization IS NOT NULL;
