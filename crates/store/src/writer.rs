//! Group commit: one writer task drains every command waiting at the moment it starts a
//! transaction, so N concurrent writers share one commit (one fsync) instead of N.

use crate::{Inner, Recorded, Result, Store, StoreError};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::{mpsc, oneshot, watch};
use zhifa_domain::NewEvent;

/// Upper bound of commands per transaction: keeps a transaction's latency bounded under load.
const MAX_BATCH: usize = 1024;

struct Job {
    /// One command: appends to one or more streams, all committed or none.
    cmd: Vec<NewEvent>,
    reply: oneshot::Sender<Result<Vec<Recorded>>>,
}

#[derive(Default)]
struct Counters {
    transactions: AtomicU64,
    commands: AtomicU64,
}

/// How much batching happened: commands per transaction is the group-commit factor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GroupCommitStats {
    pub transactions: u64,
    pub commands: u64,
}

/// Waits for the next job, then takes every job already waiting, up to `max` in all, into
/// `into` (empty on entry). `false` once every sender is gone. Shared by the event writer and
/// the access-log writer (`access.rs`): both commit what is waiting together.
pub(crate) async fn next_batch<T>(
    rx: &mut mpsc::Receiver<T>,
    into: &mut Vec<T>,
    max: usize,
) -> bool {
    let Some(first) = rx.recv().await else {
        return false;
    };
    into.push(first);
    while into.len() < max {
        match rx.try_recv() {
            Ok(j) => into.push(j),
            Err(_) => break,
        }
    }
    true
}

#[derive(Clone)]
pub(crate) struct Writer {
    tx: mpsc::Sender<Job>,
    counters: Arc<Counters>,
    /// Bumped after every committed batch that appended something: wakes the checkpoint
    /// signer (`Store::run_checkpoint_signer`) instead of it polling.
    commits: watch::Receiver<u64>,
}

impl Writer {
    pub(crate) fn start(inner: Inner) -> Writer {
        let (tx, mut rx) = mpsc::channel::<Job>(8192);
        let counters = Arc::new(Counters::default());
        let c = counters.clone();
        let (commits_tx, commits) = watch::channel(0u64);
        tokio::spawn(async move {
            let mut jobs: Vec<Job> = Vec::with_capacity(MAX_BATCH);
            while next_batch(&mut rx, &mut jobs, MAX_BATCH).await {
                let cmds: Vec<&[NewEvent]> = jobs.iter().map(|j| j.cmd.as_slice()).collect();
                let outcome = Store::append_batch(&inner, &cmds).await;
                drop(cmds);
                c.transactions.fetch_add(1, Ordering::Relaxed);
                c.commands.fetch_add(jobs.len() as u64, Ordering::Relaxed);
                match outcome {
                    Ok(results) => {
                        // After the commit and the publication of the grown log (both done in
                        // `append_batch`), so a woken signer signs a tree holding these events.
                        if results
                            .iter()
                            .any(|r| r.as_ref().is_ok_and(|recs| !recs.is_empty()))
                        {
                            commits_tx.send_modify(|n| *n += 1);
                        }
                        for (job, r) in jobs.drain(..).zip(results) {
                            let _ = job.reply.send(r);
                        }
                    }
                    Err(e) => {
                        // The commit itself failed: nothing of the batch was written.
                        let msg = e.to_string();
                        tracing::error!(error = %msg, "group commit failed");
                        for job in jobs.drain(..) {
                            let _ = job.reply.send(Err(StoreError::Db(sqlx::Error::Protocol(
                                format!("commit failed: {msg}"),
                            ))));
                        }
                    }
                }
                // Let the callers just answered run before the next drain: a writer that awaits
                // each append queues its next command within microseconds, and without this
                // yield the batches settle into two alternating halves (W/2 commands per
                // commit with W writers) instead of one batch of W. Costs one scheduler pass
                // per commit; when idle the task parks in `recv` as before.
                tokio::task::yield_now().await;
            }
        });
        Writer {
            tx,
            counters,
            commits,
        }
    }

    pub(crate) async fn append(&self, cmd: Vec<NewEvent>) -> Result<Vec<Recorded>> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Job { cmd, reply })
            .await
            .map_err(|_| StoreError::Closed)?;
        rx.await.map_err(|_| StoreError::Closed)?
    }

    /// A receiver marked changed after each commit that appended events.
    pub(crate) fn commits(&self) -> watch::Receiver<u64> {
        self.commits.clone()
    }

    pub(crate) fn stats(&self) -> GroupCommitStats {
        GroupCommitStats {
            transactions: self.counters.transactions.load(Ordering::Relaxed),
            commands: self.counters.commands.load(Ordering::Relaxed),
        }
    }
}
