//! Deadline monitoring (DL-3).

use super::common::*;
use super::{Chrome, pager, render};
use crate::AppState;
use crate::auth::WebUser;
use crate::error::{ApiError, ApiResult};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use uuid::Uuid;
use zhifa_domain::registry::*;

pub fn routes() -> Router<AppState> {
    Router::new().route("/deadlines", get(deadlines))
}

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
