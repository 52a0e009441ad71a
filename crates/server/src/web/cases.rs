//! Enforcement cases in the console (REC-1): the officer's work list, the filing form, and the
//! case page — its facts, deadlines, the timeline of every record with its proof, and a form
//! for each step the case may take now, explaining a refusal in place.

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
use serde_json::{Value, json};
use uuid::Uuid;
use zhifa_domain::auth::Permission;
use zhifa_domain::case::{CaseAction, CaseDraft, PartyDraft, PartyKind, Step};
use zhifa_store::{CaseFilter, ItemFilter, OfficerFilter, Page};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases", get(list).post(file))
        .route("/cases/new", get(new_case))
        .route("/cases/{id}", get(detail))
        .route("/cases/{id}/steps", post(step))
}

struct CaseRow {
    id: Uuid,
    case_no: String,
    party: String,
    item: String,
    stage: &'static str,
    filed_on: String,
    next: String,
}

#[derive(Template)]
#[template(path = "cases/list.html")]
struct ListT {
    chrome: Chrome,
    rows: Vec<CaseRow>,
    total: String,
    pager: String,
    open_only: bool,
    can_file: bool,
}

async fn list(State(st): State<AppState>, WebUser(u): WebUser, Query(p): Params) -> Response {
    let r: ApiResult<Response> = async {
        let open_only = param(&p, "open") == "1";
        let page = page_of(&p);
        let filter = CaseFilter {
            agency_id: None,
            open_only,
        };
        let list = service::work_list(&st, &u, &filter, &page).await?;
        let total = super::count_label(None, &page, list.items.len(), list.next.is_some(), "件");
        let rows = list
            .items
            .iter()
            .map(|c| {
                let s = crate::api::case_summary(&st, &u, c);
                CaseRow {
                    id: s.id,
                    case_no: s.case_no,
                    party: s.party_name,
                    item: s.item_name,
                    stage: s.stage_label,
                    filed_on: s.filed_on,
                    next: s
                        .next_steps
                        .iter()
                        .map(|n| n.label)
                        .collect::<Vec<_>>()
                        .join("、"),
                }
            })
            .collect();
        let mut chrome = Chrome::for_user(&u, "/cases");
        chrome.notice = saved_notice(&p);
        Ok(render(&ListT {
            chrome,
            rows,
            total,
            pager: pager(
                "/cases",
                &[(
                    "open",
                    if open_only {
                        "1".to_string()
                    } else {
                        String::new()
                    },
                )],
                &page,
                list.next.as_deref(),
            ),
            open_only,
            can_file: u.can(Permission::EnforceInField),
        }))
    }
    .await;
    r.unwrap_or_else(|e| error_page(Some(&u), e))
}

#[derive(Template)]
#[template(path = "cases/new.html")]
struct NewT {
    chrome: Chrome,
    form: FormValues,
    items: Vec<(String, String)>,
    officers: Vec<(String, String)>,
}

async fn new_form(
    st: &AppState,
    u: &CurrentUser,
    form: FormValues,
    chrome: Chrome,
) -> ApiResult<Response> {
    u.actor.require(Permission::EnforceInField)?;
    let items = st
        .store
        .item_rows(
            &u.scope,
            &ItemFilter {
                category: Some("penalty".into()),
                agency_id: Some(u.agency.id),
                as_of: None,
            },
            &Page::first(100),
        )
        .await?
        .items
        .into_iter()
        .map(|i| (i.item_id.to_string(), format!("{}（{}）", i.name, i.code)))
        .collect();
    let officers = officer_choices(
        st,
        u,
        u.agency.id,
        &u.agency.domain,
        &u.agency.division_code,
    )
    .await?;
    Ok(render(&NewT {
        chrome,
        form,
        items,
        officers,
    }))
}

async fn new_case(State(st): State<AppState>, WebUser(u): WebUser) -> Response {
    new_form(
        &st,
        &u,
        FormValues::default(),
        Chrome::for_user(&u, "/cases"),
    )
    .await
    .unwrap_or_else(|e| error_page(Some(&u), e))
}

/// The agency's officers for a form: those who may act today first, the others marked with
/// why not (the rule refuses them anyway, naming them).
async fn officer_choices(
    st: &AppState,
    u: &CurrentUser,
    agency: Uuid,
    domain: &str,
    region: &str,
) -> ApiResult<Vec<(String, String)>> {
    let today = service::today_cst();
    let domain = zhifa_domain::registry::EnforcementDomain::parse(domain);
    let mut all: Vec<(bool, bool, String, String)> = st
        .store
        .officers(
            &u.scope,
            &OfficerFilter::of_agency(agency),
            &Page::first(100),
        )
        .await?
        .items
        .into_iter()
        .map(|o| {
            let why = match domain {
                Some(d) => o.may_act(d, region, today).err().map(|e| e.message),
                None => Some("本机关的执法领域未登记".into()),
            };
            let me = if u.officer_id == Some(o.id) {
                "（本人）"
            } else {
                ""
            };
            let label = match &why {
                None => format!("{}{me}（{}）· 执法证有效", o.name, o.certificate_no),
                Some(w) => format!("{}{me}（{}）· 不能执法：{w}", o.name, o.certificate_no),
            };
            (
                why.is_none(),
                u.officer_id == Some(o.id),
                o.id.to_string(),
                label,
            )
        })
        .collect();
    // Those who may act today first, the signed-in officer first among them.
    all.sort_by_key(|(ok, me, _, _)| (!*ok, !*me));
    Ok(all
        .into_iter()
        .map(|(_, _, id, label)| (id, label))
        .collect())
}

fn uuid_of(field: &str, s: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(s.trim()).map_err(|_| ApiError::bad_request(field, "请选择"))
}

async fn file(
    State(st): State<AppState>,
    WebUser(u): WebUser,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = FormValues(f);
    let draft = || -> Result<CaseDraft, ApiError> {
        Ok(CaseDraft {
            item_id: uuid_of("item_id", f.get("item_id"))?,
            party: PartyDraft {
                kind: match f.get("party_kind") {
                    "citizen" => Some(PartyKind::Citizen),
                    "organisation" => Some(PartyKind::Organisation),
                    _ => None,
                },
                name: f.get("party_name").into(),
                id_number: f.get("party_id_number").into(),
                address: f.get("party_address").into(),
                phone: f.get("party_phone").into(),
            },
            committed_on: f.get("committed_on").into(),
            ended_on: Some(f.get("ended_on").to_string()),
            grave_harm: f.get("grave_harm") == "true",
            facts: f.get("facts").into(),
            officer_ids: f
                .all("officer_ids")
                .iter()
                .filter_map(|s| Uuid::parse_str(s).ok())
                .collect(),
            filed_on: Some(f.get("filed_on").to_string()),
        })
    };
    let r = match draft() {
        Ok(d) => service::file_case(&st, &u, &d)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    match r {
        Ok(c) => Redirect::to(&format!("/cases/{}?saved=1", c.id)).into_response(),
        Err(e) => {
            let chrome = Chrome::for_user(&u, "/cases").with_error(&e);
            refused(&u, e.status, new_form(&st, &u, f, chrome).await)
        }
    }
}

struct TimelineRow {
    seq: i64,
    time: String,
    label: String,
    actor: String,
}

#[derive(Template)]
#[template(path = "cases/detail.html")]
struct DetailT {
    chrome: Chrome,
    c: crate::api::CaseDetailView,
    party_kind: &'static str,
    proposed: String,
    decided: String,
    no_penalty: String,
    /// The grounds of a decision not to punish, as (key, label).
    grounds: Vec<(&'static str, &'static str)>,
    paid: String,
    deadlines: Vec<(String, String, &'static str)>,
    timeline: Vec<TimelineRow>,
    steps: Vec<(&'static str, &'static str)>,
    officers: Vec<(String, String)>,
    today: String,
    form: FormValues,
}

impl DetailT {
    fn offers(&self, key: &str) -> bool {
        self.steps.iter().any(|(k, _)| *k == key)
    }
}

fn step_key(s: Step) -> &'static str {
    match s {
        Step::RecordInvestigation => "investigate",
        Step::ServeNotice => "notify",
        Step::RecordStatement => "statement",
        Step::RequestHearing => "request_hearing",
        Step::HoldHearing => "hearing",
        Step::Decide => "decide",
        Step::DecideNoPenalty => "decide_no_penalty",
        Step::ServeDecision => "serve",
        Step::RecordPayment => "pay",
        Step::Close => "close",
        Step::Archive => "archive",
    }
}

async fn detail_page(
    st: &AppState,
    u: &CurrentUser,
    id: Uuid,
    form: FormValues,
    chrome: Chrome,
) -> ApiResult<Response> {
    let (c, _) = service::case_in_scope(st, u, id).await?;
    let (domain, region) = (c.domain.clone(), c.region.clone());
    let view = crate::api::case_detail_view(st, u, c).await?;
    let timeline = view
        .timeline
        .iter()
        .map(|e| TimelineRow {
            seq: e.seq,
            time: super::cst(e.recorded_at),
            label: zhifa_domain::event::label_of(&e.kind)
                .unwrap_or(&e.kind)
                .to_string(),
            actor: e.actor_name.clone(),
        })
        .collect();
    let steps = view
        .next_steps
        .iter()
        .map(|s| (step_key(s.step), s.label))
        .collect();
    let officers = officer_choices(st, u, view.agency_id, &domain, &region).await?;
    let deadlines = view
        .deadlines
        .iter()
        .map(|d| {
            (
                d.rule_name.clone(),
                d.deadline
                    .due
                    .date
                    .map(zhifa_domain::registry::format_date)
                    .unwrap_or_default(),
                d.deadline.status.label(),
            )
        })
        .collect();
    Ok(render(&DetailT {
        chrome,
        party_kind: view.party.kind.label(),
        proposed: sanctions_text(&view.proposed),
        decided: view
            .decision
            .as_ref()
            .map(|d| {
                format!(
                    "{}（{}作出；裁量：{}）",
                    sanctions_text(&d.sanctions),
                    zhifa_domain::registry::format_date(d.decided_on),
                    match d.fit {
                        zhifa_domain::case::BenchmarkFit::Within => "在裁量基准之内".to_string(),
                        zhifa_domain::case::BenchmarkFit::OutsideWithReason => format!(
                            "超出裁量基准，理由：{}",
                            d.departure_reason.clone().unwrap_or_default()
                        ),
                        zhifa_domain::case::BenchmarkFit::NoBenchmark =>
                            "该事项尚无裁量基准".to_string(),
                    }
                )
            })
            .unwrap_or_default(),
        no_penalty: view
            .no_penalty
            .as_ref()
            .map(|n| {
                format!(
                    "不予行政处罚（{}作出）：{}。{}",
                    zhifa_domain::registry::format_date(n.decided_on),
                    n.ground.label(),
                    n.reasons
                )
            })
            .unwrap_or_default(),
        grounds: zhifa_domain::case::NoPenaltyGround::ALL
            .iter()
            .map(|g| (g.key(), g.label()))
            .collect(),
        paid: yuan(view.paid_fen),
        deadlines,
        c: view,
        timeline,
        steps,
        officers,
        today: zhifa_domain::registry::format_date(service::today_cst()),
        form,
    }))
}

async fn detail(
    State(st): State<AppState>,
    WebUser(u): WebUser,
    Path(id): Path<String>,
    Query(p): Params,
) -> Response {
    let Ok(id) = Uuid::parse_str(&id) else {
        return error_page(Some(&u), ApiError::not_found("案件"));
    };
    let mut chrome = Chrome::for_user(&u, "/cases");
    chrome.notice = saved_notice(&p);
    detail_page(&st, &u, id, FormValues::default(), chrome)
        .await
        .unwrap_or_else(|e| error_page(Some(&u), e))
}

/// What a list of penalties says, e.g. 「警告；罚款 8000 元」.
fn sanctions_text(s: &[zhifa_domain::case::Sanction]) -> String {
    use zhifa_domain::case::Sanction;
    s.iter()
        .map(|x| match x {
            Sanction::Fine { fen } => format!("罚款 {}", yuan(*fen)),
            Sanction::Confiscation { fen } => format!("没收 {}", yuan(*fen)),
            other => other.label().to_string(),
        })
        .collect::<Vec<_>>()
        .join("；")
}

/// Yuan as typed (e.g. `8000` or `200.5`) to fen.
fn fen_of(field: &str, s: &str) -> Result<i64, ApiError> {
    let t = s.trim();
    let bad = || ApiError::bad_request(field, "金额应为元，最多两位小数，如 8000 或 200.50");
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty()
        || frac.len() > 2
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return Err(bad());
    }
    let w: i64 = whole.parse().map_err(|_| bad())?;
    let f: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
    w.checked_mul(100)
        .and_then(|x| x.checked_add(f))
        .ok_or_else(bad)
}

/// The penalty a form proposes or decides: a warning and/or a fine in yuan.
fn sanctions_of(f: &FormValues) -> Result<Value, ApiError> {
    let mut s = vec![];
    if f.get("warning") == "true" {
        s.push(json!({"kind": "warning"}));
    }
    if !f.get("fine_yuan").trim().is_empty() {
        s.push(json!({"kind": "fine", "fen": fen_of("fine_yuan", f.get("fine_yuan"))?}));
    }
    Ok(Value::Array(s))
}

/// The form of a step as the API's action.
fn action_of(f: &FormValues) -> Result<CaseAction, ApiError> {
    let action = f.get("action");
    let mut v = json!({"action": action, "on": f.get("on")});
    let m = v.as_object_mut().expect("an object");
    let text = |k: &str| Value::String(f.get(k).to_string());
    match action {
        "investigate" => {
            m.insert("kind".into(), text("kind"));
            m.insert("place".into(), text("place"));
            m.insert("summary".into(), text("summary"));
            m.insert("officer_ids".into(), json!(f.all("officer_ids")));
        }
        "notify" => {
            m.insert("proposed".into(), sanctions_of(f)?);
            m.insert("facts".into(), text("facts"));
            m.insert("basis".into(), text("basis"));
        }
        "statement" => {
            m.insert("summary".into(), text("summary"));
            m.insert("waived".into(), json!(f.get("waived") == "true"));
        }
        "hearing" => {
            m.insert("chair_id".into(), text("chair_id"));
            m.insert("summary".into(), text("summary"));
        }
        "decide" => {
            m.insert("sanctions".into(), sanctions_of(f)?);
            m.insert("severity".into(), text("severity"));
            m.insert("reasons".into(), text("reasons"));
            let reason = f.get("departure_reason").trim();
            if !reason.is_empty() {
                m.insert("departure_reason".into(), json!(reason));
            }
        }
        "decide_no_penalty" => {
            m.insert("ground".into(), text("ground"));
            m.insert("reasons".into(), text("reasons"));
        }
        "serve" => {
            m.insert("method".into(), text("method"));
            m.insert("consent".into(), json!(f.get("consent") == "true"));
        }
        "pay" => {
            m.insert("fen".into(), json!(fen_of("fen", f.get("amount_yuan"))?));
        }
        "close" => {
            m.insert("summary".into(), text("summary"));
        }
        _ => {}
    }
    serde_json::from_value(v).map_err(|e| {
        ApiError::bad_request(
            "action",
            format!(
                "表单内容不完整：{}",
                crate::api::describe_serde(&e.to_string())
            ),
        )
    })
}

async fn step(
    State(st): State<AppState>,
    WebUser(u): WebUser,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = FormValues(f);
    let Ok(id) = Uuid::parse_str(&id) else {
        return error_page(Some(&u), ApiError::not_found("案件"));
    };
    let r = match action_of(&f) {
        Ok(a) => service::case_action(&st, &u, id, &a)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    match r {
        Ok(_) => Redirect::to(&format!("/cases/{id}?saved=1")).into_response(),
        Err(e) => {
            let chrome = Chrome::for_user(&u, "/cases").with_error(&e);
            refused(&u, e.status, detail_page(&st, &u, id, f, chrome).await)
        }
    }
}
