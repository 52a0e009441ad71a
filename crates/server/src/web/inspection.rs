//! The random-inspection list (双随机、一公开).

use super::common::*;
use super::{Chrome, FormValues, pager, render};
use crate::AppState;
use crate::auth::{CurrentUser, WebUser};
use crate::error::{ApiError, ApiResult};
use crate::service;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use std::collections::HashMap;
use uuid::Uuid;
use zhifa_domain::auth::Permission;
use zhifa_domain::registry::*;

pub fn routes() -> Router<AppState> {
    Router::new().route("/inspection", get(inspection).post(inspection_create))
}

struct InspectionRow {
    name: String,
    agency: String,
    target_kind: String,
    method: String,
    basis: String,
}

#[derive(Template)]
#[template(path = "inspection/list.html")]
struct InspectionT {
    chrome: Chrome,
    q: String,
    total: i64,
    rows: Vec<InspectionRow>,
    pager: String,
    can_create: bool,
    form: FormValues,
    agencies: Vec<(String, String)>,
}

async fn inspection_page(
    st: &AppState,
    u: &CurrentUser,
    p: &HashMap<String, String>,
    form: FormValues,
    chrome: Chrome,
) -> ApiResult<Response> {
    let page = page_of(p);
    let (list, total) = st.store.inspection_items(&u.scope, &page).await?;
    let options = agency_options(st, u).await?;
    let name_of = |id: Uuid| {
        options
            .iter()
            .find(|(i, _)| *i == id.to_string())
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    let can_create = u.can(Permission::ListInspectionItem);
    let rows = list
        .into_iter()
        .map(|r| InspectionRow {
            agency: name_of(r.agency_id),
            name: r.name,
            target_kind: r.target_kind,
            method: r.method,
            basis: r.basis,
        })
        .collect();
    Ok(render(&InspectionT {
        chrome,
        q: param(p, "q").to_string(),
        total,
        rows,
        pager: pager(
            "/inspection",
            &[("q", param(p, "q").to_string())],
            total,
            page.limit,
            page.offset,
        ),
        can_create,
        form,
        agencies: if can_create { options } else { vec![] },
    }))
}

async fn inspection(State(st): State<AppState>, WebUser(u): WebUser, Query(p): Params) -> Response {
    let chrome = Chrome::for_user(&u, "/inspection");
    inspection_page(&st, &u, &p, FormValues::default(), chrome)
        .await
        .unwrap_or_else(|e| error_page(Some(&u), e))
}

async fn inspection_create(
    State(st): State<AppState>,
    WebUser(u): WebUser,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = FormValues(f);
    let d = InspectionDraft {
        agency_id: Uuid::parse_str(f.get("agency_id")).unwrap_or_default(),
        item_id: None,
        name: f.get("name").into(),
        basis: f.get("basis").into(),
        target_kind: f.get("target_kind").into(),
        method: f.get("method").into(),
    };
    match service::list_inspection(&st, &u, &d)
        .await
        .map_err(ApiError::from)
    {
        Ok(_) => Redirect::to("/inspection?saved=1").into_response(),
        Err(e) => {
            let chrome = Chrome::for_user(&u, "/inspection").with_error(&e);
            refused(
                &u,
                e.status,
                inspection_page(&st, &u, &HashMap::new(), f, chrome).await,
            )
        }
    }
}
