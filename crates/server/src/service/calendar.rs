//! The working-day calendar (DL-1, DL-2): the shipped calendar plus imported holiday notices.

use super::ServiceResult;
use crate::AppState;
use uuid::Uuid;
use zhifa_calendar::Calendar;
use zhifa_domain::auth::Permission;
use zhifa_domain::deadline;
use zhifa_domain::event::Expected;
use zhifa_domain::{DomainError, Event, NewEvent, StreamId};

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
) -> ServiceResult<ImportOutcome> {
    actor.require(Permission::ImportHolidayNotice)?;
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
