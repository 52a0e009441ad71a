//! Evidence files (REC-3, REC-4): receipt with streaming hash, and scoped reads.

use super::{ServiceError, ServiceResult, agency};
use crate::AppState;
use crate::auth::CurrentUser;
use uuid::Uuid;
use zhifa_domain::event::Expected;
use zhifa_domain::evidence::{self as ev, Evidence, EvidenceDraft};
use zhifa_domain::{Event, NewEvent, StreamId};

/// REC-4: an officer hands in an evidence file. What is stated about it is checked before a
/// byte is stored; the bytes are streamed to the object store and hashed on the way; the
/// record with the hash is appended (the hash thereby enters the ledger).
pub async fn receive_evidence<S, E>(
    st: &AppState,
    u: &CurrentUser,
    draft: EvidenceDraft,
    body: S,
) -> ServiceResult<(Evidence, i64)>
where
    S: futures_util::Stream<Item = Result<bytes::Bytes, E>>,
    E: std::fmt::Display,
{
    let now = time::OffsetDateTime::now_utc();
    let draft = ev::check_evidence_draft(&u.actor, draft, now)?;
    let (ag, _) = agency(st, u, u.actor.agency_id).await?;
    let alg = st.store.ledger_alg();
    let content = st
        .evidence
        .put_stream(alg, body, st.settings.max_evidence_bytes)
        .await?;
    let file = ev::StoredFile {
        hash_alg: content.alg.name().to_string(),
        hash: content.hash.to_hex(),
        size: content.size,
    };
    // The time of receipt is when the last byte arrived, not when the request started.
    let received = time::OffsetDateTime::now_utc();
    let e = ev::decide_receive_evidence(&u.actor, &ag, draft, file, Uuid::now_v7(), received)?;
    let recs = st
        .store
        .append(NewEvent {
            stream: StreamId::evidence(e.id),
            expected: Expected::NoStream,
            agency_id: ag.id,
            actor: u.actor.clone(),
            events: vec![Event::EvidenceReceived((&e).into())],
            side_effects: vec![],
        })
        .await?;
    Ok((e, recs[0].seq))
}

/// One evidence record within the caller's scope, with the sequence number of its event.
pub async fn evidence(st: &AppState, u: &CurrentUser, id: Uuid) -> ServiceResult<(Evidence, i64)> {
    let (e, _) = st
        .store
        .evidence(id)
        .await?
        .ok_or(ServiceError::NotFound("证据材料"))?;
    agency(st, u, e.agency_id)
        .await
        .map_err(|_| ServiceError::NotFound("证据材料"))?;
    let seq = st
        .store
        .events_of_stream(&StreamId::evidence(e.id).0)
        .await?
        .first()
        .map(|r| r.seq)
        .ok_or_else(|| ServiceError::internal("evidence record without its event"))?;
    Ok((e, seq))
}

/// The content hash of a stored evidence record, as the object store keys it.
pub fn content_of(e: &Evidence) -> ServiceResult<zhifa_ledger::ContentHash> {
    zhifa_ledger::ContentHash::from_parts(&e.hash_alg, &e.hash, e.size)
        .ok_or_else(|| ServiceError::internal("stored evidence hash does not parse"))
}
