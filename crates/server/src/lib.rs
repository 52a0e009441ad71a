//! The HTTP face of zhifa: JSON API under `/api/v1` (OpenAPI at `/api/openapi.json`, browsable at
//! `/api/docs`), the staff console in Chinese at `/`, and `/healthz`.
//!
//! Handlers are thin: they parse input, call one function of [`service`] (which loads facts, calls
//! the pure rule in `zhifa-domain` and appends events through `zhifa-store`), and render.
//! This crate builds no SQL and decides no rule.

pub mod api;
pub mod auth;
pub mod error;
pub mod flowchart;
pub mod listen;
pub mod service;
pub mod throttle;
pub mod web;
pub mod witness_push;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::sync::Arc;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use zhifa_store::Store;

/// Settings a province or deployment may change.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Failed sign-ins before the account locks (等保: 登录失败处理).
    pub max_failed_logins: i64,
    pub lockout_minutes: i64,
    /// Idle and absolute session lifetimes (会话超时).
    pub session_idle_minutes: i64,
    pub session_max_hours: i64,
    /// Mark cookies `Secure` (the default: served over HTTPS, directly or behind a proxy);
    /// only `--insecure-http` (the demo on loopback) turns it off.
    pub secure_cookies: bool,
    /// Requests without credentials allowed per client address: refill per second and burst.
    pub anonymous_per_second: u32,
    pub anonymous_burst: u32,
    /// Reverse proxies whose `X-Forwarded-For` names the client (otherwise the peer is).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Lifetime of a new API token when the issuer does not choose one (days).
    pub token_lifetime_days: u32,
    /// How many days before today a case record may be dated (records entered after the fact);
    /// nothing earlier, so no date can be chosen to dodge a statutory period.
    pub case_backdate_days: u32,
    /// Largest request body accepted (evidence uploads have their own limit).
    pub max_body_bytes: usize,
    /// Largest evidence file accepted (audio/video of a whole enforcement action can be large).
    pub max_evidence_bytes: u64,
    /// Province or agency overrides of the deadline catalog (e.g. review 7+3 working days).
    pub deadline_overrides: zhifa_calendar::CatalogSettings,
    /// How often overdue deadlines are looked for and recorded as missed.
    pub sweep_interval_secs: u64,
    /// Witnesses (upper-tier instances) this log's checkpoints are pushed to, as the base URL
    /// of their tlog-witness endpoint, e.g. `https://province.example/ledger/witness`.
    pub witnesses: Vec<String>,
    /// How often checkpoints are pushed to the witnesses.
    pub witness_push_interval_secs: u64,
    /// How long a client may take to send a request's headers (and to start the next one on
    /// a kept-alive connection) before the connection is closed.
    pub header_read_timeout_secs: u64,
    /// How long a request body may send nothing before the request is refused.
    pub body_idle_timeout_secs: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            max_failed_logins: 5,
            lockout_minutes: 15,
            session_idle_minutes: 30,
            session_max_hours: 12,
            secure_cookies: true,
            anonymous_per_second: 20,
            anonymous_burst: 200,
            trusted_proxies: Vec::new(),
            token_lifetime_days: zhifa_domain::accounts::DEFAULT_TOKEN_DAYS,
            case_backdate_days: 7,
            max_body_bytes: 1024 * 1024,
            max_evidence_bytes: 8 * 1024 * 1024 * 1024,
            deadline_overrides: zhifa_calendar::CatalogSettings::default(),
            sweep_interval_secs: 30,
            witnesses: Vec::new(),
            witness_push_interval_secs: 10,
            header_read_timeout_secs: 10,
            body_idle_timeout_secs: 30,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub settings: Arc<Settings>,
    /// Evidence files (local directory or S3-compatible object storage).
    pub evidence: zhifa_evidence::EvidenceStore,
    /// The deadline catalog with this deployment's overrides applied.
    pub catalog: Arc<zhifa_calendar::Catalog>,
    /// The working-day calendar: shipped notices plus those imported at run time. Swapped
    /// whole on import, so readers never see a half-loaded calendar.
    calendar: Arc<std::sync::RwLock<Arc<zhifa_calendar::Calendar>>>,
    /// Failed sign-ins per client address (see `throttle.rs`).
    pub login_throttle: Arc<throttle::LoginThrottle>,
    /// Requests without credentials per client address (see `throttle.rs`).
    pub anonymous_limit: Arc<throttle::AnonymousLimit>,
}

impl AppState {
    pub async fn new(
        store: Store,
        settings: Settings,
        evidence: zhifa_evidence::EvidenceStore,
    ) -> anyhow::Result<AppState> {
        let catalog =
            zhifa_calendar::Catalog::embedded().with_settings(&settings.deadline_overrides)?;
        let calendar = service::load_calendar(&store).await?;
        let anonymous_limit = Arc::new(throttle::AnonymousLimit::new(
            settings.anonymous_per_second,
            settings.anonymous_burst,
        ));
        Ok(AppState {
            store,
            settings: Arc::new(settings),
            evidence,
            catalog: Arc::new(catalog),
            calendar: Arc::new(std::sync::RwLock::new(Arc::new(calendar))),
            login_throttle: Arc::default(),
            anonymous_limit,
        })
    }

    pub fn calendar(&self) -> Arc<zhifa_calendar::Calendar> {
        self.calendar.read().expect("calendar lock").clone()
    }

    pub fn set_calendar(&self, cal: zhifa_calendar::Calendar) {
        *self.calendar.write().expect("calendar lock") = Arc::new(cal);
    }
}

pub fn router(state: AppState) -> Router {
    let max_body = state.settings.max_body_bytes;
    let body_idle = std::time::Duration::from_secs(state.settings.body_idle_timeout_secs.max(1));
    Router::new()
        .merge(api::routes())
        .merge(web::routes())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::resolve,
        ))
        .merge(api::docs_routes())
        .route("/healthz", axum::routing::get(healthz))
        .layer(axum::middleware::from_fn(bare_errors))
        .layer(axum::middleware::from_fn(security_headers))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            declared_length,
        ))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(body_idle))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// A request declaring a body longer than anything the server accepts (the evidence limit, the
/// largest) is refused before a byte of it is read (issue 9 finding 6: a declared
/// `Content-Length: 9999999999999` upload was read on).
async fn declared_length(
    axum::extract::State(st): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > st.settings.max_evidence_bytes) {
        // Nothing of it is kept. What the client is already sending is read and dropped, up
        // to a bound (and cut off by the body-idle timeout), so it gets this answer rather than
        // a reset connection mid-write; then the same answer as an upload found too large
        // while streaming.
        auth::drain(req.into_body().into_data_stream()).await;
        return error::ApiError::from(service::ServiceError::Evidence(
            zhifa_evidence::EvidenceError::TooLarge {
                limit: st.settings.max_evidence_bytes,
            },
        ))
        .into_response();
    }
    next.run(req).await
}

/// The pages' Content-Security-Policy: nothing but this site's own files — no inline script
/// or style, no plug-ins, no framing, forms posting only here. The console has no inline
/// script (htmx is a file, configured without eval or inline styles in `base.html`).
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
/// The API explorer (Swagger UI, vendored) styles itself inline.
const CSP_DOCS: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Security headers on every answer (issue 9 finding 8): the CSP, no referrer sent to other
/// sites, and `Cache-Control: no-store` on every answer to a request carrying credentials (a
/// session cookie or a token), since those may hold personal data and must not stay in a
/// shared or browser cache.
async fn security_headers(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let docs = req.uri().path().starts_with("/api/docs");
    // The site's own static files are public and the same for everyone: cached as usual.
    let credentialed = !req.uri().path().starts_with("/static/")
        && (req.headers().contains_key(header::COOKIE)
            || req.headers().contains_key(header::AUTHORIZATION));
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(if docs { CSP_DOCS } else { CSP }),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if credentialed {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

/// Liveness for load balancers and monitors: `{"status":"ok"}` once the database answers.
/// It tells no caller (it is anonymous) the engine or the size of the log (issue 9 finding 10).
async fn healthz(axum::extract::State(st): axum::extract::State<AppState>) -> Response {
    match st.store.event_count().await {
        Ok(_) => axum::Json(serde_json::json!({"status": "ok"})).into_response(),
        Err(e) => error::ApiError::internal(e).into_response(),
    }
}

/// Marks a response whose body a protocol defines (C2SP tlog-witness errors are plain text
/// the client parses), so it is not rewritten into the API's JSON error form.
#[derive(Clone, Copy)]
pub struct ProtocolBody;

/// Framework rejections (oversized body, unknown route, wrong method) arrive as plain text; the
/// API promises `{code, message, field}`, so rewrite them — and a browser asking for a page
/// (`Accept: text/html`, outside `/api/`) gets the console's Chinese error page instead.
async fn bare_errors(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let wants_page = !req.uri().path().starts_with("/api/")
        && req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
    let resp = next.run(req).await;
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v.starts_with("text/html"));
    if !(status.is_client_error() || status.is_server_error())
        || is_json
        || resp.extensions().get::<ProtocolBody>().is_some()
    {
        return resp;
    }
    let (code, message) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => ("too_large", "请求内容过大"),
        StatusCode::NOT_FOUND => ("not_found", "地址不存在"),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "不支持该请求方法"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "unsupported_media_type",
            "请求内容类型应为 application/json",
        ),
        _ => ("bad_request", "请求无效"),
    };
    let e = error::ApiError::new(status, code, message, None);
    if wants_page {
        web::bare_error_page(e)
    } else {
        e.into_response()
    }
}

/// Binds and serves until Ctrl-C. Returns the bound address through `on_bound` first (port 0 works).
pub async fn serve(
    state: AppState,
    listen: SocketAddr,
    on_bound: impl FnOnce(SocketAddr),
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    on_bound(listener.local_addr()?);
    // REC-6: a signed checkpoint within ~10 ms of each commit (woken by the writer, at most
    // one per 10 ms), and a look every second when idle.
    let signer = state.clone();
    tokio::spawn(async move { signer.store.run_checkpoint_signer(|_| {}).await });
    let sweeper = state.clone();
    tokio::spawn(async move {
        let every = std::time::Duration::from_secs(sweeper.settings.sweep_interval_secs.max(1));
        loop {
            match service::sweep(&sweeper, time::OffsetDateTime::now_utc()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(missed = n, "deadlines recorded as missed"),
                Err(e) => tracing::error!(
                    error = ?error::ApiError::from(e).body,
                    "deadline sweep failed"
                ),
            }
            tokio::time::sleep(every).await;
        }
    });
    if !state.settings.witnesses.is_empty() {
        let every =
            std::time::Duration::from_secs(state.settings.witness_push_interval_secs.max(1));
        tokio::spawn(witness_push::run(state.clone(), every));
    }
    let timeouts = listen::Timeouts {
        header_read: std::time::Duration::from_secs(state.settings.header_read_timeout_secs.max(1)),
        body_idle: std::time::Duration::from_secs(state.settings.body_idle_timeout_secs.max(1)),
    };
    listen::run(listener, router(state), timeouts, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
