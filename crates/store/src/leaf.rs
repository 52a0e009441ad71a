//! How a recorded event becomes its ledger leaf (REC-6): the envelope and its canonical bytes,
//! personal values committed, never in clear.

use crate::*;

/// What the leaf of an event commits to: the event and everything recorded about it. Personal
/// fields are replaced by salted commitments when the leaf is built (REC-6).
pub fn leaf_envelope(r: &Recorded) -> serde_json::Value {
    serde_json::json!({
        "seq": r.seq,
        "id": r.id,
        "stream": r.stream,
        "version": r.version,
        "kind": r.kind,
        "actor_id": r.actor_id,
        "actor_name": r.actor_name,
        "agency_id": r.agency_id,
        "recorded_at": r.recorded_at,
        "payload": r.payload,
    })
}

/// The leaf input of a recorded event: its marked personal values (`{"$personal": …}`, the
/// domain's `Personal<T>`) become salted commitments; a payload without any (none, or all
/// erased) is used as it is. A marked value without a salt is refused, never written in clear.
///
/// The bytes are `zhifa-leaf/1\n` and the canonical JSON of [`leaf_envelope`]; the envelope's
/// fixed members are written here directly (in canonical, byte-sorted key order) so that only
/// the payload goes through the generic writer and nothing but a redacted payload is copied.
/// A test holds this to the generic path byte for byte.
pub fn leaf_input_of(
    alg: zhifa_ledger::HashAlg,
    r: &Recorded,
    salt: Option<&zhifa_ledger::Salt>,
) -> std::result::Result<Vec<u8>, zhifa_ledger::LeafError> {
    use zhifa_ledger::leaf::{LEAF_V1_PREFIX, write_canonical, write_string};
    let redacted;
    let payload = if zhifa_ledger::leaf::has_personal(&r.payload) {
        let salt = salt.ok_or_else(|| {
            let at = zhifa_ledger::leaf::marked_values(&r.payload, "/payload");
            zhifa_ledger::LeafError::Unsalted(
                at.first().map(|(p, _)| p.clone()).unwrap_or_default(),
            )
        })?;
        redacted = zhifa_ledger::leaf::redact_marked(alg, &r.payload, "/payload", salt)?.0;
        &redacted
    } else {
        &r.payload
    };
    let mut out = Vec::with_capacity(LEAF_V1_PREFIX.len() + 256 + r.stream.len());
    out.extend_from_slice(LEAF_V1_PREFIX);
    let uuid = |u: &Uuid, out: &mut Vec<u8>| {
        let mut buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
        write_string(u.hyphenated().encode_lower(&mut buf), out);
    };
    let int = |i: i64, out: &mut Vec<u8>| {
        use std::io::Write as _;
        let _ = write!(out, "{i}");
    };
    out.extend_from_slice(b"{\"actor_id\":");
    uuid(&r.actor_id, &mut out);
    out.extend_from_slice(b",\"actor_name\":");
    write_string(&r.actor_name, &mut out);
    out.extend_from_slice(b",\"agency_id\":");
    uuid(&r.agency_id, &mut out);
    out.extend_from_slice(b",\"id\":");
    uuid(&r.id, &mut out);
    out.extend_from_slice(b",\"kind\":");
    write_string(&r.kind, &mut out);
    out.extend_from_slice(b",\"payload\":");
    write_canonical(payload, &mut out)?;
    out.extend_from_slice(b",\"recorded_at\":");
    int(r.recorded_at, &mut out);
    out.extend_from_slice(b",\"seq\":");
    int(r.seq, &mut out);
    out.extend_from_slice(b",\"stream\":");
    write_string(&r.stream, &mut out);
    out.extend_from_slice(b",\"version\":");
    int(r.version, &mut out);
    out.push(b'}');
    Ok(out)
}

#[cfg(test)]
mod leaf_tests {
    use super::*;

    /// The generic path: the whole envelope as a JSON value, redacted, canonicalised.
    fn reference(
        alg: zhifa_ledger::HashAlg,
        r: &Recorded,
        salt: Option<&zhifa_ledger::Salt>,
    ) -> Vec<u8> {
        let env = leaf_envelope(r);
        let env = match salt {
            Some(salt) => {
                zhifa_ledger::leaf::redact(alg, &env, &["/payload/data/id_number"], salt)
                    .unwrap()
                    .0
            }
            None => env,
        };
        zhifa_ledger::leaf::leaf_input(&env).unwrap()
    }

    fn record(kind: &str, payload: serde_json::Value, name: &str) -> Recorded {
        Recorded {
            seq: 42,
            id: Uuid::now_v7(),
            stream: format!("officer-{}", Uuid::now_v7()),
            version: 3,
            kind: kind.into(),
            payload,
            actor_id: Uuid::now_v7(),
            actor_name: name.into(),
            agency_id: Uuid::now_v7(),
            recorded_at: -1_234_567,
        }
    }

    #[test]
    fn the_direct_envelope_is_the_canonical_one() {
        let salt = zhifa_ledger::Salt([7u8; 32]);
        for alg in [zhifa_ledger::HashAlg::Sm3, zhifa_ledger::HashAlg::Sha256] {
            // The typed payload marks the value; the reference names the same field by pointer.
            let officer = record(
                "OfficerRegistered",
                serde_json::json!({"type": "OfficerRegistered", "data": {
                    "id_number": {"$personal": "11010519491231002X"}, "name": "张\"明\\\n",
                    "trainings": [{"hours": 8}], "z": null, "a": true}}),
                "head\u{1}局长",
            );
            let plain_officer = record(
                "OfficerRegistered",
                serde_json::json!({"type": "OfficerRegistered", "data": {
                    "id_number": "11010519491231002X", "name": "张\"明\\\n",
                    "trainings": [{"hours": 8}], "z": null, "a": true}}),
                "head\u{1}局长",
            );
            let plain_officer = Recorded {
                id: officer.id,
                stream: officer.stream.clone(),
                actor_id: officer.actor_id,
                agency_id: officer.agency_id,
                ..plain_officer
            };
            assert_eq!(
                leaf_input_of(alg, &officer, Some(&salt)).unwrap(),
                reference(alg, &plain_officer, Some(&salt))
            );
            // Without its salt a marked value is refused rather than written in clear.
            assert!(matches!(
                leaf_input_of(alg, &officer, None),
                Err(zhifa_ledger::LeafError::Unsalted(p)) if p == "/payload/data/id_number"
            ));
            let plain = record(
                "AgencyRegistered",
                serde_json::json!({"type": "AgencyRegistered", "data": {"name": "瑶海区"}}),
                "system",
            );
            assert_eq!(
                leaf_input_of(alg, &plain, Some(&salt)).unwrap(),
                reference(alg, &plain, Some(&salt))
            );
        }
    }
}
