//! The command side shared by the JSON API and the console forms: load the facts a rule needs
//! (scoped to the caller), call the pure rule in `zhifa-domain`, append the events.
//! Handlers stay thin: parse, call one function here, render.

use crate::AppState;
use crate::auth::{CurrentUser, hash_password, random_token, sha256_hex};
use crate::error::{ApiError, ApiResult};
use uuid::Uuid;
use zhifa_domain::auth::Role;
use zhifa_domain::event::{Expected, SideEffect};
use zhifa_domain::registry::{self as reg, *};
use zhifa_domain::{DomainError, Event, NewEvent, StreamId};

fn today_cst() -> time::Date {
    time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+8))
        .date()
}

async fn append(
    st: &AppState,
    u: &CurrentUser,
    stream: StreamId,
    expected: Expected,
    agency_id: Uuid,
    events: Vec<Event>,
    side_effects: Vec<SideEffect>,
) -> ApiResult<()> {
    st.store
        .append(NewEvent {
            stream,
            expected,
            agency_id,
            actor: u.actor.clone(),
            events,
            side_effects,
        })
        .await?;
    Ok(())
}

// ───────────── scoped reads: outside the caller's scope is indistinguishable from absent ─────────────

pub async fn agency(st: &AppState, u: &CurrentUser, id: Uuid) -> ApiResult<(Agency, i64)> {
    match st.store.agency(id).await? {
        Some((a, v)) if u.scope.contains(&a.path, &a.domain) => Ok((a, v)),
        _ => Err(ApiError::not_found("执法主体")),
    }
}

pub async fn officer(st: &AppState, u: &CurrentUser, id: Uuid) -> ApiResult<(Officer, i64)> {
    let (o, v) = st
        .store
        .officer(id)
        .await?
        .ok_or_else(|| ApiError::not_found("执法人员"))?;
    agency(st, u, o.agency_id)
        .await
        .map_err(|_| ApiError::not_found("执法人员"))?;
    Ok((o, v))
}

pub async fn item(st: &AppState, u: &CurrentUser, id: Uuid) -> ApiResult<(ItemVersion, i64)> {
    let (i, v) = st
        .store
        .item(id)
        .await?
        .ok_or_else(|| ApiError::not_found("权力清单事项"))?;
    agency(st, u, i.agency_id)
        .await
        .map_err(|_| ApiError::not_found("权力清单事项"))?;
    Ok((i, v))
}

/// A target agency for a write: must exist and be in scope.
async fn target_agency(st: &AppState, u: &CurrentUser, id: Uuid, field: &str) -> ApiResult<Agency> {
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

pub async fn register_agency(st: &AppState, u: &CurrentUser, d: &AgencyDraft) -> ApiResult<Agency> {
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
    append(
        st,
        u,
        StreamId::agency(id),
        Expected::NoStream,
        id,
        vec![Event::AgencyRegistered(a.clone())],
        vec![],
    )
    .await?;
    Ok(a)
}

pub async fn update_agency(
    st: &AppState,
    u: &CurrentUser,
    id: Uuid,
    d: &AgencyDraft,
) -> ApiResult<Agency> {
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
        vec![Event::AgencyUpdated(a.clone())],
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
) -> ApiResult<Officer> {
    let ag = target_agency(st, u, d.agency_id, "agency_id").await?;
    let id = Uuid::now_v7();
    let o = reg::decide_register_officer(&u.actor, id, d, &ag)?;
    append(
        st,
        u,
        StreamId::officer(id),
        Expected::NoStream,
        ag.id,
        vec![Event::OfficerRegistered(o.clone())],
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
) -> ApiResult<Officer> {
    let (current, version) = officer(st, u, id).await?;
    let ag = target_agency(st, u, current.agency_id, "agency_id").await?;
    let o = reg::decide_update_officer(&u.actor, &current, d, &ag)?;
    append(
        st,
        u,
        StreamId::officer(id),
        Expected::Version(version),
        ag.id,
        vec![Event::OfficerUpdated(o.clone())],
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
) -> ApiResult<Officer> {
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
) -> ApiResult<Officer> {
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

pub async fn create_item(st: &AppState, u: &CurrentUser, d: &ItemDraft) -> ApiResult<ItemVersion> {
    let ag = target_agency(st, u, d.agency_id, "agency_id").await?;
    let id = Uuid::now_v7();
    let v = reg::decide_create_item(&u.actor, id, d, &ag)?;
    append(
        st,
        u,
        StreamId::item(id),
        Expected::NoStream,
        ag.id,
        vec![Event::ItemVersionPublished(v.clone())],
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
) -> ApiResult<ItemVersion> {
    let (current, version) = item(st, u, id).await?;
    let ag = target_agency(st, u, d.agency_id, "agency_id").await?;
    let v = reg::decide_revise_item(&u.actor, &current, d, &ag)?;
    append(
        st,
        u,
        StreamId::item(id),
        Expected::Version(version),
        ag.id,
        vec![Event::ItemVersionPublished(v.clone())],
        vec![],
    )
    .await?;
    Ok(v)
}

pub async fn list_inspection(
    st: &AppState,
    u: &CurrentUser,
    d: &InspectionDraft,
) -> ApiResult<InspectionItem> {
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
        vec![Event::InspectionItemListed(i.clone())],
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
) -> ApiResult<ServiceGuide> {
    let (it, version) = item(st, u, item_id).await?;
    let g = reg::decide_set_guide(&u.actor, &it, d)?;
    append(
        st,
        u,
        StreamId::item(item_id),
        Expected::Version(version),
        it.agency_id,
        vec![Event::ServiceGuideSet(g.clone())],
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
) -> ApiResult<DiscretionBenchmark> {
    let (it, version) = item(st, u, item_id).await?;
    let b = reg::decide_set_benchmark(&u.actor, &it, entries)?;
    append(
        st,
        u,
        StreamId::item(item_id),
        Expected::Version(version),
        it.agency_id,
        vec![Event::DiscretionBenchmarkSet(b.clone())],
        vec![],
    )
    .await?;
    Ok(b)
}

// ───────────── accounts ─────────────

pub async fn create_user(st: &AppState, u: &CurrentUser, d: &UserDraft) -> ApiResult<User> {
    let ag = target_agency(st, u, d.agency_id, "agency_id").await?;
    let linked = match d.officer_id {
        Some(o) => officer(st, u, o).await.ok().map(|(o, _)| o),
        None => None,
    };
    let id = Uuid::now_v7();
    let user = reg::decide_create_user(&u.actor, id, d, linked.as_ref())?;
    let hash = hash_password(d.password.clone()).await?;
    append(
        st,
        u,
        StreamId::user(id),
        Expected::NoStream,
        ag.id,
        vec![Event::UserCreated(user.clone())],
        vec![SideEffect::SetPasswordHash { user_id: id, hash }],
    )
    .await?;
    Ok(user)
}

pub async fn set_user_active(
    st: &AppState,
    u: &CurrentUser,
    id: Uuid,
    active: bool,
) -> ApiResult<User> {
    u.actor
        .require_any(&[Role::SecurityAdmin], "启用或停用账号")?;
    let (mut user, version) = st
        .store
        .user(id)
        .await?
        .ok_or_else(|| ApiError::not_found("用户"))?;
    target_agency(st, u, user.agency_id, "agency_id").await?;
    if user.id == u.actor.user_id {
        return Err(DomainError::invalid("active", "self", "不能停用自己的账号").into());
    }
    user.active = active;
    append(
        st,
        u,
        StreamId::user(id),
        Expected::Version(version),
        user.agency_id,
        vec![Event::UserUpdated(user.clone())],
        vec![],
    )
    .await?;
    if !active {
        st.store.delete_user_sessions(id).await?;
    }
    Ok(user)
}

pub async fn change_password(
    st: &AppState,
    u: &CurrentUser,
    current_pw: &str,
    new_pw: &str,
) -> ApiResult<()> {
    if !crate::auth::password_matches(st, u.actor.user_id, current_pw).await? {
        return Err(
            DomainError::invalid("current_password", "bad_credentials", "当前密码不正确").into(),
        );
    }
    reg::check_password("new_password", new_pw)?;
    let hash = hash_password(new_pw.to_string()).await?;
    let version = st
        .store
        .stream_version(&StreamId::user(u.actor.user_id).0)
        .await?;
    append(
        st,
        u,
        StreamId::user(u.actor.user_id),
        Expected::Version(version),
        u.actor.agency_id,
        vec![Event::PasswordChanged {
            user_id: u.actor.user_id,
        }],
        vec![SideEffect::SetPasswordHash {
            user_id: u.actor.user_id,
            hash,
        }],
    )
    .await
}

/// Returns the token and its secret; the secret is shown once and only its hash is kept.
pub async fn issue_token(
    st: &AppState,
    u: &CurrentUser,
    name: &str,
    agency_id: Uuid,
    roles: &[Role],
) -> ApiResult<(ApiToken, String)> {
    let ag = target_agency(st, u, agency_id, "agency_id").await?;
    let id = Uuid::now_v7();
    let t = reg::decide_issue_token(&u.actor, id, name, ag.id, roles)?;
    let secret = format!("zf_{}", random_token());
    append(
        st,
        u,
        StreamId::token(id),
        Expected::NoStream,
        ag.id,
        vec![Event::ApiTokenIssued(t.clone())],
        vec![SideEffect::SetTokenHash {
            token_id: id,
            hash: sha256_hex(&secret),
        }],
    )
    .await?;
    Ok((t, secret))
}

pub async fn revoke_token(st: &AppState, u: &CurrentUser, id: Uuid) -> ApiResult<()> {
    u.actor
        .require_any(&[Role::SecurityAdmin], "吊销接口令牌")?;
    let t = st
        .store
        .tokens(&u.scope)
        .await?
        .into_iter()
        .find(|t| t.id == id)
        .ok_or_else(|| ApiError::not_found("接口令牌"))?;
    if t.revoked {
        return Err(DomainError::conflict(None, "already_revoked", "该令牌已吊销").into());
    }
    append(
        st,
        u,
        StreamId::token(id),
        Expected::Version(1),
        t.agency_id,
        vec![Event::ApiTokenRevoked { token_id: id }],
        vec![],
    )
    .await
}
