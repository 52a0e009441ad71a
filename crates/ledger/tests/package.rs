//! Packages (REC-5): a random selection of records from a random log verifies; any change to a
//! record's leaf, a proof hash or a file fails, naming that record's leaf index.

use proptest::prelude::*;
use zhifa_ledger::merkle::inclusion_proof_from_leaves;
use zhifa_ledger::package::{FORMAT, package_keys};
use zhifa_ledger::{
    Checkpoint, ContentHash, HashAlg, KeyAlg, Package, PackageEntry, PackageError, PackageFile,
    Signer, TreeHead, verify_package,
};

fn leaf_text(i: u64, file: Option<&ContentHash>) -> String {
    let payload = match file {
        Some(c) => serde_json::json!({"type": "EvidenceReceived", "data": {
            "hash": c.hash.to_hex(), "hash_alg": c.alg.name(), "size": c.size}}),
        None => serde_json::json!({"type": "Other", "data": {"n": i}}),
    };
    format!(
        "zhifa-leaf/1\n{}",
        serde_json::json!({"seq": i + 1, "payload": payload})
    )
}

fn file_bytes(i: u64) -> Vec<u8> {
    format!("evidence file number {i}").repeat(10).into_bytes()
}

/// A log of `n` leaves (every third one receives a file) and a package of `pick`.
fn package(alg: HashAlg, n: u64, pick: &[u64]) -> Package {
    let signer = Signer::generate("test.example/log", KeyAlg::Ed25519).unwrap();
    let contents: Vec<Option<ContentHash>> = (0..n)
        .map(|i| {
            (i % 3 == 0).then(|| ContentHash {
                alg,
                hash: alg.digest(&file_bytes(i)),
                size: file_bytes(i).len() as u64,
            })
        })
        .collect();
    let leaves: Vec<String> = (0..n)
        .map(|i| leaf_text(i, contents[i as usize].as_ref()))
        .collect();
    let hashes: Vec<_> = leaves.iter().map(|l| alg.leaf_hash(l.as_bytes())).collect();
    let root = zhifa_ledger::merkle::merkle_root(alg, &hashes);
    let note = Checkpoint::new("test.example/log", TreeHead { size: n, root })
        .sign(&[&signer])
        .unwrap()
        .to_string();
    let mut entries = Vec::new();
    let mut files = Vec::new();
    for &i in pick {
        entries.push(PackageEntry {
            index: i,
            leaf: leaves[i as usize].clone(),
            proof: inclusion_proof_from_leaves(alg, &hashes, i, n).unwrap(),
        });
        if let Some(c) = contents[i as usize] {
            files.push(PackageFile {
                index: i,
                path: format!("files/{i}"),
                name: format!("{i}.bin"),
                content: c,
            });
        }
    }
    Package {
        format: FORMAT.into(),
        title: "test".into(),
        origin: "test.example/log".into(),
        hash: alg,
        checkpoint: note,
        verifier_keys: vec![signer.verifier().to_text()],
        entries,
        files,
    }
}

fn hash_files(
    alg: HashAlg,
    changed: Option<u64>,
) -> impl FnMut(&PackageFile) -> Result<Option<ContentHash>, String> {
    move |f| {
        let mut b = file_bytes(f.index);
        if changed == Some(f.index) {
            b[3] ^= 1;
        }
        Ok(Some(ContentHash {
            alg,
            hash: alg.digest(&b),
            size: b.len() as u64,
        }))
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn packages_verify_and_any_change_names_its_record(
        sha in any::<bool>(),
        n in 1u64..300,
        picks in proptest::collection::btree_set(0u64..300, 1..8),
        which in any::<prop::sample::Index>(),
        bit in 0usize..256,
    ) {
        let alg = if sha { HashAlg::Sha256 } else { HashAlg::Sm3 };
        let pick: Vec<u64> = picks.into_iter().filter(|&i| i < n).collect();
        prop_assume!(!pick.is_empty());
        let pkg = package(alg, n, &pick);
        let keys = package_keys(&pkg).unwrap();
        let r = verify_package(&pkg, &keys, &mut hash_files(alg, None)).unwrap();
        prop_assert_eq!(r.entries, pick.len());
        prop_assert_eq!(r.files_checked, pkg.files.len());

        let target = pick[which.index(pick.len())];
        let k = which.index(pick.len());
        // An edited record.
        let mut edited = pkg.clone();
        edited.entries[k].leaf = edited.entries[k].leaf.replacen("\"seq\"", "\"seq\" ", 1);
        let e = verify_package(&edited, &keys, &mut hash_files(alg, None)).unwrap_err();
        prop_assert_eq!(e.leaf_index(), Some(target), "{}", e);
        // One bit of one proof hash.
        if !pkg.entries[k].proof.is_empty() {
            let mut bad = pkg.clone();
            let j = bit % bad.entries[k].proof.len();
            bad.entries[k].proof[j].0[bit / 8] ^= 1 << (bit % 8);
            let e = verify_package(&bad, &keys, &mut hash_files(alg, None)).unwrap_err();
            prop_assert_eq!(e.leaf_index(), Some(target), "{}", e);
        }
        // A changed file.
        if let Some(f) = pkg.files.first() {
            let e = verify_package(&pkg, &keys, &mut hash_files(alg, Some(f.index))).unwrap_err();
            let is_file = matches!(e, PackageError::File { index, .. } if index == f.index);
            prop_assert!(is_file, "{}", e);
        }
    }
}

#[test]
fn a_file_no_record_names_and_paths_outside_the_package_are_refused() {
    let alg = HashAlg::Sm3;
    let pkg = package(alg, 10, &[0, 1]);
    let keys = package_keys(&pkg).unwrap();
    let mut stray = pkg.clone();
    stray.files.push(PackageFile {
        index: 1,
        path: "files/x".into(),
        name: "x".into(),
        content: ContentHash {
            alg,
            hash: alg.digest(b"x"),
            size: 1,
        },
    });
    let e = verify_package(&stray, &keys, &mut hash_files(alg, None)).unwrap_err();
    assert!(e.to_string().contains("does not commit"), "{e}");
    let mut escape = pkg.clone();
    escape.files[0].path = "../../etc/passwd".into();
    let e = verify_package(&escape, &keys, &mut hash_files(alg, None)).unwrap_err();
    assert!(e.to_string().contains("leaves the package"), "{e}");
    let mut wrong = pkg.clone();
    wrong.format = "something/2".into();
    assert!(matches!(
        verify_package(&wrong, &keys, &mut hash_files(alg, None)),
        Err(PackageError::Malformed(_))
    ));
    // Not supplied: proven, reported, not failed.
    let r = verify_package(&pkg, &keys, &mut |_| Ok(None)).unwrap();
    assert_eq!(r.files_not_supplied, vec!["files/0".to_string()]);
}
