//! The three registries (REG-1 … REG-7): agencies, officers, power-list items with their
//! service guides and discretion benchmarks, and the inspection list; plus the scoped reads
//! every other feature uses to find an agency, officer or item the caller may see.

use super::deadline::annual_duty_part;
use super::{ServiceError, ServiceResult, append, today_cst};
use crate::AppState;
use crate::auth::CurrentUser;
use uuid::Uuid;
use zhifa_domain::event::Expected;
use zhifa_domain::registry::{self as reg, *};
use zhifa_domain::{DomainError, Event, NewEvent, StreamId};

// ───────────── scoped reads: outside the caller's scope is indistinguishable from absent ─────────────

pub async fn agency(st: &AppState, u: &CurrentUser, id: Uuid) -> ServiceResult<(Agency, i64)> {
    match st.store.agency(id).await? {
        Some((a, v)) if u.scope.contains(&a.path, &a.domain) => Ok((a, v)),
        _ => Err(ServiceError::NotFound("执法主体")),
    }
}

pub async fn officer(st: &AppState, u: &CurrentUser, id: Uuid) -> ServiceResult<(Officer, i64)> {
    let (o, v) = st
        .store
        .officer(id)
        .await?
        .ok_or(ServiceError::NotFound("执法人员"))?;
    agency(st, u, o.agency_id)
        .await
        .map_err(|_| ServiceError::NotFound("执法人员"))?;
    Ok((o, v))
}

pub async fn item(st: &AppState, u: &CurrentUser, id: Uuid) -> ServiceResult<(ItemVersion, i64)> {
    let (i, v) = st
        .store
        .item(id)
        .await?
        .ok_or(ServiceError::NotFound("权力清单事项"))?;
    agency(st, u, i.agency_id)
        .await
        .map_err(|_| ServiceError::NotFound("权力清单事项"))?;
    Ok((i, v))
}

/// A target agency for a write: must exist and be in scope.
pub(super) async fn target_agency(
    st: &AppState,
    u: &CurrentUser,
    id: Uuid,
    field: &str,
) -> ServiceResult<Agency> {
    agency(st, u, id).await.map(|(a, _)| a).map_err(|_| {
        DomainError::invalid(
            field,
            "unknown_agency",
            "执法主体不存在或不在您的管辖范围内",
        )
        .into()
    })
}

// ───────────── agencies ─────────────

pub async fn update_agency(
    st: &AppState,
    u: &CurrentUser,
    id: Uuid,
    d: &AgencyDraft,
) -> ServiceResult<Agency> {
    let (current, version) = agency(st, u, id).await?;
    let parent = match current.parent_id {
        Some(p) => st.store.agency(p).await?.map(|(a, _)| a),
        None => None,
    };
    let a = reg::decide_update_agency(&u.actor, &current, d, parent.as_ref())?;
    append(
        st,
        u,
        StreamId::agency(id),
        Expected::Version(version),
        id,
        vec![Event::AgencyUpdated((&a).into())],
        vec![],
    )
    .await?;
    Ok(a)
}

// ───────────── officers ─────────────

pub async fn register_officer(
    st: &AppState,
    u: &CurrentUser,
    d: &OfficerDraft,
) -> ServiceResult<Officer> {
    let ag = target_agency(st, u, d.agency_id, "agency_id").await?;
    let id = Uuid::now_v7();
    let o = reg::decide_register_officer(&u.actor, id, d, &ag, super::today_cst())?;
    append(
        st,
        u,
        StreamId::officer(id),
        Expected::NoStream,
        ag.id,
        vec![Event::OfficerRegistered((&o).into())],
        vec![],
    )
    .await?;
    Ok(o)
}

pub async fn update_officer(
    st: &AppState,
    u: &CurrentUser,
    id: Uuid,
    d: &OfficerDraft,
) -> ServiceResult<Officer> {
    let (current, version) = officer(st, u, id).await?;
    let ag = target_agency(st, u, current.agency_id, "agency_id").await?;
    let o = reg::decide_update_officer(&u.actor, &current, d, &ag, super::today_cst())?;
    append(
        st,
        u,
        StreamId::officer(id),
        Expected::Version(version),
        ag.id,
        vec![Event::OfficerUpdated((&o).into())],
        vec![],
    )
    .await?;
    Ok(o)
}

pub async fn change_certificate_status(
    st: &AppState,
    u: &CurrentUser,
    id: Uuid,
    status: &str,
    reason: &str,
) -> ServiceResult<Officer> {
    let (current, version) = officer(st, u, id).await?;
    let to = CertificateStatus::parse(status).ok_or_else(|| {
        DomainError::invalid("status", "unknown_status", "状态应为有效、暂停或注销")
    })?;
    let (status, reason) = reg::decide_certificate_status(&u.actor, &current, to, reason)?;
    let ev = Event::CertificateStatusChanged {
        officer_id: id,
        status,
        reason,
    };
    append(
        st,
        u,
        StreamId::officer(id),
        Expected::Version(version),
        current.agency_id,
        vec![ev],
        vec![],
    )
    .await?;
    Ok(officer(st, u, id).await?.0)
}

pub async fn record_training(
    st: &AppState,
    u: &CurrentUser,
    id: Uuid,
    d: &TrainingDraft,
) -> ServiceResult<Officer> {
    let (current, version) = officer(st, u, id).await?;
    let training = reg::decide_record_training(&u.actor, d, today_cst())?;
    let ev = Event::TrainingRecorded {
        officer_id: id,
        training,
    };
    append(
        st,
        u,
        StreamId::officer(id),
        Expected::Version(version),
        current.agency_id,
        vec![ev],
        vec![],
    )
    .await?;
    Ok(officer(st, u, id).await?.0)
}

// ───────────── power list ─────────────

pub async fn create_item(
    st: &AppState,
    u: &CurrentUser,
    d: &ItemDraft,
) -> ServiceResult<ItemVersion> {
    let ag = target_agency(st, u, d.agency_id, "agency_id").await?;
    let id = Uuid::now_v7();
    let v = reg::decide_create_item(&u.actor, id, d, &ag)?;
    append(
        st,
        u,
        StreamId::item(id),
        Expected::NoStream,
        ag.id,
        vec![Event::ItemVersionPublished((&v).into())],
        vec![],
    )
    .await?;
    Ok(v)
}

pub async fn revise_item(
    st: &AppState,
    u: &CurrentUser,
    id: Uuid,
    d: &ItemDraft,
) -> ServiceResult<ItemVersion> {
    let (current, version) = item(st, u, id).await?;
    let ag = target_agency(st, u, d.agency_id, "agency_id").await?;
    let v = reg::decide_revise_item(&u.actor, &current, d, &ag)?;
    append(
        st,
        u,
        StreamId::item(id),
        Expected::Version(version),
        ag.id,
        vec![Event::ItemVersionPublished((&v).into())],
        vec![],
    )
    .await?;
    Ok(v)
}

pub async fn list_inspection(
    st: &AppState,
    u: &CurrentUser,
    d: &InspectionDraft,
) -> ServiceResult<InspectionItem> {
    let ag = target_agency(st, u, d.agency_id, "agency_id").await?;
    let linked = match d.item_id {
        Some(i) => item(st, u, i).await.ok().map(|(v, _)| v),
        None => None,
    };
    let id = Uuid::now_v7();
    let i = reg::decide_list_inspection(&u.actor, id, d, &ag, linked.as_ref())?;
    append(
        st,
        u,
        StreamId::inspection(id),
        Expected::NoStream,
        ag.id,
        vec![Event::InspectionItemListed((&i).into())],
        vec![],
    )
    .await?;
    Ok(i)
}

pub async fn set_guide(
    st: &AppState,
    u: &CurrentUser,
    item_id: Uuid,
    d: &ServiceGuide,
) -> ServiceResult<ServiceGuide> {
    let (it, version) = item(st, u, item_id).await?;
    let g = reg::decide_set_guide(&u.actor, &it, d)?;
    append(
        st,
        u,
        StreamId::item(item_id),
        Expected::Version(version),
        it.agency_id,
        vec![Event::ServiceGuideSet((&g).into())],
        vec![],
    )
    .await?;
    Ok(g)
}

pub async fn set_benchmark(
    st: &AppState,
    u: &CurrentUser,
    item_id: Uuid,
    entries: &[DiscretionEntry],
) -> ServiceResult<DiscretionBenchmark> {
    let (it, version) = item(st, u, item_id).await?;
    let b = reg::decide_set_benchmark(&u.actor, &it, entries)?;
    append(
        st,
        u,
        StreamId::item(item_id),
        Expected::Version(version),
        it.agency_id,
        vec![Event::DiscretionBenchmarkSet((&b).into())],
        vec![],
    )
    .await?;
    Ok(b)
}

/// Registers a body and, in the same transaction, starts the duties it owes (PUB-9).
pub async fn register_agency(
    st: &AppState,
    u: &CurrentUser,
    d: &AgencyDraft,
) -> ServiceResult<Agency> {
    let parent = match d.parent_id {
        Some(p) => Some(target_agency(st, u, p, "parent_id").await?),
        None => {
            if !u.scope.contains("/", "") {
                return Err(
                    DomainError::forbidden("只有省级平台管理员可以登记顶级执法主体").into(),
                );
            }
            None
        }
    };
    let id = Uuid::now_v7();
    let a = reg::decide_register_agency(&u.actor, id, d, parent.as_ref())?;
    let mut parts = vec![NewEvent {
        stream: StreamId::agency(id),
        expected: Expected::NoStream,
        agency_id: id,
        actor: u.actor.clone(),
        events: vec![Event::AgencyRegistered((&a).into())],
        side_effects: vec![],
    }];
    parts.extend(annual_duty_part(st, &a, today_cst().year()).await?);
    st.store.append_all(parts).await?;
    Ok(a)
}
