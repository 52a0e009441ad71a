//! Enforcement cases in bulk (`zhifa demo --cases N`, issue 10): penalty cases of the demo's
//! agencies, each filed and worked step by step through the domain's own rules
//! (`case::decide_file_case`, `case::decide_case_action`, `case::duty_changes`), so a
//! generated case is one the platform would have accepted from a person — and its deadlines
//! are the ones the console would have opened and met.
//!
//! Filings are spread over the two years before `today`, oldest first, so each agency's case
//! numbers follow its filing dates without gaps. Most old cases are archived; recent ones stand
//! at every stage; a few carry what a supervisor looks for (a decision past its 90 days, a
//! decision not served, a fine outside the benchmark with its reason).
//!
//! Deterministic per seed (ids included). Invariants: pure (no I/O, no clock); one command per
//! case (its number, its whole history, its deadlines), yielded lazily so a million cases never
//! sit in memory together.

use super::Gen;
use rand::seq::IndexedRandom;
use rand::{Rng, RngCore};
use std::collections::HashMap;
use time::{Date, Duration};
use uuid::Uuid;
use zhifa_calendar::{Calendar, Catalog};
use zhifa_domain::auth::{Actor, Role};
use zhifa_domain::case::{self, CaseAction, CaseDraft, PartyDraft, PartyKind, Sanction};
use zhifa_domain::deadline::{self, Deadline, DutyStart};
use zhifa_domain::event::{Aggregate, Expected};
use zhifa_domain::registry::{
    Agency, CertificateStatus, DiscretionBenchmark, EnforcementDomain, ItemVersion, Officer,
    Severity, format_date,
};
use zhifa_domain::{DomainError, Event, NewEvent, StreamId};

/// An agency that can work cases: its officers and its penalty items with their benchmarks.
struct Unit {
    agency: Agency,
    domain: EnforcementDomain,
    officers: Vec<Officer>,
    items: Vec<(ItemVersion, Option<DiscretionBenchmark>)>,
}

/// The registry the cases are filed against, folded from the demo's registry commands.
pub struct CaseWorld {
    units: Vec<Unit>,
}

impl CaseWorld {
    /// Folds agencies, officers, items and benchmarks out of `commands` (by each stream's
    /// `evolve`) and keeps the agencies with two officers (the two who act together)
    /// and a penalty item in force.
    pub fn from_commands(commands: &[NewEvent]) -> CaseWorld {
        let mut agencies: Vec<Agency> = Vec::new();
        let mut agency_at: HashMap<Uuid, usize> = HashMap::new();
        let mut officers: HashMap<String, Officer> = HashMap::new();
        let mut items: HashMap<Uuid, ItemVersion> = HashMap::new();
        let mut benchmarks: HashMap<Uuid, DiscretionBenchmark> = HashMap::new();
        let mut officer_order: Vec<String> = Vec::new();
        let mut item_order: Vec<Uuid> = Vec::new();
        for cmd in commands {
            for e in &cmd.events {
                match e {
                    Event::AgencyRegistered(_) | Event::AgencyUpdated(_) => {
                        let a = Agency::evolve(None, e).expect("agency events fold");
                        match agency_at.get(&a.id) {
                            Some(&i) => agencies[i] = a,
                            None => {
                                agency_at.insert(a.id, agencies.len());
                                agencies.push(a);
                            }
                        }
                    }
                    Event::OfficerRegistered(_)
                    | Event::OfficerUpdated(_)
                    | Event::TrainingRecorded { .. }
                    | Event::CertificateStatusChanged { .. } => {
                        let key = cmd.stream.0.clone();
                        let before = officers.remove(&key);
                        if before.is_none() {
                            officer_order.push(key.clone());
                        }
                        if let Some(o) = Officer::evolve(before, e) {
                            officers.insert(key, o);
                        }
                    }
                    Event::ItemVersionPublished(_) => {
                        let v = ItemVersion::evolve(None, e).expect("item versions fold");
                        if !items.contains_key(&v.item_id) {
                            item_order.push(v.item_id);
                        }
                        items.insert(v.item_id, v);
                    }
                    Event::DiscretionBenchmarkSet(_) => {
                        let b = DiscretionBenchmark::evolve(None, e).expect("benchmarks fold");
                        benchmarks.insert(b.item_id, b);
                    }
                    _ => {}
                }
            }
        }
        let mut units: Vec<Unit> = Vec::new();
        let mut unit_of: HashMap<Uuid, usize> = HashMap::new();
        for a in agencies {
            let Ok(domain) = EnforcementDomain::parse_input("domain", &a.domain) else {
                continue;
            };
            unit_of.insert(a.id, units.len());
            units.push(Unit {
                agency: a,
                domain,
                officers: vec![],
                items: vec![],
            });
        }
        for key in officer_order {
            let o = &officers[&key];
            if o.status == CertificateStatus::Valid
                && let Some(&u) = unit_of.get(&o.agency_id)
            {
                units[u].officers.push(o.clone());
            }
        }
        for id in item_order {
            let v = &items[&id];
            if v.category == zhifa_domain::registry::Category::Penalty
                && !v.repealed
                && let Some(&u) = unit_of.get(&v.agency_id)
            {
                units[u]
                    .items
                    .push((v.clone(), benchmarks.get(&id).cloned()));
            }
        }
        units.retain(|u| u.officers.len() >= 2 && !u.items.is_empty());
        CaseWorld { units }
    }

    /// How many agencies the cases are spread over.
    pub fn agencies(&self) -> usize {
        self.units.len()
    }
}

/// The generator's actors: the cases are recorded as entered by "演示案件生成" acting as an
/// officer, and decided by it acting as the agency head, of each case's agency.
fn actor(agency: Uuid, head: bool) -> Actor {
    Actor {
        user_id: Uuid::from_u128(if head { 0xde30_0002 } else { 0xde30_0001 }),
        username: if head {
            "demo-generator-head"
        } else {
            "demo-generator"
        }
        .into(),
        agency_id: agency,
        roles: vec![if head {
            Role::AgencyHead
        } else {
            Role::Officer
        }],
    }
}

/// Cases one after another; see the module's documentation.
pub struct CaseGen<'a> {
    world: &'a CaseWorld,
    catalog: &'a Catalog,
    calendar: &'a Calendar,
    g: Gen,
    n: u64,
    i: u64,
    today: Date,
    /// The last number taken per agency and year.
    numbers: HashMap<(Uuid, i32), u32>,
}

/// `n` cases for `world`, deterministic per `seed`, the last filed the day before `today`.
pub fn generate<'a>(
    world: &'a CaseWorld,
    catalog: &'a Catalog,
    calendar: &'a Calendar,
    seed: u64,
    n: u64,
    today: Date,
) -> CaseGen<'a> {
    let g = Gen::new(seed ^ 0xca5e_5eed);
    CaseGen {
        world,
        catalog,
        calendar,
        g,
        n,
        i: 0,
        today,
        numbers: HashMap::new(),
    }
}

impl Iterator for CaseGen<'_> {
    type Item = Result<Vec<NewEvent>, DomainError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.i >= self.n || self.world.units.is_empty() {
            return None;
        }
        // Two years of filings, oldest first.
        let span = 730i64;
        let filed_on =
            self.today - Duration::days(span - (self.i as i64 * span / self.n.max(1) as i64));
        let filed_on = filed_on.min(self.today - Duration::days(1));
        self.i += 1;
        Some(self.case_filed_on(filed_on))
    }
}

const SUMMARIES: &[&str] = &[
    "现场检查发现当事人经营的商品超过保质期，已拍照固定。",
    "询问当事人，当事人承认违法事实，对证据无异议。",
    "调取进货台账及销售记录，核实违法所得数额。",
    "现场检查发现未按规定公示相关信息，当事人当场确认。",
];

impl CaseGen<'_> {
    fn case_filed_on(&mut self, filed_on: Date) -> Result<Vec<NewEvent>, DomainError> {
        let world = self.world;
        // Officers must hold valid certificates from filing to the last step (~200 days on).
        let until = (filed_on + Duration::days(200)).min(self.today);
        let (unit, team, item, benchmark) = loop {
            let u = world
                .units
                .choose(&mut self.g.rng)
                .expect("units are not empty");
            let able: Vec<&Officer> = u
                .officers
                .iter()
                .filter(|o| {
                    o.may_act(u.domain, &u.agency.division_code, filed_on)
                        .is_ok()
                        && o.may_act(u.domain, &u.agency.division_code, until).is_ok()
                })
                .collect();
            let items: Vec<&(ItemVersion, Option<DiscretionBenchmark>)> = u
                .items
                .iter()
                .filter(|(v, _)| v.effective_from <= filed_on)
                .collect();
            if able.len() >= 2 && !items.is_empty() {
                let (v, b) = *items.choose(&mut self.g.rng).expect("not empty");
                break (u, able, v, b.as_ref());
            }
        };
        let agency = &unit.agency;
        let officer = actor(agency.id, false);
        let head = actor(agency.id, true);
        let citizen = self.g.rng.random_range(0..10) < 7;
        let party = if citizen {
            PartyDraft {
                kind: Some(PartyKind::Citizen),
                name: self.g.person_name(),
                id_number: self.g.resident_id(&agency.division_code),
                address: format!("{}某街道", agency.name.split('市').next().unwrap_or("")),
                phone: format!("139{:08}", self.g.rng.random_range(0..99_999_999u32)),
            }
        } else {
            PartyDraft {
                kind: Some(PartyKind::Organisation),
                name: format!("{}商贸有限公司", self.g.person_name()),
                id_number: self.g.business_code(&agency.division_code),
                address: String::new(),
                phone: String::new(),
            }
        };
        let year = filed_on.year();
        let number = {
            let n = self.numbers.entry((agency.id, year)).or_insert(0);
            *n += 1;
            *n
        };
        let committed = filed_on - Duration::days(self.g.rng.random_range(1..120));
        let draft = CaseDraft {
            item_id: item.item_id,
            party,
            committed_on: format_date(committed),
            ended_on: None,
            grave_harm: false,
            facts: format!("当事人涉嫌违反{}的规定。", item.name),
            officer_ids: vec![team[0].id, team[1].id],
            filed_on: None,
        };
        let id = ordered_id(&mut self.g, filed_on, self.i);
        let mut c = case::decide_file_case(
            &officer,
            id,
            agency,
            item,
            &[team[0], team[1]],
            number,
            &draft,
            filed_on,
            filed_on,
        )?;
        let mut events = vec![case::filed_event(&c)];
        let mut duties = Duties::default();
        duties.apply(self, &c, &events[0])?;

        // How far the case has come: old ones mostly archived, recent ones anywhere.
        let age = (self.today - filed_on).whole_days();
        let roll = self.g.rng.random_range(0..100);
        let last = if age > 200 {
            match roll {
                0..2 => Last::Investigate, // stuck before the decision: past its 90 days
                2..4 => Last::Decide,      // decided, never served
                4..8 => Last::Close,
                _ => Last::Archive,
            }
        } else {
            [
                Last::Filed,
                Last::Investigate,
                Last::Notify,
                Last::Statement,
                Last::Decide,
                Last::Serve,
                Last::Pay,
                Last::Close,
                Last::Archive,
            ][roll % 9]
        };
        // A circumstance the item's benchmark lists (any, without one), a fine inside its
        // range — or, once in a hundred, above it with the reason recorded.
        let entry = benchmark.and_then(|b| b.entries.choose(&mut self.g.rng));
        let severity = entry.map_or(Severity::General, |e| e.severity);
        let outside = entry.is_some() && self.g.rng.random_range(0..100) == 0;
        let fine = match entry {
            Some(e) if outside => e.max_fine_fen + 100_000,
            Some(e) if e.max_fine_fen > 0 => {
                self.g.rng.random_range(e.min_fine_fen..=e.max_fine_fen)
            }
            Some(_) => 0,
            None => self.g.rng.random_range(5..50) * 10_000,
        };
        let sanctions = if fine > 0 {
            vec![Sanction::Fine { fen: fine }]
        } else {
            vec![Sanction::Warning]
        };
        // Three in a hundred end in a decision not to punish (第三十三条): no notice, no fine.
        let no_penalty = self.g.rng.random_range(0..100) < 3;
        let mut on = filed_on;
        let mut steps: Vec<(u8, CaseAction)> = vec![];
        let s = |on: Date| format_date(on);
        if last >= Last::Investigate {
            for kind in [
                case::InvestigationKind::Inspection,
                case::InvestigationKind::Inquiry,
            ] {
                steps.push((
                    3,
                    CaseAction::Investigate(case::InvestigateStep {
                        kind,
                        on: String::new(),
                        place: format!("{}辖区", agency.name),
                        officer_ids: vec![team[0].id, team[1].id],
                        summary: SUMMARIES.choose(&mut self.g.rng).expect("some").to_string(),
                    }),
                ));
            }
        }
        if last >= Last::Decide && no_penalty {
            steps.push((
                8,
                CaseAction::DecideNoPenalty(case::NoPenaltyStep {
                    on: String::new(),
                    ground: case::NoPenaltyGround::FirstMinor,
                    reasons: "当事人初次违法，危害后果轻微，已当场改正。".into(),
                }),
            ));
        } else if last >= Last::Notify {
            steps.push((
                10,
                CaseAction::Notify(case::NotifyStep {
                    on: String::new(),
                    proposed: sanctions.clone(),
                    facts: draft.facts.clone(),
                    basis: basis_of(item),
                }),
            ));
        }
        // One in five of those told of a hearing right asks for one (第六十三、六十四条): heard
        // seven working days on, chaired by a third officer; the decision then waits for the
        // legal review (第五十八条, the legal-review issue), so the case stops there.
        let kind = if citizen {
            PartyKind::Citizen
        } else {
            PartyKind::Organisation
        };
        let heard = last >= Last::Statement
            && !no_penalty
            && team.len() >= 3
            && case::hearing_right(kind, &sanctions, &Default::default())
            && self.g.rng.random_range(0..5) == 0;
        if heard {
            steps.push((
                1,
                CaseAction::RequestHearing(case::HearingRequestStep { on: String::new() }),
            ));
            steps.push((
                12,
                CaseAction::Hearing(case::HearingStep {
                    on: String::new(),
                    chair_id: team[2].id,
                    summary: "当事人到场陈述申辩，听证笔录经当事人核对签名。".into(),
                }),
            ));
        }
        if last >= Last::Statement && !no_penalty && !heard {
            let waived = self.g.rng.random_range(0..10) < 4;
            steps.push((
                1,
                CaseAction::Statement(case::StatementStep {
                    on: String::new(),
                    summary: if waived {
                        String::new()
                    } else {
                        "当事人陈述：系初次违法，已当场整改，请求从轻处罚。".into()
                    },
                    waived,
                }),
            ));
        }
        if last >= Last::Decide && !no_penalty && !heard {
            steps.push((
                6,
                CaseAction::Decide(case::DecisionStep {
                    on: String::new(),
                    sanctions: sanctions.clone(),
                    severity,
                    departure_reason: outside.then(|| {
                        "当事人违法所得数额巨大且拒不改正，依照基准上限处罚不足以惩戒，经集体讨论决定超出基准处罚".to_string()
                    }),
                    reasons: "违法事实清楚，证据确凿，适用依据正确，程序合法。".into(),
                }),
            ));
        }
        if last >= Last::Serve && !heard {
            let post = self.g.rng.random_range(0..10) < 3;
            steps.push((
                if post { 4 } else { 0 },
                CaseAction::Serve(case::ServiceStep {
                    on: String::new(),
                    method: if post {
                        case::ServiceMethod::Post
                    } else {
                        case::ServiceMethod::Direct
                    },
                    consent: false,
                }),
            ));
        }
        if last >= Last::Pay && fine > 0 && !no_penalty && !heard {
            steps.push((
                7,
                CaseAction::Pay(case::PaymentStep {
                    on: String::new(),
                    fen: fine,
                }),
            ));
        }
        if last >= Last::Close && !heard {
            steps.push((
                5,
                CaseAction::Close(case::ClosingStep {
                    on: String::new(),
                    summary: "处罚决定已履行完毕，予以结案。".into(),
                }),
            ));
        }
        if last >= Last::Archive && !heard {
            steps.push((
                15,
                CaseAction::Archive(case::ArchivingStep { on: String::new() }),
            ));
        }
        for (gap, mut action) in steps {
            let by = if matches!(
                action,
                CaseAction::Decide(_) | CaseAction::DecideNoPenalty(_)
            ) {
                &head
            } else {
                &officer
            };
            on += Duration::days(i64::from(gap) + self.g.rng.random_range(0..=i64::from(gap / 2)));
            // The first day on which the rules take the step (a period still running moves it on).
            let mut tries = 0;
            let event = loop {
                if on > self.today {
                    break None;
                }
                set_on(&mut action, s(on));
                let ctx = case::StepContext {
                    officers: match &action {
                        CaseAction::Investigate(_) => vec![team[0], team[1]],
                        CaseAction::Hearing(_) => vec![team[2]],
                        _ => vec![],
                    },
                    benchmark,
                    calendar: self.calendar,
                    hearing: Default::default(),
                    today: on,
                    earliest: on,
                };
                match case::decide_case_action(by, &c, &action, &ctx) {
                    Ok(e) => break Some(e),
                    Err(_) if tries < 30 => {
                        tries += 1;
                        on += Duration::days(1);
                    }
                    Err(e) => return Err(e),
                }
            };
            let Some(event) = event else { break };
            c = Case::evolve(Some(c), &event).expect("a step folds");
            duties.apply(self, &c, &event)?;
            events.push(event);
        }
        // The generator numbers its own filings in order; nothing else files meanwhile.
        let mut parts = case::filing_parts(&c, &officer, Expected::Any, events);
        for (d, evs) in duties.open {
            parts.push(NewEvent {
                stream: StreamId::deadline(d.id),
                expected: Expected::NoStream,
                agency_id: agency.id,
                actor: Actor::system(),
                events: evs,
                side_effects: vec![],
            });
        }
        Ok(parts)
    }
}

use zhifa_domain::case::Case;

/// The last step a generated case reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Last {
    Filed,
    Investigate,
    Notify,
    Statement,
    Decide,
    Serve,
    Pay,
    Close,
    Archive,
}

fn set_on(a: &mut CaseAction, on: String) {
    match a {
        CaseAction::Investigate(b) => b.on = on,
        CaseAction::Notify(b) => b.on = on,
        CaseAction::Statement(b) => b.on = on,
        CaseAction::RequestHearing(b) => b.on = on,
        CaseAction::Hearing(b) => b.on = on,
        CaseAction::Decide(b) => b.on = on,
        CaseAction::DecideNoPenalty(b) => b.on = on,
        CaseAction::Serve(b) => b.on = on,
        CaseAction::Pay(b) => b.on = on,
        CaseAction::Close(b) => b.on = on,
        CaseAction::Archive(b) => b.on = on,
    }
}

/// A case's deadlines as the generator opens, meets, suspends and resumes them: (the deadline
/// as its events leave it, its events).
#[derive(Default)]
struct Duties {
    open: Vec<(Deadline, Vec<Event>)>,
}

impl Duties {
    fn apply(&mut self, g: &mut CaseGen<'_>, c: &Case, event: &Event) -> Result<(), DomainError> {
        for change in case::duty_changes(c, event) {
            if let case::DutyChange::Open { rule, title, from } = change {
                let d = deadline::open(
                    g.catalog,
                    g.calendar,
                    DutyStart {
                        id: ordered_id(&mut g.g, from, g.i),
                        rule_id: rule.into(),
                        agency_id: c.agency_id,
                        subject: StreamId::case(c.id).0,
                        title,
                        anchor: zhifa_calendar::Anchor::Date(from),
                    },
                )?;
                let opened = Event::DeadlineOpened((&d).into());
                self.open.push((d, vec![opened]));
                continue;
            }
            let actor = actor(c.agency_id, false);
            for (d, evs) in &mut self.open {
                // The generated day is "today" for the rules.
                let today = match &change {
                    case::DutyChange::Suspend { from, .. } => *from,
                    case::DutyChange::Meet { on, .. } | case::DutyChange::Resume { on, .. } => *on,
                    case::DutyChange::Open { from, .. } => *from,
                };
                if let Some(e) = change.transition(d, &actor, g.catalog, g.calendar, today) {
                    let e = e?;
                    *d = d.clone().evolve(&e);
                    evs.push(e);
                }
            }
        }
        Ok(())
    }
}

/// The notice's 依据: the item's legal bases as cited in the power list.
fn basis_of(item: &ItemVersion) -> String {
    let cited: Vec<String> = item
        .legal_bases
        .iter()
        .map(|b| format!("{}{}", b.law, b.article))
        .collect();
    if cited.is_empty() {
        format!("{}的相关规定", item.name)
    } else {
        cited.join("、")
    }
}

/// A time-ordered id (UUIDv7) of `day`, unique by `seq` within it, its random part from the
/// seeded generator: cases and deadlines filed in order then land at the end of their indexes
/// instead of at random places (a million random keys cost a page read each).
fn ordered_id(g: &mut Gen, day: Date, seq: u64) -> Uuid {
    let ms = day.midnight().assume_utc().unix_timestamp() as u64 * 1000 + seq % 86_400_000;
    let mut random = [0u8; 10];
    g.rng.fill_bytes(&mut random);
    uuid::Builder::from_unix_timestamp_millis(ms, &random).into_uuid()
}
