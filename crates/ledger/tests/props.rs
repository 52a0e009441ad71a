//! Property tests: every inclusion and consistency proof between random sizes verifies, and
//! every single-bit change of a proof, root, leaf, index or size makes verification fail.

use proptest::prelude::*;
use zhifa_ledger::tiles::{self, MemoryTiles};
use zhifa_ledger::{
    Checkpoint, Hash, HashAlg, KeyAlg, MerkleLog, Signer, TreeHead, TrustedKeys, open_checkpoint,
    verify_consistency, verify_inclusion,
};

/// A log of `n` leaves whose tiles were persisted at irregular points, so proofs read a mix of
/// full tiles and partial tiles that have since grown.
fn build(alg: HashAlg, n: u64, flush_every: u64) -> (MemoryTiles, Vec<Hash>, Vec<Hash>) {
    let mut log = MerkleLog::new(alg);
    let mut store = MemoryTiles::new();
    let mut leaves = Vec::new();
    let mut roots = vec![log.root()];
    for i in 0..n {
        let (_, h) = log.append(format!("leaf {i}").as_bytes());
        leaves.push(h);
        roots.push(log.root());
        if i % flush_every == 0 {
            store.apply(log.take_tile_writes());
        }
    }
    store.apply(log.take_tile_writes());
    (store, leaves, roots)
}

fn flip(h: &Hash, bit: usize) -> Hash {
    let mut x = *h;
    x.0[bit / 8] ^= 1 << (bit % 8);
    x
}

fn alg_strategy() -> impl Strategy<Value = HashAlg> {
    prop_oneof![Just(HashAlg::Sm3), Just(HashAlg::Sha256)]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn inclusion_verifies_and_every_bit_flip_fails(
        alg in alg_strategy(),
        n in 1u64..1200,
        i_frac in 0.0f64..1.0,
        flush in 1u64..300,
    ) {
        let i = ((n as f64 * i_frac) as u64).min(n - 1);
        // Build 2n leaves so the genuine root of any size up to 2n is known.
        let (store, leaves, roots) = build(alg, 2 * n, flush);
        let root = roots[n as usize];
        let leaf = leaves[i as usize];
        let proof = tiles::prove_inclusion(alg, &store, i, n).unwrap();
        prop_assert!(verify_inclusion(alg, &leaf, i, n, &proof, &root).is_ok());

        for k in 0..proof.len() {
            for bit in 0..256 {
                let mut p = proof.clone();
                p[k] = flip(&p[k], bit);
                prop_assert!(verify_inclusion(alg, &leaf, i, n, &p, &root).is_err());
            }
        }
        for bit in 0..256 {
            prop_assert!(verify_inclusion(alg, &flip(&leaf, bit), i, n, &proof, &root).is_err());
            prop_assert!(verify_inclusion(alg, &leaf, i, n, &proof, &flip(&root, bit)).is_err());
        }
        for bit in 0..64 {
            let i2 = i ^ (1 << bit);
            prop_assert!(verify_inclusion(alg, &leaf, i2, n, &proof, &root).is_err());
            // A changed size is checked against the genuine tree head of that size (size and
            // root always come together from a signed checkpoint); beyond 2n the proof shape
            // itself no longer fits.
            let n2 = n ^ (1 << bit);
            let r2 = if n2 <= 2 * n { roots[n2 as usize] } else { root };
            prop_assert!(verify_inclusion(alg, &leaf, i, n2, &proof, &r2).is_err());
        }
        // Dropping or adding a proof hash fails.
        if !proof.is_empty() {
            prop_assert!(verify_inclusion(alg, &leaf, i, n, &proof[1..], &root).is_err());
        }
        let mut longer = proof.clone();
        longer.push(root);
        prop_assert!(verify_inclusion(alg, &leaf, i, n, &longer, &root).is_err());
    }

    #[test]
    fn consistency_verifies_and_every_bit_flip_fails(
        alg in alg_strategy(),
        n in 1u64..1200,
        m_frac in 0.0f64..=1.0,
        flush in 1u64..300,
    ) {
        let m = ((n as f64 * m_frac) as u64).min(n);
        let (store, _leaves, roots) = build(alg, 2 * n, flush);
        let old = TreeHead { size: m, root: roots[m as usize] };
        let new = TreeHead { size: n, root: roots[n as usize] };
        let proof = tiles::prove_consistency(alg, &store, m, n).unwrap();
        prop_assert!(verify_consistency(alg, &old, &new, &proof).is_ok());
        // The old root recomputed from tiles at a historical size matches.
        prop_assert_eq!(tiles::root_from_tiles(alg, &store, m).unwrap(), old);

        for k in 0..proof.len() {
            for bit in 0..256 {
                let mut p = proof.clone();
                p[k] = flip(&p[k], bit);
                prop_assert!(verify_consistency(alg, &old, &new, &p).is_err());
            }
        }
        // The empty tree is a prefix of every tree: from size 0 nothing about the new tree is
        // asserted, so only the old side can be tampered with there.
        let binds_new = m > 0;
        for bit in 0..256 {
            let o = TreeHead { root: flip(&old.root, bit), ..old };
            let w = TreeHead { root: flip(&new.root, bit), ..new };
            prop_assert!(verify_consistency(alg, &o, &new, &proof).is_err());
            if binds_new {
                prop_assert!(verify_consistency(alg, &old, &w, &proof).is_err());
            }
        }
        for bit in 0..64 {
            let m2 = m ^ (1 << bit);
            let o = TreeHead { size: m2, root: if m2 <= 2 * n { roots[m2 as usize] } else { old.root } };
            // From size 0 the proof is empty, which is also the true proof that the new tree is
            // consistent with itself: the genuine head (n, root) is not a forgery.
            if !(o == new && proof.is_empty()) {
                prop_assert!(verify_consistency(alg, &o, &new, &proof).is_err());
            }
            let n2 = n ^ (1 << bit);
            let w = TreeHead { size: n2, root: if n2 <= 2 * n { roots[n2 as usize] } else { new.root } };
            if binds_new && n2 >= m {
                prop_assert!(verify_consistency(alg, &old, &w, &proof).is_err());
            }
        }
    }

    #[test]
    fn checkpoint_bit_flips_fail_signature(n in 0u64..5000, bit in 0usize..64, line_bit in 0usize..256) {
        // Size and root are bound by the checkpoint signature: any single-bit change fails.
        let key = Signer::from_secret("log.example", KeyAlg::Ed25519, &[7; 32]).unwrap();
        let keys: TrustedKeys = [key.verifier()].into_iter().collect();
        let cp = Checkpoint {
            origin: "log.example".into(),
            size: n,
            root: HashAlg::Sm3.digest(&n.to_be_bytes()),
            extensions: vec![],
        };
        let note = cp.sign(&[&key]).unwrap();
        let mut tampered = cp.clone();
        tampered.size ^= 1 << bit;
        let mut forged = note.clone();
        forged.text = tampered.to_text();
        prop_assert!(open_checkpoint(&forged.to_string(), &keys, None).is_err());
        let mut forged = note.clone();
        forged.text = Checkpoint { root: flip(&cp.root, line_bit), ..cp.clone() }.to_text();
        prop_assert!(open_checkpoint(&forged.to_string(), &keys, None).is_err());
        prop_assert!(open_checkpoint(&note.to_string(), &keys, None).is_ok());
    }
}

#[test]
fn inclusion_proof_does_not_bind_size_alone() {
    // Documented RFC 6962 property: the proof for index 0 in a tree of 6 has the same shape as
    // in a tree of 7, so with the *same root* it also "verifies" for size 7. The signed
    // checkpoint binds size and root; this test pins the behaviour the crate docs describe.
    let alg = HashAlg::Sha256;
    let (store, leaves, roots) = build(alg, 7, 1);
    let p = tiles::prove_inclusion(alg, &store, 0, 6).unwrap();
    assert!(verify_inclusion(alg, &leaves[0], 0, 7, &p, &roots[6]).is_ok());
    assert!(verify_inclusion(alg, &leaves[0], 0, 7, &p, &roots[7]).is_err());
}
