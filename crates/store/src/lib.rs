//! The event store: the only crate that writes SQL.
//!
//! One write path: [`Store::append`] takes a command's events (already decided by the pure rules
//! in `zhifa-domain`), and a single writer task appends them — events and projections in one
//! transaction, several commands per transaction (group commit), answering only after the commit
//! is durable. Reads go to projections: plain tables with a JSON `doc` column plus the columns
//! queries filter on.
//!
//! The same SQL runs on SQLite (embedded default, WAL) and PostgreSQL: the backend code lives once
//! in `backend.rs` and is compiled twice, once per sqlx driver.
//!
//! Invariants:
//! - no statement updates or deletes a row of `events`, except erasure (REC-6), which replaces
//!   personal values by the salted commitments the ledger leaf already holds;
//! - every projection row is derivable from `events` (`Store::rebuild` proves it);
//! - secrets (password and token hashes) and sessions are not events and are never rebuilt.

mod access;
mod bulk;
mod bulk_cases;
mod leaf;
mod paging;
mod writer;

pub use leaf::{leaf_envelope, leaf_input_of};
pub use paging::*;

use serde::de::DeserializeOwned;
use std::path::Path;
use std::sync::Arc;
use uuid::Uuid;
use zhifa_domain::NewEvent;
use zhifa_domain::deadline::{AnnualReport, Deadline};
use zhifa_domain::evidence::Evidence;
use zhifa_domain::registry::{
    Agency, ApiToken, DiscretionBenchmark, InspectionItem, ItemVersion, Officer, ServiceGuide, User,
};
use zhifa_domain::scope::Scope;

pub use writer::GroupCommitStats;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("stored document is corrupt: {0}")]
    Corrupt(String),
    /// The stream moved on since the rule decided (optimistic concurrency).
    #[error(
        "stream {stream} is at version {actual:?} (None: it already exists), expected {expected}"
    )]
    VersionConflict {
        stream: String,
        expected: String,
        /// The stream's version when known; `None` when a creation found the stream existing.
        actual: Option<i64>,
    },
    /// A uniqueness constraint of a projection (credit code, certificate number, username…).
    #[error("duplicate value for {field}")]
    Duplicate { field: String },
    #[error("the store is shutting down")]
    Closed,
    #[error("ledger: {0}")]
    Ledger(String),
    /// A list's `after` cursor is not one this list returned.
    #[error("bad list cursor")]
    BadCursor,
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Least time between two checkpoints of [`Store::run_checkpoint_signer`]: bounds signing to
/// 100 checkpoints/s (each a signature pair and a one-row write) while keeping the time from a
/// commit to a signed checkpoint covering it to about this much.
pub const CHECKPOINT_MIN_SPACING: std::time::Duration = std::time::Duration::from_millis(10);
/// How often [`Store::run_checkpoint_signer`] looks when no commit wakes it.
pub const CHECKPOINT_IDLE_INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);

/// One appended event, as recorded.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Recorded {
    pub seq: i64,
    pub id: Uuid,
    pub stream: String,
    pub version: i64,
    pub kind: String,
    pub payload: serde_json::Value,
    pub actor_id: Uuid,
    pub actor_name: String,
    pub agency_id: Uuid,
    /// Microseconds since the Unix epoch, UTC.
    pub recorded_at: i64,
}

/// A bound parameter. Queries are built from fixed SQL text and these; never from input text.
#[derive(Debug, Clone)]
pub enum Arg {
    Text(String),
    Int(i64),
}

#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    pub category: Option<String>,
    pub agency_id: Option<Uuid>,
    /// YYYY-MM-DD: the list as it stood on that date (REG-3).
    pub as_of: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct DeadlineFilter {
    pub agency_id: Option<Uuid>,
    /// `open`, `missed`, `met`, `met_late`; empty for all.
    pub statuses: Vec<String>,
    /// Only those whose last day is on or before this date (YYYY-MM-DD).
    pub due_on_or_before: Option<String>,
}

/// The work list's filters.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub agency_id: Option<Uuid>,
    /// Only cases not closed yet.
    pub open_only: bool,
}

#[derive(Debug, Clone, Default)]
pub struct EvidenceFilter {
    pub agency_id: Option<Uuid>,
    /// `audio`, `video`, …
    pub kind: Option<String>,
    /// Only audio/video received more than 24 hours after recording (REC-4).
    pub late_only: bool,
}

/// The state of pushing this log's checkpoints to one witness.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WitnessPushRow {
    /// The witness's base URL.
    pub witness: String,
    /// Latest size it cosigned (0: none yet).
    pub size: i64,
    /// Its latest cosignature line(s).
    pub cosignature: String,
    /// Last attempt, microseconds since the epoch (UTC).
    pub pushed_at: i64,
    /// Why the last attempt failed ("" if it succeeded).
    pub last_error: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WitnessPushOutcome {
    Cosigned { size: i64, cosignature: String },
    Failed(String),
}

/// A holiday notice imported at run time (DL-1).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NoticeRecord {
    pub year: i32,
    pub documents: Vec<String>,
    pub text: String,
}

#[derive(Debug, Clone, Default)]
pub struct OfficerFilter {
    pub agency_id: Option<Uuid>,
    /// Valid certificates whose validity ends between these dates (YYYY-MM-DD, inclusive).
    pub expiring: Option<(String, String)>,
}

impl OfficerFilter {
    pub fn of_agency(id: Uuid) -> OfficerFilter {
        OfficerFilter {
            agency_id: Some(id),
            expiring: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Credential {
    pub user_id: Uuid,
    pub password_hash: String,
    pub failed_attempts: i64,
    pub locked_until: i64,
    /// Set by an administrator: to be changed at the next sign-in.
    pub must_change: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub user_id: Uuid,
    pub csrf: String,
    pub created_at: i64,
    pub last_seen: i64,
    /// Opened with a password an administrator set: only the password change is allowed.
    pub must_change: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AccessEntry {
    pub at: i64,
    pub user_id: Option<Uuid>,
    pub username: String,
    pub action: String,
    pub target: String,
    pub status: i64,
    /// The client's address as the server saw it.
    pub client: Option<String>,
    /// The path of the agency of the account that acted (or was named in a failed sign-in);
    /// `None` when no account is known. Auditors read the entries of their scope.
    pub agency_path: Option<String>,
}

/// An access-log entry as read back, with its position (the keyset cursor of the next page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRecord {
    pub id: i64,
    pub entry: AccessEntry,
}

/// The auditor's filters of the access log; every one optional, newest first, `before` being
/// the id of the last entry of the previous page.
#[derive(Debug, Clone, Default)]
pub struct AccessQuery {
    pub username: Option<String>,
    pub action: Option<String>,
    pub client: Option<String>,
    pub status: Option<i64>,
    /// Entries at or after / before these instants (µs since the epoch, UTC).
    pub from: Option<i64>,
    pub until: Option<i64>,
    pub before: Option<i64>,
    pub limit: i64,
}

/// An API token with when it was last accepted (µs, UTC; `None`: never used).
#[derive(Debug, Clone, PartialEq)]
pub struct TokenRow {
    pub token: zhifa_domain::registry::ApiToken,
    pub last_used_at: Option<i64>,
}

/// One row of the power list's console table: what it shows of an item version, read from the
/// projection document without building the version's legal bases and procedure (a page of 50
/// rows decoded about 90 KB of JSON into those for nothing).
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct ItemSummary {
    pub item_id: Uuid,
    pub version: i64,
    pub code: String,
    pub name: String,
    pub category: zhifa_domain::registry::Category,
    pub agency_id: Uuid,
    pub effective_from: time::Date,
}

impl AccessEntry {
    /// Longest username kept in the access log (accounts' usernames are far shorter).
    pub const MAX_USERNAME: usize = 64;
    /// Longest request target kept (method, path and query).
    pub const MAX_TARGET: usize = 1024;

    /// The entry as stored: what a caller sent is cut to the bounds above (marked with `…`),
    /// so an anonymous request cannot write unbounded data (issue 9 finding 7: a 900,000-
    /// character username went into the log).
    pub fn bounded(&self) -> AccessEntry {
        fn cut(s: &str, max: usize) -> String {
            match s.char_indices().nth(max) {
                None => s.to_string(),
                Some((i, _)) => format!("{}…", &s[..i]),
            }
        }
        AccessEntry {
            username: cut(&self.username, Self::MAX_USERNAME),
            target: cut(&self.target, Self::MAX_TARGET),
            ..self.clone()
        }
    }
}

/// Counts for a user's home page.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Overview {
    pub agencies: i64,
    pub officers: i64,
    pub officers_valid: i64,
    pub certificates_expiring: i64,
    pub items: i64,
    pub inspection_items: i64,
}

/// The ledger as the writer keeps it: the Merkle log's right edge (O(log n)), its hash and origin.
#[derive(Clone)]
pub(crate) struct LedgerState {
    pub(crate) log: zhifa_ledger::MerkleLog,
    pub(crate) alg: zhifa_ledger::HashAlg,
    pub(crate) origin: String,
}

/// How an erasure (REC-6) is recorded: the `PersonalDataErased` event goes to `stream` at the
/// `expected` version, by `actor`, for `reason` — in the transaction that rewrites the payloads.
#[derive(Debug, Clone)]
pub struct Erasure {
    pub stream: zhifa_domain::StreamId,
    pub expected: zhifa_domain::event::Expected,
    pub actor: zhifa_domain::auth::Actor,
    pub reason: String,
}

/// A log this instance witnesses, with the latest head it cosigned (`size` 0, `root` empty: none).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WitnessedLogRow {
    pub origin: String,
    pub hash: String,
    pub keys: String,
    pub size: i64,
    pub root: String,
}

/// The ledger's public state: latest signed checkpoint and the keys to check it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LedgerInfo {
    pub origin: String,
    pub hash: String,
    pub size: i64,
    pub checkpoint: Option<String>,
    pub verifier_keys: Vec<String>,
}

pub(crate) fn now_micros() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1000) as i64
}

pub(crate) fn decode<T: DeserializeOwned>(doc: &str) -> Result<T> {
    serde_json::from_str(doc).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The five arguments of a backend's `SCOPE_SQL`: the subtree's path range, then the domain and
/// the path range of its government for a department's same-domain line.
pub(crate) fn scope_args(scope: &Scope) -> [Arg; 5] {
    let range = |p: &str| {
        (
            Arg::Text(p.to_string()),
            Arg::Text(prefix_upper_bound(p).unwrap_or_else(|| "\u{10FFFF}".into())),
        )
    };
    let (lo, hi) = range(&scope.subtree);
    match &scope.same_domain_under {
        Some((domain, gov)) => {
            let (glo, ghi) = range(gov);
            [lo, hi, Arg::Text(domain.clone()), glo, ghi]
        }
        // No agency has an empty domain, so the second branch never matches.
        None => [
            lo,
            hi,
            Arg::Text(String::new()),
            Arg::Text(String::new()),
            Arg::Text(String::new()),
        ],
    }
}

async fn connect_sqlite(url: &str) -> Result<sqlx::Pool<sqlx::Sqlite>> {
    use std::str::FromStr;
    let opts = sqlx::sqlite::SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
        // FULL: the WAL is synced at every commit, so an answered append survives power loss.
        .synchronous(sqlx::sqlite::SqliteSynchronous::Full)
        .busy_timeout(std::time::Duration::from_secs(10))
        // 64 MiB of page cache per connection (SQLite's default is 2 MiB): at a million cases
        // the indexes the writer touches no longer fit in the default, and every miss was a
        // page copied in from the OS (generation slowed from ~1,100 to ~870 cases/s by 80k).
        .pragma("cache_size", "-65536")
        .foreign_keys(false);
    Ok(sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(8)
        // An embedded database has no link to check: the default ping before every acquire
        // was one more hop to the driver's worker thread per transaction of the writer.
        .test_before_acquire(false)
        .connect_with(opts)
        .await?)
}

async fn connect_postgres(url: &str) -> Result<sqlx::Pool<sqlx::Postgres>> {
    Ok(sqlx::postgres::PgPoolOptions::new()
        .max_connections(16)
        .connect(url)
        .await?)
}

macro_rules! backend_module {
    ($name:ident, $db:ty, $connect:ident, $is_pg:expr) => {
        pub(crate) mod $name {
            use super::$connect as connect_pool;
            #[allow(unused_imports)]
            use super::*;
            type Db = $db;
            const IS_PG: bool = $is_pg;
            include!("backend.rs");
        }
    };
}

backend_module!(sqlite, sqlx::Sqlite, connect_sqlite, false);
backend_module!(postgres, sqlx::Postgres, connect_postgres, true);

#[derive(Clone)]
enum Inner {
    Sqlite(Arc<sqlite::Backend>),
    Postgres(Arc<postgres::Backend>),
}

/// Handle to the store; cheap to clone.
#[derive(Clone)]
pub struct Store {
    inner: Inner,
    writer: writer::Writer,
    access: access::AccessWriter,
}

macro_rules! dispatch {
    ($self:expr, $b:ident => $e:expr) => {
        match &$self.inner {
            Inner::Sqlite($b) => $e,
            Inner::Postgres($b) => $e,
        }
    };
}

macro_rules! forward {
    ($( $(#[$m:meta])* fn $name:ident(&self $(, $arg:ident : $ty:ty)*) -> $ret:ty; )*) => {
        impl Store {
            $( $(#[$m])* pub async fn $name(&self $(, $arg: $ty)*) -> Result<$ret> {
                dispatch!(self, b => b.$name($($arg),*).await)
            } )*
        }
    };
}

impl Store {
    /// Opens (creating if needed) the SQLite database `zhifa.db` in `dir`.
    pub async fn open_sqlite_dir(dir: &Path) -> Result<Store> {
        Self::open_sqlite_dir_with(dir, None).await
    }

    pub async fn open_sqlite_dir_with(
        dir: &Path,
        ledger_hash: Option<zhifa_ledger::HashAlg>,
    ) -> Result<Store> {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::Db(sqlx::Error::Io(e)))?;
        Self::open_with(
            &format!("sqlite://{}", dir.join("zhifa.db").display()),
            ledger_hash,
        )
        .await
    }

    /// Opens `sqlite://PATH` or `postgres://…`, applying migrations.
    pub async fn open(url: &str) -> Result<Store> {
        Self::open_with(url, None).await
    }

    /// Opens a store choosing the ledger's hash when the log is created (`sm3` by default;
    /// `sha256` makes it an ordinary RFC 6962 / C2SP log). An existing log keeps its hash:
    /// asking for another one is an error.
    pub async fn open_with(url: &str, ledger_hash: Option<zhifa_ledger::HashAlg>) -> Result<Store> {
        let inner = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Inner::Postgres(Arc::new(
                postgres::Backend::connect(url, ledger_hash).await?,
            ))
        } else {
            Inner::Sqlite(Arc::new(sqlite::Backend::connect(url, ledger_hash).await?))
        };
        let writer = writer::Writer::start(inner.clone());
        let access = access::AccessWriter::start(inner.clone());
        Ok(Store {
            inner,
            writer,
            access,
        })
    }

    pub fn engine(&self) -> &'static str {
        match self.inner {
            Inner::Sqlite(_) => "sqlite",
            Inner::Postgres(_) => "postgres",
        }
    }

    /// Appends one command's events atomically through the group-commit writer. Returns when
    /// the transaction holding them is committed (durable).
    pub async fn append(&self, cmd: NewEvent) -> Result<Vec<Recorded>> {
        self.writer.append(vec![cmd]).await
    }

    /// Appends one command that touches several streams (e.g. a decision and the deadline it
    /// opens): every part commits or none does.
    pub async fn append_all(&self, parts: Vec<NewEvent>) -> Result<Vec<Recorded>> {
        self.writer.append(parts).await
    }

    /// The ledger's hash, fixed when the log was created; evidence files are hashed with it too.
    pub fn ledger_alg(&self) -> zhifa_ledger::HashAlg {
        dispatch!(self, b => b.ledger_alg())
    }

    /// Records one access (SYS: every read of records is logged). Returns when the entry is
    /// durable: the access writer commits every entry waiting at that moment in one
    /// transaction, so concurrent requests share one commit instead of one each.
    pub async fn log_access(&self, entry: &AccessEntry) -> Result<()> {
        self.access.log(entry.bounded()).await
    }

    pub fn group_commit_stats(&self) -> GroupCommitStats {
        self.writer.stats()
    }

    /// How many batches fell back to one savepoint per command (a statement of the bulk path
    /// failed, e.g. a uniqueness refusal).
    pub fn isolated_batches(&self) -> u64 {
        dispatch!(self, b => b.isolated_batches.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// The REC-6 checkpoint signer, as `serve` runs it; never returns. It signs a checkpoint
    /// (`issue_checkpoint`) soon after the log grows: woken by the writer after each commit,
    /// but at most once per [`CHECKPOINT_MIN_SPACING`], so under load one signature (and one
    /// small write) covers every commit of that interval. When nothing is appended it wakes
    /// once per [`CHECKPOINT_IDLE_INTERVAL`], as the former fixed one-second loop did (a
    /// look-up of the latest checkpoint, no write). `on_signed` gets the latest checkpoint
    /// note after each round.
    pub async fn run_checkpoint_signer(&self, mut on_signed: impl FnMut(&str)) {
        let mut commits = self.writer.commits();
        loop {
            let started = tokio::time::Instant::now();
            match self.issue_checkpoint().await {
                Ok(Some(note)) => on_signed(&note),
                Ok(None) => {}
                Err(e) => tracing::error!(error = %e, "checkpoint signing failed"),
            }
            // A commit during the signing marks the receiver changed: no growth is missed.
            if let Ok(Err(_)) =
                tokio::time::timeout(CHECKPOINT_IDLE_INTERVAL, commits.changed()).await
            {
                // The writer is gone (cannot happen while `self` holds it); poll like an idle log.
                tokio::time::sleep(CHECKPOINT_IDLE_INTERVAL).await;
            }
            tokio::time::sleep_until(started + CHECKPOINT_MIN_SPACING).await;
        }
    }

    pub async fn close(&self) {
        dispatch!(self, b => b.pool.close().await)
    }
}

forward! {
    fn stream_version(&self, stream: &str) -> i64;
    fn events_of_stream(&self, stream: &str) -> Vec<Recorded>;
    fn stream_tail(&self, stream: &str, n: i64) -> Vec<Recorded>;
    /// The latest events in scope, without those of `hidden` kinds.
    fn recent_events(&self, scope: &Scope, hidden: &[String], limit: i64) -> Vec<Recorded>;
    /// An event and its ledger leaf input (what the Merkle leaf hashes).
    fn event_leaf(&self, seq: i64) -> Option<(Recorded, Vec<u8>)>;
    /// A self-verifying package of these events (REC-5), proven against the latest checkpoint.
    fn export_package(&self, title: &str, seqs: &[i64]) -> zhifa_ledger::Package;
    fn event_count(&self) -> i64;
    fn has_events(&self) -> bool;
    fn refresh_statistics(&self) -> ();
    /// Drops every projection and replays the whole log into it, in one transaction.
    fn rebuild(&self) -> u64;
    /// Every projection row as text, sorted: for proving a rebuild reproduces the tables.
    fn dump_projections(&self) -> Vec<String>;

    fn agency(&self, id: Uuid) -> Option<(Agency, i64)>;
    fn agencies(&self, scope: &Scope, page: &Page) -> List<Agency>;
    /// How many agencies the scope holds (an index range count).
    fn agency_count(&self, scope: &Scope) -> i64;
    /// The names of these agencies (for a page's rows).
    fn agency_names(&self, ids: &[Uuid]) -> std::collections::HashMap<Uuid, String>;
    /// A per-agency counter (`officers`, `officers_valid` by last valid day, `items`,
    /// `inspection_items`) summed over the scope.
    fn scoped_count(&self, scope: &Scope, kind: &str, agency_id: Option<Uuid>, days: Option<(&str, &str)>) -> i64;
    fn agency_children(&self, id: Uuid) -> Vec<Agency>;
    /// The plans of the list queries for `scope` (label, plan text): see `examples/plans.rs`.
    fn list_plans(&self, scope: &Scope) -> Vec<(String, String)>;
    fn officer(&self, id: Uuid) -> Option<(Officer, i64)>;
    fn officers(&self, scope: &Scope, filter: &OfficerFilter, page: &Page) -> List<Officer>;
    fn item(&self, id: Uuid) -> Option<(ItemVersion, i64)>;
    fn item_versions(&self, id: Uuid) -> Vec<ItemVersion>;
    fn items(&self, scope: &Scope, filter: &ItemFilter, page: &Page) -> List<ItemVersion>;
    /// The power list as the console's table shows it (see [`ItemSummary`]).
    fn item_rows(&self, scope: &Scope, filter: &ItemFilter, page: &Page) -> List<ItemSummary>;
    fn inspection_items(&self, scope: &Scope, page: &Page) -> List<InspectionItem>;
    fn guide(&self, item_id: Uuid) -> Option<ServiceGuide>;
    fn benchmark(&self, item_id: Uuid) -> Option<DiscretionBenchmark>;
    fn user(&self, id: Uuid) -> Option<(User, i64)>;
    fn user_by_username(&self, username: &str) -> Option<User>;
    fn users(&self, scope: &Scope, page: &Page) -> List<User>;
    fn tokens(&self, scope: &Scope) -> Vec<TokenRow>;
    fn token_by_hash(&self, hash: &str) -> Option<TokenRow>;
    fn overview(&self, scope: &Scope, today: &str, soon: &str) -> Overview;

    fn deadline(&self, id: Uuid) -> Option<(Deadline, i64)>;
    fn deadlines(&self, scope: &Scope, filter: &DeadlineFilter, page: &Page) -> List<Deadline>;
    fn deadlines_depending_on(&self, year: i32) -> Vec<(Deadline, i64)>;
    /// Deadlines a notice import may change: provisional over `year`, or computed over any of
    /// `changed_years` (DL-1, amended notices).
    fn deadlines_affected_by_notice(&self, year: i32, changed_years: &[i32]) -> Vec<(Deadline, i64)>;
    fn open_deadlines_due_by(&self, day: &str) -> Vec<(Deadline, i64)>;
    /// Every deadline of `subject`, oldest first.
    fn deadlines_of(&self, subject: &str) -> Vec<(zhifa_domain::deadline::Deadline, i64)>;
    fn deadlines_of_subject(&self, subject: &str, rule_id: &str) -> Vec<(Deadline, i64)>;
    fn notices(&self) -> Vec<NoticeRecord>;
    fn annual_reports(&self, agency_id: Uuid) -> Vec<AnnualReport>;

    /// Signs and stores a checkpoint of the current tree if it grew since the last one;
    /// returns the latest checkpoint note.
    fn issue_checkpoint(&self) -> Option<String>;
    fn ledger_info(&self) -> LedgerInfo;
    /// Inclusion proof of event `seq` in the tree of `size` leaves: (leaf index, hashes).
    fn inclusion_proof(&self, seq: i64, size: i64) -> (u64, Vec<zhifa_ledger::Hash>);
    fn consistency_proof(&self, old: i64, new: i64) -> Vec<zhifa_ledger::Hash>;
    /// REC-6 erasure of `subject`'s personal data, recorded as `record` says, with the
    /// projections rebuilt — one transaction (see [`Erasure`]).
    fn erase(&self, subject: &str, record: &Erasure) -> Vec<i64>;
    /// Logs this instance witnesses (projected from their events, REC-6).
    fn witnessed_logs(&self) -> Vec<WitnessedLogRow>;
    /// One witnessed log's state and its stream's version.
    fn witnessed_log(&self, origin: &str) -> Option<(zhifa_domain::ledger::WitnessedLog, i64)>;
    /// The private text of this instance's cosigning key.
    fn witness_key(&self) -> String;
    /// A stored tile row (C2SP tlog-tiles), as bytes.
    fn ledger_tile(&self, id: zhifa_ledger::TileId) -> Option<Vec<u8>>;
    /// Recomputes every leaf from the stored events and audits them against the latest
    /// checkpoint (and `trusted`, a checkpoint note the auditor kept).
    /// With `evidence`, every evidence file the checkpoint covers is re-read and re-hashed too.
    fn audit(&self, trusted: Option<String>, evidence: Option<zhifa_evidence::EvidenceStore>) -> std::result::Result<zhifa_ledger::AuditReport, zhifa_ledger::AuditError>;

    fn evidence(&self, id: Uuid) -> Option<(Evidence, i64)>;
    fn evidence_list(&self, scope: &Scope, filter: &EvidenceFilter, page: &Page) -> List<Evidence>;
    fn case(&self, id: Uuid) -> Option<(zhifa_domain::case::Case, i64)>;
    fn cases(&self, scope: &Scope, filter: &CaseFilter, page: &Page) -> List<zhifa_domain::case::Case>;
    /// How many cases the store holds (every agency).
    fn case_count(&self) -> i64;
    /// The database's size on disk in bytes (SQLite: pages in use; PostgreSQL: the database).
    fn database_bytes(&self) -> i64;
    /// The kept checkpoint note of exactly this size, if any.
    fn checkpoint_of_size(&self, size: i64) -> Option<String>;
    fn witness_pushes(&self) -> Vec<WitnessPushRow>;
    fn record_witness_push(&self, witness: &str, outcome: &WitnessPushOutcome) -> ();

    fn credential(&self, user_id: Uuid) -> Option<Credential>;
    fn record_login_failure(&self, user_id: Uuid, max_attempts: i64, lock_micros: i64) -> Credential;
    fn reset_login_failures(&self, user_id: Uuid) -> ();
    /// The hashes of the user's last `n` passwords, newest first.
    fn recent_password_hashes(&self, user_id: Uuid, n: i64) -> Vec<String>;
    /// Of these users, those locked at `now` (µs), with the end of their lock.
    fn locked_users(&self, ids: &[Uuid], now: i64) -> std::collections::HashMap<Uuid, i64>;
    fn create_session(&self, id_hash: &str, user_id: Uuid, csrf: &str, must_change: bool) -> ();
    fn session(&self, id_hash: &str) -> Option<SessionRow>;
    fn touch_session(&self, id_hash: &str) -> ();
    fn delete_session(&self, id_hash: &str) -> ();
    fn delete_user_sessions(&self, user_id: Uuid) -> ();
    /// The access log of `scope` (entries without an account only for a scope of the whole
    /// platform), filtered, newest first.
    fn access_log(&self, scope: &Scope, q: &AccessQuery) -> Vec<AccessRecord>;
    /// Notes that a token was accepted now (µs).
    fn touch_token(&self, token_id: Uuid, now: i64) -> ();
}

impl Store {
    pub(crate) async fn append_batch(
        inner: &Inner,
        jobs: &[&[NewEvent]],
    ) -> Result<Vec<Result<Vec<Recorded>>>> {
        match inner {
            Inner::Sqlite(b) => b.append_batch(jobs).await,
            Inner::Postgres(b) => b.append_batch(jobs).await,
        }
    }
}
