//! Benchmark of the event store's durable append rate.
//!
//! For each engine and writer count: a fresh store, one seeded agency, then W concurrent tasks
//! append `OfficerRegistered` commands (one event each, awaited: the store answers after the
//! commit) until N events are appended. Prints events/s, the group-commit factor (commands per
//! transaction) and, for comparison, the machine's own durable-write limit (fsyncs/s of a file in
//! a temp dir on the same file system).
//!
//! ```text
//! CARGO_TARGET_DIR=/work/target-bench cargo run --release -p zhifa-store --example bench_append -- \
//!     [--engine sqlite|postgres|both] [--events N] [--writers 1,8,64] [--pg URL] \
//!     [--without-read-indexes]
//! ```
//!
//! PostgreSQL: `URL` is a server URL without a database (default `$ZHIFA_TEST_PG`, else
//! `postgres://postgres@127.0.0.1:5432`); each run creates and drops `zhifa_bench_<uuid>`.

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;
use zhifa_domain::auth::Actor;
use zhifa_domain::event::Expected;
use zhifa_domain::registry::{
    Agency, AgencyDraft, OfficerDraft, decide_register_agency, decide_register_officer,
};
use zhifa_domain::{Event, NewEvent, StreamId};
use zhifa_store::Store;

mod common;
use common::{BoxError, Res, credit_code, percentile, resident_id};

// ───────────────────────── arguments ─────────────────────────

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }
}

struct Args {
    /// Drop the officer table's read indexes (scope, domain, name, text search) before the run:
    /// attributes the append rate between the read indexes and the rest of the write path.
    without_read_indexes: bool,
    engines: Vec<Engine>,
    events: u32,
    writers: Vec<usize>,
    pg: String,
}

const USAGE: &str = "usage: bench_append [--engine sqlite|postgres|both] [--events N] [--writers 1,8,64] [--pg URL] [--without-read-indexes]";

/// What `--without-read-indexes` drops, per engine (migration 7's officer indexes).
const SQLITE_READ_INDEXES: &str = "DROP TRIGGER officers_fts_ins; DROP INDEX officers_scope; \
    DROP INDEX officers_scope_domain; DROP INDEX officers_name";
const PG_READ_INDEXES: &str = "DROP INDEX officers_search; DROP INDEX officers_scope; \
    DROP INDEX officers_scope_domain; DROP INDEX officers_name";

fn parse_args() -> Res<Args> {
    let mut args = Args {
        without_read_indexes: false,
        engines: vec![Engine::Sqlite, Engine::Postgres],
        events: 50_000,
        writers: vec![1, 8, 64],
        pg: common::default_pg(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        if flag == "--without-read-indexes" {
            args.without_read_indexes = true;
            continue;
        }
        let value = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--engine" => {
                args.engines = match value.as_str() {
                    "sqlite" => vec![Engine::Sqlite],
                    "postgres" => vec![Engine::Postgres],
                    "both" => vec![Engine::Sqlite, Engine::Postgres],
                    other => return Err(format!("unknown engine {other}\n{USAGE}").into()),
                }
            }
            "--events" => {
                args.events = value.replace('_', "").parse()?;
                if args.events == 0 {
                    return Err("--events must be at least 1".into());
                }
            }
            "--writers" => {
                args.writers = value
                    .split(',')
                    .map(|w| w.trim().parse::<usize>())
                    .collect::<Result<_, _>>()?;
                if args.writers.is_empty() || args.writers.contains(&0) {
                    return Err("--writers: a comma-separated list of counts ≥ 1".into());
                }
            }
            "--pg" => args.pg = value,
            other => return Err(format!("unknown argument {other}\n{USAGE}").into()),
        }
    }
    args.pg = args.pg.trim_end_matches('/').to_string();
    Ok(args)
}

// ───────────────────────── machine ─────────────────────────

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

fn nproc() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0)
}

/// Rewrites one 4 KiB block of a file and `sync_data()`s it, for about `for_how_long`: the rate
/// is what a single durable committer can reach at best on this file system.
fn fsync_rate(dir: &Path, for_how_long: Duration) -> Res<f64> {
    let path = dir.join("fsync_probe.bin");
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .open(&path)?;
    let block = [0xA5u8; 4096];
    f.write_all(&block)?;
    f.sync_all()?;
    let start = Instant::now();
    let mut n: u64 = 0;
    while start.elapsed() < for_how_long {
        use std::io::Seek;
        f.seek(std::io::SeekFrom::Start(0))?;
        f.write_all(&block)?;
        f.sync_data()?;
        n += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    drop(f);
    std::fs::remove_file(&path)?;
    Ok(n as f64 / secs)
}

// ───────────────────────── one run ─────────────────────────

struct RunResult {
    engine: Engine,
    writers: usize,
    events: u64,
    seconds: f64,
    transactions: u64,
    commands: u64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
}

async fn seed_agency(store: &Store) -> Res<Agency> {
    let id = Uuid::now_v7();
    let draft = AgencyDraft {
        name: "安徽省市场监督管理局".into(),
        credit_code: credit_code("340000", 1),
        credit_code_override_reason: None,
        kind: "administrative_organ".into(),
        level: "province".into(),
        division_code: "340000".into(),
        parent_id: None,
        domain: "市场监管".into(),
        legal_basis: String::new(),
    };
    let a = decide_register_agency(&Actor::system(), id, &draft, None)
        .map_err(|e| format!("seed agency refused: {e:?}"))?;
    store
        .append(NewEvent {
            stream: StreamId::agency(id),
            expected: Expected::NoStream,
            agency_id: id,
            actor: Actor::system(),
            events: vec![Event::AgencyRegistered((&a).into())],
            side_effects: vec![],
        })
        .await?;
    Ok(a)
}

/// The `i`-th officer command, decided by the domain's own rule (which validates the IDs).
fn officer_command(a: &Agency, i: u32) -> Res<NewEvent> {
    let id = Uuid::now_v7();
    let draft = OfficerDraft {
        agency_id: a.id,
        name: format!("压测{i}"),
        id_number: resident_id("340102", i),
        certificate_no: format!("BENCH-{i:08}"),
        categories: vec!["市场监管".into()],
        region: "340102".into(),
        valid_from: "2024-01-01".into(),
        valid_to: "2029-01-01".into(),
        legal_qualification: None,
    };
    let o = decide_register_officer(
        &Actor::system(),
        id,
        &draft,
        a,
        time::Date::from_calendar_date(2026, time::Month::November, 26).expect("a date"),
    )
    .map_err(|e| format!("officer {i} refused: {e:?}"))?;
    Ok(NewEvent {
        stream: StreamId::officer(id),
        expected: Expected::NoStream,
        agency_id: a.id,
        actor: Actor::system(),
        events: vec![Event::OfficerRegistered((&o).into())],
        side_effects: vec![],
    })
}

/// Seeds, then appends `n` officers from `writers` concurrent tasks and times it.
async fn run(engine: Engine, store: &Store, writers: usize, n: u32) -> Res<RunResult> {
    let agency = seed_agency(store).await?;
    // Commands are decided before the clock starts: the benchmark times the store, not the rules.
    let mut cmds = (0..n)
        .map(|i| officer_command(&agency, i))
        .collect::<Res<Vec<_>>>()?;
    cmds.reverse(); // popped from the back: appended in order 0, 1, 2…
    let queue = Arc::new(Mutex::new(cmds));
    let before = store.group_commit_stats();
    let events_before = store.event_count().await?;

    let start = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..writers {
        let store = store.clone();
        let queue = queue.clone();
        set.spawn(async move {
            let mut latencies_us: Vec<u64> = Vec::new();
            loop {
                let next = queue.lock().expect("queue lock").pop();
                let Some(cmd) = next else { break };
                let t = Instant::now();
                let recs = store.append(cmd).await?;
                latencies_us.push(t.elapsed().as_micros() as u64);
                if recs.len() != 1 {
                    return Err(format!("expected 1 event, got {}", recs.len()).into());
                }
            }
            Ok::<_, BoxError>(latencies_us)
        });
    }
    let mut latencies: Vec<u64> = Vec::with_capacity(n as usize);
    while let Some(joined) = set.join_next().await {
        latencies.extend(joined??);
    }
    let seconds = start.elapsed().as_secs_f64();

    let after = store.group_commit_stats();
    let appended = store.event_count().await? - events_before;
    if appended != i64::from(n) {
        return Err(format!("{n} commands answered but {appended} events stored").into());
    }
    latencies.sort_unstable();
    Ok(RunResult {
        engine,
        writers,
        events: appended as u64,
        seconds,
        transactions: after.transactions - before.transactions,
        commands: after.commands - before.commands,
        p50_ms: percentile(&latencies, 0.50),
        p99_ms: percentile(&latencies, 0.99),
        max_ms: latencies.last().copied().unwrap_or(0) as f64 / 1000.0,
    })
}

async fn run_sqlite(writers: usize, n: u32, without_read_indexes: bool) -> Res<RunResult> {
    let dir = tempfile::tempdir()?;
    let store = Store::open_sqlite_dir(dir.path()).await?;
    if without_read_indexes {
        let url = format!("sqlite://{}", dir.path().join("zhifa.db").display());
        let pool = sqlx::SqlitePool::connect(&url).await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(SQLITE_READ_INDEXES))
            .execute(&pool)
            .await?;
        pool.close().await;
    }
    let r = run(Engine::Sqlite, &store, writers, n).await;
    store.close().await;
    r
}

async fn pg_settings(base: &str) -> Res<String> {
    let admin = sqlx::PgPool::connect(&format!("{base}/postgres")).await?;
    let mut out = Vec::new();
    for name in [
        "server_version",
        "fsync",
        "synchronous_commit",
        "wal_sync_method",
        "commit_delay",
        "data_directory",
    ] {
        let v: Result<String, _> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SHOW {name}")))
            .fetch_one(&admin)
            .await;
        out.push(format!(
            "{name}={}",
            v.unwrap_or_else(|e| format!("? ({e})"))
        ));
    }
    admin.close().await;
    Ok(out.join(", "))
}

async fn run_postgres(
    base: &str,
    writers: usize,
    n: u32,
    without_read_indexes: bool,
) -> Res<RunResult> {
    let pg = common::FreshPg::create(base).await?;
    let result = async {
        let store = Store::open(&pg.url).await?;
        if without_read_indexes {
            let pool = sqlx::PgPool::connect(&pg.url).await?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(PG_READ_INDEXES))
                .execute(&pool)
                .await?;
            pool.close().await;
        }
        let r = run(Engine::Postgres, &store, writers, n).await;
        store.close().await;
        r
    }
    .await;
    pg.drop_db().await;
    result
}

// ───────────────────────── main ─────────────────────────

#[tokio::main]
async fn main() -> Res<()> {
    let args = parse_args()?;
    let machine = format!("{} × {}", nproc(), cpu_model());
    println!("machine: {machine}");
    println!(
        "events per run: {}, writers: {:?}, engines: {:?}",
        args.events,
        args.writers,
        args.engines.iter().map(|e| e.name()).collect::<Vec<_>>()
    );
    if args.without_read_indexes {
        println!("without the officer read indexes (attribution run; not a configuration)");
    }

    // The machine's durable-write limit, measured where SQLite's temp dirs live.
    let probe_dir = tempfile::tempdir()?;
    let fsync_before = fsync_rate(probe_dir.path(), Duration::from_secs(1))?;
    println!(
        "fsync probe in {}: {fsync_before:.0} fsyncs/s (4 KiB write + sync_data)",
        probe_dir.path().display()
    );
    if args.engines.contains(&Engine::Postgres) {
        match pg_settings(&args.pg).await {
            Ok(s) => println!("postgres {}: {s}", args.pg),
            Err(e) => println!("postgres {}: settings unavailable ({e})", args.pg),
        }
    }

    let mut results = Vec::new();
    for &engine in &args.engines {
        for &w in &args.writers {
            let r = match engine {
                Engine::Sqlite => run_sqlite(w, args.events, args.without_read_indexes).await,
                Engine::Postgres => {
                    run_postgres(&args.pg, w, args.events, args.without_read_indexes).await
                }
            }
            .map_err(|e| format!("{} with {w} writers: {e}", engine.name()))?;
            println!(
                "{:<8} writers={:<3} events={} in {:.2}s = {:.0} events/s; {} transactions, {:.1} commands/transaction; append latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
                r.engine.name(),
                r.writers,
                r.events,
                r.seconds,
                r.events as f64 / r.seconds,
                r.transactions,
                r.commands as f64 / r.transactions.max(1) as f64,
                r.p50_ms,
                r.p99_ms,
                r.max_ms,
            );
            results.push(r);
        }
    }

    let fsync_after = fsync_rate(probe_dir.path(), Duration::from_secs(1))?;
    println!();
    println!("| engine | writers | events | seconds | events/s | commands per transaction |");
    println!("|---|---:|---:|---:|---:|---:|");
    for r in &results {
        println!(
            "| {} | {} | {} | {:.2} | {:.0} | {:.1} |",
            r.engine.name(),
            r.writers,
            r.events,
            r.seconds,
            r.events as f64 / r.seconds,
            r.commands as f64 / r.transactions.max(1) as f64,
        );
    }
    println!();
    println!(
        "fsync rate (4 KiB write + sync_data, same file system as the SQLite temp dirs): {fsync_before:.0}/s before the runs, {fsync_after:.0}/s after"
    );
    println!("machine: nproc {}, {}", nproc(), cpu_model());
    Ok(())
}
