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
use zhifa_store::AccessEntry;

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
}

fn now_micros() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1000) as i64
}

/// The client's address as the connection saw it (`None` when the server runs without
/// connection info, e.g. in-process tests of the router).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<std::net::IpAddr>);

/// Signs a person in. Failures are counted per account (at the configured number the
/// account locks) and per client address (`throttle.rs`: growing delays). An unknown account,
/// a wrong password and a locked account get the same answer after the same work (one
/// password hash check), so the answer tells nothing about which accounts exist or are
/// locked (issue 9 finding 4).
pub async fn login(
    state: &AppState,
    username: &str,
    password: &str,
    client: Option<std::net::IpAddr>,
) -> ApiResult<LoginOk> {
    let username = username.trim().to_lowercase();
    let bad = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "bad_credentials",
            "用户名或密码错误；连续失败过多时账号会被暂时锁定，可稍后再试或请安全管理员解锁",
            Some("password"),
        )
    };
    let started = std::time::Instant::now();
    if let Some(ip) = client
        && let Err(wait) = state.login_throttle.check(ip, started)
    {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            format!(
                "本机登录失败次数过多，请 {} 秒后再试",
                wait.as_secs().max(1)
            ),
            None,
        ));
    }
    let failed = || {
        if let Some(ip) = client {
            state.login_throttle.failed(ip, std::time::Instant::now());
        }
    };
    let log = |uid: Option<Uuid>, status: i64, action: &str| AccessEntry {
        at: now_micros(),
        user_id: uid,
        username: username.clone(),
        action: action.to_string(),
        target: "session".into(),
        status,
    };
    let Some(user) = state.store.user_by_username(&username).await? else {
        let dummy = tokio::task::spawn_blocking(dummy_hash)
            .await
            .unwrap_or_default();
        verify_password(password.to_string(), dummy).await;
        failed();
        state
            .store
            .log_access(&log(None, 401, "login_failed"))
            .await?;
        return Err(bad());
    };
    let cred = state.store.credential(user.id).await?.ok_or_else(bad)?;
    let now = now_micros();
    if cred.locked_until > now {
        // The same work and the same answer as a wrong password; the auditor's log says why.
        let dummy = tokio::task::spawn_blocking(dummy_hash)
            .await
            .unwrap_or_default();
        verify_password(password.to_string(), dummy).await;
        failed();
        state
            .store
            .log_access(&log(Some(user.id), 423, "login_locked"))
            .await?;
        return Err(bad());
    }
    if !verify_password(password.to_string(), cred.password_hash.clone()).await {
        let s = &state.settings;
        let after = state
            .store
            .record_login_failure(user.id, s.max_failed_logins, s.lockout_minutes * 60_000_000)
            .await?;
        failed();
        state
            .store
            .log_access(&log(Some(user.id), 401, "login_failed"))
            .await?;
        if after.locked_until > now {
            state
                .store
                .log_access(&log(Some(user.id), 423, "account_locked"))
                .await?;
        }
        return Err(bad());
    }
    if !user.active {
        state
            .store
            .log_access(&log(Some(user.id), 403, "login_disabled"))
            .await?;
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "disabled",
            "账号已停用，请联系安全管理员",
            None,
        ));
    }
    state.store.reset_login_failures(user.id).await?;
    if let Some(ip) = client {
        state.login_throttle.succeeded(ip);
    }
    let session = random_token();
    let csrf = random_token();
    state
        .store
        .create_session(&sha256_hex(&session), user.id, &csrf)
        .await?;
    state
        .store
        .log_access(&log(Some(user.id), 200, "login"))
        .await?;
    Ok(LoginOk {
        session,
        csrf,
        user,
    })
}

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
    })
}

async fn resolve_user(
    state: &AppState,
    headers: &axum::http::HeaderMap,
) -> ApiResult<Option<CurrentUser>> {
    if let Some(auth) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        && let Some(raw) = auth.strip_prefix("Bearer ")
    {
        let Some(token) = state.store.token_by_hash(&sha256_hex(raw.trim())).await? else {
            return Ok(None);
        };
        if token.revoked {
            return Ok(None);
        }
        let actor = Actor {
            user_id: token.id,
            username: format!("token:{}", token.name),
            agency_id: token.agency_id,
            roles: token.roles.clone(),
        };
        return user_context(state, actor, token.name.clone())
            .await
            .map(Some);
    }
    let Some(raw) = cookie_value(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let hash = sha256_hex(raw);
    let Some(session) = state.store.session(&hash).await? else {
        return Ok(None);
    };
    let now = now_micros();
    let s = &state.settings;
    if now - session.last_seen > s.session_idle_minutes * 60_000_000
        || now - session.created_at > s.session_max_hours * 3_600_000_000
    {
        state.store.delete_session(&hash).await?;
        return Ok(None);
    }
    let Some((user, _)) = state.store.user(session.user_id).await? else {
        return Ok(None);
    };
    if !user.active {
        return Ok(None);
    }
    // Refresh the idle timer at most once a minute to spare the database.
    if now - session.last_seen > 60_000_000 {
        state.store.touch_session(&hash).await?;
    }
    let actor = Actor {
        user_id: user.id,
        username: user.username.clone(),
        agency_id: user.agency_id,
        roles: user.roles.clone(),
    };
    let mut cu = user_context(state, actor, user.display_name.clone()).await?;
    cu.csrf = session.csrf;
    cu.session = Some(hash);
    Ok(Some(cu))
}

/// How much of a refused request body is read before answering; beyond it the connection is
/// simply closed.
pub const DRAIN_LIMIT: usize = 64 * 1024 * 1024;

/// Reads and drops the rest of a request body, up to [`DRAIN_LIMIT`]: answering a refused upload before
/// the client has finished sending makes it see a reset connection instead of the answer.
pub async fn drain<S, E>(rest: S)
where
    S: futures_util::Stream<Item = Result<axum::body::Bytes, E>>,
{
    use futures_util::StreamExt;
    let mut rest = std::pin::pin!(rest);
    let mut drained = 0usize;
    while drained < DRAIN_LIMIT {
        match rest.next().await {
            Some(Ok(chunk)) => drained += chunk.len(),
            _ => break,
        }
    }
}

fn multipart_boundary(content_type: &str) -> Option<String> {
    let (mime, params) = content_type.split_once(';')?;
    if !mime.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k.trim().eq_ignore_ascii_case("boundary"))
            .then(|| v.trim().trim_matches('"').to_string())
            .filter(|b| !b.is_empty())
    })
}

#[derive(Debug, PartialEq, Eq)]
enum FirstField {
    /// The first field is the one asked for, with this value.
    Value(String),
    /// The first field is another one (or the body is not well formed).
    Other,
    /// Not enough of the body read yet.
    NeedMore,
}

/// Reads the first field of a multipart body if it is `name`.
fn first_multipart_field(body: &[u8], boundary: &str, name: &str) -> FirstField {
    let opening = format!("--{boundary}\r\n");
    if body.len() < opening.len() {
        return FirstField::NeedMore;
    }
    if !body.starts_with(opening.as_bytes()) {
        return FirstField::Other;
    }
    let rest = &body[opening.len()..];
    let Some(head_end) = rest.windows(4).position(|w| w == b"\r\n\r\n") else {
        return FirstField::NeedMore;
    };
    let headers = String::from_utf8_lossy(&rest[..head_end]).to_ascii_lowercase();
    let wanted = format!("name=\"{}\"", name.to_ascii_lowercase());
    if !headers
        .lines()
        .any(|l| l.starts_with("content-disposition:") && l.contains(&wanted))
    {
        return FirstField::Other;
    }
    let value = &rest[head_end + 4..];
    let closing = format!("\r\n--{boundary}");
    match value
        .windows(closing.len())
        .position(|w| w == closing.as_bytes())
    {
        Some(end) => match std::str::from_utf8(&value[..end]) {
            Ok(v) => FirstField::Value(v.to_string()),
            Err(_) => FirstField::Other,
        },
        None => FirstField::NeedMore,
    }
}

fn is_unsafe(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Whether a write comes from this site's own pages, or from no browser at all. Browsers mark
/// a request with `Sec-Fetch-Site`, computed against the page that sent it (so a reverse proxy
/// rewriting `Host` does not matter): only `same-origin` (or `none`, typed by the user) passes.
/// A browser too old to send it still sends `Origin`, compared with `Host`. Scripts, witnesses
/// and other servers send neither and are judged by their credentials alone.
pub(crate) fn from_this_site(headers: &axum::http::HeaderMap) -> bool {
    let text = |name: &str| headers.get(name).map(|v| v.to_str().unwrap_or("\u{0}"));
    if let Some(site) = text("sec-fetch-site") {
        return matches!(site, "same-origin" | "none");
    }
    match text("origin") {
        None => true,
        Some(origin) => {
            let host = text("host").unwrap_or("");
            !host.is_empty() && origin.split_once("://").map(|(_, h)| h) == Some(host)
        }
    }
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Middleware: resolves the caller, enforces CSRF on cookie-authenticated writes, and records
/// every request an authenticated caller makes (每次调阅留痕).
pub async fn resolve(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let client = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    parts.extensions.insert(ClientAddr(client));
    let user = match resolve_user(&state, &parts.headers).await {
        Ok(u) => u,
        Err(e) => return e.into_response(),
    };
    let mut body = body;
    // Login CSRF and cross-site writes (issue 9 finding 2): a browser's write from another
    // site is refused before anything else, signed in or not. Bearer-token clients are exempt
    // (a token is not sent by a browser on its own).
    let by_token = user.as_ref().is_some_and(|u| u.session.is_none());
    if is_unsafe(&parts.method) && !by_token && !from_this_site(&parts.headers) {
        drain(body.into_data_stream()).await;
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "cross_site",
            "来自其他网站的提交已被拒绝，请在本系统的页面上操作",
            None,
        )
        .into_response();
    }
    if let Some(u) = &user
        && u.session.is_some()
        && is_unsafe(&parts.method)
    {
        let header_token = parts
            .headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let presented = match header_token {
            Some(t) => Some(t),
            None => {
                let is_form = parts
                    .headers
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
                if is_form {
                    let bytes =
                        match axum::body::to_bytes(body, state.settings.max_body_bytes).await {
                            Ok(b) => b,
                            Err(_) => {
                                return ApiError::new(
                                    StatusCode::PAYLOAD_TOO_LARGE,
                                    "too_large",
                                    "请求内容过大",
                                    None,
                                )
                                .into_response();
                            }
                        };
                    let token = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
                        .ok()
                        .and_then(|kv| {
                            kv.into_iter()
                                .find(|(k, _)| k == CSRF_FIELD)
                                .map(|(_, v)| v)
                        });
                    body = Body::from(bytes);
                    token
                } else if let Some(boundary) = parts
                    .headers
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(multipart_boundary)
                {
                    // A file upload: the token is the form's first field. Read only as far as
                    // that field, then hand the body on untouched and still streaming.
                    use futures_util::StreamExt;
                    let mut stream = body.into_data_stream();
                    let mut prefix = Vec::new();
                    let mut token = None;
                    while prefix.len() < 16 * 1024 {
                        let Some(Ok(chunk)) = stream.next().await else {
                            break;
                        };
                        prefix.extend_from_slice(&chunk);
                        match first_multipart_field(&prefix, &boundary, CSRF_FIELD) {
                            FirstField::Value(t) => {
                                token = Some(t);
                                break;
                            }
                            FirstField::Other => break,
                            FirstField::NeedMore => {}
                        }
                    }
                    let head = futures_util::stream::once(async move {
                        Ok::<_, axum::Error>(axum::body::Bytes::from(prefix))
                    });
                    body = Body::from_stream(head.chain(stream));
                    token
                } else {
                    None
                }
            }
        };
        if !presented.is_some_and(|t| constant_time_eq(&t, &u.csrf)) {
            // Read (and drop) what the client is still sending, up to a bound, so a refused
            // upload gets this answer rather than a connection reset mid-upload.
            drain(body.into_data_stream()).await;
            return ApiError::new(
                StatusCode::FORBIDDEN,
                "csrf",
                "请求缺少有效的 CSRF 令牌，请刷新页面后重试",
                None,
            )
            .into_response();
        }
    }
    let method = parts.method.clone();
    let target = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    parts.extensions.insert(user.clone());
    let resp = next.run(Request::from_parts(parts, body)).await;
    if let Some(u) = user
        && !target.starts_with("/static/")
    {
        let entry = AccessEntry {
            at: now_micros(),
            user_id: Some(u.actor.user_id),
            username: u.actor.username.clone(),
            action: if is_unsafe(&method) {
                "write".into()
            } else {
                "read".into()
            },
            target: format!("{method} {target}"),
            status: resp.status().as_u16() as i64,
        };
        if let Err(e) = state.store.log_access(&entry).await {
            tracing::error!(error = %e, "access log write failed");
            return ApiError::internal("access log unavailable").into_response();
        }
    }
    resp
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

#[cfg(test)]
mod multipart_tests {
    use super::*;

    const BODY: &[u8] = b"--XyZ\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\ntok-123\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.mp4\"\r\n\r\nDATA\r\n--XyZ--\r\n";

    #[test]
    fn the_token_is_read_from_the_first_field_at_any_split() {
        for cut in 0..BODY.len() {
            let got = first_multipart_field(&BODY[..cut], "XyZ", "_csrf");
            let complete = cut >= BODY.windows(8).position(|w| w == b"\r\n--XyZ\r").unwrap() + 7;
            if complete {
                assert_eq!(got, FirstField::Value("tok-123".into()), "cut {cut}");
            } else {
                assert_eq!(got, FirstField::NeedMore, "cut {cut}");
            }
        }
        assert_eq!(
            multipart_boundary("multipart/form-data; boundary=\"XyZ\""),
            Some("XyZ".into())
        );
        assert_eq!(multipart_boundary("application/json"), None);
    }

    #[test]
    fn another_first_field_carries_no_token() {
        let body =
            b"--XyZ\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nvideo\r\n--XyZ\r\n";
        assert_eq!(
            first_multipart_field(body, "XyZ", "_csrf"),
            FirstField::Other
        );
        assert_eq!(
            first_multipart_field(b"garbage-----", "XyZ", "_csrf"),
            FirstField::Other
        );
    }
}
