-- Every change to what the policy chain is built from (the stored `mrf` setting, the domain
-- blocks, the domain allows) bumps the 'policy' revision, whoever makes it. Each process
-- keeps its compiled chain and checks it against this one row, instead of reading and
-- comparing the whole configuration on every delivery and incoming activity.
CREATE TABLE revisions (
    name TEXT PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO revisions (name, version) VALUES ('policy', 0);

CREATE TRIGGER domain_blocks_revise_policy_insert AFTER INSERT ON domain_blocks BEGIN
    UPDATE revisions SET version = version + 1 WHERE name = 'policy';
END;
CREATE TRIGGER domain_blocks_revise_policy_update AFTER UPDATE ON domain_blocks BEGIN
    UPDATE revisions SET version = version + 1 WHERE name = 'policy';
END;
CREATE TRIGGER domain_blocks_revise_policy_delete AFTER DELETE ON domain_blocks BEGIN
    UPDATE revisions SET version = version + 1 WHERE name = 'policy';
END;

CREATE TRIGGER domain_allows_revise_policy_insert AFTER INSERT ON domain_allows BEGIN
    UPDATE revisions SET version = version + 1 WHERE name = 'policy';
END;
CREATE TRIGGER domain_allows_revise_policy_update AFTER UPDATE ON domain_allows BEGIN
    UPDATE revisions SET version = version + 1 WHERE name = 'policy';
END;
CREATE TRIGGER domain_allows_revise_policy_delete AFTER DELETE ON domain_allows BEGIN
    UPDATE revisions SET version = version + 1 WHERE name = 'policy';
END;

CREATE TRIGGER settings_revise_policy_insert AFTER INSERT ON settings WHEN NEW.key = 'mrf' BEGIN
    UPDATE revisions SET version = version + 1 WHERE name = 'policy';
END;
CREATE TRIGGER settings_revise_policy_update AFTER UPDATE ON settings
WHEN NEW.key = 'mrf' OR OLD.key = 'mrf' BEGIN
    UPDATE revisions SET version = version + 1 WHERE name = 'policy';
END;
CREATE TRIGGER settings_revise_policy_delete AFTER DELETE ON settings WHEN OLD.key = 'mrf' BEGIN
    UPDATE revisions SET version = version + 1 WHERE name = 'policy';
END;
