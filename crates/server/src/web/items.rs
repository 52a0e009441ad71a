//! The power list (REG-3 … REG-7): items with their versions, service guides, discretion
//! benchmarks and flowcharts.

use super::common::*;
use super::{Chrome, FormValues, pager, render};
use crate::AppState;
use crate::auth::{CurrentUser, WebUser};
use crate::error::{ApiError, ApiResult};
use crate::service;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use std::collections::HashMap;
use uuid::Uuid;
use zhifa_domain::auth::Permission;
use zhifa_domain::registry::*;
use zhifa_store::ItemFilter;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/items", get(items).post(item_create))
        .route("/items/{id}", get(item_detail))
        .route("/items/{id}/versions", post(item_revise))
}

struct ItemRow {
    id: Uuid,
    code: String,
    name: String,
    category: &'static str,
    agency: String,
    version: i64,
    effective_from: String,
}

#[derive(Template)]
#[template(path = "items/list.html")]
struct ItemsT {
    chrome: Chrome,
    q: String,
    category: String,
    as_of: String,
    agency_id: Option<String>,
    total: String,
    rows: Vec<ItemRow>,
    pager: String,
    can_create: bool,
    form: FormValues,
    agencies: Vec<(String, String)>,
    categories: Vec<(&'static str, &'static str)>,
    domains: &'static [&'static str],
}

fn categories() -> Vec<(&'static str, &'static str)> {
    Category::ALL
        .iter()
        .map(|c| (c.as_str(), c.label()))
        .collect()
}

async fn items_page(
    st: &AppState,
    u: &CurrentUser,
    p: &HashMap<String, String>,
    form: FormValues,
    chrome: Chrome,
) -> ApiResult<Response> {
    let page = page_of(p);
    let agency_id = Uuid::parse_str(param(p, "agency_id")).ok();
    let filter: ItemFilter = crate::api::item_filter(
        Some(param(p, "category")),
        agency_id,
        Some(param(p, "as_of")),
    )?;
    let list = st.store.item_rows(&u.scope, &filter, &page).await?;
    let can_create = u.can(Permission::CreateItem);
    let options = if can_create {
        agency_options(st, u).await?
    } else {
        vec![]
    };
    let names = agency_names(st, list.items.iter().map(|i| i.agency_id)).await?;
    let name_of = |id: Uuid| names.get(&id).cloned().unwrap_or_default();
    // The counter knows the items in force per agency: the total without other filters.
    let counted = if page.q.is_none() && filter.category.is_none() && filter.as_of.is_none() {
        Some(
            st.store
                .scoped_count(&u.scope, "items", agency_id, None)
                .await?,
        )
    } else {
        None
    };
    let total = super::count_label(counted, &page, list.items.len(), list.next.is_some(), "项");
    let t = ItemsT {
        chrome,
        q: param(p, "q").to_string(),
        category: filter.category.clone().unwrap_or_default(),
        as_of: filter.as_of.clone().unwrap_or_default(),
        agency_id: agency_id.map(|a| a.to_string()),
        total,
        rows: list
            .items
            .into_iter()
            .map(|i| ItemRow {
                id: i.item_id,
                agency: name_of(i.agency_id),
                category: i.category.label(),
                version: i.version,
                effective_from: format_date(i.effective_from),
                code: i.code,
                name: i.name,
            })
            .collect(),
        pager: pager(
            "/items",
            &[
                ("q", param(p, "q").to_string()),
                ("category", param(p, "category").to_string()),
                ("as_of", param(p, "as_of").to_string()),
                ("agency_id", param(p, "agency_id").to_string()),
            ],
            &page,
            list.next.as_deref(),
        ),
        can_create,
        form,
        agencies: options,
        categories: categories(),
        domains: &DOMAINS,
    };
    Ok(render(&t))
}

async fn items(State(st): State<AppState>, WebUser(u): WebUser, Query(p): Params) -> Response {
    let chrome = Chrome::for_user(&u, "/items");
    match items_page(&st, &u, &p, FormValues::default(), chrome).await {
        Ok(r) => r,
        Err(e) if e.status.is_client_error() && e.body.field.is_some() => {
            // A bad filter (e.g. an impossible date) is shown on the page, not as an error page.
            let chrome = Chrome::for_user(&u, "/items").with_error(&e);
            let mut clean = p.clone();
            clean.remove("as_of");
            clean.remove("category");
            refused(
                &u,
                e.status,
                items_page(&st, &u, &clean, FormValues::default(), chrome).await,
            )
        }
        Err(e) => error_page(Some(&u), e),
    }
}

fn item_draft(f: &FormValues) -> ItemDraft {
    ItemDraft {
        code: f.get("code").into(),
        name: f.get("name").into(),
        category: f.get("category").into(),
        domain: f.get("domain").into(),
        agency_id: Uuid::parse_str(f.get("agency_id")).unwrap_or_default(),
        legal_bases: f.lines("legal_bases"),
        procedure: f.lines("procedure"),
        time_limit: f.get("time_limit").into(),
        review_body: f.get("review_body").into(),
        litigation: f.get("litigation").into(),
        effective_from: f.get("effective_from").into(),
        change_kind: Some(f.get("change_kind").to_string()).filter(|s| !s.is_empty()),
        reason: f.get("reason").into(),
    }
}

async fn item_create(
    State(st): State<AppState>,
    WebUser(u): WebUser,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = FormValues(f);
    match service::create_item(&st, &u, &item_draft(&f))
        .await
        .map_err(ApiError::from)
    {
        Ok(v) => Redirect::to(&format!("/items/{}?saved=1", v.item_id)).into_response(),
        Err(e) => {
            let chrome = Chrome::for_user(&u, "/items").with_error(&e);
            refused(
                &u,
                e.status,
                items_page(&st, &u, &HashMap::new(), f, chrome).await,
            )
        }
    }
}

#[derive(Template)]
#[template(path = "items/detail.html")]
struct ItemT {
    chrome: Chrome,
    i: ItemVersion,
    agency: Agency,
    effective_from: String,
    svg: String,
    versions: Vec<(i64, String, &'static str, String, String)>,
    guide: Option<ServiceGuide>,
    benchmark: Vec<(&'static str, String, String, String)>,
    can_manage: bool,
    form: FormValues,
    agencies: Vec<(String, String)>,
    categories: Vec<(&'static str, &'static str)>,
    change_kinds: Vec<(&'static str, &'static str)>,
    domains: &'static [&'static str],
}

async fn item_page(
    st: &AppState,
    u: &CurrentUser,
    id: &str,
    form: Option<FormValues>,
    chrome: Chrome,
) -> ApiResult<Response> {
    let id = Uuid::parse_str(id).map_err(|_| ApiError::not_found("权力清单事项"))?;
    let (i, _) = service::item(st, u, id).await?;
    let (agency, _) = service::agency(st, u, i.agency_id).await?;
    let versions = st.store.item_versions(id).await?;
    let guide = st.store.guide(id).await?;
    let benchmark = st
        .store
        .benchmark(id)
        .await?
        .map(|b| {
            b.entries
                .into_iter()
                .map(|e| {
                    let range = if e.max_fine_fen == 0 {
                        "不予罚款".to_string()
                    } else {
                        format!("{} 至 {}", yuan(e.min_fine_fen), yuan(e.max_fine_fen))
                    };
                    (e.severity.label(), e.circumstance, range, e.other_measures)
                })
                .collect()
        })
        .unwrap_or_default();
    let can_manage = u.can(Permission::ReviseItem);
    // The revision form starts from the current version.
    let form = form.unwrap_or_else(|| {
        FormValues(vec![
            ("agency_id".into(), i.agency_id.to_string()),
            ("code".into(), i.code.clone()),
            ("name".into(), i.name.clone()),
            ("category".into(), i.category.as_str().into()),
            ("domain".into(), i.domain.clone()),
            (
                "legal_bases".into(),
                i.legal_bases
                    .iter()
                    .map(|b| b.to_string())
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            ("procedure".into(), i.procedure.join("\n")),
            ("time_limit".into(), i.time_limit.clone()),
            ("review_body".into(), i.review_body.clone()),
            ("litigation".into(), i.litigation.clone()),
        ])
    });
    Ok(render(&ItemT {
        chrome,
        effective_from: format_date(i.effective_from),
        svg: crate::flowchart::svg(&i.name, &i.procedure),
        versions: versions
            .iter()
            .rev()
            .map(|v| {
                (
                    v.version,
                    format_date(v.effective_from),
                    v.change_kind.label(),
                    v.reason.clone(),
                    v.name.clone(),
                )
            })
            .collect(),
        guide,
        benchmark,
        can_manage,
        form,
        agencies: if can_manage {
            agency_options(st, u).await?
        } else {
            vec![]
        },
        categories: categories(),
        change_kinds: ChangeKind::ALL
            .iter()
            .filter(|k| **k != ChangeKind::Created)
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        domains: &DOMAINS,
        i,
        agency,
    }))
}

async fn item_detail(
    State(st): State<AppState>,
    WebUser(u): WebUser,
    Path(id): Path<String>,
    Query(p): Params,
) -> Response {
    let mut chrome = Chrome::for_user(&u, "/items");
    chrome.notice = saved_notice(&p);
    item_page(&st, &u, &id, None, chrome)
        .await
        .unwrap_or_else(|e| error_page(Some(&u), e))
}

async fn item_revise(
    State(st): State<AppState>,
    WebUser(u): WebUser,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = FormValues(f);
    let r = match Uuid::parse_str(&id) {
        Ok(iid) => service::revise_item(&st, &u, iid, &item_draft(&f))
            .await
            .map_err(ApiError::from),
        Err(_) => Err(ApiError::not_found("权力清单事项")),
    };
    match r {
        Ok(v) => Redirect::to(&format!("/items/{}?saved=1", v.item_id)).into_response(),
        Err(e) => {
            let chrome = Chrome::for_user(&u, "/items").with_error(&e);
            refused(&u, e.status, item_page(&st, &u, &id, Some(f), chrome).await)
        }
    }
}
