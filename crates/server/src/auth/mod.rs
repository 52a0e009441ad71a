//! Who is calling: cookie sessions (with CSRF tokens) for people, bearer tokens for external
//! systems, argon2 passwords with lockout, and the access log of every request.

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::service::{ServiceError, ServiceResult};
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use sha2::{Digest, Sha256};
use uuid::Uuid;
use zhifa_domain::auth::{Actor, Permission};
use zhifa_domain::registry::{Agency, User};
use zhifa_domain::scope::{Scope, scope_for};

mod gate;
mod login;

pub use gate::{DRAIN_LIMIT, drain, resolve};
pub use login::login;

pub const SESSION_COOKIE: &str = "zhifa_session";
pub const CSRF_HEADER: &str = "x-csrf-token";
pub const CSRF_FIELD: &str = "_csrf";

/// The authenticated caller, resolved once per request by [`resolve`].
#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub actor: Actor,
    pub display_name: String,
    pub agency: Agency,
    pub scope: Scope,
    /// Empty for token callers (no cookie, so no CSRF exposure).
    pub csrf: String,
    pub session: Option<String>,
    /// The registered officer this account is (执法人员 accounts are linked to one): the case
    /// rules give a case's own officers its party's data in clear (`privacy::sees_party`).
    pub officer_id: Option<uuid::Uuid>,
    /// The session was opened with a password an administrator set: nothing but the password
    /// change is allowed until it is changed.
    pub must_change_password: bool,
}

impl CurrentUser {
    /// Whether the caller may do or see `p` (the one role → permission table is the domain's).
    pub fn can(&self, p: Permission) -> bool {
        self.actor.can(p)
    }
    pub fn role_labels(&self) -> String {
        self.actor
            .roles
            .iter()
            .map(|r| r.label())
            .collect::<Vec<_>>()
            .join("、")
    }
}

pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

pub fn random_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

pub async fn hash_password(pw: String) -> ServiceResult<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(pw.as_bytes())
            .map(|h| h.to_string())
            .map_err(ServiceError::internal)
    })
    .await
    .map_err(ServiceError::internal)?
}

/// Synchronous variant for bulk work off the request path (demo seeding).
pub fn hash_password_blocking(pw: &str) -> String {
    Argon2::default()
        .hash_password(pw.as_bytes())
        .map(|h| h.to_string())
        .expect("argon2 with default parameters hashes any password")
}

pub(crate) async fn verify_password(pw: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|h| Argon2::default().verify_password(pw.as_bytes(), &h).is_ok())
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// A hash of a random password nobody knows, so an unknown username costs the same time as a
/// wrong password (no user enumeration by timing).
fn dummy_hash() -> String {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY
        .get_or_init(|| {
            Argon2::default()
                .hash_password(random_token().as_bytes())
                .map(|h| h.to_string())
                .unwrap_or_default()
        })
        .clone()
}

/// Checks a signed-in user's password (for re-authentication), without touching lockout state.
pub async fn password_matches(
    state: &AppState,
    user_id: Uuid,
    password: &str,
) -> ServiceResult<bool> {
    let Some(cred) = state.store.credential(user_id).await? else {
        return Ok(false);
    };
    Ok(verify_password(password.to_string(), cred.password_hash).await)
}

pub struct LoginOk {
    pub session: String,
    pub csrf: String,
    pub user: User,
    /// The password was set by an administrator: the session may only change it.
    pub must_change_password: bool,
}

fn now_micros() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1000) as i64
}

/// The client's address as the connection saw it (`None` when the server runs without
/// connection info, e.g. in-process tests of the router).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<std::net::IpAddr>);

pub fn session_cookie(value: &str, secure: bool, max_age: i64) -> String {
    format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    )
}

fn cookie_value<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The signed-in view of `user`: a session's (which adds its CSRF token), or, without one, the
/// operator's tools acting as a person through the same services (the demo's cases are filed
/// by its officer).
pub async fn acting_as(state: &AppState, user: &User) -> ApiResult<CurrentUser> {
    let actor = Actor {
        user_id: user.id,
        username: user.username.clone(),
        agency_id: user.agency_id,
        roles: user.roles.clone(),
    };
    let mut cu = user_context(state, actor, user.display_name.clone()).await?;
    cu.officer_id = user.officer_id;
    Ok(cu)
}

async fn user_context(
    state: &AppState,
    actor: Actor,
    display_name: String,
) -> ApiResult<CurrentUser> {
    let (agency, _) = state
        .store
        .agency(actor.agency_id)
        .await?
        .ok_or_else(|| ApiError::internal("user's agency is missing"))?;
    let parent = match agency.parent_id {
        Some(p) => state.store.agency(p).await?.map(|(a, _)| a),
        None => None,
    };
    // Justice bureaus supervise their whole region (执法监督); so do the platform's
    // administrators seated there.
    let region_wide = agency.is_justice_bureau() && actor.can(Permission::ViewRegion);
    let scope = scope_for(
        &agency.path,
        &agency.domain,
        parent.as_ref().map(|p| p.path.as_str()),
        region_wide,
        agency.is_government(),
    );
    Ok(CurrentUser {
        actor,
        display_name,
        agency,
        scope,
        csrf: String::new(),
        session: None,
        officer_id: None,
        must_change_password: false,
    })
}

/// Who a request's credentials name.
pub(crate) enum Resolved {
    User(Box<CurrentUser>),
    /// No credentials, or a session that ended (the console sends the person to sign in).
    Anonymous,
    /// A bearer token that is unknown, revoked or expired: refused outright, with why.
    BadToken(String),
}

/// How often a token's last use is written (the listing shows it to the minute).
const TOKEN_TOUCH_MICROS: i64 = 60_000_000;

async fn resolve_user(state: &AppState, headers: &axum::http::HeaderMap) -> ApiResult<Resolved> {
    // A bearer token (the scheme's name is case-insensitive, RFC 9110); another scheme (e.g.
    // Basic, passed on by a proxy) is not ours and leaves the session cookie to decide.
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|a| a.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim());
    if let Some(raw) = bearer {
        if raw.is_empty() {
            return Ok(Resolved::BadToken(
                "Authorization 请求头应为 “Bearer 令牌”".into(),
            ));
        }
        let Some(row) = state.store.token_by_hash(&sha256_hex(raw)).await? else {
            return Ok(Resolved::BadToken("接口令牌无效".into()));
        };
        let token = row.token;
        if token.revoked {
            return Ok(Resolved::BadToken("接口令牌已吊销".into()));
        }
        let now_at = time::OffsetDateTime::now_utc();
        if !token.is_usable(now_at) {
            return Ok(Resolved::BadToken(format!(
                "接口令牌已于 {} 过期，请安全管理员重新签发",
                crate::web::cst(token.expires_at.unix_timestamp() * 1_000_000)
            )));
        }
        let now = now_micros();
        if row
            .last_used_at
            .is_none_or(|t| now - t > TOKEN_TOUCH_MICROS)
        {
            state.store.touch_token(token.id, now).await?;
        }
        let actor = Actor {
            user_id: token.id,
            username: format!("token:{}", token.name),
            agency_id: token.agency_id,
            roles: token.roles.clone(),
        };
        return user_context(state, actor, token.name.clone())
            .await
            .map(|u| Resolved::User(Box::new(u)));
    }
    let Some(raw) = cookie_value(headers, SESSION_COOKIE) else {
        return Ok(Resolved::Anonymous);
    };
    let hash = sha256_hex(raw);
    let Some(session) = state.store.session(&hash).await? else {
        return Ok(Resolved::Anonymous);
    };
    let now = now_micros();
    let s = &state.settings;
    if now - session.last_seen > s.session_idle_minutes * 60_000_000
        || now - session.created_at > s.session_max_hours * 3_600_000_000
    {
        state.store.delete_session(&hash).await?;
        return Ok(Resolved::Anonymous);
    }
    let Some((user, _)) = state.store.user(session.user_id).await? else {
        return Ok(Resolved::Anonymous);
    };
    if !user.active {
        return Ok(Resolved::Anonymous);
    }
    // Refresh the idle timer at most once a minute to spare the database.
    if now - session.last_seen > 60_000_000 {
        state.store.touch_session(&hash).await?;
    }
    let mut cu = acting_as(state, &user).await?;
    cu.csrf = session.csrf;
    cu.session = Some(hash);
    cu.must_change_password = session.must_change;
    Ok(Resolved::User(Box::new(cu)))
}

/// Extractor for the JSON API: 401 JSON when not signed in.
pub struct ApiUser(pub CurrentUser);

impl<S: Send + Sync> FromRequestParts<S> for ApiUser {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Option<CurrentUser>>()
            .cloned()
            .flatten()
            .map(ApiUser)
            .ok_or_else(ApiError::unauthorized)
    }
}

/// Extractor for console pages: redirects to the login page when not signed in.
pub struct WebUser(pub CurrentUser);

impl<S: Send + Sync> FromRequestParts<S> for WebUser {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts
            .extensions
            .get::<Option<CurrentUser>>()
            .cloned()
            .flatten()
        {
            Some(u) => Ok(WebUser(u)),
            None => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                let q = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
                Err(Redirect::to(&format!("/login?{q}")).into_response())
            }
        }
    }
}
