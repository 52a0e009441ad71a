//! The conventions every operation of the API shares, written into the OpenAPI document once
//! (issue 9 finding 11: the document did not validate — responses without descriptions,
//! query parameters declared as path ones, no security schemes — and some 80 statuses the API
//! answers were declared nowhere). Each status added here is one the request gate, the
//! extractors or the error mapping can answer for any operation of its kind.

use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder};

pub struct Conventions;

/// Operations anybody may call (no credentials).
const PUBLIC: &[(&str, &str)] = &[("post", "/api/v1/session")];

/// The description of a status, for responses declared without one.
fn describe(status: &str) -> &'static str {
    match status {
        "200" => "成功",
        "201" => "已创建",
        "204" => "成功（无内容）",
        "400" => "查询参数或路径参数无效：field 指出哪一个，message 说明原因",
        "401" => "未登录、会话已结束，或接口令牌无效、已吊销、已过期",
        "403" => "无此权限；或写请求缺少有效的 CSRF 令牌、来自其他网站；或须先修改管理员设置的密码",
        "404" => "记录不存在或不在您的管辖范围内",
        "409" => "与现有记录冲突（重复或已被他人修改）",
        "413" => "请求内容超过上限",
        "415" => "请求内容类型不符（JSON 接口须为 application/json）",
        "422" => "内容不符合规则：field 指出字段，message 说明原因，rule 给出所依据的规则",
        "429" => "请求过于频繁：未登录的请求按来源地址限流，登录失败过多时需等待",
        "503" => "暂不可用（尚无已签名的检查点），请稍后再试",
        _ => "应答",
    }
}

fn error_response(status: &str) -> RefOr<utoipa::openapi::Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(describe(status))
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build(),
    )
}

fn conventions_of(method: &str, path: &str, op: &mut Operation) {
    let public = PUBLIC.contains(&(method, path));
    let mut statuses = vec!["400", "403", "404", "422", "429"];
    if !public {
        statuses.push("401");
    }
    if op.request_body.is_some() {
        statuses.extend(["413", "415"]);
    }
    if matches!(method, "post" | "put" | "delete") {
        statuses.push("409");
    }
    if path.starts_with("/api/v1/ledger") {
        statuses.push("503");
    }
    for s in statuses {
        op.responses
            .responses
            .entry(s.to_string())
            .or_insert_with(|| error_response(s));
    }
    for (status, r) in op.responses.responses.iter_mut() {
        if let RefOr::T(r) = r
            && r.description.is_empty()
        {
            r.description = describe(status).to_string();
        }
    }
    if public {
        // An empty requirement: no credentials needed.
        op.security = Some(vec![SecurityRequirement::default()]);
    }
}

impl utoipa::Modify for Conventions {
    fn modify(&self, doc: &mut OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "zhifa_session",
                "POST /api/v1/session 设置的会话 Cookie；写请求还须在 X-CSRF-Token 中带上返回的 csrf_token",
            ))),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
        doc.security = Some(vec![
            SecurityRequirement::new("session", Vec::<String>::new()),
            SecurityRequirement::new("bearer", Vec::<String>::new()),
        ]);
        for (path, item) in doc.paths.paths.iter_mut() {
            for (method, op) in [
                ("get", item.get.as_mut()),
                ("put", item.put.as_mut()),
                ("post", item.post.as_mut()),
                ("delete", item.delete.as_mut()),
            ] {
                if let Some(op) = op {
                    conventions_of(method, path, op);
                }
            }
        }
    }
}
