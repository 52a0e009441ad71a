//! The security audit page: the access log, filtered and paged, and recent records (auditor).

use super::common::*;
use super::{Chrome, cst, render};
use crate::AppState;
use crate::auth::WebUser;
use crate::error::{ApiError, ApiResult};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use zhifa_domain::auth::Permission;
use zhifa_store::AccessQuery;

pub fn routes() -> Router<AppState> {
    Router::new().route("/audit", get(audit))
}

/// The access log's actions as the auditor reads them (the filter offers these).
const ACTIONS: &[(&str, &str)] = &[
    ("read", "查阅"),
    ("write", "写入"),
    ("login", "登录成功"),
    ("login_failed", "登录失败"),
    ("login_locked", "登录被拒（已锁定）"),
    ("account_locked", "账号被锁定"),
    ("login_disabled", "登录被拒（已停用）"),
    ("refused", "未登录或无权限被拒"),
    ("bad_token", "接口令牌无效被拒"),
    ("csrf_refused", "缺少 CSRF 令牌被拒"),
    ("cross_site_refused", "跨站提交被拒"),
    ("password_change_required", "须先修改密码被拒"),
];

struct AccessLine {
    at: String,
    username: String,
    action: String,
    target: String,
    status: i64,
    client: String,
}

#[derive(Template)]
#[template(path = "audit/index.html")]
struct AuditT {
    chrome: Chrome,
    access: Vec<AccessLine>,
    next: Option<String>,
    filter: Vec<(String, String)>,
    actions: &'static [(&'static str, &'static str)],
    events: Vec<EventRow>,
}

impl AuditT {
    fn value(&self, key: &str) -> &str {
        self.filter
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
}

/// A 北京时间 calendar day's start as µs UTC (`offset_days` later).
fn cst_day_start(field: &str, day: &str, offset_days: i64) -> ApiResult<i64> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let d = time::Date::parse(day, fmt)
        .map_err(|_| ApiError::bad_request(field, "日期格式应为 YYYY-MM-DD"))?;
    let t = d
        .with_hms(0, 0, 0)
        .expect("midnight exists")
        .assume_offset(time::macros::offset!(+8))
        .checked_add(time::Duration::days(offset_days))
        .ok_or_else(|| ApiError::bad_request(field, "日期超出范围"))?;
    Ok((t.unix_timestamp_nanos() / 1000) as i64)
}

/// Accounts' usernames are lower case; a token's entries keep its name as issued.
fn account_or_token(u: &str) -> String {
    if u.starts_with("token:") {
        u.to_string()
    } else {
        u.to_lowercase()
    }
}

fn query_of(p: &std::collections::HashMap<String, String>) -> ApiResult<AccessQuery> {
    let text = |k: &str| {
        p.get(k)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    Ok(AccessQuery {
        username: text("username").map(|u| account_or_token(&u)),
        action: text("action"),
        client: text("client"),
        status: match text("status") {
            None => None,
            Some(s) => Some(
                s.parse()
                    .map_err(|_| ApiError::bad_request("status", "状态码应为数字，如 401"))?,
            ),
        },
        from: text("from")
            .map(|d| cst_day_start("from", &d, 0))
            .transpose()?,
        until: text("until")
            .map(|d| cst_day_start("until", &d, 1))
            .transpose()?,
        before: match text("after") {
            None => None,
            Some(c) => Some(
                c.parse()
                    .map_err(|_| ApiError::bad_request("after", "翻页参数无效"))?,
            ),
        },
        limit: 100,
    })
}

async fn audit(State(st): State<AppState>, WebUser(u): WebUser, Query(p): Params) -> Response {
    let r: ApiResult<Response> = async {
        u.actor.require(Permission::ViewAuditLog)?;
        let q = query_of(&p)?;
        let rows = st.store.access_log(&u.scope, &q).await?;
        let next = (rows.len() as i64 == q.limit)
            .then(|| rows.last().map(|r| r.id.to_string()))
            .flatten();
        let access = rows
            .into_iter()
            .map(|r| {
                let a = r.entry;
                let action = ACTIONS
                    .iter()
                    .find(|(k, _)| *k == a.action)
                    .map(|(_, l)| l.to_string())
                    .unwrap_or(a.action);
                AccessLine {
                    at: cst(a.at),
                    username: if a.username.is_empty() {
                        "（未登录）".into()
                    } else {
                        a.username
                    },
                    action,
                    target: a.target,
                    status: a.status,
                    client: a.client.unwrap_or_default(),
                }
            })
            .collect();
        let events = event_rows(crate::service::recent_records(&st, &u, 50).await?);
        let filter = ["username", "action", "client", "status", "from", "until"]
            .into_iter()
            .filter_map(|k| {
                p.get(k)
                    .filter(|v| !v.trim().is_empty())
                    .map(|v| (k.to_string(), v.trim().to_string()))
            })
            .collect();
        Ok(render(&AuditT {
            chrome: Chrome::for_user(&u, "/audit"),
            access,
            next,
            filter,
            actions: ACTIONS,
            events,
        }))
    }
    .await;
    r.unwrap_or_else(|e| error_page(Some(&u), e))
}
