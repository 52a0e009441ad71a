//! Read benchmark: throughput and latency of a running zhifa server's read paths.
//!
//! What it measures: for each path (console pages such as `/`, `/officers`, `/ledger`, the
//! list endpoints of the API such as `/api/v1/officers?limit=20`, `/api/v1/me` and the
//! anonymous `/ledger/checkpoint` as baselines) and for each client count, N concurrent
//! clients each send GET after GET in a closed loop (a client sends its next request when the
//! previous answer has been read whole) over its own keep-alive HTTP/1.1 connection, for a
//! fixed time. Each client signs in once with its own session (`POST /api/v1/session`), as
//! staff at N desks would; the session cookie is all a GET needs. It prints one line per
//! (path, clients):
//!
//! ```text
//! path  clients  requests  req/s  p50_ms  p95_ms  p99_ms  errors
//! ```
//!
//! `requests` counts every answer (errors included), `req/s` divides it by the run's wall
//! time, the percentiles are nearest-rank over every request's wall time (sent to body read,
//! in microseconds, printed in ms), and `errors` counts non-2xx answers and transport errors;
//! the first error of a run is printed once with its status and the start of its body. A path
//! that answers 404 (absent in this version) or 403 (not for this user) is skipped with a note.
//! Each path gets a short unrecorded warm-up (`--warmup`) first.
//!
//! Reproduce:
//!
//! ```text
//! cargo run --release -p zhifa -- demo --data-dir /tmp/zhifa-bench-demo --listen 127.0.0.1:8080
//! cargo run --release -p zhifa --example bench_read -- --url http://127.0.0.1:8080 --clients 16,64 --seconds 10
//! ```
//!
//! Options: `--user officer --password Zhifa@2026demo` (the demo's defaults), `--paths
//! /,/officers,anon:/ledger/checkpoint` (comma-separated; `anon:` sends no cookie),
//! `--max-requests` (per run, default 200000), `--threads` (client runtime threads),
//! `--markdown` (a markdown table on stdout, progress on stderr).
//!
//! It only loads loopback servers (127.0.0.0/8, ::1, localhost): it refuses any other host.
//! The client runs on the same machine as the server and takes CPU from it, so compare
//! figures only between runs on the same machine with the same options. This is a
//! measurement, never a pass/fail test: it exits 0 whatever the figures are.

use anyhow::{Context, Result, bail};
use clap::Parser;
use futures_util::StreamExt;
use reqwest::header::{COOKIE, HeaderValue, SET_COOKIE};
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The paths measured when `--paths` is not given; `anon:` marks a request sent without the
/// session cookie.
const DEFAULT_PATHS: &[&str] = &[
    "/",
    "/agencies",
    "/officers",
    "/items",
    "/inspection",
    "/deadlines",
    "/evidence",
    "/ledger",
    "/calendar",
    "/users",
    "/api/v1/officers?limit=20",
    "/api/v1/agencies?limit=20",
    "/api/v1/items?limit=20",
    "/api/v1/deadlines?limit=20",
    "/api/v1/evidence?limit=20",
    "/api/v1/me",
    "anon:/ledger/checkpoint",
];

#[derive(Parser)]
#[command(about = "Read benchmark of a running zhifa server (loopback only)")]
struct Args {
    /// Base URL of the server; only 127.0.0.0/8, [::1] or localhost.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// Client counts, comma-separated; each path is run once per count.
    #[arg(long, value_delimiter = ',', default_value = "16,64")]
    clients: Vec<usize>,
    /// Seconds per (path, clients) run.
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
    /// Account that signs in.
    #[arg(long, default_value = "officer")]
    user: String,
    /// Its password.
    #[arg(long, default_value = "Zhifa@2026demo", env = "ZHIFA_BENCH_PASSWORD")]
    password: String,
    /// Paths to measure, comma-separated (default: console pages, list endpoints, baselines);
    /// prefix a path with `anon:` to send it without the session cookie.
    #[arg(long, value_delimiter = ',')]
    paths: Vec<String>,
    /// Cap on the requests of one run, whatever the time left.
    #[arg(long, default_value_t = 200_000)]
    max_requests: u64,
    /// Unrecorded warm-up per path, in seconds, with the largest client count.
    #[arg(long, default_value_t = 1.0)]
    warmup: f64,
    /// Print a markdown table on stdout (progress lines go to stderr).
    #[arg(long)]
    markdown: bool,
    /// Worker threads of the client's runtime (default: one per CPU).
    #[arg(long)]
    threads: Option<usize>,
}

/// One measured (path, clients) run.
struct Row {
    path: String,
    clients: usize,
    requests: u64,
    rps: f64,
    p50_ms: f64,
    p95_ms: f64,
    p99_ms: f64,
    errors: u64,
}

/// What one run of concurrent clients observed.
struct Outcome {
    samples_us: Vec<u64>,
    errors: u64,
    elapsed: Duration,
    first_error: Option<String>,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    if let Some(t) = args.threads {
        rt.worker_threads(t.max(1));
    }
    rt.enable_all().build()?.block_on(run(args))
}

async fn run(args: Args) -> Result<()> {
    if args.clients.is_empty() || args.clients.iter().any(|&c| c == 0 || c > 1024) {
        bail!("--clients: each count must be between 1 and 1024");
    }
    if !(args.seconds > 0.0 && args.seconds <= 600.0) {
        bail!("--seconds must be in (0, 600]");
    }
    if !(0.0..=60.0).contains(&args.warmup) {
        bail!("--warmup must be in [0, 60]");
    }
    let base = loopback_base(&args.url).await?;
    let paths: Vec<String> = if args.paths.is_empty() {
        DEFAULT_PATHS.iter().map(|p| p.to_string()).collect()
    } else {
        args.paths.clone()
    };
    let max_clients = *args.clients.iter().max().unwrap();
    let mut out = Out {
        markdown: args.markdown,
        notes: Vec::new(),
    };

    // Header: the machine, the server, the date and the options.
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name")?.split_once(':').map(|x| x.1))
        .map_or("unknown CPU".to_string(), |m| m.trim().to_string());
    let mem_gib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            let kb: f64 = m
                .lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))?
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse()
                .ok()?;
            Some(kb / 1024.0 / 1024.0)
        })
        .unwrap_or(0.0);
    let date = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let probe = client()?;
    let health = match probe.get(format!("{base}/healthz")).send().await {
        Ok(r) => {
            let st = r.status();
            format!("{st} {}", snippet(&r.bytes().await.unwrap_or_default()))
        }
        Err(e) => bail!("{base}/healthz: {e} (is the server running?)"),
    };
    let threads = args.threads.unwrap_or(cpus);
    let load = loadavg();
    let header = [
        format!("machine: {cpus} CPUs (nproc), {model}, {mem_gib:.1} GiB RAM"),
        format!("server:  {base}  healthz: {health}"),
        format!("date:    {date}"),
        format!(
            "run:     user {}, clients {:?}, {}s per run, warm-up {}s per path, cap {} requests per run, {threads} client threads (client and server share the machine)",
            args.user, args.clients, args.seconds, args.warmup, args.max_requests
        ),
        format!(
            "load:    {load} (loadavg at the start; other work on the machine skews the figures)"
        ),
    ];

    // Sign in: once to check the credentials (a wrong password repeated 64 times would lock
    // the account), then one session per client, a few at a time (argon2 is slow on purpose).
    let clients: Vec<reqwest::Client> =
        (0..max_clients).map(|_| client()).collect::<Result<_>>()?;
    let t = Instant::now();
    let first = sign_in(&clients[0], &base, &args.user, &args.password).await?;
    let rest: Vec<Result<HeaderValue>> = futures_util::stream::iter(clients[1..].iter())
        .map(|c| sign_in(c, &base, &args.user, &args.password))
        .buffered(4)
        .collect()
        .await;
    let mut cookies = vec![first];
    for c in rest {
        cookies.push(c?);
    }
    let sign_in_note = format!(
        "signed in {max_clients} sessions as {} in {:.1}s",
        args.user,
        t.elapsed().as_secs_f64()
    );
    out.header(&header, &sign_in_note);

    let mut rows = Vec::new();
    for spec in &paths {
        let (anon, path) = match spec.strip_prefix("anon:") {
            Some(p) => (true, p),
            None => (false, spec.as_str()),
        };
        if !path.starts_with('/') {
            out.note(format!("{spec}: skipped, a path starts with /"));
            continue;
        }
        let label = if anon {
            format!("{path} (anon)")
        } else {
            path.to_string()
        };
        let url = format!("{base}{path}");
        let cookie = (!anon).then(|| cookies[0].clone());
        // One probe request: skip what this version or this user does not have.
        let mut req = clients[0].get(&url);
        if let Some(c) = cookie {
            req = req.header(COOKIE, c);
        }
        match req.send().await {
            Ok(r) => {
                let st = r.status();
                let body = r.bytes().await.unwrap_or_default();
                if st == reqwest::StatusCode::NOT_FOUND {
                    out.note(format!(
                        "{label}: skipped, 404 (absent in this version?) {}",
                        snippet(&body)
                    ));
                    continue;
                }
                if st == reqwest::StatusCode::FORBIDDEN {
                    out.note(format!(
                        "{label}: skipped, 403 (not for {}) {}",
                        args.user,
                        snippet(&body)
                    ));
                    continue;
                }
                if !st.is_success() {
                    out.note(format!(
                        "{label}: probe answered {st}, measured anyway (counted as errors): {}",
                        snippet(&body)
                    ));
                } else {
                    out.note(format!("{label}: {st}, {} bytes", body.len()));
                }
            }
            Err(e) => {
                out.note(format!("{label}: skipped, probe failed: {e}"));
                continue;
            }
        }
        if args.warmup > 0.0 {
            measure(
                &clients[..max_clients],
                &cookies,
                &url,
                anon,
                Duration::from_secs_f64(args.warmup),
                args.max_requests,
            )
            .await;
        }
        for &n in &args.clients {
            let o = measure(
                &clients[..n],
                &cookies,
                &url,
                anon,
                Duration::from_secs_f64(args.seconds),
                args.max_requests,
            )
            .await;
            let mut s = o.samples_us;
            s.sort_unstable();
            let row = Row {
                path: label.clone(),
                clients: n,
                requests: s.len() as u64,
                rps: s.len() as f64 / o.elapsed.as_secs_f64(),
                p50_ms: percentile(&s, 50.0) as f64 / 1000.0,
                p95_ms: percentile(&s, 95.0) as f64 / 1000.0,
                p99_ms: percentile(&s, 99.0) as f64 / 1000.0,
                errors: o.errors,
            };
            out.row(&row);
            if let Some(e) = o.first_error {
                out.note(format!(
                    "{label} ({n} clients): {} errors, first: {e}",
                    o.errors
                ));
            }
            rows.push(row);
        }
    }
    out.note(format!("loadavg at the end: {}", loadavg()));
    out.finish(&header, &sign_in_note, &rows);
    Ok(())
}

/// Checks that the URL names a loopback server and returns it without a trailing slash.
async fn loopback_base(url: &str) -> Result<String> {
    let u = reqwest::Url::parse(url).with_context(|| format!("--url {url}"))?;
    if !matches!(u.scheme(), "http" | "https") {
        bail!("--url {url}: expected http:// or https://");
    }
    if u.path() != "/" || u.query().is_some() {
        bail!("--url {url}: give the server's base URL only, e.g. http://127.0.0.1:8080");
    }
    let host = u.host_str().context("--url: no host")?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = match host.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) if host.eq_ignore_ascii_case("localhost") => {
            let port = u.port_or_known_default().unwrap_or(80);
            let addrs: Vec<_> = tokio::net::lookup_host((host, port)).await?.collect();
            !addrs.is_empty() && addrs.iter().all(|a| a.ip().is_loopback())
        }
        Err(_) => false,
    };
    if !loopback {
        bail!(
            "--url {url}: refusing a non-loopback host; this benchmark only loads 127.0.0.1/localhost"
        );
    }
    Ok(url.trim_end_matches('/').to_string())
}

/// One keep-alive HTTP/1.1 client; redirects are not followed (a redirect to /login is an error).
fn client() -> Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .tcp_nodelay(true)
        .pool_max_idle_per_host(1)
        .pool_idle_timeout(Duration::from_secs(600))
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(30))
        .build()?)
}

/// Signs in and returns the Cookie header that carries the session.
async fn sign_in(
    c: &reqwest::Client,
    base: &str,
    user: &str,
    password: &str,
) -> Result<HeaderValue> {
    let r = c
        .post(format!("{base}/api/v1/session"))
        .json(&serde_json::json!({"username": user, "password": password}))
        .send()
        .await
        .context("POST /api/v1/session")?;
    let st = r.status();
    let cookies: Vec<String> = r
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .map(|kv| kv.trim().to_string())
        .filter(|kv| kv.split_once('=').is_some_and(|(_, v)| !v.is_empty()))
        .collect();
    let body = r.bytes().await.unwrap_or_default();
    if !st.is_success() {
        bail!("sign-in as {user}: {st} {}", snippet(&body));
    }
    if cookies.is_empty() {
        bail!("sign-in as {user}: {st} but no session cookie");
    }
    Ok(HeaderValue::from_str(&cookies.join("; "))?)
}

/// Runs `clients.len()` closed-loop clients on one URL until the deadline or the cap.
async fn measure(
    clients: &[reqwest::Client],
    cookies: &[HeaderValue],
    url: &str,
    anon: bool,
    duration: Duration,
    cap: u64,
) -> Outcome {
    let issued = Arc::new(AtomicU64::new(0));
    let first_error: Arc<Mutex<Option<String>>> = Arc::new(Mutex::new(None));
    let start = Instant::now();
    let deadline = start + duration;
    let mut set = tokio::task::JoinSet::new();
    for (i, c) in clients.iter().enumerate() {
        let c = c.clone();
        let cookie = (!anon).then(|| cookies[i].clone());
        let url = url.to_string();
        let issued = issued.clone();
        let first_error = first_error.clone();
        set.spawn(async move {
            let mut samples = Vec::with_capacity(4096);
            let mut errors = 0u64;
            while Instant::now() < deadline && issued.fetch_add(1, Ordering::Relaxed) < cap {
                let t = Instant::now();
                let mut req = c.get(&url);
                if let Some(cookie) = &cookie {
                    req = req.header(COOKIE, cookie.clone());
                }
                let err = match req.send().await {
                    Ok(r) => {
                        let st = r.status();
                        match r.bytes().await {
                            Ok(_) if st.is_success() => None,
                            Ok(b) => Some(format!("{st} {}", snippet(&b))),
                            Err(e) => Some(format!("{st}, reading the body: {e}")),
                        }
                    }
                    Err(e) => Some(format!("transport error: {e}")),
                };
                samples.push(t.elapsed().as_micros() as u64);
                if let Some(e) = err {
                    errors += 1;
                    first_error.lock().unwrap().get_or_insert(e);
                }
            }
            (samples, errors)
        });
    }
    let mut samples_us = Vec::new();
    let mut errors = 0;
    while let Some(r) = set.join_next().await {
        let (s, e) = r.expect("a client task panicked");
        samples_us.extend(s);
        errors += e;
    }
    let elapsed = start.elapsed();
    let first_error = first_error.lock().unwrap().take();
    Outcome {
        samples_us,
        errors,
        elapsed,
        first_error,
    }
}

/// The 1, 5 and 15 minute load averages, from /proc/loadavg.
fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// Nearest-rank percentile of sorted samples (0 when there are none).
fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// The start of a body, on one line.
fn snippet(b: &[u8]) -> String {
    let s = String::from_utf8_lossy(b);
    let mut out: String = s.chars().take(160).collect();
    if s.chars().count() > 160 {
        out.push('…');
    }
    out.replace(['\n', '\r'], " ")
}

/// Where the results go: plain lines on stdout, or progress on stderr and markdown at the end.
struct Out {
    markdown: bool,
    notes: Vec<String>,
}

const COLUMNS: &str = "path                              clients  requests      req/s   p50_ms   p95_ms   p99_ms  errors";

impl Out {
    fn line(&self, s: &str) {
        if self.markdown {
            eprintln!("{s}");
        } else {
            println!("{s}");
        }
    }

    fn header(&self, header: &[String], sign_in: &str) {
        for h in header {
            self.line(&format!("# {h}"));
        }
        self.line(&format!("# {sign_in}"));
        self.line(COLUMNS);
    }

    fn note(&mut self, n: String) {
        self.line(&format!("# {n}"));
        self.notes.push(n);
    }

    fn row(&self, r: &Row) {
        self.line(&format!(
            "{:<32} {:>8} {:>9} {:>10.0} {:>8.2} {:>8.2} {:>8.2} {:>7}",
            r.path, r.clients, r.requests, r.rps, r.p50_ms, r.p95_ms, r.p99_ms, r.errors
        ));
    }

    fn finish(&self, header: &[String], sign_in: &str, rows: &[Row]) {
        if !self.markdown {
            return;
        }
        for h in header {
            println!("- {h}");
        }
        println!("- {sign_in}\n");
        println!("| path | clients | requests | req/s | p50 ms | p95 ms | p99 ms | errors |");
        println!("|---|---:|---:|---:|---:|---:|---:|---:|");
        for r in rows {
            println!(
                "| `{}` | {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {} |",
                r.path, r.clients, r.requests, r.rps, r.p50_ms, r.p95_ms, r.p99_ms, r.errors
            );
        }
        if !self.notes.is_empty() {
            println!("\nNotes:\n");
            for n in &self.notes {
                println!("- {n}");
            }
        }
    }
}
