-- Preview cards: one row per linked address, read from its page (OpenGraph, Twitter, <title>)
-- and shared by every post linking it; each post shows the card of its first plain link.

CREATE TABLE preview_cards (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    card_type TEXT NOT NULL,
    author_name TEXT NOT NULL,
    author_url TEXT NOT NULL,
    provider_name TEXT NOT NULL,
    provider_url TEXT NOT NULL,
    image_url TEXT,
    width BIGINT NOT NULL DEFAULT 0,
    height BIGINT NOT NULL DEFAULT 0,
    image_description TEXT NOT NULL DEFAULT '',
    language TEXT,
    published_at BIGINT,
    fetched_at BIGINT NOT NULL
);

CREATE TABLE status_preview_cards (
    status_id BIGINT PRIMARY KEY REFERENCES statuses (id) ON DELETE CASCADE,
    card_id BIGINT NOT NULL REFERENCES preview_cards (id) ON DELETE CASCADE
);
CREATE INDEX status_preview_cards_card ON status_preview_cards (card_id);
