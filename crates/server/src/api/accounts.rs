//! Accounts and audit: users, API tokens, the event log and the access log.

use super::{ApiJson, ListParams, Paged, paged, uuid_param};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, ErrorBody};
use crate::service;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhifa_domain::auth::{Permission, Role};
use zhifa_domain::registry::*;
use zhifa_store::{AccessEntry, Recorded};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/users", get(list_users).post(create_user))
        .route("/api/v1/users/{id}/active", post(set_user_active))
        .route("/api/v1/users/{id}/unlock", post(unlock_user))
        .route("/api/v1/tokens", get(list_tokens).post(create_token))
        .route("/api/v1/tokens/{id}", axum::routing::delete(revoke_token))
        .route("/api/v1/events", get(list_events))
        .route("/api/v1/access-log", get(access_log))
}

// ───────────── accounts ─────────────

/// Users of the caller's agencies (security administrator, auditor).
#[utoipa::path(get, path = "/api/v1/users", tag = "admin", params(ListParams), responses((status = 200, body = Paged<User>)))]
pub async fn list_users(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Query(p): Query<ListParams>,
) -> ApiResult<Json<Paged<User>>> {
    u.actor.require(Permission::ViewUsers)?;
    let page = p.page();
    Ok(paged(st.store.users(&u.scope, &page).await?))
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

/// Lifts the sign-in lock of an account (security administrator; recorded in the access log).
#[utoipa::path(post, path = "/api/v1/users/{id}/unlock", tag = "admin", params(("id" = Uuid, Path)),
    responses((status = 204, description = "unlocked"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn unlock_user(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<axum::http::StatusCode> {
    service::unlock_account(&st, &u, uuid_param("id", &id)?).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// API tokens of external systems.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "admin", responses((status = 200, body = [ApiToken])))]
pub async fn list_tokens(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
) -> ApiResult<Json<Vec<ApiToken>>> {
    u.actor.require(Permission::ViewTokens)?;
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
        Some(s) => service::stream_records(&st, &u, s).await?,
        None => service::recent_records(&st, &u, p.limit.unwrap_or(100).clamp(1, 1000)).await?,
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
    u.actor.require(Permission::ViewAuditLog)?;
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
