//! `zhifa`: the command line of the platform.

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use zhifa_server::{AppState, Settings};
use zhifa_store::Store;

mod demo_bulk;
mod demo_cases;
mod demo_data;
mod users;
use demo_data::{seed_demo, seed_demo_evidence};

#[derive(Parser)]
#[command(
    name = "zhifa",
    version,
    about = "执法 zhifa — 行政执法三项制度平台（公示、全过程记录、法制审核）"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct StoreArgs {
    /// Directory for the embedded SQLite database (used unless --database-url is given).
    #[arg(long, default_value = "zhifa-data", env = "ZHIFA_DATA_DIR")]
    data_dir: PathBuf,
    /// PostgreSQL URL, e.g. postgres://postgres@127.0.0.1:5432/zhifa (production engine).
    #[arg(long, env = "ZHIFA_DATABASE_URL")]
    database_url: Option<String>,
    /// Where evidence files are kept: a directory, file:///dir or s3://bucket[/prefix]
    /// (S3 credentials and endpoint from AWS_* environment variables). Default: DATA_DIR/evidence.
    #[arg(long, env = "ZHIFA_EVIDENCE_STORE")]
    evidence_store: Option<String>,
}

impl StoreArgs {
    fn evidence(&self) -> Result<zhifa_evidence::EvidenceStore> {
        evidence_store(self.evidence_store.as_deref(), &self.data_dir)
    }

    async fn state(&self, settings: Settings) -> Result<AppState> {
        AppState::new(self.open().await?, settings, self.evidence()?).await
    }

    async fn open(&self) -> Result<Store> {
        self.open_with(None).await
    }

    async fn open_with(&self, hash: Option<zhifa_ledger::HashAlg>) -> Result<Store> {
        match &self.database_url {
            Some(url) => Store::open_with(url, hash)
                .await
                .with_context(|| "opening the PostgreSQL database".to_string()),
            None => Store::open_sqlite_dir_with(&self.data_dir, hash)
                .await
                .with_context(|| {
                    format!("opening the SQLite database in {}", self.data_dir.display())
                }),
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and the staff console.
    Serve {
        #[command(flatten)]
        store: StoreArgs,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080", env = "ZHIFA_LISTEN")]
        listen: SocketAddr,
        /// Serve over plain HTTP: session cookies lose their `Secure` mark. Only for a
        /// loopback or test deployment; behind HTTPS (directly or via a proxy) leave it off.
        #[arg(long)]
        insecure_http: bool,
        /// A reverse proxy whose X-Forwarded-For names the client; repeatable.
        #[arg(
            long = "trusted-proxy",
            env = "ZHIFA_TRUSTED_PROXIES",
            value_delimiter = ','
        )]
        trusted_proxies: Vec<std::net::IpAddr>,
        /// Hash of the tamper-evident log, chosen when it is created: sm3 (default) or sha256
        /// (an ordinary RFC 6962 / C2SP log that any standard client verifies).
        #[arg(long, value_parser = parse_hash)]
        ledger_hash: Option<zhifa_ledger::HashAlg>,
        /// JSON file of province/agency overrides of the deadline catalog (DL-3), e.g.
        /// {"overrides":{"rev.opinion":{"length":7,"extension":3,"basis":"省规定"}}}
        #[arg(long, env = "ZHIFA_DEADLINE_OVERRIDES")]
        deadline_overrides: Option<PathBuf>,
        /// Push this log's checkpoints to a witness (an upper-tier instance) and keep its
        /// cosignatures: the base URL of its tlog-witness endpoint, e.g.
        /// http://province:8080/ledger/witness. Repeat for several witnesses.
        #[arg(long = "witness", env = "ZHIFA_WITNESSES", value_delimiter = ',')]
        witnesses: Vec<String>,
        /// Seconds between pushes to the witnesses.
        #[arg(long, default_value_t = 10)]
        witness_interval: u64,
        /// Largest evidence file accepted, in MiB.
        #[arg(long, default_value_t = 8192)]
        max_evidence_mib: u64,
    },
    /// Create a data directory with a realistic Anhui demo dataset (if empty) and serve it.
    Demo {
        #[arg(long, default_value = "zhifa-demo")]
        data_dir: PathBuf,
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Seed of the generator: the same seed gives the same dataset.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Hash of the tamper-evident log: sm3 (default) or sha256.
        #[arg(long, value_parser = parse_hash)]
        ledger_hash: Option<zhifa_ledger::HashAlg>,
        /// Keep the demo's data in this PostgreSQL database instead of the embedded SQLite
        /// file (evidence files stay under --data-dir), e.g. to compare the engines.
        #[arg(long)]
        database_url: Option<String>,
        /// Serve over plain HTTP (cookies without `Secure`). Implied when listening on a
        /// loopback address, as the demo does by default.
        #[arg(long)]
        insecure_http: bool,
        /// Also generate this many penalty cases across the demo's agencies, through the same
        /// rules (deterministic per --seed), when the demo is created; e.g. 1000000.
        #[arg(long, default_value_t = 0)]
        cases: u64,
        /// Stop after creating the demo (and its generated cases) instead of serving it.
        #[arg(long)]
        no_serve: bool,
    },
    /// Accounts the deployment's operator manages on the server (三员分立): the security
    /// administrators and auditors no administrator may create or disable in the console,
    /// and the first accounts of a new deployment. Every act is recorded in the ledger.
    Users {
        #[command(subcommand)]
        command: users::UsersCommand,
    },
    /// Drop every projection table and rebuild it from the event log.
    Rebuild {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Working days and deadlines (DL-1, DL-2): look up days, compute due dates, import notices.
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// Verify the tamper-evident record offline (REC-6): recompute every leaf from the stored
    /// events, check tiles, root, signatures, and consistency with a checkpoint you kept.
    /// Exits non-zero naming the first bad index.
    Verify {
        #[command(flatten)]
        store: StoreArgs,
        /// A checkpoint (signed note) saved earlier; the log must have grown from it, not forked.
        #[arg(long)]
        trusted_checkpoint: Option<PathBuf>,
        /// Verify an exported package instead (a directory with manifest.json, or a manifest
        /// file): every record's proof against its signed checkpoint and every file's hash.
        package: Option<PathBuf>,
        /// The log's verifier keys as you obtained them (one `name+keyid+base64` per line,
        /// e.g. saved from /ledger/keys). Without it, a package is checked with its own keys.
        #[arg(long)]
        trusted_keys: Option<PathBuf>,
    },
    /// Export records with their proofs as a self-verifying package directory (REC-5): the
    /// events of the given streams or sequence numbers, the evidence files they received, and
    /// manifest.json; `zhifa verify DIR` checks it offline.
    Export {
        #[command(flatten)]
        store: StoreArgs,
        /// A stream to export whole (e.g. evidence-<id>, officer-<id>); repeatable.
        #[arg(long)]
        stream: Vec<String>,
        /// An event sequence number to export; repeatable.
        #[arg(long)]
        seq: Vec<i64>,
        /// Title written into the manifest.
        #[arg(long, default_value = "执法记录证明包")]
        title: String,
        /// Directory to create (must not exist yet).
        #[arg(long)]
        out: PathBuf,
    },
    /// Erase a person's or organisation's personal data (resident ID or credit code) from the
    /// record without breaking any proof (REC-6); the erasure is recorded.
    Erase {
        #[command(flatten)]
        store: StoreArgs,
        /// The resident ID number or unified social credit code whose data is erased.
        #[arg(long)]
        subject: String,
        /// The legal basis or request behind the erasure.
        #[arg(long)]
        reason: String,
    },
    /// The ledger's keys and checkpoints.
    Ledger {
        #[command(subcommand)]
        command: LedgerCommand,
    },
    /// Check identifiers: one line per value, `VALUE ok` or `VALUE error: <reason>`.
    /// Exits 1 if any value is invalid.
    Validate {
        /// id (resident ID, GB 11643), uscc (unified social credit code, GB 32100),
        /// division (administrative division code, GB/T 2260)
        kind: String,
        #[arg(required = true)]
        values: Vec<String>,
    },
}

#[derive(clap::Args, Clone)]
struct OptionalStore {
    /// Also use the notices imported into this data directory's database.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Also use the notices imported into this PostgreSQL database.
    #[arg(long)]
    database_url: Option<String>,
}

impl OptionalStore {
    async fn calendar(&self) -> Result<zhifa_calendar::Calendar> {
        let store = match (&self.database_url, &self.data_dir) {
            (Some(url), _) => Store::open(url).await?,
            (None, Some(dir)) => Store::open_sqlite_dir(dir).await?,
            (None, None) => return Ok(zhifa_calendar::Calendar::embedded()),
        };
        zhifa_server::service::load_calendar(&store).await
    }
}

#[derive(Subcommand)]
enum LedgerCommand {
    /// Print the verifier keys (signed-note form `name+keyid+base64`), one per line.
    Keys {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Sign a checkpoint of the current tree now and print it.
    Checkpoint {
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Subcommand)]
enum CalendarCommand {
    /// One line per date: `DATE workday` or `DATE holiday`, with ` provisional` when the
    /// year's holiday notice is not loaded. Exits 1 if any date is invalid.
    IsWorkday {
        #[arg(required = true)]
        dates: Vec<String>,
        #[command(flatten)]
        store: OptionalStore,
    },
    /// The due date of a period that starts on DATE (the start day itself is never counted).
    Add {
        /// YYYY-MM-DD (or an RFC 3339 instant for hours)
        date: String,
        /// The length of the period
        length: String,
        /// workdays | days | hours | months | years
        #[arg(long, default_value = "workdays")]
        unit: String,
        /// Also print the days skipped and why.
        #[arg(long)]
        explain: bool,
        #[command(flatten)]
        store: OptionalStore,
    },
    /// Import a year's holiday notice (project notice format) without a rebuild; open
    /// deadlines that depended on it are recomputed and the change is recorded.
    Import {
        file: PathBuf,
        #[command(flatten)]
        store: StoreArgs,
    },
}

fn parse_hash(s: &str) -> std::result::Result<zhifa_ledger::HashAlg, String> {
    s.parse()
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("ZHIFA_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    if std::env::var("ZHIFA_LOG_FORMAT").as_deref() == Ok("json") {
        tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Calendar { command } => calendar(command).await,
        Command::Verify {
            package: Some(package),
            trusted_keys,
            ..
        } => verify_package(&package, trusted_keys.as_deref()).await,
        Command::Export {
            store,
            stream,
            seq,
            title,
            out,
        } => export(&store, &stream, &seq, &title, &out).await,
        Command::Verify {
            store,
            trusted_checkpoint,
            package: None,
            ..
        } => {
            let trusted = match trusted_checkpoint {
                Some(p) => Some(
                    std::fs::read_to_string(&p)
                        .with_context(|| format!("reading {}", p.display()))?,
                ),
                None => None,
            };
            let evidence = store.evidence()?;
            let store = store.open().await?;
            match store.audit(trusted, Some(evidence.clone())).await? {
                Ok(report) => {
                    println!(
                        "ok: {} events verified against the signed checkpoint of size {} (root {}); {} evidence file(s) re-hashed in {}",
                        report.checkpoint.size,
                        report.checkpoint.size,
                        report.checkpoint.root.to_hex(),
                        report.evidence_checked,
                        evidence.location()
                    );
                    Ok(())
                }
                Err(e) => {
                    eprintln!("FAILED: {e}");
                    std::process::exit(2);
                }
            }
        }
        Command::Erase {
            store,
            subject,
            reason,
        } => {
            let state = store.state(Settings::default()).await?;
            match zhifa_server::service::erase_subject(
                &state,
                &zhifa_domain::auth::Actor::system(),
                &subject,
                &reason,
            )
            .await
            {
                Ok(seqs) if seqs.is_empty() => {
                    bail!("no record holds that subject's personal data")
                }
                Ok(seqs) => {
                    println!(
                        "erased from {} event(s): {:?}; the erasure is recorded and every proof stays valid",
                        seqs.len(),
                        seqs
                    );
                    Ok(())
                }
                Err(e) => bail!("{}", zhifa_server::error::ApiError::from(e).body.message),
            }
        }
        Command::Ledger { command } => match command {
            LedgerCommand::Keys { store } => {
                for k in store.open().await?.ledger_info().await?.verifier_keys {
                    println!("{k}");
                }
                Ok(())
            }
            LedgerCommand::Checkpoint { store } => {
                match store.open().await?.issue_checkpoint().await? {
                    Some(note) => print!("{note}"),
                    None => bail!("the log is empty"),
                }
                Ok(())
            }
        },
        Command::Validate { kind, values } => {
            let kind: zhifa_ident::Kind = kind
                .parse()
                .map_err(|e: zhifa_ident::UnknownKind| anyhow::anyhow!("{e}"))?;
            let mut bad = false;
            for v in values {
                let line = zhifa_ident::validate_line(kind, &v);
                bad |= !line.ends_with(" ok");
                println!("{line}");
            }
            if bad {
                std::process::exit(1);
            }
            Ok(())
        }
        Command::Users { command } => users::run(command).await,
        Command::Serve {
            store,
            listen,
            insecure_http,
            trusted_proxies,
            ledger_hash,
            deadline_overrides,
            witnesses,
            witness_interval,
            max_evidence_mib,
        } => {
            init_logging();
            let evidence = store.evidence()?;
            let store = store.open_with(ledger_hash).await?;
            let deadline_overrides = match deadline_overrides {
                Some(path) => {
                    let text = std::fs::read_to_string(&path)
                        .with_context(|| format!("reading {}", path.display()))?;
                    serde_json::from_str(&text).with_context(|| {
                        format!("{}: not a deadline override file", path.display())
                    })?
                }
                None => Default::default(),
            };
            for w in &witnesses {
                if !(w.starts_with("http://") || w.starts_with("https://")) {
                    bail!("--witness {w}: expected an http(s):// URL");
                }
            }
            let settings = Settings {
                secure_cookies: !insecure_http,
                trusted_proxies,
                deadline_overrides,
                witnesses,
                witness_push_interval_secs: witness_interval,
                max_evidence_bytes: max_evidence_mib.saturating_mul(1024 * 1024),
                ..Settings::default()
            };
            run(store, evidence, settings, listen, |addr| {
                tracing::info!(%addr, "zhifa serving");
                println!("zhifa 已启动：http://{addr}/");
            })
            .await
        }
        Command::Demo {
            data_dir,
            listen,
            seed,
            ledger_hash,
            database_url,
            insecure_http,
            cases,
            no_serve,
        } => {
            init_logging();
            let store = match &database_url {
                Some(url) => Store::open_with(url, ledger_hash)
                    .await
                    .with_context(|| "opening the PostgreSQL database".to_string())?,
                None => Store::open_sqlite_dir_with(&data_dir, ledger_hash).await?,
            };
            let fresh = !store.has_events().await?;
            let (accounts, world) = seed_demo(&store, seed, &data_dir, cases > 0).await?;
            let evidence = evidence_store(None, &data_dir)?;
            if let Some(world) = world {
                println!("正在按同一套规则生成 {cases} 件执法案件（种子 {seed}）……");
                let g = demo_bulk::generate_cases(&store, world, seed, cases).await?;
                println!(
                    "已生成执法案件 {} 件，分布于 {} 个执法主体，用时 {:.1} 秒（{:.0} 件/秒），数据库增加 {} 字节/件",
                    g.cases,
                    g.agencies,
                    g.seconds,
                    g.cases as f64 / g.seconds,
                    g.bytes_per_case
                );
            } else if cases > 0 {
                println!("演示数据已存在，未再生成案件（--cases 仅在创建演示数据时生效）");
            }
            if fresh {
                let n = seed_demo_evidence(&store, &evidence).await?;
                println!("已生成演示证据材料 {n} 份（录音、示意图、笔录，其中 1 份逾期上传）");
                // The demo's cases are a history of past months, entered now.
                let history = Settings {
                    case_backdate_days: 120,
                    ..Settings::default()
                };
                let state = AppState::new(store.clone(), history, evidence.clone()).await?;
                let n = demo_cases::seed_demo_cases(&state).await?;
                println!(
                    "已生成演示执法案件 {n} 件（各阶段均有，含临近与超过九十日决定期限、超出裁量基准的案件）"
                );
            }
            if no_serve {
                return Ok(());
            }
            let settings = Settings {
                secure_cookies: !(insecure_http || listen.ip().is_loopback()),
                ..Settings::default()
            };
            run(store, evidence, settings, listen, move |addr| {
                println!("\nzhifa 演示环境已启动：http://{addr}/");
                println!("接口文档：http://{addr}/api/docs");
                println!("演示账号（密码均为 {}）：", zhifa_demo::DEMO_PASSWORD);
                for (u, role, agency) in &accounts {
                    println!("  {u:<11} {role:<8} {agency}");
                }
            })
            .await
        }
        Command::Rebuild { store } => {
            init_logging();
            let store = store.open().await?;
            let before = store.dump_projections().await?;
            let t = std::time::Instant::now();
            let n = store.rebuild().await?;
            let after = store.dump_projections().await?;
            println!(
                "已从 {n} 个事件重建全部投影表，用时 {:.2} 秒",
                t.elapsed().as_secs_f64()
            );
            if before != after {
                bail!("重建结果与原投影表不一致：投影表含有事件日志之外的数据，请检查");
            }
            println!("重建结果与原投影表完全一致（{} 行）", after.len());
            Ok(())
        }
    }
}

async fn calendar(command: CalendarCommand) -> Result<()> {
    match command {
        CalendarCommand::IsWorkday { dates, store } => {
            let cal = store.calendar().await?;
            let mut bad = false;
            for d in dates {
                match zhifa_calendar::cli::is_workday_line(&cal, &d) {
                    Ok(line) => println!("{line}"),
                    Err(e) => {
                        bad = true;
                        println!("{d} error: {e}");
                    }
                }
            }
            if bad {
                std::process::exit(1);
            }
            Ok(())
        }
        CalendarCommand::Add {
            date,
            length,
            unit,
            explain,
            store,
        } => {
            let cal = store.calendar().await?;
            let lines = if explain {
                zhifa_calendar::cli::add_explain(&cal, &date, &length, &unit)
            } else {
                zhifa_calendar::cli::add_line(&cal, &date, &length, &unit).map(|l| vec![l])
            };
            match lines {
                Ok(lines) => {
                    for l in lines {
                        println!("{l}");
                    }
                    Ok(())
                }
                Err(e) => bail!("{e}"),
            }
        }
        CalendarCommand::Import { file, store } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let state = store.state(Settings::default()).await?;
            match zhifa_server::service::import_notice(
                &state,
                &zhifa_domain::auth::Actor::system(),
                &text,
            )
            .await
            {
                Ok(o) => {
                    println!(
                        "imported {} ({}){}; {} open deadline(s) recomputed",
                        o.year,
                        o.documents.join(", "),
                        if o.replaced {
                            ", replacing the earlier notice"
                        } else {
                            ""
                        },
                        o.recomputed
                    );
                    Ok(())
                }
                Err(e) => bail!("{}", zhifa_server::error::ApiError::from(e).body.message),
            }
        }
    }
}

/// `zhifa export`: writes DIR/manifest.json and DIR/files/… (REC-5).
async fn export(
    store: &StoreArgs,
    streams: &[String],
    seqs: &[i64],
    title: &str,
    out: &Path,
) -> Result<()> {
    use futures_util::StreamExt;
    if streams.is_empty() && seqs.is_empty() {
        bail!("name what to export with --stream or --seq");
    }
    if out.exists() {
        bail!("{} already exists; choose a new directory", out.display());
    }
    let evidence = store.evidence()?;
    let db = store.open().await?;
    let mut all = seqs.to_vec();
    for s in streams {
        let events = db.events_of_stream(s).await?;
        if events.is_empty() {
            bail!("no stream {s}");
        }
        all.extend(events.iter().map(|e| e.seq));
    }
    // The operator's export signs the current head first (no server signer may be running);
    // the package is then proven against that latest signed checkpoint.
    db.issue_checkpoint().await?;
    let pkg = db.export_package(title, &all).await?;
    std::fs::create_dir_all(out.join("files"))
        .with_context(|| format!("creating {}", out.display()))?;
    for f in &pkg.files {
        let Some(mut stream) = evidence.open(&f.content).await? else {
            bail!(
                "evidence file {}:{} ({}) is missing from {}",
                f.content.alg,
                f.content.hash,
                f.name,
                evidence.location()
            );
        };
        let path = out.join(&f.path);
        let mut file =
            std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?;
        while let Some(chunk) = stream.next().await {
            std::io::Write::write_all(&mut file, &chunk?)?;
        }
        file.sync_all()?;
    }
    std::fs::write(
        out.join("manifest.json"),
        serde_json::to_string_pretty(&pkg)? + "\n",
    )?;
    println!(
        "exported {} record(s) and {} file(s) to {}, proven against the checkpoint of size {}",
        pkg.entries.len(),
        pkg.files.len(),
        out.display(),
        zhifa_ledger::Checkpoint::from_note(&pkg.checkpoint)?.size
    );
    Ok(())
}

/// `zhifa verify PACKAGE`: exit 2 naming the first bad record or file.
async fn verify_package(path: &Path, trusted_keys: Option<&Path>) -> Result<()> {
    let (dir, manifest) = if path.is_dir() {
        (path.to_path_buf(), path.join("manifest.json"))
    } else {
        (
            path.parent().unwrap_or(Path::new(".")).to_path_buf(),
            path.to_path_buf(),
        )
    };
    let text = std::fs::read_to_string(&manifest)
        .with_context(|| format!("reading {}", manifest.display()))?;
    let pkg: zhifa_ledger::Package = match serde_json::from_str(&text) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("FAILED: {}: not a zhifa package: {e}", manifest.display());
            std::process::exit(2);
        }
    };
    let keys = match trusted_keys {
        Some(p) => zhifa_ledger::TrustedKeys::from_text(
            &std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?,
        )
        .map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?,
        None => {
            eprintln!(
                "note: checking with the keys inside the package; compare their key IDs with the ones the platform publishes (/ledger/keys), or pass --trusted-keys"
            );
            match zhifa_ledger::package::package_keys(&pkg) {
                Ok(k) => k,
                Err(e) => {
                    eprintln!("FAILED: {e}");
                    std::process::exit(2);
                }
            }
        }
    };
    let mut hash_file = |f: &zhifa_ledger::PackageFile| -> std::result::Result<Option<zhifa_ledger::ContentHash>, String> {
        if !zhifa_ledger::package::is_safe_path(&f.path) {
            return Err("path leaves the package".into());
        }
        let p = dir.join(&f.path);
        let mut file = match std::fs::File::open(&p) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("{}: {e}", p.display())),
        };
        let mut h = zhifa_ledger::ContentHasher::new(f.content.alg);
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = std::io::Read::read(&mut file, &mut buf).map_err(|e| e.to_string())?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
        }
        Ok(Some(h.finalize()))
    };
    match zhifa_ledger::verify_package(&pkg, &keys, &mut hash_file) {
        Ok(r) => {
            println!(
                "ok: {} record(s) proven in the signed checkpoint of size {} (root {}); {} file(s) match their recorded hashes",
                r.entries,
                r.checkpoint.size,
                r.checkpoint.root.to_hex(),
                r.files_checked
            );
            for f in &r.files_not_supplied {
                println!("not supplied (hash proven, file not checked): {f}");
            }
            Ok(())
        }
        Err(e) => {
            eprintln!("FAILED: {e}");
            std::process::exit(2);
        }
    }
}

fn evidence_store(url: Option<&str>, data_dir: &Path) -> Result<zhifa_evidence::EvidenceStore> {
    Ok(match url {
        Some(u) => zhifa_evidence::EvidenceStore::from_url(u)?,
        None => zhifa_evidence::EvidenceStore::local(&data_dir.join("evidence"))?,
    })
}

async fn run(
    store: Store,
    evidence: zhifa_evidence::EvidenceStore,
    settings: Settings,
    listen: SocketAddr,
    on_bound: impl FnOnce(SocketAddr),
) -> Result<()> {
    let state = AppState::new(store, settings, evidence).await?;
    zhifa_server::serve(state, listen, on_bound).await
}
