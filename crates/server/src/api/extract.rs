//! The API's extractors for JSON bodies and query strings: every rejection is
//! `{code, message, field}` with the field named and the reason in Chinese, never the name of a
//! Rust type (issue 9 finding 10: `expected struct InspectionDraft with 6 elements`).

use crate::error::ApiError;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

/// JSON body extractor whose rejections name the offending field.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "请求内容类型应为 application/json",
                None,
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| match e.status() {
                StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too_large",
                    "请求内容过大",
                    None,
                ),
                status => ApiError::new(status, "bad_body", "无法读取请求内容", None),
            })?;
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(de)
            .map(ApiJson)
            .map_err(|e| {
                let inner = e.inner();
                if inner.is_syntax() || inner.is_eof() {
                    return ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "bad_json",
                        format!(
                            "JSON 格式错误（第 {} 行第 {} 列）",
                            inner.line(),
                            inner.column()
                        ),
                        None,
                    );
                }
                field_error(&e.path().to_string(), &inner.to_string())
            })
    }
}

/// Query-string extractor: like axum's `Query`, but a bad parameter is a 400 naming it.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|e| {
                let mut err = field_error(&e.path().to_string(), &e.inner().to_string());
                err.status = StatusCode::BAD_REQUEST;
                err
            })
    }
}

/// The refusal of one field: a missing field named as such, any other problem described.
fn field_error(path: &str, serde_message: &str) -> ApiError {
    if let Some(missing) = serde_message
        .strip_prefix("missing field `")
        .and_then(|r| r.split('`').next())
    {
        let field = if path == "." || path.is_empty() {
            missing.to_string()
        } else {
            format!("{path}.{missing}")
        };
        return ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "missing_field",
            format!("缺少字段 {missing}"),
            Some(&field),
        );
    }
    let (field, why) = match serde_message
        .strip_prefix("unknown field `")
        .and_then(|r| r.split('`').next())
    {
        Some(unknown) => (
            if path == "." || path.is_empty() {
                unknown.to_string()
            } else {
                format!("{path}.{unknown}")
            },
            "不是可用的字段".to_string(),
        ),
        None => (path.to_string(), describe(serde_message)),
    };
    let field = if field.is_empty() || field == "." {
        None
    } else {
        Some(field)
    };
    let message = match &field {
        Some(f) => format!("字段 {f} 的值无效：{why}"),
        None => format!("请求内容无效：{why}"),
    };
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "bad_field",
        message,
        field.as_deref(),
    )
}

/// What a deserializer's message means, in Chinese and without the names of types.
pub(crate) fn describe(m: &str) -> String {
    let expected = m.split_once(", expected ").map(|(_, e)| e).unwrap_or("");
    if let Some(rest) = m.strip_prefix("unknown variant `") {
        let value = rest.split('`').next().unwrap_or("");
        let options: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        return if options.is_empty() {
            format!("{value} 不是可选的取值")
        } else {
            format!("{value} 不是可选的取值，可选：{}", options.join("、"))
        };
    }
    if m.starts_with("invalid value: integer") || m.contains("number too large") {
        return format!("数值超出允许范围（{}）", kind_of(expected));
    }
    if m.starts_with("invalid type:") || m.starts_with("invalid value:") {
        return format!("应为{}", kind_of(expected));
    }
    if m.starts_with("invalid length") {
        return format!("元素个数不符，应为{}", kind_of(expected));
    }
    if m.contains("invalid digit") || m.contains("cannot parse integer") {
        return "应为整数".into();
    }
    if m.contains("invalid float") {
        return "应为数字".into();
    }
    if m.contains("provided string was not `true` or `false`") {
        return "应为 true 或 false".into();
    }
    if m.starts_with("UUID parsing failed")
        || m.contains("invalid character: expected an optional prefix of `urn:uuid:`")
        || m.contains("invalid group")
        || m.contains("invalid length: expected length 32")
    {
        return "应为 UUID".into();
    }
    if m.contains("the 'year' component") || m.contains("component") && m.contains("range") {
        return "日期或时间超出范围".into();
    }
    if m.contains("invalid format description")
        || m.contains("a character literal was not valid")
        || m.contains("the input")
    {
        return "日期或时间格式不符（日期为 YYYY-MM-DD，时间为 RFC 3339）".into();
    }
    "格式不符".into()
}

/// The kind of value a deserializer expected, as people call it.
fn kind_of(expected: &str) -> &'static str {
    let e = expected.to_ascii_lowercase();
    if e.contains("uuid") {
        "UUID"
    } else if e.starts_with('u') && e[1..].chars().all(|c| c.is_ascii_digit()) && e.len() > 1 {
        "非负整数"
    } else if e.starts_with('i') && e[1..].chars().all(|c| c.is_ascii_digit()) && e.len() > 1
        || e.contains("integer")
    {
        "整数"
    } else if e.starts_with('f') && e[1..].chars().all(|c| c.is_ascii_digit())
        || e.contains("float")
        || e.contains("number")
    {
        "数字"
    } else if e.contains("bool") {
        "true 或 false"
    } else if e.contains("string") || e.contains("char") {
        "文本"
    } else if e.contains("sequence") || e.contains("array") || e.contains("tuple") {
        "数组"
    } else if e.contains("date") || e.contains("time") {
        "日期或时间"
    } else if e.contains("struct") || e.contains("map") {
        "对象"
    } else if e.contains("variant") || e.contains("enum") {
        "可选的取值之一"
    } else {
        "正确格式的值"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_probes_messages_become_chinese_without_type_names() {
        for (serde, want) in [
            (
                "invalid type: string \"x\", expected struct InspectionDraft with 6 elements",
                "应为对象",
            ),
            ("invalid type: string \"x\", expected u32", "应为非负整数"),
            (
                "invalid value: integer `-1`, expected u32",
                "数值超出允许范围（非负整数）",
            ),
            ("invalid digit found in string", "应为整数"),
            (
                "unknown variant `boss`, expected one of `officer`, `auditor`",
                "boss 不是可选的取值，可选：officer、auditor",
            ),
            (
                "UUID parsing failed: invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `z` at 1",
                "应为 UUID",
            ),
            ("invalid type: null, expected a sequence", "应为数组"),
        ] {
            assert_eq!(describe(serde), want, "{serde}");
        }
    }

    proptest! {
        /// Whatever a deserializer says, the answer names no Rust type and no ASCII-only
        /// English sentence reaches the caller.
        #[test]
        fn no_type_name_leaks(ty in "[A-Z][a-zA-Z]{2,20}", n in 0u32..100) {
            for m in [
                format!("invalid type: map, expected struct {ty} with {n} elements"),
                format!("invalid length {n}, expected tuple struct {ty} with 2 elements"),
                format!("invalid type: string \"{ty}\", expected enum {ty}"),
                format!("something else about {ty}"),
            ] {
                let d = describe(&m);
                prop_assert!(!d.contains(&ty), "{} -> {}", m, d);
                prop_assert!(!d.contains("struct") && !d.contains("expected"), "{} -> {}", m, d);
            }
        }
    }
}
