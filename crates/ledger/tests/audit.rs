//! Offline verifier: an honest log passes; every kind of tampering is reported with the
//! first bad index and what is wrong.

use serde_json::json;
use zhifa_ledger::leaf::{self, Salt};
use zhifa_ledger::tiles::{self, MemoryTiles};
use zhifa_ledger::{
    AuditError, AuditParams, Checkpoint, Hash, HashAlg, KeyAlg, MerkleLog, Signer, TileId,
    TreeHead, TrustedKeys, audit_leaf_hashes, audit_leaf_inputs, build_leaf,
    verify_leaf_in_checkpoint,
};

const ORIGIN: &str = "zhifa.example.gov.cn/ah/wuhu";
const ALG: HashAlg = HashAlg::Sm3;

struct Fixture {
    key: Signer,
    keys: TrustedKeys,
    leaves: Vec<Hash>,
    store: MemoryTiles,
    checkpoint: String,
    heads: Vec<TreeHead>,
}

fn fixture(n: u64) -> Fixture {
    let key = Signer::from_secret(ORIGIN, KeyAlg::Sm2, &[5; 32]).unwrap();
    let keys: TrustedKeys = [key.verifier()].into_iter().collect();
    let mut log = MerkleLog::new(ALG);
    let mut store = MemoryTiles::new();
    let mut leaves = Vec::new();
    let mut heads = vec![log.tree_head()];
    for i in 0..n {
        let (_, h) = log.append(format!("event {i}").as_bytes());
        leaves.push(h);
        heads.push(log.tree_head());
        if i % 100 == 0 {
            store.apply(log.take_tile_writes());
        }
    }
    store.apply(log.take_tile_writes());
    let checkpoint = log.checkpoint(ORIGIN).sign(&[&key]).unwrap().to_string();
    Fixture {
        key,
        keys,
        leaves,
        store,
        checkpoint,
        heads,
    }
}

impl Fixture {
    fn params(&self) -> AuditParams<'_> {
        AuditParams {
            alg: ALG,
            origin: Some(ORIGIN),
            keys: &self.keys,
            checkpoint: &self.checkpoint,
            trusted: None,
        }
    }
    fn audit(&self, leaves: Vec<Hash>) -> Result<zhifa_ledger::AuditReport, AuditError> {
        audit_leaf_hashes(&self.params(), leaves, Some(&self.store))
    }
}

#[test]
fn honest_log_passes() {
    let f = fixture(70_000);
    let r = f.audit(f.leaves.clone()).unwrap();
    assert_eq!(r.leaves_checked, 70_000);
    // Level 0: 273 full tiles + 1 partial; level 1: 273 hashes = 1 full + 1 partial; level 2:
    // 1 hash = 1 partial.
    assert_eq!(r.tiles_checked, 274 + 2 + 1);
    assert_eq!(r.checkpoint.size, 70_000);
    // From leaf inputs too, and with a trusted older head.
    let inputs = (0..70_000).map(|i| format!("event {i}"));
    let mut p = f.params();
    p.trusted = Some(f.heads[65_536]);
    let r = audit_leaf_inputs(&p, inputs, Some(&f.store)).unwrap();
    assert!(r.consistent_with_trusted);
    // Leaves beyond the checkpoint are reported, not verified.
    let mut more = f.leaves.clone();
    more.push(Hash([1; 32]));
    assert_eq!(f.audit(more).unwrap().leaves_beyond_checkpoint, 1);
}

#[test]
fn empty_log() {
    let f = fixture(0);
    assert_eq!(f.audit(vec![]).unwrap().leaves_checked, 0);
}

#[test]
fn leaf_tampering_is_located() {
    let f = fixture(1000);
    let mut edited = f.leaves.clone();
    edited[500] = ALG.leaf_hash(b"forged");
    assert!(matches!(
        f.audit(edited),
        Err(AuditError::EditedLeaf { index: 500, .. })
    ));

    let mut missing = f.leaves.clone();
    missing.remove(500);
    assert_eq!(
        f.audit(missing),
        Err(AuditError::MissingLeaf { index: 500 })
    );

    let mut inserted = f.leaves.clone();
    inserted.insert(500, ALG.leaf_hash(b"backdated"));
    assert_eq!(
        f.audit(inserted),
        Err(AuditError::InsertedLeaf { index: 500 })
    );

    // Swaps, including one across a tile boundary.
    for i in [500usize, 255] {
        let mut swapped = f.leaves.clone();
        swapped.swap(i, i + 1);
        assert_eq!(
            f.audit(swapped),
            Err(AuditError::SwappedLeaves { index: i as u64 })
        );
    }

    // Missing last leaf.
    let mut short = f.leaves.clone();
    short.pop();
    assert_eq!(
        f.audit(short),
        Err(AuditError::MissingTail {
            index: 999,
            size: 1000
        })
    );
    let mut short = f.leaves.clone();
    short.truncate(10);
    assert_eq!(
        f.audit(short),
        Err(AuditError::MissingTail {
            index: 10,
            size: 1000
        })
    );

    // Without tiles only the root can tell.
    let mut edited = f.leaves.clone();
    edited[3] = Hash([0; 32]);
    assert!(matches!(
        audit_leaf_hashes(&f.params(), edited, None),
        Err(AuditError::RootMismatch { size: 1000, .. })
    ));
    assert!(audit_leaf_hashes(&f.params(), f.leaves.clone(), None).is_ok());
}

#[test]
fn storage_tampering_is_found() {
    let f = fixture(70_000);
    // The attacker edits leaf 10 and rewrites its level-0 tile to match: the level-1 tile
    // still holds the old subtree hash.
    let mut leaves = f.leaves.clone();
    leaves[10] = ALG.leaf_hash(b"rewritten");
    let mut store = f.store.clone();
    store.get_mut(0, 0).unwrap()[320..352].copy_from_slice(&leaves[10].0);
    let e = audit_leaf_hashes(&f.params(), leaves.clone(), Some(&store)).unwrap_err();
    assert_eq!(
        e,
        AuditError::TileMismatch {
            tile: TileId {
                level: 1,
                index: 0,
                width: 256
            },
            entry: 0
        }
    );

    // The attacker rewrites every tile: the signed root catches it.
    let mut log = MerkleLog::new(ALG);
    let mut forged = MemoryTiles::new();
    for h in &leaves {
        log.append_leaf_hash(*h);
    }
    forged.apply(log.take_tile_writes());
    assert!(matches!(
        audit_leaf_hashes(&f.params(), leaves.clone(), Some(&forged)),
        Err(AuditError::RootMismatch { size: 70_000, .. })
    ));
    // ... and an auditor's older trusted head pins it to the first 100 leaves.
    let mut p = f.params();
    p.trusted = Some(f.heads[100]);
    assert!(matches!(
        audit_leaf_hashes(&p, leaves.clone(), Some(&forged)),
        Err(AuditError::TrustedRootMismatch {
            trusted_size: 100,
            ..
        })
    ));

    // A missing tile is named.
    let mut store = f.store.clone();
    *store.get_mut(1, 0).unwrap() = Vec::new();
    assert!(matches!(
        audit_leaf_hashes(&f.params(), f.leaves.clone(), Some(&store)),
        Err(AuditError::Tile(_))
    ));

    // Corrupting a partial level-2 tile is found at the end.
    let mut store = f.store.clone();
    store.get_mut(2, 0).unwrap()[0] ^= 1;
    assert!(matches!(
        audit_leaf_hashes(&f.params(), f.leaves.clone(), Some(&store)),
        Err(AuditError::TileMismatch {
            tile: TileId { level: 2, .. },
            ..
        })
    ));
}

#[test]
fn checkpoint_problems() {
    let f = fixture(300);
    // Rollback below the trusted size.
    let mut p = f.params();
    p.trusted = Some(TreeHead {
        size: 301,
        root: Hash([0; 32]),
    });
    assert_eq!(
        f_audit(&p, &f),
        Err(AuditError::Rollback {
            size: 300,
            trusted_size: 301
        })
    );
    // Fork: same size, different root.
    p.trusted = Some(TreeHead {
        size: 300,
        root: Hash([0; 32]),
    });
    assert!(matches!(
        f_audit(&p, &f),
        Err(AuditError::Fork { size: 300, .. })
    ));

    // Bad signature: signature bytes altered.
    let mut note = zhifa_ledger::SignedNote::parse(&f.checkpoint).unwrap();
    note.signatures[0].sig[10] ^= 1;
    let bad = note.to_string();
    let mut p = f.params();
    p.checkpoint = &bad;
    assert!(matches!(
        f_audit(&p, &f),
        Err(AuditError::BadSignature { .. })
    ));

    // Checkpoint claims a different root, signed by the real key: root mismatch.
    let lie = Checkpoint::new(
        ORIGIN,
        TreeHead {
            size: 300,
            root: Hash([3; 32]),
        },
    )
    .sign(&[&f.key])
    .unwrap()
    .to_string();
    let mut p = f.params();
    p.checkpoint = &lie;
    assert!(matches!(
        f_audit(&p, &f),
        Err(AuditError::RootMismatch { .. })
    ));

    // Unknown key: signed by someone else.
    let other = Signer::from_secret(ORIGIN, KeyAlg::Ed25519, &[9; 32]).unwrap();
    let foreign = Checkpoint::new(ORIGIN, f.heads[300])
        .sign(&[&other])
        .unwrap()
        .to_string();
    let mut p = f.params();
    p.checkpoint = &foreign;
    assert!(matches!(
        f_audit(&p, &f),
        Err(AuditError::UnknownKey { .. })
    ));

    // Key rotation: the checkpoint carries the old and the new key's signatures; an auditor
    // who only trusts the new key accepts it.
    let rotated = Checkpoint::new(ORIGIN, f.heads[300])
        .sign(&[&f.key, &other])
        .unwrap()
        .to_string();
    let new_keys: TrustedKeys = [other.verifier()].into_iter().collect();
    let mut p = f.params();
    p.checkpoint = &rotated;
    p.keys = &new_keys;
    assert!(f_audit(&p, &f).is_ok());

    // Wrong origin.
    let mut p = f.params();
    p.origin = Some("another.example/log");
    assert!(matches!(f_audit(&p, &f), Err(AuditError::Malformed(_))));
}

fn f_audit(p: &AuditParams<'_>, f: &Fixture) -> Result<zhifa_ledger::AuditReport, AuditError> {
    audit_leaf_hashes(p, f.leaves.clone(), Some(&f.store))
}

#[test]
fn erasure_keeps_every_proof_valid() {
    let personal = ["/party/name", "/party/id_number"];
    let key = Signer::from_secret(ORIGIN, KeyAlg::Sm2, &[5; 32]).unwrap();
    let keys: TrustedKeys = [key.verifier()].into_iter().collect();
    let mut log = MerkleLog::new(ALG);
    let mut store = MemoryTiles::new();
    let mut payloads = Vec::new();
    for i in 0..50u64 {
        let salt = Salt([i as u8; 32]);
        let ev = json!({
            "seq": i,
            "type": "evidence_collected",
            "party": {"name": format!("当事人{i}"), "id_number": "34010219900101001X"},
            "file": zhifa_ledger::ContentHash::of(ALG, format!("video {i}").as_bytes()).hash.to_hex(),
        });
        let l = build_leaf(ALG, &ev, &personal, &salt).unwrap();
        log.append(&l.input);
        payloads.push((ev, salt, l));
    }
    store.apply(log.take_tile_writes());
    let note = log.checkpoint(ORIGIN).sign(&[&key]).unwrap().to_string();
    let proof7 = tiles::prove_inclusion(ALG, &store, 7, 50).unwrap();

    // Erase person 7: keep only the redacted payload; the salt is gone.
    let (ev7, salt7, leaf7) = &payloads[7];
    let erased = leaf::erase(ALG, ev7, &personal, salt7).unwrap();
    assert!(!erased.to_string().contains("当事人7"));
    let rebuilt = build_leaf(ALG, &erased, &personal, &Salt([0xee; 32])).unwrap();
    assert_eq!(rebuilt.input, leaf7.input);

    // The proof for the erased event still verifies, and so does the whole log.
    verify_leaf_in_checkpoint(ALG, &keys, Some(ORIGIN), &note, &rebuilt.input, 7, &proof7).unwrap();
    let inputs: Vec<Vec<u8>> = payloads
        .iter()
        .enumerate()
        .map(|(i, (ev, salt, _))| {
            let src = if i == 7 { &erased } else { ev };
            build_leaf(ALG, src, &personal, salt).unwrap().input
        })
        .collect();
    let p = AuditParams {
        alg: ALG,
        origin: Some(ORIGIN),
        keys: &keys,
        checkpoint: &note,
        trusted: None,
    };
    audit_leaf_inputs(&p, &inputs, Some(&store)).unwrap();
}
