//! The power list (REG-3): items and their versions, service guides (REG-5), discretion
//! benchmarks (REG-6), flowcharts; and the random-inspection list (REG-4).

use super::{ApiJson, ListParams, Paged, paged, uuid_param};
use crate::AppState;
use crate::api::ApiQuery;
use crate::auth::ApiUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::{flowchart, service};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhifa_domain::DomainError;
use zhifa_domain::registry::*;
use zhifa_store::ItemFilter;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/items", get(list_items).post(create_item))
        .route("/api/v1/items/{id}", get(get_item))
        .route(
            "/api/v1/items/{id}/versions",
            get(item_versions).post(revise_item),
        )
        .route("/api/v1/items/{id}/guide", get(get_guide).put(put_guide))
        .route(
            "/api/v1/items/{id}/discretion",
            get(get_discretion).put(put_discretion),
        )
        .route("/api/v1/items/{id}/flowchart.svg", get(flowchart))
        .route(
            "/api/v1/inspection-items",
            get(list_inspection).post(create_inspection),
        )
}

// ───────────── power list ─────────────

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ItemParams {
    /// One of the eight category keys (penalty, license…).
    pub category: Option<String>,
    pub agency_id: Option<Uuid>,
    /// YYYY-MM-DD: the list as it stood that day.
    pub as_of: Option<String>,
    pub q: Option<String>,
    /// Page size, 1–100 (default 50).
    pub per_page: Option<i64>,
    /// Deprecated alias of `per_page`.
    pub limit: Option<i64>,
    /// Cursor: the `next` of the previous page (absent for the first page).
    pub after: Option<String>,
}

/// The power list (REG-3), optionally as it stood on a date.
#[utoipa::path(get, path = "/api/v1/items", tag = "registry", params(ItemParams),
    responses((status = 200, body = Paged<ItemVersion>), (status = 422, body = ErrorBody)))]
pub async fn list_items(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiQuery(p): ApiQuery<ItemParams>,
) -> ApiResult<Json<Paged<ItemVersion>>> {
    let filter = item_filter(p.category.as_deref(), p.agency_id, p.as_of.as_deref())?;
    let page = super::page_of(p.q, p.per_page.or(p.limit), p.after);
    Ok(paged(st.store.items(&u.scope, &filter, &page).await?))
}

pub fn item_filter(
    category: Option<&str>,
    agency_id: Option<Uuid>,
    as_of: Option<&str>,
) -> ApiResult<ItemFilter> {
    let category = match category.map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => Some(
            Category::parse(c)
                .ok_or_else(|| {
                    DomainError::invalid(
                        "category",
                        "unknown_category",
                        format!("未知的事项类别「{c}」"),
                    )
                })?
                .as_str()
                .to_string(),
        ),
        None => None,
    };
    let as_of = match as_of.map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => Some(format_date(parse_date("as_of", d)?)),
        None => None,
    };
    Ok(ItemFilter {
        category,
        agency_id,
        as_of,
    })
}

/// Add an item to the power list (version 1).
#[utoipa::path(post, path = "/api/v1/items", tag = "registry", request_body = ItemDraft,
    responses((status = 201, body = ItemVersion), (status = 422, body = ErrorBody)))]
pub async fn create_item(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiJson(d): ApiJson<ItemDraft>,
) -> ApiResult<(StatusCode, Json<ItemVersion>)> {
    Ok((
        StatusCode::CREATED,
        Json(service::create_item(&st, &u, &d).await?),
    ))
}

/// The current version of an item.
#[utoipa::path(get, path = "/api/v1/items/{id}", tag = "registry", params(("id" = Uuid, Path)),
    responses((status = 200, body = ItemVersion), (status = 404, body = ErrorBody)))]
pub async fn get_item(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<ItemVersion>> {
    Ok(Json(
        service::item(&st, &u, uuid_param("id", &id)?).await?.0,
    ))
}

/// Every version of an item, oldest first (REG-3).
#[utoipa::path(get, path = "/api/v1/items/{id}/versions", tag = "registry", params(("id" = Uuid, Path)),
    responses((status = 200, body = [ItemVersion]), (status = 404, body = ErrorBody)))]
pub async fn item_versions(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<ItemVersion>>> {
    let id = uuid_param("id", &id)?;
    service::item(&st, &u, id).await?;
    Ok(Json(st.store.item_versions(id).await?))
}

/// Publish a new version (change with effective date and reason; REG-3).
#[utoipa::path(post, path = "/api/v1/items/{id}/versions", tag = "registry", params(("id" = Uuid, Path)), request_body = ItemDraft,
    responses((status = 201, body = ItemVersion), (status = 422, body = ErrorBody)))]
pub async fn revise_item(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    ApiJson(d): ApiJson<ItemDraft>,
) -> ApiResult<(StatusCode, Json<ItemVersion>)> {
    Ok((
        StatusCode::CREATED,
        Json(service::revise_item(&st, &u, uuid_param("id", &id)?, &d).await?),
    ))
}

/// Service guide of an item (REG-5).
#[utoipa::path(get, path = "/api/v1/items/{id}/guide", tag = "registry", params(("id" = Uuid, Path)),
    responses((status = 200, body = ServiceGuide), (status = 404, body = ErrorBody)))]
pub async fn get_guide(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<ServiceGuide>> {
    let id = uuid_param("id", &id)?;
    service::item(&st, &u, id).await?;
    st.store
        .guide(id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("服务指南"))
}

#[utoipa::path(put, path = "/api/v1/items/{id}/guide", tag = "registry", params(("id" = Uuid, Path)), request_body = ServiceGuide,
    responses((status = 200, body = ServiceGuide), (status = 422, body = ErrorBody)))]
pub async fn put_guide(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    ApiJson(g): ApiJson<ServiceGuide>,
) -> ApiResult<Json<ServiceGuide>> {
    Ok(Json(
        service::set_guide(&st, &u, uuid_param("id", &id)?, &g).await?,
    ))
}

/// Discretion benchmark of a penalty item (REG-6).
#[utoipa::path(get, path = "/api/v1/items/{id}/discretion", tag = "registry", params(("id" = Uuid, Path)),
    responses((status = 200, body = DiscretionBenchmark), (status = 404, body = ErrorBody)))]
pub async fn get_discretion(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<DiscretionBenchmark>> {
    let id = uuid_param("id", &id)?;
    service::item(&st, &u, id).await?;
    st.store
        .benchmark(id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("裁量基准"))
}

#[derive(Deserialize, ToSchema)]
pub struct BenchmarkBody {
    pub entries: Vec<DiscretionEntry>,
}

#[utoipa::path(put, path = "/api/v1/items/{id}/discretion", tag = "registry", params(("id" = Uuid, Path)), request_body = BenchmarkBody,
    responses((status = 200, body = DiscretionBenchmark), (status = 422, body = ErrorBody)))]
pub async fn put_discretion(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<BenchmarkBody>,
) -> ApiResult<Json<DiscretionBenchmark>> {
    Ok(Json(
        service::set_benchmark(&st, &u, uuid_param("id", &id)?, &b.entries).await?,
    ))
}

/// The item's flowchart (流程图), drawn from its procedure as SVG (REG-5).
#[utoipa::path(get, path = "/api/v1/items/{id}/flowchart.svg", tag = "registry", params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "image/svg+xml", body = String)))]
pub async fn flowchart(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let (item, _) = service::item(&st, &u, uuid_param("id", &id)?).await?;
    Ok((
        [(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")],
        flowchart::svg(&item.name, &item.procedure),
    )
        .into_response())
}

// ───────────── inspection list ─────────────

/// Random-inspection items (REG-4).
#[utoipa::path(get, path = "/api/v1/inspection-items", tag = "registry", params(ListParams),
    responses((status = 200, body = Paged<InspectionItem>)))]
pub async fn list_inspection(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<Paged<InspectionItem>>> {
    let page = p.page();
    Ok(paged(st.store.inspection_items(&u.scope, &page).await?))
}

#[utoipa::path(post, path = "/api/v1/inspection-items", tag = "registry", request_body = InspectionDraft,
    responses((status = 201, body = InspectionItem), (status = 422, body = ErrorBody)))]
pub async fn create_inspection(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiJson(d): ApiJson<InspectionDraft>,
) -> ApiResult<(StatusCode, Json<InspectionItem>)> {
    Ok((
        StatusCode::CREATED,
        Json(service::list_inspection(&st, &u, &d).await?),
    ))
}
