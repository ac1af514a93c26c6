-- Posts are also looked up by their `url` (when a link is pasted in search), and signed
-- requests name keys in forms other than `ACTOR#fragment` (GoToSocial's `ACTOR/main-key`):
-- neither may scan a growing table.
CREATE INDEX statuses_url ON statuses (url);
CREATE INDEX accounts_public_key_id ON accounts (public_key_id);
