-- One schema for both engines. {{ID}} is an auto-increment primary key, {{SEQ}} the event
-- sequence primary key (a rowid alias on SQLite). Types are chosen so that the same bound
-- parameters work on both: TEXT, BIGINT, BOOLEAN.

CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL);

-- The log (REC-1). Append-only: no statement in the code updates or deletes it.
CREATE TABLE events (
    seq         {{SEQ}},
    id          TEXT NOT NULL UNIQUE,
    stream      TEXT NOT NULL,
    version     BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    actor_name  TEXT NOT NULL,
    agency_id   TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    UNIQUE (stream, version)
);
CREATE INDEX events_agency ON events (agency_id, seq);

-- ── projections: rebuilt from events by `zhifa rebuild` ──
CREATE TABLE agencies (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    credit_code TEXT NOT NULL UNIQUE,
    level TEXT NOT NULL,
    division_code TEXT NOT NULL,
    parent_id TEXT,
    domain TEXT NOT NULL,
    path TEXT NOT NULL,
    version BIGINT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX agencies_path ON agencies (path);
CREATE INDEX agencies_parent ON agencies (parent_id);

CREATE TABLE officers (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL,
    name TEXT NOT NULL,
    certificate_no TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    valid_to TEXT NOT NULL,
    version BIGINT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX officers_agency ON officers (agency_id);

CREATE TABLE items (
    item_id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    repealed BOOLEAN NOT NULL,
    version BIGINT NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (agency_id, code)
);
CREATE INDEX items_agency ON items (agency_id, category);

CREATE TABLE item_versions (
    item_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    agency_id TEXT NOT NULL,
    category TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    repealed BOOLEAN NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (item_id, version)
);
CREATE INDEX item_versions_agency ON item_versions (agency_id, effective_from);

CREATE TABLE inspection_items (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX inspection_items_agency ON inspection_items (agency_id);

CREATE TABLE service_guides (item_id TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE discretion_benchmarks (item_id TEXT PRIMARY KEY, doc TEXT NOT NULL);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    agency_id TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    version BIGINT NOT NULL,
    doc TEXT NOT NULL
);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL,
    revoked BOOLEAN NOT NULL,
    doc TEXT NOT NULL
);

-- ── secrets and operational state: not events, never in the log, not rebuilt ──
CREATE TABLE credentials (
    user_id TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    failed_attempts BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE token_secrets (token_id TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE);
CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen BIGINT NOT NULL
);
-- Every read of records and every sign-in attempt (security posture: 每次调阅留痕).
CREATE TABLE access_log (
    id {{ID}},
    at BIGINT NOT NULL,
    user_id TEXT,
    username TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    status BIGINT NOT NULL
);
CREATE INDEX access_log_at ON access_log (at);
