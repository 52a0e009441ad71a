use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use std::net::SocketAddr;
use uuid::Uuid;
use zhifa_domain::auth::{Actor, Role};
use zhifa_domain::event::{Expected, SideEffect};
use zhifa_domain::registry::*;
use zhifa_domain::{Event, NewEvent, StreamId};
use zhifa_server::{AppState, Settings};
use zhifa_store::Store;

pub const PASSWORD: &str = "Test@Passw0rd";

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Runs a story on both engines. PostgreSQL comes from `ZHIFA_TEST_PG` (a server URL without a
/// database, e.g. postgres://postgres@127.0.0.1:5432). Without it the PostgreSQL half is skipped
/// loudly — except under CI, where skipping is a failure.
#[macro_export]
macro_rules! both {
    ($name:ident $(, $needs:ident = $why:literal)?) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            $(#[cfg_attr($needs, ignore = $why)])?
            async fn sqlite() {
                super::$name($crate::helpers::Engine::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(
                skip_pg,
                ignore = "SKIPPED: PostgreSQL (ZHIFA_TEST_PG is not set; ./scripts/test sets it)"
            )]
            $(#[cfg_attr($needs, ignore = $why)])?
            async fn postgres() {
                super::$name($crate::helpers::Engine::Postgres).await
            }
        }
    };
}

/// The PostgreSQL server the PostgreSQL half of every story runs on. Reached only when the
/// build found `ZHIFA_TEST_PG` set or runs under CI (see zhifa-testenv): a missing server here
/// is a failure, never a silent pass.
pub fn pg_base() -> String {
    match std::env::var("ZHIFA_TEST_PG") {
        Ok(url) if !url.trim().is_empty() => url.trim_end_matches('/').to_string(),
        _ => panic!(
            "the PostgreSQL tests need ZHIFA_TEST_PG (a server URL, e.g. postgres://postgres@127.0.0.1:5432); ./scripts/test sets it"
        ),
    }
}

/// Fixture ids: a province, a city with two counties, a market-supervision bureau in each county,
/// and the justice bureaus that supervise them.
#[derive(Clone, Debug)]
#[allow(dead_code)] // the whole fixture is available to stories; not each uses every part
pub struct Fixture {
    pub province: Agency,
    pub province_justice: Agency,
    pub city: Agency,
    pub city_justice: Agency,
    pub yaohai: Agency,
    pub yaohai_market: Agency,
    pub feidong: Agency,
    pub feidong_market: Agency,
    pub yaohai_officer: Officer,
    pub feidong_officer: Officer,
}

#[allow(dead_code)]
pub struct TestApp {
    pub addr: SocketAddr,
    /// The database itself, for tests that tamper with it behind the store's back.
    pub db_url: String,
    /// The server's state, for calling services directly (e.g. a deadline sweep at a chosen time).
    pub state: AppState,
    pub store: Store,
    pub engine: Engine,
    pub fx: Fixture,
    /// Where the app keeps evidence files (a temp dir unless the test chose S3).
    pub evidence: zhifa_evidence::EvidenceStore,
    _dir: Option<tempfile::TempDir>,
    _evidence_dir: Option<tempfile::TempDir>,
}

pub struct Session {
    pub client: Client,
    pub csrf: String,
    pub base: String,
}

fn credit(division: &str, n: u32) -> String {
    let org = format!("{:08}", 10_000_000 + n);
    let org9 = format!("{org}{}", zhifa_ident::org_code_check_char(&org).unwrap());
    let body = format!("11{division}{org9}");
    format!("{body}{}", zhifa_ident::check_char(&body).unwrap())
}

pub fn resident_id(division: &str, birth: &str, seq: u32) -> String {
    let body = format!("{division}{birth}{seq:03}");
    format!("{body}{}", zhifa_ident::id_check_digit(&body).unwrap())
}

pub fn credit_code(division: &str, n: u32) -> String {
    credit(division, n)
}

async fn put(
    store: &Store,
    stream: StreamId,
    agency: Uuid,
    events: Vec<Event>,
    side: Vec<SideEffect>,
) {
    store
        .append(NewEvent {
            stream,
            expected: Expected::NoStream,
            agency_id: agency,
            actor: Actor::system(),
            events,
            side_effects: side,
        })
        .await
        .expect("fixture append");
}

async fn agency(
    store: &Store,
    n: u32,
    name: &str,
    level: &str,
    division: &str,
    domain: &str,
    parent: Option<&Agency>,
) -> Agency {
    let id = Uuid::now_v7();
    let draft = AgencyDraft {
        name: name.into(),
        credit_code: credit(division, n),
        credit_code_override_reason: None,
        kind: "administrative_organ".into(),
        level: level.into(),
        division_code: division.into(),
        parent_id: parent.map(|p| p.id),
        domain: domain.into(),
        legal_basis: String::new(),
    };
    let a = decide_register_agency(&Actor::system(), id, &draft, parent).expect("fixture agency");
    put(
        store,
        StreamId::agency(id),
        id,
        vec![Event::AgencyRegistered((&a).into())],
        vec![],
    )
    .await;
    a
}

pub async fn officer(store: &Store, a: &Agency, cert: &str, seq: u32) -> Officer {
    let id = Uuid::now_v7();
    let d = OfficerDraft {
        agency_id: a.id,
        name: format!("测试{seq}"),
        id_number: resident_id(&a.division_code, "19850612", seq),
        certificate_no: cert.into(),
        categories: vec![a.domain.clone()],
        region: a.division_code.clone(),
        valid_from: "2024-01-01".into(),
        valid_to: "2029-01-01".into(),
        legal_qualification: None,
    };
    let o = decide_register_officer(
        &Actor::system(),
        id,
        &d,
        a,
        zhifa_server::service::today_cst(),
    )
    .expect("fixture officer");
    put(
        store,
        StreamId::officer(id),
        a.id,
        vec![Event::OfficerRegistered((&o).into())],
        vec![],
    )
    .await;
    o
}

pub async fn user(
    store: &Store,
    username: &str,
    a: &Agency,
    roles: Vec<Role>,
    officer: Option<&Officer>,
) -> User {
    let id = Uuid::now_v7();
    let d = UserDraft {
        username: username.into(),
        display_name: format!("{username} 测试"),
        agency_id: a.id,
        roles,
        officer_id: officer.map(|o| o.id),
        password: PASSWORD.into(),
    };
    let u = decide_create_user(&Actor::system(), id, &d, officer).expect("fixture user");
    let hash = zhifa_server::auth::hash_password_blocking(PASSWORD);
    put(
        store,
        StreamId::user(id),
        a.id,
        vec![Event::UserCreated((&u).into())],
        vec![SideEffect::SetPasswordHash {
            user_id: id,
            hash,
            must_change: false,
        }],
    )
    .await;
    u
}

async fn open_store(engine: Engine) -> (Store, Option<tempfile::TempDir>, String) {
    match engine {
        Engine::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}", dir.path().join("zhifa.db").display());
            (
                Store::open_sqlite_dir(dir.path()).await.unwrap(),
                Some(dir),
                url,
            )
        }
        Engine::Postgres => {
            let base = pg_base();
            let prefix =
                std::env::var("ZHIFA_TEST_DB_PREFIX").unwrap_or_else(|_| "zhifa_t_".into());
            let db = format!("{prefix}{}", Uuid::now_v7().simple());
            let admin = sqlx::PgPool::connect(&format!("{base}/postgres"))
                .await
                .expect("PostgreSQL reachable");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db}")))
                .execute(&admin)
                .await
                .unwrap();
            admin.close().await;
            let url = format!("{base}/{db}");
            (Store::open(&url).await.unwrap(), None, url)
        }
    }
}

pub async fn spawn_app(engine: Engine) -> TestApp {
    spawn_app_with(engine, Settings::default()).await
}

pub async fn spawn_app_with(engine: Engine, settings: Settings) -> TestApp {
    spawn_app_full(engine, settings, None).await
}

/// An app keeping evidence in `evidence` (default: a fresh local temp dir).
pub async fn spawn_app_full(
    engine: Engine,
    settings: Settings,
    evidence: Option<zhifa_evidence::EvidenceStore>,
) -> TestApp {
    spawn_app_inner(engine, settings, evidence, true).await
}

/// An app served by its router alone, without `serve`'s background tasks (no checkpoint signer,
/// no sweep): whatever is written to the ledger's tables is written by the requests themselves.
pub async fn spawn_app_without_signer(engine: Engine) -> TestApp {
    spawn_app_inner(engine, Settings::default(), None, false).await
}

async fn spawn_app_inner(
    engine: Engine,
    settings: Settings,
    evidence: Option<zhifa_evidence::EvidenceStore>,
    background: bool,
) -> TestApp {
    let (evidence, evidence_dir) = match evidence {
        Some(e) => (e, None),
        None => {
            let d = tempfile::tempdir().unwrap();
            (
                zhifa_evidence::EvidenceStore::local(d.path()).unwrap(),
                Some(d),
            )
        }
    };
    let (store, dir, db_url) = open_store(engine).await;
    let province = agency(
        &store,
        1,
        "安徽省人民政府",
        "province",
        "340000",
        "政府",
        None,
    )
    .await;
    let province_justice = agency(
        &store,
        2,
        "安徽省司法厅",
        "province",
        "340000",
        "司法行政",
        Some(&province),
    )
    .await;
    let city = agency(
        &store,
        3,
        "合肥市人民政府",
        "city",
        "340100",
        "政府",
        Some(&province),
    )
    .await;
    let city_justice = agency(
        &store,
        4,
        "合肥市司法局",
        "city",
        "340100",
        "司法行政",
        Some(&city),
    )
    .await;
    let yaohai = agency(
        &store,
        5,
        "合肥市瑶海区人民政府",
        "county",
        "340102",
        "政府",
        Some(&city),
    )
    .await;
    let yaohai_market = agency(
        &store,
        6,
        "瑶海区市场监督管理局",
        "county",
        "340102",
        "市场监管",
        Some(&yaohai),
    )
    .await;
    let feidong = agency(
        &store,
        7,
        "肥东县人民政府",
        "county",
        "340122",
        "政府",
        Some(&city),
    )
    .await;
    let feidong_market = agency(
        &store,
        8,
        "肥东县市场监督管理局",
        "county",
        "340122",
        "市场监管",
        Some(&feidong),
    )
    .await;
    let yaohai_officer = officer(&store, &yaohai_market, "YH0001", 1).await;
    let feidong_officer = officer(&store, &feidong_market, "FD0001", 2).await;
    user(
        &store,
        "sysadmin",
        &province_justice,
        vec![Role::SystemAdmin],
        None,
    )
    .await;
    user(
        &store,
        "secadmin",
        &province_justice,
        vec![Role::SecurityAdmin],
        None,
    )
    .await;
    user(
        &store,
        "auditor",
        &province_justice,
        vec![Role::Auditor],
        None,
    )
    .await;
    user(
        &store,
        "supervisor",
        &city_justice,
        vec![Role::Supervisor],
        None,
    )
    .await;
    user(&store, "head", &yaohai_market, vec![Role::AgencyHead], None).await;
    user(
        &store,
        "officer",
        &yaohai_market,
        vec![Role::Officer],
        Some(&yaohai_officer),
    )
    .await;
    user(
        &store,
        "officer2",
        &feidong_market,
        vec![Role::Officer],
        Some(&feidong_officer),
    )
    .await;
    // Served over plain HTTP on loopback: what `--insecure-http` is for (the default marks
    // cookies `Secure`, which a client over http would not send back).
    let settings = Settings {
        secure_cookies: false,
        ..settings
    };
    let state = AppState::new(store.clone(), settings, evidence.clone())
        .await
        .unwrap();
    let state_for_test = state.clone();
    let (tx, rx) = tokio::sync::oneshot::channel();
    if background {
        tokio::spawn(async move {
            zhifa_server::serve(state, "127.0.0.1:0".parse().unwrap(), |a| {
                let _ = tx.send(a);
            })
            .await
            .unwrap();
        });
    } else {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let _ = tx.send(listener.local_addr().unwrap());
        tokio::spawn(async move {
            axum::serve(
                listener,
                zhifa_server::router(state)
                    .into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await
            .unwrap();
        });
    }
    let addr = rx.await.unwrap();
    if background {
        // Reads never sign (REC-6): wait, bounded, for `serve`'s signer to cover the fixture.
        let n = store.event_count().await.unwrap();
        for _ in 0..250 {
            let signed = store
                .ledger_info()
                .await
                .unwrap()
                .checkpoint
                .map(|note| zhifa_ledger::Checkpoint::from_note(&note).unwrap().size as i64);
            if signed == Some(n) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
    let fx = Fixture {
        province,
        province_justice,
        city,
        city_justice,
        yaohai,
        yaohai_market,
        feidong,
        feidong_market,
        yaohai_officer,
        feidong_officer,
    };
    TestApp {
        addr,
        db_url,
        state: state_for_test,
        store,
        engine,
        fx,
        evidence,
        _dir: dir,
        _evidence_dir: evidence_dir,
    }
}

/// Connects to the app's own database, behind the store's back, for the engine at hand.
macro_rules! with_pool {
    ($app:expr, |$pool:ident| $body:expr) => {
        match $app.engine {
            Engine::Sqlite => {
                let $pool = sqlx::SqlitePool::connect(&$app.db_url).await.unwrap();
                let r = $body;
                $pool.close().await;
                r
            }
            Engine::Postgres => {
                let $pool = sqlx::PgPool::connect(&$app.db_url).await.unwrap();
                let r = $body;
                $pool.close().await;
                r
            }
        }
    };
}

impl TestApp {
    /// Runs SQL on the database behind the store's back (tamper tests).
    pub async fn raw(&self, sql: &str) {
        with_pool!(self, |pool| {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
                .execute(&pool)
                .await
                .unwrap();
        });
    }

    /// The text column of a query, read behind the store's back.
    pub async fn strings(&self, sql: &'static str) -> Vec<String> {
        with_pool!(self, |pool| sqlx::query_scalar(sql)
            .fetch_all(&pool)
            .await
            .unwrap())
    }

    /// The integer column of a query, read behind the store's back.
    pub async fn ints(&self, sql: &'static str) -> Vec<i64> {
        with_pool!(self, |pool| sqlx::query_scalar(sql)
            .fetch_all(&pool)
            .await
            .unwrap())
    }

    /// The log's verifier keys, as an auditor would have saved them from /ledger/keys.
    pub async fn ledger_keys(&self) -> zhifa_ledger::TrustedKeys {
        let keys = self.store.ledger_info().await.unwrap().verifier_keys;
        zhifa_ledger::TrustedKeys::from_text(&keys.join("\n")).unwrap()
    }

    /// The county head changes the fixture officer's certificate status: one more event.
    pub async fn change_officer_status(&self, status: &str, reason: &str) {
        let (st, body) = self
            .login("head")
            .await
            .post(
                &format!("/api/v1/officers/{}/status", self.fx.yaohai_officer.id),
                &json!({"status": status, "reason": reason}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{body}");
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn anonymous(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// Signs in through the API; the returned session sends the CSRF token on writes.
    pub async fn login(&self, username: &str) -> Session {
        self.login_with(username, PASSWORD).await
    }

    pub async fn login_with(&self, username: &str, password: &str) -> Session {
        let client = self.anonymous();
        let r = client
            .post(self.url("/api/v1/session"))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "login {username}");
        let me: Value = r.json().await.unwrap();
        Session {
            client,
            csrf: me["csrf_token"].as_str().unwrap().to_string(),
            base: format!("http://{}", self.addr),
        }
    }
}

impl TestApp {
    /// The first sign-in of an account an administrator created: the password it was given
    /// must be changed before anything else; the session that changed it carries on.
    pub async fn first_sign_in(&self, username: &str, initial: &str) -> Session {
        let s = self.login_with(username, initial).await;
        let (st, body) = s
            .post(
                "/api/v1/me/password",
                &json!({"current_password": initial, "new_password": FIRST_CHANGE}),
            )
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT, "first password change: {body}");
        s
    }
}

/// The password [`TestApp::first_sign_in`] sets.
pub const FIRST_CHANGE: &str = "Own-Passw0rd!2026";

impl Session {
    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }
    pub async fn get_json(&self, path: &str) -> (StatusCode, Value) {
        let r = self.get(path).await;
        let s = r.status();
        (s, r.json().await.unwrap_or(Value::Null))
    }
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &Value,
    ) -> (StatusCode, Value) {
        let r = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("x-csrf-token", &self.csrf)
            .json(body)
            .send()
            .await
            .unwrap();
        let s = r.status();
        (s, r.json().await.unwrap_or(Value::Null))
    }
    pub async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::POST, path, body).await
    }
    pub async fn put(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::PUT, path, body).await
    }
}

/// Asserts an API error: status, machine code and field.
pub fn assert_error(
    got: &(StatusCode, Value),
    status: StatusCode,
    code: &str,
    field: Option<&str>,
) {
    assert_eq!(got.0, status, "status of {}", got.1);
    assert_eq!(got.1["code"].as_str(), Some(code), "code of {}", got.1);
    assert_eq!(got.1["field"].as_str(), field, "field of {}", got.1);
    assert!(
        got.1["message"].as_str().is_some_and(|m| !m.is_empty()),
        "message of {}",
        got.1
    );
}
