//! Enforcement officers and their certificates (REG-2).

use super::{ApiJson, Paged, paged, uuid_param};
use crate::AppState;
use crate::api::ApiQuery;
use crate::auth::{ApiUser, CurrentUser};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::service;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhifa_domain::registry::*;
use zhifa_store::OfficerFilter;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/officers", get(list_officers).post(create_officer))
        .route(
            "/api/v1/officers/{id}",
            get(get_officer).put(update_officer),
        )
        .route("/api/v1/officers/{id}/status", post(set_certificate_status))
        .route("/api/v1/officers/{id}/trainings", post(add_training))
}

/// Personal data of officers is shown in full only to those with
/// `Permission::ViewPersonalData`; the masking is the domain's one rule (`Officer::view_for`).
pub fn mask_officer(o: Officer, u: &CurrentUser) -> Officer {
    o.view_for(&u.actor)
}

// ───────────── officers ─────────────

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OfficerParams {
    pub agency_id: Option<Uuid>,
    /// Only valid certificates expiring within this many days from today (China Standard Time).
    pub expiring_within_days: Option<i64>,
    pub q: Option<String>,
    /// Page size, 1–100 (default 50).
    pub per_page: Option<i64>,
    /// Deprecated alias of `per_page`.
    pub limit: Option<i64>,
    /// Cursor: the `next` of the previous page (absent for the first page).
    pub after: Option<String>,
}

/// Officers visible to the caller (REG-2). ID numbers are masked unless the caller administers them.
#[utoipa::path(get, path = "/api/v1/officers", tag = "registry", params(OfficerParams),
    responses((status = 200, body = Paged<Officer>)))]
pub async fn list_officers(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiQuery(p): ApiQuery<OfficerParams>,
) -> ApiResult<Json<Paged<Officer>>> {
    let page = super::page_of(p.q, p.per_page.or(p.limit), p.after);
    let filter = officer_filter(p.agency_id, p.expiring_within_days)?;
    let list = st.store.officers(&u.scope, &filter, &page).await?;
    Ok(paged(zhifa_store::List {
        items: list
            .items
            .into_iter()
            .map(|o| mask_officer(o, &u))
            .collect(),
        next: list.next,
    }))
}

pub fn officer_filter(
    agency_id: Option<Uuid>,
    expiring_within_days: Option<i64>,
) -> ApiResult<OfficerFilter> {
    let expiring = match expiring_within_days {
        None => None,
        Some(d) if (0..=3650).contains(&d) => {
            let today = crate::service::today_cst();
            Some((
                format_date(today),
                format_date(today + time::Duration::days(d)),
            ))
        }
        Some(_) => {
            return Err(ApiError::bad_request(
                "expiring_within_days",
                "天数应在 0 到 3650 之间",
            ));
        }
    };
    Ok(OfficerFilter {
        agency_id,
        expiring,
    })
}

/// Register an officer with a certificate (REG-2).
#[utoipa::path(post, path = "/api/v1/officers", tag = "registry", request_body = OfficerDraft,
    responses((status = 201, body = Officer), (status = 422, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create_officer(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiJson(d): ApiJson<OfficerDraft>,
) -> ApiResult<(StatusCode, Json<Officer>)> {
    Ok((
        StatusCode::CREATED,
        Json(service::register_officer(&st, &u, &d).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/officers/{id}", tag = "registry", params(("id" = Uuid, Path)),
    responses((status = 200, body = Officer), (status = 404, body = ErrorBody)))]
pub async fn get_officer(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Officer>> {
    let o = service::officer(&st, &u, uuid_param("id", &id)?).await?.0;
    Ok(Json(mask_officer(o, &u)))
}

#[utoipa::path(put, path = "/api/v1/officers/{id}", tag = "registry", params(("id" = Uuid, Path)), request_body = OfficerDraft,
    responses((status = 200, body = Officer), (status = 422, body = ErrorBody)))]
pub async fn update_officer(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    ApiJson(d): ApiJson<OfficerDraft>,
) -> ApiResult<Json<Officer>> {
    Ok(Json(
        service::update_officer(&st, &u, uuid_param("id", &id)?, &d).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct StatusChange {
    /// valid | suspended | revoked (or 有效/暂停/注销)
    pub status: String,
    pub reason: String,
}

/// Suspend, reinstate or revoke a certificate (REG-2).
#[utoipa::path(post, path = "/api/v1/officers/{id}/status", tag = "registry", params(("id" = Uuid, Path)), request_body = StatusChange,
    responses((status = 200, body = Officer), (status = 409, body = ErrorBody)))]
pub async fn set_certificate_status(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    ApiJson(c): ApiJson<StatusChange>,
) -> ApiResult<Json<Officer>> {
    Ok(Json(
        service::change_certificate_status(&st, &u, uuid_param("id", &id)?, &c.status, &c.reason)
            .await?,
    ))
}

/// Record a training (REG-2).
#[utoipa::path(post, path = "/api/v1/officers/{id}/trainings", tag = "registry", params(("id" = Uuid, Path)), request_body = TrainingDraft,
    responses((status = 200, body = Officer), (status = 422, body = ErrorBody)))]
pub async fn add_training(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    ApiJson(d): ApiJson<TrainingDraft>,
) -> ApiResult<Json<Officer>> {
    Ok(Json(
        service::record_training(&st, &u, uuid_param("id", &id)?, &d).await?,
    ))
}
