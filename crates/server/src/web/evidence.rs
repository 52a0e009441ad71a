//! Console pages for evidence files (REC-3, REC-4) and for the proof of any single record
//! (REC-6): the list with its upload form, one file with its ledger proof, and the proof page
//! every record's history links to.

use super::common::*;
use super::ledger::ProofView;
use super::{Chrome, cst, pager, render};
use crate::AppState;
use crate::auth::{CurrentUser, WebUser};
use crate::error::{ApiError, ApiResult};
use crate::service;
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use std::collections::HashMap;
use uuid::Uuid;
use zhifa_domain::DomainError;
use zhifa_domain::auth::Permission;
use zhifa_domain::evidence::{Evidence, EvidenceKind};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/evidence",
            get(list).post(upload).layer(DefaultBodyLimit::disable()),
        )
        .route("/evidence/{id}", get(detail))
        .route("/evidence/{id}/file", get(file))
}

/// Sizes for people: 1.5 MiB rather than 1572864.
pub fn human_size(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} 字节");
    }
    let mut v = n as f64;
    let mut unit = "";
    for u in UNITS {
        v /= 1024.0;
        unit = u;
        if v < 1024.0 {
            break;
        }
    }
    format!("{v:.1} {unit}")
}

fn when(t: time::OffsetDateTime) -> String {
    cst((t.unix_timestamp_nanos() / 1000) as i64)
}

struct Row {
    id: Uuid,
    received: String,
    kind: &'static str,
    file_name: String,
    size: String,
    recorded: String,
    by: String,
    late: bool,
    hash_short: String,
}

fn row(e: &Evidence) -> Row {
    Row {
        id: e.id,
        received: when(e.received_at),
        kind: e.kind.label(),
        file_name: e.file_name.clone(),
        size: human_size(e.size),
        recorded: e.recorded_at.map(when).unwrap_or_else(|| "—".into()),
        by: e.received_by.clone(),
        late: e.late,
        hash_short: e.hash.chars().take(16).collect(),
    }
}

#[derive(Template)]
#[template(path = "evidence/list.html")]
struct ListT {
    chrome: Chrome,
    rows: Vec<Row>,
    total: String,
    pager: String,
    kinds: Vec<(&'static str, &'static str)>,
    kind: String,
    late: bool,
    q: String,
    can_upload: bool,
    max_mib: u64,
    /// The refused form's values, shown again (a browser never refills a file input).
    f_kind: String,
    f_recorded_at: String,
    f_description: String,
}

async fn list_page(
    st: &AppState,
    u: &CurrentUser,
    p: &HashMap<String, String>,
    chrome: Chrome,
    refill: &HashMap<String, String>,
) -> ApiResult<Response> {
    let keep = |k: &str| refill.get(k).cloned().unwrap_or_default();
    let kind = param(p, "kind").to_string();
    let late = param(p, "late") == "1";
    let q = param(p, "q").to_string();
    let filter = crate::api::evidence_filter(None, Some(&kind), late)?;
    let page = page_of(p);
    let list = st.store.evidence_list(&u.scope, &filter, &page).await?;
    Ok(render(&ListT {
        chrome,
        rows: list.items.iter().map(row).collect(),
        total: super::count_label(None, &page, list.items.len(), list.next.is_some(), "份"),
        pager: pager(
            "/evidence",
            &[
                ("kind", kind.clone()),
                ("late", if late { "1".into() } else { String::new() }),
                ("q", q.clone()),
            ],
            &page,
            list.next.as_deref(),
        ),
        kinds: EvidenceKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        kind,
        late,
        q,
        can_upload: u.can(Permission::UploadEvidence),
        max_mib: st.settings.max_evidence_bytes / (1024 * 1024),
        f_kind: keep("kind"),
        f_recorded_at: keep("recorded_at"),
        f_description: keep("description"),
    }))
}

async fn list(State(st): State<AppState>, WebUser(u): WebUser, Query(p): Params) -> Response {
    let chrome = Chrome::for_user(&u, "/evidence");
    list_page(&st, &u, &p, chrome, &HashMap::new())
        .await
        .unwrap_or_else(|e| error_page(Some(&u), e))
}

/// The upload form posts `multipart/form-data` with `_csrf` first (checked by the auth layer),
/// then the stated fields, then the file, which is streamed to the object store.
async fn upload(State(st): State<AppState>, WebUser(u): WebUser, mut mp: Multipart) -> Response {
    let mut fields = HashMap::new();
    let r = receive(&st, &u, &mut mp, &mut fields).await;
    if r.is_err() {
        // Let the browser finish sending before it is answered (else it shows a reset), up to
        // the same bound as any refused body.
        let mut drained = 0usize;
        'fields: while let Ok(Some(mut field)) = mp.next_field().await {
            while let Ok(Some(chunk)) = field.chunk().await {
                drained += chunk.len();
                if drained >= crate::auth::DRAIN_LIMIT {
                    break 'fields;
                }
            }
        }
    }
    match r {
        Ok(e) => Redirect::to(&format!("/evidence/{}?saved=1", e.id)).into_response(),
        Err(e) => {
            let chrome = Chrome::for_user(&u, "/evidence").with_error(&e);
            refused(
                &u,
                e.status,
                list_page(&st, &u, &HashMap::new(), chrome, &fields).await,
            )
        }
    }
}

async fn receive(
    st: &AppState,
    u: &CurrentUser,
    mp: &mut Multipart,
    fields: &mut HashMap<String, String>,
) -> ApiResult<Evidence> {
    let bad_form = |m: String| ApiError::bad_request("file", m);
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|e| bad_form(format!("上传内容无法解析：{e}")))?
    {
        let name = field.name().unwrap_or("").to_string();
        if name != "file" {
            let text = field
                .text()
                .await
                .map_err(|e| bad_form(format!("上传内容无法解析：{e}")))?;
            fields.insert(name, text);
            continue;
        }
        let file_name = field.file_name().unwrap_or("").to_string();
        if file_name.is_empty() {
            return Err(DomainError::invalid("file", "required", "请选择要上传的文件").into());
        }
        let get = |k: &str| fields.get(k).map(String::as_str).unwrap_or("");
        // Browsers often send `application/octet-stream` for recordings: the domain's one
        // media-type rule (REC-4) then reads the extension, exactly as for the API.
        let draft = crate::api::evidence_draft(
            get("kind"),
            &file_name,
            field.content_type(),
            get("recorded_at"),
            get("description"),
        )?;
        let (e, _) = service::receive_evidence(st, u, draft, field).await?;
        return Ok(e);
    }
    Err(DomainError::invalid("file", "required", "请选择要上传的文件").into())
}

#[derive(Template)]
#[template(path = "evidence/detail.html")]
struct DetailT {
    chrome: Chrome,
    e: Row,
    media_type: String,
    hash: String,
    hash_alg: String,
    bytes: u64,
    description: String,
    proof: ProofView,
}

async fn detail(
    State(st): State<AppState>,
    WebUser(u): WebUser,
    Path(id): Path<String>,
    Query(p): Params,
) -> Response {
    let r: ApiResult<Response> = async {
        let id = Uuid::parse_str(&id).map_err(|_| ApiError::not_found("证据材料"))?;
        let (e, seq) = service::evidence(&st, &u, id).await?;
        let proof = service::event_proof(&st, &u, seq).await?;
        let mut chrome = Chrome::for_user(&u, "/evidence");
        if p.contains_key("saved") {
            chrome.notice = Some(format!(
                "已接收并记入防篡改日志（第 {seq} 条记录）{}",
                if e.late {
                    "；录制后超过 24 小时才上传，已标记为逾期上传（REC-4）"
                } else {
                    ""
                }
            ));
        }
        Ok(render(&DetailT {
            chrome,
            media_type: e.media_type.clone(),
            hash: e.hash.clone(),
            hash_alg: e.hash_alg.to_uppercase(),
            bytes: e.size,
            description: e.description.clone(),
            e: row(&e),
            proof: ProofView::of(&proof),
        }))
    }
    .await;
    or_error_page(&u, r)
}

async fn file(State(st): State<AppState>, WebUser(u): WebUser, Path(id): Path<String>) -> Response {
    let r: ApiResult<Response> = async {
        let id = Uuid::parse_str(&id).map_err(|_| ApiError::not_found("证据材料"))?;
        let (e, _) = service::evidence(&st, &u, id).await?;
        crate::api::evidence_download(&st, &e).await
    }
    .await;
    or_error_page(&u, r)
}
