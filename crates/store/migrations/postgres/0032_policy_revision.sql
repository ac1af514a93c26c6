-- Every change to what the policy chain is built from (the stored `mrf` setting, the domain
-- blocks, the domain allows) bumps the 'policy' revision, whoever makes it. Each process
-- keeps its compiled chain and checks it against this one row, instead of reading and
-- comparing the whole configuration on every delivery and incoming activity.
CREATE TABLE revisions (
    name TEXT PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO revisions (name, version) VALUES ('policy', 0);

CREATE FUNCTION rhizome_revise_policy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE revisions SET version = version + 1 WHERE name = 'policy';
    RETURN NULL;
END;
$$;

CREATE TRIGGER domain_blocks_revise_policy AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
ON domain_blocks FOR EACH STATEMENT EXECUTE FUNCTION rhizome_revise_policy();
CREATE TRIGGER domain_allows_revise_policy AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
ON domain_allows FOR EACH STATEMENT EXECUTE FUNCTION rhizome_revise_policy();
CREATE TRIGGER settings_revise_policy_write AFTER INSERT OR UPDATE ON settings
FOR EACH ROW WHEN (NEW.key = 'mrf') EXECUTE FUNCTION rhizome_revise_policy();
CREATE TRIGGER settings_revise_policy_delete AFTER DELETE ON settings
FOR EACH ROW WHEN (OLD.key = 'mrf') EXECUTE FUNCTION rhizome_revise_policy();
