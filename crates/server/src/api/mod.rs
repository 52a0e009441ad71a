//! JSON API under `/api/v1`, documented by the OpenAPI document at `/api/openapi.json`.

// One module per feature, each with its own `routes()` (merged in [`routes`]) and its handlers
// listed in [`ApiDoc`].
mod accounts;
mod agencies;
mod calendar;
mod cases;
mod doc;
use doc::Conventions;
mod evidence;
mod extract;
mod items;
mod ledger;
mod officers;
mod session;
mod validate;

pub use calendar::{NoticeView, deadline_filter, deadline_view, notice_views};
pub use cases::CaseDetail as CaseDetailView;
pub(crate) use cases::{detail as case_detail_view, summary as case_summary};
pub use evidence::{download as evidence_download, evidence_draft, evidence_filter};
pub(crate) use extract::describe as describe_serde;
pub use extract::{ApiJson, ApiQuery};
pub use items::item_filter;
pub(crate) use ledger::no_checkpoint_yet;
pub use ledger::package_response;
pub use officers::{mask_officer as mask_officer_public, officer_filter};

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use axum::Json;
use axum::Router;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;
use uuid::Uuid;
use zhifa_store::Page;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Text filter (name, code…): 3 characters or more match anywhere (trigram index); 1–2
    /// characters match the start of the name.
    pub q: Option<String>,
    /// Page size, 1–100 (default 50).
    pub per_page: Option<i64>,
    /// Deprecated alias of `per_page`.
    pub limit: Option<i64>,
    /// Cursor: the `next` of the previous page (absent for the first page).
    pub after: Option<String>,
}

impl ListParams {
    pub(crate) fn page(&self) -> Page {
        page_of(
            self.q.clone(),
            self.per_page.or(self.limit),
            self.after.clone(),
        )
    }
}

/// A list page request: `per_page` clamped to 1–100 (default 50), an empty `after` is none.
pub(crate) fn page_of(q: Option<String>, per_page: Option<i64>, after: Option<String>) -> Page {
    Page {
        q,
        limit: per_page.unwrap_or(50).clamp(1, 100),
        after: after.filter(|a| !a.trim().is_empty()),
    }
}

pub(crate) fn paged<T>(list: zhifa_store::List<T>) -> Json<Paged<T>> {
    Json(Paged {
        items: list.items,
        next: list.next,
    })
}

pub(crate) fn uuid_param(field: &str, s: &str) -> ApiResult<Uuid> {
    Uuid::parse_str(s).map_err(|_| ApiError::bad_request(field, format!("{field} 应为 UUID")))
}

/// A page of a list, in the list's stable order (keyset pagination).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Paged<T> {
    pub items: Vec<T>,
    /// Pass as `after` for the next page; `null` on the last page.
    pub next: Option<String>,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "zhifa 行政执法三项制度平台 API",
        description = "JSON API of zhifa. Every error is `{code, message, field}` with a 4xx status. \
                       People authenticate with a session cookie (POST /api/v1/session) and send the \
                       returned CSRF token in `X-CSRF-Token` on writes; external systems use \
                       `Authorization: Bearer <token>`.",
        version = "1"
    ),
    paths(
        session::login, session::logout, session::me, session::change_password,
        agencies::list_agencies, agencies::create_agency, agencies::get_agency, agencies::update_agency,
        officers::list_officers, officers::create_officer, officers::get_officer, officers::update_officer,
        officers::set_certificate_status, officers::add_training,
        items::list_items, items::create_item, items::get_item, items::item_versions,
        items::revise_item, items::get_guide, items::put_guide, items::get_discretion,
        items::put_discretion, items::flowchart,
        items::list_inspection, items::create_inspection,
        accounts::list_users, accounts::create_user, accounts::set_user_active,
        accounts::unlock_user, accounts::reset_password,
        accounts::list_tokens, accounts::create_token, accounts::revoke_token,
        validate::validate, accounts::list_events, accounts::access_log,
        calendar::day, calendar::due, calendar::notices, calendar::import, calendar::rules,
        calendar::list_deadlines, calendar::get_deadline,
        calendar::suspend_deadline, calendar::resume_deadline, calendar::extend_deadline, calendar::list_reports, calendar::publish_report,
        ledger::info, ledger::inclusion, ledger::consistency, ledger::package, ledger::list_witnessed, ledger::follow,
        evidence::upload_evidence, evidence::list_evidence, evidence::get_evidence, evidence::evidence_content,
        cases::file_case, cases::list_cases, cases::get_case,
        cases::investigate, cases::notify, cases::statement, cases::request_hearing, cases::hearing,
        cases::decide, cases::decide_no_penalty, cases::serve, cases::pay, cases::close, cases::archive,
    ),
    components(schemas(ErrorBody)),
    modifiers(&Conventions),
    tags((name = "registry", description = "三库：执法主体、执法人员、权力清单（REG-1…REG-7）"),
         (name = "session", description = "登录与会话"),
         (name = "calendar", description = "工作日、期限与年报（DL-1…DL-4、PUB-9）"),
         (name = "ledger", description = "防篡改记录：检查点与证明（REC-6）"),
         (name = "evidence", description = "证据材料：音视频与文书文件的接收、哈希与下载（REC-3、REC-4）"),
         (name = "cases", description = "执法案件：立案、调查取证、告知、决定、送达、执行、结案、归档（REC-1）"),
         (name = "admin", description = "账号、接口令牌与审计"))
)]
pub struct ApiDoc;

pub fn openapi_json() -> String {
    ApiDoc::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serialises")
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(session::routes())
        .merge(agencies::routes())
        .merge(officers::routes())
        .merge(items::routes())
        .merge(accounts::routes())
        .merge(validate::routes())
        .merge(calendar::routes())
        .merge(ledger::routes())
        .merge(ledger::witness_routes())
        .merge(evidence::routes())
        .merge(cases::routes())
}

/// The OpenAPI document and Swagger UI (vendored into the binary: no download at run time).
pub fn docs_routes() -> Router<AppState> {
    Router::new()
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", ApiDoc::openapi()))
        .merge(ledger::public_routes())
        .merge(ledger::witness_public_routes())
}
