//! The security audit page: the access log and recent records (auditor).

use super::common::*;
use super::{Chrome, cst, render};
use crate::AppState;
use crate::auth::WebUser;
use crate::error::ApiResult;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use zhifa_domain::auth::Permission;

pub fn routes() -> Router<AppState> {
    Router::new().route("/audit", get(audit))
}

#[derive(Template)]
#[template(path = "audit/index.html")]
struct AuditT {
    chrome: Chrome,
    access: Vec<(String, String, String, String, i64)>,
    events: Vec<EventRow>,
}

async fn audit(State(st): State<AppState>, WebUser(u): WebUser) -> Response {
    let r: ApiResult<Response> = async {
        u.actor.require(Permission::ViewAuditLog)?;
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
        let events = event_rows(crate::service::recent_records(&st, &u, 50).await?);
        Ok(render(&AuditT {
            chrome: Chrome::for_user(&u, "/audit"),
            access,
            events,
        }))
    }
    .await;
    r.unwrap_or_else(|e| error_page(Some(&u), e))
}
