//! Checking identity codes before they are used (REG-7).

use crate::AppState;
use crate::api::ApiQuery;
use crate::auth::ApiUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use axum::extract::Path;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/validate/{kind}", get(validate))
}

// ───────────── validation, log ─────────────

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ValidateParams {
    pub value: String,
}

#[derive(Serialize, ToSchema)]
pub struct Validation {
    pub value: String,
    pub ok: bool,
    /// Normalised form when valid (upper case, 15-digit ID converted to 18).
    pub normalized: Option<String>,
    pub error: Option<ErrorBody>,
}

/// Check a resident ID (`id`), credit code (`uscc`) or division code (`division`) (REG-7).
#[utoipa::path(get, path = "/api/v1/validate/{kind}", tag = "registry", params(("kind" = String, Path, description = "id | uscc | division"), ValidateParams),
    responses((status = 200, body = Validation), (status = 400, body = ErrorBody)))]
pub async fn validate(
    ApiUser(_u): ApiUser,
    Path(kind): Path<String>,
    ApiQuery(p): ApiQuery<ValidateParams>,
) -> ApiResult<Json<Validation>> {
    let kind: zhifa_ident::Kind = kind
        .parse()
        .map_err(|_| ApiError::bad_request("kind", "类型应为 id、uscc 或 division"))?;
    // REG-7: the same parse as the registries (a resident ID or a 2023 foreign permanent
    // resident card; no birth date after today), and its normalised form.
    Ok(Json(
        match kind.normalize_at(p.value.trim(), crate::service::today_cst()) {
            Ok(normalized) => Validation {
                value: p.value.clone(),
                ok: true,
                normalized: Some(normalized),
                error: None,
            },
            Err(e) => Validation {
                value: p.value,
                ok: false,
                normalized: None,
                error: Some(ErrorBody {
                    code: e.code().to_string(),
                    message: e.to_string(),
                    field: Some("value".into()),
                    rule: Some("REG-7".into()),
                }),
            },
        },
    ))
}
