//! The stored event format is public and hashed for good (REC-6): these tests pin it.
//!
//! - **Golden leaves**: one sample of every event kind (`zhifa_domain::event::samples`) in a
//!   fixed envelope with a fixed salt gives exactly the leaf bytes in `golden/leaves.txt`. A
//!   change of a record type, of a value type inside one, of serde attributes or of the leaf
//!   encoding fails here; the fix is a new record version with an upgrade, not a new golden file.
//!   (`UPDATE_GOLDEN=1` rewrites the file — only for a kind that is new.) A kind at version
//!   N > 1 is keyed `Kind@vN`; the lines of its earlier versions stay pinned, and their stored
//!   payloads must still read through the upgrades (`old_versions_still_read`).
//! - **No personal value in clear**: in every sample's leaf, no value typed `Personal` appears,
//!   and a marked value cannot be written without a salt.

use proptest::prelude::*;
use std::collections::BTreeMap;
use std::path::PathBuf;
use uuid::Uuid;
use zhifa_domain::event::{Event, decode_stored, encode, samples};
use zhifa_ledger::{HashAlg, Salt};
use zhifa_store::{Recorded, leaf_input_of};

const SALT: Salt = Salt([7u8; 32]);

fn golden_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/leaves.txt")
}

/// The sample in a fixed envelope, as the store would record it.
fn recorded(i: usize, e: &Event) -> Recorded {
    Recorded {
        seq: i as i64 + 1,
        id: Uuid::from_u128(0x1000 + i as u128),
        stream: format!("golden-{}", e.kind()),
        version: 1,
        kind: e.kind().to_string(),
        payload: encode(e),
        actor_id: Uuid::from_u128(0xa),
        actor_name: "golden".into(),
        agency_id: Uuid::from_u128(0xb),
        recorded_at: 1_767_225_600_000_000,
    }
}

fn leaf(r: &Recorded) -> Vec<u8> {
    let personal = zhifa_ledger::leaf::has_personal(&r.payload);
    leaf_input_of(HashAlg::Sm3, r, personal.then_some(&SALT)).unwrap()
}

/// kind → (leaf input without its `zhifa-leaf/1\n` prefix, SM3 leaf hash).
fn current() -> BTreeMap<String, (String, String)> {
    samples::all()
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let input = leaf(&recorded(i, e));
            let text = std::str::from_utf8(&input).unwrap();
            let body = text.strip_prefix("zhifa-leaf/1\n").expect("v1 prefix");
            let hash = HashAlg::Sm3.leaf_hash(&input).to_hex();
            (key_of(e.kind()), (body.to_string(), hash))
        })
        .collect()
}

/// The golden key of a kind at its current version.
fn key_of(kind: &str) -> String {
    match zhifa_domain::event::current_version(kind) {
        1 => kind.to_string(),
        n => format!("{kind}@v{n}"),
    }
}

/// The kind and version a golden key names.
fn version_of(key: &str) -> (&str, u32) {
    match key.split_once("@v") {
        Some((k, v)) => (k, v.parse().expect("version")),
        None => (key, 1),
    }
}

fn parse(text: &str) -> BTreeMap<String, (String, String)> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let mut p = l.splitn(3, '\t');
            let (k, h, b) = (p.next().unwrap(), p.next().unwrap(), p.next().unwrap());
            (k.to_string(), (b.to_string(), h.to_string()))
        })
        .collect()
}

#[test]
fn every_kind_has_its_golden_leaf() {
    let now = current();
    assert_eq!(now.len(), samples::VARIANTS, "one sample per kind");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let mut out = String::from(
            "# kind<TAB>SM3 leaf hash<TAB>leaf input after \"zhifa-leaf/1\\n\" (see tests/event_format.rs)\n",
        );
        // Earlier versions' lines stay: they are what stored events of those versions hold.
        let kept = parse(&std::fs::read_to_string(golden_path()).unwrap_or_default());
        let mut all = now.clone();
        for (k, v) in kept {
            let (kind, version) = version_of(&k);
            if version < zhifa_domain::event::current_version(kind) {
                all.insert(k, v);
            }
        }
        for (k, (body, hash)) in &all {
            out.push_str(&format!("{k}\t{hash}\t{body}\n"));
        }
        std::fs::write(golden_path(), out).unwrap();
    }
    let pinned = parse(&std::fs::read_to_string(golden_path()).expect("golden/leaves.txt"));
    let mut changed = Vec::new();
    for (k, v) in &now {
        match pinned.get(k) {
            None => changed.push(format!(
                "{k}: new kind, no golden leaf (UPDATE_GOLDEN=1 once)"
            )),
            Some(p) if p != v => {
                changed.push(format!("{k}:\n  pinned  {}\n  now     {}", p.0, v.0))
            }
            _ => {}
        }
    }
    for k in pinned.keys().filter(|k| !now.contains_key(*k)) {
        let (kind, v) = version_of(k);
        if v >= zhifa_domain::event::current_version(kind) {
            changed.push(format!("{k}: pinned but no longer produced"));
        }
    }
    assert!(
        changed.is_empty(),
        "the stored format changed; add a new record version with an upgrade instead:\n{}",
        changed.join("\n")
    );
}

/// The pinned leaves of earlier versions: their payloads, as stored then, still read (through
/// the upgrades) as an event of their kind.
#[test]
fn old_versions_still_read() {
    let pinned = parse(&std::fs::read_to_string(golden_path()).expect("golden/leaves.txt"));
    let mut old = 0;
    for (k, (body, _)) in &pinned {
        let (kind, v) = version_of(k);
        if v >= zhifa_domain::event::current_version(kind) {
            continue;
        }
        old += 1;
        let leaf: serde_json::Value = serde_json::from_str(body).expect("leaf body is JSON");
        let event = decode_stored(&leaf["payload"]).unwrap_or_else(|e| panic!("{k}: {e}"));
        assert_eq!(event.kind(), kind);
    }
    // ApiTokenIssued v1 (before tokens expired) at least.
    assert!(old >= 1, "{old}");
}

#[test]
fn every_sample_reads_back_as_itself() {
    for e in samples::all() {
        assert_eq!(decode_stored(&encode(&e)).unwrap(), e, "{}", e.kind());
    }
}

/// The clear values of a payload's personal fields (strings; other types are not used yet).
fn personal_texts(payload: &serde_json::Value) -> Vec<String> {
    zhifa_ledger::leaf::marked_values(payload, "/payload")
        .into_iter()
        .map(|(_, v)| v.as_str().expect("personal values are text").to_string())
        .collect()
}

#[test]
fn no_personal_value_appears_in_clear_in_any_leaf() {
    let mut personal_kinds = 0;
    for (i, e) in samples::all().iter().enumerate() {
        let r = recorded(i, e);
        let texts = personal_texts(&r.payload);
        if texts.is_empty() {
            continue;
        }
        personal_kinds += 1;
        let input = String::from_utf8(leaf(&r)).unwrap();
        for t in &texts {
            assert!(
                !input.contains(t.as_str()),
                "{}: {t} in clear in {input}",
                e.kind()
            );
        }
        assert!(input.contains("$commit"), "{}: {input}", e.kind());
        // Without the salt the leaf is refused, never built in clear.
        assert!(
            leaf_input_of(HashAlg::Sm3, &r, None).is_err(),
            "{}",
            e.kind()
        );
    }
    // Officers' registrations and updates carry an ID number today.
    assert!(personal_kinds >= 2, "{personal_kinds}");
}

proptest! {
    /// Whatever the ID number, its registration's leaf holds only a commitment to it, and a
    /// different salt gives a different commitment (so equal values cannot be linked).
    #[test]
    fn officer_id_numbers_never_reach_the_leaf(id in "[0-9]{17}[0-9X]", salt in any::<[u8; 32]>()) {
        let mut e = samples::all().into_iter().find(|e| e.kind() == "OfficerRegistered").unwrap();
        if let Event::OfficerRegistered(o) = &mut e {
            o.id_number = zhifa_domain::event::Personal::new(id.clone());
        }
        let r = recorded(0, &e);
        let a = leaf_input_of(HashAlg::Sm3, &r, Some(&Salt(salt))).unwrap();
        let mut other = salt;
        other[0] ^= 1;
        let b = leaf_input_of(HashAlg::Sm3, &r, Some(&Salt(other))).unwrap();
        let a_text = String::from_utf8(a.clone()).unwrap();
        prop_assert!(!a_text.contains(&id));
        prop_assert_ne!(a, b);
    }
}
