//! The tamper-evident record (REC-6): the log and its witnesses, and the proof page of any
//! single record, linked from every record history.

use super::common::*;
use super::{Chrome, cst, render};
use crate::AppState;
use crate::auth::WebUser;
use crate::error::{ApiError, ApiResult};
use crate::service;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ledger", get(ledger_page))
        .route("/ledger/events/{seq}", get(record_proof))
        .route("/ledger/events/{seq}/package", get(record_package))
}

#[derive(Template)]
#[template(path = "ledger/index.html")]
struct LedgerT {
    chrome: Chrome,
    origin: String,
    hash: String,
    size: i64,
    checkpoint: Option<String>,
    keys: Vec<String>,
    /// Witnesses this log pushes to: (url, cosigned size, cosignature, last attempt, error).
    pushes: Vec<(String, i64, String, String, String)>,
    /// Logs this instance witnesses: (origin, hash, size, root).
    witnessed: Vec<(String, String, i64, String)>,
    recent: Vec<EventRow>,
}

async fn ledger_page(State(st): State<AppState>, WebUser(u): WebUser) -> Response {
    let r: ApiResult<Response> = async {
        // A page view only reads: the latest checkpoint the background signer stored.
        let i = st.store.ledger_info().await?;
        let mut pushes: Vec<(String, i64, String, String, String)> = st
            .store
            .witness_pushes()
            .await?
            .into_iter()
            .map(|p| {
                (
                    p.witness,
                    p.size,
                    p.cosignature,
                    cst(p.pushed_at),
                    p.last_error,
                )
            })
            .collect();
        // Configured witnesses not yet tried still show, so a silent one is noticed.
        for w in &st.settings.witnesses {
            if !pushes.iter().any(|p| &p.0 == w) {
                pushes.push((
                    w.clone(),
                    0,
                    String::new(),
                    "尚未推送".into(),
                    String::new(),
                ));
            }
        }
        Ok(render(&LedgerT {
            chrome: Chrome::for_user(&u, "/ledger"),
            origin: i.origin,
            hash: i.hash,
            size: i.size,
            checkpoint: i.checkpoint,
            keys: i.verifier_keys,
            pushes,
            witnessed: st
                .store
                .witnessed_logs()
                .await?
                .into_iter()
                .map(|l| (l.origin, l.hash, l.size, l.root))
                .collect(),
            recent: event_rows(service::recent_records(&st, &u, 10).await?),
        }))
    }
    .await;
    r.unwrap_or_else(|e| error_page(Some(&u), e))
}

/// A record's sequence number from the path (anything else is "not found", like a stranger's).
fn seq_of(s: &str) -> ApiResult<i64> {
    s.parse().map_err(|_| ApiError::not_found("记录"))
}

/// What the proof panel shows.
pub(super) struct ProofView {
    pub seq: i64,
    pub index: u64,
    pub leaf_hash: String,
    pub tree_size: u64,
    pub root: String,
    pub hashes: Vec<String>,
    pub checkpoint: String,
    pub verified: bool,
    pub problem: String,
}

impl ProofView {
    pub(super) fn of(p: &service::EventProof) -> ProofView {
        ProofView {
            seq: p.record.seq,
            index: p.index,
            leaf_hash: p.leaf_hash.to_hex(),
            tree_size: p.tree_size,
            root: p.root.to_hex(),
            hashes: p.proof.iter().map(|h| h.to_hex()).collect(),
            checkpoint: p.checkpoint.clone(),
            verified: p.verified.is_ok(),
            problem: p.verified.clone().err().unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "ledger/record_proof.html")]
struct RecordT {
    chrome: Chrome,
    label: String,
    time: String,
    actor: String,
    stream: String,
    version: i64,
    leaf: String,
    proof: ProofView,
}

async fn record_proof(
    State(st): State<AppState>,
    WebUser(u): WebUser,
    Path(seq): Path<String>,
) -> Response {
    let r: ApiResult<Response> = async {
        let seq = seq_of(&seq)?;
        let p = service::event_proof(&st, &u, seq).await?;
        let label = zhifa_domain::event::decode_stored(&p.record.payload)
            .map(|ev| ev.label().to_string())
            .unwrap_or_else(|_| p.record.kind.clone());
        Ok(render(&RecordT {
            chrome: Chrome::for_user(&u, "/ledger"),
            label,
            time: cst(p.record.recorded_at),
            actor: p.record.actor_name.clone(),
            stream: p.record.stream.clone(),
            version: p.record.version,
            leaf: p.leaf.clone(),
            proof: ProofView::of(&p),
        }))
    }
    .await;
    or_error_page(&u, r)
}

async fn record_package(
    State(st): State<AppState>,
    WebUser(u): WebUser,
    Path(seq): Path<String>,
) -> Response {
    let r: ApiResult<Response> = async {
        let seq = seq_of(&seq)?;
        let pkg = service::package(&st, &u, Some(seq), None).await?;
        crate::api::package_response(&pkg)
    }
    .await;
    or_error_page(&u, r)
}
