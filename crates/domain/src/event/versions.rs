//! Versions of the stored event format.
//!
//! Stored events are hashed into the tamper-evident log for good, so a payload's shape never
//! changes in place. A stored payload is `{"type": KIND, "data": …}` — version 1 of its kind —
//! or `{"type": KIND, "v": N, "data": …}` for a later version N. When a record type changes,
//! its kind's [`current`] version goes up, the previous record type stays (e.g. `OfficerV1`
//! beside `OfficerV2`), and an [`Upgrade`] turns the old `data` into the new one. Readers
//! (`decode_stored`: projections, `zhifa rebuild`) upgrade old events on the fly; the verifier
//! (`zhifa verify`) needs no upgrade at all, because it recomputes leaves from the stored bytes
//! of whatever version they are.
//!
//! Every kind is at version 1 except `ApiTokenIssued` (version 2 added the expiry).

use super::Event;
use serde_json::Value;

/// Turns the `data` of version `from` of `kind` into version `from + 1`.
pub struct Upgrade {
    pub kind: &'static str,
    pub from: u32,
    pub apply: fn(Value) -> Result<Value, String>,
}

/// Every upgrade of the stored format, oldest first.
pub const UPGRADES: &[Upgrade] = &[Upgrade {
    // Issue 9 finding 3: tokens expire.
    kind: "ApiTokenIssued",
    from: 1,
    apply: crate::accounts::record::upgrade_token_v1,
}];

/// The version a kind's events are written in now.
pub fn current(kind: &str) -> u32 {
    UPGRADES
        .iter()
        .filter(|u| u.kind == kind)
        .map(|u| u.from + 1)
        .max()
        .unwrap_or(1)
}

/// Why a stored payload could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("stored payload is not {{type, data}}: {0}")]
    Shape(String),
    #[error("{kind} v{version} is newer than this program (v{current}): upgrade zhifa first")]
    TooNew {
        kind: String,
        version: u32,
        current: u32,
    },
    #[error("upgrading {kind} v{from}: {reason}")]
    Upgrade {
        kind: String,
        from: u32,
        reason: String,
    },
    #[error("stored {kind} does not match its record type: {source}")]
    Payload {
        kind: String,
        source: serde_json::Error,
    },
}

/// The stored form of an event: its kind, its version when it is not 1, and its record.
pub fn encode(event: &Event) -> Value {
    let mut v = serde_json::to_value(event).expect("records always serialise");
    let version = current(event.kind());
    if version > 1
        && let Value::Object(m) = &mut v
    {
        m.insert("v".into(), Value::from(version));
    }
    v
}

/// Reads a stored payload of any version (erased personal values read as erased, see
/// [`super::Personal`]).
pub fn decode_stored(payload: &Value) -> Result<Event, DecodeError> {
    decode_with(UPGRADES, payload)
}

/// [`decode_stored`] with a given upgrade table (tests exercise the chain with their own).
pub fn decode_with(upgrades: &[Upgrade], payload: &Value) -> Result<Event, DecodeError> {
    let m = payload
        .as_object()
        .ok_or_else(|| DecodeError::Shape("not an object".into()))?;
    let kind = m
        .get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| DecodeError::Shape("no type".into()))?
        .to_string();
    let mut version = match m.get("v") {
        None => 1,
        Some(v) => v
            .as_u64()
            .and_then(|v| u32::try_from(v).ok())
            .filter(|v| *v >= 2)
            .ok_or_else(|| DecodeError::Shape(format!("bad version {v}")))?,
    };
    let mut data = m.get("data").cloned().unwrap_or(Value::Null);
    let current = upgrades
        .iter()
        .filter(|u| u.kind == kind)
        .map(|u| u.from + 1)
        .max()
        .unwrap_or(1);
    if version > current {
        return Err(DecodeError::TooNew {
            kind,
            version,
            current,
        });
    }
    while version < current {
        let u = upgrades
            .iter()
            .find(|u| u.kind == kind && u.from == version)
            .ok_or_else(|| DecodeError::Upgrade {
                kind: kind.clone(),
                from: version,
                reason: "no upgrade from this version".into(),
            })?;
        data = (u.apply)(data).map_err(|reason| DecodeError::Upgrade {
            kind: kind.clone(),
            from: version,
            reason,
        })?;
        version += 1;
    }
    let mut current_form = serde_json::Map::new();
    current_form.insert("type".into(), Value::String(kind.clone()));
    current_form.insert("data".into(), data);
    serde_json::from_value(Value::Object(current_form))
        .map_err(|source| DecodeError::Payload { kind, source })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rename_reason(mut v: Value) -> Result<Value, String> {
        let m = v.as_object_mut().ok_or("not an object")?;
        let why = m.remove("why").ok_or("no why")?;
        m.insert("reason".into(), why);
        Ok(v)
    }
    fn add_nothing(v: Value) -> Result<Value, String> {
        Ok(v)
    }

    /// An imagined history of `CertificateStatusChanged`: v1 called its reason `why`, v2
    /// renamed it, v3 (today's shape) changed nothing visible.
    const HISTORY: &[Upgrade] = &[
        Upgrade {
            kind: "CertificateStatusChanged",
            from: 1,
            apply: rename_reason,
        },
        Upgrade {
            kind: "CertificateStatusChanged",
            from: 2,
            apply: add_nothing,
        },
    ];

    #[test]
    fn old_versions_are_upgraded_step_by_step() {
        let id = uuid::Uuid::nil();
        let v1 = json!({"type": "CertificateStatusChanged",
            "data": {"officer_id": id, "status": "suspended", "why": "调离"}});
        let v2 = json!({"type": "CertificateStatusChanged", "v": 2,
            "data": {"officer_id": id, "status": "suspended", "reason": "调离"}});
        for stored in [v1, v2] {
            match decode_with(HISTORY, &stored).unwrap() {
                Event::CertificateStatusChanged { reason, .. } => assert_eq!(reason, "调离"),
                e => panic!("{e:?}"),
            }
        }
        let v4 = json!({"type": "CertificateStatusChanged", "v": 4, "data": {}});
        assert!(matches!(
            decode_with(HISTORY, &v4),
            Err(DecodeError::TooNew { current: 3, .. })
        ));
        // Without the table the v1 shape is simply wrong for today's record.
        let v1 = json!({"type": "CertificateStatusChanged",
            "data": {"officer_id": id, "status": "suspended", "why": "调离"}});
        assert!(matches!(
            decode_with(&[], &v1),
            Err(DecodeError::Payload { .. })
        ));
    }

    #[test]
    fn malformed_versions_are_refused() {
        for v in [json!(1), json!(0), json!("2"), json!(-3)] {
            let stored =
                json!({"type": "PasswordChanged", "v": v, "data": {"user_id": uuid::Uuid::nil()}});
            assert!(
                matches!(decode_stored(&stored), Err(DecodeError::Shape(_))),
                "{v}"
            );
        }
    }

    #[test]
    fn every_kind_is_written_at_its_current_version() {
        let e = Event::PasswordChanged {
            user_id: uuid::Uuid::nil(),
        };
        assert_eq!(current(e.kind()), 1);
        assert!(encode(&e).get("v").is_none());
        assert_eq!(decode_stored(&encode(&e)).unwrap(), e);
    }
}
