use crate::AppState;
use crate::api::ApiJson;
use crate::auth::{self, ApiUser, session_cookie};
use crate::error::{ApiResult, ErrorBody};
use crate::service;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use zhifa_domain::auth::Role;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/session", post(login).delete(logout))
        .route("/api/v1/me", get(me))
        .route("/api/v1/me/password", post(change_password))
}

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub user_id: Uuid,
    pub username: String,
    pub display_name: String,
    pub agency_id: Uuid,
    pub agency_name: String,
    pub roles: Vec<Role>,
    /// Send in `X-CSRF-Token` on every write made with the session cookie.
    pub csrf_token: String,
    /// The password was set by an administrator: every call but `POST /api/v1/me/password`
    /// answers 403 `password_change_required` until it is changed.
    pub must_change_password: bool,
}

/// Sign in; sets the session cookie and returns the CSRF token.
#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = LoginRequest,
    responses((status = 200, body = Me), (status = 401, body = ErrorBody), (status = 429, description = "too many failed sign-ins from this client address; wait as the message says", body = ErrorBody)))]
pub async fn login(
    State(st): State<AppState>,
    client: Option<axum::Extension<auth::ClientAddr>>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Response> {
    let client = client.and_then(|c| c.0.0);
    let ok = auth::login(&st, &req.username, &req.password, client).await?;
    let (agency, _) = st
        .store
        .agency(ok.user.agency_id)
        .await?
        .ok_or_else(|| crate::error::ApiError::internal("agency missing"))?;
    let body = Me {
        user_id: ok.user.id,
        username: ok.user.username.clone(),
        display_name: ok.user.display_name.clone(),
        agency_id: agency.id,
        agency_name: agency.name,
        roles: ok.user.roles.clone(),
        csrf_token: ok.csrf,
        must_change_password: ok.must_change_password,
    };
    let cookie = session_cookie(
        &ok.session,
        st.settings.secure_cookies,
        st.settings.session_max_hours * 3600,
    );
    Ok(([(header::SET_COOKIE, cookie)], Json(body)).into_response())
}

/// Sign out.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session", responses((status = 204)))]
pub async fn logout(State(st): State<AppState>, ApiUser(u): ApiUser) -> ApiResult<Response> {
    if let Some(s) = &u.session {
        st.store.delete_session(s).await?;
    }
    let cookie = session_cookie("", st.settings.secure_cookies, 0);
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/me", tag = "session", responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(ApiUser(u): ApiUser) -> Json<Me> {
    Json(Me {
        user_id: u.actor.user_id,
        username: u.actor.username.clone(),
        display_name: u.display_name.clone(),
        agency_id: u.agency.id,
        agency_name: u.agency.name.clone(),
        roles: u.actor.roles.clone(),
        csrf_token: u.csrf.clone(),
        must_change_password: u.must_change_password,
    })
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// Change one's own password.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "session", request_body = PasswordChange,
    responses((status = 204), (status = 422, body = ErrorBody)))]
pub async fn change_password(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiJson(req): ApiJson<PasswordChange>,
) -> ApiResult<StatusCode> {
    service::change_password(&st, &u, &req.current_password, &req.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}
