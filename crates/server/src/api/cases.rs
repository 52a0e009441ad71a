//! Enforcement cases (REC-1): filing, the work list, the case with its timeline, deadlines and
//! next steps, and every later step.

use super::accounts::EventView;
use super::calendar::{DeadlineView, deadline_view};
use super::{ApiJson, ApiQuery, Paged, uuid_param};
use crate::AppState;
use crate::auth::{ApiUser, CurrentUser};
use crate::error::{ApiResult, ErrorBody};
use crate::service;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhifa_domain::case::{
    self, Case, CaseAction, CaseDraft, Decision, NoPenalty, Party, Sanction, Stage, Step,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/cases", get(list_cases).post(file_case))
        .route("/api/v1/cases/{id}", get(get_case))
        .route("/api/v1/cases/{id}/investigations", post(investigate))
        .route("/api/v1/cases/{id}/notices", post(notify))
        .route("/api/v1/cases/{id}/statements", post(statement))
        .route("/api/v1/cases/{id}/hearing-requests", post(request_hearing))
        .route("/api/v1/cases/{id}/hearings", post(hearing))
        .route("/api/v1/cases/{id}/decisions", post(decide))
        .route(
            "/api/v1/cases/{id}/no-penalty-decisions",
            post(decide_no_penalty),
        )
        .route("/api/v1/cases/{id}/services", post(serve))
        .route("/api/v1/cases/{id}/payments", post(pay))
        .route("/api/v1/cases/{id}/closing", post(close))
        .route("/api/v1/cases/{id}/archiving", post(archive))
}

#[derive(Serialize, ToSchema)]
pub struct StepView {
    pub step: Step,
    pub label: &'static str,
}

/// A case as listed: what the work list shows.
#[derive(Serialize, ToSchema)]
pub struct CaseSummary {
    pub id: Uuid,
    pub case_no: String,
    pub agency_id: Uuid,
    pub item_name: String,
    /// The party's name (masked unless the caller may see personal data).
    pub party_name: String,
    pub stage: Stage,
    pub stage_label: &'static str,
    /// YYYY-MM-DD
    pub filed_on: String,
    pub next_steps: Vec<StepView>,
}

/// A case: its stage, party, what was proposed and decided, its records in order, its
/// deadlines and what it needs next.
#[derive(Serialize, ToSchema)]
pub struct CaseDetail {
    pub id: Uuid,
    pub case_no: String,
    pub agency_id: Uuid,
    pub item_id: Uuid,
    pub item_name: String,
    pub stage: Stage,
    pub stage_label: &'static str,
    pub party: Party,
    /// YYYY-MM-DD
    pub committed_on: String,
    pub grave_harm: bool,
    pub facts: String,
    pub officer_ids: Vec<Uuid>,
    /// YYYY-MM-DD
    pub filed_on: String,
    pub proposed: Vec<Sanction>,
    pub decision: Option<Decision>,
    /// The decision not to punish, when the case was decided so.
    pub no_penalty: Option<NoPenalty>,
    pub paid_fen: i64,
    pub next_steps: Vec<StepView>,
    pub timeline: Vec<EventView>,
    pub deadlines: Vec<DeadlineView>,
}

fn next_steps(st: &AppState, u: &CurrentUser, c: &Case) -> Vec<StepView> {
    c.progress
        .next_steps(&st.calendar(), service::today_cst())
        .into_iter()
        // Offered to whoever may take it (the domain's rule, as the step itself checks).
        .filter(|s| case::may_take(&u.actor, c, *s).is_ok())
        .map(|step| StepView {
            step,
            label: step.label(),
        })
        .collect()
}

fn date(d: Option<time::Date>) -> String {
    d.map(zhifa_domain::registry::format_date)
        .unwrap_or_default()
}

pub(crate) fn summary(st: &AppState, u: &CurrentUser, c: &Case) -> CaseSummary {
    CaseSummary {
        id: c.id,
        case_no: c.case_no.clone(),
        agency_id: c.agency_id,
        item_name: c.item_name.clone(),
        party_name: service::party_view(u, c).name,
        stage: c.stage(),
        stage_label: c.stage().label(),
        filed_on: date(c.progress.filed_on),
        next_steps: next_steps(st, u, c),
    }
}

pub(crate) async fn detail(st: &AppState, u: &CurrentUser, c: Case) -> ApiResult<CaseDetail> {
    let timeline = service::case_timeline(st, u, &c).await?;
    detail_with(st, u, c, timeline).await
}

/// A case with the given records as its `timeline` (a step's answer carries only the record
/// it added: reading the whole history on every step made a long case slower with each one).
async fn detail_with(
    st: &AppState,
    u: &CurrentUser,
    c: Case,
    timeline: Vec<zhifa_store::Recorded>,
) -> ApiResult<CaseDetail> {
    let deadlines = st
        .store
        .deadlines_of(&zhifa_domain::StreamId::case(c.id).0)
        .await?
        .into_iter()
        .map(|(d, _)| deadline_view(st, d))
        .collect();
    Ok(CaseDetail {
        id: c.id,
        case_no: c.case_no.clone(),
        agency_id: c.agency_id,
        item_id: c.item_id,
        item_name: c.item_name.clone(),
        stage: c.stage(),
        stage_label: c.stage().label(),
        party: service::party_view(u, &c),
        committed_on: date(Some(c.offence.committed_on)),
        grave_harm: c.offence.grave_harm,
        facts: c.facts.clone(),
        officer_ids: c.officer_ids.clone(),
        filed_on: date(c.progress.filed_on),
        proposed: c.proposed.clone(),
        decision: c.decision.clone(),
        no_penalty: c.no_penalty.clone(),
        paid_fen: c.progress.paid_fen,
        next_steps: next_steps(st, u, &c),
        timeline: timeline.into_iter().map(EventView::from).collect(),
        deadlines,
    })
}

/// 立案 (REC-1): the limitation period (处罚法第三十六条), the party's identifier and two
/// officers of the agency who may act (第四十二条) are checked; the case number is the agency's
/// next of the year, and the 90-day decision deadline (第六十条) opens.
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = CaseDraft,
    responses((status = 201, body = CaseDetail), (status = 422, body = ErrorBody)))]
pub async fn file_case(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiJson(d): ApiJson<CaseDraft>,
) -> ApiResult<(StatusCode, Json<CaseDetail>)> {
    let c = service::file_case(&st, &u, &d).await?;
    Ok((StatusCode::CREATED, Json(detail(&st, &u, c).await?)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseParams {
    /// Only cases not closed yet.
    #[serde(default)]
    pub open: bool,
    pub agency_id: Option<Uuid>,
    /// Page size, 1–100 (default 50).
    pub per_page: Option<i64>,
    /// Cursor: the `next` of the previous page (absent for the first page).
    pub after: Option<String>,
}

/// The work list: cases in scope, open ones first, the oldest filing first.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(CaseParams),
    responses((status = 200, body = Paged<CaseSummary>)))]
pub async fn list_cases(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiQuery(p): ApiQuery<CaseParams>,
) -> ApiResult<Json<Paged<CaseSummary>>> {
    let filter = zhifa_store::CaseFilter {
        agency_id: p.agency_id,
        open_only: p.open,
    };
    let page = super::page_of(None, p.per_page, p.after.clone());
    let list = service::work_list(&st, &u, &filter, &page).await?;
    Ok(Json(Paged {
        items: list.items.iter().map(|c| summary(&st, &u, c)).collect(),
        next: list.next,
    }))
}

#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = Uuid, Path)),
    responses((status = 200, body = CaseDetail), (status = 404, body = ErrorBody)))]
pub async fn get_case(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<CaseDetail>> {
    let (c, _) = service::case_in_scope(&st, &u, uuid_param("id", &id)?).await?;
    Ok(Json(detail(&st, &u, c).await?))
}

async fn take(
    st: &AppState,
    u: &CurrentUser,
    id: &str,
    a: CaseAction,
) -> ApiResult<Json<CaseDetail>> {
    let c = service::case_action(st, u, uuid_param("id", id)?, &a).await?;
    let added = service::case_latest_record(st, u, &c).await?;
    Ok(Json(detail_with(st, u, c, added).await?))
}

/// One endpoint per step (REC-1). Out-of-order steps are refused (409) naming what is missing
/// or the article that stops them; bad fields are 422 naming the field. The answer is the case
/// with, as its `timeline`, the one record the step added (`GET` the case for all of them).
macro_rules! step_endpoints {
    ($($name:ident, $path:literal, $variant:ident, $body:ident, $doc:literal;)*) => {$(
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "cases", params(("id" = Uuid, Path)),
            request_body = case::$body,
            responses((status = 200, body = CaseDetail), (status = 404, body = ErrorBody),
                (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
        pub async fn $name(
            State(st): State<AppState>,
            ApiUser(u): ApiUser,
            Path(id): Path<String>,
            ApiJson(b): ApiJson<case::$body>,
        ) -> ApiResult<Json<CaseDetail>> {
            take(&st, &u, &id, CaseAction::$variant(b)).await
        }
    )*};
}

step_endpoints! {
    investigate, "/api/v1/cases/{id}/investigations", Investigate, InvestigateStep,
        "调查取证：询问笔录或现场检查（勘验）笔录，两名持有效执法证的执法人员（处罚法第四十二条）。";
    notify, "/api/v1/cases/{id}/notices", Notify, NotifyStep,
        "送达行政处罚事先告知书：拟处罚内容、事实、理由、依据及陈述申辩、听证权利（第四十四条）。";
    statement, "/api/v1/cases/{id}/statements", Statement, StatementStep,
        "记录陈述申辩，或当事人书面放弃陈述、申辩和听证（第四十五条）。";
    request_hearing, "/api/v1/cases/{id}/hearing-requests", RequestHearing, HearingRequestStep,
        "登记听证申请：告知后五个工作日内（第六十四条）。";
    hearing, "/api/v1/cases/{id}/hearings", Hearing, HearingStep,
        "举行听证：申请后七个工作日以后，由非本案调查人员主持（第六十四条）。";
    decide, "/api/v1/cases/{id}/decisions", Decide, DecisionStep,
        "作出行政处罚决定：机关负责人（第五十七条），不重于告知，对照裁量基准（第三十四条）。";
    decide_no_penalty, "/api/v1/cases/{id}/no-penalty-decisions", DecideNoPenalty, NoPenaltyStep,
        "作出不予行政处罚决定：机关负责人，写明理由（第三十条、第三十一条、第三十三条、第三十六条、第五十七条）；无须事先告知。";
    serve, "/api/v1/cases/{id}/services", Serve, ServiceStep,
        "送达处罚决定书；电子送达须当事人同意（第六十一条）。";
    pay, "/api/v1/cases/{id}/payments", Pay, PaymentStep,
        "登记缴纳罚款（第六十七条）。";
    close, "/api/v1/cases/{id}/closing", Close, ClosingStep,
        "结案：罚款缴清、执行完毕。";
    archive, "/api/v1/cases/{id}/archiving", Archive, ArchivingStep,
        "归档。";
}
