//! Leaf encoding: how an event becomes a leaf, committing to personal data only through
//! salted hashes so the personal data and its salt can later be erased without changing the
//! leaf (and so without invalidating any proof).
//!
//! ## Encoding (version 1)
//!
//! ```text
//! leaf input = "zhifa-leaf/1\n" || canonical_json(redacted event)
//! leaf hash  = H(0x00 || leaf input)                       (RFC 6962)
//! ```
//!
//! *Redacted event*: the event as a JSON value in which every personal field (named by a
//! JSON pointer pattern, see below) is replaced by `{"$commit":"<hex commitment>"}`, with
//!
//! ```text
//! field salt = H(0x03 || event salt (32 bytes) || UTF-8 JSON pointer of the field)
//! commitment = H(0x02 || field salt || canonical_json(original value))
//! ```
//!
//! `H` is the log's hash (SM3 by default). One random 32-byte salt per event is kept next to
//! the payload; erasing a person's data deletes the salt and replaces the personal values in
//! the stored payload with their `{"$commit":…}` objects (see [`erase`]) — the stored payload
//! *is then* the redacted event, and [`build_leaf`] on it yields the same leaf input. A field
//! salt can be disclosed to prove one field's value without exposing the other fields.
//!
//! *Canonical JSON*: no whitespace; object members sorted by the UTF-8 bytes of their keys;
//! strings escape only `"`, `\` and control characters (`\b \f \n \r \t`, other controls as
//! `\u00xx`), everything else is literal UTF-8; numbers must be integers (a float is an error
//! because its text form is not canonical); `true`, `false`, `null`.
//!
//! *Pointer patterns*: RFC 6901 JSON pointers where a segment `*` matches every array element
//! or object member, e.g. `/party/id_number`, `/witnesses/*/phone`. A pattern that matches
//! nothing is skipped (optional fields). The pointer recorded for a commitment is the concrete
//! one (`/witnesses/0/phone`).
//!
//! *Evidence files* enter as their content hash ([`crate::ContentHash`]: `hash_alg`, `hash`,
//! `size`) in ordinary fields of the event.

use serde_json::Value;

use crate::hash::{COMMIT_PREFIX, FIELD_SALT_PREFIX, Hash, HashAlg};

/// Prefix of every version-1 leaf input.
pub const LEAF_V1_PREFIX: &[u8] = b"zhifa-leaf/1\n";
/// Member name of a commitment object.
pub const COMMIT_KEY: &str = "$commit";
/// Member name of a marked personal value: `{"$personal": value}` (see [`redact_marked`]).
pub const PERSONAL_KEY: &str = "$personal";

/// A per-event secret salt (32 random bytes).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Salt(pub [u8; 32]);

impl std::fmt::Debug for Salt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A salt protects low-entropy personal data (ID numbers, phones): never print it.
        f.write_str("Salt(…)")
    }
}

impl Salt {
    /// A fresh salt from the operating system's random source.
    pub fn generate() -> Result<Salt, LeafError> {
        let mut s = [0u8; 32];
        getrandom::fill(&mut s).map_err(|e| LeafError::Random(e.to_string()))?;
        Ok(Salt(s))
    }
}

/// Problems building a leaf.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LeafError {
    /// Floats have no canonical text form.
    #[error("non-integer number at {0}: use integers (e.g. amounts in fen)")]
    Float(String),
    /// A pointer pattern is not a valid JSON pointer.
    #[error("invalid JSON pointer pattern {0:?}")]
    BadPointer(String),
    /// The random source failed.
    #[error("random source failed: {0}")]
    Random(String),
    /// A marked personal value without the event salt to commit to it: building the leaf would
    /// put the value in the log in clear, so it is refused.
    #[error("personal value at {0} has no salt to commit to it")]
    Unsalted(String),
}

/// A personal field's commitment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldCommitment {
    /// Concrete JSON pointer of the field.
    pub pointer: String,
    /// The commitment that replaced the value in the leaf.
    pub commitment: Hash,
}

/// A built leaf.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leaf {
    /// Leaf input bytes (what an entry bundle carries and what is hashed).
    pub input: Vec<u8>,
    /// RFC 6962 leaf hash.
    pub hash: Hash,
    /// Commitments made for personal fields (already-committed fields are listed too).
    pub commitments: Vec<FieldCommitment>,
}

/// Serialises a JSON value canonically (see the module docs).
pub fn canonical_json(v: &Value) -> Result<Vec<u8>, LeafError> {
    let mut out = Vec::with_capacity(512);
    write_canonical(v, &mut out)?;
    Ok(out)
}

/// Appends the canonical JSON of `v` to `out` (see [`canonical_json`]).
pub fn write_canonical(v: &Value, out: &mut Vec<u8>) -> Result<(), LeafError> {
    write_value(v, out).map_err(|mut rev_path| {
        // The path is collected leaf-first while the error unwinds; only then is it built, so
        // the common, valid case allocates nothing per member.
        rev_path.reverse();
        LeafError::Float(if rev_path.is_empty() {
            "/".into()
        } else {
            rev_path.concat()
        })
    })
}

/// Err: the JSON-pointer segments (`/name`), innermost first, of a float.
fn write_value(v: &Value, out: &mut Vec<u8>) -> Result<(), Vec<String>> {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Number(n) => {
            use std::io::Write as _;
            if let Some(i) = n.as_i64() {
                let _ = write!(out, "{i}");
            } else if let Some(u) = n.as_u64() {
                let _ = write!(out, "{u}");
            } else {
                return Err(Vec::new());
            }
        }
        Value::String(s) => write_string(s, out),
        Value::Array(a) => {
            out.push(b'[');
            for (i, e) in a.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(e, out).map_err(|mut p| {
                    p.push(format!("/{i}"));
                    p
                })?;
            }
            out.push(b']');
        }
        Value::Object(m) => {
            // Sort explicitly: serde_json's map order depends on a crate feature
            // (`preserve_order`) that any other crate in the build may switch on.
            let mut members: Vec<(&String, &Value)> = m.iter().collect();
            members.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push(b'{');
            for (i, (k, e)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(k, out);
                out.push(b':');
                write_value(e, out).map_err(|mut p| {
                    p.push(format!("/{}", escape_pointer(k)));
                    p
                })?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

/// Appends `s` as a JSON string: quote and backslash escaped, the short escapes for the
/// control characters that have one, `\u00XX` for the others, everything else as UTF-8.
pub fn write_string(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        // Only ASCII bytes need escaping; UTF-8 continuation bytes are all >= 0x80.
        let esc: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x0c => b"\\f",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x00..=0x1f => {
                out.extend_from_slice(&bytes[start..i]);
                out.extend_from_slice(format!("\\u{b:04x}").as_bytes());
                start = i + 1;
                continue;
            }
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(esc);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

fn escape_pointer(seg: &str) -> String {
    seg.replace('~', "~0").replace('/', "~1")
}

fn parse_pattern(p: &str) -> Result<Vec<String>, LeafError> {
    if p.is_empty() || !p.starts_with('/') {
        return Err(LeafError::BadPointer(p.into()));
    }
    p[1..]
        .split('/')
        .map(|s| {
            // Only ~0 and ~1 are valid escapes.
            let mut out = String::new();
            let mut chars = s.chars();
            while let Some(c) = chars.next() {
                if c == '~' {
                    match chars.next() {
                        Some('0') => out.push('~'),
                        Some('1') => out.push('/'),
                        _ => return Err(LeafError::BadPointer(p.into())),
                    }
                } else {
                    out.push(c);
                }
            }
            Ok(out)
        })
        .collect()
}

/// Derives the salt of one field from the event salt.
pub fn field_salt(alg: HashAlg, salt: &Salt, pointer: &str) -> Hash {
    alg.digest_parts(&[&[FIELD_SALT_PREFIX], &salt.0, pointer.as_bytes()])
}

/// Commitment to one field value given its field salt.
pub fn commit_with_field_salt(
    alg: HashAlg,
    field_salt: &Hash,
    value: &Value,
) -> Result<Hash, LeafError> {
    let bytes = canonical_json(value)?;
    Ok(alg.digest_parts(&[&[COMMIT_PREFIX], &field_salt.0, &bytes]))
}

/// Commitment to the value of field `pointer` of an event with salt `salt`.
pub fn commit_field(
    alg: HashAlg,
    salt: &Salt,
    pointer: &str,
    value: &Value,
) -> Result<Hash, LeafError> {
    commit_with_field_salt(alg, &field_salt(alg, salt, pointer), value)
}

/// Checks a disclosed field value against its commitment.
pub fn verify_field(alg: HashAlg, field_salt: &Hash, value: &Value, commitment: &Hash) -> bool {
    commit_with_field_salt(alg, field_salt, value).is_ok_and(|c| c == *commitment)
}

/// If `v` is a commitment object, its commitment.
pub fn as_commitment(v: &Value) -> Option<Hash> {
    let m = v.as_object()?;
    if m.len() != 1 {
        return None;
    }
    Hash::from_hex(m.get(COMMIT_KEY)?.as_str()?)
}

fn commitment_value(h: &Hash) -> Value {
    let mut m = serde_json::Map::new();
    m.insert(COMMIT_KEY.into(), Value::String(h.to_hex()));
    Value::Object(m)
}

fn redact_rec(
    alg: HashAlg,
    v: &mut Value,
    segs: &[String],
    pointer: &mut String,
    salt: &Salt,
    out: &mut Vec<FieldCommitment>,
) -> Result<(), LeafError> {
    let Some((seg, rest)) = segs.split_first() else {
        // Already committed (an erased payload): keep it, so erasure leaves the leaf unchanged.
        let commitment = match as_commitment(v) {
            Some(c) => c,
            None => {
                let c = commit_field(alg, salt, pointer, v)?;
                *v = commitment_value(&c);
                c
            }
        };
        out.push(FieldCommitment {
            pointer: pointer.clone(),
            commitment,
        });
        return Ok(());
    };
    let len = pointer.len();
    match v {
        Value::Object(m) => {
            // Sorted so commitments are listed in a stable order.
            let mut keys: Vec<String> = if seg == "*" {
                m.keys().cloned().collect()
            } else if m.contains_key(seg) {
                vec![seg.clone()]
            } else {
                vec![]
            };
            keys.sort();
            for k in keys {
                pointer.push('/');
                pointer.push_str(&escape_pointer(&k));
                if let Some(child) = m.get_mut(&k) {
                    redact_rec(alg, child, rest, pointer, salt, out)?;
                }
                pointer.truncate(len);
            }
        }
        Value::Array(a) => {
            let idx: Vec<usize> = if seg == "*" {
                (0..a.len()).collect()
            } else {
                seg.parse::<usize>()
                    .ok()
                    .filter(|i| *i < a.len() && (seg == "0" || !seg.starts_with('0')))
                    .into_iter()
                    .collect()
            };
            for i in idx {
                pointer.push('/');
                pointer.push_str(&i.to_string());
                redact_rec(alg, &mut a[i], rest, pointer, salt, out)?;
                pointer.truncate(len);
            }
        }
        _ => {}
    }
    Ok(())
}

/// Replaces the personal fields of `event` by their commitments. Returns the redacted event
/// and the commitments. Fields that are already commitment objects are left as they are.
pub fn redact(
    alg: HashAlg,
    event: &Value,
    personal: &[&str],
    salt: &Salt,
) -> Result<(Value, Vec<FieldCommitment>), LeafError> {
    let mut v = event.clone();
    let mut commitments = Vec::new();
    for p in personal {
        let segs = parse_pattern(p)?;
        redact_rec(
            alg,
            &mut v,
            &segs,
            &mut String::new(),
            salt,
            &mut commitments,
        )?;
    }
    Ok((v, commitments))
}

/// As [`redact`], for the part of an event found at `prefix` (e.g. its payload at `/payload`):
/// the patterns under `prefix` are applied to `value` with the same pointers — hence the same
/// commitments — as if the whole event were redacted; other patterns are ignored. Lets a caller
/// that writes the rest of the event itself avoid copying the whole event.
pub fn redact_within(
    alg: HashAlg,
    value: &Value,
    prefix: &str,
    personal: &[&str],
    salt: &Salt,
) -> Result<(Value, Vec<FieldCommitment>), LeafError> {
    let mut v = value.clone();
    let mut commitments = Vec::new();
    for p in personal {
        let Some(rest) = p.strip_prefix(prefix).filter(|r| r.starts_with('/')) else {
            continue;
        };
        let segs = parse_pattern(rest)?;
        redact_rec(
            alg,
            &mut v,
            &segs,
            &mut prefix.to_string(),
            salt,
            &mut commitments,
        )?;
    }
    Ok((v, commitments))
}

/// If `v` is a marked personal value `{"$personal": value}`, the value.
pub fn as_personal(v: &Value) -> Option<&Value> {
    let m = v.as_object()?;
    if m.len() != 1 {
        return None;
    }
    m.get(PERSONAL_KEY)
}

/// Whether `v` holds any marked personal value (then its leaf needs a salt).
pub fn has_personal(v: &Value) -> bool {
    match v {
        Value::Object(m) => as_personal(v).is_some() || m.values().any(has_personal),
        Value::Array(a) => a.iter().any(has_personal),
        _ => false,
    }
}

/// Replaces every marked personal value `{"$personal": value}` found in `value` (which sits at
/// `prefix` in the event, e.g. `/payload`) by its commitment object, the commitment being to
/// `value` under the concrete pointer of the marked object — so a marked field commits exactly
/// as a field named by a pointer pattern would. Commitment objects already present (an erased
/// payload) are kept and listed. Returns the redacted value and its commitments, in document
/// order of sorted keys.
///
/// This is how typed payloads (the domain's `Personal<T>`) reach the log: which fields are
/// personal follows from the data, not from a list kept beside it.
pub fn redact_marked(
    alg: HashAlg,
    value: &Value,
    prefix: &str,
    salt: &Salt,
) -> Result<(Value, Vec<FieldCommitment>), LeafError> {
    fn walk(
        alg: HashAlg,
        v: &mut Value,
        pointer: &mut String,
        salt: &Salt,
        out: &mut Vec<FieldCommitment>,
    ) -> Result<(), LeafError> {
        if let Some(inner) = as_personal(v) {
            let c = commit_field(alg, salt, pointer, inner)?;
            *v = commitment_value(&c);
            out.push(FieldCommitment {
                pointer: pointer.clone(),
                commitment: c,
            });
            return Ok(());
        }
        if let Some(c) = as_commitment(v) {
            out.push(FieldCommitment {
                pointer: pointer.clone(),
                commitment: c,
            });
            return Ok(());
        }
        let len = pointer.len();
        match v {
            Value::Object(m) => {
                let mut keys: Vec<String> = m.keys().cloned().collect();
                keys.sort();
                for k in keys {
                    pointer.push('/');
                    pointer.push_str(&escape_pointer(&k));
                    if let Some(child) = m.get_mut(&k) {
                        walk(alg, child, pointer, salt, out)?;
                    }
                    pointer.truncate(len);
                }
            }
            Value::Array(a) => {
                for (i, child) in a.iter_mut().enumerate() {
                    pointer.push('/');
                    pointer.push_str(&i.to_string());
                    walk(alg, child, pointer, salt, out)?;
                    pointer.truncate(len);
                }
            }
            _ => {}
        }
        Ok(())
    }
    let mut v = value.clone();
    let mut out = Vec::new();
    walk(alg, &mut v, &mut prefix.to_string(), salt, &mut out)?;
    Ok((v, out))
}

/// The marked personal values of `value` with their concrete pointers under `prefix`.
pub fn marked_values<'a>(value: &'a Value, prefix: &str) -> Vec<(String, &'a Value)> {
    fn walk<'a>(v: &'a Value, pointer: &mut String, out: &mut Vec<(String, &'a Value)>) {
        if let Some(inner) = as_personal(v) {
            out.push((pointer.clone(), inner));
            return;
        }
        let len = pointer.len();
        match v {
            Value::Object(m) => {
                for (k, child) in m {
                    pointer.push('/');
                    pointer.push_str(&escape_pointer(k));
                    walk(child, pointer, out);
                    pointer.truncate(len);
                }
            }
            Value::Array(a) => {
                for (i, child) in a.iter().enumerate() {
                    pointer.push('/');
                    pointer.push_str(&i.to_string());
                    walk(child, pointer, out);
                    pointer.truncate(len);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, &mut prefix.to_string(), &mut out);
    out
}

/// Builds the leaf of an event (see the module docs for the encoding).
pub fn build_leaf(
    alg: HashAlg,
    event: &Value,
    personal: &[&str],
    salt: &Salt,
) -> Result<Leaf, LeafError> {
    let (redacted, commitments) = redact(alg, event, personal, salt)?;
    let input = leaf_input(&redacted)?;
    Ok(Leaf {
        hash: alg.leaf_hash(&input),
        input,
        commitments,
    })
}

/// Leaf input of an already redacted event: `"zhifa-leaf/1\n" || canonical_json(event)`.
pub fn leaf_input(redacted: &Value) -> Result<Vec<u8>, LeafError> {
    let mut input = LEAF_V1_PREFIX.to_vec();
    input.extend_from_slice(&canonical_json(redacted)?);
    Ok(input)
}

/// Erasure: the payload to keep after deleting the personal data and the salt. It is the
/// redacted event, so rebuilding the leaf from it gives the same leaf input and hash.
pub fn erase(
    alg: HashAlg,
    event: &Value,
    personal: &[&str],
    salt: &Salt,
) -> Result<Value, LeafError> {
    Ok(redact(alg, event, personal, salt)?.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event() -> Value {
        json!({
            "type": "inquiry_recorded",
            "case": "皖执罚〔2026〕12号",
            "at": 1764115200,
            "party": {"name": "张三", "id_number": "34010219900101001X", "phone": "13800000000"},
            "witnesses": [{"name": "李四", "phone": "1"}, {"name": "王五"}],
            "evidence": "sm3:66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0",
            "amount_fen": 500000
        })
    }
    const PERSONAL: &[&str] = &[
        "/party/name",
        "/party/id_number",
        "/party/phone",
        "/witnesses/*/name",
        "/witnesses/*/phone",
        "/absent/field",
    ];

    #[test]
    fn canonical_form() {
        let v = json!({"b": [1, -2, "x\"\\\n\u{1}é"], "a": {"d": null, "c": true}});
        assert_eq!(
            String::from_utf8(canonical_json(&v).unwrap()).unwrap(),
            "{\"a\":{\"c\":true,\"d\":null},\"b\":[1,-2,\"x\\\"\\\\\\n\\u0001é\"]}"
        );
        assert_eq!(
            canonical_json(&json!({"x": [1, 1.5]})).unwrap_err(),
            LeafError::Float("/x/1".into())
        );
    }

    #[test]
    fn erasure_keeps_leaf() {
        let alg = HashAlg::Sm3;
        let salt = Salt([42; 32]);
        let ev = event();
        let leaf = build_leaf(alg, &ev, PERSONAL, &salt).unwrap();
        assert_eq!(leaf.commitments.len(), 6);
        assert!(leaf.input.starts_with(LEAF_V1_PREFIX));
        let text = String::from_utf8(leaf.input.clone()).unwrap();
        for secret in ["张三", "34010219900101001X", "13800000000", "李四", "王五"] {
            assert!(!text.contains(secret), "{secret} leaked into the leaf");
        }
        assert!(text.contains("皖执罚〔2026〕12号"));

        // Erase: keep the redacted payload, drop the salt.
        let erased = erase(alg, &ev, PERSONAL, &salt).unwrap();
        let other_salt = Salt([0; 32]);
        let rebuilt = build_leaf(alg, &erased, PERSONAL, &other_salt).unwrap();
        assert_eq!(rebuilt.input, leaf.input);
        assert_eq!(rebuilt.hash, leaf.hash);

        // Disclose one field.
        let fs = field_salt(alg, &salt, "/witnesses/0/name");
        let c = leaf
            .commitments
            .iter()
            .find(|c| c.pointer == "/witnesses/0/name")
            .unwrap();
        assert!(verify_field(alg, &fs, &json!("李四"), &c.commitment));
        assert!(!verify_field(alg, &fs, &json!("李五"), &c.commitment));

        // A different salt gives a different leaf; equal values in different fields differ.
        let l2 = build_leaf(alg, &ev, PERSONAL, &Salt([43; 32])).unwrap();
        assert_ne!(l2.hash, leaf.hash);
    }

    #[test]
    fn bad_patterns() {
        let s = Salt([1; 32]);
        assert!(build_leaf(HashAlg::Sm3, &event(), &["party"], &s).is_err());
        assert!(build_leaf(HashAlg::Sm3, &event(), &["/a~2"], &s).is_err());
    }

    /// A marked value commits exactly as the same field named by a pointer pattern, so the
    /// typed payloads (`Personal<T>`) and the pattern form describe one leaf encoding.
    #[test]
    fn marked_values_commit_like_patterns() {
        let alg = HashAlg::Sm3;
        let salt = Salt([7; 32]);
        let plain = event();
        let mut marked = plain.clone();
        for p in [
            "/party/name",
            "/party/id_number",
            "/party/phone",
            "/witnesses/0/name",
            "/witnesses/0/phone",
            "/witnesses/1/name",
        ] {
            let v = marked.pointer_mut(p).unwrap();
            *v = json!({ PERSONAL_KEY: v.clone() });
        }
        assert!(has_personal(&marked) && !has_personal(&plain));
        assert_eq!(marked_values(&marked, "").len(), 6);
        let (by_pattern, c1) = redact(alg, &plain, PERSONAL, &salt).unwrap();
        let (by_mark, c2) = redact_marked(alg, &marked, "", &salt).unwrap();
        assert_eq!(by_pattern, by_mark);
        let mut c1 = c1;
        let mut c2 = c2;
        c1.sort_by(|a, b| a.pointer.cmp(&b.pointer));
        c2.sort_by(|a, b| a.pointer.cmp(&b.pointer));
        assert_eq!(c1, c2);
        assert!(!has_personal(&by_mark));
        // Redacting the redacted form (an erased payload) changes nothing.
        assert_eq!(redact_marked(alg, &by_mark, "", &salt).unwrap().0, by_mark);
        // Under a prefix the pointers, hence the commitments, are the event's own.
        let (inner, _) = redact_marked(alg, &marked["party"], "/party", &salt).unwrap();
        assert_eq!(inner, by_mark["party"]);
    }
}
