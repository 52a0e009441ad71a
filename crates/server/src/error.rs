//! One error type for the HTTP boundary: every failure becomes `{code, message, field, rule}`
//! with a 4xx status, or a logged 500 that never leaks internals.

use crate::service::ServiceError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use zhifa_domain::DomainError;
use zhifa_domain::error::ErrorKind;
use zhifa_store::StoreError;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable machine code, e.g. `credit_code.check_digit`, `forbidden`.
    pub code: String,
    /// Human-readable reason, in Chinese.
    pub message: String,
    /// The input field at fault, if any.
    pub field: Option<String>,
    /// The SPEC rule enforced, e.g. `REG-7`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: &str,
        message: impl Into<String>,
        field: Option<&str>,
    ) -> Self {
        ApiError {
            status,
            body: ErrorBody {
                code: code.into(),
                message: message.into(),
                field: field.map(str::to_string),
                rule: None,
            },
        }
    }
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "请先登录",
            None,
        )
    }
    pub fn not_found(what: &str) -> Self {
        DomainError::not_found(what).into()
    }
    pub fn bad_request(field: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message, Some(field))
    }
    pub fn internal(e: impl std::fmt::Display) -> Self {
        let id = uuid::Uuid::now_v7();
        tracing::error!(error_id = %id, error = %e, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("服务器内部错误（编号 {id}），请联系系统管理员"),
            None,
        )
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        let status = match e.kind {
            ErrorKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::Conflict => StatusCode::CONFLICT,
        };
        ApiError {
            status,
            body: ErrorBody {
                code: e.code,
                message: e.message,
                field: e.field,
                rule: e.rule.map(str::to_string),
            },
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Duplicate { field } => {
                let what = match field.as_str() {
                    "credit_code" => "统一社会信用代码已被其他主体使用",
                    "certificate_no" => "执法证号已被登记",
                    "username" => "用户名已存在",
                    "code" => "该主体已有相同编码的事项",
                    _ => "与已有记录重复",
                };
                ApiError::new(StatusCode::CONFLICT, "duplicate", what, Some(&field))
            }
            StoreError::VersionConflict { .. } => ApiError::new(
                StatusCode::CONFLICT,
                "concurrent_change",
                "记录已被他人修改，请刷新后重试",
                None,
            ),
            StoreError::BadCursor => ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_cursor",
                "翻页参数 after 无效：请使用上一页返回的 next 值，或去掉它从第一页开始",
                Some("after"),
            ),
            other => ApiError::internal(other),
        }
    }
}

/// The command side's failures, as the API and the console have always answered them.
impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Domain(e) => e.into(),
            ServiceError::NotFound(what) => ApiError::not_found(what),
            ServiceError::Store(e) => e.into(),
            ServiceError::BadRequest { field, message } => ApiError::bad_request(field, message),
            ServiceError::Evidence(e) => evidence_error(e),
            ServiceError::Internal(m) => ApiError::internal(m),
            ServiceError::NoCheckpoint => crate::api::no_checkpoint_yet(),
        }
    }
}

/// A byte count as people read it: MiB from 1 MiB, KiB below.
fn size_label(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{} MiB", bytes / (1024 * 1024))
    } else {
        format!("{} KiB", bytes.div_ceil(1024))
    }
}

fn evidence_error(e: zhifa_evidence::EvidenceError) -> ApiError {
    use zhifa_evidence::EvidenceError as E;
    match e {
        E::Empty => DomainError::invalid("file", "empty", "文件为空，请重新选择").into(),
        E::TooLarge { limit } => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("文件超过上限 {}", size_label(limit)),
            Some("file"),
        ),
        E::Body(m) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "upload_interrupted",
            format!("上传中断，文件未保存：{m}"),
            Some("file"),
        ),
        other => ApiError::internal(other),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
