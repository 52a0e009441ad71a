-- Evidence files handed in (REC-3, REC-4). The bytes are in the object store under their
-- content hash; this projection lists them for the console and the API.
CREATE TABLE evidence (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    hash TEXT NOT NULL,
    late BOOLEAN NOT NULL,
    received_at BIGINT NOT NULL,
    version BIGINT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX evidence_agency ON evidence (agency_id, received_at);
CREATE INDEX evidence_hash ON evidence (hash);

-- Checkpoints pushed up to witnesses (an upper-level platform) and the cosignatures they
-- returned. Operational state, not events: a push is repeated until it succeeds.
CREATE TABLE witness_pushes (
    witness TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    cosignature TEXT NOT NULL,
    pushed_at BIGINT NOT NULL,
    last_error TEXT NOT NULL
);
