// Compiled twice, inside `mod sqlite` and `mod postgres` (see lib.rs): `Db`, `PoolOptions` and
// `IS_PG` differ, the SQL does not. Placeholders are `$N`, which both drivers accept.

use sqlx::Row;
use zhifa_domain::deadline::Deadline;
use zhifa_domain::event::{Aggregate, Event, Expected, SideEffect};
use zhifa_domain::case::Case;
use zhifa_domain::evidence::Evidence;

macro_rules! bind_args {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args.iter() {
            q = match a {
                Arg::Text(s) => q.bind(s.clone()),
                Arg::Int(i) => q.bind(*i),
            };
        }
        q
    }};
}


/// The projection tables of every feature, in the order `rebuild` clears them (each feature
/// declares its own next to its projections).
const PROJECTIONS: &[&[&str]] = &[
    REGISTRY_TABLES,
    ACCOUNTS_TABLES,
    DEADLINE_TABLES,
    EVIDENCE_TABLES,
    CASES_TABLES,
    LEDGER_TABLES,
];

pub(crate) struct Backend {
    pub(crate) pool: sqlx::Pool<Db>,
    /// The Merkle log's right edge, as of the last commit. Only the writer task changes it.
    ledger: std::sync::Mutex<LedgerState>,
    /// SQLite: taken by the writer for each append transaction and by `issue_checkpoint` for
    /// its insert, so the two queue here (fairly, without delay) instead of meeting SQLite's
    /// write lock, whose busy handler retries after sleeps of up to 100 ms — with a checkpoint
    /// every 10 ms that put tens to hundreds of ms on both.
    write_gate: tokio::sync::Mutex<()>,
    /// The log's signing keys: created on first open and never changed by this process, so
    /// read and parsed once, not at every checkpoint.
    signers: std::sync::OnceLock<std::sync::Arc<Vec<zhifa_ledger::Signer>>>,
    /// Batches redone command by command after a statement of the bulk path failed.
    pub(crate) isolated_batches: std::sync::atomic::AtomicU64,
}


/// The content hash an `EvidenceReceived` payload records (None if the payload is not one,
/// e.g. edited: the leaf check reports that).
fn evidence_claim(payload: &serde_json::Value) -> Option<zhifa_ledger::ContentHash> {
    let d = payload.get("data")?;
    zhifa_ledger::ContentHash::from_parts(
        d.get("hash_alg")?.as_str()?,
        d.get("hash")?.as_str()?,
        d.get("size")?.as_u64()?,
    )
}

/// A stored event salt (32 bytes).
fn salt_from(bytes: &[u8]) -> Result<zhifa_ledger::Salt> {
    <[u8; 32]>::try_from(bytes)
        .map(zhifa_ledger::Salt)
        .map_err(|_| StoreError::Corrupt("event salt is not 32 bytes".into()))
}

fn uuid_of(s: &str) -> Result<Uuid> {
    Uuid::parse_str(s).map_err(|e| StoreError::Corrupt(format!("uuid {s}: {e}")))
}

fn map_unique(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &e
        && db.is_unique_violation()
    {
        let msg = db.message().to_string();
        let field = [
            "credit_code",
            "certificate_no",
            "username",
            "code",
            "token_hash",
            "stream",
        ]
        .into_iter()
        .find(|f| msg.contains(f))
        .unwrap_or("unique");
        return StoreError::Duplicate {
            field: field.to_string(),
        };
    }
    StoreError::Db(e)
}

fn row_to_recorded(r: &<Db as sqlx::Database>::Row) -> Result<Recorded> {
    let payload: String = r.try_get("payload")?;
    Ok(Recorded {
        seq: r.try_get("seq")?,
        id: uuid_of(&r.try_get::<String, _>("id")?)?,
        stream: r.try_get("stream")?,
        version: r.try_get("version")?,
        kind: r.try_get("kind")?,
        payload: serde_json::from_str(&payload).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        actor_id: uuid_of(&r.try_get::<String, _>("actor_id")?)?,
        actor_name: r.try_get("actor_name")?,
        agency_id: uuid_of(&r.try_get::<String, _>("agency_id")?)?,
        recorded_at: r.try_get("recorded_at")?,
    })
}

const EVENT_COLUMNS: &str =
    "seq, id, stream, version, kind, payload, actor_id, actor_name, agency_id, recorded_at";

/// An open append transaction: the SQLite write gate (held until it ends), the transaction,
/// the log's size and the working copy of the ledger.
type AppendTx<'a> = (
    Option<tokio::sync::MutexGuard<'a, ()>>,
    sqlx::Transaction<'static, Db>,
    i64,
    LedgerState,
);

/// What the bulk insert needs of an event beside its record: the payload as stored text and its
/// salt, if it carries personal data.
type StagedRow = (String, Option<zhifa_ledger::Salt>);
/// A staged command: its records, their stored payload text and salts, and their leaves (in
/// seq order, for the log once the command is sure to commit).
type Staged = (Vec<Recorded>, Vec<StagedRow>, Vec<Vec<u8>>);

impl Backend {
    pub(crate) async fn connect(
        url: &str,
        ledger_hash: Option<zhifa_ledger::HashAlg>,
    ) -> Result<Backend> {
        let pool = connect_pool(url).await?;
        let placeholder = LedgerState {
            log: zhifa_ledger::MerkleLog::new(zhifa_ledger::HashAlg::Sm3),
            alg: zhifa_ledger::HashAlg::Sm3,
            origin: String::new(),
        };
        let b = Backend {
            pool,
            ledger: std::sync::Mutex::new(placeholder),
            write_gate: tokio::sync::Mutex::new(()),
            signers: std::sync::OnceLock::new(),
            isolated_batches: std::sync::atomic::AtomicU64::new(0),
        };
        b.migrate().await?;
        let state = b.load_ledger(ledger_hash).await?;
        *b.ledger.lock().expect("ledger lock") = state;
        Ok(b)
    }

    // ───────────────────────── append ─────────────────────────

    pub(crate) async fn append_batch(
        &self,
        jobs: &[&[NewEvent]],
    ) -> Result<Vec<Result<Vec<Recorded>>>> {
        // Refusals are rare: first try the whole batch with bulk statements and no savepoints;
        // only if a statement fails is the batch redone with each command isolated in its own
        // savepoint, so only the refused one is dropped (and its error is the one it always was).
        match self.run_batch_bulk(jobs).await? {
            Some(results) => Ok(results),
            None => {
                self.isolated_batches
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                self.run_batch_isolated(jobs).await
            }
        }
    }

    /// Opens the append transaction: the write gate (SQLite) and the write lock, the log's size
    /// and a working copy of the ledger's right edge (published only after the commit, so a
    /// failed batch leaves no trace).
    async fn begin_append(&self) -> Result<AppendTx<'_>> {
        let gate = self.gate().await;
        let mut tx = self.begin_write().await?;
        if IS_PG {
            // Serialises writers across server processes sharing one database.
            sqlx::query("SELECT pg_advisory_xact_lock(7242001)")
                .execute(&mut *tx)
                .await?;
        }
        let seq: i64 = sqlx::query("SELECT COALESCE(MAX(seq), 0) FROM events")
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        let mut ledger = self.ledger.lock().expect("ledger lock").clone();
        if ledger.log.size() != seq as u64 {
            // Another process appended since (PostgreSQL with several servers): re-read the edge.
            ledger.log = Self::restore_log(&mut tx, ledger.alg, seq as u64).await?;
        }
        Ok((gate, tx, seq, ledger))
    }

    /// Writes the tiles the batch changed, commits, then publishes the grown log.
    async fn commit_append(
        &self,
        mut tx: sqlx::Transaction<'static, Db>,
        mut ledger: LedgerState,
    ) -> Result<()> {
        for w in ledger.log.take_tile_writes() {
            sqlx::query(
                "INSERT INTO ledger_tiles (level, idx, bytes) VALUES ($1, $2, $3) \
                 ON CONFLICT (level, idx) DO UPDATE SET bytes = excluded.bytes",
            )
            .bind(i64::from(w.tile.level))
            .bind(w.tile.index as i64)
            .bind(w.bytes)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        *self.ledger.lock().expect("ledger lock") = ledger;
        Ok(())
    }

    /// The batch in one transaction with as few statements as possible (see `bulk.rs`):
    ///
    /// 1. the current version of every stream the batch appends to with `Version` or `Any`, in
    ///    one query;
    /// 2. every command checked against those versions in memory, in order, each accepted
    ///    command advancing its streams' versions for the next ones — exactly what the
    ///    per-command `SELECT MAX(version)` saw before. A refused command has written nothing,
    ///    so it needs no savepoint and does not disturb the others;
    /// 3. the accepted commands' events and salts in one multi-row INSERT per table;
    /// 4. projections and side effects per event, in seq order, as before (they may read what
    ///    an earlier event of the batch projected).
    ///
    /// `None`: a statement failed (a projection's uniqueness, say); nothing was written and the
    /// caller redoes the batch with a savepoint per command.
    async fn run_batch_bulk(
        &self,
        jobs: &[&[NewEvent]],
    ) -> Result<Option<Vec<Result<Vec<Recorded>>>>> {
        let (_gate, mut tx, mut seq, mut ledger) = self.begin_append().await?;
        // Streams only created here (`NoStream`) are not looked up — as before, the UNIQUE
        // (stream, version) index refuses a second version 1, and that failure sends the batch
        // to the isolated path, which reports the conflict. Saves the query for creations.
        let mut streams: Vec<&str> = jobs
            .iter()
            .flat_map(|parts| parts.iter())
            .filter(|p| !matches!(p.expected, Expected::NoStream))
            .map(|p| p.stream.0.as_str())
            .collect();
        streams.sort_unstable();
        streams.dedup();
        let mut versions = <Db as crate::bulk::Bulk>::stream_versions(&mut tx, &streams).await?;
        let now = now_micros();
        let mut results = Vec::with_capacity(jobs.len());
        let mut extras = Vec::with_capacity(jobs.len());
        for parts in jobs {
            match Self::stage_command(parts, &mut versions, &mut seq, now, ledger.alg) {
                Ok((recs, extra, leaves)) => {
                    for leaf in &leaves {
                        ledger.log.append(leaf);
                    }
                    results.push(Ok(recs));
                    extras.push(extra);
                }
                Err(e) => {
                    results.push(Err(e));
                    extras.push(Vec::new());
                }
            }
        }
        if results.iter().all(|r| r.is_err()) {
            // Every command refused before writing anything.
            tx.rollback().await?;
            return Ok(Some(results));
        }
        let rows: Vec<crate::bulk::EventRow<'_>> = results
            .iter()
            .zip(extras)
            .filter_map(|(r, extra)| r.as_ref().ok().map(|recs| recs.iter().zip(extra)))
            .flatten()
            .map(|(rec, (payload, salt))| crate::bulk::EventRow { rec, payload, salt })
            .collect();
        let written: Result<()> = async {
            <Db as crate::bulk::Bulk>::insert_events(&mut tx, &rows).await?;
            let mut staged = StagedRows::default();
            for (parts, result) in jobs.iter().zip(&results) {
                let Ok(recs) = result else { continue };
                let mut recs = recs.iter();
                for part in parts.iter() {
                    for event in &part.events {
                        let rec = recs.next().expect("one record per event");
                        Self::project_staged(&mut tx, &mut staged, event, rec.version).await?;
                    }
                    if !part.side_effects.is_empty() {
                        Self::flush(&mut tx, &mut staged).await?;
                        Self::apply_side_effects(&mut tx, &part.side_effects).await?;
                    }
                }
            }
            Self::flush(&mut tx, &mut staged).await
        }
        .await;
        if let Err(e) = written {
            tracing::debug!(error = %e, "bulk append refused; redoing the batch command by command");
            tx.rollback().await?;
            return Ok(None);
        }
        self.commit_append(tx, ledger).await?;
        Ok(Some(results))
    }

    /// Checks one command's expected versions against `versions` (the batch's view of every
    /// stream: committed version plus what earlier commands of the batch appended) and builds
    /// its records, salts and leaves. On success the records take the next seqs, their leaves
    /// are appended to `ledger` and `versions` moves on; on refusal nothing changes. The checks
    /// and errors are those the (stream, version) index would make in SQL.
    fn stage_command(
        parts: &[NewEvent],
        versions: &mut std::collections::HashMap<String, i64>,
        seq: &mut i64,
        now: i64,
        alg: zhifa_ledger::HashAlg,
    ) -> Result<Staged> {
        // The command's own view: parts may touch the same stream twice.
        let mut mine: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
        let mut next_seq = *seq;
        let mut recs = Vec::new();
        let mut extra = Vec::new();
        let mut leaves = Vec::new();
        for job in parts {
            let stream = job.stream.0.as_str();
            let current = mine
                .get(stream)
                .or_else(|| versions.get(stream))
                .copied()
                .unwrap_or(0);
            let refused = |actual| StoreError::VersionConflict {
                stream: stream.to_string(),
                expected: format!("{:?}", job.expected),
                actual,
            };
            match job.expected {
                // What the UNIQUE (stream, version) index refuses: a second version 1.
                Expected::NoStream if current > 0 && !job.events.is_empty() => {
                    return Err(refused(None));
                }
                Expected::Version(v) if current != v => return Err(refused(Some(current))),
                _ => {}
            }
            for (i, event) in job.events.iter().enumerate() {
                next_seq += 1;
                let payload =
                    zhifa_domain::event::encode(event);
                let rec = Recorded {
                    seq: next_seq,
                    id: Uuid::now_v7(),
                    stream: stream.to_string(),
                    version: current + 1 + i as i64,
                    kind: event.kind().to_string(),
                    payload,
                    actor_id: job.actor.user_id,
                    actor_name: job.actor.username.clone(),
                    agency_id: job.agency_id,
                    recorded_at: now,
                };
                let salt = Self::salt_for(&rec)?;
                leaves.push(
                    leaf_input_of(alg, &rec, salt.as_ref())
                        .map_err(|e| StoreError::Ledger(e.to_string()))?,
                );
                extra.push((rec.payload.to_string(), salt));
                recs.push(rec);
            }
            mine.insert(stream, current + job.events.len() as i64);
        }
        for (stream, v) in mine {
            versions.insert(stream.to_string(), v);
        }
        *seq = next_seq;
        Ok((recs, extra, leaves))
    }

    /// Events with personal data (marked values, see `Personal<T>`) get a salt, kept beside the
    /// log until erasure.
    fn salt_for(r: &Recorded) -> Result<Option<zhifa_ledger::Salt>> {
        if !zhifa_ledger::leaf::has_personal(&r.payload) {
            Ok(None)
        } else {
            zhifa_ledger::Salt::generate()
                .map(Some)
                .map_err(|e| StoreError::Ledger(e.to_string()))
        }
    }

    /// The batch with a savepoint per command, statement by statement: only a refused command
    /// is rolled back, with the error its own statements raised.
    async fn run_batch_isolated(&self, jobs: &[&[NewEvent]]) -> Result<Vec<Result<Vec<Recorded>>>> {
        let (_gate, mut tx, mut seq, mut ledger) = self.begin_append().await?;
        let now = now_micros();
        let mut results = Vec::with_capacity(jobs.len());
        for job in jobs {
            sqlx::query("SAVEPOINT cmd").execute(&mut *tx).await?;
            let start_seq = seq;
            match Self::append_isolated(&mut tx, job, &mut seq, now, ledger.alg).await {
                Ok((recs, leaves)) => {
                    sqlx::query("RELEASE SAVEPOINT cmd")
                        .execute(&mut *tx)
                        .await?;
                    for leaf in &leaves {
                        ledger.log.append(leaf);
                    }
                    results.push(Ok(recs));
                }
                Err(e) => {
                    sqlx::query("ROLLBACK TO SAVEPOINT cmd")
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query("RELEASE SAVEPOINT cmd")
                        .execute(&mut *tx)
                        .await?;
                    seq = start_seq;
                    results.push(Err(e));
                }
            }
        }
        self.commit_append(tx, ledger).await?;
        Ok(results)
    }

    /// One command on its own (inside its savepoint): the same staging and statements as the
    /// bulk path, with every stream it touches looked up — creations too, so a second version 1
    /// is refused by name here rather than by the index.
    async fn append_isolated(
        tx: &mut sqlx::Transaction<'static, Db>,
        job: &[NewEvent],
        seq: &mut i64,
        now: i64,
        alg: zhifa_ledger::HashAlg,
    ) -> Result<(Vec<Recorded>, Vec<Vec<u8>>)> {
        let mut streams: Vec<&str> = job.iter().map(|p| p.stream.0.as_str()).collect();
        streams.sort_unstable();
        streams.dedup();
        let mut versions = <Db as crate::bulk::Bulk>::stream_versions(tx, &streams).await?;
        let (recs, extra, leaves) = Self::stage_command(job, &mut versions, seq, now, alg)?;
        let rows: Vec<crate::bulk::EventRow<'_>> = recs
            .iter()
            .zip(extra)
            .map(|(rec, (payload, salt))| crate::bulk::EventRow { rec, payload, salt })
            .collect();
        <Db as crate::bulk::Bulk>::insert_events(tx, &rows)
            .await
            .map_err(map_unique)?;
        drop(rows);
        let mut records = recs.iter();
        for part in job {
            for event in &part.events {
                let rec = records.next().expect("one record per event");
                Self::project(tx, event, rec.version).await?;
            }
            Self::apply_side_effects(tx, &part.side_effects).await?;
        }
        Ok((recs, leaves))
    }

    async fn restore_log(
        tx: &mut sqlx::Transaction<'static, Db>,
        alg: zhifa_ledger::HashAlg,
        size: u64,
    ) -> Result<zhifa_ledger::MerkleLog> {
        let mut tiles = zhifa_ledger::MemoryTiles::new();
        for t in zhifa_ledger::tiles::partial_tiles(size) {
            if let Some(r) =
                sqlx::query("SELECT bytes FROM ledger_tiles WHERE level = $1 AND idx = $2")
                    .bind(i64::from(t.level))
                    .bind(t.index as i64)
                    .fetch_optional(&mut **tx)
                    .await?
            {
                tiles.put(t, r.try_get::<Vec<u8>, _>(0)?);
            }
        }
        zhifa_ledger::MerkleLog::restore(alg, size, &tiles, None)
            .map_err(|e| StoreError::Ledger(e.to_string()))
    }

    /// Loads (creating on first use) the log's hash, origin and signing keys, and restores the
    /// log's right edge from its tiles — no rehash of the leaves.
    async fn load_ledger(&self, requested: Option<zhifa_ledger::HashAlg>) -> Result<LedgerState> {
        let mut tx = self.begin_write().await?;
        // The same lock as the migrations: the first instance creates the log's hash, origin
        // and keys, the others read them.
        if IS_PG {
            sqlx::query("SELECT pg_advisory_xact_lock(7442011)")
                .execute(&mut *tx)
                .await?;
        }
        let meta = |k: &'static str| sqlx::query("SELECT v FROM ledger_meta WHERE k = $1").bind(k);
        let alg = match meta("hash").fetch_optional(&mut *tx).await? {
            Some(r) => {
                let alg: zhifa_ledger::HashAlg = r
                    .try_get::<String, _>(0)?
                    .parse()
                    .map_err(|e: String| StoreError::Ledger(e))?;
                if let Some(req) = requested
                    && req != alg
                {
                    return Err(StoreError::Ledger(format!(
                        "this log was created with {}; its hash cannot change to {}",
                        alg.name(),
                        req.name()
                    )));
                }
                alg
            }
            None => {
                let alg = requested.unwrap_or(zhifa_ledger::HashAlg::Sm3);
                sqlx::query("INSERT INTO ledger_meta (k, v) VALUES ('hash', $1)")
                    .bind(alg.name())
                    .execute(&mut *tx)
                    .await?;
                alg
            }
        };
        let origin: String = match meta("origin").fetch_optional(&mut *tx).await? {
            Some(r) => r.try_get(0)?,
            None => {
                let origin = format!("zhifa.local/{}", Uuid::now_v7().simple());
                sqlx::query("INSERT INTO ledger_meta (k, v) VALUES ('origin', $1)")
                    .bind(origin.as_str())
                    .execute(&mut *tx)
                    .await?;
                origin
            }
        };
        let keys: i64 = sqlx::query("SELECT COUNT(*) FROM ledger_keys")
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        if keys == 0 {
            // SM2 for national-crypto verifiers (密评), Ed25519 so any C2SP client can verify.
            for alg in [zhifa_ledger::KeyAlg::Sm2, zhifa_ledger::KeyAlg::Ed25519] {
                let signer = zhifa_ledger::Signer::generate(&origin, alg)
                    .map_err(|e| StoreError::Ledger(e.to_string()))?;
                sqlx::query("INSERT INTO ledger_keys (verifier_key, private_key, created_at) VALUES ($1, $2, $3)")
                    .bind(signer.verifier().to_text())
                    .bind(signer.to_private_text())
                    .bind(now_micros())
                    .execute(&mut *tx)
                    .await?;
            }
        }
        let size: i64 = sqlx::query("SELECT COALESCE(MAX(seq), 0) FROM events")
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        let log = Self::restore_log(&mut tx, alg, size as u64).await?;
        tx.commit().await?;
        Ok(LedgerState { log, alg, origin })
    }

    async fn signers(&self) -> Result<std::sync::Arc<Vec<zhifa_ledger::Signer>>> {
        if let Some(s) = self.signers.get() {
            return Ok(s.clone());
        }
        let rows =
            sqlx::query("SELECT private_key FROM ledger_keys ORDER BY created_at, verifier_key")
                .fetch_all(&self.pool)
                .await?;
        let signers = rows
            .iter()
            .map(|r| {
                zhifa_ledger::Signer::from_private_text(&r.try_get::<String, _>(0)?)
                    .map_err(|e| StoreError::Ledger(e.to_string()))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(self
            .signers
            .get_or_init(|| std::sync::Arc::new(signers))
            .clone())
    }

    /// The verifier keys as stored beside the private ones (no private key is parsed).
    async fn verifier_keys(&self) -> Result<Vec<String>> {
        let rows =
            sqlx::query("SELECT verifier_key FROM ledger_keys ORDER BY created_at, verifier_key")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| Ok(r.try_get::<String, _>(0)?))
            .collect()
    }

    async fn trusted_keys(&self) -> Result<zhifa_ledger::TrustedKeys> {
        zhifa_ledger::TrustedKeys::from_text(&self.verifier_keys().await?.join("\n"))
            .map_err(|e| StoreError::Ledger(format!("stored verifier key: {e}")))
    }

    async fn tiles_for(&self, ids: Vec<zhifa_ledger::TileId>) -> Result<zhifa_ledger::MemoryTiles> {
        let mut tiles = zhifa_ledger::MemoryTiles::new();
        for t in ids {
            if let Some(r) =
                sqlx::query("SELECT bytes FROM ledger_tiles WHERE level = $1 AND idx = $2")
                    .bind(i64::from(t.level))
                    .bind(t.index as i64)
                    .fetch_optional(&self.pool)
                    .await?
            {
                tiles.put(t, r.try_get::<Vec<u8>, _>(0)?);
            }
        }
        Ok(tiles)
    }

    /// A transaction that will write. SQLite: take the write lock at BEGIN, because a deferred
    /// transaction that reads first and writes later fails at once with SQLITE_BUSY if another
    /// connection (the writer, the checkpoint signer) wrote in between.
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, Db>> {
        Ok(if IS_PG {
            self.pool.begin().await?
        } else {
            self.pool.begin_with("BEGIN IMMEDIATE").await?
        })
    }

    /// SQLite: the in-process write gate (see [`Backend::write_gate`]); nothing on PostgreSQL.
    async fn gate(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        if IS_PG {
            None
        } else {
            Some(self.write_gate.lock().await)
        }
    }


    pub(crate) fn ledger_alg(&self) -> zhifa_ledger::HashAlg {
        self.ledger.lock().expect("ledger lock").alg
    }

    /// Projects `event`, or stages it when its feature writes such rows in bulk: a batch of
    /// registrations then costs one statement per table instead of one per event (each
    /// statement is a hop to SQLite's worker thread or a round trip to PostgreSQL, and the
    /// single writer waits for each). Staged rows are written (`flush`) before any event that is
    /// projected on its own, so every projection sees the tables exactly as the events before
    /// it left them.
    async fn project_staged(
        tx: &mut sqlx::Transaction<'static, Db>,
        staged: &mut StagedRows,
        event: &Event,
        version: i64,
    ) -> Result<()> {
        if Self::stage_registry(&mut staged.registry, event, version)
            || Self::stage_cases(tx, &mut staged.cases, event, version).await?
            || Self::stage_deadlines(tx, &mut staged.deadlines, event, version).await?
        {
            return Ok(());
        }
        Self::flush(tx, staged).await?;
        Self::project(tx, event, version).await
    }

    /// Writes every staged row (the registration list of features that stage).
    async fn flush(tx: &mut sqlx::Transaction<'static, Db>, staged: &mut StagedRows) -> Result<()> {
        Self::flush_registry(tx, &mut staged.registry).await?;
        Self::flush_cases(tx, &mut staged.cases).await?;
        Self::flush_deadlines(tx, &mut staged.deadlines).await
    }

    /// Applies one event to the projections: the registration list of features, each projecting
    /// the events it owns with pure upserts keyed by the entity, so applying the log from the
    /// start reproduces the tables exactly. An event no feature claims is a corrupt log.
    async fn project(
        tx: &mut sqlx::Transaction<'static, Db>,
        event: &Event,
        version: i64,
    ) -> Result<()> {
        let claimed = Self::project_registry(tx, event, version).await?
            || Self::project_accounts(tx, event, version).await?
            || Self::project_deadline(tx, event, version).await?
            || Self::project_evidence(tx, event, version).await?
            || Self::project_cases(tx, event, version).await?
            || Self::project_ledger(tx, event, version).await?;
        if claimed {
            Ok(())
        } else {
            Err(StoreError::Corrupt(format!(
                "no projection claims events of kind {}",
                event.kind()
            )))
        }
    }

}

/// Entities folded during one batch, each written once at the flush in the order the batch
/// first touched them: an entity's several events in a batch cost one read (the first time)
/// and one upsert instead of one of each per event.
struct Folded<T> {
    rows: std::collections::HashMap<Uuid, (T, i64)>,
    order: Vec<Uuid>,
}

impl<T> Default for Folded<T> {
    fn default() -> Self {
        Folded {
            rows: Default::default(),
            order: Vec::new(),
        }
    }
}

impl<T> Folded<T> {
    /// Takes `id`'s folded state out to fold the next event into it (`None`: first touched in
    /// this batch, and noted so).
    fn take(&mut self, id: Uuid) -> Option<T> {
        match self.rows.remove(&id) {
            Some((t, _)) => Some(t),
            None => {
                self.order.push(id);
                None
            }
        }
    }

    /// Puts back `id`'s state after an event of stream version `version`.
    fn put(&mut self, id: Uuid, t: T, version: i64) {
        self.rows.insert(id, (t, version));
    }

    /// Every folded state with its version, in first-touch order, leaving the batch empty.
    fn drain(&mut self) -> Vec<(T, i64)> {
        let rows = &mut self.rows;
        self.order
            .drain(..)
            .filter_map(|id| rows.remove(&id))
            .collect()
    }
}

/// Rows staged for bulk writing, per feature that stages (see `Backend::project_staged`).
#[derive(Default)]
struct StagedRows {
    registry: RegistryStaged,
    cases: Folded<Case>,
    deadlines: Folded<Deadline>,
}

mod erased {
    /// Serialises a projection document; the types are ours, so serialisation cannot fail.
    pub(crate) trait Doc {
        fn doc(&self) -> String;
    }
    impl<T: serde::Serialize> Doc for T {
        fn doc(&self) -> String {
            serde_json::to_string(self).expect("projection documents always serialise")
        }
    }
}

// Features, each with its projections and reads (a new feature adds its file here, its tables
// to PROJECTIONS and its `project_*` to `project`).
include!("backend/migrate.rs");
include!("backend/query.rs");
include!("backend/log.rs");
include!("backend/registry.rs");
include!("backend/accounts.rs");
include!("backend/deadline.rs");
include!("backend/evidence.rs");
include!("backend/cases.rs");
include!("backend/ledger.rs");
