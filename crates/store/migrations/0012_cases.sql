-- Enforcement cases (REC-1): one row per case, its document the `Case` its events fold into.
-- The work list walks (agency_path, open_rank, filed_on, id): open cases first, the oldest
-- filing (the soonest 90-day decision deadline) first.
CREATE TABLE cases (
    id {{PATH}} PRIMARY KEY,
    agency_id TEXT NOT NULL,
    agency_path {{PATH}} NOT NULL,
    agency_domain TEXT NOT NULL,
    case_no TEXT NOT NULL,
    year BIGINT NOT NULL,
    number BIGINT NOT NULL,
    stage TEXT NOT NULL,
    open_rank BIGINT NOT NULL,
    filed_on {{PATH}} NOT NULL,
    version BIGINT NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (agency_id, year, number)
);
CREATE INDEX cases_scope ON cases (agency_path, open_rank, filed_on, id);
CREATE INDEX cases_scope_domain ON cases (agency_domain, agency_path, open_rank, filed_on, id);
