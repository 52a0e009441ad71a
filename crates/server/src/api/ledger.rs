//! The tamper-evident ledger (REC-6): signed checkpoints, proofs, and the tree as C2SP
//! tlog-tiles so an auditor needs no special client.

use crate::AppState;
use crate::api::ApiQuery;
use crate::auth::ApiUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/ledger", get(info))
        .route("/api/v1/ledger/proof/inclusion", get(inclusion))
        .route("/api/v1/ledger/proof/consistency", get(consistency))
        .route("/api/v1/ledger/package", get(package))
}

/// Public, unauthenticated and cacheable: what an outside auditor or witness fetches.
pub fn public_routes() -> Router<AppState> {
    Router::new()
        .route("/ledger/checkpoint", get(checkpoint))
        .route("/ledger/keys", get(keys))
        .route("/ledger/tile/{*path}", get(tile))
}

#[derive(Serialize, ToSchema)]
pub struct LedgerView {
    /// The log's origin line (C2SP tlog-checkpoint).
    pub origin: String,
    /// `sm3` or `sha256`.
    pub hash: String,
    /// Leaves (= recorded events).
    pub size: i64,
    /// The latest signed checkpoint (signed note text).
    pub checkpoint: Option<String>,
    /// Verifier keys in the signed-note form `name+keyid+base64`.
    pub verifier_keys: Vec<String>,
}

fn ledger_error(e: zhifa_store::StoreError) -> ApiError {
    match e {
        // The store's wording is for operators' logs; the caller reads Chinese (issue 9
        // finding 10). The requests' own mistakes are refused before this, naming the field.
        zhifa_store::StoreError::Ledger(m) => {
            tracing::warn!(detail = %m, "ledger refused a proof");
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "ledger",
                "无法为该请求生成证明，请检查序号与树大小",
                None,
            )
        }
        other => other.into(),
    }
}

/// State of the log (REC-6).
#[utoipa::path(get, path = "/api/v1/ledger", tag = "ledger", responses((status = 200, body = LedgerView)))]
pub async fn info(State(st): State<AppState>, ApiUser(_u): ApiUser) -> ApiResult<Json<LedgerView>> {
    // A read only reads: the checkpoint shown is the latest the background signer stored.
    let i = st.store.ledger_info().await?;
    Ok(Json(LedgerView {
        origin: i.origin,
        hash: i.hash,
        size: i.size,
        checkpoint: i.checkpoint,
        verifier_keys: i.verifier_keys,
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InclusionParams {
    /// Event sequence number (leaf index + 1).
    pub seq: i64,
    /// Tree size of the checkpoint to prove against (default: the latest).
    pub size: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ProofView {
    pub leaf_index: Option<u64>,
    pub tree_size: i64,
    /// Proof hashes, hex, in RFC 9162 order.
    pub hashes: Vec<String>,
    /// The signed checkpoint of exactly `tree_size` leaves, if one is kept (the latest always
    /// is; earlier ones are thinned). `null` otherwise: the proof is then checked against a
    /// root the caller already holds for that size, or asked again without `size`.
    pub checkpoint: Option<String>,
}

/// The latest signed checkpoint (stored by the background signer within milliseconds of each
/// commit; a read never signs or writes) and its size.
async fn latest_size(st: &AppState) -> ApiResult<(i64, Option<String>)> {
    let note = st.store.ledger_info().await?.checkpoint;
    Ok((size_of(note.as_deref())?, note))
}

/// The checkpoint a proof of `size` leaves comes with: one of that very size (issue 9 finding
/// 12: a proof for size 1 came with the latest checkpoint, which it cannot be checked against).
async fn checkpoint_for(
    st: &AppState,
    size: i64,
    latest: i64,
    latest_note: Option<String>,
) -> ApiResult<Option<String>> {
    if size == latest {
        return Ok(latest_note);
    }
    Ok(st.store.checkpoint_of_size(size).await?)
}

/// Size of a stored checkpoint note (0 for none).
fn size_of(note: Option<&str>) -> ApiResult<i64> {
    Ok(match note {
        Some(n) => {
            zhifa_ledger::Checkpoint::from_note(n)
                .map_err(|e| ApiError::internal(format!("stored checkpoint: {e}")))?
                .size as i64
        }
        None => 0,
    })
}

/// Inclusion proof of an event in a signed tree.
#[utoipa::path(get, path = "/api/v1/ledger/proof/inclusion", tag = "ledger", params(InclusionParams),
    responses((status = 200, body = ProofView), (status = 422, body = ErrorBody)))]
pub async fn inclusion(
    State(st): State<AppState>,
    ApiUser(_u): ApiUser,
    ApiQuery(p): ApiQuery<InclusionParams>,
) -> ApiResult<Json<ProofView>> {
    let (latest, note) = latest_size(&st).await?;
    let size = p.size.unwrap_or(latest);
    if p.seq < 1 || p.seq > size {
        return Err(ApiError::bad_request(
            "seq",
            format!("序号 {} 不在含 {size} 条记录的已签名树中", p.seq),
        ));
    }
    if size > latest {
        return Err(ApiError::bad_request(
            "size",
            format!("尚无覆盖 {size} 个叶子的签名检查点（最新为 {latest}）"),
        ));
    }
    let (index, proof) = st
        .store
        .inclusion_proof(p.seq, size)
        .await
        .map_err(ledger_error)?;
    Ok(Json(ProofView {
        leaf_index: Some(index),
        tree_size: size,
        hashes: proof.iter().map(|h| h.to_hex()).collect(),
        checkpoint: checkpoint_for(&st, size, latest, note).await?,
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsistencyParams {
    pub old: i64,
    /// Default: the latest signed size.
    pub new: Option<i64>,
}

/// Consistency proof between two tree sizes.
#[utoipa::path(get, path = "/api/v1/ledger/proof/consistency", tag = "ledger", params(ConsistencyParams),
    responses((status = 200, body = ProofView), (status = 422, body = ErrorBody)))]
pub async fn consistency(
    State(st): State<AppState>,
    ApiUser(_u): ApiUser,
    ApiQuery(p): ApiQuery<ConsistencyParams>,
) -> ApiResult<Json<ProofView>> {
    let (latest, note) = latest_size(&st).await?;
    let new = p.new.unwrap_or(latest);
    if p.old < 0 || p.old > new {
        return Err(ApiError::bad_request(
            "old",
            format!("old 应在 0 到 {new} 之间（不大于 new）"),
        ));
    }
    if new > latest {
        return Err(ApiError::bad_request(
            "new",
            format!("尚无覆盖 {new} 个叶子的签名检查点（最新为 {latest}）"),
        ));
    }
    let proof = st
        .store
        .consistency_proof(p.old, new)
        .await
        .map_err(ledger_error)?;
    Ok(Json(ProofView {
        leaf_index: None,
        tree_size: new,
        hashes: proof.iter().map(|h| h.to_hex()).collect(),
        checkpoint: checkpoint_for(&st, new, latest, note).await?,
    }))
}

fn text(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

/// The latest checkpoint as a C2SP signed note: the one the background signer stored (an
/// anonymous read never signs or writes). Before the first one is signed: 503, retry later.
pub async fn checkpoint(State(st): State<AppState>) -> ApiResult<Response> {
    match st.store.ledger_info().await?.checkpoint {
        Some(n) => Ok(([(header::CACHE_CONTROL, "no-cache")], text(n)).into_response()),
        None => Err(no_checkpoint_yet()),
    }
}

/// 503: the log has no signed checkpoint yet (the signer started by `serve` signs one within
/// milliseconds of the first commit).
pub(crate) fn no_checkpoint_yet() -> ApiError {
    let mut e = ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "no_checkpoint",
        "尚无已签名的检查点，请稍后再试",
        None,
    );
    e.body.rule = Some("REC-6".into());
    e
}

/// Verifier keys, one per line.
pub async fn keys(State(st): State<AppState>) -> ApiResult<Response> {
    Ok(text(
        st.store.ledger_info().await?.verifier_keys.join("\n") + "\n",
    ))
}

/// A tile of the tree (C2SP tlog-tiles path `tile/<L>/<N>[.p/<W>]`), within the latest
/// checkpoint only, so nothing unsigned is served. Full tiles never change: cache forever.
pub async fn tile(State(st): State<AppState>, Path(path): Path<String>) -> ApiResult<Response> {
    let id = zhifa_ledger::TileId::parse_path(&format!("tile/{path}"))
        .map_err(|e| ApiError::bad_request("path", e.0))?;
    // The latest checkpoint already signed: an anonymous read never signs or writes (the
    // signer task covers each commit within milliseconds).
    let size = size_of(st.store.ledger_info().await?.checkpoint.as_deref())?;
    if zhifa_ledger::tiles::tile_width(id.level, id.index, size as u64).is_none_or(|w| w < id.width)
    {
        return Err(ApiError::not_found("瓦片"));
    }
    let bytes = st
        .store
        .ledger_tile(id)
        .await?
        .ok_or_else(|| ApiError::not_found("瓦片"))?;
    let want = id.width as usize * 32;
    if bytes.len() < want {
        return Err(ApiError::not_found("瓦片"));
    }
    let cache = if id.is_full() {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream"),
            (header::CACHE_CONTROL, cache),
        ],
        bytes[..want].to_vec(),
    )
        .into_response())
}

// ───────────── witness (C2SP tlog-witness) ─────────────

pub fn witness_public_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/ledger/witness/add-checkpoint",
            axum::routing::post(add_checkpoint),
        )
        .route("/ledger/witness/key", get(witness_key))
}

pub fn witness_routes() -> Router<AppState> {
    Router::new().route(
        "/api/v1/ledger/witnessed-logs",
        get(list_witnessed).post(follow),
    )
}

fn witness_error(e: zhifa_ledger::WitnessError) -> Response {
    let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    // C2SP tlog-witness: a wrong old size is answered with the size the witness holds, so the
    // client can retry with a proof from there.
    let mut resp = if let zhifa_ledger::WitnessError::Conflict { latest, .. } = e {
        (
            status,
            [(header::CONTENT_TYPE, "text/x.tlog.size")],
            format!("{latest}\n"),
        )
            .into_response()
    } else {
        (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("{e}\n"),
        )
            .into_response()
    };
    resp.extensions_mut().insert(crate::ProtocolBody);
    resp
}

/// tlog-witness `add-checkpoint`: verifies the log's signature and the consistency proof from
/// the size last cosigned, records the new head as an event (optimistic concurrency on the
/// log's stream) and returns a cosignature. A fork or a rollback is refused (409); a stale old
/// size is answered `409 text/x.tlog.size` with the size held.
pub async fn add_checkpoint(State(st): State<AppState>, body: String) -> Response {
    let req = match zhifa_ledger::AddCheckpoint::parse(&body) {
        Ok(r) => r,
        Err(e) => return witness_error(e),
    };
    match crate::service::cosign_checkpoint(&st, &req).await {
        Ok(Ok(cosignature)) => text(cosignature),
        Ok(Err(crate::service::CosignRefusal::Witness(e))) => witness_error(e),
        Ok(Err(crate::service::CosignRefusal::Domain(e))) => {
            let mut resp = (
                StatusCode::CONFLICT,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                format!("{}: {}\n", e.code, e.message),
            )
                .into_response();
            resp.extensions_mut().insert(crate::ProtocolBody);
            resp
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// This instance's cosigning key (verifier form), for logs that want to check its cosignatures.
pub async fn witness_key(State(st): State<AppState>) -> ApiResult<Response> {
    let key = zhifa_ledger::Signer::from_private_text(&st.store.witness_key().await?)
        .map_err(ApiError::internal)?;
    Ok(text(key.verifier().to_text() + "\n"))
}

#[derive(Deserialize, ToSchema)]
pub struct FollowRequest {
    /// The lower-tier log's origin line.
    pub origin: String,
    /// `sm3` or `sha256`.
    pub hash: String,
    /// Its verifier keys (signed-note form).
    pub verifier_keys: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct WitnessedView {
    pub origin: String,
    pub hash: String,
    /// Size of the latest cosigned checkpoint (0: none yet).
    pub size: i64,
    pub root: String,
}

/// Logs this instance witnesses (an upper-level platform over lower ones).
#[utoipa::path(get, path = "/api/v1/ledger/witnessed-logs", tag = "ledger", responses((status = 200, body = [WitnessedView])))]
pub async fn list_witnessed(
    State(st): State<AppState>,
    ApiUser(_u): ApiUser,
) -> ApiResult<Json<Vec<WitnessedView>>> {
    Ok(Json(
        st.store
            .witnessed_logs()
            .await?
            .into_iter()
            .map(|l| WitnessedView {
                origin: l.origin,
                hash: l.hash,
                size: l.size,
                root: l.root,
            })
            .collect(),
    ))
}

/// Start witnessing a lower-tier log (system administrator).
#[utoipa::path(post, path = "/api/v1/ledger/witnessed-logs", tag = "ledger", request_body = FollowRequest,
    responses((status = 201, body = WitnessedView), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn follow(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    crate::api::ApiJson(r): crate::api::ApiJson<FollowRequest>,
) -> ApiResult<(StatusCode, Json<WitnessedView>)> {
    let l = crate::service::follow_log(&st, &u, &r.origin, &r.hash, &r.verifier_keys).await?;
    Ok((
        StatusCode::CREATED,
        Json(WitnessedView {
            origin: l.origin,
            hash: l.hash_alg,
            size: l.size as i64,
            root: l.root,
        }),
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PackageParams {
    /// One record by sequence number…
    pub seq: Option<i64>,
    /// …or every record of a stream (e.g. `evidence-<id>`).
    pub stream: Option<String>,
}

/// A self-verifying package (REC-5) of records with their inclusion proofs against the latest
/// signed checkpoint, and the content hashes of the evidence files they received. Check it
/// offline with `zhifa verify FILE` (put the files under `files/` beside it to check them too).
#[utoipa::path(get, path = "/api/v1/ledger/package", tag = "ledger", params(PackageParams),
    responses((status = 200, description = "manifest.json of a zhifa-package/1", content_type = "application/json"),
              (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn package(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiQuery(p): ApiQuery<PackageParams>,
) -> ApiResult<Response> {
    let pkg = crate::service::package(&st, &u, p.seq, p.stream.as_deref()).await?;
    package_response(&pkg)
}

/// A package as a downloadable `manifest.json`.
pub fn package_response(pkg: &zhifa_ledger::Package) -> ApiResult<Response> {
    let body = serde_json::to_string_pretty(pkg).map_err(ApiError::internal)? + "\n";
    Ok((
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"manifest.json\"",
            ),
        ],
        body,
    )
        .into_response())
}
