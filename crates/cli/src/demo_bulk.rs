//! `zhifa demo --cases N` (issue 10): N generated penalty cases (`zhifa_demo::cases`) appended
//! through the store's one write path, measured: generation time and database bytes per case.
//!
//! The generator runs on a thread of its own and hands each case's command to the async side,
//! which keeps up to a writer batch of appends in flight so the group-commit writer fills its
//! transactions; the two run on the two cores side by side.

use anyhow::{Context, Result};
use tokio::sync::mpsc;
use zhifa_store::Store;

/// Commands in flight: the group-commit writer's largest batch.
const IN_FLIGHT: usize = 1024;

pub(crate) struct Generated {
    pub(crate) cases: u64,
    pub(crate) agencies: usize,
    pub(crate) seconds: f64,
    pub(crate) bytes_per_case: i64,
}

/// Generates and appends `n` cases of `world`, deterministic per `seed`.
pub(crate) async fn generate_cases(
    store: &Store,
    world: zhifa_demo::cases::CaseWorld,
    seed: u64,
    n: u64,
) -> Result<Generated> {
    let t = std::time::Instant::now();
    let before = store.database_bytes().await?;
    let agencies = world.agencies();
    let today = zhifa_server::service::today_cst();
    let (tx, mut rx) = mpsc::channel::<Result<Vec<zhifa_domain::NewEvent>, String>>(IN_FLIGHT);
    let producer = std::thread::spawn(move || {
        let catalog = zhifa_calendar::Catalog::embedded();
        let calendar = zhifa_calendar::Calendar::embedded();
        for cmd in zhifa_demo::cases::generate(&world, &catalog, &calendar, seed, n, today) {
            let cmd = cmd.map_err(|e| format!("{} ({:?})", e.message, e.field));
            if tx.blocking_send(cmd).is_err() {
                break;
            }
        }
    });
    let mut set = tokio::task::JoinSet::new();
    let mut done = 0u64;
    let mut last_report = std::time::Instant::now();
    while let Some(cmd) = rx.recv().await {
        let cmd = cmd.map_err(|e| anyhow::anyhow!("生成的案件不符合规则：{e}"))?;
        let s = store.clone();
        set.spawn(async move { s.append_all(cmd).await });
        while set.len() >= IN_FLIGHT {
            if let Some(r) = set.join_next().await {
                r?.context("appending a generated case")?;
                done += 1;
            }
        }
        if last_report.elapsed().as_secs() >= 10 {
            last_report = std::time::Instant::now();
            println!(
                "  已生成 {done} / {n} 件（{:.0} 件/秒）",
                done as f64 / t.elapsed().as_secs_f64()
            );
        }
    }
    while let Some(r) = set.join_next().await {
        r?.context("appending a generated case")?;
        done += 1;
    }
    producer
        .join()
        .map_err(|_| anyhow::anyhow!("the case generator panicked"))?;
    // Part of the load: without it PostgreSQL plans a case page as if a case had 144,000
    // records until autovacuum catches up.
    store.refresh_statistics().await?;
    let seconds = t.elapsed().as_secs_f64();
    let after = store.database_bytes().await?;
    Ok(Generated {
        cases: done,
        agencies,
        seconds,
        bytes_per_case: if done == 0 {
            0
        } else {
            (after - before) / done as i64
        },
    })
}
