//! Checking identity codes before they are used (REG-7).

use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use axum::extract::{Path, Query};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/validate/{kind}", get(validate))
}

// ───────────── validation, log ─────────────

#[derive(Deserialize, IntoParams)]
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
    Query(p): Query<ValidateParams>,
) -> ApiResult<Json<Validation>> {
    let kind: zhifa_ident::Kind = kind
        .parse()
        .map_err(|_| ApiError::bad_request("kind", "类型应为 id、uscc 或 division"))?;
    Ok(Json(match kind.validate(p.value.trim()) {
        Ok(()) => {
            let v = p.value.trim();
            let normalized = match kind {
                zhifa_ident::Kind::Id => zhifa_ident::ResidentId::parse(v)
                    .map(|x| x.as_str().to_string())
                    .ok(),
                zhifa_ident::Kind::Uscc => zhifa_ident::CreditCode::parse(v)
                    .map(|x| x.as_str().to_string())
                    .ok(),
                zhifa_ident::Kind::Division => zhifa_ident::DivisionCode::parse(v)
                    .map(|x| x.as_str().to_string())
                    .ok(),
            };
            Validation {
                value: p.value.clone(),
                ok: true,
                normalized,
                error: None,
            }
        }
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
    }))
}
