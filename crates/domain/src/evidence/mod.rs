//! Evidence files handed in by officers (REC-3, REC-4): what is recorded about each file and the
//! rules for accepting it. The bytes themselves live in the object store (`zhifa-evidence`);
//! the record carries their content hash, so the file enters the ledger only through it.

mod media;
pub mod record;

pub use media::*;

use crate::auth::{Actor, Permission};
use crate::error::{DomainError, optional, required};
use crate::registry::Agency;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// REC-4: audio/video must reach the platform within 24 hours of recording.
pub const AV_UPLOAD_LIMIT: Duration = Duration::hours(24);
/// Clocks of recorders and servers disagree a little; a recording time this far ahead of the
/// server's clock is still accepted.
pub const CLOCK_SKEW: Duration = Duration::minutes(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// 录音
    Audio,
    /// 录像（执法记录仪、办案区监控）
    Video,
    /// 照片
    Photo,
    /// 书证、文书扫描件
    Document,
    /// 其他
    Other,
}

impl EvidenceKind {
    pub const ALL: [EvidenceKind; 5] = [
        EvidenceKind::Audio,
        EvidenceKind::Video,
        EvidenceKind::Photo,
        EvidenceKind::Document,
        EvidenceKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::Audio => "audio",
            EvidenceKind::Video => "video",
            EvidenceKind::Photo => "photo",
            EvidenceKind::Document => "document",
            EvidenceKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<EvidenceKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// [`EvidenceKind::parse`] for input: a refusal naming the field `kind`.
    pub fn parse_input(s: &str) -> Result<EvidenceKind, DomainError> {
        Self::parse(s.trim()).ok_or_else(|| {
            DomainError::invalid(
                "kind",
                "bad_kind",
                "材料类型应为 audio、video、photo、document 或 other",
            )
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            EvidenceKind::Audio => "录音",
            EvidenceKind::Video => "录像",
            EvidenceKind::Photo => "照片",
            EvidenceKind::Document => "书证/文书扫描件",
            EvidenceKind::Other => "其他",
        }
    }

    /// Audio and video are the records REC-4's 24-hour rule is about.
    pub fn is_av(self) -> bool {
        matches!(self, EvidenceKind::Audio | EvidenceKind::Video)
    }

    /// The media-type family a file of this kind must have, if any.
    fn media_family(self) -> Option<&'static str> {
        match self {
            EvidenceKind::Audio => Some("audio/"),
            EvidenceKind::Video => Some("video/"),
            EvidenceKind::Photo => Some("image/"),
            EvidenceKind::Document | EvidenceKind::Other => None,
        }
    }
}

/// A received evidence file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Evidence {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub kind: EvidenceKind,
    pub file_name: String,
    pub media_type: String,
    /// `sm3` or `sha256`: the ledger's hash.
    pub hash_alg: String,
    /// Hash of the file's bytes (hex), as `gmssl sm3` / `sha256sum` print it.
    pub hash: String,
    pub size: u64,
    /// When the recording was made (required for audio and video).
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub recorded_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub received_at: OffsetDateTime,
    /// Who handed the file in.
    pub received_by: String,
    /// REC-4: audio/video received more than 24 hours after recording.
    pub late: bool,
    pub description: String,
}

/// What the uploader states about a file, before its bytes arrive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceDraft {
    pub kind: EvidenceKind,
    pub file_name: String,
    pub media_type: String,
    pub recorded_at: Option<OffsetDateTime>,
    pub description: String,
}

/// The stored bytes, as the object store reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub hash_alg: String,
    pub hash: String,
    pub size: u64,
}

/// Checks what is stated about a file, so a bad request is refused before any byte is stored.
pub fn check_evidence_draft(
    actor: &Actor,
    draft: EvidenceDraft,
    now: OffsetDateTime,
) -> Result<EvidenceDraft, DomainError> {
    actor.require(Permission::UploadEvidence)?;
    let file_name = required("file_name", &draft.file_name, 200)?;
    if file_name
        .chars()
        .any(|c| c == '/' || c == '\\' || c.is_control())
        || file_name == "."
        || file_name == ".."
    {
        return Err(DomainError::invalid(
            "file_name",
            "bad_file_name",
            "文件名不能包含路径分隔符或控制字符",
        ));
    }
    let media_type = required("media_type", &draft.media_type, 100)?.to_ascii_lowercase();
    let well_formed = media_type.split_once('/').is_some_and(|(t, s)| {
        !t.is_empty()
            && !s.is_empty()
            && media_type
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "/.+-_".contains(c))
    });
    if !well_formed {
        return Err(DomainError::invalid(
            "media_type",
            "bad_media_type",
            "文件类型应为“类型/子类型”形式，如 video/mp4",
        ));
    }
    if let Some(family) = draft.kind.media_family()
        && !media_type.starts_with(family)
    {
        return Err(DomainError::invalid(
            "media_type",
            "kind_mismatch",
            format!(
                "{}文件的类型应为 {family}*，收到的是 {media_type}",
                draft.kind.label()
            ),
        ));
    }
    match draft.recorded_at {
        None if draft.kind.is_av() => {
            return Err(DomainError::invalid(
                "recorded_at",
                "required",
                "音视频记录须填写录制时间，用于核查是否在 24 小时内上传",
            )
            .rule("REC-4"));
        }
        Some(at) if at > now + CLOCK_SKEW => {
            return Err(DomainError::invalid(
                "recorded_at",
                "in_future",
                "录制时间晚于当前时间，请核对执法记录仪的时钟",
            )
            .rule("REC-4"));
        }
        _ => {}
    }
    Ok(EvidenceDraft {
        kind: draft.kind,
        file_name,
        media_type,
        // UTC inside; the offset the recorder used is only an edge matter.
        recorded_at: draft.recorded_at.map(|t| t.to_offset(time::UtcOffset::UTC)),
        description: optional("description", &draft.description, 1000)?,
    })
}

/// REC-4: the last instant an audio/video recording made at `recorded_at` is on time. The
/// 24 hours start at the next full hour (期间开始的时不计算在期间内, 民事诉讼法第八十五条, the
/// calendar's hour rule): recorded at 18:30, due by 19:00 the next day. Outside the calendar's
/// years the plain 24 hours apply.
pub fn av_upload_due(recorded_at: OffsetDateTime) -> OffsetDateTime {
    zhifa_calendar::hours_deadline(recorded_at, AV_UPLOAD_LIMIT.whole_hours() as u32)
        .unwrap_or(recorded_at + AV_UPLOAD_LIMIT)
}

/// REC-4: a received file is recorded with its hash; audio/video handed in after
/// [`av_upload_due`] is accepted (the record must not be lost) but flagged as late.
pub fn decide_receive_evidence(
    actor: &Actor,
    agency: &Agency,
    draft: EvidenceDraft,
    file: StoredFile,
    id: Uuid,
    now: OffsetDateTime,
) -> Result<Evidence, DomainError> {
    let draft = check_evidence_draft(actor, draft, now)?;
    if file.size == 0 {
        return Err(DomainError::invalid("file", "empty", "文件为空"));
    }
    let late = draft
        .recorded_at
        .is_some_and(|at| draft.kind.is_av() && now > av_upload_due(at));
    Ok(Evidence {
        id,
        agency_id: agency.id,
        kind: draft.kind,
        file_name: draft.file_name,
        media_type: draft.media_type,
        hash_alg: file.hash_alg,
        hash: file.hash,
        size: file.size,
        recorded_at: draft.recorded_at,
        received_at: now.to_offset(time::UtcOffset::UTC),
        received_by: actor.username.clone(),
        late,
        description: draft.description,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn av_recorded_at_1830_is_on_time_until_1900_the_next_day_art85() {
        use time::macros::datetime;
        let at = datetime!(2026-03-02 18:30 +8);
        assert_eq!(super::av_upload_due(at), datetime!(2026-03-03 19:00 +8));
        // Received at 18:45 the next day: more than 24 h after recording, yet lawful.
        assert!(datetime!(2026-03-03 18:45 +8) - at > super::AV_UPLOAD_LIMIT);
        assert!(datetime!(2026-03-03 18:45 +8) <= super::av_upload_due(at));
    }

    use super::*;
    use crate::auth::Role;
    use time::macros::datetime;

    fn officer() -> Actor {
        Actor {
            user_id: Uuid::from_u128(1),
            username: "zhang".into(),
            agency_id: Uuid::from_u128(2),
            roles: vec![Role::Officer],
        }
    }

    fn draft(kind: EvidenceKind, media: &str, at: Option<OffsetDateTime>) -> EvidenceDraft {
        EvidenceDraft {
            kind,
            file_name: "现场执法记录.mp4".into(),
            media_type: media.into(),
            recorded_at: at,
            description: String::new(),
        }
    }

    #[test]
    fn av_needs_a_recording_time_not_in_the_future() {
        let now = datetime!(2026-11-26 10:00 +8);
        let e = check_evidence_draft(
            &officer(),
            draft(EvidenceKind::Video, "video/mp4", None),
            now,
        )
        .unwrap_err();
        assert_eq!(
            (e.field.as_deref(), e.rule),
            (Some("recorded_at"), Some("REC-4"))
        );
        let e = check_evidence_draft(
            &officer(),
            draft(
                EvidenceKind::Video,
                "video/mp4",
                Some(now + Duration::minutes(6)),
            ),
            now,
        )
        .unwrap_err();
        assert_eq!(e.code, "in_future");
        assert!(
            check_evidence_draft(
                &officer(),
                draft(
                    EvidenceKind::Video,
                    "video/mp4",
                    Some(now + Duration::minutes(4))
                ),
                now
            )
            .is_ok(),
            "small clock skew is tolerated"
        );
        // A scan needs no recording time.
        assert!(
            check_evidence_draft(
                &officer(),
                draft(EvidenceKind::Document, "application/pdf", None),
                now
            )
            .is_ok()
        );
    }

    #[test]
    fn kind_and_media_type_must_agree() {
        let now = datetime!(2026-11-26 10:00 +8);
        let e = check_evidence_draft(
            &officer(),
            draft(EvidenceKind::Video, "audio/mpeg", Some(now)),
            now,
        )
        .unwrap_err();
        assert_eq!(
            (e.field.as_deref(), e.code.as_str()),
            (Some("media_type"), "kind_mismatch")
        );
        let e = check_evidence_draft(&officer(), draft(EvidenceKind::Document, "pdf", None), now)
            .unwrap_err();
        assert_eq!(e.code, "bad_media_type");
    }

    #[test]
    fn only_officers_and_heads_hand_in_evidence() {
        let now = datetime!(2026-11-26 10:00 +8);
        let mut a = officer();
        a.roles = vec![Role::Publisher];
        let e = check_evidence_draft(&a, draft(EvidenceKind::Photo, "image/jpeg", None), now)
            .unwrap_err();
        assert_eq!(e.kind, crate::error::ErrorKind::Forbidden);
    }
}
