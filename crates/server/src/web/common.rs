//! Helpers every console page uses: query parameters and paging, the refusal and error pages,
//! agency pickers, labels and badges.

use super::{Chrome, cst, render};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use askama::Template;
use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use zhifa_domain::registry::Officer;
use zhifa_store::Page;

pub(super) type Params = Query<HashMap<String, String>>;

pub(super) fn param<'a>(p: &'a HashMap<String, String>, k: &str) -> &'a str {
    p.get(k).map(|s| s.trim()).unwrap_or("")
}

pub(super) const PAGE: i64 = 50;

pub(super) fn page_of(p: &HashMap<String, String>) -> Page {
    Page {
        q: Some(param(p, "q").to_string()).filter(|q| !q.is_empty()),
        limit: PAGE,
        after: Some(param(p, "after").to_string()).filter(|a| !a.is_empty()),
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

/// Agencies offered in a form's picker, as (id, name): the user's own agency and the agencies
/// directly below it (those it registers and administers) — never the whole scope, which is
/// thousands of agencies for a province.
pub(super) async fn agency_options(
    st: &AppState,
    u: &CurrentUser,
) -> ApiResult<Vec<(String, String)>> {
    let mut out = vec![(u.agency.id.to_string(), u.agency.name.clone())];
    for a in st.store.agency_children(u.agency.id).await? {
        if u.scope.contains(&a.path, &a.domain) {
            out.push((a.id.to_string(), a.name));
        }
    }
    Ok(out)
}

/// The names of the agencies of a page's rows (one primary-key look-up for the page).
pub(super) async fn agency_names(
    st: &AppState,
    ids: impl IntoIterator<Item = uuid::Uuid>,
) -> ApiResult<HashMap<uuid::Uuid, String>> {
    let ids: Vec<uuid::Uuid> = ids.into_iter().collect();
    Ok(st.store.agency_names(&ids).await?)
}

pub(super) fn division_label(code: &str) -> String {
    match zhifa_ident::DivisionCode::parse(code) {
        Ok(d) => format!("{} {}", code, d.name()),
        Err(_) => code.to_string(),
    }
}

/// What a certificate's badge says: its recorded status, or 已过期 once its validity has ended
/// (an expired certificate is not valid whatever its recorded status, REG-2).
pub(super) fn status_badge(o: &Officer, today: time::Date) -> (&'static str, &'static str) {
    if o.is_expired_on(today) {
        ("已过期", "expired")
    } else {
        (o.status.label(), o.status.as_str())
    }
}

pub(super) fn saved_notice(p: &HashMap<String, String>) -> Option<String> {
    (param(p, "saved") == "1")
        .then(|| "已保存。本次变更已作为事件记录在案，不可修改或删除。".to_string())
}

pub(super) struct EventRow {
    pub(super) seq: i64,
    pub(super) time: String,
    pub(super) label: String,
    pub(super) actor: String,
    pub(super) stream: String,
    pub(super) version: i64,
}

pub(super) fn event_rows(events: Vec<zhifa_store::Recorded>) -> Vec<EventRow> {
    events
        .into_iter()
        .map(|e| {
            // By kind: the payloads reach the pages masked (`service::readable`).
            let label = zhifa_domain::event::label_of(&e.kind)
                .map(str::to_string)
                .unwrap_or(e.kind.clone());
            EventRow {
                seq: e.seq,
                time: cst(e.recorded_at),
                label,
                // The platform's own actions (deadline sweeps, imports at start) are by the
                // system actor (`Actor::system`), shown as such rather than by its login name.
                actor: if e.actor_id.is_nil() {
                    "系统自动".to_string()
                } else {
                    e.actor_name
                },
                stream: e.stream,
                version: e.version,
            }
        })
        .collect()
}

pub fn yuan(fen: i64) -> String {
    if fen % 100 == 0 {
        format!("{} 元", fen / 100)
    } else {
        format!("{}.{:02} 元", fen / 100, fen % 100)
    }
}

pub(super) fn or_error_page(u: &CurrentUser, r: ApiResult<Response>) -> Response {
    r.unwrap_or_else(|e| error_page(Some(u), e))
}
