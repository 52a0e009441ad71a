//! Enforcement cases (REC-1): filing and every later step through the domain's rules, in one
//! transaction with the deadlines the steps start and meet (DL-3: the 90-day decision
//! deadline of 处罚法第六十条 opens at filing and is met by the decision).

use super::{ServiceError, ServiceResult, agency, officer, system_part, today_cst};
use crate::AppState;
use crate::auth::CurrentUser;
use uuid::Uuid;
use zhifa_domain::case::{self, Case, CaseAction, CaseDraft, StepContext};
use zhifa_domain::deadline::{self, DutyStart};
use zhifa_domain::event::Expected;
use zhifa_domain::privacy;
use zhifa_domain::{Event, NewEvent, StreamId};

/// A case in `u`'s scope that `u` may read, with its stream version; 404 otherwise.
pub async fn case_in_scope(st: &AppState, u: &CurrentUser, id: Uuid) -> ServiceResult<(Case, i64)> {
    let (c, v) = st
        .store
        .case(id)
        .await?
        .ok_or(ServiceError::NotFound("案件"))?;
    agency(st, u, c.agency_id)
        .await
        .map_err(|_| ServiceError::NotFound("案件"))?;
    if !privacy::may_read_event(&u.actor, "CaseFiled") {
        return Err(ServiceError::NotFound("案件"));
    }
    Ok((c, v))
}

/// The work list: cases in `u`'s scope, for those whose duty cases are (the administrators'
/// is the system: `privacy::Readers::CaseWork`).
pub async fn work_list(
    st: &AppState,
    u: &CurrentUser,
    filter: &zhifa_store::CaseFilter,
    page: &zhifa_store::Page,
) -> ServiceResult<zhifa_store::List<Case>> {
    if !privacy::may_read_event(&u.actor, "CaseFiled") {
        return Err(zhifa_domain::DomainError::forbidden(
            "查看案件需要执法、审核、决定、公开或监督职责",
        )
        .into());
    }
    Ok(st.store.cases(&u.scope, filter, page).await?)
}

async fn officers_named(
    st: &AppState,
    u: &CurrentUser,
    field: &str,
    ids: &[Uuid],
) -> ServiceResult<Vec<zhifa_domain::registry::Officer>> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let (o, _) = officer(st, u, *id).await.map_err(|_| {
            ServiceError::from(zhifa_domain::DomainError::invalid(
                field,
                "unknown_officer",
                "所选执法人员不存在或不在您的管辖范围内",
            ))
        })?;
        out.push(o);
    }
    Ok(out)
}

/// 立案: takes the agency's next case number of the year (its numbering stream's version),
/// records the filing and opens the 90-day decision deadline, all in one commit. Two filings
/// racing for a number: the loser reads the new version and takes the next.
pub async fn file_case(st: &AppState, u: &CurrentUser, d: &CaseDraft) -> ServiceResult<Case> {
    let filing_agency = u.agency.clone();
    let (item, _) = super::item(st, u, d.item_id).await.map_err(|_| {
        ServiceError::from(zhifa_domain::DomainError::invalid(
            "item_id",
            "unknown_item",
            "所选权力清单事项不存在或不在您的管辖范围内",
        ))
    })?;
    let officers = officers_named(st, u, "officer_ids", &d.officer_ids).await?;
    let refs: Vec<&_> = officers.iter().collect();
    let today = today_cst();
    let earliest = earliest_step_day(st, today);
    for _attempt in 0..5 {
        let id = Uuid::now_v7();
        // Numbered in the year the filing is recorded.
        let year = today.year();
        let numbers = StreamId::case_numbers(filing_agency.id, year);
        let taken = st.store.stream_version(&numbers.0).await?;
        let number = u32::try_from(taken + 1).map_err(ServiceError::internal)?;
        let c = case::decide_file_case(
            &u.actor,
            id,
            &filing_agency,
            &item,
            &refs,
            number,
            d,
            today,
            earliest,
        )?;
        let filed = case::filed_event(&c);
        let duties = duty_parts(st, &u.actor, &c, &filed).await?;
        let expected = if taken == 0 {
            Expected::NoStream
        } else {
            Expected::Version(taken)
        };
        let mut parts = case::filing_parts(&c, &u.actor, expected, vec![filed]);
        parts.extend(duties);
        match st.store.append_all(parts).await {
            Ok(_) => return Ok(c),
            Err(zhifa_store::StoreError::VersionConflict { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(zhifa_domain::DomainError::conflict(
        None,
        "busy",
        "同时立案的案件较多，未能取得案件编号，请稍后重试",
    )
    .into())
}

/// The earliest day a case record may carry: today less the deployment's allowance for
/// records entered after the fact (`Settings::case_backdate_days`).
fn earliest_step_day(st: &AppState, today: time::Date) -> time::Date {
    today - time::Duration::days(i64::from(st.settings.case_backdate_days))
}

/// A later step of a case; the decision also meets the decision deadline (late if passed).
pub async fn case_action(
    st: &AppState,
    u: &CurrentUser,
    id: Uuid,
    action: &CaseAction,
) -> ServiceResult<Case> {
    let (c, version) = case_in_scope(st, u, id).await?;
    let field = if matches!(action, CaseAction::Hearing(_)) {
        "chair_id"
    } else {
        "officer_ids"
    };
    let officers = officers_named(st, u, field, &action.named_officers()).await?;
    let benchmark = st.store.benchmark(c.item_id).await?;
    let calendar = st.calendar();
    let ctx = StepContext {
        officers: officers.iter().collect(),
        benchmark: benchmark.as_ref(),
        calendar: &calendar,
        hearing: Default::default(),
        today: today_cst(),
        earliest: earliest_step_day(st, today_cst()),
    };
    let event = case::decide_case_action(&u.actor, &c, action, &ctx)?;
    use zhifa_domain::event::Aggregate;
    let after = Case::evolve(Some(c.clone()), &event)
        .ok_or_else(|| ServiceError::internal("case vanished"))?;
    let duties = duty_parts(st, &u.actor, &after, &event).await?;
    let mut parts = vec![NewEvent {
        stream: StreamId::case(c.id),
        expected: Expected::Version(version),
        agency_id: c.agency_id,
        actor: u.actor.clone(),
        events: vec![event],
        side_effects: vec![],
    }];
    parts.extend(duties);
    st.store.append_all(parts).await?;
    Ok(after)
}

/// The deadline records of `event` (`case::duty_changes`): each duty it starts opened on the
/// calendar, each it ends met on the record's own day (late if it had passed), each it
/// suspends or resumes so by `actor`, the one who records the step (DL-4).
async fn duty_parts(
    st: &AppState,
    actor: &zhifa_domain::auth::Actor,
    after: &Case,
    event: &Event,
) -> ServiceResult<Vec<NewEvent>> {
    let mut parts = vec![];
    for change in case::duty_changes(after, event) {
        match change {
            case::DutyChange::Open { rule, title, from } => {
                let duty = deadline::open(
                    &st.catalog,
                    &st.calendar(),
                    DutyStart {
                        id: Uuid::now_v7(),
                        rule_id: rule.into(),
                        agency_id: after.agency_id,
                        subject: StreamId::case(after.id).0,
                        title,
                        anchor: zhifa_calendar::Anchor::Date(from),
                    },
                )?;
                parts.push(system_part(
                    StreamId::deadline(duty.id),
                    Expected::NoStream,
                    after.agency_id,
                    vec![Event::DeadlineOpened((&duty).into())],
                ));
            }
            change => {
                let calendar = st.calendar();
                for (d, v) in st
                    .store
                    .deadlines_of_subject(&StreamId::case(after.id).0, change.rule())
                    .await?
                {
                    match change.transition(&d, actor, &st.catalog, &calendar, today_cst()) {
                        Some(Ok(e)) => parts.push(system_part(
                            StreamId::deadline(d.id),
                            Expected::Version(v),
                            d.agency_id,
                            vec![e],
                        )),
                        // The step is lawful whatever the deadline's state: one that cannot be
                        // suspended keeps running as it stands — never later than the statute.
                        Some(Err(e)) => {
                            tracing::info!(deadline = %d.id, code = %e.code, "deadline left running")
                        }
                        None => {}
                    }
                }
            }
        }
    }
    Ok(parts)
}

/// The case's records `u` may read, personal values shown by the case's rule
/// (`privacy::sees_party`: in clear for its own officers and for `ViewPersonalData`).
pub async fn case_timeline(
    st: &AppState,
    u: &CurrentUser,
    c: &Case,
) -> ServiceResult<Vec<zhifa_store::Recorded>> {
    let clear = privacy::sees_party(&u.actor, u.officer_id, c);
    super::stream_records_as(st, u, &StreamId::case(c.id).0, clear).await
}

/// The case's latest record as `u` may read it (a step's answer: what the step added).
pub async fn case_latest_record(
    st: &AppState,
    u: &CurrentUser,
    c: &Case,
) -> ServiceResult<Vec<zhifa_store::Recorded>> {
    let tail = st.store.stream_tail(&StreamId::case(c.id).0, 1).await?;
    let clear = privacy::sees_party(&u.actor, u.officer_id, c);
    Ok(super::readable_as(u, tail, clear))
}

/// The party as `u` may see it (`privacy::sees_party`).
pub fn party_view(u: &CurrentUser, c: &Case) -> case::Party {
    privacy::party_view(&c.party, privacy::sees_party(&u.actor, u.officer_id, c))
}
