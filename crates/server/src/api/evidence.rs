//! Evidence files (REC-3, REC-4): upload streamed to the object store and hashed on arrival,
//! listing, metadata with the ledger position of the record, and download.

use crate::AppState;
use crate::api::ApiQuery;
use crate::auth::ApiUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::service;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhifa_domain::DomainError;
use zhifa_domain::evidence::{Evidence, EvidenceDraft, EvidenceKind};
use zhifa_store::EvidenceFilter;

use super::Paged;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/evidence",
            get(list_evidence)
                .post(upload_evidence)
                // The upload streams; its own limit (Settings::max_evidence_bytes) applies.
                .layer(DefaultBodyLimit::disable()),
        )
        .route("/api/v1/evidence/{id}", get(get_evidence))
        .route("/api/v1/evidence/{id}/content", get(evidence_content))
}

/// An evidence record with where it stands in the ledger.
#[derive(Serialize, ToSchema)]
pub struct EvidenceView {
    #[serde(flatten)]
    pub evidence: Evidence,
    /// Chinese name of the kind.
    pub kind_label: String,
    /// Sequence number of the `EvidenceReceived` event (leaf index + 1); its inclusion proof is
    /// at `/api/v1/ledger/proof/inclusion?seq=…`.
    pub seq: i64,
}

pub fn evidence_view(e: Evidence, seq: i64) -> EvidenceView {
    EvidenceView {
        kind_label: e.kind.label().to_string(),
        evidence: e,
        seq,
    }
}

/// Parses a recording time: RFC 3339 with an offset, or a local China Standard Time
/// `YYYY-MM-DDTHH:MM[:SS]` as an HTML `datetime-local` input sends it.
pub fn parse_recorded_at(s: &str) -> Result<Option<time::OffsetDateTime>, DomainError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if let Ok(t) = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339) {
        return Ok(Some(t));
    }
    let local = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let local_s =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    time::PrimitiveDateTime::parse(s, &local)
        .or_else(|_| time::PrimitiveDateTime::parse(s, &local_s))
        .map(|t| Some(t.assume_offset(time::macros::offset!(+8))))
        .map_err(|_| {
            DomainError::invalid(
                "recorded_at",
                "bad_time",
                "录制时间格式应为 2026-11-26T09:30（北京时间）或带时区的 RFC 3339 时间",
            )
        })
}

/// What the uploader states about a file (from query parameters or form fields). The media
/// type is the domain's one rule (REC-4, `media_type_of`) over the declared type (the API's
/// `Content-Type`, the form part's type) and the file name, so the API and the console agree.
pub fn evidence_draft(
    kind: &str,
    file_name: &str,
    declared_media_type: Option<&str>,
    recorded_at: &str,
    description: &str,
) -> Result<EvidenceDraft, DomainError> {
    let kind = EvidenceKind::parse_input(kind)?;
    let media_type = zhifa_domain::evidence::media_type_of(kind, declared_media_type, file_name)?;
    Ok(EvidenceDraft {
        kind,
        file_name: file_name.to_string(),
        media_type,
        recorded_at: parse_recorded_at(recorded_at)?,
        description: description.to_string(),
    })
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the parameters; the handler reads them by name to name bad ones
pub struct UploadParams {
    /// `audio`, `video`, `photo`, `document` or `other`.
    pub kind: String,
    /// The file's name as the officer knows it.
    pub file_name: String,
    /// Recording time (required for audio/video; RFC 3339, or `YYYY-MM-DDTHH:MM` in Beijing time).
    pub recorded_at: Option<String>,
    pub description: Option<String>,
}

/// Hand in an evidence file (REC-4). The body is the file itself, streamed; its media type is
/// the request's `Content-Type`. The file is hashed on arrival with the ledger's hash and the
/// record carrying that hash is appended to the ledger. Audio/video received more than 24 hours
/// after recording is accepted and flagged `late`.
#[utoipa::path(post, path = "/api/v1/evidence", tag = "evidence", params(UploadParams),
    request_body(content = Vec<u8>, content_type = "*/*", description = "the file, with its own media type as Content-Type"),
    responses((status = 201, body = EvidenceView), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upload_evidence(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiQuery(p): ApiQuery<HashMap<String, String>>,
    req: Request,
) -> ApiResult<Response> {
    let get = |k: &str| p.get(k).map(String::as_str).unwrap_or("");
    let media_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let mut body = req.into_body().into_data_stream();
    let draft = match evidence_draft(
        get("kind"),
        get("file_name"),
        media_type.as_deref(),
        get("recorded_at"),
        get("description"),
    ) {
        Ok(d) => d,
        Err(e) => {
            crate::auth::drain(body).await;
            return Err(e.into());
        }
    };
    match service::receive_evidence(&st, &u, draft, body.by_ref()).await {
        Ok((e, seq)) => Ok((StatusCode::CREATED, Json(evidence_view(e, seq))).into_response()),
        Err(e) => {
            let e = ApiError::from(e);
            // Refused before or while storing: let the client finish sending, then answer.
            crate::auth::drain(body).await;
            Err(e)
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EvidenceParams {
    pub agency_id: Option<Uuid>,
    /// `audio`, `video`, `photo`, `document` or `other`.
    pub kind: Option<String>,
    /// Only audio/video handed in more than 24 hours after recording (REC-4).
    pub late: Option<bool>,
    pub q: Option<String>,
    /// Page size, 1–100 (default 50).
    pub per_page: Option<i64>,
    /// Deprecated alias of `per_page`.
    pub limit: Option<i64>,
    /// Cursor: the `next` of the previous page (absent for the first page).
    pub after: Option<String>,
}

pub fn evidence_filter(
    agency_id: Option<Uuid>,
    kind: Option<&str>,
    late: bool,
) -> Result<EvidenceFilter, DomainError> {
    let kind = match kind.map(str::trim).filter(|k| !k.is_empty()) {
        None => None,
        Some(k) => Some(EvidenceKind::parse_input(k)?.as_str().to_string()),
    };
    Ok(EvidenceFilter {
        agency_id,
        kind,
        late_only: late,
    })
}

/// Evidence files in the caller's scope, newest first.
#[utoipa::path(get, path = "/api/v1/evidence", tag = "evidence", params(EvidenceParams),
    responses((status = 200, body = Paged<Evidence>), (status = 422, body = ErrorBody)))]
pub async fn list_evidence(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiQuery(p): ApiQuery<EvidenceParams>,
) -> ApiResult<Json<Paged<Evidence>>> {
    let f = evidence_filter(p.agency_id, p.kind.as_deref(), p.late.unwrap_or(false))?;
    let page = super::page_of(p.q, p.per_page.or(p.limit), p.after);
    Ok(super::paged(
        st.store.evidence_list(&u.scope, &f, &page).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/evidence/{id}", tag = "evidence", params(("id" = Uuid, Path)),
    responses((status = 200, body = EvidenceView), (status = 404, body = ErrorBody)))]
pub async fn get_evidence(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<EvidenceView>> {
    let (e, seq) = service::evidence(&st, &u, id).await?;
    Ok(Json(evidence_view(e, seq)))
}

/// The file itself, streamed (the read is in the access log like every other).
#[utoipa::path(get, path = "/api/v1/evidence/{id}/content", tag = "evidence", params(("id" = Uuid, Path)),
    responses((status = 200, description = "the file, served with the media type it was handed in with", content_type = "*/*"),
              (status = 404, body = ErrorBody)))]
pub async fn evidence_content(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    let (e, _) = service::evidence(&st, &u, id).await?;
    download(&st, &e).await
}

/// Streams an evidence file with its recorded media type and name.
pub async fn download(st: &AppState, e: &Evidence) -> ApiResult<Response> {
    let content = service::content_of(e)?;
    let Some(stream) = st
        .evidence
        .open(&content)
        .await
        .map_err(ApiError::internal)?
    else {
        return Err(ApiError::new(
            StatusCode::GONE,
            "file_missing",
            "证据文件已不在存储中，请联系系统管理员用 zhifa verify 核查",
            None,
        ));
    };
    let encoded: String = e
        .file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, e.media_type.clone()),
            (header::CONTENT_LENGTH, e.size.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename*=UTF-8''{encoded}"),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        Body::from_stream(stream.map(|c| c.map_err(std::io::Error::other))),
    )
        .into_response())
}
