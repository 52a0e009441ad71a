//! Pushing this log's checkpoints up to witnesses (REC-6, DESIGN "Scale beyond one machine"):
//! a lower-tier instance sends each new checkpoint, with a consistency proof from the size the
//! witness last cosigned, to the upper tier's C2SP tlog-witness `add-checkpoint` endpoint, and
//! keeps the cosignature it gets back. Once a witness has cosigned a size, this instance cannot
//! rewrite history before it without the witness refusing the next push as a fork.

use crate::AppState;
use zhifa_store::WitnessPushOutcome;

/// The result of one push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pushed {
    /// The witness cosigned this size.
    Cosigned { size: i64 },
    /// The witness already holds the latest checkpoint's size; nothing to send.
    UpToDate,
    /// Nothing signed yet.
    NoCheckpoint,
}

/// Sends the latest checkpoint to the witness at `base` (e.g. `http://upper/ledger/witness`),
/// retrying once from the size the witness reports if ours was stale, and records the outcome.
pub async fn push_once(
    st: &AppState,
    client: &reqwest::Client,
    base: &str,
) -> Result<Pushed, String> {
    let r = push_inner(st, client, base).await;
    // A success is recorded by `push_inner` with its cosignature; a failure only here.
    if let Err(failure) = &r
        && let Err(e) = st
            .store
            .record_witness_push(base, &WitnessPushOutcome::Failed(failure.clone()))
            .await
    {
        tracing::error!(error = %e, "recording a witness push failed");
    }
    r
}

async fn push_inner(st: &AppState, client: &reqwest::Client, base: &str) -> Result<Pushed, String> {
    let db = |e: zhifa_store::StoreError| e.to_string();
    let Some(note) = st.store.issue_checkpoint().await.map_err(db)? else {
        return Ok(Pushed::NoCheckpoint);
    };
    let size = zhifa_ledger::Checkpoint::from_note(&note)
        .map_err(|e| format!("the stored checkpoint does not parse: {e}"))?
        .size as i64;
    let mut old = st
        .store
        .witness_pushes()
        .await
        .map_err(db)?
        .into_iter()
        .find(|p| p.witness == base)
        .map_or(0, |p| p.size);
    if old == size {
        return Ok(Pushed::UpToDate);
    }
    let url = format!("{}/add-checkpoint", base.trim_end_matches('/'));
    for _attempt in 0..2 {
        let proof = if old == 0 {
            vec![]
        } else {
            st.store.consistency_proof(old, size).await.map_err(db)?
        };
        let body = zhifa_ledger::AddCheckpoint {
            old_size: old as u64,
            proof,
            checkpoint: note.clone(),
        }
        .to_body();
        let resp = client
            .post(&url)
            .body(body)
            .send()
            .await
            .map_err(|e| format!("witness {base} unreachable: {e}"))?;
        let status = resp.status().as_u16();
        let is_size = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/x.tlog.size"));
        let text = resp.text().await.unwrap_or_default();
        match status {
            200 => {
                st.store
                    .record_witness_push(
                        base,
                        &WitnessPushOutcome::Cosigned {
                            size,
                            cosignature: text.trim_end().to_string(),
                        },
                    )
                    .await
                    .map_err(db)?;
                return Ok(Pushed::Cosigned { size });
            }
            409 if is_size => {
                // The witness holds another size than we remembered (e.g. our record of pushes
                // was lost): prove consistency from its size instead.
                let latest: i64 = text
                    .trim()
                    .parse()
                    .map_err(|_| format!("witness {base} sent a bad size: {text}"))?;
                // Equal sizes: the witness re-cosigns the same head (an empty proof), so the
                // cosignature is recovered too.
                if latest > size {
                    return Err(format!(
                        "witness {base} has cosigned size {latest}, larger than this log's {size}: this log was rolled back"
                    ));
                }
                old = latest;
            }
            _ => {
                return Err(format!(
                    "witness {base} refused the checkpoint of size {size} (HTTP {status}): {}",
                    text.trim()
                ));
            }
        }
    }
    Err(format!("witness {base} kept changing its size"))
}

/// Pushes to every configured witness every `every`, for as long as the server runs.
pub async fn run(st: AppState, every: std::time::Duration) {
    let client = match reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "no HTTP client for witness pushes");
            return;
        }
    };
    loop {
        for w in &st.settings.witnesses {
            match push_once(&st, &client, w).await {
                Ok(Pushed::Cosigned { size }) => {
                    tracing::debug!(witness = %w, size, "checkpoint cosigned")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(witness = %w, error = %e, "witness push failed"),
            }
        }
        tokio::time::sleep(every).await;
    }
}
