use std::fmt;

/// Why a command was refused. `code` is stable for machines, `message` is Chinese for people,
/// `field` names the offending input field, `rule` cites the SPEC rule (REG-7, REV-6 …) enforced.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DomainError {
    pub kind: ErrorKind,
    pub code: String,
    pub message: String,
    pub field: Option<String>,
    pub rule: Option<&'static str>,
}

/// Coarse classes, mapped to HTTP statuses at the boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum ErrorKind {
    /// Input is malformed or breaks a rule (422).
    Invalid,
    /// The actor may not do this (403).
    Forbidden,
    /// The thing referred to does not exist or is outside the actor's scope (404).
    NotFound,
    /// The command collides with the current state (409).
    Conflict,
}

impl DomainError {
    pub fn invalid(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::Invalid,
            code: code.to_string(),
            message: message.into(),
            field: Some(field.to_string()),
            rule: None,
        }
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::Forbidden,
            code: "forbidden".into(),
            message: message.into(),
            field: None,
            rule: None,
        }
    }
    pub fn not_found(what: &str) -> Self {
        Self {
            kind: ErrorKind::NotFound,
            code: "not_found".into(),
            message: format!("{what}不存在或不在您的管辖范围内"),
            field: None,
            rule: None,
        }
    }
    pub fn conflict(field: Option<&str>, code: &str, message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::Conflict,
            code: code.to_string(),
            message: message.into(),
            field: field.map(str::to_string),
            rule: None,
        }
    }
    pub fn rule(mut self, rule: &'static str) -> Self {
        self.rule = Some(rule);
        self
    }
}

impl fmt::Display for DomainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{}（字段 {field}）", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for DomainError {}

/// Parse-level helpers shared by the drafts.
pub(crate) fn required(field: &str, value: &str, max_chars: usize) -> Result<String, DomainError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(DomainError::invalid(field, "required", "不能为空"));
    }
    if v.chars().count() > max_chars {
        return Err(DomainError::invalid(
            field,
            "too_long",
            format!("长度不能超过 {max_chars} 个字符"),
        ));
    }
    if v.chars().any(|c| c.is_control()) {
        return Err(DomainError::invalid(field, "bad_character", "含有控制字符"));
    }
    Ok(v.to_string())
}

pub(crate) fn optional(field: &str, value: &str, max_chars: usize) -> Result<String, DomainError> {
    if value.trim().is_empty() {
        Ok(String::new())
    } else {
        required(field, value, max_chars)
    }
}
