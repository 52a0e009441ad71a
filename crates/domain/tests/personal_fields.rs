//! REC-6: personal data enters the ledger only through salted commitments, and a field is
//! personal when its type is `Personal<T>` (stored as `{"$personal": value}`). This test
//! serialises one sample of every event and fails when a field named like personal data is
//! neither typed `Personal` nor explained below, so a new event (or field) cannot carry personal
//! data into the record unnoticed by being declared as a plain `String`.

use serde_json::Value;
use zhifa_domain::event::personal::PERSONAL_KEY;
use zhifa_domain::event::samples;

/// Field names that hold personal data when they are about a natural person.
const PERSONAL_NAMES: &[&str] = &[
    "id_number",
    "id_no",
    "phone",
    "mobile",
    "address",
    "home_address",
    "name",
    "display_name",
    "email",
    "bank_account",
];

/// Fields named like personal data that are not a natural person's private data, and why.
const NOT_PERSONAL: &[(&str, &str, &str)] = &[
    (
        "AgencyRegistered",
        "/payload/data/name",
        "an agency is a legal person",
    ),
    (
        "AgencyUpdated",
        "/payload/data/name",
        "an agency is a legal person",
    ),
    (
        "OfficerRegistered",
        "/payload/data/name",
        "officers' names are published (PUB-1, PUB-2 certificate check)",
    ),
    (
        "OfficerUpdated",
        "/payload/data/name",
        "officers' names are published (PUB-1, PUB-2 certificate check)",
    ),
    (
        "ItemVersionPublished",
        "/payload/data/name",
        "a power-list item's name",
    ),
    (
        "InspectionItemListed",
        "/payload/data/name",
        "an inspection item's name",
    ),
    (
        "ServiceGuideSet",
        "/payload/data/phone",
        "the office's public consultation phone (REG-5)",
    ),
    (
        "ServiceGuideSet",
        "/payload/data/address",
        "the office's public address (REG-5)",
    ),
    (
        "UserCreated",
        "/payload/data/display_name",
        "a staff account's display name, the platform's own personnel record",
    ),
    (
        "UserUpdated",
        "/payload/data/display_name",
        "a staff account's display name, the platform's own personnel record",
    ),
    (
        "ApiTokenIssued",
        "/payload/data/name",
        "an external system's name",
    ),
];

/// Every object key with its JSON pointer (array elements included).
fn keys(v: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = format!("{at}/{k}");
                out.push((k.clone(), p.clone()));
                keys(x, &p, out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                keys(x, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn every_variant_has_a_sample() {
    let mut seen = [false; samples::VARIANTS];
    for e in samples::all() {
        seen[samples::variant_index(&e)] = true;
    }
    let missing: Vec<usize> = (0..samples::VARIANTS).filter(|i| !seen[*i]).collect();
    assert!(missing.is_empty(), "variants without a sample: {missing:?}");
}

#[test]
fn personal_looking_fields_are_listed_or_explained() {
    let mut unlisted = Vec::new();
    for e in samples::all() {
        let envelope = serde_json::json!({ "payload": e });
        let mut found = Vec::new();
        keys(&envelope, "", &mut found);
        for (k, pointer) in found {
            if !PERSONAL_NAMES.contains(&k.as_str()) {
                continue;
            }
            let explained = NOT_PERSONAL
                .iter()
                .any(|(kind, p, _)| *kind == e.kind() && *p == pointer);
            let typed_personal = envelope
                .pointer(&pointer)
                .and_then(Value::as_object)
                .is_some_and(|m| m.len() == 1 && m.contains_key(PERSONAL_KEY));
            if typed_personal == explained {
                // Either a plain field that looks personal, or an explanation that rotted (the
                // field became Personal, or vanished).
                unlisted.push(format!("{} {pointer}", e.kind()));
            }
        }
    }
    assert!(
        unlisted.is_empty(),
        "personal-looking fields neither typed Personal nor (exclusively) explained: {unlisted:?}"
    );
}

#[test]
fn officers_id_numbers_are_typed_personal() {
    // The one personal field of today's events, stated independently of the walk above.
    let officer = samples::all()
        .into_iter()
        .find(|e| e.kind() == "OfficerRegistered")
        .unwrap();
    let v = serde_json::to_value(&officer).unwrap();
    assert!(v["data"]["id_number"][PERSONAL_KEY].is_string(), "{v}");
}
