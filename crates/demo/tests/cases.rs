//! `zhifa demo --cases N`: generated cases are deterministic per seed, numbered per agency and
//! year without gaps in filing order, stand at every stage, and carry the deadlines and the
//! benchmark departures the rules give them.

use std::collections::{BTreeMap, HashMap};
use time::macros::date;
use zhifa_calendar::{Calendar, Catalog};
use zhifa_demo::cases::{CaseWorld, generate};
use zhifa_domain::case::{BenchmarkFit, Case, DECISION_RULE, PAYMENT_RULE, SERVICE_RULE};
use zhifa_domain::event::Aggregate;
use zhifa_domain::{Event, NewEvent};

fn world() -> CaseWorld {
    CaseWorld::from_commands(&zhifa_demo::generate(2026, &|p| format!("plain:{p}")).commands)
}

fn cases(world: &CaseWorld, seed: u64, n: u64) -> Vec<Vec<NewEvent>> {
    let (catalog, calendar) = (Catalog::embedded(), Calendar::embedded());
    generate(world, &catalog, &calendar, seed, n, date!(2026 - 11 - 30))
        .collect::<Result<_, _>>()
        .expect("generated cases keep the rules")
}

fn dump(cmds: &[Vec<NewEvent>]) -> Vec<String> {
    cmds.iter()
        .flatten()
        .map(|p| format!("{}|{:?}", p.stream.0, p.events))
        .collect()
}

#[test]
fn generated_cases_are_deterministic_numbered_without_gaps_and_at_every_stage() {
    let w = world();
    assert!(
        w.agencies() >= 20,
        "agencies that can work cases: {}",
        w.agencies()
    );
    let n = 600;
    let a = cases(&w, 7, n);
    assert_eq!(a.len(), n as usize);
    assert_eq!(dump(&a), dump(&cases(&w, 7, n)), "same seed, same cases");
    assert_ne!(
        dump(&a),
        dump(&cases(&w, 8, n)),
        "another seed, other cases"
    );

    let mut numbers: HashMap<(uuid::Uuid, i32), Vec<(time::Date, u32)>> = HashMap::new();
    let mut stages: BTreeMap<String, usize> = BTreeMap::new();
    let mut outside = 0;
    let mut no_penalty = 0;
    let mut heard = 0;
    for cmd in &a {
        // One command per case: its number, its history, its deadlines.
        let Event::CaseNumberTaken {
            agency_id,
            year,
            number,
            case_id,
        } = &cmd[0].events[0]
        else {
            panic!(
                "a case's command starts with its number: {:?}",
                cmd[0].events
            );
        };
        let history = &cmd[1];
        assert_eq!(history.stream.0, format!("case-{case_id}"));
        let c: Case = history
            .events
            .iter()
            .fold(None, Case::evolve)
            .expect("the history folds into a case");
        assert_eq!((c.number, c.year), (*number, *year));
        numbers
            .entry((*agency_id, *year))
            .or_default()
            .push((c.progress.filed_on.unwrap(), *number));
        *stages.entry(format!("{:?}", c.stage())).or_default() += 1;
        if let Some(d) = &c.decision
            && d.fit == BenchmarkFit::OutsideWithReason
        {
            outside += 1;
            assert!(d.departure_reason.as_deref().is_some_and(|r| r.len() > 10));
        }
        // The deadlines its steps opened (DL-3), each met by the step that ends it.
        let rules: Vec<(String, bool)> = cmd[2..]
            .iter()
            .map(|p| match &p.events[0] {
                Event::DeadlineOpened(d) => (
                    d.rule_id.clone(),
                    p.events
                        .iter()
                        .any(|e| matches!(e, Event::DeadlineMet { .. })),
                ),
                e => panic!("only deadlines follow the history: {e:?}"),
            })
            .collect();
        let decided = c.progress.decided_on.is_some();
        // A hearing suspended the decision deadline from its request to the day it was held
        // (DL-4), and the decision waits for the legal review.
        if let Some(held) = c.progress.hearing_held_on {
            heard += 1;
            assert!(!decided && c.progress.needs_review);
            let decision_deadline = &cmd[2].events;
            assert!(
                decision_deadline
                    .iter()
                    .any(|e| matches!(e, Event::DeadlineSuspended { from, .. } if Some(*from) == c.progress.hearing_requested_on))
            );
            assert!(
                decision_deadline
                    .iter()
                    .any(|e| matches!(e, Event::DeadlineResumed { on, .. } if *on == held))
            );
        }
        assert_eq!(rules[0], (DECISION_RULE.into(), decided));
        assert_eq!(decided, c.decision.is_some() || c.no_penalty.is_some());
        if c.no_penalty.is_some() {
            no_penalty += 1;
            assert_eq!(c.progress.fine_fen, 0);
        }
        let served = c.progress.decision_served_on.is_some();
        if decided {
            assert_eq!(rules[1], (SERVICE_RULE.into(), served));
        }
        if served && c.progress.fine_fen > 0 {
            assert_eq!(
                rules[2],
                (
                    PAYMENT_RULE.into(),
                    c.progress.paid_fen == c.progress.fine_fen
                )
            );
        }
    }
    for ((_, year), mut taken) in numbers {
        taken.sort();
        let in_order: Vec<u32> = taken.iter().map(|(_, n)| *n).collect();
        let expected: Vec<u32> = (1..=in_order.len() as u32).collect();
        assert_eq!(
            in_order, expected,
            "{year}: numbered 1.. in filing order, no gaps"
        );
    }
    for stage in [
        "Filed",
        "Investigation",
        "Decision",
        "Service",
        "Execution",
        "Closed",
        "Archived",
    ] {
        assert!(
            stages.get(stage).copied().unwrap_or(0) > 0,
            "no case at {stage}: {stages:?}"
        );
    }
    assert!(
        stages["Archived"] > stages["Filed"],
        "two years of cases are mostly archived: {stages:?}"
    );
    assert!(
        outside > 0,
        "some fines lie outside the benchmark, with reasons"
    );
    assert!(no_penalty > 0, "some cases end in a decision not to punish");
    assert!(heard > 0, "some cases went through a hearing");
}
