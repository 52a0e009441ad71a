//! Benchmark of the ledger's freshness: time from an append to a signed checkpoint covering it,
//! with the event's inclusion proof fetched and verified (REC-6).
//!
//! For each engine: a fresh store and the checkpoint signer the server runs
//! (`Store::run_checkpoint_signer`, woken by the writer after each commit, at most one
//! checkpoint per 10 ms). Open-loop load: `--tasks` scheduler tasks issue `--rate` appends per
//! second in total on a fixed timetable (append *i* at `start + i / rate`), each append in its
//! own task, so a slow append never delays the next. Each append is an `AgencyRegistered`
//! command (one event, no personal data), decided before the clock starts. Per append:
//!
//! - `t0`: just before `Store::append`;
//! - `t1`: once a checkpoint of size ≥ the event's seq has been signed and its note verified
//!   (signatures with the log's verifier keys, once per checkpoint), and the event's inclusion
//!   proof (`Store::inclusion_proof(seq, size)`) has been fetched and checked with
//!   `zhifa_ledger::verify_inclusion` against that checkpoint's root, for the leaf recomputed
//!   from the returned record.
//!
//! Prints p50/p99/max of `t1 - t0` per engine, with the append latency alone, the number of
//! checkpoints signed and how far the schedulers fell behind their timetable.
//!
//! ```text
//! CARGO_TARGET_DIR=/work/target-bench cargo run --release -p zhifa-store --example bench_checkpoint_latency -- \
//!     [--engine sqlite|postgres|both] [--rate 1000] [--seconds 10] [--tasks 4] [--pg URL]
//! ```
//!
//! `--fixed-interval-ms 1000` replaces the signer by the fixed loop `serve` ran before (sign,
//! sleep 1 s), for comparison.
//!
//! PostgreSQL: `URL` is a server URL without a database (default `$ZHIFA_TEST_PG`, else
//! `postgres://postgres@127.0.0.1:5432`); each run creates and drops `zhifa_bench_<uuid>`.

mod common;
use common::{BoxError, Res, percentile};

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};
use uuid::Uuid;
use zhifa_domain::auth::Actor;
use zhifa_domain::event::Expected;
use zhifa_domain::registry::{AgencyDraft, decide_register_agency};
use zhifa_domain::{Event, NewEvent, StreamId};
use zhifa_ledger::{Hash, HashAlg, TrustedKeys, VerifierKey};
use zhifa_store::Store;

struct Args {
    engines: Vec<&'static str>,
    rate: u32,
    seconds: u32,
    tasks: u32,
    pg: String,
    /// Instead of the server's signer, the former fixed loop: sign, then sleep this long.
    fixed_interval_ms: Option<u64>,
}

const USAGE: &str = "usage: bench_checkpoint_latency [--engine sqlite|postgres|both] [--rate 1000] [--seconds 10] [--tasks 4] [--pg URL] [--fixed-interval-ms MS]";

fn parse_args() -> Res<Args> {
    let mut args = Args {
        engines: vec!["sqlite", "postgres"],
        rate: 1000,
        seconds: 10,
        tasks: 4,
        pg: common::default_pg(),
        fixed_interval_ms: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        let value = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let positive = |v: &str| -> Res<u32> {
            match v.replace('_', "").parse::<u32>()? {
                0 => Err(format!("{flag} must be at least 1").into()),
                n => Ok(n),
            }
        };
        match flag.as_str() {
            "--engine" => {
                args.engines = match value.as_str() {
                    "sqlite" => vec!["sqlite"],
                    "postgres" => vec!["postgres"],
                    "both" => vec!["sqlite", "postgres"],
                    other => return Err(format!("unknown engine {other}\n{USAGE}").into()),
                }
            }
            "--rate" => args.rate = positive(&value)?,
            "--seconds" => args.seconds = positive(&value)?,
            "--tasks" => args.tasks = positive(&value)?,
            "--pg" => args.pg = value,
            "--fixed-interval-ms" => args.fixed_interval_ms = Some(u64::from(positive(&value)?)),
            other => return Err(format!("unknown argument {other}\n{USAGE}").into()),
        }
    }
    args.pg = args.pg.trim_end_matches('/').to_string();
    Ok(args)
}

/// The `i`-th command: registering a new provincial agency (decided by the domain's rule).
fn agency_command(i: u32) -> Res<NewEvent> {
    let id = Uuid::now_v7();
    let draft = AgencyDraft {
        name: format!("压测机关{i}"),
        credit_code: common::credit_code("340000", 1_000 + i),
        credit_code_override_reason: None,
        kind: "administrative_organ".into(),
        level: "province".into(),
        division_code: "340000".into(),
        parent_id: None,
        domain: "市场监管".into(),
        legal_basis: String::new(),
    };
    let a = decide_register_agency(&Actor::system(), id, &draft, None)
        .map_err(|e| format!("agency {i} refused: {e:?}"))?;
    Ok(NewEvent {
        stream: StreamId::agency(id),
        expected: Expected::NoStream,
        agency_id: id,
        actor: Actor::system(),
        events: vec![Event::AgencyRegistered((&a).into())],
        side_effects: vec![],
    })
}

/// A checkpoint whose signatures were verified: what a client proves inclusion against.
#[derive(Clone, Copy)]
struct Verified {
    size: u64,
    root: Hash,
}

struct Sample {
    /// t1 - t0, µs.
    to_proof_us: u64,
    /// Append alone, µs.
    append_us: u64,
}

struct Report {
    samples: Vec<Sample>,
    seconds: f64,
    checkpoints: u64,
    max_behind_ms: f64,
}

async fn run(store: &Store, args: &Args) -> Res<Report> {
    let info = store.ledger_info().await?;
    let alg: HashAlg = info.hash.parse()?;
    let keys: TrustedKeys = info
        .verifier_keys
        .iter()
        .map(|k| VerifierKey::from_text(k))
        .collect::<Result<_, _>>()?;
    let origin = info.origin.clone();

    // The signer as the server runs it; each note it reports goes to a verifier task, which
    // checks the signatures once per new checkpoint and publishes the verified head.
    let (notes_tx, mut notes_rx) = mpsc::unbounded_channel::<String>();
    let signer = {
        let store = store.clone();
        let fixed = args.fixed_interval_ms.map(Duration::from_millis);
        tokio::spawn(async move {
            match fixed {
                None => {
                    store
                        .run_checkpoint_signer(move |note| {
                            let _ = notes_tx.send(note.to_string());
                        })
                        .await
                }
                // The signer `serve` ran before (1 s): for comparison.
                Some(every) => loop {
                    if let Ok(Some(note)) = store.issue_checkpoint().await {
                        let _ = notes_tx.send(note);
                    }
                    tokio::time::sleep(every).await;
                },
            }
        })
    };
    let (head_tx, head_rx) = watch::channel::<Option<Verified>>(None);
    let checkpoints = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let verifier = {
        let checkpoints = checkpoints.clone();
        tokio::spawn(async move {
            let mut last = 0u64;
            while let Some(note) = notes_rx.recv().await {
                let cp = match zhifa_ledger::open_checkpoint(&note, &keys, Some(&origin)) {
                    Ok(v) => v.checkpoint,
                    Err(e) => {
                        eprintln!("checkpoint does not verify: {e}");
                        continue;
                    }
                };
                if cp.size > last {
                    last = cp.size;
                    checkpoints.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    head_tx.send_replace(Some(Verified {
                        size: cp.size,
                        root: cp.root,
                    }));
                }
            }
        })
    };

    let n = args.rate * args.seconds;
    let cmds: Vec<Mutex<Option<NewEvent>>> = (0..n)
        .map(|i| agency_command(i).map(|c| Mutex::new(Some(c))))
        .collect::<Res<_>>()?;
    let cmds = Arc::new(cmds);
    let interval = Duration::from_secs(1).as_secs_f64() / f64::from(args.rate);
    let start = tokio::time::Instant::now() + Duration::from_millis(50);
    let behind_us = Arc::new(std::sync::atomic::AtomicU64::new(0));

    let mut schedulers = tokio::task::JoinSet::new();
    for k in 0..args.tasks {
        let (store, cmds, head_rx, behind_us) = (
            store.clone(),
            cmds.clone(),
            head_rx.clone(),
            behind_us.clone(),
        );
        let tasks = args.tasks;
        schedulers.spawn(async move {
            let mut appends = Vec::new();
            let mut i = k;
            while i < n {
                let due = start + Duration::from_secs_f64(f64::from(i) * interval);
                tokio::time::sleep_until(due).await;
                behind_us.fetch_max(
                    due.elapsed().as_micros() as u64,
                    std::sync::atomic::Ordering::Relaxed,
                );
                let cmd = cmds[i as usize]
                    .lock()
                    .expect("command lock")
                    .take()
                    .expect("each command once");
                let (store, mut head_rx) = (store.clone(), head_rx.clone());
                appends.push(tokio::spawn(async move {
                    let t0 = Instant::now();
                    let recs = store.append(cmd).await?;
                    let append_us = t0.elapsed().as_micros() as u64;
                    let rec = recs.first().ok_or("no event recorded")?;
                    let seq = rec.seq as u64;
                    let head = head_rx
                        .wait_for(|h| h.is_some_and(|h| h.size >= seq))
                        .await?
                        .expect("waited for a head");
                    let (index, proof) = store.inclusion_proof(rec.seq, head.size as i64).await?;
                    let leaf = alg.leaf_hash(&zhifa_store::leaf_input_of(alg, rec, None)?);
                    zhifa_ledger::verify_inclusion(
                        alg, &leaf, index, head.size, &proof, &head.root,
                    )
                    .map_err(|e| format!("event {seq}: inclusion proof fails: {e:?}"))?;
                    Ok::<_, BoxError>(Sample {
                        to_proof_us: t0.elapsed().as_micros() as u64,
                        append_us,
                    })
                }));
                i += tasks;
            }
            appends
        });
    }
    let mut samples = Vec::with_capacity(n as usize);
    while let Some(appends) = schedulers.join_next().await {
        for a in appends? {
            samples.push(a.await??);
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    signer.abort();
    verifier.abort();
    Ok(Report {
        samples,
        seconds,
        checkpoints: checkpoints.load(std::sync::atomic::Ordering::Relaxed),
        max_behind_ms: behind_us.load(std::sync::atomic::Ordering::Relaxed) as f64 / 1000.0,
    })
}

async fn run_sqlite(args: &Args) -> Res<Report> {
    let dir = tempfile::tempdir()?;
    let store = Store::open_sqlite_dir(dir.path()).await?;
    let r = run(&store, args).await;
    store.close().await;
    r
}

async fn run_postgres(args: &Args) -> Res<Report> {
    let base = &args.pg;
    let pg = common::FreshPg::create(base).await?;
    let result = async {
        let store = Store::open(&pg.url).await?;
        let r = run(&store, args).await;
        store.close().await;
        r
    }
    .await;
    pg.drop_db().await;
    result
}

#[tokio::main]
async fn main() -> Res<()> {
    let args = parse_args()?;
    let signer = match args.fixed_interval_ms {
        None => format!(
            "Store::run_checkpoint_signer (woken per commit, spacing ≥ {:?})",
            zhifa_store::CHECKPOINT_MIN_SPACING
        ),
        Some(ms) => format!("fixed loop: issue_checkpoint, sleep {ms} ms"),
    };
    println!(
        "offered load: {} appends/s for {} s from {} scheduler tasks (open loop); signer: {signer}",
        args.rate, args.seconds, args.tasks,
    );
    let mut rows = Vec::new();
    for engine in args.engines.clone() {
        let r = match engine {
            "sqlite" => run_sqlite(&args).await,
            _ => run_postgres(&args).await,
        }
        .map_err(|e| format!("{engine}: {e}"))?;
        let mut to_proof: Vec<u64> = r.samples.iter().map(|s| s.to_proof_us).collect();
        let mut append: Vec<u64> = r.samples.iter().map(|s| s.append_us).collect();
        to_proof.sort_unstable();
        append.sort_unstable();
        let line = format!(
            "| {engine} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {} | {:.2} |",
            r.samples.len(),
            r.samples.len() as f64 / r.seconds,
            percentile(&to_proof, 0.50),
            percentile(&to_proof, 0.99),
            to_proof.last().copied().unwrap_or(0) as f64 / 1000.0,
            percentile(&append, 0.50),
            percentile(&append, 0.99),
            r.checkpoints,
            r.max_behind_ms,
        );
        println!("{line}");
        rows.push(line);
    }
    println!();
    println!(
        "| engine | appends | appends/s | append→verified proof p50 ms | p99 ms | max ms | append p50 ms | append p99 ms | checkpoints | schedule max behind ms |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for row in rows {
        println!("{row}");
    }
    Ok(())
}
