//! Enforcement agencies (REG-1): the list with its registration form, one agency with its
//! duties, and the annual report form on it (PUB-9).

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
use zhifa_store::Page;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/agencies", get(agencies).post(agency_create))
        .route("/agencies/{id}", get(agency_detail))
        .route("/agencies/{id}/annual-reports", post(annual_report))
}

struct AgencyRow {
    id: Uuid,
    name: String,
    level: &'static str,
    kind: &'static str,
    domain: String,
    credit_code: String,
    division: String,
}

#[derive(Template)]
#[template(path = "agencies/list.html")]
struct AgenciesT {
    chrome: Chrome,
    q: String,
    total: String,
    rows: Vec<AgencyRow>,
    pager: String,
    can_create: bool,
    form: FormValues,
    kinds: Vec<(&'static str, &'static str)>,
    levels: Vec<(&'static str, &'static str)>,
    parents: Vec<(String, String)>,
    domains: &'static [&'static str],
}

async fn agencies_page(
    st: &AppState,
    u: &CurrentUser,
    p: &HashMap<String, String>,
    form: FormValues,
    chrome: Chrome,
) -> ApiResult<Response> {
    let page = page_of(p);
    let list = st.store.agencies(&u.scope, &page).await?;
    let counted = match page.q {
        None => Some(st.store.agency_count(&u.scope).await?),
        Some(_) => None,
    };
    let total = super::count_label(counted, &page, list.items.len(), list.next.is_some(), "个");
    let can_create = u.can(Permission::RegisterAgency);
    let t = AgenciesT {
        chrome,
        q: param(p, "q").to_string(),
        total,
        rows: list
            .items
            .into_iter()
            .map(|a| AgencyRow {
                id: a.id,
                division: division_label(&a.division_code),
                name: a.name,
                level: a.level.label(),
                kind: a.kind.label(),
                domain: a.domain,
                credit_code: a.credit_code,
            })
            .collect(),
        pager: pager(
            "/agencies",
            &[("q", param(p, "q").to_string())],
            &page,
            list.next.as_deref(),
        ),
        can_create,
        form,
        kinds: AgencyKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        levels: Level::ALL.iter().map(|k| (k.as_str(), k.label())).collect(),
        parents: if can_create {
            agency_options(st, u).await?
        } else {
            vec![]
        },
        domains: &DOMAINS,
    };
    Ok(render(&t))
}

async fn agencies(State(st): State<AppState>, WebUser(u): WebUser, Query(p): Params) -> Response {
    let chrome = Chrome::for_user(&u, "/agencies");
    agencies_page(&st, &u, &p, FormValues::default(), chrome)
        .await
        .unwrap_or_else(|e| error_page(Some(&u), e))
}

async fn agency_create(
    State(st): State<AppState>,
    WebUser(u): WebUser,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = FormValues(f);
    let draft = AgencyDraft {
        name: f.get("name").into(),
        credit_code: f.get("credit_code").into(),
        credit_code_override_reason: None,
        kind: f.get("kind").into(),
        level: f.get("level").into(),
        division_code: f.get("division_code").into(),
        parent_id: Uuid::parse_str(f.get("parent_id")).ok(),
        domain: f.get("domain").into(),
        legal_basis: f.get("legal_basis").into(),
    };
    match service::register_agency(&st, &u, &draft)
        .await
        .map_err(ApiError::from)
    {
        Ok(a) => Redirect::to(&format!("/agencies/{}?saved=1", a.id)).into_response(),
        Err(e) => {
            let chrome = Chrome::for_user(&u, "/agencies").with_error(&e);
            refused(
                &u,
                e.status,
                agencies_page(&st, &u, &HashMap::new(), f, chrome).await,
            )
        }
    }
}

#[derive(Template)]
#[template(path = "agencies/detail.html")]
struct AgencyT {
    chrome: Chrome,
    a: Agency,
    division: String,
    parent: Option<Agency>,
    children: Vec<Agency>,
    officer_total: i64,
    reports: Vec<zhifa_domain::deadline::AnnualReport>,
    duties: Vec<(String, String, &'static str, &'static str)>,
    can_report: bool,
    last_year: i32,
}

async fn agency_page(
    st: &AppState,
    u: &CurrentUser,
    id: &str,
    chrome: Chrome,
) -> ApiResult<Response> {
    let id = Uuid::parse_str(id).map_err(|_| ApiError::not_found("执法主体"))?;
    let (a, _) = service::agency(st, u, id).await?;
    let parent = match a.parent_id {
        Some(pid) => service::agency(st, u, pid).await.ok().map(|(p, _)| p),
        None => None,
    };
    let children = st.store.agency_children(a.id).await?;
    let officer_total = st
        .store
        .scoped_count(&u.scope, "officers", Some(a.id), None)
        .await?;
    let reports = st.store.annual_reports(a.id).await?;
    let duties = st
        .store
        .deadlines(
            &u.scope,
            &zhifa_store::DeadlineFilter {
                agency_id: Some(a.id),
                ..Default::default()
            },
            &Page::first(20),
        )
        .await?
        .items
        .into_iter()
        .map(|d| {
            (
                d.title.clone(),
                d.due.date.map(format_date).unwrap_or_default(),
                d.status.label(),
                d.status.as_str(),
            )
        })
        .collect();
    let today = service::today_cst();
    Ok(render(&AgencyT {
        chrome,
        division: division_label(&a.division_code),
        can_report: u.can(Permission::PublishAnnualReport)
            && zhifa_domain::deadline::owes_annual_statistics(&a),
        a,
        parent,
        children,
        officer_total,
        reports,
        duties,
        last_year: today.year() - 1,
    }))
}

async fn agency_detail(
    State(st): State<AppState>,
    WebUser(u): WebUser,
    Path(id): Path<String>,
    Query(p): Params,
) -> Response {
    let mut chrome = Chrome::for_user(&u, "/agencies");
    chrome.notice = saved_notice(&p);
    agency_page(&st, &u, &id, chrome)
        .await
        .unwrap_or_else(|e| error_page(Some(&u), e))
}

async fn annual_report(
    State(st): State<AppState>,
    WebUser(u): WebUser,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = FormValues(f);
    let r = match (Uuid::parse_str(&id), f.get("year").parse::<i32>()) {
        (Ok(aid), Ok(year)) => {
            service::publish_annual_report(&st, &u, aid, year, f.get("title"), f.get("url"))
                .await
                .map(|_| ())
                .map_err(ApiError::from)
        }
        (Err(_), _) => Err(ApiError::not_found("执法主体")),
        (_, Err(_)) => {
            Err(zhifa_domain::DomainError::invalid("year", "bad_year", "年度应为四位数字").into())
        }
    };
    match r {
        Ok(()) => Redirect::to(&format!("/agencies/{id}?saved=1")).into_response(),
        Err(e) => {
            let chrome = Chrome::for_user(&u, "/agencies").with_error(&e);
            refused(&u, e.status, agency_page(&st, &u, &id, chrome).await)
        }
    }
}
