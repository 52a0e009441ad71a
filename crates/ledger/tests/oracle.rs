//! SHA-256 mode checked against the independent `ct-merkle` implementation of RFC 6962:
//! roots and proofs must be byte-identical, and each implementation must accept the other's
//! proofs.

use ct_merkle::mem_backed_tree::MemoryBackedTree;
use ct_merkle::{ConsistencyProof, InclusionProof, RootHash};
use sha2::Sha256;
use zhifa_ledger::tiles::{self, MemoryTiles};
use zhifa_ledger::{Hash, HashAlg, MerkleLog, TreeHead, verify_consistency, verify_inclusion};

const ALG: HashAlg = HashAlg::Sha256;

fn flat(p: &[Hash]) -> Vec<u8> {
    p.iter().flat_map(|h| h.0).collect()
}

fn ct_root(h: &Hash, n: u64) -> RootHash<Sha256> {
    RootHash::new(h.0.into(), n)
}

#[test]
fn matches_ct_merkle() {
    let mut oracle: MemoryBackedTree<Sha256, Vec<u8>> = MemoryBackedTree::new();
    let mut log = MerkleLog::new(ALG);
    let mut store = MemoryTiles::new();
    let mut roots: Vec<Hash> = vec![log.root()];
    let mut rng = 0x9e3779b97f4a7c15u64;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    for n in 1..=600u64 {
        let input = format!("entry {n}").into_bytes();
        oracle.push(input.clone());
        log.append(&input);
        store.apply(log.take_tile_writes());
        roots.push(log.root());
        assert_eq!(
            oracle.root().as_bytes().as_slice(),
            &log.root().0,
            "root at size {n}"
        );

        // A few random indices and old sizes per size (all of them for small trees).
        let picks: Vec<u64> = if n <= 40 {
            (0..n).collect()
        } else {
            (0..6).map(|_| next() % n).collect()
        };
        for &i in &picks {
            let ours = tiles::prove_inclusion(ALG, &store, i, n).unwrap();
            let theirs = oracle.prove_inclusion(i as usize);
            assert_eq!(
                theirs.as_bytes(),
                flat(&ours).as_slice(),
                "inclusion {i} in {n}"
            );
            // ct-merkle verifies our proof for our root.
            let leaf = format!("entry {}", i + 1).into_bytes();
            ct_root(&log.root(), n)
                .verify_inclusion(&leaf, i, &InclusionProof::from_bytes(flat(&ours)))
                .unwrap();
            verify_inclusion(ALG, &ALG.leaf_hash(&leaf), i, n, &ours, &log.root()).unwrap();
        }
        for &m in &picks {
            if m == 0 {
                continue;
            }
            let ours = tiles::prove_consistency(ALG, &store, m, n).unwrap();
            let theirs = oracle.prove_consistency((n - m) as usize);
            assert_eq!(
                theirs.as_bytes(),
                flat(&ours).as_slice(),
                "consistency {m}->{n}"
            );
            ct_root(&log.root(), n)
                .verify_consistency(
                    &ct_root(&roots[m as usize], m),
                    &ConsistencyProof::try_from_bytes(flat(&ours)).unwrap(),
                )
                .unwrap();
            verify_consistency(
                ALG,
                &TreeHead {
                    size: m,
                    root: roots[m as usize],
                },
                &log.tree_head(),
                &ours,
            )
            .unwrap();
        }
    }
}

#[test]
fn matches_ct_merkle_across_level2_tiles() {
    // 70,000 leaves: full and partial tiles at levels 0, 1 and 2.
    let n = 70_000u64;
    let mut oracle: MemoryBackedTree<Sha256, [u8; 8]> = MemoryBackedTree::new();
    let mut log = MerkleLog::new(ALG);
    let mut store = MemoryTiles::new();
    let mut mid = None;
    for i in 0..n {
        oracle.push(i.to_be_bytes());
        log.append(&i.to_be_bytes());
        if i + 1 == 65_537 {
            store.apply(log.take_tile_writes());
            mid = Some(log.tree_head());
        }
    }
    store.apply(log.take_tile_writes());
    assert_eq!(oracle.root().as_bytes().as_slice(), &log.root().0);
    for i in [0u64, 255, 256, 65_535, 65_536, 69_999] {
        let ours = tiles::prove_inclusion(ALG, &store, i, n).unwrap();
        assert_eq!(
            oracle.prove_inclusion(i as usize).as_bytes(),
            flat(&ours).as_slice()
        );
    }
    let mid = mid.unwrap();
    let ours = tiles::prove_consistency(ALG, &store, mid.size, n).unwrap();
    assert_eq!(
        oracle.prove_consistency((n - mid.size) as usize).as_bytes(),
        flat(&ours).as_slice()
    );
    assert_eq!(tiles::root_from_tiles(ALG, &store, mid.size).unwrap(), mid);
}
