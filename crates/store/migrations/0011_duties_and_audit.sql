-- zhifa: rebuild projections
-- Issue 9 (security findings 3, 5, 9). The rebuild (first line) rewrites the API tokens'
-- documents through the ApiTokenIssued v1 → v2 upgrade, so tokens issued before expiry existed
-- read as expired instead of failing to decode.
-- A password set by an administrator (creation, reset) must be changed at the next sign-in.
ALTER TABLE credentials ADD COLUMN must_change BOOLEAN NOT NULL DEFAULT FALSE;
-- When each API token was last accepted (listed beside its expiry), refreshed at most once a
-- minute per token. Operational state like the secret beside it: not an event, not rebuilt.
ALTER TABLE token_secrets ADD COLUMN last_used_at BIGINT;
-- The access log records where a request came from, and the agency of whoever made it, so an
-- auditor reads the entries of its own scope (NULL: no account, e.g. an unknown username).
ALTER TABLE access_log ADD COLUMN client TEXT;
-- Byte-ordered like every other path column, so the scope's half-open range is a prefix test.
ALTER TABLE access_log ADD COLUMN agency_path {{PATH}};
CREATE INDEX access_log_agency ON access_log (agency_path, id);
-- The auditor's filters that select few rows walk their own index, newest first.
CREATE INDEX access_log_username ON access_log (username, id);
CREATE INDEX access_log_client ON access_log (client, id);
-- A session opened with a password the administrator set can do nothing but change it.
ALTER TABLE sessions ADD COLUMN must_change BOOLEAN NOT NULL DEFAULT FALSE;
