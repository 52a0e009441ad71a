//! Accounts and audit: users, API tokens, the event log and the access log.

use super::{ApiJson, ListParams, Paged, paged, uuid_param};
use crate::AppState;
use crate::api::ApiQuery;
use crate::auth::ApiUser;
use crate::error::{ApiResult, ErrorBody};
use crate::service;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhifa_domain::auth::{Permission, Role};
use zhifa_domain::registry::*;
use zhifa_store::Recorded;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/users", get(list_users).post(create_user))
        .route("/api/v1/users/{id}/active", post(set_user_active))
        .route("/api/v1/users/{id}/unlock", post(unlock_user))
        .route("/api/v1/users/{id}/password", post(reset_password))
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
    ApiQuery(p): ApiQuery<ListParams>,
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

#[derive(Deserialize, ToSchema)]
pub struct ResetPasswordBody {
    /// The temporary password; the account must change it at its next sign-in.
    pub password: String,
}

/// Sets a new password for another account (security administrator, within the separation of
/// duties); its sessions end and it must change the password at its next sign-in.
#[utoipa::path(post, path = "/api/v1/users/{id}/password", tag = "admin", params(("id" = Uuid, Path)), request_body = ResetPasswordBody,
    responses((status = 204, description = "the password is set; the account must change it at its next sign-in"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reset_password(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ResetPasswordBody>,
) -> ApiResult<StatusCode> {
    service::reset_password(&st, &u, uuid_param("id", &id)?, &b.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An API token as listed: with its expiry and when it was last accepted.
#[derive(Serialize, ToSchema)]
pub struct TokenView {
    #[serde(flatten)]
    pub token: ApiToken,
    /// Whether it is accepted now (not revoked, not expired).
    pub usable: bool,
    /// When it was last accepted (RFC 3339, UTC, to the minute); `null`: never used.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_used_at: Option<String>,
}

/// API tokens of external systems, with expiry and last use.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "admin", responses((status = 200, body = [TokenView])))]
pub async fn list_tokens(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
) -> ApiResult<Json<Vec<TokenView>>> {
    u.actor.require(Permission::ViewTokens)?;
    let now = time::OffsetDateTime::now_utc();
    Ok(Json(
        st.store
            .tokens(&u.scope)
            .await?
            .into_iter()
            .map(|r| TokenView {
                usable: r.token.is_usable(now),
                token: r.token,
                last_used_at: r.last_used_at.map(rfc3339_of_micros),
            })
            .collect(),
    ))
}

fn rfc3339_of_micros(us: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    pub name: String,
    pub agency_id: Uuid,
    pub roles: Vec<Role>,
    /// Days the token is accepted, 1–365 (default: the deployment's setting, 90 unless changed).
    #[serde(default)]
    pub lifetime_days: Option<u32>,
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
    let (token, secret) =
        service::issue_token(&st, &u, &r.name, r.agency_id, &r.roles, r.lifetime_days).await?;
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
#[into_params(parameter_in = Query)]
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
    ApiQuery(p): ApiQuery<EventParams>,
) -> ApiResult<Json<Vec<EventView>>> {
    let events = match &p.stream {
        Some(s) => service::stream_records(&st, &u, s).await?,
        None => service::recent_records(&st, &u, p.limit.unwrap_or(100).clamp(1, 1000)).await?,
    };
    Ok(Json(events.into_iter().map(EventView::from).collect()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccessLogParams {
    /// Only entries of this username (as typed at sign-in, or the account's).
    pub username: Option<String>,
    /// Only this action: read, write, login, login_failed, login_locked, account_locked,
    /// login_disabled, refused, bad_token, csrf_refused, cross_site_refused,
    /// password_change_required.
    pub action: Option<String>,
    /// Only requests from this client address.
    pub client: Option<String>,
    /// Only answers with this HTTP status.
    pub status: Option<i64>,
    /// Entries at or after this instant (RFC 3339, e.g. 2026-12-01T08:00:00+08:00).
    pub from: Option<String>,
    /// Entries before this instant (RFC 3339).
    pub until: Option<String>,
    /// Cursor: the `next` of the previous page.
    pub after: Option<String>,
    /// Page size, 1–500 (default 100).
    pub per_page: Option<i64>,
}

fn instant_param(field: &str, v: &Option<String>) -> ApiResult<Option<i64>> {
    v.as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            time::OffsetDateTime::parse(s.trim(), &time::format_description::well_known::Rfc3339)
                .map(|t| (t.unix_timestamp_nanos() / 1000) as i64)
                .map_err(|_| {
                    crate::error::ApiError::bad_request(
                        field,
                        format!("{field} 应为 RFC 3339 时间，如 2026-12-01T08:00:00+08:00"),
                    )
                })
        })
        .transpose()
}

/// The auditor's query of the access log, from the API's or the console's parameters.
pub(crate) fn access_query(p: &AccessLogParams) -> ApiResult<zhifa_store::AccessQuery> {
    let text = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let before = match p.after.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(c) => Some(c.parse::<i64>().map_err(|_| {
            crate::error::ApiError::bad_request("after", "after 应为上一页返回的 next")
        })?),
    };
    Ok(zhifa_store::AccessQuery {
        // Accounts' usernames are lower case; a token's entries keep its name as issued.
        username: text(&p.username).map(|u| {
            if u.starts_with("token:") {
                u
            } else {
                u.to_lowercase()
            }
        }),
        action: text(&p.action),
        client: text(&p.client),
        status: p.status,
        from: instant_param("from", &p.from)?,
        until: instant_param("until", &p.until)?,
        before,
        limit: p.per_page.unwrap_or(100).clamp(1, 500),
    })
}

/// Access log: every request by a signed-in caller, every sign-in attempt and every refused
/// request (auditor only), in the auditor's scope, newest first, filtered and keyset-paged.
#[utoipa::path(get, path = "/api/v1/access-log", tag = "admin", params(AccessLogParams),
    responses((status = 200, body = Paged<AccessEntryView>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn access_log(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiQuery(p): ApiQuery<AccessLogParams>,
) -> ApiResult<Json<Paged<AccessEntryView>>> {
    u.actor.require(Permission::ViewAuditLog)?;
    let q = access_query(&p)?;
    let rows = st.store.access_log(&u.scope, &q).await?;
    let next = (rows.len() as i64 == q.limit)
        .then(|| rows.last().map(|r| r.id.to_string()))
        .flatten();
    Ok(Json(Paged {
        items: rows.into_iter().map(AccessEntryView::from).collect(),
        next,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct AccessEntryView {
    /// Microseconds since the Unix epoch (UTC).
    pub at: i64,
    pub user_id: Option<Uuid>,
    pub username: String,
    pub action: String,
    pub target: String,
    pub status: i64,
    /// The client's address as the server saw it.
    pub client: Option<String>,
}

impl From<zhifa_store::AccessRecord> for AccessEntryView {
    fn from(r: zhifa_store::AccessRecord) -> Self {
        let e = r.entry;
        AccessEntryView {
            at: e.at,
            user_id: e.user_id,
            username: e.username,
            action: e.action,
            target: e.target,
            status: e.status,
            client: e.client,
        }
    }
}
