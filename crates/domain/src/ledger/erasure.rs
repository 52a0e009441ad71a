//! Erasure of personal data from the tamper-evident record (REC-6).

use crate::auth::Actor;

/// REC-6: only the system administrator erases personal data, for a stated reason, and only for
/// a full identifier (a short fragment could match other people's values). Returns the trimmed
/// subject and reason.
pub fn decide_erasure(
    actor: &Actor,
    subject: &str,
    reason: &str,
) -> Result<(String, String), crate::DomainError> {
    actor.require(crate::auth::Permission::ErasePersonalData)?;
    let subject = subject.trim();
    if subject.chars().count() < 6 {
        return Err(crate::DomainError::invalid(
            "subject",
            "too_short",
            "请给出完整的公民身份号码或统一社会信用代码",
        )
        .rule("REC-6"));
    }
    let reason = crate::error::required("reason", reason, 500)?;
    Ok((subject.to_string(), reason))
}

/// Text that stands in a projection for a personal value erased from the record.
pub const ERASED: &str = "（已依法删除）";
