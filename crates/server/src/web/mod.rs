//! The staff console (Simplified Chinese), server-rendered with askama (auto-escaped). Every page
//! works without JavaScript; htmx (vendored) only makes search boxes live.
//! Forms post to the same service functions as the JSON API.

mod common;

// One module per feature, each with its own `routes()`, merged below.
mod accounts;
mod agencies;
mod audit;
mod calendar;
mod cases;
mod deadlines;
mod evidence;
mod home;
mod inspection;
mod items;
mod ledger;
mod officers;
mod session;

use crate::auth::CurrentUser;
use crate::error::ApiError;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use zhifa_domain::auth::Permission;
use zhifa_store::Page;

/// Every console page: the registration list of the feature routers.
pub fn routes() -> Router<crate::AppState> {
    Router::new()
        .merge(session::routes())
        .merge(home::routes())
        .merge(agencies::routes())
        .merge(officers::routes())
        .merge(items::routes())
        .merge(inspection::routes())
        .merge(accounts::routes())
        .merge(audit::routes())
        .merge(deadlines::routes())
        .merge(calendar::routes())
        .merge(evidence::routes())
        .merge(cases::routes())
        .merge(ledger::routes())
        .route("/static/{file}", axum::routing::get(static_file))
}

const APP_CSS: &str = include_str!("../../static/app.css");
const HTMX_JS: &str = include_str!("../../static/htmx.min.js");

async fn static_file(axum::extract::Path(file): axum::extract::Path<String>) -> Response {
    let (ctype, body) = match file.as_str() {
        "app.css" => ("text/css; charset=utf-8", APP_CSS),
        "htmx.min.js" => ("text/javascript; charset=utf-8", HTMX_JS),
        _ => return (StatusCode::NOT_FOUND, Html("未找到")).into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, ctype),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

pub struct Nav {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
}

pub struct ChromeUser {
    pub display_name: String,
    pub agency_name: String,
    pub roles: String,
}

/// What every page's frame shows: who is signed in, the menu for their roles, messages.
pub struct Chrome {
    pub user: Option<ChromeUser>,
    pub csrf: String,
    pub nav: Vec<Nav>,
    pub error: Option<String>,
    pub notice: Option<String>,
}

impl Chrome {
    pub fn anonymous() -> Chrome {
        Chrome {
            user: None,
            csrf: String::new(),
            nav: vec![],
            error: None,
            notice: None,
        }
    }

    pub fn for_user(u: &CurrentUser, active: &str) -> Chrome {
        let mut nav = vec![
            ("/", "工作台"),
            ("/agencies", "执法主体"),
            ("/officers", "执法人员"),
            ("/items", "权力清单"),
            ("/inspection", "随机抽查事项"),
            ("/evidence", "证据材料"),
            ("/deadlines", "期限监控"),
            ("/calendar", "工作日历"),
            ("/ledger", "防篡改记录"),
        ];
        // Cases for those whose duty they are (the administrators' is the system).
        if zhifa_domain::privacy::may_read_event(&u.actor, "CaseFiled") {
            nav.insert(1, ("/cases", "执法案件"));
        }
        if u.can(Permission::ViewUsers) || u.can(Permission::ViewTokens) {
            nav.push(("/users", "用户与令牌"));
        }
        if u.can(Permission::ViewAuditLog) {
            nav.push(("/audit", "安全审计"));
        }
        Chrome {
            user: Some(ChromeUser {
                display_name: u.display_name.clone(),
                agency_name: u.agency.name.clone(),
                roles: u.role_labels(),
            }),
            csrf: u.csrf.clone(),
            nav: nav
                .into_iter()
                .map(|(href, label)| Nav {
                    href,
                    label,
                    active: href == active,
                })
                .collect(),
            error: None,
            notice: None,
        }
    }

    pub fn with_error(mut self, e: &ApiError) -> Chrome {
        let field = e.body.field.as_deref().map(field_label);
        self.error = Some(match field {
            Some(f) => format!("{}（{}）", e.body.message, f),
            None => e.body.message.clone(),
        });
        self
    }
}

/// Chinese names of form fields, for error messages.
pub fn field_label(field: &str) -> String {
    let base = field.split(['.', '[']).next().unwrap_or(field);
    let label = match base {
        "name" => "名称",
        "deadline_id" => "期限",
        "credit_code" => "统一社会信用代码",
        "kind" => "主体类型",
        "level" => "层级",
        "division_code" => "行政区划代码",
        "parent_id" => "上级主体",
        "domain" => "执法领域",
        "legal_basis" => "设立依据",
        "agency_id" => "所属主体",
        "id_number" => "公民身份号码",
        "certificate_no" => "执法证号",
        "categories" => "执法类别",
        "region" => "执法区域",
        "valid_from" => "有效期起",
        "valid_to" => "有效期至",
        "legal_qualification" => "法律职业资格",
        "code" => "事项编码",
        "category" => "类别",
        "legal_bases" => "法律依据",
        "procedure" => "办理流程",
        "time_limit" => "办理时限",
        "review_body" => "行政复议机关",
        "effective_from" => "生效日期",
        "change_kind" => "调整类型",
        "reason" => "原因",
        "username" => "用户名",
        "display_name" => "姓名",
        "roles" => "角色",
        "password" => "密码",
        "officer_id" => "关联执法人员",
        "status" => "状态",
        "date" => "日期",
        "course" => "课程",
        "hours" => "学时",
        "provider" => "举办单位",
        "basis" => "依据",
        "target_kind" => "检查对象",
        "method" => "检查方式",
        "text" => "通知内容",
        "year" => "年度",
        "url" => "公开地址",
        "title" => "标题",
        "within_days" => "临期天数",
        "file" => "文件",
        "file_name" => "文件名",
        "media_type" => "文件类型",
        "recorded_at" => "录制时间",
        "description" => "说明",
        "from" => "中止日期",
        "on" => "恢复日期",
        "days" => "延长期限",
        "approval" => "批准文书",
        _ => return format!("字段 {field}"),
    };
    format!("字段：{label}")
}

/// Submitted form values, kept to refill a form that was refused.
#[derive(Default, Clone)]
pub struct FormValues(pub Vec<(String, String)>);

impl FormValues {
    pub fn get(&self, k: &str) -> &str {
        self.0
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
    pub fn is(&self, k: &str, v: &str) -> bool {
        self.get(k) == v
    }
    pub fn has(&self, k: &str, v: &str) -> bool {
        self.0.iter().any(|(key, val)| key == k && val == v)
    }
    pub fn all(&self, k: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .collect()
    }
    pub fn lines(&self, k: &str) -> Vec<String> {
        self.get(k)
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    }
}

pub fn render(t: &impl askama::Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => ApiError::internal(e).into_response(),
    }
}

/// Beijing time for people, from UTC microseconds.
pub fn cst(micros: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(micros / 1_000_000)
        .map(|t| t.to_offset(time::macros::offset!(+8)))
        .map(|t| {
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
                t.year(),
                t.month() as u8,
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            )
        })
        .unwrap_or_default()
}

/// Keyset paging links that keep the other query parameters: 「回到第一页」 when this is not the
/// first page, 「下一页」 (the cursor of this page's last row) when there is one.
pub fn pager(path: &str, params: &[(&str, String)], page: &Page, next: Option<&str>) -> String {
    let link = |after: Option<&str>| {
        let mut p: Vec<(&str, String)> = params
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .cloned()
            .collect();
        if let Some(a) = after {
            p.push(("after", a.to_string()));
        }
        let qs = serde_urlencoded::to_string(&p).unwrap_or_default();
        crate::flowchart::xml_escape(&if qs.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{qs}")
        })
    };
    let mut s = String::from("<nav class=\"pager\" aria-label=\"分页\">");
    if page.after.is_some() {
        s.push_str(&format!("<a href=\"{}\">回到第一页</a> ", link(None)));
    }
    if let Some(n) = next {
        s.push_str(&format!(
            "<a href=\"{}\" rel=\"next\">下一页</a>",
            link(Some(n))
        ));
    }
    s.push_str("</nav>");
    s
}

/// The console's error page for a rejection that reached no handler (unknown address, wrong
/// method, oversized form), shown to browsers instead of the API's JSON.
pub(crate) fn bare_error_page(e: crate::error::ApiError) -> axum::response::Response {
    common::error_page(None, e)
}

/// The page for a refusal by the request gate (cross-site, CSRF, rate limit), with the
/// signed-in chrome when the caller is known.
pub(crate) fn gate_error_page(
    u: Option<&crate::auth::CurrentUser>,
    e: crate::error::ApiError,
) -> axum::response::Response {
    common::error_page(u, e)
}

/// The count line of a list: 「共 N 人」 when the total is known (a counter, or a first page that
/// is also the last), otherwise how many this page shows.
pub fn count_label(
    total: Option<i64>,
    page: &Page,
    shown: usize,
    more: bool,
    unit: &str,
) -> String {
    match total {
        Some(n) => format!("共 {n} {unit}"),
        None if page.after.is_none() && !more => format!("共 {shown} {unit}"),
        None if more => format!("本页 {shown} {unit}，下一页还有"),
        None => format!("本页 {shown} {unit}"),
    }
}
