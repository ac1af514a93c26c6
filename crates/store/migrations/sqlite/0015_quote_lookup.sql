-- The quotes of a post are counted and listed (Mastodon 4.5's quotes_count and
-- GET /api/v1/statuses/:id/quotes).
CREATE INDEX statuses_quote_of ON statuses (quote_of_id) WHERE quote_of_id IS NOT NULL;
