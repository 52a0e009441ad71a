//! Case-command benchmark (issue 10): commands per second through the HTTP API, each of N
//! concurrent clients recording investigation notes on its own case.
//!
//! Each client signs in as the demo officer (its own session), files one penalty case with the
//! two officers of the agency whose certificates are valid today, then in a closed loop posts
//! `POST /api/v1/cases/{id}/investigations` (a client sends its next record when the previous
//! answer is read) for a fixed time. Every record goes through the whole write path: the
//! gate (session, CSRF, access log), the domain rules (order, two certified officers), the
//! event appended to the tamper-evident log with the case's projection in one commit. It
//! prints one line per client count:
//!
//! ```text
//! clients  commands  commands/s  p50_ms  p99_ms  errors
//! ```
//!
//! Reproduce:
//!
//! ```text
//! cargo run --release -p zhifa -- demo --data-dir /tmp/zhifa-bench-cases --listen 127.0.0.1:8080
//! cargo run --release -p zhifa --example bench_cases -- --url http://127.0.0.1:8080 --clients 64 --seconds 10
//! ```
//!
//! Loopback servers only. The client shares the machine with the server; compare figures only
//! between runs on the same machine. A measurement, never a pass/fail test.

use anyhow::{Context, Result, bail};
use clap::Parser;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(about = "Case-command benchmark of a running zhifa demo (loopback only)")]
struct Args {
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    #[arg(long, value_delimiter = ',', default_value = "64")]
    clients: Vec<usize>,
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
    #[arg(long, default_value = "officer")]
    user: String,
    #[arg(long, default_value = "Zhifa@2026demo", env = "ZHIFA_BENCH_PASSWORD")]
    password: String,
}

struct Client {
    http: reqwest::Client,
    csrf: String,
    base: String,
}

impl Client {
    async fn sign_in(base: &str, user: &str, password: &str) -> Result<Client> {
        let http = reqwest::Client::builder().cookie_store(true).build()?;
        let me: Value = http
            .post(format!("{base}/api/v1/session"))
            .json(&json!({"username": user, "password": password}))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        Ok(Client {
            http,
            csrf: me["csrf_token"]
                .as_str()
                .context("a CSRF token")?
                .to_string(),
            base: base.to_string(),
        })
    }
    async fn get(&self, path: &str) -> Result<Value> {
        Ok(self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?)
    }
    async fn post(&self, path: &str, body: &Value) -> Result<(u16, Value)> {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("x-csrf-token", &self.csrf)
            .json(body)
            .send()
            .await?;
        let status = r.status().as_u16();
        Ok((status, r.json().await.unwrap_or(Value::Null)))
    }
}

fn resident_id(seq: u32) -> String {
    let body = format!("340102198{:01}0101{:03}", seq % 10, seq % 1000);
    format!(
        "{body}{}",
        zhifa_ident::id_check_digit(&body).expect("17 digits")
    )
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let host = reqwest::Url::parse(&args.url)?
        .host_str()
        .unwrap_or("")
        .to_string();
    if !(host == "localhost" || host.starts_with("127.") || host == "[::1]") {
        bail!("bench_cases only loads loopback servers, not {host}");
    }
    let base = args.url.trim_end_matches('/').to_string();
    let probe = Client::sign_in(&base, &args.user, &args.password).await?;
    let me = probe.get("/api/v1/me").await?;
    let agency = me["agency_id"].as_str().context("agency")?.to_string();
    let items = probe
        .get(&format!(
            "/api/v1/items?agency_id={agency}&category=penalty&per_page=1"
        ))
        .await?;
    let item = items["items"][0]["item_id"]
        .as_str()
        .context("a penalty item of the officer's agency")?
        .to_string();
    let today = time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+8))
        .date();
    let officers = probe
        .get(&format!("/api/v1/officers?agency_id={agency}&per_page=100"))
        .await?;
    let day = |s: &str| {
        time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok()
    };
    let team: Vec<String> = officers["items"]
        .as_array()
        .context("officers")?
        .iter()
        .filter(|o| {
            o["status"] == "valid"
                && day(o["valid_from"].as_str().unwrap_or("")).is_some_and(|d| d <= today)
                && day(o["valid_to"].as_str().unwrap_or("")).is_some_and(|d| d >= today)
        })
        .filter_map(|o| o["id"].as_str().map(str::to_string))
        .take(2)
        .collect();
    if team.len() < 2 {
        bail!("the officer's agency needs two officers with valid certificates");
    }
    let on = zhifa_domain::registry::format_date(today);
    println!("clients  commands  commands/s  p50_ms  p99_ms  errors");
    for &n in &args.clients {
        let mut clients = Vec::with_capacity(n);
        for i in 0..n {
            let c = Client::sign_in(&base, &args.user, &args.password).await?;
            let (status, case) = c
                .post(
                    "/api/v1/cases",
                    &json!({"item_id": item, "party": {"kind": "citizen", "name": format!("压测当事人{i}"),
                            "id_number": resident_id(i as u32)},
                            "committed_on": on, "facts": "压测", "officer_ids": team}),
                )
                .await?;
            if status != 201 {
                bail!("filing a case answered {status}: {case}");
            }
            let id = case["id"].as_str().context("case id")?.to_string();
            clients.push((Arc::new(c), id));
        }
        let deadline = Instant::now() + Duration::from_secs_f64(args.seconds);
        let started = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for (c, id) in clients {
            let body = json!({"kind": "inquiry", "on": on, "place": "压测现场",
                              "officer_ids": team, "summary": "询问笔录（压测）"});
            tasks.spawn(async move {
                let mut samples = Vec::new();
                let mut errors = 0u64;
                let path = format!("/api/v1/cases/{id}/investigations");
                while Instant::now() < deadline {
                    let t = Instant::now();
                    match c.post(&path, &body).await {
                        Ok((200, _)) => samples.push(t.elapsed().as_micros() as u64),
                        _ => errors += 1,
                    }
                }
                (samples, errors)
            });
        }
        let mut all = Vec::new();
        let mut errors = 0;
        while let Some(r) = tasks.join_next().await {
            let (s, e) = r?;
            all.extend(s);
            errors += e;
        }
        let secs = started.elapsed().as_secs_f64();
        all.sort_unstable();
        let pct = |p: f64| {
            all.get(((all.len() as f64 * p).ceil() as usize).saturating_sub(1))
                .map(|us| *us as f64 / 1000.0)
                .unwrap_or(0.0)
        };
        println!(
            "{n:>7}  {:>8}  {:>10.0}  {:>6.1}  {:>6.1}  {errors}",
            all.len(),
            all.len() as f64 / secs,
            pct(0.50),
            pct(0.99)
        );
    }
    Ok(())
}
