-- Full-text search of statuses with SQLite's FTS5 (the rowid is the status id). The document
-- is folded by Rhizome as for PostgreSQL; FTS5 also removes diacritics itself.
CREATE VIRTUAL TABLE status_search USING fts5(document, tokenize = 'unicode61 remove_diacritics 2');
