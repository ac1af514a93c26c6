-- Full-text search of statuses, in the database itself (no external search server). The
-- document is folded by Rhizome (lower case, accents removed, apostrophes split) so that
-- "élan" finds "Elan" and "arbre" finds "l'arbre".
CREATE TABLE status_search (
    status_id BIGINT PRIMARY KEY REFERENCES statuses (id) ON DELETE CASCADE,
    document TSVECTOR NOT NULL
);
CREATE INDEX status_search_document ON status_search USING GIN (document);
