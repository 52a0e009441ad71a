//! Bulk upserts of the case feature's staged projections (cases and their deadlines), one
//! statement per table per batch, as `bulk.rs` does for officers: SQLite a multi-row `VALUES`
//! joined to `agencies` (one join, not a subquery per row), PostgreSQL one array per column.
//! A batch's rows have distinct ids (staging keeps one row per case or deadline).

use crate::bulk::{SQLITE_MAX_PARAMS, values_list};

/// One `cases` row as stored.
pub(crate) struct CaseRow {
    pub(crate) id: String,
    pub(crate) agency_id: String,
    pub(crate) case_no: String,
    pub(crate) year: i64,
    pub(crate) number: i64,
    pub(crate) stage: &'static str,
    pub(crate) open_rank: i64,
    pub(crate) filed_on: String,
    pub(crate) version: i64,
    pub(crate) doc: String,
}

/// One `deadlines` row as stored.
pub(crate) struct DeadlineRow {
    pub(crate) id: String,
    pub(crate) agency_id: String,
    pub(crate) rule_id: String,
    pub(crate) subject: String,
    pub(crate) status: &'static str,
    pub(crate) due_date: Option<String>,
    pub(crate) provisional: bool,
    pub(crate) first_year: i64,
    pub(crate) last_year: i64,
    pub(crate) version: i64,
    pub(crate) doc: String,
}

const CASE_INSERT: &str = "INSERT INTO cases (id, agency_id, agency_path, agency_domain, case_no, year, number, \
     stage, open_rank, filed_on, version, doc)";
const CASE_UPSERT: &str = "ON CONFLICT (id) DO UPDATE SET stage = excluded.stage, open_rank = excluded.open_rank, \
     version = excluded.version, doc = excluded.doc";
const DEADLINE_INSERT: &str = "INSERT INTO deadlines (id, agency_id, rule_id, subject, status, due_date, provisional, \
     first_year, last_year, version, doc, agency_path, agency_domain, due_key)";
const DEADLINE_UPSERT: &str = "ON CONFLICT (id) DO UPDATE SET status = excluded.status, due_date = excluded.due_date, \
     provisional = excluded.provisional, first_year = excluded.first_year, last_year = excluded.last_year, \
     version = excluded.version, doc = excluded.doc, due_key = excluded.due_key";

pub(crate) trait BulkCases: sqlx::Database {
    async fn upsert_cases(conn: &mut Self::Connection, rows: &[CaseRow]) -> sqlx::Result<()>;
    async fn upsert_deadlines(
        conn: &mut Self::Connection,
        rows: &[DeadlineRow],
    ) -> sqlx::Result<()>;
}

impl BulkCases for sqlx::Sqlite {
    async fn upsert_cases(conn: &mut sqlx::SqliteConnection, rows: &[CaseRow]) -> sqlx::Result<()> {
        for chunk in rows.chunks(SQLITE_MAX_PARAMS / 11) {
            let sql = format!(
                "{CASE_INSERT} SELECT v.column1, v.column2, a.path, a.domain, v.column3, v.column4, v.column5, \
                 v.column6, v.column7, v.column8, v.column9, v.column10 \
                 FROM (VALUES {}) AS v LEFT JOIN agencies a ON a.id = v.column2 \
                 WHERE true ORDER BY v.column11 {CASE_UPSERT}",
                values_list(chunk.len(), 11)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(chunk.len() == 1);
            for (i, r) in chunk.iter().enumerate() {
                q = q
                    .bind(r.id.as_str())
                    .bind(r.agency_id.as_str())
                    .bind(r.case_no.as_str())
                    .bind(r.year)
                    .bind(r.number)
                    .bind(r.stage)
                    .bind(r.open_rank)
                    .bind(r.filed_on.as_str())
                    .bind(r.version)
                    .bind(r.doc.as_str())
                    .bind(i as i64);
            }
            q.execute(&mut *conn).await?;
        }
        Ok(())
    }

    async fn upsert_deadlines(
        conn: &mut sqlx::SqliteConnection,
        rows: &[DeadlineRow],
    ) -> sqlx::Result<()> {
        for chunk in rows.chunks(SQLITE_MAX_PARAMS / 12) {
            let sql = format!(
                "{DEADLINE_INSERT} SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column6, \
                 v.column7, v.column8, v.column9, v.column10, v.column11, a.path, a.domain, \
                 COALESCE(v.column6, '9999-99-99') \
                 FROM (VALUES {}) AS v LEFT JOIN agencies a ON a.id = v.column2 \
                 WHERE true ORDER BY v.column12 {DEADLINE_UPSERT}",
                values_list(chunk.len(), 12)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(chunk.len() == 1);
            for (i, r) in chunk.iter().enumerate() {
                q = q
                    .bind(r.id.as_str())
                    .bind(r.agency_id.as_str())
                    .bind(r.rule_id.as_str())
                    .bind(r.subject.as_str())
                    .bind(r.status)
                    .bind(r.due_date.as_deref())
                    .bind(r.provisional)
                    .bind(r.first_year)
                    .bind(r.last_year)
                    .bind(r.version)
                    .bind(r.doc.as_str())
                    .bind(i as i64);
            }
            q.execute(&mut *conn).await?;
        }
        Ok(())
    }
}

impl BulkCases for sqlx::Postgres {
    async fn upsert_cases(conn: &mut sqlx::PgConnection, rows: &[CaseRow]) -> sqlx::Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let text = |f: fn(&CaseRow) -> &str| rows.iter().map(f).collect::<Vec<&str>>();
        let int = |f: fn(&CaseRow) -> i64| rows.iter().map(f).collect::<Vec<i64>>();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{CASE_INSERT} SELECT u.id, u.agency_id, a.path, a.domain, u.case_no, u.year, u.number, u.stage, \
             u.open_rank, u.filed_on, u.version, u.doc \
             FROM UNNEST($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::BIGINT[], $5::BIGINT[], $6::TEXT[], \
             $7::BIGINT[], $8::TEXT[], $9::BIGINT[], $10::TEXT[]) WITH ORDINALITY \
             AS u(id, agency_id, case_no, year, number, stage, open_rank, filed_on, version, doc, ord) \
             LEFT JOIN agencies a ON a.id = u.agency_id ORDER BY u.ord {CASE_UPSERT}"
        )))
        .bind(text(|r| &r.id))
        .bind(text(|r| &r.agency_id))
        .bind(text(|r| &r.case_no))
        .bind(int(|r| r.year))
        .bind(int(|r| r.number))
        .bind(text(|r| r.stage))
        .bind(int(|r| r.open_rank))
        .bind(text(|r| &r.filed_on))
        .bind(int(|r| r.version))
        .bind(text(|r| &r.doc))
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    async fn upsert_deadlines(
        conn: &mut sqlx::PgConnection,
        rows: &[DeadlineRow],
    ) -> sqlx::Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let text = |f: fn(&DeadlineRow) -> &str| rows.iter().map(f).collect::<Vec<&str>>();
        let int = |f: fn(&DeadlineRow) -> i64| rows.iter().map(f).collect::<Vec<i64>>();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{DEADLINE_INSERT} SELECT u.id, u.agency_id, u.rule_id, u.subject, u.status, u.due_date, u.provisional, \
             u.first_year, u.last_year, u.version, u.doc, a.path, a.domain, COALESCE(u.due_date, '9999-99-99') \
             FROM UNNEST($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::TEXT[], \
             $7::BOOLEAN[], $8::BIGINT[], $9::BIGINT[], $10::BIGINT[], $11::TEXT[]) WITH ORDINALITY \
             AS u(id, agency_id, rule_id, subject, status, due_date, provisional, first_year, last_year, version, doc, ord) \
             LEFT JOIN agencies a ON a.id = u.agency_id ORDER BY u.ord {DEADLINE_UPSERT}"
        )))
        .bind(text(|r| &r.id))
        .bind(text(|r| &r.agency_id))
        .bind(text(|r| &r.rule_id))
        .bind(text(|r| &r.subject))
        .bind(text(|r| r.status))
        .bind(rows.iter().map(|r| r.due_date.as_deref()).collect::<Vec<Option<&str>>>())
        .bind(rows.iter().map(|r| r.provisional).collect::<Vec<bool>>())
        .bind(int(|r| r.first_year))
        .bind(int(|r| r.last_year))
        .bind(int(|r| r.version))
        .bind(text(|r| &r.doc))
        .execute(&mut *conn)
        .await?;
        Ok(())
    }
}
