use crate::AppState;
use crate::api::{ApiJson, Paged};
use crate::auth::{ApiUser, CurrentUser};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::{flowchart, service};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhifa_domain::DomainError;
use zhifa_domain::auth::Role;
use zhifa_domain::registry::*;
use zhifa_store::{AccessEntry, ItemFilter, OfficerFilter, Page, Recorded};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/agencies", get(list_agencies).post(create_agency))
        .route("/api/v1/agencies/{id}", get(get_agency).put(update_agency))
        .route("/api/v1/officers", get(list_officers).post(create_officer))
        .route(
            "/api/v1/officers/{id}",
            get(get_officer).put(update_officer),
        )
        .route("/api/v1/officers/{id}/status", post(set_certificate_status))
        .route("/api/v1/officers/{id}/trainings", post(add_training))
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
        .route("/api/v1/users", get(list_users).post(create_user))
        .route("/api/v1/users/{id}/active", post(set_user_active))
        .route("/api/v1/tokens", get(list_tokens).post(create_token))
        .route("/api/v1/tokens/{id}", axum::routing::delete(revoke_token))
        .route("/api/v1/validate/{kind}", get(validate))
        .route("/api/v1/events", get(list_events))
        .route("/api/v1/access-log", get(access_log))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ListParams {
    /// Text filter (name, code…).
    pub q: Option<String>,
    /// Page size, 1–1000 (default 50).
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

impl ListParams {
    fn page(&self) -> Page {
        Page {
            q: self.q.clone(),
            limit: self.limit.unwrap_or(50).clamp(1, 1000),
            offset: self.offset.unwrap_or(0).max(0),
        }
    }
}

fn paged<T>(items: Vec<T>, total: i64, page: &Page) -> Json<Paged<T>> {
    Json(Paged {
        items,
        total,
        limit: page.limit,
        offset: page.offset,
    })
}

fn uuid_param(field: &str, s: &str) -> ApiResult<Uuid> {
    Uuid::parse_str(s).map_err(|_| ApiError::bad_request(field, format!("{field} 应为 UUID")))
}

/// Personal data of officers is shown in full only to those who administer them.
pub fn mask_officer(mut o: Officer, u: &CurrentUser) -> Officer {
    if !(u.has(Role::SystemAdmin) || u.has(Role::AgencyHead) || u.has(Role::SecurityAdmin)) {
        o.id_number = mask_id(&o.id_number);
    }
    o
}

pub fn mask_id(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() < 10 {
        return "*".repeat(chars.len());
    }
    format!(
        "{}********{}",
        chars[..6].iter().collect::<String>(),
        chars[chars.len() - 4..].iter().collect::<String>()
    )
}

// ───────────── agencies ─────────────

/// Enforcement bodies visible to the caller (REG-1).
#[utoipa::path(get, path = "/api/v1/agencies", tag = "registry", params(ListParams),
    responses((status = 200, body = Paged<Agency>), (status = 401, body = ErrorBody)))]
pub async fn list_agencies(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Query(p): Query<ListParams>,
) -> ApiResult<Json<Paged<Agency>>> {
    let page = p.page();
    let (items, total) = st.store.agencies(&u.scope, &page).await?;
    Ok(paged(items, total, &page))
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

// ───────────── officers ─────────────

#[derive(Debug, Deserialize, IntoParams)]
pub struct OfficerParams {
    pub agency_id: Option<Uuid>,
    /// Only valid certificates expiring within this many days from today (China Standard Time).
    pub expiring_within_days: Option<i64>,
    pub q: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// Officers visible to the caller (REG-2). ID numbers are masked unless the caller administers them.
#[utoipa::path(get, path = "/api/v1/officers", tag = "registry", params(OfficerParams),
    responses((status = 200, body = Paged<Officer>)))]
pub async fn list_officers(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Query(p): Query<OfficerParams>,
) -> ApiResult<Json<Paged<Officer>>> {
    let page = ListParams {
        q: p.q,
        limit: p.limit,
        offset: p.offset,
    }
    .page();
    let filter = officer_filter(p.agency_id, p.expiring_within_days)?;
    let (items, total) = st.store.officers(&u.scope, &filter, &page).await?;
    Ok(paged(
        items.into_iter().map(|o| mask_officer(o, &u)).collect(),
        total,
        &page,
    ))
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

// ───────────── power list ─────────────

#[derive(Debug, Deserialize, IntoParams)]
pub struct ItemParams {
    /// One of the eight category keys (penalty, license…).
    pub category: Option<String>,
    pub agency_id: Option<Uuid>,
    /// YYYY-MM-DD: the list as it stood that day.
    pub as_of: Option<String>,
    pub q: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// The power list (REG-3), optionally as it stood on a date.
#[utoipa::path(get, path = "/api/v1/items", tag = "registry", params(ItemParams),
    responses((status = 200, body = Paged<ItemVersion>), (status = 422, body = ErrorBody)))]
pub async fn list_items(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Query(p): Query<ItemParams>,
) -> ApiResult<Json<Paged<ItemVersion>>> {
    let filter = item_filter(p.category.as_deref(), p.agency_id, p.as_of.as_deref())?;
    let page = ListParams {
        q: p.q,
        limit: p.limit,
        offset: p.offset,
    }
    .page();
    let (items, total) = st.store.items(&u.scope, &filter, &page).await?;
    Ok(paged(items, total, &page))
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
    Query(p): Query<ListParams>,
) -> ApiResult<Json<Paged<InspectionItem>>> {
    let page = p.page();
    let (items, total) = st.store.inspection_items(&u.scope, &page).await?;
    Ok(paged(items, total, &page))
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

// ───────────── accounts ─────────────

/// Users of the caller's agencies (security administrator, auditor).
#[utoipa::path(get, path = "/api/v1/users", tag = "admin", params(ListParams), responses((status = 200, body = Paged<User>)))]
pub async fn list_users(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Query(p): Query<ListParams>,
) -> ApiResult<Json<Paged<User>>> {
    u.actor
        .require_any(&[Role::SecurityAdmin, Role::Auditor], "查看用户")?;
    let page = p.page();
    let (items, total) = st.store.users(&u.scope, &page).await?;
    Ok(paged(items, total, &page))
}

/// Create a user (security administrator; 三员分立).
#[utoipa::path(post, path = "/api/v1/users", tag = "admin", request_body = UserDraft,
    responses((status = 201, body = User), (status = 422, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create_user(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiJson(d): ApiJson<UserDraft>,
) -> ApiResult<(StatusCode, Json<User>)> {
    Ok((
        StatusCode::CREATED,
        Json(service::create_user(&st, &u, &d).await?),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ActiveBody {
    pub active: bool,
}

#[utoipa::path(post, path = "/api/v1/users/{id}/active", tag = "admin", params(("id" = Uuid, Path)), request_body = ActiveBody,
    responses((status = 200, body = User)))]
pub async fn set_user_active(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ActiveBody>,
) -> ApiResult<Json<User>> {
    Ok(Json(
        service::set_user_active(&st, &u, uuid_param("id", &id)?, b.active).await?,
    ))
}

/// API tokens of external systems.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "admin", responses((status = 200, body = [ApiToken])))]
pub async fn list_tokens(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
) -> ApiResult<Json<Vec<ApiToken>>> {
    u.actor
        .require_any(&[Role::SecurityAdmin, Role::Auditor], "查看接口令牌")?;
    Ok(Json(st.store.tokens(&u.scope).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    pub name: String,
    pub agency_id: Uuid,
    pub roles: Vec<Role>,
}

#[derive(Serialize, ToSchema)]
pub struct IssuedToken {
    pub token: ApiToken,
    /// Shown once: send as `Authorization: Bearer <secret>`.
    pub secret: String,
}

#[utoipa::path(post, path = "/api/v1/tokens", tag = "admin", request_body = TokenRequest,
    responses((status = 201, body = IssuedToken), (status = 422, body = ErrorBody)))]
pub async fn create_token(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiJson(r): ApiJson<TokenRequest>,
) -> ApiResult<(StatusCode, Json<IssuedToken>)> {
    let (token, secret) = service::issue_token(&st, &u, &r.name, r.agency_id, &r.roles).await?;
    Ok((StatusCode::CREATED, Json(IssuedToken { token, secret })))
}

#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "admin", params(("id" = Uuid, Path)), responses((status = 204)))]
pub async fn revoke_token(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    service::revoke_token(&st, &u, uuid_param("id", &id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ───────────── validation, log ─────────────

#[derive(Deserialize, IntoParams)]
pub struct ValidateParams {
    pub value: String,
}

#[derive(Serialize, ToSchema)]
pub struct Validation {
    pub value: String,
    pub ok: bool,
    /// Normalised form when valid (upper case, 15-digit ID converted to 18).
    pub normalized: Option<String>,
    pub error: Option<ErrorBody>,
}

/// Check a resident ID (`id`), credit code (`uscc`) or division code (`division`) (REG-7).
#[utoipa::path(get, path = "/api/v1/validate/{kind}", tag = "registry", params(("kind" = String, Path, description = "id | uscc | division"), ValidateParams),
    responses((status = 200, body = Validation), (status = 400, body = ErrorBody)))]
pub async fn validate(
    ApiUser(_u): ApiUser,
    Path(kind): Path<String>,
    Query(p): Query<ValidateParams>,
) -> ApiResult<Json<Validation>> {
    let kind: zhifa_ident::Kind = kind
        .parse()
        .map_err(|_| ApiError::bad_request("kind", "类型应为 id、uscc 或 division"))?;
    Ok(Json(match kind.validate(p.value.trim()) {
        Ok(()) => {
            let v = p.value.trim();
            let normalized = match kind {
                zhifa_ident::Kind::Id => zhifa_ident::ResidentId::parse(v)
                    .map(|x| x.as_str().to_string())
                    .ok(),
                zhifa_ident::Kind::Uscc => zhifa_ident::CreditCode::parse(v)
                    .map(|x| x.as_str().to_string())
                    .ok(),
                zhifa_ident::Kind::Division => zhifa_ident::DivisionCode::parse(v)
                    .map(|x| x.as_str().to_string())
                    .ok(),
            };
            Validation {
                value: p.value.clone(),
                ok: true,
                normalized,
                error: None,
            }
        }
        Err(e) => Validation {
            value: p.value,
            ok: false,
            normalized: None,
            error: Some(ErrorBody {
                code: e.code().to_string(),
                message: e.to_string(),
                field: Some("value".into()),
                rule: Some("REG-7".into()),
            }),
        },
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct EventParams {
    /// A stream such as `officer-<uuid>`; without it, the latest events in scope.
    pub stream: Option<String>,
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct EventView {
    pub seq: i64,
    pub stream: String,
    pub version: i64,
    pub kind: String,
    pub actor_name: String,
    pub agency_id: Uuid,
    /// Microseconds since the Unix epoch (UTC).
    pub recorded_at: i64,
    pub payload: serde_json::Value,
}

impl From<Recorded> for EventView {
    fn from(r: Recorded) -> Self {
        EventView {
            seq: r.seq,
            stream: r.stream,
            version: r.version,
            kind: r.kind,
            actor_name: r.actor_name,
            agency_id: r.agency_id,
            recorded_at: r.recorded_at,
            payload: r.payload,
        }
    }
}

/// The recorded events (REC-1), scoped to the caller.
#[utoipa::path(get, path = "/api/v1/events", tag = "admin", params(EventParams), responses((status = 200, body = [EventView])))]
pub async fn list_events(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Query(p): Query<EventParams>,
) -> ApiResult<Json<Vec<EventView>>> {
    let events = match &p.stream {
        Some(s) => {
            let evs = st.store.events_of_stream(s).await?;
            // The stream is visible only if the agency it belongs to is.
            if let Some(first) = evs.first() {
                service::agency(&st, &u, first.agency_id)
                    .await
                    .map_err(|_| ApiError::not_found("记录"))?;
            }
            evs
        }
        None => {
            st.store
                .recent_events(&u.scope, p.limit.unwrap_or(100).clamp(1, 1000))
                .await?
        }
    };
    Ok(Json(events.into_iter().map(EventView::from).collect()))
}

/// Access log: every request by a signed-in caller and every sign-in attempt (auditor only).
#[utoipa::path(get, path = "/api/v1/access-log", tag = "admin", params(EventParams), responses((status = 200, body = [AccessEntryView])))]
pub async fn access_log(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Query(p): Query<EventParams>,
) -> ApiResult<Json<Vec<AccessEntryView>>> {
    u.actor.require_any(&[Role::Auditor], "查看访问日志")?;
    let rows = st
        .store
        .access_log(p.limit.unwrap_or(200).clamp(1, 5000))
        .await?;
    Ok(Json(rows.into_iter().map(AccessEntryView::from).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct AccessEntryView {
    pub at: i64,
    pub user_id: Option<Uuid>,
    pub username: String,
    pub action: String,
    pub target: String,
    pub status: i64,
}

impl From<AccessEntry> for AccessEntryView {
    fn from(e: AccessEntry) -> Self {
        AccessEntryView {
            at: e.at,
            user_id: e.user_id,
            username: e.username,
            action: e.action,
            target: e.target,
            status: e.status,
        }
    }
}
