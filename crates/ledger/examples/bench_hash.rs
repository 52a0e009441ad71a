//! Single-core hashing speed for 64-byte inputs (the size of an RFC 6962 node hash input,
//! minus its prefix byte: both fit two compression blocks).
//!
//! `cargo run --release -p zhifa-ledger --example bench_hash`

use std::hint::black_box;
use std::time::{Duration, Instant};

use zhifa_ledger::HashAlg;

/// Hashes per second of `alg` on 64-byte inputs, measured for about `dur`.
fn rate(alg: HashAlg, dur: Duration) -> f64 {
    let mut buf = [0u8; 64];
    let mut n = 0u64;
    let start = Instant::now();
    loop {
        for _ in 0..10_000 {
            // Feed the output back so no iteration can be skipped.
            let h = alg.digest(black_box(&buf));
            buf[..32].copy_from_slice(&h.0);
        }
        n += 10_000;
        if start.elapsed() >= dur {
            break;
        }
    }
    black_box(buf);
    n as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    for alg in [HashAlg::Sm3, HashAlg::Sha256] {
        let r = rate(alg, Duration::from_secs(3));
        println!(
            "{:<7} 64-byte inputs: {:>12.0} hashes/s  ({:.1} MB/s of input, {:.0} ns/hash)",
            alg.name(),
            r,
            r * 64.0 / 1e6,
            1e9 / r
        );
    }
}
