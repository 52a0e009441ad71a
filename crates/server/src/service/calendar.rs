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

/// DL-1: loads a holiday notice without a rebuild. Every open deadline the import may change
/// (`ImportReport::affects`: computed provisionally over the notice's year, or — an amended
/// notice, e.g. 国办发明电〔2020〕1号 extending the 2020 春节 holiday — over a year whose
/// working days changed) is recomputed, and each change is recorded in the same transaction.
pub async fn import_notice(
    st: &AppState,
    actor: &zhifa_domain::auth::Actor,
    text: &str,
) -> ServiceResult<ImportOutcome> {
    actor.require(Permission::ImportHolidayNotice)?;
    let current = st.calendar();
    let (next, report) = current
        .import(text)
        .map_err(|e| DomainError::invalid("text", "bad_notice", e.message_zh()).rule("DL-1"))?;
    let reason = format!(
        "导入 {} 年节假日安排（{}）",
        report.year,
        report.documents.join("、")
    );
    // The import and every recomputation commit together, each recomputation at the version
    // of the deadline it read. A deadline that moves meanwhile (the sweep recording it missed)
    // makes the whole import fail with a version conflict and nothing written: read again and
    // retry, a few times.
    let mut attempt = 0;
    let recomputed = loop {
        attempt += 1;
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
        let candidates = st
            .store
            .deadlines_affected_by_notice(report.year, &report.changed_years)
            .await?;
        for (d, v) in candidates {
            if !report.affects(&computed_of(&d.due)) {
                continue;
            }
            // The domain's recompute keeps the deadline's suspensions and approved extension.
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
        let n = parts.len() - 1;
        match st.store.append_all(parts).await {
            Ok(_) => break n,
            Err(zhifa_store::StoreError::VersionConflict { .. }) if attempt < 5 => continue,
            Err(e) => return Err(e.into()),
        }
    };
    st.set_calendar(next);
    Ok(ImportOutcome {
        year: report.year,
        replaced: report.replaced,
        documents: report.documents,
        recomputed,
    })
}

/// What the calendar computed last for a deadline, as `ImportReport::affects` reads it.
fn computed_of(due: &deadline::DueAt) -> zhifa_calendar::Computed {
    zhifa_calendar::Computed {
        due: match (due.instant, due.date) {
            (Some(t), _) => zhifa_calendar::Due::Instant(t),
            (None, Some(d)) => zhifa_calendar::Due::Date(d),
            (None, None) => zhifa_calendar::Due::Suspended {
                since: time::Date::MIN,
            },
        },
        provisional: due.provisional,
        first_notice_year: due.first_notice_year,
        last_notice_year: due.last_notice_year,
    }
}
