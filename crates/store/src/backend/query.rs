// Scoped, keyset-paged reads shared by every feature: the scope as half-open path ranges, list
// specifications, cursors, counters, search conditions, and the plans the tests check.
// Part of the backend: `include!`d by backend.rs (compiled once per engine).

/// The caller's scope over agencies `a`, as two half-open path ranges ($1..$5, [`scope_args`]):
/// the subtree, or the same-domain agencies under the department's government.
const SCOPE_SQL: &str =
    "((a.path >= $1 AND a.path < $2) OR (a.domain = $3 AND a.path >= $4 AND a.path < $5))";


/// The tables that carry their agency's path and domain (`agency_path`, `agency_domain`).
const SCOPED_TABLES: &[&str] = &[
    "officers",
    "items",
    "inspection_items",
    "deadlines",
    "evidence",
    "users",
    "cases",
];

/// The type of a sort key column after the path.
#[derive(Clone, Copy)]
enum KeyKind {
    Text,
    Int,
}

impl crate::KeyShape for KeyKind {
    fn is_int(&self) -> bool {
        matches!(self, KeyKind::Int)
    }
}

/// A keyset list: the table, its path and domain columns and its unique sort key after the path.
struct ListSpec<'a> {
    table: &'a str,
    path: &'a str,
    domain: &'a str,
    keys: &'a [(&'a str, KeyKind)],
}

impl ListSpec<'_> {
    fn key_columns(&self) -> String {
        std::iter::once(self.path)
            .chain(self.keys.iter().map(|(c, _)| *c))
            .collect::<Vec<_>>()
            .join(", ")
    }
    fn key_kinds(&self) -> Vec<KeyKind> {
        std::iter::once(KeyKind::Text)
            .chain(self.keys.iter().map(|(_, k)| *k))
            .collect()
    }
}

/// A filter of a list: fixed SQL with `?` for each bound argument.
struct Cond {
    sql: String,
    args: Vec<Arg>,
}

impl Cond {
    fn new(sql: &str, args: Vec<Arg>) -> Cond {
        Cond {
            sql: sql.to_string(),
            args,
        }
    }
}

/// SQL being built with numbered parameters.
#[derive(Default)]
struct SqlBuf {
    args: Vec<Arg>,
}

impl SqlBuf {
    fn arg(&mut self, a: Arg) -> String {
        self.args.push(a);
        format!("${}", self.args.len())
    }
    /// `sql` with each `?` replaced by the next of `args`' placeholders.
    fn fill(&mut self, sql: &str, args: &[Arg]) -> String {
        let mut out = String::new();
        let mut args = args.iter();
        for part in sql.split('?').enumerate() {
            if part.0 > 0 {
                let a = args.next().expect("one argument per ?").clone();
                out.push_str(&self.arg(a));
            }
            out.push_str(part.1);
        }
        out
    }
}

impl Backend {
    // ───────────────────────── projection reads ─────────────────────────

    async fn docs<T: serde::de::DeserializeOwned>(
        &self,
        sql: &str,
        args: &[Arg],
    ) -> Result<Vec<T>> {
        let rows = bind_args!(sqlx::query(sqlx::AssertSqlSafe(sql.to_string())), args)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| decode(&r.try_get::<String, _>("doc")?))
            .collect()
    }

    async fn count(&self, sql: &str, args: &[Arg]) -> Result<i64> {
        Ok(
            bind_args!(sqlx::query(sqlx::AssertSqlSafe(sql.to_string())), args)
                .fetch_one(&self.pool)
                .await?
                .try_get(0)?,
        )
    }

    async fn doc_with_version<T: serde::de::DeserializeOwned>(
        &self,
        sql: &str,
        id: Uuid,
    ) -> Result<Option<(T, i64)>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        match row {
            None => Ok(None),
            Some(r) => Ok(Some((
                decode(&r.try_get::<String, _>("doc")?)?,
                r.try_get("version")?,
            ))),
        }
    }

    /// A scoped keyset page of `spec.table` (aliased `x`), ordered by (path, keys…): one index
    /// range scan per scope branch — the subtree's path range on (agency_path, keys…) and, for a
    /// department, its domain's range under its government on (agency_domain, agency_path,
    /// keys…) — each stopping after `limit + 1` rows past the cursor. The two pages are merged
    /// here (same order, duplicates dropped), so the database never sorts or counts the scope.
    async fn keyset<T: serde::de::DeserializeOwned>(
        &self,
        scope: &Scope,
        spec: &ListSpec<'_>,
        conds: &[Cond],
        page: &Page,
    ) -> Result<List<T>> {
        let limit = page.limit.clamp(1, 1000);
        let after = match page.after.as_deref() {
            None => None,
            Some(c) => Some(crate::decode_cursor(c, &spec.key_kinds())?),
        };
        let mut branches = vec![(None, scope.subtree.as_str())];
        if let Some((domain, gov)) = &scope.same_domain_under {
            branches.push((Some(domain.as_str()), gov.as_str()));
        }
        let mut rows: Vec<(Vec<Arg>, String)> = Vec::new();
        for (domain, prefix) in branches {
            let (sql, q) = Self::branch_sql(spec, domain, prefix, conds, after.as_deref(), limit);
            let found = bind_args!(sqlx::query(sqlx::AssertSqlSafe(sql)), q.args)
                .fetch_all(&self.pool)
                .await?;
            for r in &found {
                let mut key = Vec::with_capacity(spec.keys.len() + 1);
                key.push(Arg::Text(r.try_get::<String, _>(1)?));
                for (i, (_, kind)) in spec.keys.iter().enumerate() {
                    key.push(match kind {
                        KeyKind::Text => Arg::Text(r.try_get::<String, _>(i + 2)?),
                        KeyKind::Int => Arg::Int(r.try_get::<i64, _>(i + 2)?),
                    });
                }
                rows.push((key, r.try_get::<String, _>(0)?));
            }
        }
        rows.sort_by(|a, b| crate::cmp_keys(&a.0, &b.0));
        rows.dedup_by(|a, b| crate::cmp_keys(&a.0, &b.0).is_eq());
        let next = if rows.len() as i64 > limit {
            rows.truncate(limit as usize);
            rows.last().map(|(k, _)| crate::encode_cursor(k))
        } else {
            None
        };
        Ok(List {
            items: rows
                .iter()
                .map(|(_, d)| decode(d))
                .collect::<Result<Vec<T>>>()?,
            next,
        })
    }

    /// One scope branch of a keyset page: the rows of `spec` under `prefix` (and of `domain`),
    /// after the cursor, in key order, `limit + 1` of them.
    fn branch_sql(
        spec: &ListSpec<'_>,
        domain: Option<&str>,
        prefix: &str,
        conds: &[Cond],
        after: Option<&[Arg]>,
        limit: i64,
    ) -> (String, SqlBuf) {
        let mut q = SqlBuf::default();
        let hi = crate::prefix_upper_bound(prefix).unwrap_or_else(|| "\u{10FFFF}".into());
        // After a cursor inside the range, the cursor is the range's lower bound (so the index
        // seeks to it instead of skipping the rows before it); the scope's own lower bound is
        // then implied, and kept only against a cursor from before the range.
        let cursor_inside = after.is_some_and(|a| {
            matches!(a.first(), Some(Arg::Text(p)) if p.as_bytes() >= prefix.as_bytes())
        });
        let mut sql = format!(
            "SELECT x.doc, {} FROM {} x WHERE {p} < {}",
            spec.key_columns(),
            spec.table,
            q.arg(Arg::Text(hi)),
            p = spec.path,
        );
        if !cursor_inside {
            sql.push_str(&format!(" AND {} >= {}", spec.path, q.arg(Arg::Text(prefix.to_string()))));
        }
        if let Some(d) = domain {
            sql.push_str(&format!(" AND {} = {}", spec.domain, q.arg(Arg::Text(d.into()))));
        }
        for c in conds {
            sql.push_str(" AND ");
            sql.push_str(&q.fill(&c.sql, &c.args));
        }
        if let Some(after) = after {
            let marks: Vec<String> = after.iter().map(|a| q.arg(a.clone())).collect();
            sql.push_str(&format!(" AND ({}) > ({})", spec.key_columns(), marks.join(", ")));
        }
        sql.push_str(&format!(
            " ORDER BY {} LIMIT {}",
            spec.key_columns(),
            q.arg(Arg::Int(limit + 1))
        ));
        (sql, q)
    }

    /// The query plans of the list queries for `scope` (each branch, first page and a page
    /// after a cursor, and a text search): `EXPLAIN QUERY PLAN` lines on SQLite, `EXPLAIN
    /// (FORMAT JSON)` on PostgreSQL. For the plan tests and `examples/plans.rs`.
    pub(crate) async fn list_plans(&self, scope: &Scope) -> Result<Vec<(String, String)>> {
        let open = [Cond::new(if IS_PG { "x.status IN (?, ?)" } else { "+x.status IN (?, ?)" }, vec![Arg::Text("open".into()), Arg::Text("missed".into())])];
        let not_repealed = [Cond::new(if IS_PG { "NOT x.repealed" } else { "x.repealed = 0" }, vec![])];
        let lists: Vec<(&str, &ListSpec<'_>, Vec<Cond>)> = vec![
            ("agencies", &AGENCIES_LIST, vec![]),
            ("officers", &OFFICERS_LIST, vec![]),
            ("items", &ITEMS_LIST, not_repealed.iter().map(|c| Cond::new(&c.sql, c.args.clone())).collect()),
            ("inspection_items", &INSPECTION_LIST, vec![]),
            ("deadlines", &DEADLINES_LIST, open.iter().map(|c| Cond::new(&c.sql, c.args.clone())).collect()),
            ("evidence", &EVIDENCE_LIST, vec![]),
            ("users", &USERS_LIST, vec![]),
            ("cases", &CASES_LIST, vec![]),
        ];
        let mut branches = vec![(None, scope.subtree.as_str())];
        if let Some((domain, gov)) = &scope.same_domain_under {
            branches.push((Some(domain.as_str()), gov.as_str()));
        }
        let mut out = Vec::new();
        for (name, spec, conds) in &lists {
            let mut cursor: Vec<Arg> = vec![Arg::Text(scope.subtree.clone())];
            for (_, k) in spec.keys {
                cursor.push(match k {
                    KeyKind::Text => Arg::Text("0".into()),
                    KeyKind::Int => Arg::Int(0),
                });
            }
            for (domain, prefix) in &branches {
                for (page, after) in [("first", None), ("after", Some(cursor.as_slice()))] {
                    let (sql, q) = Self::branch_sql(spec, *domain, prefix, conds, after, 50);
                    let label = format!("{name} {} {page}", if domain.is_some() { "domain" } else { "subtree" });
                    out.push((label, self.explain(&sql, &q.args).await?));
                }
            }
        }
        for (name, table) in [("officers", "officers"), ("agencies", "agencies")] {
            let spec = if name == "officers" { &OFFICERS_LIST } else { &AGENCIES_LIST };
            let conds: Vec<Cond> = Self::search_cond(table, Some("x.name"), Some("zzzq")).into_iter().collect();
            let (sql, q) = Self::branch_sql(spec, None, &scope.subtree, &conds, None, 50);
            out.push((format!("{name} search"), self.explain(&sql, &q.args).await?));
        }
        Ok(out)
    }

    async fn explain(&self, sql: &str, args: &[Arg]) -> Result<String> {
        let prefix = if IS_PG { "EXPLAIN (FORMAT JSON) " } else { "EXPLAIN QUERY PLAN " };
        let rows = bind_args!(sqlx::query(sqlx::AssertSqlSafe(format!("{prefix}{sql}"))), args)
            .fetch_all(&self.pool)
            .await?;
        let mut lines = Vec::new();
        for r in rows {
            if IS_PG {
                lines.push(r.try_get_unchecked::<String, _>(0)?);
            } else {
                lines.push(r.try_get::<String, _>(3)?);
            }
        }
        Ok(lines.join("\n"))
    }

    /// Counts of the counters (`counts`) summed over the agencies in scope (through the path
    /// index): `kind`, optionally one agency and a range of days (inclusive).
    pub(crate) async fn scoped_count(
        &self,
        scope: &Scope,
        kind: &str,
        agency_id: Option<Uuid>,
        days: Option<(&str, &str)>,
    ) -> Result<i64> {
        let mut args: Vec<Arg> = scope_args(scope).into_iter().collect();
        let mut agencies = format!("SELECT a.id FROM agencies a WHERE {SCOPE_SQL}");
        if let Some(id) = agency_id {
            args.push(Arg::Text(id.to_string()));
            agencies.push_str(&format!(" AND a.id = ${}", args.len()));
        }
        if IS_PG {
            // The agencies in scope first, then each one's counters by primary key. Without the
            // fence PostgreSQL's generic plan for this prepared statement (the path range's
            // width unknown) scanned every counter row and probed agencies for each: 10 ms a
            // home page on the demo data, against 0.1 ms this way.
            agencies.push_str(" OFFSET 0");
        }
        args.push(Arg::Text(kind.into()));
        let mut sql = format!(
            "SELECT COALESCE(SUM(c.n), 0) FROM ({agencies}) s JOIN counts c ON c.agency_id = s.id AND c.kind = ${}",
            args.len()
        );
        if let Some((from, to)) = days {
            args.push(Arg::Text(from.into()));
            args.push(Arg::Text(to.into()));
            sql.push_str(&format!(" AND c.day >= ${} AND c.day <= ${}", args.len() - 1, args.len()));
        }
        let n: i64 = if IS_PG {
            // SUM(BIGINT) is NUMERIC on PostgreSQL.
            self.count(&sql.replacen("COALESCE(SUM(c.n), 0)", "COALESCE(SUM(c.n), 0)::BIGINT", 1), &args)
                .await?
        } else {
            self.count(&sql, &args).await?
        };
        Ok(n)
    }

    /// The names of these agencies (for the rows of a page), by primary key.
    pub(crate) async fn agency_names(&self, ids: &[Uuid]) -> Result<std::collections::HashMap<Uuid, String>> {
        let mut ids: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut out = std::collections::HashMap::new();
        for chunk in ids.chunks(100) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!("SELECT id, name FROM agencies WHERE id IN ({})", marks.join(", "));
            let args: Vec<Arg> = chunk.iter().cloned().map(Arg::Text).collect();
            for r in bind_args!(sqlx::query(sqlx::AssertSqlSafe(sql)), args)
                .fetch_all(&self.pool)
                .await?
            {
                out.insert(uuid_of(&r.try_get::<String, _>(0)?)?, r.try_get(1)?);
            }
        }
        Ok(out)
    }

    /// The text filter of a list: 3 characters or more through the trigram index (`search`
    /// column: pg_trgm GIN on PostgreSQL, the FTS5 trigram table `{table}_fts` on SQLite); 1–2
    /// characters (e.g. a two-character name, 张伟) match the start of `name_col` through its
    /// index, or — for a table without one — filter the scope's range scan.
    fn search_cond(table: &str, name_col: Option<&str>, q: Option<&str>) -> Option<Cond> {
        let q: String = q.map(str::trim).unwrap_or("").replace(['%', '_'], "");
        if q.is_empty() {
            return None;
        }
        if q.chars().count() >= 3 {
            let pat = Arg::Text(format!("%{q}%"));
            return Some(if IS_PG {
                Cond::new("x.search LIKE ?", vec![pat])
            } else {
                Cond::new(
                    &format!("x.rowid IN (SELECT rowid FROM {table}_fts WHERE search LIKE ?)"),
                    vec![pat],
                )
            });
        }
        match (name_col, crate::prefix_upper_bound(&q)) {
            (Some(col), Some(hi)) => Some(Cond::new(
                &format!("{col} >= ? AND {col} < ?"),
                vec![Arg::Text(q), Arg::Text(hi)],
            )),
            _ => Some(Cond::new("x.search LIKE ?", vec![Arg::Text(format!("%{q}%"))])),
        }
    }

    /// Brings the agency's path and domain copied onto the listed tables up to date (the path
    /// never changes after registration; the domain may).
    async fn copy_agency_scope(tx: &mut sqlx::Transaction<'static, Db>, a: &Agency) -> Result<()> {
        for t in SCOPED_TABLES {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE {t} SET agency_path = $1, agency_domain = $2 WHERE agency_id = $3 \
                 AND (agency_path <> $1 OR agency_domain <> $2)"
            )))
            .bind(a.path.as_str())
            .bind(a.domain.as_str())
            .bind(a.id.to_string())
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }
}
