//! Group commit for the access log (SYS: every read of records is logged, before it is answered).
//!
//! Every signed-in request writes one access-log row and waits for it to be durable. Written
//! one transaction per request, each row cost a commit (an fsync on SQLite) and on SQLite the
//! requests queued for the database's single write lock, so a page read was bounded by the
//! disk's commit rate and its latency by the queue. Here one task drains every entry waiting at
//! the moment it starts a transaction and commits them together — the same scheme as the event
//! writer (`writer.rs`), kept separate so a burst of reads never delays a command's commit
//! behind a large access batch, and an access-log failure never fails a command.

use crate::{AccessEntry, Inner, Result, StoreError};
use tokio::sync::{mpsc, oneshot};

/// Upper bound of entries per transaction.
const MAX_BATCH: usize = 2048;

type Job = (AccessEntry, oneshot::Sender<Result<()>>);

#[derive(Clone)]
pub(crate) struct AccessWriter {
    tx: mpsc::Sender<Job>,
}

impl AccessWriter {
    pub(crate) fn start(inner: Inner) -> AccessWriter {
        let (tx, mut rx) = mpsc::channel::<Job>(8192);
        tokio::spawn(async move {
            let mut jobs: Vec<Job> = Vec::with_capacity(MAX_BATCH);
            while crate::writer::next_batch(&mut rx, &mut jobs, MAX_BATCH).await {
                let (entries, replies): (Vec<AccessEntry>, Vec<_>) = jobs.drain(..).unzip();
                let outcome = match &inner {
                    Inner::Sqlite(b) => b.log_access_batch(&entries).await,
                    Inner::Postgres(b) => b.log_access_batch(&entries).await,
                };
                let failure = outcome.err().map(|e| e.to_string());
                if let Some(msg) = &failure {
                    tracing::error!(error = %msg, entries = entries.len(), "access log commit failed");
                }
                for reply in replies {
                    let r = match &failure {
                        None => Ok(()),
                        Some(msg) => Err(StoreError::Db(sqlx::Error::Protocol(format!(
                            "access log commit failed: {msg}"
                        )))),
                    };
                    let _ = reply.send(r);
                }
                // As in the event writer: let the answered requests queue their next entries
                // before the next drain, so batches do not settle into alternating halves.
                tokio::task::yield_now().await;
            }
        });
        AccessWriter { tx }
    }

    pub(crate) async fn log(&self, entry: AccessEntry) -> Result<()> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send((entry, reply))
            .await
            .map_err(|_| StoreError::Closed)?;
        rx.await.map_err(|_| StoreError::Closed)?
    }
}
