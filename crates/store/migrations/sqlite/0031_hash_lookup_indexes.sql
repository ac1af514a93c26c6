-- PostgreSQL's indexes on `statuses.url` and `statuses.conversation` become hash indexes,
-- which SQLite does not have; its B-trees stay.
SELECT 1;
