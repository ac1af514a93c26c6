-- Captcha challenges already answered, kept until they expire: each is answered once.
CREATE TABLE spent_captchas (
    token TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
);
CREATE INDEX spent_captchas_expiry ON spent_captchas (expires_at);
