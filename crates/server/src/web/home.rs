//! The workbench: what the signed-in person has to do, and recent records in their scope.

use super::common::*;
use super::{Chrome, render};
use crate::AppState;
use crate::auth::WebUser;
use crate::error::ApiResult;
use crate::service;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use zhifa_domain::auth::Permission;
use zhifa_domain::registry::*;

pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(home))
}

#[derive(Template)]
#[template(path = "home/index.html")]
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
        if u.can(Permission::EnforceInField) {
            tasks.push((
                "/officers".to_string(),
                "查看本单位执法人员与执法证状态".to_string(),
            ));
            tasks.push((
                "/items".to_string(),
                "查阅本单位权力清单与裁量基准".to_string(),
            ));
        }
        if u.can(Permission::RegisterOfficer) {
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
        if u.can(Permission::ReviewLegality) {
            tasks.push((
                "/items?category=penalty".to_string(),
                "查阅行政处罚事项及裁量基准，为法制审核做准备".to_string(),
            ));
        }
        if u.can(Permission::ReviewPublication) {
            tasks.push((
                "/items".to_string(),
                "核对事前公开内容：权力清单、服务指南、流程图".to_string(),
            ));
        }
        if u.can(Permission::SuperviseEnforcement) {
            tasks.push((
                "/agencies".to_string(),
                format!(
                    "监督辖区 {} 个执法主体、{} 名执法人员",
                    o.agencies, o.officers
                ),
            ));
        }
        if u.can(Permission::CreateUser) {
            tasks.push(("/users".to_string(), "管理账号与接口令牌".to_string()));
        }
        if u.can(Permission::ViewAuditLog) {
            tasks.push(("/audit".to_string(), "审查访问日志与登录记录".to_string()));
        }
        let events = event_rows(service::recent_records(&st, &u, 10).await?);
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
