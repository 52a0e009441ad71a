//! Bulk statements of the append path: the only SQL that differs per engine.
//!
//! The group-commit writer appends a whole batch of commands in one transaction. Issued one row
//! at a time, the events and salts of a batch cost a statement each — on SQLite a hop to the
//! driver's worker thread, on PostgreSQL a network round trip. Here each table gets one
//! statement per batch (and the batch's stream versions one query):
//!
//! - SQLite: a multi-row `VALUES (?, …), (?, …)` / `IN (?, …)` placeholder list, chunked below
//!   SQLite's limit of 32,766 bound parameters. The text depends on the row count, so only the
//!   one-row form is kept in sqlx's per-connection statement cache (a lone writer's batch);
//!   the others are prepared per use (in-process and cheap), as a cache entry per batch size
//!   would evict the hot statements.
//! - PostgreSQL: one array parameter per column (`UNNEST($1::BIGINT[], …)`): one fixed statement
//!   text for any batch size, so it is prepared once per connection and each use is a single
//!   round trip, with no bound-parameter limit to chunk for. A one-row batch uses the plain
//!   one-row statements, which are cheaper for a single row.
//!
//! Every value is a bound parameter; only placeholder lists are built.

use crate::{AccessEntry, Recorded};
use std::collections::HashMap;

/// One event row of a batch, as `events` stores it, and its salt if it carries personal data.
pub(crate) struct EventRow<'a> {
    pub(crate) rec: &'a Recorded,
    /// `rec.payload` as stored text (serialised once, here).
    pub(crate) payload: String,
    pub(crate) salt: Option<zhifa_ledger::Salt>,
}

/// One `officers` projection row, as stored (the registry's projection builds it).
pub(crate) struct OfficerRow {
    pub(crate) id: String,
    pub(crate) agency_id: String,
    pub(crate) name: String,
    pub(crate) certificate_no: String,
    pub(crate) status: String,
    pub(crate) valid_to: String,
    pub(crate) version: i64,
    pub(crate) doc: String,
    pub(crate) search: String,
    pub(crate) acting_until: Option<String>,
}

const OFFICER_INSERT: &str = "INSERT INTO officers (id, agency_id, name, certificate_no, status, valid_to, version, doc, \
     agency_path, agency_domain, search, acting_until)";
const OFFICER_UPSERT: &str = "ON CONFLICT (id) DO UPDATE SET agency_id = excluded.agency_id, name = excluded.name, \
     certificate_no = excluded.certificate_no, status = excluded.status, valid_to = excluded.valid_to, \
     version = excluded.version, doc = excluded.doc, agency_path = excluded.agency_path, \
     agency_domain = excluded.agency_domain, search = excluded.search, acting_until = excluded.acting_until";

/// The engine-specific bulk statements; each backend module calls them as `<Db as Bulk>::…`.
pub(crate) trait Bulk: sqlx::Database {
    /// The committed version (highest event version) of each of `streams` that exists.
    async fn stream_versions(
        conn: &mut Self::Connection,
        streams: &[&str],
    ) -> sqlx::Result<HashMap<String, i64>>;

    /// Inserts the rows into `events` (and their salts into `event_salts`).
    async fn insert_events(conn: &mut Self::Connection, rows: &[EventRow<'_>]) -> sqlx::Result<()>;

    /// Upserts officer projection rows (a batch's registrations; distinct ids), each with its
    /// agency's path and domain.
    async fn upsert_officers(conn: &mut Self::Connection, rows: &[OfficerRow]) -> sqlx::Result<()>;

    /// Inserts a batch of access-log entries (see `access.rs`).
    async fn insert_access(conn: &mut Self::Connection, rows: &[AccessEntry]) -> sqlx::Result<()>;
}

/// SQLite's default `SQLITE_MAX_VARIABLE_NUMBER` (since 3.32; the bundled library keeps it).
pub(crate) const SQLITE_MAX_PARAMS: usize = 32_766;

/// `(?, ?), (?, ?)` for `rows` rows of `cols` placeholders. Anonymous `?`, not `$N`: sqlx binds
/// each parameter after asking SQLite its name, and that look-up scans the statement's list of
/// named parameters, which made binding a `$N` list quadratic (a fifth of the writer's CPU time
/// at 64 rows × 10 columns).
pub(crate) fn values_list(rows: usize, cols: usize) -> String {
    let row = format!("({})", vec!["?"; cols].join(", "));
    vec![row; rows].join(", ")
}

const ACCESS_INSERT: &str =
    "INSERT INTO access_log (at, user_id, username, action, target, status, client, agency_path)";
const ACCESS_COLUMN_COUNT: usize = 8;

const EVENT_INSERT: &str = "INSERT INTO events (seq, id, stream, version, kind, payload, actor_id, actor_name, agency_id, recorded_at)";
const EVENT_COLUMN_COUNT: usize = 10;

impl Bulk for sqlx::Sqlite {
    async fn stream_versions(
        conn: &mut sqlx::SqliteConnection,
        streams: &[&str],
    ) -> sqlx::Result<HashMap<String, i64>> {
        use sqlx::Row;
        if streams.is_empty() {
            return Ok(HashMap::new());
        }
        let mut out = HashMap::with_capacity(streams.len());
        for chunk in streams.chunks(SQLITE_MAX_PARAMS) {
            let sql = format!(
                "SELECT stream, MAX(version) FROM events WHERE stream IN {} GROUP BY stream",
                // One row of `chunk.len()` placeholders: `($1, $2, …)`.
                values_list(1, chunk.len())
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(chunk.len() == 1);
            for s in chunk {
                q = q.bind(*s);
            }
            for r in q.fetch_all(&mut *conn).await? {
                out.insert(r.try_get(0)?, r.try_get(1)?);
            }
        }
        Ok(out)
    }

    async fn insert_events(
        conn: &mut sqlx::SqliteConnection,
        rows: &[EventRow<'_>],
    ) -> sqlx::Result<()> {
        for chunk in rows.chunks(SQLITE_MAX_PARAMS / EVENT_COLUMN_COUNT) {
            let sql = format!(
                "{EVENT_INSERT} VALUES {}",
                values_list(chunk.len(), EVENT_COLUMN_COUNT)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(chunk.len() == 1);
            for row in chunk {
                let r = row.rec;
                q = q
                    .bind(r.seq)
                    .bind(r.id.to_string())
                    .bind(r.stream.as_str())
                    .bind(r.version)
                    .bind(r.kind.as_str())
                    .bind(row.payload.as_str())
                    .bind(r.actor_id.to_string())
                    .bind(r.actor_name.as_str())
                    .bind(r.agency_id.to_string())
                    .bind(r.recorded_at);
            }
            q.execute(&mut *conn).await?;
        }
        let salted: Vec<(i64, &zhifa_ledger::Salt)> = rows
            .iter()
            .filter_map(|r| r.salt.as_ref().map(|s| (r.rec.seq, s)))
            .collect();
        for chunk in salted.chunks(SQLITE_MAX_PARAMS / 2) {
            let sql = format!(
                "INSERT INTO event_salts (seq, salt) VALUES {}",
                values_list(chunk.len(), 2)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(chunk.len() == 1);
            for (seq, salt) in chunk {
                q = q.bind(*seq).bind(salt.0.as_slice());
            }
            q.execute(&mut *conn).await?;
        }
        Ok(())
    }

    async fn upsert_officers(
        conn: &mut sqlx::SqliteConnection,
        rows: &[OfficerRow],
    ) -> sqlx::Result<()> {
        // The agencies' path and domain by one join, not a subquery per row: SQLite keeps
        // every subquery's cursor open for the whole statement and revisits all of them on
        // each row written, which made a 150-row upsert quadratic (measured: a third of the
        // writer's CPU in sqlite3BtreeCursor).
        for chunk in rows.chunks(SQLITE_MAX_PARAMS / 11) {
            let sql = format!(
                "{OFFICER_INSERT} SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column6, \
                 v.column7, v.column8, a.path, a.domain, v.column9, v.column10 \
                 FROM (VALUES {}) AS v LEFT JOIN agencies a ON a.id = v.column2 \
                 WHERE true ORDER BY v.column11 {OFFICER_UPSERT}",
                values_list(chunk.len(), 11)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(chunk.len() == 1);
            for (i, r) in chunk.iter().enumerate() {
                q = q
                    .bind(r.id.as_str())
                    .bind(r.agency_id.as_str())
                    .bind(r.name.as_str())
                    .bind(r.certificate_no.as_str())
                    .bind(r.status.as_str())
                    .bind(r.valid_to.as_str())
                    .bind(r.version)
                    .bind(r.doc.as_str())
                    .bind(r.search.as_str())
                    .bind(r.acting_until.as_deref())
                    .bind(i as i64);
            }
            q.execute(&mut *conn).await?;
        }
        Ok(())
    }

    async fn insert_access(
        conn: &mut sqlx::SqliteConnection,
        rows: &[AccessEntry],
    ) -> sqlx::Result<()> {
        for chunk in rows.chunks(SQLITE_MAX_PARAMS / ACCESS_COLUMN_COUNT) {
            let sql = format!(
                "{ACCESS_INSERT} VALUES {}",
                values_list(chunk.len(), ACCESS_COLUMN_COUNT)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(chunk.len() == 1);
            for e in chunk {
                q = q
                    .bind(e.at)
                    .bind(e.user_id.map(|u| u.to_string()))
                    .bind(e.username.as_str())
                    .bind(e.action.as_str())
                    .bind(e.target.as_str())
                    .bind(e.status)
                    .bind(e.client.as_deref())
                    .bind(e.agency_path.as_deref());
            }
            q.execute(&mut *conn).await?;
        }
        Ok(())
    }
}

impl Bulk for sqlx::Postgres {
    async fn stream_versions(
        conn: &mut sqlx::PgConnection,
        streams: &[&str],
    ) -> sqlx::Result<HashMap<String, i64>> {
        use sqlx::Row;
        if streams.is_empty() {
            return Ok(HashMap::new());
        }
        // One index probe per stream, like the single-stream `SELECT MAX(version)`. (Not
        // `stream = ANY($1) GROUP BY stream`: on a table whose statistics are stale the planner
        // chose a sequential scan for it, which grows with the log.)
        let rows = sqlx::query(
            "SELECT s.stream, (SELECT MAX(e.version) FROM events e WHERE e.stream = s.stream) \
             FROM UNNEST($1::TEXT[]) AS s(stream)",
        )
        .bind(streams)
        .fetch_all(&mut *conn)
        .await?;
        let mut out = HashMap::with_capacity(rows.len());
        for r in &rows {
            if let Some(v) = r.try_get::<Option<i64>, _>(1)? {
                out.insert(r.try_get(0)?, v);
            }
        }
        Ok(out)
    }

    async fn insert_events(
        conn: &mut sqlx::PgConnection,
        rows: &[EventRow<'_>],
    ) -> sqlx::Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        if let [row] = rows {
            // A lone row (a lone writer's batch): the plain statements. Measured: UNNEST of
            // one-element arrays cost ~0.1 ms more per transaction, ~15 % of a single
            // writer's rate.
            let r = row.rec;
            sqlx::query(
                "INSERT INTO events (seq, id, stream, version, kind, payload, actor_id, actor_name, agency_id, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
                .bind(r.seq)
                .bind(r.id.to_string())
                .bind(r.stream.as_str())
                .bind(r.version)
                .bind(r.kind.as_str())
                .bind(row.payload.as_str())
                .bind(r.actor_id.to_string())
                .bind(r.actor_name.as_str())
                .bind(r.agency_id.to_string())
                .bind(r.recorded_at)
                .execute(&mut *conn)
                .await?;
            if let Some(salt) = &row.salt {
                sqlx::query("INSERT INTO event_salts (seq, salt) VALUES ($1, $2)")
                    .bind(r.seq)
                    .bind(salt.0.as_slice())
                    .execute(&mut *conn)
                    .await?;
            }
            return Ok(());
        }
        let col = |f: fn(&EventRow<'_>) -> String| rows.iter().map(f).collect::<Vec<String>>();
        sqlx::query(
            "INSERT INTO events (seq, id, stream, version, kind, payload, actor_id, actor_name, agency_id, recorded_at) \
             SELECT * FROM UNNEST($1::BIGINT[], $2::TEXT[], $3::TEXT[], $4::BIGINT[], $5::TEXT[], \
             $6::TEXT[], $7::TEXT[], $8::TEXT[], $9::TEXT[], $10::BIGINT[])",
        )
        .bind(rows.iter().map(|r| r.rec.seq).collect::<Vec<i64>>())
        .bind(col(|r| r.rec.id.to_string()))
        .bind(rows.iter().map(|r| r.rec.stream.as_str()).collect::<Vec<&str>>())
        .bind(rows.iter().map(|r| r.rec.version).collect::<Vec<i64>>())
        .bind(rows.iter().map(|r| r.rec.kind.as_str()).collect::<Vec<&str>>())
        .bind(rows.iter().map(|r| r.payload.as_str()).collect::<Vec<&str>>())
        .bind(col(|r| r.rec.actor_id.to_string()))
        .bind(rows.iter().map(|r| r.rec.actor_name.as_str()).collect::<Vec<&str>>())
        .bind(col(|r| r.rec.agency_id.to_string()))
        .bind(rows.iter().map(|r| r.rec.recorded_at).collect::<Vec<i64>>())
        .execute(&mut *conn)
        .await?;
        let (seqs, salts): (Vec<i64>, Vec<&[u8]>) = rows
            .iter()
            .filter_map(|r| r.salt.as_ref().map(|s| (r.rec.seq, s.0.as_slice())))
            .unzip();
        if !seqs.is_empty() {
            sqlx::query(
                "INSERT INTO event_salts (seq, salt) SELECT * FROM UNNEST($1::BIGINT[], $2::BYTEA[])",
            )
            .bind(seqs)
            .bind(salts)
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }

    async fn upsert_officers(
        conn: &mut sqlx::PgConnection,
        rows: &[OfficerRow],
    ) -> sqlx::Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let col = |f: fn(&OfficerRow) -> &str| rows.iter().map(f).collect::<Vec<&str>>();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{OFFICER_INSERT} SELECT u.id, u.agency_id, u.name, u.certificate_no, u.status, u.valid_to, u.version, \
             u.doc, a.path, a.domain, u.search, u.acting_until \
             FROM UNNEST($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::TEXT[], $7::BIGINT[], \
             $8::TEXT[], $9::TEXT[], $10::TEXT[]) WITH ORDINALITY \
             AS u(id, agency_id, name, certificate_no, status, valid_to, version, doc, search, acting_until, ord) \
             LEFT JOIN agencies a ON a.id = u.agency_id ORDER BY u.ord {OFFICER_UPSERT}"
        )))
        .bind(col(|r| &r.id))
        .bind(col(|r| &r.agency_id))
        .bind(col(|r| &r.name))
        .bind(col(|r| &r.certificate_no))
        .bind(col(|r| &r.status))
        .bind(col(|r| &r.valid_to))
        .bind(rows.iter().map(|r| r.version).collect::<Vec<i64>>())
        .bind(col(|r| &r.doc))
        .bind(col(|r| &r.search))
        .bind(rows.iter().map(|r| r.acting_until.as_deref()).collect::<Vec<Option<&str>>>())
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    async fn insert_access(
        conn: &mut sqlx::PgConnection,
        rows: &[AccessEntry],
    ) -> sqlx::Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{ACCESS_INSERT} SELECT * FROM UNNEST($1::BIGINT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::BIGINT[], $7::TEXT[], $8::TEXT[])"
        )))
        .bind(rows.iter().map(|e| e.at).collect::<Vec<i64>>())
        .bind(rows.iter().map(|e| e.user_id.map(|u| u.to_string())).collect::<Vec<Option<String>>>())
        .bind(rows.iter().map(|e| e.username.as_str()).collect::<Vec<&str>>())
        .bind(rows.iter().map(|e| e.action.as_str()).collect::<Vec<&str>>())
        .bind(rows.iter().map(|e| e.target.as_str()).collect::<Vec<&str>>())
        .bind(rows.iter().map(|e| e.status).collect::<Vec<i64>>())
        .bind(rows.iter().map(|e| e.client.as_deref()).collect::<Vec<Option<&str>>>())
        .bind(rows.iter().map(|e| e.agency_path.as_deref()).collect::<Vec<Option<&str>>>())
        .execute(&mut *conn)
        .await?;
        Ok(())
    }
}
