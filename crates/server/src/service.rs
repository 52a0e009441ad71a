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

/// Today in China Standard Time, the day every date-based rule is decided on.
pub fn today_cst() -> time::Date {
    zhifa_calendar::cst_date(time::OffsetDateTime::now_utc())
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
    let (current, version) = st
        .store
        .user(id)
        .await?
        .ok_or_else(|| ApiError::not_found("用户"))?;
    target_agency(st, u, current.agency_id, "agency_id").await?;
    let user = reg::decide_user_active(&u.actor, &current, active)?;
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
    let t = st
        .store
        .tokens(&u.scope)
        .await?
        .into_iter()
        .find(|t| t.id == id)
        .ok_or_else(|| ApiError::not_found("接口令牌"))?;
    reg::decide_revoke_token(&u.actor, &t)?;
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

// ───────────── calendar and deadlines (DL-1 … DL-4, PUB-9) ─────────────

use zhifa_calendar::Calendar;
use zhifa_domain::deadline::{self, AnnualReport, Deadline};

/// The shipped calendar plus every notice imported since (they were validated on import).
pub async fn load_calendar(store: &zhifa_store::Store) -> anyhow::Result<Calendar> {
    let mut cal = Calendar::embedded();
    for n in store.notices().await? {
        cal = cal
            .import(&n.text)
            .map_err(|e| anyhow::anyhow!("stored notice {}: {e}", n.year))?
            .0;
    }
    Ok(cal)
}

fn system_part(
    stream: StreamId,
    expected: Expected,
    agency_id: Uuid,
    events: Vec<Event>,
) -> NewEvent {
    NewEvent {
        stream,
        expected,
        agency_id,
        actor: zhifa_domain::auth::Actor::system(),
        events,
        side_effects: vec![],
    }
}

/// The PUB-9 duty of `agency` for `year`, unless one exists already.
async fn annual_duty_part(
    st: &AppState,
    agency: &Agency,
    year: i32,
) -> ApiResult<Option<NewEvent>> {
    if !deadline::owes_annual_statistics(agency) {
        return Ok(None);
    }
    let existing = st
        .store
        .deadlines_of_subject(&StreamId::agency(agency.id).0, deadline::ANNUAL_STATISTICS)
        .await?;
    if existing
        .iter()
        .any(|(d, _)| deadline::report_year(d) == year)
    {
        return Ok(None);
    }
    let id = Uuid::now_v7();
    let d = deadline::annual_statistics_duty(&st.catalog, &st.calendar(), id, agency, year)?;
    Ok(Some(system_part(
        StreamId::deadline(id),
        Expected::NoStream,
        agency.id,
        vec![Event::DeadlineOpened(d)],
    )))
}

/// Registers a body and, in the same transaction, starts the duties it owes (PUB-9).
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
    let mut parts = vec![NewEvent {
        stream: StreamId::agency(id),
        expected: Expected::NoStream,
        agency_id: id,
        actor: u.actor.clone(),
        events: vec![Event::AgencyRegistered(a.clone())],
        side_effects: vec![],
    }];
    parts.extend(annual_duty_part(st, &a, today_cst().year()).await?);
    st.store.append_all(parts).await?;
    Ok(a)
}

/// PUB-9: records a published annual report; meets its deadline (late if it was missed) and
/// starts the next year's.
pub async fn publish_annual_report(
    st: &AppState,
    u: &CurrentUser,
    agency_id: Uuid,
    year: i32,
    title: &str,
    url: &str,
) -> ApiResult<AnnualReport> {
    let (ag, _) = agency(st, u, agency_id).await?;
    let now = time::OffsetDateTime::now_utc();
    let today = zhifa_calendar::cst_date(now);
    let report = deadline::decide_annual_report(&u.actor, &ag, year, title, url, today)?;
    let mut parts = vec![NewEvent {
        stream: StreamId::annual_report(ag.id, year),
        expected: Expected::NoStream,
        agency_id: ag.id,
        actor: u.actor.clone(),
        events: vec![Event::AnnualReportPublished(report.clone())],
        side_effects: vec![],
    }];
    let duties = st
        .store
        .deadlines_of_subject(&StreamId::agency(ag.id).0, deadline::ANNUAL_STATISTICS)
        .await?;
    if let Some((d, v)) = duties
        .iter()
        .find(|(d, _)| deadline::report_year(d) == year && !d.status.is_closed())
    {
        parts.push(NewEvent {
            stream: StreamId::deadline(d.id),
            expected: Expected::Version(*v),
            agency_id: ag.id,
            actor: u.actor.clone(),
            events: vec![deadline::decide_met(d, now)],
            side_effects: vec![],
        });
    }
    parts.extend(annual_duty_part(st, &ag, year + 1).await?);
    match st.store.append_all(parts).await {
        Err(zhifa_store::StoreError::VersionConflict { stream, .. })
            if stream == StreamId::annual_report(ag.id, year).0 =>
        {
            Err(DomainError::conflict(
                Some("year"),
                "already_published",
                format!("{year} 年度统计年报已公开"),
            )
            .rule("PUB-9")
            .into())
        }
        other => other.map(|_| report).map_err(Into::into),
    }
}

/// Records every open deadline that has passed as missed (DL-3); returns how many. Also picks
/// up notices imported by another process (`zhifa calendar import`).
pub async fn sweep(st: &AppState, now: time::OffsetDateTime) -> ApiResult<usize> {
    let stored = st.store.notices().await?;
    let cal = st.calendar();
    if stored.iter().any(|n| {
        cal.notice(n.year)
            .is_none_or(|loaded| loaded.documents != n.documents)
    }) {
        st.set_calendar(load_calendar(&st.store).await.map_err(ApiError::internal)?);
    }
    let today = zhifa_calendar::cst_date(now);
    let mut n = 0;
    for (d, v) in st.store.open_deadlines_due_by(&format_date(today)).await? {
        let Some(missed) = deadline::decide_missed(&d, now) else {
            continue;
        };
        let mut parts = vec![system_part(
            StreamId::deadline(d.id),
            Expected::Version(v),
            d.agency_id,
            vec![missed],
        )];
        if d.rule_id == deadline::ANNUAL_STATISTICS
            && let Some((ag, _)) = st.store.agency(d.agency_id).await?
        {
            parts.extend(annual_duty_part(st, &ag, deadline::report_year(&d) + 1).await?);
        }
        match st.store.append_all(parts).await {
            Ok(_) => n += 1,
            // Another node recorded it first.
            Err(zhifa_store::StoreError::VersionConflict { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(n)
}

pub struct ImportOutcome {
    pub year: i32,
    pub replaced: bool,
    pub documents: Vec<String>,
    pub recomputed: usize,
}

/// DL-1: loads a holiday notice without a rebuild. Every open deadline that was computed
/// without it is recomputed, and each change is recorded in the same transaction.
pub async fn import_notice(
    st: &AppState,
    actor: &zhifa_domain::auth::Actor,
    text: &str,
) -> ApiResult<ImportOutcome> {
    actor.require_any(&[Role::SystemAdmin], "导入节假日安排通知")?;
    let current = st.calendar();
    let (next, report) = current
        .import(text)
        .map_err(|e| DomainError::invalid("text", "bad_notice", e.to_string()).rule("DL-1"))?;
    let mut parts = vec![NewEvent {
        stream: StreamId::calendar(),
        expected: Expected::Any,
        agency_id: Uuid::nil(),
        actor: actor.clone(),
        events: vec![Event::HolidayNoticeImported {
            year: report.year,
            documents: report.documents.clone(),
            text: text.to_string(),
        }],
        side_effects: vec![],
    }];
    let reason = format!(
        "导入 {} 年节假日安排（{}）",
        report.year,
        report.documents.join("、")
    );
    for (d, v) in st.store.deadlines_depending_on(report.year).await? {
        if let Some(due) = deadline::recompute(&st.catalog, &next, &d)? {
            parts.push(NewEvent {
                stream: StreamId::deadline(d.id),
                expected: Expected::Version(v),
                agency_id: d.agency_id,
                actor: actor.clone(),
                events: vec![Event::DeadlineRecomputed {
                    deadline_id: d.id,
                    due,
                    reason: reason.clone(),
                }],
                side_effects: vec![],
            });
        }
    }
    let recomputed = parts.len() - 1;
    st.store.append_all(parts).await?;
    st.set_calendar(next);
    Ok(ImportOutcome {
        year: report.year,
        replaced: report.replaced,
        documents: report.documents,
        recomputed,
    })
}

pub async fn deadline_in_scope(st: &AppState, u: &CurrentUser, id: Uuid) -> ApiResult<Deadline> {
    let (d, _) = st
        .store
        .deadline(id)
        .await?
        .ok_or_else(|| ApiError::not_found("期限"))?;
    agency(st, u, d.agency_id)
        .await
        .map_err(|_| ApiError::not_found("期限"))?;
    Ok(d)
}

/// REC-6 erasure of a subject's personal data (a resident ID or credit code): the values leave
/// the record, the ledger's proofs stay valid, the erasure itself is recorded, and the
/// projections are rebuilt without the values.
pub async fn erase_subject(
    st: &AppState,
    actor: &zhifa_domain::auth::Actor,
    subject: &str,
    reason: &str,
) -> ApiResult<Vec<i64>> {
    let (subject, reason) = zhifa_domain::event::decide_erasure(actor, subject, reason)?;
    let erased = st
        .store
        .erase_subject(&subject)
        .await
        .map_err(|e| match e {
            zhifa_store::StoreError::Ledger(m) => ApiError::bad_request("subject", m),
            other => other.into(),
        })?;
    if !erased.is_empty() {
        st.store
            .append(NewEvent {
                stream: StreamId("erasure".into()),
                expected: Expected::Any,
                agency_id: Uuid::nil(),
                actor: actor.clone(),
                events: vec![Event::PersonalDataErased {
                    events: erased.clone(),
                    reason,
                }],
                side_effects: vec![],
            })
            .await?;
        st.store.rebuild().await?;
    }
    Ok(erased)
}

// ───────────── evidence files (REC-3, REC-4) ─────────────

use zhifa_domain::evidence::{self as ev, Evidence, EvidenceDraft};

fn evidence_error(e: zhifa_evidence::EvidenceError) -> ApiError {
    use axum::http::StatusCode;
    use zhifa_evidence::EvidenceError as E;
    match e {
        E::Empty => DomainError::invalid("file", "empty", "文件为空，请重新选择").into(),
        E::TooLarge { limit } => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("文件超过上限 {} MiB", limit / (1024 * 1024)),
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

/// REC-4: an officer hands in an evidence file. What is stated about it is checked before a
/// byte is stored; the bytes are streamed to the object store and hashed on the way; the
/// record with the hash is appended (the hash thereby enters the ledger).
pub async fn receive_evidence<S, E>(
    st: &AppState,
    u: &CurrentUser,
    draft: EvidenceDraft,
    body: S,
) -> ApiResult<(Evidence, i64)>
where
    S: futures_util::Stream<Item = Result<bytes::Bytes, E>>,
    E: std::fmt::Display,
{
    let now = time::OffsetDateTime::now_utc();
    let draft = ev::check_evidence_draft(&u.actor, draft, now)?;
    let (ag, _) = agency(st, u, u.actor.agency_id).await?;
    let alg = st.store.ledger_alg();
    let content = st
        .evidence
        .put_stream(alg, body, st.settings.max_evidence_bytes)
        .await
        .map_err(evidence_error)?;
    let file = ev::StoredFile {
        hash_alg: content.alg.name().to_string(),
        hash: content.hash.to_hex(),
        size: content.size,
    };
    // The time of receipt is when the last byte arrived, not when the request started.
    let received = time::OffsetDateTime::now_utc();
    let e = ev::decide_receive_evidence(&u.actor, &ag, draft, file, Uuid::now_v7(), received)?;
    let recs = st
        .store
        .append(NewEvent {
            stream: StreamId::evidence(e.id),
            expected: Expected::NoStream,
            agency_id: ag.id,
            actor: u.actor.clone(),
            events: vec![Event::EvidenceReceived(e.clone())],
            side_effects: vec![],
        })
        .await?;
    Ok((e, recs[0].seq))
}

/// One evidence record within the caller's scope, with the sequence number of its event.
pub async fn evidence(st: &AppState, u: &CurrentUser, id: Uuid) -> ApiResult<(Evidence, i64)> {
    let (e, _) = st
        .store
        .evidence(id)
        .await?
        .ok_or_else(|| ApiError::not_found("证据材料"))?;
    agency(st, u, e.agency_id)
        .await
        .map_err(|_| ApiError::not_found("证据材料"))?;
    let seq = st
        .store
        .events_of_stream(&StreamId::evidence(e.id).0)
        .await?
        .first()
        .map(|r| r.seq)
        .ok_or_else(|| ApiError::internal("evidence record without its event"))?;
    Ok((e, seq))
}

/// The content hash of a stored evidence record, as the object store keys it.
pub fn content_of(e: &Evidence) -> ApiResult<zhifa_ledger::ContentHash> {
    zhifa_ledger::ContentHash::from_parts(&e.hash_alg, &e.hash, e.size)
        .ok_or_else(|| ApiError::internal("stored evidence hash does not parse"))
}

// ───────────── proofs of single records (REC-6) ─────────────

/// A record with the proof that it is in the signed log, checked here as an auditor would.
pub struct EventProof {
    pub record: zhifa_store::Recorded,
    /// The exact bytes the leaf hashes (text: `zhifa-leaf/1` + canonical JSON).
    pub leaf: String,
    pub leaf_hash: zhifa_ledger::Hash,
    pub index: u64,
    pub checkpoint: String,
    pub tree_size: u64,
    pub root: zhifa_ledger::Hash,
    pub proof: Vec<zhifa_ledger::Hash>,
    /// `Ok` if the inclusion proof and the checkpoint's signatures verify.
    pub verified: Result<(), String>,
}

/// An event visible to the caller (its agency in scope), with its leaf.
async fn event_in_scope(
    st: &AppState,
    u: &CurrentUser,
    seq: i64,
) -> ApiResult<(zhifa_store::Recorded, Vec<u8>)> {
    let (rec, leaf) = st
        .store
        .event_leaf(seq)
        .await?
        .ok_or_else(|| ApiError::not_found("记录"))?;
    agency(st, u, rec.agency_id)
        .await
        .map_err(|_| ApiError::not_found("记录"))?;
    Ok((rec, leaf))
}

pub async fn event_proof(st: &AppState, u: &CurrentUser, seq: i64) -> ApiResult<EventProof> {
    let (record, leaf) = event_in_scope(st, u, seq).await?;
    let note = st
        .store
        .issue_checkpoint()
        .await?
        .ok_or_else(|| ApiError::internal("no checkpoint after an append"))?;
    let info = st.store.ledger_info().await?;
    let keys = zhifa_ledger::TrustedKeys::from_text(&info.verifier_keys.join("\n"))
        .map_err(ApiError::internal)?;
    let cp = zhifa_ledger::open_checkpoint(&note, &keys, Some(&info.origin))
        .map_err(ApiError::internal)?
        .checkpoint;
    let (index, proof) = st
        .store
        .inclusion_proof(seq, cp.size as i64)
        .await
        .map_err(ApiError::internal)?;
    let alg = st.store.ledger_alg();
    let verified = zhifa_ledger::verify_leaf_in_checkpoint(
        alg,
        &keys,
        Some(&info.origin),
        &note,
        &leaf,
        index,
        &proof,
    )
    .map(|_| ())
    .map_err(|e| e.to_string());
    Ok(EventProof {
        leaf_hash: alg.leaf_hash(&leaf),
        leaf: String::from_utf8_lossy(&leaf).into_owned(),
        record,
        index,
        checkpoint: note,
        tree_size: cp.size,
        root: cp.root,
        proof,
        verified,
    })
}

/// A self-verifying package (REC-5) of one record or of a whole stream the caller may read.
pub async fn package(
    st: &AppState,
    u: &CurrentUser,
    seq: Option<i64>,
    stream: Option<&str>,
) -> ApiResult<zhifa_ledger::Package> {
    let (seqs, title) = match (seq, stream) {
        (Some(seq), None) => {
            let (rec, _) = event_in_scope(st, u, seq).await?;
            (
                vec![seq],
                format!("记录证明：第 {seq} 条（{}）", rec.stream),
            )
        }
        (None, Some(stream)) => {
            let events = st.store.events_of_stream(stream).await?;
            let first = events.first().ok_or_else(|| ApiError::not_found("记录"))?;
            event_in_scope(st, u, first.seq).await?;
            (
                events.iter().map(|e| e.seq).collect(),
                format!("记录证明：{stream}（{} 条）", events.len()),
            )
        }
        _ => {
            return Err(ApiError::bad_request(
                "seq",
                "请给出 seq（一条记录）或 stream（一组记录）之一",
            ));
        }
    };
    Ok(st.store.export_package(&title, &seqs).await?)
}

/// An upper-tier instance starts witnessing a lower one's log (REC-6): system administrator
/// only; the origin, hash and verifier keys must parse as a log's.
pub async fn follow_log(
    st: &AppState,
    u: &CurrentUser,
    origin: &str,
    hash: &str,
    verifier_keys: &[String],
) -> ApiResult<()> {
    u.actor
        .require_any(&[Role::SystemAdmin], "登记见证的日志")?;
    let invalid =
        |f: &str, m: String| ApiError::from(DomainError::invalid(f, "invalid", m).rule("REC-6"));
    let _: zhifa_ledger::HashAlg = hash.parse().map_err(|e: String| invalid("hash", e))?;
    if origin.trim().is_empty() || origin.contains(char::is_whitespace) {
        return Err(invalid("origin", "日志标识不能为空或包含空白".into()));
    }
    let keys_text = verifier_keys.join("\n");
    zhifa_ledger::TrustedKeys::from_text(&keys_text)
        .map_err(|e| invalid("verifier_keys", e.to_string()))?;
    Ok(st.store.witness_follow(origin, hash, &keys_text).await?)
}
