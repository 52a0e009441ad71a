//! The gate every request passes (`resolve`): who is calling, cross-site and CSRF refusals,
//! the forced password change, and the access log of every request.

use super::*;
use zhifa_store::AccessEntry;

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

/// The paths a session opened with an administrator-set password may use: changing it, and
/// what the change page needs.
fn allowed_before_change(method: &Method, path: &str) -> bool {
    path.starts_with("/static/")
        || matches!(
            (method.as_str(), path),
            ("GET" | "POST", "/account/password")
                | ("POST", "/logout")
                | ("POST", "/api/v1/me/password")
                | ("GET", "/api/v1/me")
                | ("DELETE", "/api/v1/session")
        )
}

/// A refusal by the gate in the form the caller reads: the console's error page for a browser
/// asking for a page, the API's JSON otherwise.
fn refusal(parts: &Parts, user: Option<&CurrentUser>, e: ApiError) -> Response {
    let wants_page = !parts.uri.path().starts_with("/api/")
        && parts
            .headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
    if wants_page {
        crate::web::gate_error_page(user, e)
    } else {
        e.into_response()
    }
}

/// The client's address: the connection's peer, or — when the peer is one of the configured
/// reverse proxies — the last address it appended to `X-Forwarded-For` (the one it saw).
fn client_address(settings: &crate::Settings, parts: &Parts) -> Option<std::net::IpAddr> {
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())?;
    if !settings.trusted_proxies.contains(&peer) {
        return Some(peer);
    }
    // Right to left: each trusted proxy appended the address it saw; the first address that
    // is not one of ours is the client. An entry that does not parse ends the walk (what lies
    // left of it was written by the client and proves nothing).
    let hops: Vec<&str> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop.parse::<std::net::IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !settings.trusted_proxies.contains(&ip) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    Some(client)
}

/// Middleware: resolves the caller, refuses cross-site writes, missing CSRF tokens, bad API
/// tokens, sessions that must first change their password and anonymous floods, and records
/// every request an authenticated caller makes and every refused one (每次调阅留痕).
pub async fn resolve(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let client = client_address(&state.settings, &parts);
    parts.extensions.insert(ClientAddr(client));
    let method = parts.method.clone();
    let target = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let log = |user: Option<&CurrentUser>, action: &str, status: StatusCode| AccessEntry {
        at: now_micros(),
        user_id: user.map(|u| u.actor.user_id),
        username: user.map(|u| u.actor.username.clone()).unwrap_or_default(),
        action: action.to_string(),
        target: format!("{method} {target}"),
        status: i64::from(status.as_u16()),
        client: client.map(|c| c.to_string()),
        agency_path: user.map(|u| u.agency.path.clone()),
    };
    // Writes the entry; a failure to record fails the request (nothing unlogged is answered).
    let record = async |entry: AccessEntry, resp: Response| -> Response {
        match state.store.log_access(&entry).await {
            Ok(()) => resp,
            Err(e) => {
                tracing::error!(error = %e, "access log write failed");
                ApiError::internal("access log unavailable").into_response()
            }
        }
    };
    let resolved = match resolve_user(&state, &parts.headers).await {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    // Requests without valid credentials share a per-address budget (the site's own static
    // files aside), bad tokens included: each of those writes an access-log entry.
    if !matches!(resolved, Resolved::User(_))
        && !parts.uri.path().starts_with("/static/")
        && let Some(ip) = client
        && let Err(wait) = state.anonymous_limit.take(ip, std::time::Instant::now())
    {
        drain(body.into_data_stream()).await;
        let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
        let mut resp = refusal(
            &parts,
            None,
            ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("本机请求过于频繁，请 {secs} 秒后再试"),
                None,
            ),
        );
        resp.headers_mut()
            .insert(header::RETRY_AFTER, axum::http::HeaderValue::from(secs));
        return resp;
    }
    let user = match resolved {
        Resolved::User(u) => Some(*u),
        Resolved::Anonymous => None,
        Resolved::BadToken(why) => {
            drain(body.into_data_stream()).await;
            let e = ApiError::new(StatusCode::UNAUTHORIZED, "bad_token", why, None);
            let resp = e.into_response();
            return record(log(None, "bad_token", resp.status()), resp).await;
        }
    };
    let mut body = body;
    // Login CSRF and cross-site writes (issue 9 finding 2): a browser's write from another
    // site is refused before anything else, signed in or not. Bearer-token clients are exempt
    // (a token is not sent by a browser on its own).
    let by_token = user.as_ref().is_some_and(|u| u.session.is_none());
    if is_unsafe(&parts.method) && !by_token && !from_this_site(&parts.headers) {
        drain(body.into_data_stream()).await;
        let e = ApiError::new(
            StatusCode::FORBIDDEN,
            "cross_site",
            "来自其他网站的提交已被拒绝，请在本系统的页面上操作",
            None,
        );
        let resp = refusal(&parts, user.as_ref(), e);
        return record(
            log(user.as_ref(), "cross_site_refused", resp.status()),
            resp,
        )
        .await;
    }
    if let Some(u) = &user
        && u.session.is_some()
        && is_unsafe(&parts.method)
    {
        let (presented, rest) = match presented_csrf(&state, &parts, body).await {
            Ok(x) => x,
            Err(e) => {
                let resp = refusal(&parts, Some(u), e);
                return record(log(Some(u), "write", resp.status()), resp).await;
            }
        };
        body = rest;
        if !presented.is_some_and(|t| constant_time_eq(&t, &u.csrf)) {
            // Read (and drop) what the client is still sending, up to a bound, so a refused
            // upload gets this answer rather than a connection reset mid-upload.
            drain(body.into_data_stream()).await;
            let e = ApiError::new(
                StatusCode::FORBIDDEN,
                "csrf",
                "请求缺少有效的 CSRF 令牌，请刷新页面后重试",
                None,
            );
            let resp = refusal(&parts, Some(u), e);
            return record(log(Some(u), "csrf_refused", resp.status()), resp).await;
        }
    }
    // A password an administrator set must be changed before anything else (等保三级).
    if let Some(u) = &user
        && u.must_change_password
        && !allowed_before_change(&parts.method, parts.uri.path())
    {
        drain(body.into_data_stream()).await;
        let resp = if parts.uri.path().starts_with("/api/") {
            ApiError::new(
                StatusCode::FORBIDDEN,
                "password_change_required",
                "该账号的密码由管理员设置，请先修改密码（POST /api/v1/me/password）",
                None,
            )
            .into_response()
        } else {
            Redirect::to("/account/password").into_response()
        };
        return record(
            log(Some(u), "password_change_required", resp.status()),
            resp,
        )
        .await;
    }
    parts.extensions.insert(user.clone());
    let static_file = parts.uri.path().starts_with("/static/");
    let resp = next.run(Request::from_parts(parts, body)).await;
    let status = resp.status();
    match &user {
        Some(u) if !static_file => {
            let action = if is_unsafe(&method) { "write" } else { "read" };
            record(log(Some(u), action, status), resp).await
        }
        // Anonymous calls refused for want of credentials or rights are recorded too.
        None if matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) => {
            record(log(None, "refused", status), resp).await
        }
        _ => resp,
    }
}

/// The CSRF token a cookie-authenticated write presents: the header, or the form's `_csrf`
/// field (read from a URL-encoded body, or from the first field of a multipart upload without
/// buffering the rest). Returns the body to hand on, unchanged.
async fn presented_csrf(
    state: &AppState,
    parts: &Parts,
    body: Body,
) -> Result<(Option<String>, Body), ApiError> {
    if let Some(t) = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        return Ok((Some(t.to_string()), body));
    }
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let bytes = axum::body::to_bytes(body, state.settings.max_body_bytes)
            .await
            .map_err(|_| {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too_large",
                    "请求内容过大",
                    None,
                )
            })?;
        let token = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .ok()
            .and_then(|kv| {
                kv.into_iter()
                    .find(|(k, _)| k == CSRF_FIELD)
                    .map(|(_, v)| v)
            });
        return Ok((token, Body::from(bytes)));
    }
    let Some(boundary) = multipart_boundary(content_type) else {
        return Ok((None, body));
    };
    // A file upload: the token is the form's first field. Read only as far as that field,
    // then hand the body on untouched and still streaming.
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
    let head =
        futures_util::stream::once(
            async move { Ok::<_, axum::Error>(axum::body::Bytes::from(prefix)) },
        );
    Ok((token, Body::from_stream(head.chain(stream))))
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
