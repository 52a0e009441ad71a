-- Password history (issue 9 finding 5, 等保三级): a new password may not be one of the last
-- five. Secrets beside the log, like `credentials`: never events, never rebuilt. Each
-- `SetPasswordHash` side effect appends the hash it sets; the current one is seeded here.
CREATE TABLE password_history (
    id {{ID}},
    user_id TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    set_at BIGINT NOT NULL
);
CREATE INDEX password_history_user ON password_history (user_id, id);
INSERT INTO password_history (user_id, password_hash, set_at) SELECT user_id, password_hash, 0 FROM credentials;
