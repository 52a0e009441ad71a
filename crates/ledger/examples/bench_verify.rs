//! Full offline verification of a 10,000,000-leaf SM3 log from its leaf hashes: signature,
//! every leaf against the level-0 tiles, every higher tile recomputed and compared, root.
//! Prints the time against the single-core SM3 speed limit measured in the same run.
//!
//! `cargo run --release -p zhifa-ledger --example bench_verify [leaves]`

use std::hint::black_box;
use std::time::{Duration, Instant};

use zhifa_ledger::{
    AuditParams, Hash, HashAlg, KeyAlg, MemoryTiles, MerkleLog, Signer, TrustedKeys,
    audit_leaf_hashes,
};

const ORIGIN: &str = "zhifa.example.gov.cn/bench";

fn leaf_hashes(n: u64) -> impl Iterator<Item = Hash> {
    // A cheap generator, so producing the input costs nothing next to hashing.
    let mut s = 0x243f6a8885a308d3u64;
    (0..n).map(move |_| {
        let mut h = [0u8; 32];
        for c in h.chunks_mut(8) {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            c.copy_from_slice(&s.to_le_bytes());
        }
        Hash(h)
    })
}

fn sm3_rate() -> f64 {
    let mut buf = [0u8; 64];
    let mut n = 0u64;
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(2) {
        for _ in 0..10_000 {
            let h = HashAlg::Sm3.digest(black_box(&buf));
            buf[..32].copy_from_slice(&h.0);
        }
        n += 10_000;
    }
    black_box(buf);
    n as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .map(|a| a.parse().expect("leaf count"))
        .unwrap_or(10_000_000);
    let alg = HashAlg::Sm3;
    let rate = sm3_rate();
    println!("SM3 single-core: {rate:.0} hashes/s (64-byte inputs)");

    let t = Instant::now();
    let mut log = MerkleLog::new(alg);
    let mut store = MemoryTiles::new();
    for (i, h) in leaf_hashes(n).enumerate() {
        log.append_leaf_hash(h);
        if i % 100_000 == 0 {
            store.apply(log.take_tile_writes());
        }
    }
    store.apply(log.take_tile_writes());
    let key = Signer::from_secret(ORIGIN, KeyAlg::Sm2, &[1; 32]).unwrap();
    let note = log.checkpoint(ORIGIN).sign(&[&key]).unwrap().to_string();
    println!(
        "built {n} leaves + tiles ({:.1} MB) in {:.2} s (not timed below)",
        store.stored_bytes() as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );

    let keys: TrustedKeys = [key.verifier()].into_iter().collect();
    let params = AuditParams {
        alg,
        origin: Some(ORIGIN),
        keys: &keys,
        checkpoint: &note,
        trusted: None,
    };
    let t = Instant::now();
    let report = audit_leaf_hashes(&params, leaf_hashes(n), Some(&store)).expect("log verifies");
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(report.leaves_checked, n);

    // Node hashes the verifier performs: one per merge (n - popcount(n)) plus the root fold.
    let hashes = (n - n.count_ones() as u64) + (n.count_ones() as u64).saturating_sub(1);
    let limit_2 = 2.0 * n as f64 / rate;
    let limit_actual = hashes as f64 / rate;
    println!(
        "verified {n} leaves ({} tiles) in {secs:.2} s = {:.0} leaves/s",
        report.tiles_checked,
        n as f64 / secs
    );
    println!(
        "SM3 limit at 2 hashes/leaf: {limit_2:.2} s -> verification takes {:.2}x that (ratio {:.2})",
        secs / limit_2,
        limit_2 / secs
    );
    println!(
        "hashes actually needed from leaf hashes: {hashes} (~1/leaf), limit {limit_actual:.2} s -> {:.2}x",
        secs / limit_actual
    );
    println!(
        "goal <= 15 s: {}",
        if secs <= 15.0 { "met" } else { "NOT met" }
    );
}
