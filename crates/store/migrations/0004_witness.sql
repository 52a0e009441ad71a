-- Witnessing other zhifa instances' logs (C2SP tlog-witness): the latest cosigned tree head of
-- each followed log. Advanced only by compare-and-swap on the size.
CREATE TABLE witnessed_logs (
    origin TEXT PRIMARY KEY,
    hash TEXT NOT NULL,
    keys TEXT NOT NULL,
    size BIGINT NOT NULL,
    root TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
