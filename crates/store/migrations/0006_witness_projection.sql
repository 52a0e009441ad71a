-- REC-6: the logs this instance witnesses and the head it last cosigned are events
-- (WitnessedLogRegistered, WitnessCheckpointCosigned on the stream `witness-<origin>`), so this
-- table is now a projection of them, rebuilt like every other. The former table, advanced by
-- compare-and-swap outside the log, is kept aside (not dropped) for the operator to re-register
-- its logs from.
ALTER TABLE witnessed_logs RENAME TO witnessed_logs_0004;
CREATE TABLE witnessed_logs (
    origin TEXT PRIMARY KEY,
    version BIGINT NOT NULL,
    doc TEXT NOT NULL
);
