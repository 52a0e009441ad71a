//! The media type of an evidence file (REC-4): one rule for the API (which sends a declared
//! `Content-Type`) and the console (whose browsers often send `application/octet-stream` for
//! recordings), so the same file gets the same type, and so the same kind check, either way.

use super::EvidenceKind;
use crate::error::DomainError;

/// What a file's extension says, the one table. Keys are lower-case extensions.
pub const MEDIA_TYPES: &[(&str, &str)] = &[
    ("mp4", "video/mp4"),
    ("m4v", "video/mp4"),
    ("mov", "video/quicktime"),
    ("avi", "video/x-msvideo"),
    ("mkv", "video/x-matroska"),
    ("mp3", "audio/mpeg"),
    ("m4a", "audio/mp4"),
    ("wav", "audio/wav"),
    ("amr", "audio/amr"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("png", "image/png"),
    ("heic", "image/heic"),
    ("pdf", "application/pdf"),
    ("ofd", "application/ofd"),
];

/// Says nothing about the content.
pub const OCTET_STREAM: &str = "application/octet-stream";

fn unspecific(t: &str) -> bool {
    t.is_empty() || t == OCTET_STREAM || t == "binary/octet-stream"
}

/// The type from the extension of `file_name`, if the table knows it.
pub fn media_type_from_name(file_name: &str) -> Option<&'static str> {
    let ext = file_name.rsplit_once('.')?.1.to_ascii_lowercase();
    MEDIA_TYPES.iter().find(|(e, _)| *e == ext).map(|(_, t)| *t)
}

/// REC-4: the declared type when it is specific (parameters such as `; codecs=…` dropped,
/// lower-cased), else the one the file name's extension gives, else `application/octet-stream`
/// — which is refused for audio and video, whose 24-hour rule and playback depend on knowing
/// what they are.
pub fn media_type_of(
    kind: EvidenceKind,
    declared: Option<&str>,
    file_name: &str,
) -> Result<String, DomainError> {
    let declared = declared
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let t = if unspecific(&declared) {
        media_type_from_name(file_name)
            .unwrap_or(OCTET_STREAM)
            .to_string()
    } else {
        declared
    };
    if t == OCTET_STREAM && kind.is_av() {
        return Err(DomainError::invalid(
            "media_type",
            "unknown_media_type",
            format!(
                "无法确定{}文件「{file_name}」的类型：请填写文件类型（字段 media_type，如 video/mp4），或使用 .mp4、.mov、.mp3、.wav 等扩展名",
                kind.label()
            ),
        )
        .rule("REC-4"));
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_specific_declared_type_wins_over_the_extension() {
        assert_eq!(
            media_type_of(
                EvidenceKind::Video,
                Some("Video/QuickTime; codecs=x"),
                "a.mp4"
            )
            .unwrap(),
            "video/quicktime"
        );
    }

    #[test]
    fn an_unspecific_or_missing_type_comes_from_the_extension() {
        for declared in [
            None,
            Some(""),
            Some("application/octet-stream"),
            Some(" binary/octet-stream "),
        ] {
            assert_eq!(
                media_type_of(EvidenceKind::Video, declared, "现场.MP4").unwrap(),
                "video/mp4",
                "{declared:?}"
            );
        }
        assert_eq!(
            media_type_of(EvidenceKind::Audio, None, "x.amr").unwrap(),
            "audio/amr"
        );
        assert_eq!(
            media_type_of(EvidenceKind::Document, None, "scan.ofd").unwrap(),
            "application/ofd"
        );
    }

    #[test]
    fn audio_and_video_of_unknown_type_are_refused_naming_the_field() {
        for kind in [EvidenceKind::Audio, EvidenceKind::Video] {
            let e = media_type_of(kind, Some(OCTET_STREAM), "recording.bin").unwrap_err();
            assert_eq!(
                (e.field.as_deref(), e.code.as_str(), e.rule),
                (Some("media_type"), "unknown_media_type", Some("REC-4"))
            );
            assert!(e.message.contains("media_type"));
        }
        // Other kinds may be opaque files.
        assert_eq!(
            media_type_of(EvidenceKind::Other, None, "data.bin").unwrap(),
            OCTET_STREAM
        );
        assert_eq!(
            media_type_of(EvidenceKind::Document, None, "noext").unwrap(),
            OCTET_STREAM
        );
    }
}
