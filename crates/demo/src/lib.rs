//! A realistic, deterministic demo dataset for Anhui (安徽省): the province's 16 cities and their
//! counties with real GB/T 2260 division codes, their people's governments, departments and
//! township bodies (names made up from templates), officers with valid resident IDs and
//! certificates, and a power list whose legal bases cite real articles (data/items.tsv).
//!
//! Everything passes through the same pure rules (`zhifa_domain::registry::decide_*`) as a
//! person's input would, so the demo can never hold data the platform itself would refuse.
//! The same seed gives the same dataset (ids included); only the recording times differ.
//!
//! Invariants: no I/O beyond the embedded data files; password hashing is injected by the caller.

use rand::seq::IndexedRandom;
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use time::{Date, Month};
use uuid::Uuid;
use zhifa_domain::auth::{Actor, Role};
use zhifa_domain::event::{Expected, SideEffect};
use zhifa_domain::registry::*;
use zhifa_domain::{Event, NewEvent, StreamId};
use zhifa_ident::Level as DivLevel;

pub mod cases;

const ITEMS: &str = include_str!("../data/items.tsv");
const DISCRETION: &str = include_str!("../data/discretion.tsv");
const INSPECTION: &str = include_str!("../data/inspection.tsv");
const NAMES: &str = include_str!("../data/names.tsv");
const AGENCY_KINDS: &str = include_str!("../data/agency_kinds.tsv");

/// The password of every demo account (meets the 等保 policy; printed by `zhifa demo`).
pub const DEMO_PASSWORD: &str = "Zhifa@2026demo";

/// A demo sign-in, for the README and the banner `zhifa demo` prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAccount {
    pub username: String,
    pub role: Role,
    pub agency: String,
}

pub struct Demo {
    /// In an order that respects every rule's preconditions (parents before children).
    pub commands: Vec<NewEvent>,
    pub accounts: Vec<DemoAccount>,
    pub agencies: usize,
    pub officers: usize,
    pub items: usize,
}

fn rows(tsv: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    tsv.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split('\t').collect())
}

struct Gen {
    rng: ChaCha8Rng,
    actor: Actor,
    surnames: Vec<&'static str>,
    given: Vec<&'static str>,
    cert_seq: u32,
    org_seq: u32,
}

impl Gen {
    fn new(seed: u64) -> Gen {
        Gen {
            rng: ChaCha8Rng::seed_from_u64(seed),
            actor: Actor::system(),
            surnames: rows(NAMES)
                .filter(|r| r[0] == "surname")
                .map(|r| r[1])
                .collect(),
            given: rows(NAMES)
                .filter(|r| r[0] == "given")
                .map(|r| r[1])
                .collect(),
            cert_seq: 0,
            org_seq: 0,
        }
    }

    /// A GB 32100 code for a company (authority 9 工商, type 1 企业) in `division`.
    fn business_code(&mut self, division: &str) -> String {
        let org = format!("{:08}", self.rng.random_range(10_000_000..99_999_999u32));
        let org9 = format!(
            "{org}{}",
            zhifa_ident::org_code_check_char(&org).expect("8 digits")
        );
        let body = format!("91{division}{org9}");
        format!(
            "{body}{}",
            zhifa_ident::check_char(&body).expect("17 alphabet chars")
        )
    }

    fn uuid(&mut self) -> Uuid {
        let mut b = [0u8; 16];
        self.rng.fill_bytes(&mut b);
        uuid::Builder::from_random_bytes(b).into_uuid()
    }

    fn date(&mut self, from_year: i32, to_year: i32) -> Date {
        let y = self.rng.random_range(from_year..=to_year);
        let m = Month::try_from(self.rng.random_range(1..=12u8)).expect("1..=12 is a month");
        let d = self.rng.random_range(1..=28u8);
        Date::from_calendar_date(y, m, d).expect("day 1..=28 exists in every month")
    }

    /// A GB 32100 code for a government body (authority 1 机构编制, type 1 机关) in `division`.
    fn credit_code(&mut self, division: &str) -> String {
        self.org_seq += 1;
        let org = format!("{:08}", 1_000_000 + self.org_seq * 37 % 89_999_999);
        let org9 = format!(
            "{org}{}",
            zhifa_ident::org_code_check_char(&org).expect("8 digits")
        );
        let body = format!("11{division}{org9}");
        format!(
            "{body}{}",
            zhifa_ident::check_char(&body).expect("17 alphabet chars")
        )
    }

    fn person_name(&mut self) -> String {
        let s = self
            .surnames
            .choose(&mut self.rng)
            .expect("names.tsv has surnames");
        let g = self
            .given
            .choose(&mut self.rng)
            .expect("names.tsv has given names");
        format!("{s}{g}")
    }

    fn resident_id(&mut self, division: &str) -> String {
        let birth = self.date(1966, 1998);
        let seq = self.rng.random_range(1..1000u32);
        let body = format!(
            "{division}{:04}{:02}{:02}{seq:03}",
            birth.year(),
            birth.month() as u8,
            birth.day()
        );
        format!(
            "{body}{}",
            zhifa_ident::id_check_digit(&body).expect("17 digits")
        )
    }
}

struct Place {
    code: String,
    name: String,
    level: Level,
}

struct Template {
    domain: &'static str,
    name: &'static str,
    levels: Vec<Level>,
    kind: &'static str,
}

fn level_of(s: &str) -> Level {
    match s {
        "省" => Level::Province,
        "市" => Level::City,
        "县" => Level::County,
        _ => Level::Township,
    }
}

/// Common township names; townships have no GB/T 2260 code, so they carry their county's.
const TOWNSHIPS: [&str; 6] = ["城关镇", "新安镇", "双墩镇", "东城街道", "三河镇", "桃花镇"];

/// Where the demo carries full power lists, besides the province: three cities (合肥, 芜湖,
/// 安庆) and the demo accounts' counties. Other bodies have none, which keeps `zhifa demo`
/// well inside its 30-second start on a 2-core machine.
const LISTED_CITIES: [&str; 3] = ["340100", "340200", "340800"];
const LISTED_COUNTIES: [&str; 2] = ["340102", "340122"];

/// Builds the dataset for `seed`. `hash` turns the demo password into a stored credential.
pub fn generate(seed: u64, hash: &dyn Fn(&str) -> String) -> Demo {
    let mut g = Gen::new(seed);
    let templates: Vec<Template> = rows(AGENCY_KINDS)
        .map(|r| Template {
            domain: r[0],
            name: r[1],
            levels: r[2].split(',').map(level_of).collect(),
            kind: r[3],
        })
        .collect();
    let mut commands = Vec::new();
    let mut agencies: Vec<Agency> = Vec::new();
    let system = g.actor.clone();

    let register = |g: &mut Gen,
                    commands: &mut Vec<NewEvent>,
                    agencies: &mut Vec<Agency>,
                    t: &Template,
                    place: &Place,
                    parent: Option<&Agency>,
                    name: Option<String>|
     -> Agency {
        let id = g.uuid();
        let draft = AgencyDraft {
            name: name.unwrap_or_else(|| t.name.replace("{place}", &place.name)),
            credit_code: g.credit_code(&place.code),
            credit_code_override_reason: None,
            kind: t.kind.to_string(),
            level: place.level.as_str().to_string(),
            division_code: place.code.clone(),
            parent_id: parent.map(|p| p.id),
            domain: t.domain.to_string(),
            legal_basis: format!("《{}机构设置方案》", place.name),
        };
        let a = decide_register_agency(&system, id, &draft, parent)
            .expect("demo agencies satisfy REG-1");
        commands.push(NewEvent {
            stream: StreamId::agency(id),
            expected: Expected::NoStream,
            agency_id: id,
            actor: system.clone(),
            events: vec![Event::AgencyRegistered((&a).into())],
            side_effects: vec![],
        });
        agencies.push(a.clone());
        a
    };

    let gov_t = templates
        .iter()
        .find(|t| t.domain == "政府")
        .expect("a government template");
    let province = Place {
        code: "340000".into(),
        name: "安徽省".into(),
        level: Level::Province,
    };
    let root = register(
        &mut g,
        &mut commands,
        &mut agencies,
        gov_t,
        &province,
        None,
        None,
    );
    let departments_of = |g: &mut Gen,
                          commands: &mut Vec<NewEvent>,
                          agencies: &mut Vec<Agency>,
                          place: &Place,
                          gov: &Agency| {
        for t in templates.iter().filter(|t| {
            t.domain != "政府" && t.levels.contains(&place.level) && place.level != Level::Township
        }) {
            register(g, commands, agencies, t, place, Some(gov), None);
        }
    };
    departments_of(&mut g, &mut commands, &mut agencies, &province, &root);
    let mut city_gov: Option<Agency> = None;
    for d in zhifa_ident::divisions_in_province("34") {
        let (level, parent) = match d.level() {
            DivLevel::Prefecture => (Level::City, root.clone()),
            DivLevel::County => (
                Level::County,
                city_gov.clone().expect("counties follow their city"),
            ),
            DivLevel::Province => continue,
        };
        let place = Place {
            code: d.as_str().to_string(),
            name: d.name().to_string(),
            level,
        };
        let gov = register(
            &mut g,
            &mut commands,
            &mut agencies,
            gov_t,
            &place,
            Some(&parent),
            None,
        );
        departments_of(&mut g, &mut commands, &mut agencies, &place, &gov);
        if level == Level::City {
            city_gov = Some(gov.clone());
        } else {
            // Two townships per county, under the county government.
            let town_t = templates
                .iter()
                .filter(|t| t.levels.contains(&Level::Township))
                .collect::<Vec<_>>();
            for k in 0..2 {
                let town =
                    TOWNSHIPS[(g.rng.random_range(0..TOWNSHIPS.len()) + k) % TOWNSHIPS.len()];
                let t = if town.ends_with("街道") {
                    town_t.iter().find(|t| t.name.contains("街道"))
                } else {
                    town_t.iter().find(|t| !t.name.contains("街道"))
                }
                .expect("township templates");
                let tp = Place {
                    code: place.code.clone(),
                    name: format!("{}{town}", place.name),
                    level: Level::Township,
                };
                register(
                    &mut g,
                    &mut commands,
                    &mut agencies,
                    t,
                    &tp,
                    Some(&gov),
                    None,
                );
            }
        }
    }

    // ── PUB-9 annual statistics: the 2025 duty for every enforcing body; most published theirs
    //    in January 2026, the rest will be found overdue by the server's first deadline sweep ──
    let catalog = zhifa_calendar::Catalog::embedded();
    let cal = zhifa_calendar::Calendar::embedded();
    for a in agencies
        .iter()
        .filter(|a| zhifa_domain::deadline::owes_annual_statistics(a))
    {
        let id = g.uuid();
        let duty = zhifa_domain::deadline::annual_statistics_duty(&catalog, &cal, id, a, 2025)
            .expect("2025 has its notice");
        let mut events = vec![Event::DeadlineOpened((&duty).into())];
        if g.rng.random_range(0..100) < 85 {
            let day = Date::from_calendar_date(2026, Month::January, g.rng.random_range(5..=30))
                .expect("a January day");
            let head = Actor {
                roles: vec![Role::AgencyHead],
                ..system.clone()
            };
            let report = zhifa_domain::deadline::decide_annual_report(
                &head,
                a,
                2025,
                &format!("{}2025年度行政执法统计年报", a.name),
                &format!(
                    "https://www.ah.gov.cn/zwgk/zfxxgk/{}/tjnb/2025.html",
                    a.division_code
                ),
                day,
            )
            .expect("demo reports satisfy PUB-9");
            commands.push(NewEvent {
                stream: StreamId::annual_report(a.id, 2025),
                expected: Expected::NoStream,
                agency_id: a.id,
                actor: system.clone(),
                events: vec![Event::AnnualReportPublished((&report).into())],
                side_effects: vec![],
            });
            events.push(Event::DeadlineMet {
                deadline_id: id,
                on: day,
                late: false,
            });
            let next_id = g.uuid();
            let next =
                zhifa_domain::deadline::annual_statistics_duty(&catalog, &cal, next_id, a, 2026)
                    .expect("2026 duty");
            commands.push(NewEvent {
                stream: StreamId::deadline(next_id),
                expected: Expected::NoStream,
                agency_id: a.id,
                actor: system.clone(),
                events: vec![Event::DeadlineOpened((&next).into())],
                side_effects: vec![],
            });
        }
        commands.push(NewEvent {
            stream: StreamId::deadline(id),
            expected: Expected::NoStream,
            agency_id: a.id,
            actor: system.clone(),
            events,
            side_effects: vec![],
        });
    }

    // ── officers: 1–3 per enforcing body (governments and justice bureaus enforce nothing) ──
    let mut officers: Vec<Officer> = Vec::new();
    let today = Date::from_calendar_date(2026, Month::November, 26).expect("a date");
    for a in agencies
        .iter()
        .filter(|a| !a.is_government() && !a.is_justice_bureau())
    {
        let n = g.rng.random_range(1..=3);
        for _ in 0..n {
            officers.push(make_officer(&mut g, a, &mut commands, today, false));
        }
    }

    // ── power list: the province, every city and the listed counties ──
    let discretion: Vec<Vec<&str>> = rows(DISCRETION).collect();
    let inspection: Vec<Vec<&str>> = rows(INSPECTION).collect();
    let mut item_count = 0;
    for a in agencies.iter().filter(|a| {
        !a.is_government()
            && a.kind == AgencyKind::AdministrativeOrgan
            && (a.level == Level::Province
                || (a.level == Level::City && LISTED_CITIES.contains(&a.division_code.as_str()))
                || (a.level == Level::County
                    && LISTED_COUNTIES.contains(&a.division_code.as_str())))
    }) {
        for r in rows(ITEMS).filter(|r| r[3] == a.domain) {
            let (key, category, name, bases, procedure, time_limit, review_body) =
                (r[0], r[1], r[2], r[4], r[5], r[6], r[7]);
            let id = g.uuid();
            let draft = ItemDraft {
                code: key.to_string(),
                name: name.to_string(),
                category: category.to_string(),
                domain: a.domain.clone(),
                agency_id: a.id,
                legal_bases: bases.split(';').map(str::to_string).collect(),
                procedure: procedure.split('>').map(str::to_string).collect(),
                time_limit: time_limit.to_string(),
                review_body: review_body.to_string(),
                litigation: String::new(),
                effective_from: "2021-07-15".into(),
                change_kind: None,
                reason: "依据《中华人民共和国行政处罚法》（2021年修订）梳理公布".into(),
            };
            let v1 = decide_create_item(&system, id, &draft, a).expect("demo items satisfy REG-3");
            let mut events = vec![Event::ItemVersionPublished((&v1).into())];
            let mut current = v1;
            // About one item in twelve was revised when a law changed: the list keeps both.
            if g.rng.random_range(0..12) == 0 {
                let revised = ItemDraft {
                    time_limit: format!("{}（按修订后规定执行）", draft.time_limit),
                    effective_from: "2024-03-01".into(),
                    change_kind: Some("law_amended".into()),
                    reason: "相关法律法规修订，调整办理时限表述".into(),
                    ..draft.clone()
                };
                current = decide_revise_item(&system, &current, &revised, a)
                    .expect("demo revisions satisfy REG-3");
                events.push(Event::ItemVersionPublished((&current).into()));
            }
            if current.category == Category::License {
                let guide = ServiceGuide {
                    item_id: id,
                    receiving_body: format!("{}政务服务窗口", a.name),
                    approving_body: a.name.clone(),
                    conditions: format!(
                        "符合{}规定的条件，材料齐全、符合法定形式",
                        current.legal_bases[0]
                    ),
                    time_limit: "自受理之日起二十个工作日内作出决定".into(),
                    consultation: "窗口咨询、电话咨询、安徽政务服务网在线咨询".into(),
                    complaint: "12345 政务服务便民热线".into(),
                    address: format!(
                        "{}政务服务中心",
                        a.name
                            .trim_end_matches(|c| c != '市' && c != '县' && c != '区' && c != '省')
                    ),
                    office_hours: "工作日 上午 9:00–12:00，下午 13:30–17:00（法定节假日除外）"
                        .into(),
                    phone: format!("0551-{}", 60000000 + g.rng.random_range(0..9999999)),
                };
                events.push(Event::ServiceGuideSet(
                    (&decide_set_guide(&system, &current, &guide)
                        .expect("demo guides satisfy REG-5"))
                        .into(),
                ));
            }
            let entries: Vec<DiscretionEntry> = discretion
                .iter()
                .filter(|d| d[0] == key)
                .map(|d| DiscretionEntry {
                    severity: Severity::parse(d[1]).expect("discretion.tsv severities are labels"),
                    circumstance: d[2].to_string(),
                    min_fine_fen: d[3].parse().expect("fen"),
                    max_fine_fen: d[4].parse().expect("fen"),
                    other_measures: if d[5] == "无" {
                        String::new()
                    } else {
                        d[5].to_string()
                    },
                })
                .collect();
            if !entries.is_empty() {
                events.push(Event::DiscretionBenchmarkSet(
                    (&decide_set_benchmark(&system, &current, &entries)
                        .expect("demo benchmarks satisfy REG-6"))
                        .into(),
                ));
            }
            commands.push(NewEvent {
                stream: StreamId::item(id),
                expected: Expected::NoStream,
                agency_id: a.id,
                actor: system.clone(),
                events,
                side_effects: vec![],
            });
            item_count += 1;
            for ins in inspection.iter().filter(|i| i[0] == key) {
                let iid = g.uuid();
                let d = InspectionDraft {
                    agency_id: a.id,
                    item_id: Some(id),
                    name: ins[1].into(),
                    basis: ins[4].into(),
                    target_kind: ins[2].into(),
                    method: ins[3].into(),
                };
                let i = decide_list_inspection(&system, iid, &d, a, Some(&current))
                    .expect("demo inspection items satisfy REG-4");
                commands.push(NewEvent {
                    stream: StreamId::inspection(iid),
                    expected: Expected::NoStream,
                    agency_id: a.id,
                    actor: system.clone(),
                    events: vec![Event::InspectionItemListed((&i).into())],
                    side_effects: vec![],
                });
            }
        }
    }

    // ── demo accounts: one per role ──
    let find = |name: &str| {
        agencies
            .iter()
            .find(|a| a.name == name)
            .cloned()
            .unwrap_or_else(|| panic!("demo agency {name}"))
    };
    let yaohai = find("瑶海区市场监督管理局");
    let feidong = find("肥东县市场监督管理局");
    let hefei_justice = find("合肥市司法局");
    let province_justice = find("安徽省司法厅");
    let accounts_spec: Vec<(&str, &str, Role, &Agency)> = vec![
        ("officer", "张明（执法人员）", Role::Officer, &yaohai),
        ("reviewer", "李静（法制审核）", Role::LegalReviewer, &yaohai),
        ("head", "王强（局长）", Role::AgencyHead, &yaohai),
        ("publisher", "赵敏（公示审核）", Role::Publisher, &yaohai),
        ("officer2", "陈亮（执法人员）", Role::Officer, &feidong),
        (
            "supervisor",
            "刘洋（执法监督）",
            Role::Supervisor,
            &hefei_justice,
        ),
        (
            "sysadmin",
            "周平（系统管理员）",
            Role::SystemAdmin,
            &province_justice,
        ),
        (
            "secadmin",
            "吴蕾（安全管理员）",
            Role::SecurityAdmin,
            &province_justice,
        ),
        (
            "auditor",
            "郑洁（安全审计员）",
            Role::Auditor,
            &province_justice,
        ),
    ];
    let credential = hash(DEMO_PASSWORD);
    let mut accounts = Vec::new();
    let mut account_officers = 0;
    for (username, display, role, agency) in accounts_spec {
        let officer = if role == Role::Officer {
            // The demo officers hold valid certificates, and each has a colleague who does, so
            // a case can be filed with the two officers the statute requires (处罚法第四十二条).
            make_officer(&mut g, agency, &mut commands, today, true);
            account_officers += 2;
            Some(make_officer(&mut g, agency, &mut commands, today, true))
        } else {
            None
        };
        let id = g.uuid();
        let draft = UserDraft {
            username: username.into(),
            display_name: display.into(),
            agency_id: agency.id,
            roles: vec![role],
            officer_id: officer.as_ref().map(|o| o.id),
            password: DEMO_PASSWORD.into(),
        };
        let user = decide_create_user(&system, id, &draft, officer.as_ref())
            .expect("demo users satisfy the account rules");
        commands.push(NewEvent {
            stream: StreamId::user(id),
            expected: Expected::NoStream,
            agency_id: agency.id,
            actor: system.clone(),
            events: vec![Event::UserCreated((&user).into())],
            side_effects: vec![SideEffect::SetPasswordHash {
                user_id: id,
                hash: credential.clone(),
                // The demo's published passwords are meant to be used as they are.
                must_change: false,
            }],
        });
        accounts.push(DemoAccount {
            username: username.into(),
            role,
            agency: agency.name.clone(),
        });
    }
    Demo {
        commands,
        accounts,
        agencies: agencies.len(),
        officers: officers.len() + account_officers,
        items: item_count,
    }
}

/// A demo officer; `in_force`: a certificate valid today for at least a year more, never
/// suspended or revoked (the demo accounts' officers and their colleagues).
fn make_officer(
    g: &mut Gen,
    a: &Agency,
    commands: &mut Vec<NewEvent>,
    today: Date,
    in_force: bool,
) -> Officer {
    let id = g.uuid();
    g.cert_seq += 1;
    let start = if in_force {
        // In force for a year already, so the demo's cases of past months are worked by
        // officers who held valid certificates on each step's day.
        today - time::Duration::days(g.rng.random_range(400..3 * 365))
    } else {
        g.date(2020, 2025)
    };
    let valid_to = start.replace_year(start.year() + 5).unwrap_or(start);
    let categories = if a.domain == "综合行政执法" {
        vec!["综合行政执法".to_string()]
    } else {
        vec![a.domain.clone()]
    };
    let draft = OfficerDraft {
        agency_id: a.id,
        name: g.person_name(),
        id_number: g.resident_id(&a.division_code),
        certificate_no: format!("{}{:06}", &a.division_code[..4], g.cert_seq),
        categories,
        region: a.division_code.clone(),
        valid_from: format_date(start),
        valid_to: format_date(valid_to),
        legal_qualification: (g.rng.random_range(0..10) == 0).then(|| {
            format!(
                "A{}{:08}",
                g.rng.random_range(2010..2024),
                g.rng.random_range(0..99_999_999)
            )
        }),
    };
    let system = g.actor.clone();
    let o = decide_register_officer(&system, id, &draft, a, today)
        .expect("demo officers satisfy REG-2");
    let mut events = vec![Event::OfficerRegistered((&o).into())];
    for _ in 0..g.rng.random_range(1..=3) {
        let d = g.date(2023, 2025);
        let course = [
            "行政执法人员公共法律知识培训",
            "行政处罚法专题培训",
            "执法全过程记录实务",
            "专业法律知识培训",
        ][g.rng.random_range(0..4)];
        let t = TrainingDraft {
            date: format_date(d),
            course: course.into(),
            hours: g.rng.random_range(8..=40),
            provider: "安徽省司法厅".into(),
        };
        events.push(Event::TrainingRecorded {
            officer_id: id,
            training: decide_record_training(&system, &t, today).expect("past trainings are valid"),
        });
    }
    let roll = if in_force {
        100
    } else {
        g.rng.random_range(0..100)
    };
    if roll < 2 {
        let (s, r) = decide_certificate_status(
            &system,
            &o,
            CertificateStatus::Suspended,
            "涉嫌违纪，暂停执法资格",
        )
        .expect("valid → suspended");
        events.push(Event::CertificateStatusChanged {
            officer_id: id,
            status: s,
            reason: r,
        });
    } else if roll < 3 {
        let (s, r) =
            decide_certificate_status(&system, &o, CertificateStatus::Revoked, "调离执法岗位")
                .expect("valid → revoked");
        events.push(Event::CertificateStatusChanged {
            officer_id: id,
            status: s,
            reason: r,
        });
    }
    commands.push(NewEvent {
        stream: StreamId::officer(id),
        expected: Expected::NoStream,
        agency_id: a.id,
        actor: system,
        events,
        side_effects: vec![],
    });
    o
}
