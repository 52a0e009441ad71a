use super::{Chrome, FormValues, cst, pager, render};
use crate::AppState;
use crate::auth::{self, CurrentUser, WebUser, session_cookie};
use crate::error::{ApiError, ApiResult};
use crate::service;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use std::collections::HashMap;
use uuid::Uuid;
use zhifa_domain::auth::Role;
use zhifa_domain::registry::*;
use zhifa_store::{ItemFilter, OfficerFilter, Page};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
        .route("/", get(home))
        .route("/agencies", get(agencies).post(agency_create))
        .route("/agencies/{id}", get(agency_detail))
        .route("/officers", get(officers).post(officer_create))
        .route("/officers/{id}", get(officer_detail))
        .route("/officers/{id}/status", post(officer_status))
        .route("/officers/{id}/trainings", post(officer_training))
        .route("/items", get(items).post(item_create))
        .route("/items/{id}", get(item_detail))
        .route("/items/{id}/versions", post(item_revise))
        .route("/inspection", get(inspection).post(inspection_create))
        .route("/users", get(users).post(user_create))
        .route("/users/{id}/active", post(user_active))
        .route("/tokens", post(token_create))
        .route("/audit", get(audit))
        .route("/deadlines", get(deadlines))
        .route("/ledger", get(ledger_page))
        .route("/calendar", get(calendar))
        .route("/calendar/notices", post(calendar_import))
        .route("/agencies/{id}/annual-reports", post(annual_report))
}

pub(super) type Params = Query<HashMap<String, String>>;

pub(super) fn param<'a>(p: &'a HashMap<String, String>, k: &str) -> &'a str {
    p.get(k).map(|s| s.trim()).unwrap_or("")
}

pub(super) fn offset(p: &HashMap<String, String>) -> i64 {
    param(p, "offset").parse().unwrap_or(0).max(0)
}

pub(super) const PAGE: i64 = 50;

pub(super) fn page_of(p: &HashMap<String, String>) -> Page {
    Page {
        q: Some(param(p, "q").to_string()).filter(|q| !q.is_empty()),
        limit: PAGE,
        offset: offset(p),
    }
}

/// After a refused form: the same page again, showing the refusal, with its status.
pub(super) fn refused(
    u: &CurrentUser,
    status: axum::http::StatusCode,
    page: ApiResult<Response>,
) -> Response {
    match page {
        Ok(r) => (status, r).into_response(),
        Err(e) => error_page(Some(u), e),
    }
}

pub(super) fn error_page(u: Option<&CurrentUser>, e: ApiError) -> Response {
    #[derive(Template)]
    #[template(path = "error.html")]
    struct T {
        chrome: Chrome,
        title: String,
        message: String,
    }
    let status = e.status;
    let chrome = u
        .map(|u| Chrome::for_user(u, ""))
        .unwrap_or_else(Chrome::anonymous);
    let title = match status.as_u16() {
        403 => "无权访问",
        404 => "未找到",
        _ => "出错了",
    };
    (
        status,
        render(&T {
            chrome,
            title: title.into(),
            message: e.body.message,
        }),
    )
        .into_response()
}

/// Agencies the user may pick in a form (its scope), as (id, name).
async fn agency_options(st: &AppState, u: &CurrentUser) -> ApiResult<Vec<(String, String)>> {
    let (list, _) = st.store.agencies(&u.scope, &Page::first(5000)).await?;
    Ok(list
        .into_iter()
        .map(|a| (a.id.to_string(), a.name))
        .collect())
}

fn division_label(code: &str) -> String {
    match zhifa_ident::DivisionCode::parse(code) {
        Ok(d) => format!("{} {}", code, d.name()),
        Err(_) => code.to_string(),
    }
}

/// What a certificate's badge says: its recorded status, or 已过期 once its validity has ended
/// (an expired certificate is not valid whatever its recorded status, REG-2).
fn status_badge(o: &Officer, today: time::Date) -> (&'static str, &'static str) {
    if o.is_expired_on(today) {
        ("已过期", "expired")
    } else {
        (o.status.label(), o.status.as_str())
    }
}

fn saved_notice(p: &HashMap<String, String>) -> Option<String> {
    (param(p, "saved") == "1")
        .then(|| "已保存。本次变更已作为事件记录在案，不可修改或删除。".to_string())
}

// ───────────── sign in / out ─────────────

#[derive(Template)]
#[template(path = "login.html")]
struct LoginT {
    chrome: Chrome,
    next: String,
    username: String,
}

async fn login_page(Query(p): Params) -> Response {
    render(&LoginT {
        chrome: Chrome::anonymous(),
        next: param(&p, "next").to_string(),
        username: String::new(),
    })
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: String,
}

/// Only same-site paths, so the login form cannot be used as an open redirect.
fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") {
        next
    } else {
        "/"
    }
}

async fn login_submit(State(st): State<AppState>, Form(f): Form<LoginForm>) -> Response {
    match auth::login(&st, &f.username, &f.password).await {
        Ok(ok) => {
            let cookie = session_cookie(
                &ok.session,
                st.settings.secure_cookies,
                st.settings.session_max_hours * 3600,
            );
            (
                [(header::SET_COOKIE, cookie)],
                Redirect::to(safe_next(&f.next)),
            )
                .into_response()
        }
        Err(e) => {
            let status = e.status;
            let t = LoginT {
                chrome: Chrome::anonymous().with_error(&e),
                next: f.next,
                username: f.username,
            };
            (status, render(&t)).into_response()
        }
    }
}

async fn logout(State(st): State<AppState>, WebUser(u): WebUser) -> Response {
    if let Some(s) = &u.session {
        let _ = st.store.delete_session(s).await;
    }
    (
        [(
            header::SET_COOKIE,
            session_cookie("", st.settings.secure_cookies, 0),
        )],
        Redirect::to("/login"),
    )
        .into_response()
}

// ───────────── home ─────────────

struct EventRow {
    seq: i64,
    time: String,
    label: String,
    actor: String,
    stream: String,
    version: i64,
}

fn event_rows(events: Vec<zhifa_store::Recorded>) -> Vec<EventRow> {
    events
        .into_iter()
        .map(|e| {
            let label = serde_json::from_value::<zhifa_domain::Event>(e.payload.clone())
                .map(|ev| ev.label().to_string())
                .unwrap_or(e.kind.clone());
            EventRow {
                seq: e.seq,
                time: cst(e.recorded_at),
                label,
                actor: e.actor_name,
                stream: e.stream,
                version: e.version,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomeT {
    chrome: Chrome,
    scope_label: String,
    o: zhifa_store::Overview,
    tasks: Vec<(String, String)>,
    events: Vec<EventRow>,
}

async fn home(State(st): State<AppState>, WebUser(u): WebUser) -> Response {
    let r: ApiResult<Response> = async {
        let today = service::today_cst();
        let soon = today + time::Duration::days(CERTIFICATE_EXPIRING_DAYS);
        let o = st
            .store
            .overview(&u.scope, &format_date(today), &format_date(soon))
            .await?;
        let mut tasks = Vec::new();
        if u.has(Role::Officer) {
            tasks.push((
                "/officers".to_string(),
                "查看本单位执法人员与执法证状态".to_string(),
            ));
            tasks.push((
                "/items".to_string(),
                "查阅本单位权力清单与裁量基准".to_string(),
            ));
        }
        if u.has(Role::AgencyHead) || u.has(Role::SystemAdmin) {
            tasks.push((
                "/officers".to_string(),
                format!(
                    "{} 张执法证将在 90 日内到期，请安排换证",
                    o.certificates_expiring
                ),
            ));
            tasks.push((
                "/items".to_string(),
                "维护权力清单：法律法规修订时发布新版本".to_string(),
            ));
        }
        if u.has(Role::LegalReviewer) {
            tasks.push((
                "/items?category=penalty".to_string(),
                "查阅行政处罚事项及裁量基准，为法制审核做准备".to_string(),
            ));
        }
        if u.has(Role::Publisher) {
            tasks.push((
                "/items".to_string(),
                "核对事前公开内容：权力清单、服务指南、流程图".to_string(),
            ));
        }
        if u.has(Role::Supervisor) {
            tasks.push((
                "/agencies".to_string(),
                format!(
                    "监督辖区 {} 个执法主体、{} 名执法人员",
                    o.agencies, o.officers
                ),
            ));
        }
        if u.has(Role::SecurityAdmin) {
            tasks.push(("/users".to_string(), "管理账号与接口令牌".to_string()));
        }
        if u.has(Role::Auditor) {
            tasks.push(("/audit".to_string(), "审查访问日志与登录记录".to_string()));
        }
        let events = event_rows(st.store.recent_events(&u.scope, 10).await?);
        let scope_label = format!(
            "{}{}",
            u.agency.name,
            if u.scope.subtree == u.agency.path {
                "及下级"
            } else {
                "所在地区"
            }
        );
        Ok(render(&HomeT {
            chrome: Chrome::for_user(&u, "/"),
            scope_label,
            o,
            tasks,
            events,
        }))
    }
    .await;
    r.unwrap_or_else(|e| error_page(Some(&u), e))
}

// ───────────── agencies ─────────────

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
#[template(path = "agencies.html")]
struct AgenciesT {
    chrome: Chrome,
    q: String,
    total: i64,
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
    let (list, total) = st.store.agencies(&u.scope, &page).await?;
    let can_create = u.has(Role::SystemAdmin);
    let t = AgenciesT {
        chrome,
        q: param(p, "q").to_string(),
        total,
        rows: list
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
            total,
            page.limit,
            page.offset,
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
    match service::register_agency(&st, &u, &draft).await {
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
#[template(path = "agency.html")]
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
    let (_, officer_total) = st
        .store
        .officers(&u.scope, &OfficerFilter::of_agency(a.id), &Page::first(1))
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
        .0
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
        can_report: (u.has(Role::AgencyHead) || u.has(Role::Publisher))
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

// ───────────── officers ─────────────

struct OfficerRow {
    id: Uuid,
    name: String,
    certificate_no: String,
    agency: String,
    categories: String,
    valid_to: String,
    status: &'static str,
    status_key: &'static str,
}

#[derive(Template)]
#[template(path = "officers.html")]
struct OfficersT {
    chrome: Chrome,
    q: String,
    expiring: bool,
    agency_id: Option<String>,
    total: i64,
    rows: Vec<OfficerRow>,
    pager: String,
    can_create: bool,
    form: FormValues,
    agencies: Vec<(String, String)>,
    domains: &'static [&'static str],
}

async fn officers_page(
    st: &AppState,
    u: &CurrentUser,
    p: &HashMap<String, String>,
    form: FormValues,
    chrome: Chrome,
) -> ApiResult<Response> {
    let page = page_of(p);
    let agency_id = Uuid::parse_str(param(p, "agency_id")).ok();
    let expiring = param(p, "expiring") == "1";
    let filter =
        crate::api::officer_filter(agency_id, expiring.then_some(CERTIFICATE_EXPIRING_DAYS))?;
    let (list, total) = st.store.officers(&u.scope, &filter, &page).await?;
    let today = service::today_cst();
    let options = agency_options(st, u).await?;
    let name_of = |id: Uuid| {
        options
            .iter()
            .find(|(i, _)| *i == id.to_string())
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    let can_create = u.has(Role::SystemAdmin) || u.has(Role::AgencyHead);
    let t = OfficersT {
        chrome,
        q: param(p, "q").to_string(),
        expiring,
        agency_id: agency_id.map(|a| a.to_string()),
        total,
        rows: list
            .into_iter()
            .map(|o| OfficerRow {
                id: o.id,
                agency: name_of(o.agency_id),
                categories: o.categories.join("、"),
                valid_to: format_date(o.valid_to),
                status: status_badge(&o, today).0,
                status_key: status_badge(&o, today).1,
                name: o.name,
                certificate_no: o.certificate_no,
            })
            .collect(),
        pager: pager(
            "/officers",
            &[
                ("q", param(p, "q").to_string()),
                ("agency_id", param(p, "agency_id").to_string()),
                ("expiring", param(p, "expiring").to_string()),
            ],
            total,
            page.limit,
            page.offset,
        ),
        can_create,
        form,
        agencies: if can_create { options } else { vec![] },
        domains: &DOMAINS,
    };
    Ok(render(&t))
}

async fn officers(State(st): State<AppState>, WebUser(u): WebUser, Query(p): Params) -> Response {
    let chrome = Chrome::for_user(&u, "/officers");
    officers_page(&st, &u, &p, FormValues::default(), chrome)
        .await
        .unwrap_or_else(|e| error_page(Some(&u), e))
}

async fn officer_create(
    State(st): State<AppState>,
    WebUser(u): WebUser,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = FormValues(f);
    let draft = OfficerDraft {
        agency_id: Uuid::parse_str(f.get("agency_id")).unwrap_or_default(),
        name: f.get("name").into(),
        id_number: f.get("id_number").into(),
        certificate_no: f.get("certificate_no").into(),
        categories: f.all("categories"),
        region: f.get("region").into(),
        valid_from: f.get("valid_from").into(),
        valid_to: f.get("valid_to").into(),
        legal_qualification: Some(f.get("legal_qualification").to_string()),
    };
    match service::register_officer(&st, &u, &draft).await {
        Ok(o) => Redirect::to(&format!("/officers/{}?saved=1", o.id)).into_response(),
        Err(e) => {
            let chrome = Chrome::for_user(&u, "/officers").with_error(&e);
            refused(
                &u,
                e.status,
                officers_page(&st, &u, &HashMap::new(), f, chrome).await,
            )
        }
    }
}

#[derive(Template)]
#[template(path = "officer.html")]
struct OfficerT {
    chrome: Chrome,
    o: Officer,
    status_label: &'static str,
    status_key: &'static str,
    agency: Agency,
    region: String,
    valid_from: String,
    valid_to: String,
    trainings: Vec<(String, String, u32, String)>,
    events: Vec<EventRow>,
    can_manage: bool,
}

async fn officer_page(
    st: &AppState,
    u: &CurrentUser,
    id: &str,
    chrome: Chrome,
) -> ApiResult<Response> {
    let id = Uuid::parse_str(id).map_err(|_| ApiError::not_found("执法人员"))?;
    let (o, _) = service::officer(st, u, id).await?;
    let o = crate::api::mask_officer_public(o, u);
    let (agency, _) = service::agency(st, u, o.agency_id).await?;
    let events = event_rows(
        st.store
            .events_of_stream(&zhifa_domain::StreamId::officer(o.id).0)
            .await?,
    );
    let today = service::today_cst();
    let (status_label, status_key) = status_badge(&o, today);
    Ok(render(&OfficerT {
        chrome,
        status_label,
        status_key,
        region: division_label(&o.region),
        valid_from: format_date(o.valid_from),
        valid_to: format_date(o.valid_to),
        trainings: o
            .trainings
            .iter()
            .map(|t| {
                (
                    format_date(t.date),
                    t.course.clone(),
                    t.hours,
                    t.provider.clone(),
                )
            })
            .collect(),
        can_manage: u.has(Role::SystemAdmin) || u.has(Role::AgencyHead),
        o,
        agency,
        events,
    }))
}

async fn officer_detail(
    State(st): State<AppState>,
    WebUser(u): WebUser,
    Path(id): Path<String>,
    Query(p): Params,
) -> Response {
    let mut chrome = Chrome::for_user(&u, "/officers");
    chrome.notice = saved_notice(&p);
    officer_page(&st, &u, &id, chrome)
        .await
        .unwrap_or_else(|e| error_page(Some(&u), e))
}

async fn after_officer_write(
    st: &AppState,
    u: &CurrentUser,
    id: &str,
    r: ApiResult<Officer>,
) -> Response {
    match r {
        Ok(o) => Redirect::to(&format!("/officers/{}?saved=1", o.id)).into_response(),
        Err(e) => {
            let chrome = Chrome::for_user(u, "/officers").with_error(&e);
            refused(u, e.status, officer_page(st, u, id, chrome).await)
        }
    }
}

async fn officer_status(
    State(st): State<AppState>,
    WebUser(u): WebUser,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = FormValues(f);
    let r = match Uuid::parse_str(&id) {
        Ok(oid) => {
            service::change_certificate_status(&st, &u, oid, f.get("status"), f.get("reason")).await
        }
        Err(_) => Err(ApiError::not_found("执法人员")),
    };
    after_officer_write(&st, &u, &id, r).await
}

async fn officer_training(
    State(st): State<AppState>,
    WebUser(u): WebUser,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = FormValues(f);
    let r = match (Uuid::parse_str(&id), f.get("hours").parse::<u32>()) {
        (Ok(oid), Ok(hours)) => {
            let d = TrainingDraft {
                date: f.get("date").into(),
                course: f.get("course").into(),
                hours,
                provider: f.get("provider").into(),
            };
            service::record_training(&st, &u, oid, &d).await
        }
        (Err(_), _) => Err(ApiError::not_found("执法人员")),
        (_, Err(_)) => Err(zhifa_domain::DomainError::invalid(
            "hours",
            "bad_number",
            "学时应为 1 到 500 之间的整数",
        )
        .into()),
    };
    after_officer_write(&st, &u, &id, r).await
}

// ───────────── power list ─────────────

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
#[template(path = "items.html")]
struct ItemsT {
    chrome: Chrome,
    q: String,
    category: String,
    as_of: String,
    agency_id: Option<String>,
    total: i64,
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
    let (list, total) = st.store.items(&u.scope, &filter, &page).await?;
    let options = agency_options(st, u).await?;
    let name_of = |id: Uuid| {
        options
            .iter()
            .find(|(i, _)| *i == id.to_string())
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    let can_create = u.has(Role::SystemAdmin) || u.has(Role::AgencyHead);
    let t = ItemsT {
        chrome,
        q: param(p, "q").to_string(),
        category: filter.category.clone().unwrap_or_default(),
        as_of: filter.as_of.clone().unwrap_or_default(),
        agency_id: agency_id.map(|a| a.to_string()),
        total,
        rows: list
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
            total,
            page.limit,
            page.offset,
        ),
        can_create,
        form,
        agencies: if can_create { options } else { vec![] },
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
    match service::create_item(&st, &u, &item_draft(&f)).await {
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
#[template(path = "item.html")]
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

pub fn yuan(fen: i64) -> String {
    if fen % 100 == 0 {
        format!("{} 元", fen / 100)
    } else {
        format!("{}.{:02} 元", fen / 100, fen % 100)
    }
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
    let can_manage = u.has(Role::SystemAdmin) || u.has(Role::AgencyHead);
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
        Ok(iid) => service::revise_item(&st, &u, iid, &item_draft(&f)).await,
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

// ───────────── inspection list ─────────────

struct InspectionRow {
    name: String,
    agency: String,
    target_kind: String,
    method: String,
    basis: String,
}

#[derive(Template)]
#[template(path = "inspection.html")]
struct InspectionT {
    chrome: Chrome,
    q: String,
    total: i64,
    rows: Vec<InspectionRow>,
    pager: String,
    can_create: bool,
    form: FormValues,
    agencies: Vec<(String, String)>,
}

async fn inspection_page(
    st: &AppState,
    u: &CurrentUser,
    p: &HashMap<String, String>,
    form: FormValues,
    chrome: Chrome,
) -> ApiResult<Response> {
    let page = page_of(p);
    let (list, total) = st.store.inspection_items(&u.scope, &page).await?;
    let options = agency_options(st, u).await?;
    let name_of = |id: Uuid| {
        options
            .iter()
            .find(|(i, _)| *i == id.to_string())
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    let can_create = u.has(Role::SystemAdmin) || u.has(Role::AgencyHead);
    let rows = list
        .into_iter()
        .map(|r| InspectionRow {
            agency: name_of(r.agency_id),
            name: r.name,
            target_kind: r.target_kind,
            method: r.method,
            basis: r.basis,
        })
        .collect();
    Ok(render(&InspectionT {
        chrome,
        q: param(p, "q").to_string(),
        total,
        rows,
        pager: pager(
            "/inspection",
            &[("q", param(p, "q").to_string())],
            total,
            page.limit,
            page.offset,
        ),
        can_create,
        form,
        agencies: if can_create { options } else { vec![] },
    }))
}

async fn inspection(State(st): State<AppState>, WebUser(u): WebUser, Query(p): Params) -> Response {
    let chrome = Chrome::for_user(&u, "/inspection");
    inspection_page(&st, &u, &p, FormValues::default(), chrome)
        .await
        .unwrap_or_else(|e| error_page(Some(&u), e))
}

async fn inspection_create(
    State(st): State<AppState>,
    WebUser(u): WebUser,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = FormValues(f);
    let d = InspectionDraft {
        agency_id: Uuid::parse_str(f.get("agency_id")).unwrap_or_default(),
        item_id: None,
        name: f.get("name").into(),
        basis: f.get("basis").into(),
        target_kind: f.get("target_kind").into(),
        method: f.get("method").into(),
    };
    match service::list_inspection(&st, &u, &d).await {
        Ok(_) => Redirect::to("/inspection?saved=1").into_response(),
        Err(e) => {
            let chrome = Chrome::for_user(&u, "/inspection").with_error(&e);
            refused(
                &u,
                e.status,
                inspection_page(&st, &u, &HashMap::new(), f, chrome).await,
            )
        }
    }
}

// ───────────── users and tokens ─────────────

struct UserRow {
    id: Uuid,
    username: String,
    display_name: String,
    agency: String,
    roles: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersT {
    chrome: Chrome,
    total: i64,
    rows: Vec<UserRow>,
    pager: String,
    tokens: Vec<(String, String, String, &'static str)>,
    secret: Option<String>,
    can_manage: bool,
    form: FormValues,
    agencies: Vec<(String, String)>,
    roles: Vec<(&'static str, &'static str)>,
    token_roles: Vec<(&'static str, &'static str)>,
}

async fn users_page(
    st: &AppState,
    u: &CurrentUser,
    p: &HashMap<String, String>,
    form: FormValues,
    chrome: Chrome,
    secret: Option<String>,
) -> ApiResult<Response> {
    u.actor
        .require_any(&[Role::SecurityAdmin, Role::Auditor], "查看用户")?;
    let page = page_of(p);
    let (list, total) = st.store.users(&u.scope, &page).await?;
    let options = agency_options(st, u).await?;
    let name_of = |id: Uuid| {
        options
            .iter()
            .find(|(i, _)| *i == id.to_string())
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    let label_roles = |rs: &[Role]| rs.iter().map(|r| r.label()).collect::<Vec<_>>().join("、");
    let tokens = st
        .store
        .tokens(&u.scope)
        .await?
        .into_iter()
        .map(|t| {
            (
                t.name.clone(),
                name_of(t.agency_id),
                label_roles(&t.roles),
                if t.revoked { "已吊销" } else { "有效" },
            )
        })
        .collect();
    Ok(render(&UsersT {
        chrome,
        total,
        rows: list
            .into_iter()
            .map(|x| UserRow {
                id: x.id,
                agency: name_of(x.agency_id),
                roles: label_roles(&x.roles),
                username: x.username,
                display_name: x.display_name,
                active: x.active,
            })
            .collect(),
        pager: pager("/users", &[], total, page.limit, page.offset),
        tokens,
        secret,
        can_manage: u.has(Role::SecurityAdmin),
        form,
        agencies: options,
        roles: Role::ALL.iter().map(|r| (r.as_str(), r.label())).collect(),
        token_roles: [Role::Officer, Role::Publisher, Role::Supervisor]
            .iter()
            .map(|r| (r.as_str(), r.label()))
            .collect(),
    }))
}

async fn users(State(st): State<AppState>, WebUser(u): WebUser, Query(p): Params) -> Response {
    let mut chrome = Chrome::for_user(&u, "/users");
    chrome.notice = saved_notice(&p);
    users_page(&st, &u, &p, FormValues::default(), chrome, None)
        .await
        .unwrap_or_else(|e| error_page(Some(&u), e))
}

async fn users_error(st: &AppState, u: &CurrentUser, f: FormValues, e: ApiError) -> Response {
    let chrome = Chrome::for_user(u, "/users").with_error(&e);
    refused(
        u,
        e.status,
        users_page(st, u, &HashMap::new(), f, chrome, None).await,
    )
}

fn parse_roles(f: &FormValues) -> Vec<Role> {
    f.all("roles")
        .iter()
        .filter_map(|r| Role::parse(r))
        .collect()
}

async fn user_create(
    State(st): State<AppState>,
    WebUser(u): WebUser,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = FormValues(f);
    let agency_id = Uuid::parse_str(f.get("agency_id")).unwrap_or_default();
    // People type the certificate number they know, not an internal id.
    let officer_id = match f.get("certificate_no").trim() {
        "" => None,
        cert => {
            let (found, _) = match st
                .store
                .officers(
                    &u.scope,
                    &OfficerFilter::of_agency(agency_id),
                    &Page {
                        q: Some(cert.to_string()),
                        limit: 5,
                        offset: 0,
                    },
                )
                .await
            {
                Ok(x) => x,
                Err(e) => return error_page(Some(&u), e.into()),
            };
            match found
                .into_iter()
                .find(|o| o.certificate_no.eq_ignore_ascii_case(cert))
            {
                Some(o) => Some(o.id),
                None => {
                    let e = zhifa_domain::DomainError::invalid(
                        "officer_id",
                        "unknown_certificate",
                        format!("所选主体下没有执法证号为 {cert} 的执法人员"),
                    );
                    return users_error(&st, &u, f, e.into()).await;
                }
            }
        }
    };
    let d = UserDraft {
        username: f.get("username").into(),
        display_name: f.get("display_name").into(),
        agency_id,
        roles: parse_roles(&f),
        officer_id,
        password: f.get("password").into(),
    };
    match service::create_user(&st, &u, &d).await {
        Ok(_) => Redirect::to("/users?saved=1").into_response(),
        Err(e) => users_error(&st, &u, f, e).await,
    }
}

async fn user_active(
    State(st): State<AppState>,
    WebUser(u): WebUser,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = FormValues(f);
    let r = match Uuid::parse_str(&id) {
        Ok(uid) => service::set_user_active(&st, &u, uid, f.get("active") == "true").await,
        Err(_) => Err(ApiError::not_found("用户")),
    };
    match r {
        Ok(_) => Redirect::to("/users?saved=1").into_response(),
        Err(e) => users_error(&st, &u, FormValues::default(), e).await,
    }
}

async fn token_create(
    State(st): State<AppState>,
    WebUser(u): WebUser,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = FormValues(f);
    let agency_id = Uuid::parse_str(f.get("agency_id")).unwrap_or_default();
    match service::issue_token(&st, &u, f.get("name"), agency_id, &parse_roles(&f)).await {
        Ok((_, secret)) => {
            let mut chrome = Chrome::for_user(&u, "/users");
            chrome.notice = Some("接口令牌已签发。".into());
            users_page(
                &st,
                &u,
                &HashMap::new(),
                FormValues::default(),
                chrome,
                Some(secret),
            )
            .await
            .unwrap_or_else(|e| error_page(Some(&u), e))
        }
        Err(e) => users_error(&st, &u, FormValues::default(), e).await,
    }
}

// ───────────── audit ─────────────

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditT {
    chrome: Chrome,
    access: Vec<(String, String, String, String, i64)>,
    events: Vec<EventRow>,
}

async fn audit(State(st): State<AppState>, WebUser(u): WebUser) -> Response {
    let r: ApiResult<Response> = async {
        u.actor.require_any(&[Role::Auditor], "安全审计")?;
        let access = st
            .store
            .access_log(200)
            .await?
            .into_iter()
            .map(|a| {
                let action = match a.action.as_str() {
                    "read" => "查阅",
                    "write" => "写入",
                    "login" => "登录成功",
                    "login_failed" => "登录失败",
                    "login_locked" => "登录被拒（已锁定）",
                    "login_disabled" => "登录被拒（已停用）",
                    other => other,
                }
                .to_string();
                (cst(a.at), a.username, action, a.target, a.status)
            })
            .collect();
        let events = event_rows(st.store.recent_events(&u.scope, 50).await?);
        Ok(render(&AuditT {
            chrome: Chrome::for_user(&u, "/audit"),
            access,
            events,
        }))
    }
    .await;
    r.unwrap_or_else(|e| error_page(Some(&u), e))
}

// ───────────── deadlines (DL-3) ─────────────

struct DeadlineRow {
    title: String,
    rule_name: String,
    agency: String,
    basis: String,
    due: String,
    provisional: bool,
    left: String,
    overdue: bool,
    status: &'static str,
    status_key: &'static str,
}

#[derive(Template)]
#[template(path = "deadlines.html")]
struct DeadlinesT {
    chrome: Chrome,
    status: String,
    within_days: String,
    statuses: Vec<(&'static str, &'static str)>,
    total: i64,
    rows: Vec<DeadlineRow>,
    pager: String,
}

async fn deadlines(State(st): State<AppState>, WebUser(u): WebUser, Query(p): Params) -> Response {
    let r: ApiResult<Response> = async {
        let status = param(&p, "status").to_string();
        let within: Option<i64> = match param(&p, "within_days") {
            "" => None,
            s => Some(
                s.parse()
                    .map_err(|_| ApiError::bad_request("within_days", "临期天数应为整数"))?,
            ),
        };
        let filter = crate::api::deadline_filter(Some(&status), within, None)?;
        let page = page_of(&p);
        let (list, total) = st.store.deadlines(&u.scope, &filter, &page).await?;
        let options = agency_options(&st, &u).await?;
        let name_of = |id: Uuid| {
            options
                .iter()
                .find(|(i, _)| *i == id.to_string())
                .map(|(_, n)| n.clone())
                .unwrap_or_default()
        };
        let rows = list
            .into_iter()
            .map(|d| {
                let v = crate::api::deadline_view(&st, d);
                DeadlineRow {
                    agency: name_of(v.deadline.agency_id),
                    due: v
                        .deadline
                        .due
                        .date
                        .map(format_date)
                        .unwrap_or_else(|| "中止中".into()),
                    provisional: v.deadline.due.provisional,
                    left: match v.days_left {
                        Some(n) if n < 0 => format!("逾期 {} 天", -n),
                        Some(n) => format!("{n} 天"),
                        None => "中止中".into(),
                    },
                    overdue: v.days_left.is_some_and(|n| n < 0),
                    status: v.deadline.status.label(),
                    status_key: v.deadline.status.as_str(),
                    title: v.deadline.title,
                    rule_name: v.rule_name,
                    basis: v.basis,
                }
            })
            .collect();
        Ok(render(&DeadlinesT {
            chrome: Chrome::for_user(&u, "/deadlines"),
            within_days: param(&p, "within_days").to_string(),
            statuses: vec![
                ("", "未完成（进行中及逾期）"),
                ("due_soon", "临期"),
                ("missed", "已逾期"),
                ("open", "进行中"),
                ("met", "已完成"),
                ("all", "全部"),
            ],
            total,
            rows,
            pager: pager(
                "/deadlines",
                &[
                    ("status", status.clone()),
                    ("within_days", param(&p, "within_days").to_string()),
                ],
                total,
                page.limit,
                page.offset,
            ),
            status,
        }))
    }
    .await;
    match r {
        Ok(r) => r,
        Err(e) if e.status.is_client_error() => {
            let status = e.status;
            let t = DeadlinesT {
                chrome: Chrome::for_user(&u, "/deadlines").with_error(&e),
                status: String::new(),
                within_days: String::new(),
                statuses: vec![("", "未完成（进行中及逾期）")],
                total: 0,
                rows: vec![],
                pager: String::new(),
            };
            (status, render(&t)).into_response()
        }
        Err(e) => error_page(Some(&u), e),
    }
}

// ───────────── calendar (DL-1, DL-2) ─────────────

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarT {
    chrome: Chrome,
    day: String,
    day_answer: Option<String>,
    start: String,
    length: String,
    unit: String,
    units: Vec<(&'static str, &'static str)>,
    due_answer: Option<String>,
    explanation: Vec<String>,
    notices: Vec<crate::api::NoticeView>,
    can_import: bool,
    form: FormValues,
}

async fn calendar_page(
    st: &AppState,
    u: &CurrentUser,
    p: &HashMap<String, String>,
    form: FormValues,
    chrome: Chrome,
) -> ApiResult<Response> {
    let cal = st.calendar();
    let mut chrome = chrome;
    let day = param(p, "day").to_string();
    let day_answer = if day.is_empty() {
        None
    } else {
        match zhifa_calendar::parse_date(&day).and_then(|d| cal.day(d)) {
            Ok(info) => Some(format!(
                "{day}：{}{}。{}",
                if info.workday {
                    "工作日"
                } else {
                    "休息日"
                },
                if info.provisional { "（暂定）" } else { "" },
                info.reason()
            )),
            Err(e) => {
                chrome.error = Some(format!("{e}（字段：日期）"));
                None
            }
        }
    };
    let (start, length, unit) = (
        param(p, "start").to_string(),
        param(p, "length").to_string(),
        param(p, "unit").to_string(),
    );
    let (mut due_answer, mut explanation) = (None, vec![]);
    if !start.is_empty() {
        match zhifa_calendar::cli::add_explain(
            &cal,
            &start,
            &length,
            if unit.is_empty() { "workdays" } else { &unit },
        ) {
            Ok(lines) => {
                let mut it = lines.into_iter();
                due_answer = it
                    .next()
                    .map(|l| format!("截止：{}", l.replace(" provisional", "（暂定）")));
                explanation = it.map(|l| l.trim().to_string()).collect();
            }
            Err(e) => chrome.error = Some(e.to_string()),
        }
    }
    Ok(render(&CalendarT {
        chrome,
        day,
        day_answer,
        start,
        length: if length.is_empty() {
            "7".into()
        } else {
            length
        },
        unit,
        units: vec![
            ("workdays", "工作日"),
            ("days", "日"),
            ("hours", "小时"),
            ("months", "月"),
            ("years", "年"),
        ],
        due_answer,
        explanation,
        notices: crate::api::notice_views(st).await?,
        can_import: u.has(Role::SystemAdmin),
        form,
    }))
}

async fn calendar(State(st): State<AppState>, WebUser(u): WebUser, Query(p): Params) -> Response {
    let chrome = Chrome::for_user(&u, "/calendar");
    calendar_page(&st, &u, &p, FormValues::default(), chrome)
        .await
        .unwrap_or_else(|e| error_page(Some(&u), e))
}

async fn calendar_import(
    State(st): State<AppState>,
    WebUser(u): WebUser,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = FormValues(f);
    match service::import_notice(&st, &u.actor, f.get("text")).await {
        Ok(o) => {
            let mut chrome = Chrome::for_user(&u, "/calendar");
            chrome.notice = Some(format!(
                "已导入 {} 年放假安排（{}），重新计算了 {} 个未完成期限。",
                o.year,
                o.documents.join("、"),
                o.recomputed
            ));
            calendar_page(&st, &u, &HashMap::new(), FormValues::default(), chrome)
                .await
                .unwrap_or_else(|e| error_page(Some(&u), e))
        }
        Err(e) => {
            let chrome = Chrome::for_user(&u, "/calendar").with_error(&e);
            refused(
                &u,
                e.status,
                calendar_page(&st, &u, &HashMap::new(), f, chrome).await,
            )
        }
    }
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

// ───────────── ledger (REC-6) ─────────────

#[derive(Template)]
#[template(path = "ledger.html")]
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
        st.store.issue_checkpoint().await?;
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
            recent: event_rows(st.store.recent_events(&u.scope, 10).await?),
        }))
    }
    .await;
    r.unwrap_or_else(|e| error_page(Some(&u), e))
}
