//! In-memory append speed and tile storage per leaf.
//!
//! `cargo run --release -p zhifa-ledger --example bench_log_append [leaves]`

use std::time::Instant;

use zhifa_ledger::{Hash, HashAlg, MemoryTiles, MerkleLog};

fn leaf_hashes(n: u64) -> impl Iterator<Item = Hash> {
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

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .map(|a| a.parse().expect("leaf count"))
        .unwrap_or(2_000_000);
    // Tiles are flushed every `batch` appends, as a store commits a group of events.
    let batch = 1000u64;
    for (alg, from_input) in [
        (HashAlg::Sm3, false),
        (HashAlg::Sm3, true),
        (HashAlg::Sha256, false),
    ] {
        let mut log = MerkleLog::new(alg);
        let mut store = MemoryTiles::new();
        let mut written = 0usize;
        let mut input = [0u8; 64];
        let start = Instant::now();
        for (i, h) in leaf_hashes(n).enumerate() {
            if from_input {
                input[..32].copy_from_slice(&h.0);
                log.append(&input);
            } else {
                log.append_leaf_hash(h);
            }
            if (i as u64 + 1).is_multiple_of(batch) {
                let w = log.take_tile_writes();
                written += w.iter().map(|t| t.bytes.len()).sum::<usize>();
                store.apply(w);
            }
        }
        let w = log.take_tile_writes();
        written += w.iter().map(|t| t.bytes.len()).sum::<usize>();
        store.apply(w);
        let secs = start.elapsed().as_secs_f64();
        println!(
            "{:<6} {:<18} {n} leaves in {secs:.2} s: {:>10.0} appends/s; tiles stored {:.2} bytes/leaf in {} rows; written {:.1} bytes/leaf with a flush every {batch} appends",
            alg.name(),
            if from_input {
                "(64-byte inputs)"
            } else {
                "(leaf hashes)"
            },
            n as f64 / secs,
            store.stored_bytes() as f64 / n as f64,
            store.tile_count(),
            written as f64 / n as f64,
        );
        assert_eq!(
            zhifa_ledger::tiles::root_from_tiles(alg, &store, n).unwrap(),
            log.tree_head()
        );
    }
}
