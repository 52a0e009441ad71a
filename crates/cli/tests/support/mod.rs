//! A `zhifa demo` server on a free port for the tests that drive a whole instance from outside
//! (the browser tests, the API contract tests): started from the built binary, waited for on
//! `/healthz`, killed and its files removed however the test ends.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const STARTUP_LIMIT: Duration = Duration::from_secs(120);

pub struct DemoServer {
    pub addr: SocketAddr,
    child: Child,
    data_dir: PathBuf,
    log: PathBuf,
}

impl DemoServer {
    /// Starts `zhifa demo` with a fresh data directory and waits until it answers.
    pub fn start(tag: &str) -> DemoServer {
        let port = free_port();
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let stamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let name = format!("zhifa-{tag}-{}-{stamp}", std::process::id());
        let data_dir = std::env::temp_dir().join(&name);
        let log = std::env::temp_dir().join(format!("{name}.log"));
        let log_file = std::fs::File::create(&log).expect("create server log");
        let child = Command::new(env!("CARGO_BIN_EXE_zhifa"))
            .arg("demo")
            .arg("--data-dir")
            .arg(&data_dir)
            .arg("--listen")
            .arg(addr.to_string())
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("clone log handle"))
            .stderr(log_file)
            .spawn()
            .expect("start zhifa demo");
        let mut server = DemoServer {
            addr,
            child,
            data_dir,
            log,
        };
        let started = Instant::now();
        loop {
            if healthy(addr) {
                break;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!(
                    "zhifa demo exited early ({status}); its output:\n{}",
                    server.log_text()
                );
            }
            if started.elapsed() > STARTUP_LIMIT {
                panic!(
                    "zhifa demo did not answer /healthz on {addr} within {} s; its output:\n{}",
                    STARTUP_LIMIT.as_secs(),
                    server.log_text()
                );
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        eprintln!(
            "zhifa demo ready on http://{addr}/ after {:.1} s",
            started.elapsed().as_secs_f64()
        );
        server
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.data_dir);
        let _ = std::fs::remove_file(&self.log);
    }
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().expect("local addr").port()
}

/// `GET /healthz` answered 200.
fn healthy(addr: SocketAddr) -> bool {
    let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_secs(2)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = s.set_write_timeout(Some(Duration::from_secs(5)));
    let req = format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    if s.write_all(req.as_bytes()).is_err() {
        return false;
    }
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf);
    text.starts_with("HTTP/1.1 200") || text.starts_with("HTTP/1.0 200")
}
