-- Tracked deadlines (DL-3), imported holiday notices (DL-1), annual reports (PUB-9).
CREATE TABLE deadlines (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    status TEXT NOT NULL,
    due_date TEXT,
    provisional BOOLEAN NOT NULL,
    first_year BIGINT NOT NULL,
    last_year BIGINT NOT NULL,
    version BIGINT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX deadlines_due ON deadlines (status, due_date);
CREATE INDEX deadlines_agency ON deadlines (agency_id, status, due_date);
CREATE INDEX deadlines_subject ON deadlines (subject, rule_id);
CREATE INDEX deadlines_provisional ON deadlines (provisional, first_year, last_year);

CREATE TABLE calendar_notices (year BIGINT PRIMARY KEY, doc TEXT NOT NULL);

CREATE TABLE annual_reports (
    agency_id TEXT NOT NULL,
    year BIGINT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (agency_id, year)
);
