//! The tamper-evident record (REC-5, REC-6): proofs of single records, self-verifying packages,
//! erasure of personal data, and following a lower-tier log as its witness.

use super::{ServiceError, ServiceResult, agency};
use crate::AppState;
use crate::auth::CurrentUser;
use uuid::Uuid;
use zhifa_domain::auth::Permission;
use zhifa_domain::event::Expected;
use zhifa_domain::{DomainError, Event, NewEvent, StreamId};

// ───────────── reading records ─────────────

/// The records `u` may read, as it may read them: events of kinds the domain's rule hides from
/// `u` are left out (`privacy::may_read_event`) and every personal value of the others is
/// shown by the one masking rule (`privacy::view_payload`). Every read path of records goes
/// through here (events feed, history panels, audit page, proof pages), after its agency scope.
pub fn readable(
    u: &CurrentUser,
    records: Vec<zhifa_store::Recorded>,
) -> Vec<zhifa_store::Recorded> {
    let clear = u.can(zhifa_domain::auth::Permission::ViewPersonalData);
    readable_as(u, records, clear)
}

/// [`readable`] with the personal values in clear or masked as `clear` says: for a case's own
/// records, `privacy::sees_party` decides (its officers need its party's data).
pub fn readable_as(
    u: &CurrentUser,
    records: Vec<zhifa_store::Recorded>,
    clear: bool,
) -> Vec<zhifa_store::Recorded> {
    records
        .into_iter()
        .filter(|r| zhifa_domain::privacy::may_read_event(&u.actor, &r.kind))
        .map(|mut r| {
            r.payload = zhifa_domain::privacy::view_payload_clear(&r.payload, clear);
            r
        })
        .collect()
}

/// The latest records of `u`'s scope that `u` may read (up to `limit`).
pub async fn recent_records(
    st: &AppState,
    u: &CurrentUser,
    limit: i64,
) -> ServiceResult<Vec<zhifa_store::Recorded>> {
    let hidden = zhifa_domain::privacy::hidden_kinds(&u.actor);
    Ok(readable(
        u,
        st.store.recent_events(&u.scope, &hidden, limit).await?,
    ))
}

/// One stream's records, if its agency is in `u`'s scope and `u` may read its kind (else not
/// found), as `u` may read them.
pub async fn stream_records(
    st: &AppState,
    u: &CurrentUser,
    stream: &str,
) -> ServiceResult<Vec<zhifa_store::Recorded>> {
    let clear = u.can(zhifa_domain::auth::Permission::ViewPersonalData);
    stream_records_as(st, u, stream, clear).await
}

/// [`stream_records`] with personal values shown as `clear` says (see [`readable_as`]).
pub async fn stream_records_as(
    st: &AppState,
    u: &CurrentUser,
    stream: &str,
    clear: bool,
) -> ServiceResult<Vec<zhifa_store::Recorded>> {
    let events = st.store.events_of_stream(stream).await?;
    if let Some(first) = events.first() {
        agency(st, u, first.agency_id)
            .await
            .map_err(|_| ServiceError::NotFound("记录"))?;
    }
    let stored = events.len();
    let shown = readable_as(u, events, clear);
    // A stream whose every record is hidden from `u` is answered as one out of scope.
    if stored > 0 && shown.is_empty() {
        return Err(ServiceError::NotFound("记录"));
    }
    Ok(shown)
}

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
    // A kind hidden from `u` is answered exactly like a record out of scope.
    if !zhifa_domain::privacy::may_read_event(&u.actor, &rec.kind) {
        return Err(ServiceError::NotFound("记录"));
    }
    Ok((rec, leaf))
}

pub async fn event_proof(st: &AppState, u: &CurrentUser, seq: i64) -> ServiceResult<EventProof> {
    let (record, leaf) = event_in_scope(st, u, seq).await?;
    let record = readable(u, vec![record])
        .pop()
        .ok_or(ServiceError::NotFound("记录"))?;
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
            // Every record of the package must be one `u` may read.
            if events
                .iter()
                .any(|e| !zhifa_domain::privacy::may_read_event(&u.actor, &e.kind))
            {
                return Err(ServiceError::NotFound("记录"));
            }
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

/// An upper-tier instance starts witnessing a lower one's log (REC-6): the registration is an
/// event (`WitnessedLogRegistered`), decided by the domain's rule (permission, origin, hash,
/// key shapes, not followed yet); the keys must also parse as signed-note verifier keys.
pub async fn follow_log(
    st: &AppState,
    u: &CurrentUser,
    origin: &str,
    hash: &str,
    verifier_keys: &[String],
) -> ServiceResult<zhifa_domain::ledger::WitnessedLog> {
    use zhifa_domain::ledger::{WitnessedLog, decide_register_witnessed_log};
    u.actor.require(Permission::RegisterWitnessedLog)?;
    let invalid = |f: &str, m: String| {
        ServiceError::from(DomainError::invalid(f, "invalid", m).rule("REC-6"))
    };
    let _: zhifa_ledger::HashAlg = hash.parse().map_err(|e: String| invalid("hash", e))?;
    let existing = match zhifa_domain::ledger::check_origin(origin) {
        Ok(o) => st.store.witnessed_log(&o).await?.map(|(l, _)| l),
        Err(_) => None,
    };
    let event =
        decide_register_witnessed_log(&u.actor, origin, hash, verifier_keys, existing.as_ref())?;
    let Event::WitnessedLogRegistered {
        origin,
        verifier_keys,
        ..
    } = &event
    else {
        return Err(ServiceError::internal("registration decided another event"));
    };
    zhifa_ledger::TrustedKeys::from_text(&verifier_keys.join("\n"))
        .map_err(|e| invalid("verifier_keys", e.to_string()))?;
    let state = WitnessedLog::registered(&event)
        .ok_or_else(|| ServiceError::internal("registration without state"))?;
    super::append(
        st,
        u,
        StreamId::witnessed_log(origin),
        Expected::NoStream,
        u.actor.agency_id,
        vec![event],
        vec![],
    )
    .await?;
    Ok(state)
}

/// Why a checkpoint was not cosigned.
pub enum CosignRefusal {
    /// The signature, request or consistency proof is wrong (C2SP's own answer).
    Witness(zhifa_ledger::WitnessError),
    /// The domain refused (a fork, a stale size the ledger did not catch).
    Domain(DomainError),
}

/// C2SP tlog-witness `add-checkpoint` (REC-6): the signature and the consistency proof from the
/// size last cosigned are checked by `zhifa-ledger`, the succession by the domain
/// (`decide_cosign`), and the new head is the event `WitnessCheckpointCosigned` appended at the
/// version of the log's stream the decision read — a concurrent push at a stale size loses
/// the optimistic-concurrency check and is answered with the size now held. Returns the
/// response body (the cosignature lines).
pub async fn cosign_checkpoint(
    st: &AppState,
    req: &zhifa_ledger::AddCheckpoint,
) -> ServiceResult<Result<String, CosignRefusal>> {
    let key = zhifa_ledger::Signer::from_private_text(&st.store.witness_key().await?)
        .map_err(ServiceError::internal)?;
    let mut w = zhifa_ledger::Witness::new(key).map_err(ServiceError::internal)?;
    for l in st.store.witnessed_logs().await? {
        let alg: zhifa_ledger::HashAlg = l.hash.parse().map_err(ServiceError::internal)?;
        let keys = zhifa_ledger::TrustedKeys::from_text(&l.keys).map_err(ServiceError::internal)?;
        let latest = zhifa_ledger::Hash::from_hex(&l.root).map(|root| zhifa_ledger::TreeHead {
            size: l.size as u64,
            root,
        });
        w.add_log(&l.origin, alg, keys, latest);
    }
    let now = time::OffsetDateTime::now_utc().unix_timestamp() as u64;
    let cosigned = match w.add_checkpoint(req, now) {
        Ok(c) => c,
        Err(e) => return Ok(Err(CosignRefusal::Witness(e))),
    };
    let Some((state, version)) = st.store.witnessed_log(&cosigned.origin).await? else {
        return Err(ServiceError::NotFound("见证的日志"));
    };
    let root = cosigned.head.root.to_hex();
    let event = match zhifa_domain::ledger::decide_cosign(
        &state,
        req.old_size,
        cosigned.head.size,
        &root,
    ) {
        Ok(e) => e,
        Err(e) if e.code == "old_size_mismatch" => {
            return Ok(Err(CosignRefusal::Witness(
                zhifa_ledger::WitnessError::Conflict {
                    old: req.old_size,
                    latest: state.size,
                },
            )));
        }
        Err(e) => return Ok(Err(CosignRefusal::Domain(e))),
    };
    // The same head again: cosigned already, nothing new to record.
    if !(cosigned.head.size == state.size && root == state.root) {
        let witness = zhifa_domain::auth::Actor {
            username: "tlog-witness".into(),
            roles: vec![],
            ..zhifa_domain::auth::Actor::system()
        };
        let appended = st
            .store
            .append(NewEvent {
                stream: StreamId::witnessed_log(&cosigned.origin),
                expected: Expected::Version(version),
                agency_id: Uuid::nil(),
                actor: witness,
                events: vec![event],
                side_effects: vec![],
            })
            .await;
        if let Err(zhifa_store::StoreError::VersionConflict { .. }) = appended {
            // Someone advanced it meanwhile: the client retries from the size now held.
            let latest = st
                .store
                .witnessed_log(&cosigned.origin)
                .await?
                .map_or(0, |(l, _)| l.size);
            return Ok(Err(CosignRefusal::Witness(
                zhifa_ledger::WitnessError::Conflict {
                    old: req.old_size,
                    latest,
                },
            )));
        }
        appended?;
    }
    Ok(Ok(cosigned.response_body()))
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
