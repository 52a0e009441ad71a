-- The tamper-evident ledger (REC-6): every event is a leaf of a Merkle log stored as C2SP
-- tiles (32 bytes per leaf plus 1/256 per level above), with signed checkpoints.
CREATE TABLE ledger_meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE ledger_tiles (
    level BIGINT NOT NULL,
    idx BIGINT NOT NULL,
    bytes {{BYTES}} NOT NULL,
    PRIMARY KEY (level, idx)
);
-- Salts of events that carry personal data; deleting one (with the personal values) erases
-- the data without changing the leaf.
CREATE TABLE event_salts (seq BIGINT PRIMARY KEY, salt {{BYTES}} NOT NULL);
CREATE TABLE ledger_keys (
    verifier_key TEXT PRIMARY KEY,
    private_key TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE checkpoints (size BIGINT PRIMARY KEY, note TEXT NOT NULL, at BIGINT NOT NULL);
