//! Deadline monitoring (DL-3).

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
use uuid::Uuid;
use zhifa_domain::auth::Permission;
use zhifa_domain::registry::*;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/deadlines", get(deadlines))
        .route("/deadlines/{id}", get(deadline_detail))
        .route("/deadlines/{id}/suspensions", post(deadline_suspend))
        .route("/deadlines/{id}/resumptions", post(deadline_resume))
        .route("/deadlines/{id}/extensions", post(deadline_extend))
}

struct DeadlineRow {
    id: Uuid,
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
#[template(path = "deadlines/list.html")]
struct DeadlinesT {
    chrome: Chrome,
    status: String,
    within_days: String,
    statuses: Vec<(&'static str, &'static str)>,
    total: String,
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
        let list = st.store.deadlines(&u.scope, &filter, &page).await?;
        let names = agency_names(&st, list.items.iter().map(|d| d.agency_id)).await?;
        let name_of = |id: Uuid| names.get(&id).cloned().unwrap_or_default();
        let total = super::count_label(None, &page, list.items.len(), list.next.is_some(), "项");
        let next = list.next.clone();
        let rows = list
            .items
            .into_iter()
            .map(|d| {
                let v = crate::api::deadline_view(&st, d);
                DeadlineRow {
                    id: v.deadline.id,
                    agency: name_of(v.deadline.agency_id),
                    due: v
                        .deadline
                        .due
                        .date
                        .map(format_date)
                        .unwrap_or_else(|| "中止中".into()),
                    provisional: v.deadline.due.provisional,
                    left: time_left(v.deadline.status, v.days_left),
                    overdue: v.days_left.is_some_and(|n| n < 0) && !v.deadline.status.is_finished(),
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
                &page,
                next.as_deref(),
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
                total: String::new(),
                rows: vec![],
                pager: String::new(),
            };
            (status, render(&t)).into_response()
        }
        Err(e) => error_page(Some(&u), e),
    }
}

#[derive(Template)]
#[template(path = "deadlines/detail.html")]
struct DeadlineT {
    chrome: Chrome,
    id: String,
    title: String,
    rule_name: String,
    basis: String,
    status: &'static str,
    status_key: &'static str,
    due: String,
    left: String,
    provisional: bool,
    /// (from, until or 未恢复)
    suspensions: Vec<(String, String)>,
    suspended: bool,
    extended: String,
    /// The rule's extension (cap, unit, approval), if it has one.
    extension: Option<zhifa_domain::deadline::ExtensionRule>,
    /// What a refused form held, shown again.
    form: FormValues,
    can_suspend: bool,
    can_extend: bool,
    open: bool,
    today: String,
    events: Vec<EventRow>,
}

async fn deadline_page(
    st: &AppState,
    u: &CurrentUser,
    id: &str,
    chrome: Chrome,
    form: FormValues,
) -> ApiResult<Response> {
    let id = Uuid::parse_str(id).map_err(|_| ApiError::not_found("期限"))?;
    let d = service::deadline_in_scope(st, u, id).await?;
    let v = crate::api::deadline_view(st, d);
    let d = &v.deadline;
    let events = event_rows(
        service::stream_records(st, u, &zhifa_domain::StreamId::deadline(d.id).0).await?,
    );
    let extension = zhifa_domain::deadline::extension_rule(&st.catalog, &d.rule_id);
    let open = d.status == zhifa_domain::deadline::DeadlineStatus::Open;
    Ok(render(&DeadlineT {
        chrome,
        id: d.id.to_string(),
        title: d.title.clone(),
        rule_name: v.rule_name.clone(),
        basis: v.basis.clone(),
        status: d.status.label(),
        status_key: d.status.as_str(),
        due: d
            .due
            .date
            .map(format_date)
            .unwrap_or_else(|| "中止中".into()),
        left: time_left(d.status, v.days_left),
        provisional: d.due.provisional,
        suspensions: d
            .suspensions
            .iter()
            .map(|s| {
                (
                    format_date(s.from),
                    s.until.map(format_date).unwrap_or_else(|| "未恢复".into()),
                )
            })
            .collect(),
        suspended: d.suspensions.iter().any(|s| s.until.is_none()),
        extended: match (d.extended, d.extension_days) {
            (false, _) => String::new(),
            (true, Some(n)) => format!(
                "已批准延长 {n}{}",
                extension.as_ref().map(|e| e.unit).unwrap_or("")
            ),
            (true, None) => "已批准延长".into(),
        },
        extension,
        form,
        // Offered only where the statute lets the period be suspended (DL-4).
        can_suspend: u.can(Permission::SuspendDeadline)
            && zhifa_domain::deadline::suspendable(&st.catalog, &d.rule_id),
        can_extend: u.can(Permission::ExtendDeadline),
        open,
        today: format_date(service::today_cst()),
        events,
    }))
}

async fn deadline_detail(
    State(st): State<AppState>,
    WebUser(u): WebUser,
    Path(id): Path<String>,
    Query(p): Params,
) -> Response {
    let mut chrome = Chrome::for_user(&u, "/deadlines");
    chrome.notice = saved_notice(&p);
    deadline_page(&st, &u, &id, chrome, FormValues::default())
        .await
        .unwrap_or_else(|e| error_page(Some(&u), e))
}

/// After a form: the page again with the saved notice, or the refusal and its status.
async fn after_write(
    st: &AppState,
    u: &CurrentUser,
    id: &str,
    r: Result<zhifa_domain::deadline::Deadline, ApiError>,
    form: FormValues,
) -> Response {
    match r {
        Ok(d) => Redirect::to(&format!("/deadlines/{}?saved=1", d.id)).into_response(),
        Err(e) => {
            let chrome = Chrome::for_user(u, "/deadlines").with_error(&e);
            refused(u, e.status, deadline_page(st, u, id, chrome, form).await)
        }
    }
}

/// What the 剩余 line says: days left while open, days overdue while missed, and for a finished
/// duty that it is done (a met deadline is not "overdue" however long ago its day was).
fn time_left(status: zhifa_domain::deadline::DeadlineStatus, days_left: Option<i64>) -> String {
    use zhifa_domain::deadline::DeadlineStatus;
    match (status, days_left) {
        (DeadlineStatus::Met, _) => "已按期完成".into(),
        (DeadlineStatus::MetLate, _) => "已完成（逾期后）".into(),
        (_, Some(n)) if n < 0 => format!("逾期 {} 天", -n),
        (_, Some(n)) => format!("{n} 天"),
        (_, None) => "中止中".into(),
    }
}

fn deadline_id(id: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(id).map_err(|_| ApiError::not_found("期限"))
}

async fn deadline_suspend(
    State(st): State<AppState>,
    WebUser(u): WebUser,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = FormValues(f);
    let r = match deadline_id(&id) {
        Ok(did) => service::suspend_deadline(&st, &u, did, f.get("from"), f.get("reason"))
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    after_write(&st, &u, &id, r, f).await
}

async fn deadline_resume(
    State(st): State<AppState>,
    WebUser(u): WebUser,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = FormValues(f);
    let r = match deadline_id(&id) {
        Ok(did) => service::resume_deadline(&st, &u, did, f.get("on"))
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    after_write(&st, &u, &id, r, f).await
}

async fn deadline_extend(
    State(st): State<AppState>,
    WebUser(u): WebUser,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = FormValues(f);
    let r = match (deadline_id(&id), f.get("days").trim().parse::<u32>()) {
        (Ok(did), Ok(days)) => {
            service::extend_deadline(&st, &u, did, days, f.get("approval"), f.get("reason"))
                .await
                .map_err(ApiError::from)
        }
        (Err(e), _) => Err(e),
        (_, Err(_)) => {
            Err(
                zhifa_domain::DomainError::invalid("days", "bad_number", "延长期限应为正整数")
                    .into(),
            )
        }
    };
    after_write(&st, &u, &id, r, f).await
}
