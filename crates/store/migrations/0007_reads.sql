-- Reads that hold at a million rows (SYS performance): every list is one index range scan.
--
-- Scope is a half-open range on the materialised path (`path >= lo AND path < hi`, see
-- `prefix_upper_bound`); on PostgreSQL the path columns compare byte-wise (`COLLATE "C"`), so
-- the range is exactly the prefix. An agency's path never changes after registration
-- (`decide_update_agency` keeps it), so each listed table carries its agency's path and domain:
-- the scope filter and the list's sort key share one composite index, (agency_path, key) for the
-- subtree and (agency_domain, agency_path, key) for a department's same-domain line.
-- Lines starting with `--pg: ` or `--sqlite: ` are that engine's only (see `migration_sql`).
--pg: ALTER TABLE agencies ALTER COLUMN path TYPE TEXT COLLATE "C";
-- The other sort keys and the names searched by prefix compare byte-wise too, so the pages of a
-- department's two scope branches merge in the order the database returns them.
--pg: ALTER TABLE agencies ALTER COLUMN name TYPE TEXT COLLATE "C";
--pg: ALTER TABLE officers ALTER COLUMN certificate_no TYPE TEXT COLLATE "C";
--pg: ALTER TABLE officers ALTER COLUMN name TYPE TEXT COLLATE "C";
--pg: ALTER TABLE items ALTER COLUMN code TYPE TEXT COLLATE "C";
--pg: ALTER TABLE items ALTER COLUMN name TYPE TEXT COLLATE "C";
--pg: ALTER TABLE inspection_items ALTER COLUMN id TYPE TEXT COLLATE "C";
--pg: ALTER TABLE deadlines ALTER COLUMN id TYPE TEXT COLLATE "C";
--pg: ALTER TABLE evidence ALTER COLUMN id TYPE TEXT COLLATE "C";
--pg: ALTER TABLE users ALTER COLUMN username TYPE TEXT COLLATE "C";
DROP INDEX agencies_path;
CREATE INDEX agencies_path ON agencies (path);
CREATE INDEX agencies_domain_path ON agencies (domain, path);

ALTER TABLE agencies ADD COLUMN search TEXT NOT NULL DEFAULT '';
UPDATE agencies SET search = name || ' ' || credit_code || ' ' || division_code;

ALTER TABLE officers ADD COLUMN agency_path {{PATH}} NOT NULL DEFAULT '';
ALTER TABLE officers ADD COLUMN agency_domain TEXT NOT NULL DEFAULT '';
ALTER TABLE officers ADD COLUMN search TEXT NOT NULL DEFAULT '';
UPDATE officers SET agency_path = (SELECT a.path FROM agencies a WHERE a.id = officers.agency_id),
    agency_domain = (SELECT a.domain FROM agencies a WHERE a.id = officers.agency_id),
    search = name || ' ' || certificate_no;
CREATE INDEX officers_scope ON officers (agency_path, certificate_no);
CREATE INDEX officers_scope_domain ON officers (agency_domain, agency_path, certificate_no);
CREATE INDEX officers_name ON officers (name);

ALTER TABLE items ADD COLUMN agency_path {{PATH}} NOT NULL DEFAULT '';
ALTER TABLE items ADD COLUMN agency_domain TEXT NOT NULL DEFAULT '';
ALTER TABLE items ADD COLUMN search TEXT NOT NULL DEFAULT '';
UPDATE items SET agency_path = (SELECT a.path FROM agencies a WHERE a.id = items.agency_id),
    agency_domain = (SELECT a.domain FROM agencies a WHERE a.id = items.agency_id),
    search = code || ' ' || name;
CREATE INDEX items_scope ON items (agency_path, code);
CREATE INDEX items_scope_domain ON items (agency_domain, agency_path, code);
CREATE INDEX items_name ON items (name);

ALTER TABLE inspection_items ADD COLUMN agency_path {{PATH}} NOT NULL DEFAULT '';
ALTER TABLE inspection_items ADD COLUMN agency_domain TEXT NOT NULL DEFAULT '';
ALTER TABLE inspection_items ADD COLUMN search TEXT NOT NULL DEFAULT '';
UPDATE inspection_items SET agency_path = (SELECT a.path FROM agencies a WHERE a.id = inspection_items.agency_id),
    agency_domain = (SELECT a.domain FROM agencies a WHERE a.id = inspection_items.agency_id),
    search = doc;
CREATE INDEX inspection_items_scope ON inspection_items (agency_path, id);
CREATE INDEX inspection_items_scope_domain ON inspection_items (agency_domain, agency_path, id);

-- Deadlines are listed by agency, then due date (undated last: `due_key` is the date or '9999-99-99').
ALTER TABLE deadlines ADD COLUMN agency_path {{PATH}} NOT NULL DEFAULT '';
ALTER TABLE deadlines ADD COLUMN agency_domain TEXT NOT NULL DEFAULT '';
ALTER TABLE deadlines ADD COLUMN due_key {{PATH}} NOT NULL DEFAULT '';
UPDATE deadlines SET agency_path = (SELECT a.path FROM agencies a WHERE a.id = deadlines.agency_id),
    agency_domain = (SELECT a.domain FROM agencies a WHERE a.id = deadlines.agency_id),
    due_key = COALESCE(due_date, '9999-99-99');
CREATE INDEX deadlines_scope ON deadlines (agency_path, due_key, id);
CREATE INDEX deadlines_scope_domain ON deadlines (agency_domain, agency_path, due_key, id);

-- Evidence is listed by agency, newest first: `received_rank` is minus the receipt time.
ALTER TABLE evidence ADD COLUMN agency_path {{PATH}} NOT NULL DEFAULT '';
ALTER TABLE evidence ADD COLUMN agency_domain TEXT NOT NULL DEFAULT '';
ALTER TABLE evidence ADD COLUMN received_rank BIGINT NOT NULL DEFAULT 0;
ALTER TABLE evidence ADD COLUMN search TEXT NOT NULL DEFAULT '';
UPDATE evidence SET agency_path = (SELECT a.path FROM agencies a WHERE a.id = evidence.agency_id),
    agency_domain = (SELECT a.domain FROM agencies a WHERE a.id = evidence.agency_id),
    received_rank = -received_at, search = doc;
CREATE INDEX evidence_scope ON evidence (agency_path, received_rank, id);
CREATE INDEX evidence_scope_domain ON evidence (agency_domain, agency_path, received_rank, id);

ALTER TABLE users ADD COLUMN agency_path {{PATH}} NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN agency_domain TEXT NOT NULL DEFAULT '';
UPDATE users SET agency_path = (SELECT a.path FROM agencies a WHERE a.id = users.agency_id),
    agency_domain = (SELECT a.domain FROM agencies a WHERE a.id = users.agency_id);
CREATE INDEX users_agency ON users (agency_id);
CREATE INDEX users_scope ON users (agency_path, username);
CREATE INDEX users_scope_domain ON users (agency_domain, agency_path, username);

-- Per-agency counters kept by the projections in the command's transaction (home page, list
-- totals): kind `officers`, `officers_valid` (day = the certificate's last valid day),
-- `items` (in force), `inspection_items`. Summed over the agencies in scope via the path index.
CREATE TABLE counts (
    agency_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    day TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (agency_id, kind, day)
);
INSERT INTO counts (agency_id, kind, day, n) SELECT agency_id, 'officers', '', COUNT(*) FROM officers GROUP BY agency_id;
INSERT INTO counts (agency_id, kind, day, n) SELECT agency_id, 'officers_valid', valid_to, COUNT(*) FROM officers WHERE status = 'valid' GROUP BY agency_id, valid_to;
INSERT INTO counts (agency_id, kind, day, n) SELECT agency_id, 'items', '', COUNT(*) FROM items WHERE NOT repealed GROUP BY agency_id;
INSERT INTO counts (agency_id, kind, day, n) SELECT agency_id, 'inspection_items', '', COUNT(*) FROM inspection_items GROUP BY agency_id;

-- Text search: trigrams (queries of 3 or more characters). PostgreSQL: pg_trgm GIN indexes on
-- `search`; SQLite: FTS5 trigram tables over `search`, kept by triggers (external content,
-- keyed by rowid). Shorter queries match a prefix of the name (see `search_cond`).
--pg: CREATE EXTENSION IF NOT EXISTS pg_trgm;
--pg: CREATE INDEX agencies_search ON agencies USING gin (search gin_trgm_ops);
--pg: CREATE INDEX officers_search ON officers USING gin (search gin_trgm_ops);
--pg: CREATE INDEX items_search ON items USING gin (search gin_trgm_ops);
--pg: CREATE INDEX inspection_items_search ON inspection_items USING gin (search gin_trgm_ops);
--pg: CREATE INDEX evidence_search ON evidence USING gin (search gin_trgm_ops);
CREATE INDEX agencies_name ON agencies (name);
--sqlite: CREATE VIRTUAL TABLE agencies_fts USING fts5(search, content='agencies', content_rowid='rowid', tokenize='trigram');
--sqlite: INSERT INTO agencies_fts (rowid, search) SELECT rowid, search FROM agencies;
--sqlite: CREATE TRIGGER agencies_fts_ins AFTER INSERT ON agencies BEGIN INSERT INTO agencies_fts (rowid, search) VALUES (new.rowid, new.search); END;
--sqlite: CREATE TRIGGER agencies_fts_del AFTER DELETE ON agencies BEGIN INSERT INTO agencies_fts (agencies_fts, rowid, search) VALUES ('delete', old.rowid, old.search); END;
--sqlite: CREATE TRIGGER agencies_fts_upd AFTER UPDATE OF search ON agencies BEGIN INSERT INTO agencies_fts (agencies_fts, rowid, search) VALUES ('delete', old.rowid, old.search); INSERT INTO agencies_fts (rowid, search) VALUES (new.rowid, new.search); END;
--sqlite: CREATE VIRTUAL TABLE officers_fts USING fts5(search, content='officers', content_rowid='rowid', tokenize='trigram');
--sqlite: INSERT INTO officers_fts (rowid, search) SELECT rowid, search FROM officers;
--sqlite: CREATE TRIGGER officers_fts_ins AFTER INSERT ON officers BEGIN INSERT INTO officers_fts (rowid, search) VALUES (new.rowid, new.search); END;
--sqlite: CREATE TRIGGER officers_fts_del AFTER DELETE ON officers BEGIN INSERT INTO officers_fts (officers_fts, rowid, search) VALUES ('delete', old.rowid, old.search); END;
--sqlite: CREATE TRIGGER officers_fts_upd AFTER UPDATE OF search ON officers BEGIN INSERT INTO officers_fts (officers_fts, rowid, search) VALUES ('delete', old.rowid, old.search); INSERT INTO officers_fts (rowid, search) VALUES (new.rowid, new.search); END;
--sqlite: CREATE VIRTUAL TABLE items_fts USING fts5(search, content='items', content_rowid='rowid', tokenize='trigram');
--sqlite: INSERT INTO items_fts (rowid, search) SELECT rowid, search FROM items;
--sqlite: CREATE TRIGGER items_fts_ins AFTER INSERT ON items BEGIN INSERT INTO items_fts (rowid, search) VALUES (new.rowid, new.search); END;
--sqlite: CREATE TRIGGER items_fts_del AFTER DELETE ON items BEGIN INSERT INTO items_fts (items_fts, rowid, search) VALUES ('delete', old.rowid, old.search); END;
--sqlite: CREATE TRIGGER items_fts_upd AFTER UPDATE OF search ON items BEGIN INSERT INTO items_fts (items_fts, rowid, search) VALUES ('delete', old.rowid, old.search); INSERT INTO items_fts (rowid, search) VALUES (new.rowid, new.search); END;
--sqlite: CREATE VIRTUAL TABLE inspection_items_fts USING fts5(search, content='inspection_items', content_rowid='rowid', tokenize='trigram');
--sqlite: INSERT INTO inspection_items_fts (rowid, search) SELECT rowid, search FROM inspection_items;
--sqlite: CREATE TRIGGER inspection_items_fts_ins AFTER INSERT ON inspection_items BEGIN INSERT INTO inspection_items_fts (rowid, search) VALUES (new.rowid, new.search); END;
--sqlite: CREATE TRIGGER inspection_items_fts_del AFTER DELETE ON inspection_items BEGIN INSERT INTO inspection_items_fts (inspection_items_fts, rowid, search) VALUES ('delete', old.rowid, old.search); END;
--sqlite: CREATE TRIGGER inspection_items_fts_upd AFTER UPDATE OF search ON inspection_items BEGIN INSERT INTO inspection_items_fts (inspection_items_fts, rowid, search) VALUES ('delete', old.rowid, old.search); INSERT INTO inspection_items_fts (rowid, search) VALUES (new.rowid, new.search); END;
--sqlite: CREATE VIRTUAL TABLE evidence_fts USING fts5(search, content='evidence', content_rowid='rowid', tokenize='trigram');
--sqlite: INSERT INTO evidence_fts (rowid, search) SELECT rowid, search FROM evidence;
--sqlite: CREATE TRIGGER evidence_fts_ins AFTER INSERT ON evidence BEGIN INSERT INTO evidence_fts (rowid, search) VALUES (new.rowid, new.search); END;
--sqlite: CREATE TRIGGER evidence_fts_del AFTER DELETE ON evidence BEGIN INSERT INTO evidence_fts (evidence_fts, rowid, search) VALUES ('delete', old.rowid, old.search); END;
--sqlite: CREATE TRIGGER evidence_fts_upd AFTER UPDATE OF search ON evidence BEGIN INSERT INTO evidence_fts (evidence_fts, rowid, search) VALUES ('delete', old.rowid, old.search); INSERT INTO evidence_fts (rowid, search) VALUES (new.rowid, new.search); END;
