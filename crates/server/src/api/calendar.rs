//! Working-day calendar, deadline catalog, tracked deadlines and annual reports (DL-1…DL-4, PUB-9).

use crate::AppState;
use crate::api::ApiQuery;
use crate::api::{ApiJson, Paged};
use crate::auth::ApiUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::service;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhifa_calendar::DayKind;
use zhifa_domain::DomainError;
use zhifa_domain::deadline::{AnnualReport, Deadline};
use zhifa_domain::registry::format_date;
use zhifa_store::DeadlineFilter;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/calendar/days/{date}", get(day))
        .route("/api/v1/calendar/due", get(due))
        .route("/api/v1/calendar/notices", get(notices).post(import))
        .route("/api/v1/deadline-rules", get(rules))
        .route("/api/v1/deadlines", get(list_deadlines))
        .route("/api/v1/deadlines/{id}", get(get_deadline))
        .route(
            "/api/v1/deadlines/{id}/suspensions",
            axum::routing::post(suspend_deadline),
        )
        .route(
            "/api/v1/deadlines/{id}/resumptions",
            axum::routing::post(resume_deadline),
        )
        .route(
            "/api/v1/deadlines/{id}/extensions",
            axum::routing::post(extend_deadline),
        )
        .route(
            "/api/v1/agencies/{id}/annual-reports",
            get(list_reports).post(publish_report),
        )
}

fn cal_err(field: &str, e: zhifa_calendar::CalendarError) -> ApiError {
    DomainError::invalid(field, "calendar", e.message_zh())
        .rule("DL-1")
        .into()
}

#[derive(Serialize, ToSchema)]
pub struct DayView {
    pub date: String,
    pub workday: bool,
    /// The year's holiday notice is not loaded: computed from the statutory holidays only.
    pub provisional: bool,
    /// `workday`, `weekend`, `holiday`, `makeup_workday`, `statutory_holiday`, `compensatory`.
    pub kind: String,
    pub holidays: Vec<String>,
    /// The notice the answer comes from (文号).
    pub document: Option<String>,
    pub reason: String,
}

/// Is a date a working day, and why (DL-1).
#[utoipa::path(get, path = "/api/v1/calendar/days/{date}", tag = "calendar", params(("date" = String, Path, description = "YYYY-MM-DD")),
    responses((status = 200, body = DayView), (status = 422, body = ErrorBody)))]
pub async fn day(
    State(st): State<AppState>,
    ApiUser(_u): ApiUser,
    Path(date): Path<String>,
) -> ApiResult<Json<DayView>> {
    let d = zhifa_calendar::parse_date(&date).map_err(|e| cal_err("date", e))?;
    let cal = st.calendar();
    let info = cal.day(d).map_err(|e| cal_err("date", e))?;
    Ok(Json(DayView {
        date: format_date(d),
        workday: info.workday,
        provisional: info.provisional,
        kind: match info.kind {
            DayKind::Workday => "workday",
            DayKind::Weekend => "weekend",
            DayKind::Holiday => "holiday",
            DayKind::MakeupWorkday => "makeup_workday",
            DayKind::StatutoryHoliday => "statutory_holiday",
            DayKind::Compensatory => "compensatory",
        }
        .into(),
        holidays: info.holidays.iter().map(|h| h.to_string()).collect(),
        document: info.document.map(str::to_string),
        reason: info.reason(),
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DueParams {
    /// YYYY-MM-DD, or an RFC 3339 instant for hour periods.
    pub start: String,
    pub length: String,
    /// workdays | days | hours | months | years
    pub unit: String,
    #[serde(default)]
    pub explain: bool,
}

#[derive(Serialize, ToSchema)]
pub struct DueView {
    /// The due date (or instant), with ` provisional` appended where it applies.
    pub line: String,
    pub date: Option<String>,
    pub provisional: bool,
    /// With `explain=true`: the days skipped and why.
    pub explanation: Vec<String>,
}

/// Period arithmetic (DL-2): when does a period that starts on `start` end?
#[utoipa::path(get, path = "/api/v1/calendar/due", tag = "calendar", params(DueParams),
    responses((status = 200, body = DueView), (status = 422, body = ErrorBody)))]
pub async fn due(
    State(st): State<AppState>,
    ApiUser(_u): ApiUser,
    ApiQuery(p): ApiQuery<DueParams>,
) -> ApiResult<Json<DueView>> {
    let cal = st.calendar();
    let field = |e: zhifa_calendar::CalendarError| {
        let f = match &e {
            zhifa_calendar::CalendarError::UnknownUnit { .. } => "unit",
            zhifa_calendar::CalendarError::InvalidLength { .. }
            | zhifa_calendar::CalendarError::NegativePeriod { .. }
            | zhifa_calendar::CalendarError::ZeroPeriod { .. }
            | zhifa_calendar::CalendarError::PeriodTooLong { .. } => "length",
            _ => "start",
        };
        cal_err(f, e)
    };
    let spec = zhifa_calendar::cli::parse_add(&p.start, &p.length, &p.unit).map_err(field)?;
    let computed = cal.compute(&spec).map_err(field)?;
    let explanation = if p.explain {
        zhifa_calendar::cli::add_explain(&cal, &p.start, &p.length, &p.unit)
            .map_err(field)?
            .into_iter()
            .skip(1)
            .map(|l| l.trim().to_string())
            .collect()
    } else {
        vec![]
    };
    Ok(Json(DueView {
        line: computed.line(),
        date: computed.due_date().map(format_date),
        provisional: computed.provisional,
        explanation,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct NoticeView {
    pub year: i32,
    pub documents: Vec<String>,
    /// `shipped` with the release or `imported` at run time.
    pub origin: String,
}

/// The holiday notices in force.
#[utoipa::path(get, path = "/api/v1/calendar/notices", tag = "calendar", responses((status = 200, body = [NoticeView])))]
pub async fn notices(
    State(st): State<AppState>,
    ApiUser(_u): ApiUser,
) -> ApiResult<Json<Vec<NoticeView>>> {
    Ok(Json(notice_views(&st).await?))
}

pub async fn notice_views(st: &AppState) -> ApiResult<Vec<NoticeView>> {
    let imported = st.store.notices().await?;
    let cal = st.calendar();
    Ok(cal
        .loaded_years()
        .into_iter()
        .filter_map(|y| cal.notice(y).map(|n| (y, n)))
        .map(|(y, n)| NoticeView {
            year: y,
            documents: n.documents.clone(),
            origin: if imported.iter().any(|i| i.year == y) {
                "imported".into()
            } else {
                "shipped".into()
            },
        })
        .collect())
}

#[derive(Deserialize, ToSchema)]
pub struct ImportRequest {
    /// The notice in the project's notice format (see `crates/calendar/data/notices/`).
    pub text: String,
}

#[derive(Serialize, ToSchema)]
pub struct ImportView {
    pub year: i32,
    pub replaced: bool,
    pub documents: Vec<String>,
    /// Open deadlines whose due date changed.
    pub recomputed: usize,
}

/// Import a year's holiday notice without a rebuild (system administrator, DL-1).
#[utoipa::path(post, path = "/api/v1/calendar/notices", tag = "calendar", request_body = ImportRequest,
    responses((status = 201, body = ImportView), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn import(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiJson(r): ApiJson<ImportRequest>,
) -> ApiResult<(StatusCode, Json<ImportView>)> {
    let o = service::import_notice(&st, &u.actor, &r.text).await?;
    Ok((
        StatusCode::CREATED,
        Json(ImportView {
            year: o.year,
            replaced: o.replaced,
            documents: o.documents,
            recomputed: o.recomputed,
        }),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct RuleView {
    pub id: String,
    pub name: String,
    pub spec: String,
    pub basis: String,
    #[schema(value_type = Object)]
    pub rule: serde_json::Value,
}

/// The deadline catalog in force, with this deployment's overrides (DL-3).
#[utoipa::path(get, path = "/api/v1/deadline-rules", tag = "calendar", responses((status = 200, body = [RuleView])))]
pub async fn rules(
    State(st): State<AppState>,
    ApiUser(_u): ApiUser,
) -> ApiResult<Json<Vec<RuleView>>> {
    Ok(Json(
        st.catalog
            .rules()
            .iter()
            .map(|r| RuleView {
                id: r.id.clone(),
                name: r.name.clone(),
                spec: r.spec.clone(),
                basis: r.basis.clone(),
                rule: serde_json::to_value(r).unwrap_or_default(),
            })
            .collect(),
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeadlineParams {
    /// `open` (running), `missed`, `due_soon` (open, due within `within_days`), `met`, `all`; default open + missed.
    pub status: Option<String>,
    /// For `due_soon`: how many days ahead (default 7).
    pub within_days: Option<i64>,
    pub agency_id: Option<Uuid>,
    /// Page size, 1–100 (default 50).
    pub per_page: Option<i64>,
    /// Deprecated alias of `per_page`.
    pub limit: Option<i64>,
    /// Cursor: the `next` of the previous page (absent for the first page).
    pub after: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DeadlineView {
    #[serde(flatten)]
    pub deadline: Deadline,
    pub rule_name: String,
    pub basis: String,
    /// Days from today (China Standard Time) to the last day; negative when overdue.
    pub days_left: Option<i64>,
}

pub fn deadline_filter(
    status: Option<&str>,
    within_days: Option<i64>,
    agency_id: Option<Uuid>,
) -> ApiResult<DeadlineFilter> {
    let today = crate::service::today_cst();
    let mut f = DeadlineFilter {
        agency_id,
        ..Default::default()
    };
    match status.unwrap_or("") {
        "" => f.statuses = vec!["open".into(), "missed".into()],
        "open" => f.statuses = vec!["open".into()],
        "missed" | "overdue" => f.statuses = vec!["missed".into()],
        "met" => f.statuses = vec!["met".into(), "met_late".into()],
        "all" => {}
        "due_soon" => {
            let days = within_days.unwrap_or(7);
            if !(0..=3650).contains(&days) {
                return Err(ApiError::bad_request(
                    "within_days",
                    "天数应在 0 到 3650 之间",
                ));
            }
            f.statuses = vec!["open".into()];
            f.due_on_or_before = Some(format_date(today + time::Duration::days(days)));
        }
        other => {
            return Err(ApiError::bad_request(
                "status",
                format!("未知的状态「{other}」，可选 open、missed、due_soon、met、all"),
            ));
        }
    }
    Ok(f)
}

pub fn deadline_view(st: &AppState, d: Deadline) -> DeadlineView {
    let today = crate::service::today_cst();
    let (rule_name, basis) = st
        .catalog
        .get(&d.rule_id)
        .map(|r| (r.name.clone(), r.basis.clone()))
        .unwrap_or_default();
    let days_left = d.due.date.map(|due| (due - today).whole_days());
    DeadlineView {
        deadline: d,
        rule_name,
        basis,
        days_left,
    }
}

/// Tracked deadlines in the caller's scope, soonest first (DL-3).
#[utoipa::path(get, path = "/api/v1/deadlines", tag = "calendar", params(DeadlineParams),
    responses((status = 200, body = Paged<DeadlineView>), (status = 400, body = ErrorBody)))]
pub async fn list_deadlines(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiQuery(p): ApiQuery<DeadlineParams>,
) -> ApiResult<Json<Paged<DeadlineView>>> {
    let f = deadline_filter(p.status.as_deref(), p.within_days, p.agency_id)?;
    let page = super::page_of(None, p.per_page.or(p.limit), p.after);
    let list = st.store.deadlines(&u.scope, &f, &page).await?;
    Ok(Json(Paged {
        items: list
            .items
            .into_iter()
            .map(|d| deadline_view(&st, d))
            .collect(),
        next: list.next,
    }))
}

#[utoipa::path(get, path = "/api/v1/deadlines/{id}", tag = "calendar", params(("id" = Uuid, Path)),
    responses((status = 200, body = DeadlineView), (status = 404, body = ErrorBody)))]
pub async fn get_deadline(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<DeadlineView>> {
    Ok(Json(deadline_view(
        &st,
        service::deadline_in_scope(&st, &u, id).await?,
    )))
}

#[utoipa::path(get, path = "/api/v1/agencies/{id}/annual-reports", tag = "calendar", params(("id" = Uuid, Path)),
    responses((status = 200, body = [AnnualReport])))]
pub async fn list_reports(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Vec<AnnualReport>>> {
    service::agency(&st, &u, id).await?;
    Ok(Json(st.store.annual_reports(id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct ReportRequest {
    pub year: i32,
    pub title: String,
    pub url: String,
}

/// Record that the year's enforcement statistics are published (PUB-9); meets the deadline.
#[utoipa::path(post, path = "/api/v1/agencies/{id}/annual-reports", tag = "calendar", params(("id" = Uuid, Path)), request_body = ReportRequest,
    responses((status = 201, body = AnnualReport), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn publish_report(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<Uuid>,
    ApiJson(r): ApiJson<ReportRequest>,
) -> ApiResult<(StatusCode, Json<AnnualReport>)> {
    Ok((
        StatusCode::CREATED,
        Json(service::publish_annual_report(&st, &u, id, r.year, &r.title, &r.url).await?),
    ))
}

// ───────────── suspension, resumption, extension (DL-4, DL-3, REV-5) ─────────────

#[derive(Deserialize, ToSchema)]
pub struct SuspensionRequest {
    /// First day the period stops running (YYYY-MM-DD, not in the future).
    pub from: String,
    /// Why (听证、鉴定、公告…).
    pub reason: String,
}

#[derive(Deserialize, ToSchema)]
pub struct ResumptionRequest {
    /// The day the period runs again after (YYYY-MM-DD, not in the future).
    pub on: String,
}

#[derive(Deserialize, ToSchema)]
pub struct ExtensionRequest {
    /// The approved length, in the rule's unit, at most its cap (强制法第二十五条: 30 days).
    pub days: u32,
    /// The approval document (e.g. 负责人审批表文号).
    pub approval: String,
    pub reason: String,
}

/// Suspend a running deadline (DL-4): the period stops from `from`; the due date is recomputed.
#[utoipa::path(post, path = "/api/v1/deadlines/{id}/suspensions", tag = "calendar", params(("id" = Uuid, Path)), request_body = SuspensionRequest,
    responses((status = 200, body = DeadlineView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn suspend_deadline(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<Uuid>,
    ApiJson(r): ApiJson<SuspensionRequest>,
) -> ApiResult<Json<DeadlineView>> {
    let d = service::suspend_deadline(&st, &u, id, &r.from, &r.reason).await?;
    Ok(Json(deadline_view(&st, d)))
}

/// Resume a suspended deadline (DL-4): the period runs again after `on`.
#[utoipa::path(post, path = "/api/v1/deadlines/{id}/resumptions", tag = "calendar", params(("id" = Uuid, Path)), request_body = ResumptionRequest,
    responses((status = 200, body = DeadlineView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn resume_deadline(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<Uuid>,
    ApiJson(r): ApiJson<ResumptionRequest>,
) -> ApiResult<Json<DeadlineView>> {
    let d = service::resume_deadline(&st, &u, id, &r.on).await?;
    Ok(Json(deadline_view(&st, d)))
}

/// Extend a deadline with the agency head's approval (DL-3, REV-5; 强制法第二十五条): once, at
/// most the rule's cap, before it passes.
#[utoipa::path(post, path = "/api/v1/deadlines/{id}/extensions", tag = "calendar", params(("id" = Uuid, Path)), request_body = ExtensionRequest,
    responses((status = 200, body = DeadlineView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn extend_deadline(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<Uuid>,
    ApiJson(r): ApiJson<ExtensionRequest>,
) -> ApiResult<Json<DeadlineView>> {
    let d = service::extend_deadline(&st, &u, id, r.days, &r.approval, &r.reason).await?;
    Ok(Json(deadline_view(&st, d)))
}
