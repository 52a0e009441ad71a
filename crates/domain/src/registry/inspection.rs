//! The random-inspection item list (随机抽查事项清单), REG-4.

use super::{Agency, Category, ItemVersion};
use crate::auth::{Actor, Permission};
use crate::error::{DomainError, required};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct InspectionItem {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub item_id: Option<Uuid>,
    pub name: String,
    pub basis: String,
    /// 检查对象
    pub target_kind: String,
    /// 检查方式
    pub method: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct InspectionDraft {
    pub agency_id: Uuid,
    #[serde(default)]
    pub item_id: Option<Uuid>,
    pub name: String,
    pub basis: String,
    pub target_kind: String,
    pub method: String,
}

pub fn decide_list_inspection(
    actor: &Actor,
    id: Uuid,
    draft: &InspectionDraft,
    agency: &Agency,
    item: Option<&ItemVersion>,
) -> Result<InspectionItem, DomainError> {
    actor.require(Permission::ListInspectionItem)?;
    if draft.item_id.is_some() && item.is_none() {
        return Err(DomainError::not_found("关联的权力清单事项"));
    }
    if let Some(i) = item
        && i.category != Category::Inspection
    {
        return Err(DomainError::invalid(
            "item_id",
            "not_inspection",
            format!(
                "随机抽查事项只能关联「行政检查」类事项，「{}」属于{}",
                i.name,
                i.category.label()
            ),
        )
        .rule("REG-4"));
    }
    Ok(InspectionItem {
        id,
        agency_id: agency.id,
        item_id: draft.item_id,
        name: required("name", &draft.name, 200)?,
        basis: required("basis", &draft.basis, 300)?,
        target_kind: required("target_kind", &draft.target_kind, 100)?,
        method: required("method", &draft.method, 100)?,
    })
}
