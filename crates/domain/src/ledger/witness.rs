//! Witnessing of lower-tier logs (REC-6): an upper-level instance follows a county's or city's
//! log and cosigns each checkpoint it has checked. Which logs are followed and the head last
//! cosigned are events, so the witness state is in the tamper-evident record like everything
//! else (not a row updated in place). The signature and consistency-proof checks stay in
//! `zhifa-ledger`; the rules about *which* checkpoint may be cosigned are here.

use crate::auth::{Actor, Permission};
use crate::error::DomainError;
use crate::event::Event;
use serde::{Deserialize, Serialize};

/// A followed log as its events leave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WitnessedLog {
    pub origin: String,
    pub hash_alg: String,
    pub verifier_keys: Vec<String>,
    /// Size of the latest cosigned checkpoint (0: none yet).
    pub size: u64,
    /// Its root hash (hex; empty before the first).
    pub root: String,
}

impl WitnessedLog {
    /// The state after `e` (events about other logs leave it unchanged).
    pub fn evolve(mut self, e: &Event) -> WitnessedLog {
        match e {
            Event::WitnessedLogRegistered {
                origin,
                hash_alg,
                verifier_keys,
            } if *origin == self.origin => {
                self.hash_alg = hash_alg.clone();
                self.verifier_keys = verifier_keys.clone();
            }
            Event::WitnessCheckpointCosigned {
                origin, size, root, ..
            } if *origin == self.origin => {
                self.size = *size;
                self.root = root.clone();
            }
            _ => {}
        }
        self
    }

    /// The state a registration starts.
    pub fn registered(e: &Event) -> Option<WitnessedLog> {
        match e {
            Event::WitnessedLogRegistered {
                origin,
                hash_alg,
                verifier_keys,
            } => Some(WitnessedLog {
                origin: origin.clone(),
                hash_alg: hash_alg.clone(),
                verifier_keys: verifier_keys.clone(),
                size: 0,
                root: String::new(),
            }),
            _ => None,
        }
    }
}

fn invalid(field: &str, code: &str, msg: impl Into<String>) -> DomainError {
    DomainError::invalid(field, code, msg).rule("REC-6")
}

/// A log origin as C2SP checkpoints write it: `host/path`, one line, at most 255 characters.
pub fn check_origin(origin: &str) -> Result<String, DomainError> {
    let o = origin.trim();
    if o.is_empty()
        || o.chars().count() > 255
        || o.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(invalid(
            "origin",
            "bad_origin",
            "日志标识不能为空、不能包含空白或换行，且不超过 255 个字符",
        ));
    }
    let host_ok = |h: &str| {
        !h.is_empty()
            && h.contains('.')
            && h.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-.:".contains(c))
    };
    match o.split_once('/') {
        Some((host, path)) if host_ok(host) && !path.is_empty() => Ok(o.to_string()),
        _ => Err(invalid(
            "origin",
            "bad_origin",
            format!("日志标识「{o}」应为“主机名/路径”形式，如 zhifa.example.gov.cn/county-log"),
        )),
    }
}

/// The textual shape of a signed-note verifier key, `name+8hex+base64` (the cryptographic
/// parse is `zhifa-ledger`'s; this refuses what can never parse, with the field named).
pub fn check_verifier_key(key: &str) -> Result<String, DomainError> {
    let k = key.trim();
    let bad = |why: &str| {
        invalid(
            "verifier_keys",
            "bad_key",
            format!("验证密钥「{k}」格式应为“名称+8位十六进制密钥号+Base64公钥”：{why}"),
        )
    };
    let mut parts = k.splitn(3, '+');
    let (Some(name), Some(id), Some(b64)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad("缺少“+”分隔的部分"));
    };
    if name.is_empty() || name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("名称为空或包含空白"));
    }
    if id.len() != 8 || !id.bytes().all(|c| c.is_ascii_hexdigit()) {
        return Err(bad("密钥号应为 8 位十六进制"));
    }
    let b64_ok = !b64.is_empty()
        && b64.len().is_multiple_of(4)
        && b64
            .trim_end_matches('=')
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/')
        && b64.len() - b64.trim_end_matches('=').len() <= 2;
    if !b64_ok {
        return Err(bad("公钥不是有效的 Base64"));
    }
    Ok(k.to_string())
}

/// REC-6: the system administrator starts witnessing a lower-tier log: a valid origin not
/// followed yet, the ledger's hash (`sm3` or `sha256`), and at least one verifier key.
pub fn decide_register_witnessed_log(
    actor: &Actor,
    origin: &str,
    hash_alg: &str,
    verifier_keys: &[String],
    existing: Option<&WitnessedLog>,
) -> Result<Event, DomainError> {
    actor.require(Permission::RegisterWitnessedLog)?;
    let origin = check_origin(origin)?;
    let hash_alg = match hash_alg.trim().to_ascii_lowercase().as_str() {
        "sm3" => "sm3".to_string(),
        "sha256" | "sha-256" => "sha256".to_string(),
        other => {
            return Err(invalid(
                "hash",
                "bad_hash",
                format!("未知的哈希算法「{other}」，应为 sm3 或 sha256"),
            ));
        }
    };
    let keys = verifier_keys
        .iter()
        .filter(|k| !k.trim().is_empty())
        .map(|k| check_verifier_key(k))
        .collect::<Result<Vec<_>, _>>()?;
    if keys.is_empty() {
        return Err(invalid("verifier_keys", "required", "至少需要一个验证密钥"));
    }
    if existing.is_some() {
        return Err(DomainError::conflict(
            Some("origin"),
            "already_witnessed",
            format!("已在见证日志「{origin}」"),
        )
        .rule("REC-6"));
    }
    Ok(Event::WitnessedLogRegistered {
        origin,
        hash_alg,
        verifier_keys: keys,
    })
}

/// REC-6 (C2SP tlog-witness): a checkpoint of `new_size` with `new_root` is cosigned only as
/// the successor of the one last cosigned: `old_size` must be that size (else the client
/// retries from it), the log never shrinks, and the same size always has the same root (two
/// roots for one size is a fork). The consistency proof itself is checked by `zhifa-ledger`.
pub fn decide_cosign(
    state: &WitnessedLog,
    old_size: u64,
    new_size: u64,
    new_root: &str,
) -> Result<Event, DomainError> {
    let root = new_root.trim().to_ascii_lowercase();
    if root.len() != 64 || !root.bytes().all(|c| c.is_ascii_hexdigit()) {
        return Err(invalid("root", "bad_root", "根哈希应为 64 位十六进制"));
    }
    if old_size > new_size {
        return Err(invalid(
            "old_size",
            "rollback",
            format!("检查点大小 {new_size} 小于已见证的大小 {old_size}：日志不能回退"),
        ));
    }
    if old_size != state.size {
        return Err(DomainError::conflict(
            Some("old_size"),
            "old_size_mismatch",
            format!(
                "提交的起始大小 {old_size} 与最近见证的大小 {} 不符，请从 {} 重新提交",
                state.size, state.size
            ),
        )
        .rule("REC-6"));
    }
    if new_size == state.size && state.size > 0 && root != state.root {
        return Err(DomainError::conflict(
            Some("root"),
            "fork",
            format!("大小 {new_size} 的检查点根哈希与已见证的不同：日志出现分叉"),
        )
        .rule("REC-6"));
    }
    Ok(Event::WitnessCheckpointCosigned {
        origin: state.origin.clone(),
        old_size,
        size: new_size,
        root,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;

    const KEY: &str =
        "zhifa.example/county-log+a1b2c3d4+AXr0kFq1WQ3m3Ju0v1kGmZ8Zkq1Y2pD0lE8ZtQxR7bqM";

    fn admin() -> Actor {
        Actor::system()
    }

    #[test]
    fn registration_checks_origin_hash_and_keys() {
        let e = decide_register_witnessed_log(
            &admin(),
            " zhifa.example/county-log ",
            "SM3",
            &[KEY.into()],
            None,
        )
        .unwrap();
        let state = WitnessedLog::registered(&e).unwrap();
        assert_eq!(
            (state.origin.as_str(), state.hash_alg.as_str(), state.size),
            ("zhifa.example/county-log", "sm3", 0)
        );
        for bad in [
            "",
            "county log",
            "no-slash",
            "host.example/",
            "a\nb/c",
            &format!("x.y/{}", "a".repeat(255)),
        ] {
            let e = decide_register_witnessed_log(&admin(), bad, "sm3", &[KEY.into()], None)
                .unwrap_err();
            assert_eq!(
                (e.field.as_deref(), e.rule),
                (Some("origin"), Some("REC-6")),
                "{bad:?}"
            );
        }
        let e = decide_register_witnessed_log(&admin(), "a.b/c", "md5", &[KEY.into()], None)
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("hash"));
        for bad in [
            "name+xyz+AAAA",
            "name+a1b2c3d4+!!!!",
            "+a1b2c3d4+AAAA",
            "namea1b2c3d4AAAA",
            "name+a1b2c3d4+AAA",
        ] {
            let e = decide_register_witnessed_log(&admin(), "a.b/c", "sm3", &[bad.into()], None)
                .unwrap_err();
            assert_eq!(e.field.as_deref(), Some("verifier_keys"), "{bad}");
        }
        let e = decide_register_witnessed_log(&admin(), "a.b/c", "sm3", &[], None).unwrap_err();
        assert_eq!(e.code, "required");
        let e = decide_register_witnessed_log(
            &admin(),
            "zhifa.example/county-log",
            "sm3",
            &[KEY.into()],
            Some(&state),
        )
        .unwrap_err();
        assert_eq!(e.code, "already_witnessed");
        let officer = Actor {
            roles: vec![Role::AgencyHead],
            user_id: uuid::Uuid::from_u128(2),
            ..admin()
        };
        assert_eq!(
            decide_register_witnessed_log(&officer, "a.b/c", "sm3", &[KEY.into()], None)
                .unwrap_err()
                .code,
            "forbidden"
        );
    }

    #[test]
    fn cosigning_follows_the_last_cosigned_head() {
        let r1 = "11".repeat(32);
        let r2 = "22".repeat(32);
        let s0 = WitnessedLog {
            origin: "a.b/c".into(),
            hash_alg: "sm3".into(),
            verifier_keys: vec![KEY.into()],
            size: 0,
            root: String::new(),
        };
        let e = decide_cosign(&s0, 0, 10, &r1).unwrap();
        let s1 = s0.clone().evolve(&e);
        assert_eq!((s1.size, s1.root.as_str()), (10, r1.as_str()));
        // A stale old size: retry from the size held.
        let e = decide_cosign(&s1, 0, 12, &r2).unwrap_err();
        assert_eq!(e.code, "old_size_mismatch");
        assert!(e.message.contains("10"));
        // Never backwards.
        assert_eq!(decide_cosign(&s1, 10, 9, &r2).unwrap_err().code, "rollback");
        // Same size, other root: a fork; same size, same root: fine.
        assert_eq!(decide_cosign(&s1, 10, 10, &r2).unwrap_err().code, "fork");
        assert!(decide_cosign(&s1, 10, 10, &r1).is_ok());
        assert!(decide_cosign(&s1, 10, 20, &r2).is_ok());
        assert_eq!(
            decide_cosign(&s1, 10, 20, "xyz").unwrap_err().code,
            "bad_root"
        );
    }
}
