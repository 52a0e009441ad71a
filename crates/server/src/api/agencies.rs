//! Enforcement agencies (REG-1).

use super::{ApiJson, ListParams, Paged, paged, uuid_param};
use crate::AppState;
use crate::api::ApiQuery;
use crate::auth::ApiUser;
use crate::error::{ApiResult, ErrorBody};
use crate::service;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use zhifa_domain::registry::*;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/agencies", get(list_agencies).post(create_agency))
        .route("/api/v1/agencies/{id}", get(get_agency).put(update_agency))
}

// ───────────── agencies ─────────────

/// Enforcement bodies visible to the caller (REG-1).
#[utoipa::path(get, path = "/api/v1/agencies", tag = "registry", params(ListParams),
    responses((status = 200, body = Paged<Agency>), (status = 401, body = ErrorBody)))]
pub async fn list_agencies(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<Paged<Agency>>> {
    let page = p.page();
    Ok(paged(st.store.agencies(&u.scope, &page).await?))
}

/// Register an enforcement body (REG-1, REG-7).
#[utoipa::path(post, path = "/api/v1/agencies", tag = "registry", request_body = AgencyDraft,
    responses((status = 201, body = Agency), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create_agency(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiJson(d): ApiJson<AgencyDraft>,
) -> ApiResult<(StatusCode, Json<Agency>)> {
    Ok((
        StatusCode::CREATED,
        Json(service::register_agency(&st, &u, &d).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/agencies/{id}", tag = "registry", params(("id" = Uuid, Path)),
    responses((status = 200, body = Agency), (status = 404, body = ErrorBody)))]
pub async fn get_agency(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Agency>> {
    Ok(Json(
        service::agency(&st, &u, uuid_param("id", &id)?).await?.0,
    ))
}

#[utoipa::path(put, path = "/api/v1/agencies/{id}", tag = "registry", params(("id" = Uuid, Path)), request_body = AgencyDraft,
    responses((status = 200, body = Agency), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update_agency(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    ApiJson(d): ApiJson<AgencyDraft>,
) -> ApiResult<Json<Agency>> {
    Ok(Json(
        service::update_agency(&st, &u, uuid_param("id", &id)?, &d).await?,
    ))
}
