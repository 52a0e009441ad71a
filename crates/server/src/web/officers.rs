//! Enforcement officers and their certificates (REG-2): list, registration, one officer with
//! status changes and trainings.

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
use std::collections::HashMap;
use uuid::Uuid;
use zhifa_domain::auth::Permission;
use zhifa_domain::registry::*;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/officers", get(officers).post(officer_create))
        .route("/officers/{id}", get(officer_detail))
        .route("/officers/{id}/status", post(officer_status))
        .route("/officers/{id}/trainings", post(officer_training))
}

struct OfficerRow {
    id: Uuid,
    name: String,
    certificate_no: String,
    agency: String,
    categories: String,
    valid_to: String,
    status: &'static str,
    status_key: &'static str,
}

#[derive(Template)]
#[template(path = "officers/list.html")]
struct OfficersT {
    chrome: Chrome,
    q: String,
    expiring: bool,
    agency_id: Option<String>,
    total: String,
    rows: Vec<OfficerRow>,
    pager: String,
    can_create: bool,
    form: FormValues,
    agencies: Vec<(String, String)>,
    domains: &'static [&'static str],
}

async fn officers_page(
    st: &AppState,
    u: &CurrentUser,
    p: &HashMap<String, String>,
    form: FormValues,
    chrome: Chrome,
) -> ApiResult<Response> {
    let page = page_of(p);
    let agency_id = Uuid::parse_str(param(p, "agency_id")).ok();
    let expiring = param(p, "expiring") == "1";
    let filter =
        crate::api::officer_filter(agency_id, expiring.then_some(CERTIFICATE_EXPIRING_DAYS))?;
    let list = st.store.officers(&u.scope, &filter, &page).await?;
    let today = service::today_cst();
    let can_create = u.can(Permission::RegisterOfficer);
    let options = if can_create {
        agency_options(st, u).await?
    } else {
        vec![]
    };
    let names = agency_names(st, list.items.iter().map(|o| o.agency_id)).await?;
    let name_of = |id: Uuid| names.get(&id).cloned().unwrap_or_default();
    // Without a text filter the total comes from the per-agency counters.
    let counted = match (&page.q, &filter.expiring) {
        (Some(_), _) => None,
        (None, None) => Some(
            st.store
                .scoped_count(&u.scope, "officers", agency_id, None)
                .await?,
        ),
        (None, Some((from, to))) => Some(
            st.store
                .scoped_count(&u.scope, "officers_valid", agency_id, Some((from, to)))
                .await?,
        ),
    };
    let total = super::count_label(counted, &page, list.items.len(), list.next.is_some(), "人");
    let t = OfficersT {
        chrome,
        q: param(p, "q").to_string(),
        expiring,
        agency_id: agency_id.map(|a| a.to_string()),
        total,
        rows: list
            .items
            .into_iter()
            .map(|o| OfficerRow {
                id: o.id,
                agency: name_of(o.agency_id),
                categories: o.categories.join("、"),
                valid_to: format_date(o.valid_to),
                status: status_badge(&o, today).0,
                status_key: status_badge(&o, today).1,
                name: o.name,
                certificate_no: o.certificate_no,
            })
            .collect(),
        pager: pager(
            "/officers",
            &[
                ("q", param(p, "q").to_string()),
                ("agency_id", param(p, "agency_id").to_string()),
                ("expiring", param(p, "expiring").to_string()),
            ],
            &page,
            list.next.as_deref(),
        ),
        can_create,
        form,
        agencies: options,
        domains: &DOMAINS,
    };
    Ok(render(&t))
}

async fn officers(State(st): State<AppState>, WebUser(u): WebUser, Query(p): Params) -> Response {
    let chrome = Chrome::for_user(&u, "/officers");
    officers_page(&st, &u, &p, FormValues::default(), chrome)
        .await
        .unwrap_or_else(|e| error_page(Some(&u), e))
}

async fn officer_create(
    State(st): State<AppState>,
    WebUser(u): WebUser,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = FormValues(f);
    let draft = OfficerDraft {
        agency_id: Uuid::parse_str(f.get("agency_id")).unwrap_or_default(),
        name: f.get("name").into(),
        id_number: f.get("id_number").into(),
        certificate_no: f.get("certificate_no").into(),
        categories: f.all("categories"),
        region: f.get("region").into(),
        valid_from: f.get("valid_from").into(),
        valid_to: f.get("valid_to").into(),
        legal_qualification: Some(f.get("legal_qualification").to_string()),
    };
    match service::register_officer(&st, &u, &draft)
        .await
        .map_err(ApiError::from)
    {
        Ok(o) => Redirect::to(&format!("/officers/{}?saved=1", o.id)).into_response(),
        Err(e) => {
            let chrome = Chrome::for_user(&u, "/officers").with_error(&e);
            refused(
                &u,
                e.status,
                officers_page(&st, &u, &HashMap::new(), f, chrome).await,
            )
        }
    }
}

#[derive(Template)]
#[template(path = "officers/detail.html")]
struct OfficerT {
    chrome: Chrome,
    o: Officer,
    status_label: &'static str,
    status_key: &'static str,
    agency: Agency,
    region: String,
    valid_from: String,
    valid_to: String,
    trainings: Vec<(String, String, u32, String)>,
    events: Vec<EventRow>,
    can_manage: bool,
}

async fn officer_page(
    st: &AppState,
    u: &CurrentUser,
    id: &str,
    chrome: Chrome,
) -> ApiResult<Response> {
    let id = Uuid::parse_str(id).map_err(|_| ApiError::not_found("执法人员"))?;
    let (o, _) = service::officer(st, u, id).await?;
    let o = crate::api::mask_officer_public(o, u);
    let (agency, _) = service::agency(st, u, o.agency_id).await?;
    let events =
        event_rows(service::stream_records(st, u, &zhifa_domain::StreamId::officer(o.id).0).await?);
    let today = service::today_cst();
    let (status_label, status_key) = status_badge(&o, today);
    Ok(render(&OfficerT {
        chrome,
        status_label,
        status_key,
        region: division_label(&o.region),
        valid_from: format_date(o.valid_from),
        valid_to: format_date(o.valid_to),
        trainings: o
            .trainings
            .iter()
            .map(|t| {
                (
                    format_date(t.date),
                    t.course.clone(),
                    t.hours,
                    t.provider.clone(),
                )
            })
            .collect(),
        can_manage: u.can(Permission::ChangeCertificateStatus) || u.can(Permission::RecordTraining),
        o,
        agency,
        events,
    }))
}

async fn officer_detail(
    State(st): State<AppState>,
    WebUser(u): WebUser,
    Path(id): Path<String>,
    Query(p): Params,
) -> Response {
    let mut chrome = Chrome::for_user(&u, "/officers");
    chrome.notice = saved_notice(&p);
    officer_page(&st, &u, &id, chrome)
        .await
        .unwrap_or_else(|e| error_page(Some(&u), e))
}

async fn after_officer_write(
    st: &AppState,
    u: &CurrentUser,
    id: &str,
    r: ApiResult<Officer>,
) -> Response {
    match r {
        Ok(o) => Redirect::to(&format!("/officers/{}?saved=1", o.id)).into_response(),
        Err(e) => {
            let chrome = Chrome::for_user(u, "/officers").with_error(&e);
            refused(u, e.status, officer_page(st, u, id, chrome).await)
        }
    }
}

async fn officer_status(
    State(st): State<AppState>,
    WebUser(u): WebUser,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = FormValues(f);
    let r = match Uuid::parse_str(&id) {
        Ok(oid) => {
            service::change_certificate_status(&st, &u, oid, f.get("status"), f.get("reason"))
                .await
                .map_err(ApiError::from)
        }
        Err(_) => Err(ApiError::not_found("执法人员")),
    };
    after_officer_write(&st, &u, &id, r).await
}

async fn officer_training(
    State(st): State<AppState>,
    WebUser(u): WebUser,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = FormValues(f);
    let r = match (Uuid::parse_str(&id), f.get("hours").parse::<u32>()) {
        (Ok(oid), Ok(hours)) => {
            let d = TrainingDraft {
                date: f.get("date").into(),
                course: f.get("course").into(),
                hours,
                provider: f.get("provider").into(),
            };
            service::record_training(&st, &u, oid, &d)
                .await
                .map_err(ApiError::from)
        }
        (Err(_), _) => Err(ApiError::not_found("执法人员")),
        (_, Err(_)) => Err(zhifa_domain::DomainError::invalid(
            "hours",
            "bad_number",
            "学时应为 1 到 500 之间的整数",
        )
        .into()),
    };
    after_officer_write(&st, &u, &id, r).await
}
