//! Deadlines (DL-3, DL-4) and annual reports (PUB-9): the duties agencies owe, their
//! fulfilment, and the sweep that records missed ones.

use super::calendar::load_calendar;
use super::{ServiceError, ServiceResult, agency, system_part};
use crate::AppState;
use crate::auth::CurrentUser;
use uuid::Uuid;
use zhifa_domain::deadline::{self, AnnualReport, Deadline};
use zhifa_domain::event::Expected;
use zhifa_domain::registry::*;
use zhifa_domain::{DomainError, Event, NewEvent, StreamId};

/// The PUB-9 duty of `agency` for `year`, unless one exists already.
pub(super) async fn annual_duty_part(
    st: &AppState,
    agency: &Agency,
    year: i32,
) -> ServiceResult<Option<NewEvent>> {
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
        vec![Event::DeadlineOpened((&d).into())],
    )))
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
) -> ServiceResult<AnnualReport> {
    let (ag, _) = agency(st, u, agency_id).await?;
    let now = time::OffsetDateTime::now_utc();
    let today = zhifa_calendar::cst_date(now);
    let report = deadline::decide_annual_report(&u.actor, &ag, year, title, url, today)?;
    let mut parts = vec![NewEvent {
        stream: StreamId::annual_report(ag.id, year),
        expected: Expected::NoStream,
        agency_id: ag.id,
        actor: u.actor.clone(),
        events: vec![Event::AnnualReportPublished((&report).into())],
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
pub async fn sweep(st: &AppState, now: time::OffsetDateTime) -> ServiceResult<usize> {
    let stored = st.store.notices().await?;
    let cal = st.calendar();
    if stored.iter().any(|n| {
        cal.notice(n.year)
            .is_none_or(|loaded| loaded.documents != n.documents)
    }) {
        st.set_calendar(
            load_calendar(&st.store)
                .await
                .map_err(ServiceError::internal)?,
        );
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

pub async fn deadline_in_scope(
    st: &AppState,
    u: &CurrentUser,
    id: Uuid,
) -> ServiceResult<Deadline> {
    let (d, _) = st
        .store
        .deadline(id)
        .await?
        .ok_or(ServiceError::NotFound("期限"))?;
    agency(st, u, d.agency_id)
        .await
        .map_err(|_| ServiceError::NotFound("期限"))?;
    Ok(d)
}

// ───────────── suspension, resumption, extension (DL-4, DL-3, REV-5) ─────────────

/// Appends one decided event to a deadline's stream at the version the decision read.
async fn append_to_deadline(
    st: &AppState,
    u: &CurrentUser,
    d: &Deadline,
    version: i64,
    event: Event,
) -> ServiceResult<Deadline> {
    let next = d.clone().evolve(&event);
    super::append(
        st,
        u,
        StreamId::deadline(d.id),
        Expected::Version(version),
        d.agency_id,
        vec![event],
        vec![],
    )
    .await?;
    Ok(next)
}

/// A deadline in the caller's scope with its stream version.
async fn deadline_with_version(
    st: &AppState,
    u: &CurrentUser,
    id: Uuid,
) -> ServiceResult<(Deadline, i64)> {
    let (d, v) = st
        .store
        .deadline(id)
        .await?
        .ok_or(ServiceError::NotFound("期限"))?;
    agency(st, u, d.agency_id)
        .await
        .map_err(|_| ServiceError::NotFound("期限"))?;
    Ok((d, v))
}

/// DL-4: the period stops running from `from` (the domain's `decide_suspend`).
pub async fn suspend_deadline(
    st: &AppState,
    u: &CurrentUser,
    id: Uuid,
    from: &str,
    reason: &str,
) -> ServiceResult<Deadline> {
    let (d, v) = deadline_with_version(st, u, id).await?;
    let from = parse_date("from", from)?;
    let e = deadline::decide_suspend(
        &u.actor,
        &st.catalog,
        &st.calendar(),
        &d,
        from,
        reason,
        super::today_cst(),
    )?;
    append_to_deadline(st, u, &d, v, e).await
}

/// DL-4: the suspended period runs again after `on` (the domain's `decide_resume`).
pub async fn resume_deadline(
    st: &AppState,
    u: &CurrentUser,
    id: Uuid,
    on: &str,
) -> ServiceResult<Deadline> {
    let (d, v) = deadline_with_version(st, u, id).await?;
    let on = parse_date("on", on)?;
    let e = deadline::decide_resume(
        &u.actor,
        &st.catalog,
        &st.calendar(),
        &d,
        on,
        super::today_cst(),
    )?;
    append_to_deadline(st, u, &d, v, e).await
}

/// DL-3 / REV-5 (强制法第二十五条): the agency head approves an extension of `days`, at most the
/// rule's cap, before the deadline passes (the domain's `decide_extend`).
pub async fn extend_deadline(
    st: &AppState,
    u: &CurrentUser,
    id: Uuid,
    days: u32,
    approval: &str,
    reason: &str,
) -> ServiceResult<Deadline> {
    let (d, v) = deadline_with_version(st, u, id).await?;
    let e = deadline::decide_extend(
        &u.actor,
        &st.catalog,
        &st.calendar(),
        &d,
        days,
        approval,
        reason,
        time::OffsetDateTime::now_utc(),
    )?;
    append_to_deadline(st, u, &d, v, e).await
}
