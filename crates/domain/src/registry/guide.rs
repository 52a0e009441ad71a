//! Service guides (服务指南), REG-5.

use super::ItemVersion;
use crate::auth::{Actor, Permission};
use crate::error::{DomainError, required};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ToSchema)]
pub struct ServiceGuide {
    #[serde(default)]
    pub item_id: Uuid,
    pub receiving_body: String,
    pub approving_body: String,
    pub conditions: String,
    pub time_limit: String,
    pub consultation: String,
    pub complaint: String,
    pub address: String,
    pub office_hours: String,
    pub phone: String,
}

/// REG-5: every field of a service guide is something an applicant needs, so all are required.
pub fn decide_set_guide(
    actor: &Actor,
    item: &ItemVersion,
    draft: &ServiceGuide,
) -> Result<ServiceGuide, DomainError> {
    actor.require(Permission::SetGuide)?;
    let phone = required("phone", &draft.phone, 30)?;
    if !phone
        .chars()
        .all(|c| c.is_ascii_digit() || "-+() ".contains(c))
    {
        return Err(DomainError::invalid(
            "phone",
            "bad_character",
            "电话号码只能包含数字、空格和 -+()",
        ));
    }
    Ok(ServiceGuide {
        item_id: item.item_id,
        receiving_body: required("receiving_body", &draft.receiving_body, 100)?,
        approving_body: required("approving_body", &draft.approving_body, 100)?,
        conditions: required("conditions", &draft.conditions, 2000)?,
        time_limit: required("time_limit", &draft.time_limit, 100)?,
        consultation: required("consultation", &draft.consultation, 200)?,
        complaint: required("complaint", &draft.complaint, 200)?,
        address: required("address", &draft.address, 200)?,
        office_hours: required("office_hours", &draft.office_hours, 100)?,
        phone,
    })
}
