//! Benchmark of evidence intake: a file streamed into the store and hashed on arrival, as an
//! upload arrives (1 MiB chunks), for SM3 and SHA-256, on a local directory. Prints MiB/s,
//! the hash alone (MiB/s, same chunks, no I/O) and the process's peak resident memory, which
//! stays flat whatever the file size because nothing is held whole.
//!
//! ```text
//! CARGO_TARGET_DIR=/work/target-bench cargo run --release -p zhifa-evidence --example bench_put -- [MiB] [DIR]
//! ```

use bytes::Bytes;
use std::time::Instant;
use zhifa_evidence::EvidenceStore;
use zhifa_ledger::{ContentHasher, HashAlg};

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mib: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1024);
    let dir = args
        .get(2)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("zhifa-bench-evidence"));
    let _ = std::fs::remove_dir_all(&dir);
    let store = EvidenceStore::local(&dir).unwrap();
    // One pseudo-random 1 MiB block, varied per chunk so the file is not one repeated block.
    let mut block = vec![0u8; 1 << 20];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for b in block.iter_mut() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = x as u8;
    }
    println!(
        "file: {mib} MiB in 1 MiB chunks, store {}",
        store.location()
    );
    for alg in [HashAlg::Sm3, HashAlg::Sha256] {
        let t = Instant::now();
        let mut h = ContentHasher::new(alg);
        for i in 0..mib {
            let mut c = block.clone();
            c[0] = i as u8;
            h.update(&c);
        }
        let _ = h.finalize();
        let hash_rate = mib as f64 / t.elapsed().as_secs_f64();

        let chunks = (0..mib).map(|i| {
            let mut c = block.clone();
            c[0] = i as u8;
            Ok::<Bytes, String>(Bytes::from(c))
        });
        let t = Instant::now();
        let c = store
            .put_stream(alg, futures_util::stream::iter(chunks), u64::MAX)
            .await
            .unwrap();
        let secs = t.elapsed().as_secs_f64();
        println!(
            "{alg}: stored and hashed {} MiB in {secs:.2} s = {:.0} MiB/s (hash alone {hash_rate:.0} MiB/s); peak RSS so far {:.1} MiB",
            c.size >> 20,
            mib as f64 / secs,
            peak_rss_mib()
        );
        let t = Instant::now();
        assert_eq!(
            store.check(&c).await.unwrap(),
            zhifa_evidence::FileCheck::Intact
        );
        println!(
            "{alg}: verifier re-read and re-hashed it in {:.2} s = {:.0} MiB/s",
            t.elapsed().as_secs_f64(),
            mib as f64 / t.elapsed().as_secs_f64()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
