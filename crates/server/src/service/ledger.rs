//! The tamper-evident record (REC-5, REC-6): proofs of single records, self-verifying packages,
//! erasure of personal data, and following a lower-tier log as its witness.

use super::{ServiceError, ServiceResult, agency};
use crate::AppState;
use crate::auth::CurrentUser;
use uuid::Uuid;
use zhifa_domain::auth::Role;
use zhifa_domain::event::Expected;
use zhifa_domain::{DomainError, Event, NewEvent, StreamId};

// ───────────── proofs of single records (REC-6) ─────────────

/// How long a read waits for the background signer to cover a just-appended record.
const CHECKPOINT_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// The latest signed checkpoint once it covers `size` leaves, with the ledger's state. Reads
/// never sign: the signer started by `serve` signs within milliseconds of each commit, so a
/// record appended a moment ago is waited for (bounded); past that the answer is
/// [`ServiceError::NoCheckpoint`].
pub async fn signed_checkpoint_covering(
    st: &AppState,
    size: i64,
) -> ServiceResult<(String, zhifa_store::LedgerInfo)> {
    let until = tokio::time::Instant::now() + CHECKPOINT_WAIT;
    loop {
        let info = st.store.ledger_info().await?;
        if let Some(note) = &info.checkpoint {
            let signed = zhifa_ledger::Checkpoint::from_note(note)
                .map_err(|e| ServiceError::internal(format!("stored checkpoint: {e}")))?
                .size as i64;
            if signed >= size {
                return Ok((note.clone(), info));
            }
        }
        if tokio::time::Instant::now() >= until {
            return Err(ServiceError::NoCheckpoint);
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// A record with the proof that it is in the signed log, checked here as an auditor would.
pub struct EventProof {
    pub record: zhifa_store::Recorded,
    /// The exact bytes the leaf hashes (text: `zhifa-leaf/1` + canonical JSON).
    pub leaf: String,
    pub leaf_hash: zhifa_ledger::Hash,
    pub index: u64,
    pub checkpoint: String,
    pub tree_size: u64,
    pub root: zhifa_ledger::Hash,
    pub proof: Vec<zhifa_ledger::Hash>,
    /// `Ok` if the inclusion proof and the checkpoint's signatures verify.
    pub verified: Result<(), String>,
}

/// An event visible to the caller (its agency in scope), with its leaf.
async fn event_in_scope(
    st: &AppState,
    u: &CurrentUser,
    seq: i64,
) -> ServiceResult<(zhifa_store::Recorded, Vec<u8>)> {
    let (rec, leaf) = st
        .store
        .event_leaf(seq)
        .await?
        .ok_or(ServiceError::NotFound("记录"))?;
    agency(st, u, rec.agency_id)
        .await
        .map_err(|_| ServiceError::NotFound("记录"))?;
    Ok((rec, leaf))
}

pub async fn event_proof(st: &AppState, u: &CurrentUser, seq: i64) -> ServiceResult<EventProof> {
    let (record, leaf) = event_in_scope(st, u, seq).await?;
    let (note, info) = signed_checkpoint_covering(st, seq).await?;
    let keys = zhifa_ledger::TrustedKeys::from_text(&info.verifier_keys.join("\n"))
        .map_err(ServiceError::internal)?;
    let cp = zhifa_ledger::open_checkpoint(&note, &keys, Some(&info.origin))
        .map_err(ServiceError::internal)?
        .checkpoint;
    let (index, proof) = st
        .store
        .inclusion_proof(seq, cp.size as i64)
        .await
        .map_err(ServiceError::internal)?;
    let alg = st.store.ledger_alg();
    let verified = zhifa_ledger::verify_leaf_in_checkpoint(
        alg,
        &keys,
        Some(&info.origin),
        &note,
        &leaf,
        index,
        &proof,
    )
    .map(|_| ())
    .map_err(|e| e.to_string());
    Ok(EventProof {
        leaf_hash: alg.leaf_hash(&leaf),
        leaf: String::from_utf8_lossy(&leaf).into_owned(),
        record,
        index,
        checkpoint: note,
        tree_size: cp.size,
        root: cp.root,
        proof,
        verified,
    })
}

/// A self-verifying package (REC-5) of one record or of a whole stream the caller may read.
pub async fn package(
    st: &AppState,
    u: &CurrentUser,
    seq: Option<i64>,
    stream: Option<&str>,
) -> ServiceResult<zhifa_ledger::Package> {
    let (seqs, title) = match (seq, stream) {
        (Some(seq), None) => {
            let (rec, _) = event_in_scope(st, u, seq).await?;
            (
                vec![seq],
                format!("记录证明：第 {seq} 条（{}）", rec.stream),
            )
        }
        (None, Some(stream)) => {
            let events = st.store.events_of_stream(stream).await?;
            let first = events.first().ok_or(ServiceError::NotFound("记录"))?;
            event_in_scope(st, u, first.seq).await?;
            (
                events.iter().map(|e| e.seq).collect(),
                format!("记录证明：{stream}（{} 条）", events.len()),
            )
        }
        _ => {
            return Err(ServiceError::BadRequest {
                field: "seq",
                message: "请给出 seq（一条记录）或 stream（一组记录）之一".into(),
            });
        }
    };
    // The package is proven against the latest signed checkpoint; wait (bounded) for the signer
    // to cover the newest record asked for.
    signed_checkpoint_covering(st, seqs.iter().copied().max().unwrap_or(0)).await?;
    Ok(st.store.export_package(&title, &seqs).await?)
}

/// An upper-tier instance starts witnessing a lower one's log (REC-6): system administrator
/// only; the origin, hash and verifier keys must parse as a log's.
pub async fn follow_log(
    st: &AppState,
    u: &CurrentUser,
    origin: &str,
    hash: &str,
    verifier_keys: &[String],
) -> ServiceResult<()> {
    u.actor
        .require_any(&[Role::SystemAdmin], "登记见证的日志")?;
    let invalid = |f: &str, m: String| {
        ServiceError::from(DomainError::invalid(f, "invalid", m).rule("REC-6"))
    };
    let _: zhifa_ledger::HashAlg = hash.parse().map_err(|e: String| invalid("hash", e))?;
    if origin.trim().is_empty() || origin.contains(char::is_whitespace) {
        return Err(invalid("origin", "日志标识不能为空或包含空白".into()));
    }
    let keys_text = verifier_keys.join("\n");
    zhifa_ledger::TrustedKeys::from_text(&keys_text)
        .map_err(|e| invalid("verifier_keys", e.to_string()))?;
    Ok(st.store.witness_follow(origin, hash, &keys_text).await?)
}

/// REC-6 erasure of a subject's personal data (a resident ID or credit code): the values leave
/// the record, the ledger's proofs stay valid, the erasure itself is recorded, and the
/// projections are rebuilt without the values — all in one store transaction.
pub async fn erase_subject(
    st: &AppState,
    actor: &zhifa_domain::auth::Actor,
    subject: &str,
    reason: &str,
) -> ServiceResult<Vec<i64>> {
    let (subject, reason) = zhifa_domain::event::decide_erasure(actor, subject, reason)?;
    let stream = StreamId("erasure".into());
    let version = st.store.stream_version(&stream.0).await?;
    st.store
        .erase(
            &subject,
            &zhifa_store::Erasure {
                stream,
                expected: Expected::Version(version),
                actor: actor.clone(),
                reason,
            },
        )
        .await
        .map_err(|e| match e {
            zhifa_store::StoreError::Ledger(m) => ServiceError::BadRequest {
                field: "subject",
                message: m,
            },
            other => other.into(),
        })
}
