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
    total: String,
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
    let list = st.store.inspection_items(&u.scope, &page).await?;
    let can_create = u.can(Permission::ListInspectionItem);
    let options = if can_create {
        agency_options(st, u).await?
    } else {
        vec![]
    };
    let names = agency_names(st, list.items.iter().map(|i| i.agency_id)).await?;
    let name_of = |id: Uuid| names.get(&id).cloned().unwrap_or_default();
    let counted = match page.q {
        None => Some(
            st.store
                .scoped_count(&u.scope, "inspection_items", None, None)
                .await?,
        ),
        Some(_) => None,
    };
    let total = super::count_label(counted, &page, list.items.len(), list.next.is_some(), "项");
    let rows = list
        .items
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
            &page,
            list.next.as_deref(),
        ),
        can_create,
        form,
        agencies: options,
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
