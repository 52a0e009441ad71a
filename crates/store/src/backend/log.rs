// The event log itself: stream reads, recent events, rebuild of every registered projection.
// Part of the backend: `include!`d by backend.rs (compiled once per engine).

impl Backend {
    // ───────────────────────── log reads ─────────────────────────

    pub(crate) async fn stream_version(&self, stream: &str) -> Result<i64> {
        Ok(
            sqlx::query("SELECT COALESCE(MAX(version), 0) FROM events WHERE stream = $1")
                .bind(stream)
                .fetch_one(&self.pool)
                .await?
                .try_get(0)?,
        )
    }

    pub(crate) async fn events_of_stream(&self, stream: &str) -> Result<Vec<Recorded>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE stream = $1 ORDER BY version"
        )))
        .bind(stream)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(row_to_recorded).collect()
    }

    /// The last `n` events of a stream, oldest first (a step's answer shows what it added
    /// without reading the whole history).
    pub(crate) async fn stream_tail(&self, stream: &str, n: i64) -> Result<Vec<Recorded>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE stream = $1 ORDER BY version DESC LIMIT $2"
        )))
        .bind(stream)
        .bind(n)
        .fetch_all(&self.pool)
        .await?;
        let mut out: Vec<Recorded> = rows.iter().map(row_to_recorded).collect::<Result<_>>()?;
        out.reverse();
        Ok(out)
    }

    /// One recorded event and the exact bytes its ledger leaf commits to (personal fields as
    /// salted commitments, so the bytes can be shown and exported without disclosing them).
    pub(crate) async fn event_leaf(&self, seq: i64) -> Result<Option<(Recorded, Vec<u8>)>> {
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE seq = $1"
        )))
        .bind(seq)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let rec = row_to_recorded(&row)?;
        let salt = sqlx::query("SELECT salt FROM event_salts WHERE seq = $1")
            .bind(seq)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| salt_from(&r.try_get::<Vec<u8>, _>(0)?))
            .transpose()?;
        let alg = self.ledger_alg();
        let input = leaf_input_of(alg, &rec, salt.as_ref())
            .map_err(|e| StoreError::Ledger(e.to_string()))?;
        Ok(Some((rec, input)))
    }

    /// The latest events in scope. A scope of a few agencies (a county department) reads each
    /// agency's newest events through `events_agency (agency_id, seq)` and merges them; a wide
    /// scope walks the log from its end, where its events are dense.
    ///
    /// Events of `hidden` kinds are left out in the query (so `limit` counts only what the
    /// caller may read).
    pub(crate) async fn recent_events(
        &self,
        scope: &Scope,
        hidden: &[String],
        limit: i64,
    ) -> Result<Vec<Recorded>> {
        const FEW: usize = 64;
        // ` AND kind NOT IN ($first, …)`, bound after the query's own parameters.
        let not_hidden = |first: usize, col: &str| {
            if hidden.is_empty() {
                String::new()
            } else {
                let list: Vec<String> = (0..hidden.len()).map(|i| format!("${}", first + i)).collect();
                format!(" AND {col} NOT IN ({})", list.join(", "))
            }
        };
        let hidden_args = hidden.iter().cloned().map(Arg::Text);
        let ids: Vec<String> = bind_args!(
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT a.id FROM agencies a WHERE {SCOPE_SQL} LIMIT {}",
                FEW + 1
            ))),
            scope_args(scope)
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>(0))
        .collect::<std::result::Result<_, _>>()?;
        let rows = if ids.len() <= FEW {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            let kinds = not_hidden(ids.len() + 2, "kind");
            let one = |i: usize| {
                format!(
                    "SELECT * FROM (SELECT {EVENT_COLUMNS} FROM events WHERE agency_id = ${}{kinds} ORDER BY seq DESC LIMIT $1) t{i}",
                    i + 2
                )
            };
            let sql = format!(
                "SELECT * FROM ({}) u ORDER BY seq DESC LIMIT $1",
                (0..ids.len()).map(one).collect::<Vec<_>>().join(" UNION ALL ")
            );
            let args: Vec<Arg> = std::iter::once(Arg::Int(limit))
                .chain(ids.into_iter().map(Arg::Text))
                .chain(hidden_args)
                .collect();
            bind_args!(sqlx::query(sqlx::AssertSqlSafe(sql)), args)
                .fetch_all(&self.pool)
                .await?
        } else {
            let sql = format!(
                "SELECT e.seq, e.id, e.stream, e.version, e.kind, e.payload, e.actor_id, e.actor_name, e.agency_id, e.recorded_at \
                 FROM events e JOIN agencies a ON a.id = e.agency_id WHERE {SCOPE_SQL}{} ORDER BY e.seq DESC LIMIT $6",
                not_hidden(7, "e.kind")
            );
            let args: Vec<Arg> = scope_args(scope)
                .into_iter()
                .chain(std::iter::once(Arg::Int(limit)))
                .chain(hidden_args)
                .collect();
            bind_args!(sqlx::query(sqlx::AssertSqlSafe(sql)), args)
                .fetch_all(&self.pool)
                .await?
        };
        rows.iter().map(row_to_recorded).collect()
    }

    /// Whether the log holds any event: an index probe (counting 16 million events took 15 s
    /// on PostgreSQL at every demo start).
    pub(crate) async fn has_events(&self) -> Result<bool> {
        Ok(sqlx::query("SELECT EXISTS (SELECT 1 FROM events)")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?)
    }

    /// Refreshes the planner's statistics after a bulk load. Until autovacuum gets to a table
    /// loaded in one go, PostgreSQL plans with no statistics at all: a case's 10 records were
    /// estimated at 144,000 rows, read by a parallel bitmap scan with JIT (250 ms a case page,
    /// 6 ms after `ANALYZE`). SQLite's `optimize` analyses, within a bounded sample, only what
    /// would change a plan.
    pub(crate) async fn refresh_statistics(&self) -> Result<()> {
        if IS_PG {
            sqlx::query("ANALYZE").execute(&self.pool).await?;
        } else {
            let mut conn = self.pool.acquire().await?;
            sqlx::query("PRAGMA analysis_limit = 1000")
                .execute(&mut *conn)
                .await?;
            sqlx::query("PRAGMA optimize").execute(&mut *conn).await?;
        }
        Ok(())
    }

    pub(crate) async fn event_count(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) FROM events")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?)
    }

    pub(crate) async fn rebuild(&self) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let n = Self::replay_all(&mut tx).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Clears every projection and replays the whole log into it, inside `tx` (a rebuild, or
    /// the end of an erasure's transaction).
    async fn replay_all(tx: &mut sqlx::Transaction<'static, Db>) -> Result<u64> {
        use futures_util::TryStreamExt;
        for t in PROJECTIONS.iter().copied().flatten() {
            sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {t}")))
                .execute(&mut **tx)
                .await?;
        }
        // Read in pages so a log of millions of events never sits in memory at once.
        let mut after = 0i64;
        let mut n = 0u64;
        loop {
            let rows: Vec<(i64, i64, String)> = {
                let mut s = sqlx::query("SELECT seq, version, payload FROM events WHERE seq > $1 ORDER BY seq LIMIT 5000")
                    .bind(after)
                    .fetch(&mut **tx);
                let mut v = Vec::new();
                while let Some(r) = s.try_next().await? {
                    v.push((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?));
                }
                v
            };
            if rows.is_empty() {
                break;
            }
            // Registrations are staged and written together, as in the append path.
            let mut staged = StagedRows::default();
            for (seq, version, payload) in rows {
                let value: serde_json::Value = decode(&payload)?;
                let event = zhifa_domain::event::decode_stored(&value)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                Self::project_staged(tx, &mut staged, &event, version).await?;
                after = seq;
                n += 1;
            }
            Self::flush(tx, &mut staged).await?;
        }
        Ok(n)
    }

    pub(crate) async fn dump_projections(&self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for t in PROJECTIONS.iter().copied().flatten() {
            // The counters have no document: their row, as text.
            let doc = if *t == "counts" {
                "agency_id || ' ' || kind || ' ' || day || ' ' || CAST(n AS TEXT)"
            } else {
                "doc"
            };
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {doc} FROM {t}")))
                .fetch_all(&self.pool)
                .await?;
            for r in rows {
                out.push(format!("{t}\t{}", r.try_get::<String, _>(0)?));
            }
        }
        // item_versions, officers etc. carry their version columns too: compare them.
        for (t, cols) in [
            ("agencies", "id, version, path"),
            ("officers", "id, version, status"),
            ("items", "item_id, version, code"),
            ("users", "id, version, username"),
        ] {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {cols} FROM {t}")))
                .fetch_all(&self.pool)
                .await?;
            for r in rows {
                let a: String = r.try_get(0)?;
                let v: i64 = r.try_get(1)?;
                let c: String = r.try_get(2)?;
                out.push(format!("{t}#\t{a}\t{v}\t{c}"));
            }
        }
        out.sort();
        Ok(out)
    }
}
