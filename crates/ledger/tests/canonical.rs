//! The canonical JSON of a leaf must never change (stored logs are re-verified with it): the
//! writer is checked against the straightforward reference it replaced, on random values with
//! escapes, control characters and non-ASCII text.

use proptest::prelude::*;
use serde_json::Value;
use zhifa_ledger::leaf::canonical_json;

/// The original, per-character implementation.
fn reference(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Number(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Value::String(s) => reference_string(s, out),
        Value::Array(a) => {
            out.push(b'[');
            for (i, e) in a.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                reference(e, out);
            }
            out.push(b']');
        }
        Value::Object(m) => {
            let mut members: Vec<(&String, &Value)> = m.iter().collect();
            members.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push(b'{');
            for (i, (k, e)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                reference_string(k, out);
                out.push(b':');
                reference(e, out);
            }
            out.push(b'}');
        }
    }
}

fn reference_string(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\u{8}' => out.extend_from_slice(b"\\b"),
            '\u{c}' => out.extend_from_slice(b"\\f"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            c if (c as u32) < 0x20 => {
                out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes());
            }
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out.push(b'"');
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "[\\x00-\\x20\"\\\\a-z执法证号/~]{0,12}",]
}

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(text(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn canonical_json_is_byte_for_byte_the_reference(v in json()) {
        let mut want = Vec::new();
        reference(&v, &mut want);
        prop_assert_eq!(canonical_json(&v).unwrap(), want);
    }
}

#[test]
fn a_float_is_refused_with_its_path() {
    let v = serde_json::json!({"a": [1, {"b~/c": 1.5}]});
    let e = canonical_json(&v).unwrap_err();
    assert!(e.to_string().contains("/a/1/b~0~1c"), "{e}");
    let e = canonical_json(&serde_json::json!(2.5)).unwrap_err();
    assert!(e.to_string().contains('/'), "{e}");
}
