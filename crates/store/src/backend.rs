// Compiled twice, inside `mod sqlite` and `mod postgres` (see lib.rs): `Db`, `PoolOptions` and
// `IS_PG` differ, the SQL does not. Placeholders are `$N`, which both drivers accept.

use sqlx::Row;
use zhifa_domain::deadline::Deadline;
use zhifa_domain::event::{Event, Expected, SideEffect};
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

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/0001_init.sql")),
    (2, include_str!("../migrations/0002_deadlines.sql")),
    (3, include_str!("../migrations/0003_ledger.sql")),
    (4, include_str!("../migrations/0004_witness.sql")),
    (5, include_str!("../migrations/0005_evidence.sql")),
    (6, include_str!("../migrations/0006_reads.sql")),
];

/// The projection tables of every feature, in the order `rebuild` clears them (each feature
/// declares its own next to its projections).
const PROJECTIONS: &[&[&str]] = &[
    REGISTRY_TABLES,
    ACCOUNTS_TABLES,
    DEADLINE_TABLES,
    EVIDENCE_TABLES,
];

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

/// A migration's text for this engine: `{{…}}` placeholders replaced, and the lines starting with
/// `--pg: ` / `--sqlite: ` kept (without the marker) only on that engine.
fn migration_sql(sql: &str) -> String {
    let (mine, other) = if IS_PG {
        ("--pg: ", "--sqlite: ")
    } else {
        ("--sqlite: ", "--pg: ")
    };
    let sql: String = sql
        .lines()
        .filter(|l| !l.starts_with(other))
        .map(|l| l.strip_prefix(mine).unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n");
    let sql = sql.replace(
        "{{PATH}}",
        if IS_PG { "TEXT COLLATE \"C\"" } else { "TEXT" },
    );
    if IS_PG {
        sql.replace("{{SEQ}}", "BIGINT PRIMARY KEY")
            .replace("{{BYTES}}", "BYTEA")
            .replace(
                "{{ID}}",
                "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
            )
    } else {
        sql.replace("{{SEQ}}", "INTEGER PRIMARY KEY")
            .replace("{{BYTES}}", "BLOB")
            .replace("{{ID}}", "INTEGER PRIMARY KEY")
    }
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

    async fn migrate(&self) -> Result<()> {
        let exists: i64 = if IS_PG {
            sqlx::query("SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'schema_migrations' AND table_schema = current_schema()")
                .fetch_one(&self.pool)
                .await?
                .try_get(0)?
        } else {
            sqlx::query("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
                .fetch_one(&self.pool)
                .await?
                .try_get(0)?
        };
        let applied: i64 = if exists > 0 {
            sqlx::query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
                .fetch_one(&self.pool)
                .await?
                .try_get(0)?
        } else {
            0
        };
        for (version, sql) in MIGRATIONS {
            if *version <= applied {
                continue;
            }
            let mut tx = self.begin_write().await?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(migration_sql(sql)))
                .execute(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
                .bind(*version)
                .bind(now_micros())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        Ok(())
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
            for (parts, result) in jobs.iter().zip(&results) {
                let Ok(recs) = result else { continue };
                let mut recs = recs.iter();
                for part in parts.iter() {
                    for event in &part.events {
                        let rec = recs.next().expect("one record per event");
                        Self::project(&mut tx, event, rec.version).await?;
                    }
                    Self::apply_side_effects(&mut tx, &part.side_effects).await?;
                }
            }
            Ok(())
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
                    serde_json::to_value(event).map_err(|e| StoreError::Corrupt(e.to_string()))?;
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

    /// Events with personal data get a salt, kept beside the log until erasure.
    fn salt_for(r: &Recorded) -> Result<Option<zhifa_ledger::Salt>> {
        if zhifa_domain::event::personal_fields_of(&r.kind).is_empty() {
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
        args.push(Arg::Text(kind.into()));
        let mut sql = format!(
            "SELECT COALESCE(SUM(c.n), 0) FROM agencies a JOIN counts c ON c.agency_id = a.id AND c.kind = ${}",
            args.len()
        );
        if let Some((from, to)) = days {
            args.push(Arg::Text(from.into()));
            args.push(Arg::Text(to.into()));
            sql.push_str(&format!(" AND c.day >= ${} AND c.day <= ${}", args.len() - 1, args.len()));
        }
        sql.push_str(&format!(" WHERE {SCOPE_SQL}"));
        if let Some(id) = agency_id {
            args.push(Arg::Text(id.to_string()));
            sql.push_str(&format!(" AND a.id = ${}", args.len()));
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

    /// Adds `delta` to an agency's counter (the row goes when it reaches 0, so counters hold
    /// exactly what a recount would). Called by the projections, in the command's transaction.
    async fn bump_count(
        tx: &mut sqlx::Transaction<'static, Db>,
        agency_id: &str,
        kind: &str,
        day: &str,
        delta: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO counts (agency_id, kind, day, n) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (agency_id, kind, day) DO UPDATE SET n = counts.n + excluded.n",
        )
        .bind(agency_id)
        .bind(kind)
        .bind(day)
        .bind(delta)
        .execute(&mut **tx)
        .await?;
        if delta < 0 {
            sqlx::query("DELETE FROM counts WHERE agency_id = $1 AND kind = $2 AND day = $3 AND n = 0")
                .bind(agency_id)
                .bind(kind)
                .bind(day)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
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

    // ───────────────────────── credentials, sessions, access log ─────────────────────────

    pub(crate) fn ledger_alg(&self) -> zhifa_ledger::HashAlg {
        self.ledger.lock().expect("ledger lock").alg
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
include!("backend/log.rs");
include!("backend/registry.rs");
include!("backend/accounts.rs");
include!("backend/deadline.rs");
include!("backend/evidence.rs");
include!("backend/ledger.rs");
