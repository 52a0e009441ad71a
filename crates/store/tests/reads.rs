//! Reads that hold at scale (SYS performance): every list is a keyset page over one index range
//! per scope branch, the counters equal a real COUNT after any sequence of events, and the plans
//! use the indexes at 20,000 rows (`examples/plans.rs` checks the same at 1,000,000).

use rand::{Rng, SeedableRng};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;
use zhifa_domain::auth::Actor;
use zhifa_domain::event::Expected;
use zhifa_domain::registry::{Agency, AgencyKind, CertificateStatus, Level, Officer};
use zhifa_domain::scope::Scope;
use zhifa_domain::{Event, NewEvent, StreamId};
use zhifa_store::{OfficerFilter, Page, Store};

#[path = "../examples/support/plans.rs"]
mod plans;
use plans::{Raw, assert_plans, fill};

/// A fresh store on each engine: SQLite in a temporary directory, PostgreSQL in a new database
/// of `ZHIFA_TEST_PG` (skipped when unset, as in the other store tests).
async fn engines() -> Vec<(Store, Raw, Option<String>, Option<tempfile::TempDir>)> {
    let mut out = Vec::new();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_sqlite_dir(dir.path()).await.unwrap();
    let raw = Raw::Sqlite(
        sqlx::SqlitePool::connect(&format!(
            "sqlite://{}",
            dir.path().join("zhifa.db").display()
        ))
        .await
        .unwrap(),
    );
    out.push((store, raw, None, Some(dir)));
    if let Some(base) = std::env::var("ZHIFA_TEST_PG")
        .ok()
        .filter(|u| !u.is_empty())
    {
        let base = base.trim_end_matches('/').to_string();
        let prefix = std::env::var("ZHIFA_TEST_DB_PREFIX").unwrap_or_else(|_| "zhifa_t_".into());
        let db = format!("{prefix}{}", Uuid::now_v7().simple());
        let admin = sqlx::PgPool::connect(&format!("{base}/postgres"))
            .await
            .unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db}")))
            .execute(&admin)
            .await
            .unwrap();
        let url = format!("{base}/{db}");
        let store = Store::open(&url).await.unwrap();
        let raw = Raw::Postgres(sqlx::PgPool::connect(&url).await.unwrap());
        out.push((store, raw, Some(format!("{base}|{db}")), None));
    }
    out
}

async fn drop_pg(tag: Option<String>) {
    if let Some(tag) = tag {
        let (base, db) = tag.split_once('|').unwrap();
        let admin = sqlx::PgPool::connect(&format!("{base}/postgres"))
            .await
            .unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {db} WITH (FORCE)"
        )))
        .execute(&admin)
        .await
        .unwrap();
    }
}

fn cmd(stream: String, agency_id: Uuid, event: Event) -> NewEvent {
    NewEvent {
        stream: StreamId(stream),
        expected: Expected::Any,
        agency_id,
        actor: Actor::system(),
        events: vec![event],
        side_effects: vec![],
    }
}

fn agency(parent: Option<&Agency>, name: &str, domain: &str) -> Agency {
    let id = Uuid::now_v7();
    let path = format!(
        "{}{}/",
        parent.map(|p| p.path.as_str()).unwrap_or("/"),
        id.simple()
    );
    Agency {
        id,
        name: name.into(),
        credit_code: format!("CC{}", id.simple()),
        credit_code_override: None,
        kind: AgencyKind::AdministrativeOrgan,
        level: Level::County,
        division_code: "340102".into(),
        parent_id: parent.map(|p| p.id),
        domain: domain.into(),
        legal_basis: String::new(),
        path,
    }
}

async fn raw_rows(raw: &Raw, sql: &str) -> Vec<String> {
    let mut v = raw.strings(sql).await;
    v.sort();
    v
}

/// After a random sequence of registrations, moves, status changes and renewals, the counters
/// equal a real COUNT (also after `rebuild`), and walking a department's list page by page with
/// the cursor yields exactly the officers its scope contains, each once, in key order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counters_equal_counts_and_pages_walk_the_scope() {
    for (store, raw, tag, _dir) in engines().await {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let gov = agency(None, "某县人民政府", "政府");
        let market = agency(Some(&gov), "某县市场监督管理局", "市场监管");
        let station = agency(Some(&market), "某市场监管所", "市场监管");
        let env = agency(Some(&gov), "某县生态环境局", "生态环境");
        let town = agency(Some(&gov), "某镇人民政府", "政府");
        let town_market = agency(Some(&town), "某镇市场监管办", "市场监管");
        let agencies = [gov, market, station, env, town, town_market];
        for a in &agencies {
            store
                .append(cmd(
                    format!("agency-{}", a.id),
                    a.id,
                    Event::AgencyRegistered((a).into()),
                ))
                .await
                .unwrap();
        }
        let mut officers: HashMap<Uuid, Officer> = HashMap::new();
        for step in 0..160 {
            let pick = rng.random_range(0..10);
            let existing: Vec<Uuid> = officers.keys().copied().collect();
            let event = if pick < 6 || existing.is_empty() {
                let a = &agencies[rng.random_range(0..agencies.len())];
                let o = Officer {
                    id: Uuid::now_v7(),
                    agency_id: a.id,
                    name: ["张伟", "王芳", "李娜"][rng.random_range(0..3)].to_string(),
                    id_number: String::new(),
                    certificate_no: format!("34{:06}", rng.random_range(0..1_000_000))
                        + &step.to_string(),
                    categories: vec![],
                    region: "340102".into(),
                    valid_from: time::macros::date!(2024 - 01 - 01),
                    valid_to: time::macros::date!(2026 - 01 - 01)
                        + time::Duration::days(rng.random_range(0..900)),
                    status: CertificateStatus::Valid,
                    legal_qualification: None,
                    trainings: vec![],
                };
                Event::OfficerRegistered((&o).into())
            } else {
                let id = existing[rng.random_range(0..existing.len())];
                let mut o = officers[&id].clone();
                match pick {
                    6 | 7 => Event::CertificateStatusChanged {
                        officer_id: id,
                        status: [
                            CertificateStatus::Valid,
                            CertificateStatus::Suspended,
                            CertificateStatus::Revoked,
                        ][rng.random_range(0..3)],
                        reason: "测试".into(),
                    },
                    8 => {
                        o.agency_id = agencies[rng.random_range(0..agencies.len())].id;
                        Event::OfficerUpdated((&o).into())
                    }
                    _ => {
                        o.valid_to += time::Duration::days(rng.random_range(1..400));
                        Event::OfficerUpdated((&o).into())
                    }
                }
            };
            match &event {
                Event::OfficerRegistered(o) | Event::OfficerUpdated(o) => {
                    officers.insert(o.id, o.clone().into());
                }
                Event::CertificateStatusChanged {
                    officer_id, status, ..
                } => {
                    officers.get_mut(officer_id).unwrap().status = *status;
                }
                _ => unreachable!(),
            }
            let (id, agency_id) = match &event {
                Event::OfficerRegistered(o) | Event::OfficerUpdated(o) => (o.id, o.agency_id),
                Event::CertificateStatusChanged { officer_id, .. } => {
                    (*officer_id, officers[officer_id].agency_id)
                }
                _ => unreachable!(),
            };
            store
                .append(cmd(format!("officer-{id}"), agency_id, event))
                .await
                .unwrap();
        }

        let real_total =
            "SELECT agency_id || ' ' || CAST(COUNT(*) AS TEXT) FROM officers GROUP BY agency_id";
        let counted_total =
            "SELECT agency_id || ' ' || CAST(n AS TEXT) FROM counts WHERE kind = 'officers'";
        let real_valid = "SELECT agency_id || ' ' || valid_to || ' ' || CAST(COUNT(*) AS TEXT) FROM officers \
                          WHERE status = 'valid' GROUP BY agency_id, valid_to";
        let counted_valid = "SELECT agency_id || ' ' || day || ' ' || CAST(n AS TEXT) FROM counts WHERE kind = 'officers_valid'";
        let check = |label: &'static str| {
            let raw = &raw;
            async move {
                let real = raw_rows(raw, real_total).await;
                assert!(!real.is_empty());
                assert_eq!(
                    real,
                    raw_rows(raw, counted_total).await,
                    "{label}: officers per agency"
                );
                assert_eq!(
                    raw_rows(raw, real_valid).await,
                    raw_rows(raw, counted_valid).await,
                    "{label}: valid per day"
                );
            }
        };
        check("projected").await;
        // The home page's overview (one statement over the counters) equals real counts.
        let o = store
            .overview(&Scope::everything(), "2026-06-01", "2026-09-01")
            .await
            .unwrap();
        let real = |sql: &'static str| {
            let raw = &raw;
            async move { raw_rows(raw, sql).await[0].parse::<i64>().unwrap() }
        };
        assert_eq!(o.agencies, 6);
        assert_eq!(
            o.officers,
            real("SELECT CAST(COUNT(*) AS TEXT) FROM officers").await
        );
        assert_eq!(
            o.officers_valid,
            real("SELECT CAST(COUNT(*) AS TEXT) FROM officers WHERE status = 'valid' AND valid_to >= '2026-06-01'").await
        );
        assert_eq!(
            o.certificates_expiring,
            real("SELECT CAST(COUNT(*) AS TEXT) FROM officers WHERE status = 'valid' AND valid_to >= '2026-06-01' AND valid_to <= '2026-09-01'").await
        );
        assert!(o.officers_valid > o.certificates_expiring && o.certificates_expiring > 0);
        let before = store.dump_projections().await.unwrap();
        store.rebuild().await.unwrap();
        check("rebuilt").await;
        assert_eq!(
            before,
            store.dump_projections().await.unwrap(),
            "rebuild reproduces the counters"
        );

        // The market department: its subtree plus the market departments under its government.
        let market = &agencies[1];
        let scope = zhifa_domain::scope::scope_for(
            &market.path,
            &market.domain,
            Some(&agencies[0].path),
            false,
            false,
        );
        let today = "2026-06-01";
        for scope in [
            scope,
            Scope::everything(),
            Scope {
                subtree: agencies[4].path.clone(),
                same_domain_under: None,
            },
        ] {
            let path_of: HashMap<Uuid, &Agency> = agencies.iter().map(|a| (a.id, a)).collect();
            let expected: HashSet<Uuid> = officers
                .values()
                .filter(|o| {
                    scope.contains(&path_of[&o.agency_id].path, &path_of[&o.agency_id].domain)
                })
                .map(|o| o.id)
                .collect();
            let mut seen = Vec::new();
            let mut page = Page::first(7);
            let mut keys = Vec::new();
            loop {
                let list = store
                    .officers(&scope, &OfficerFilter::default(), &page)
                    .await
                    .unwrap();
                assert!(list.items.len() <= 7);
                for o in &list.items {
                    seen.push(o.id);
                    keys.push((path_of[&o.agency_id].path.clone(), o.certificate_no.clone()));
                }
                match list.next {
                    Some(n) => page.after = Some(n),
                    None => break,
                }
            }
            assert_eq!(seen.len(), expected.len(), "each officer once");
            assert_eq!(
                seen.iter().copied().collect::<HashSet<_>>(),
                expected,
                "exactly the scope"
            );
            assert!(
                keys.windows(2).all(|w| w[0] < w[1]),
                "in (agency path, certificate) order"
            );
            // The latest events in scope, against the whole log filtered here.
            let all = raw_rows(
                &raw,
                "SELECT CAST(1000000000 - seq AS TEXT) || ' ' || agency_id FROM events",
            )
            .await;
            let want: Vec<i64> = all
                .iter()
                .filter_map(|l| {
                    let (k, agency) = l.split_once(' ').unwrap();
                    let a = agencies.iter().find(|a| a.id.to_string() == agency)?;
                    scope
                        .contains(&a.path, &a.domain)
                        .then(|| 1_000_000_000 - k.parse::<i64>().unwrap())
                })
                .take(9)
                .collect();
            let got: Vec<i64> = store
                .recent_events(&scope, &[], 9)
                .await
                .unwrap()
                .iter()
                .map(|r| r.seq)
                .collect();
            assert_eq!(got.len(), 9);
            assert_eq!(got, want, "the latest events in scope, newest first");
            let counted = store
                .scoped_count(&scope, "officers", None, None)
                .await
                .unwrap();
            assert_eq!(
                counted,
                expected.len() as i64,
                "the scope's counter sum is its COUNT"
            );
            let valid = officers
                .values()
                .filter(|o| expected.contains(&o.id) && o.status == CertificateStatus::Valid)
                .filter(|o| zhifa_domain::registry::format_date(o.valid_to).as_str() >= today)
                .count();
            assert_eq!(
                store
                    .scoped_count(&scope, "officers_valid", None, Some((today, "9999-12-31")))
                    .await
                    .unwrap(),
                valid as i64
            );
        }

        // Search: two characters match the start of the name, three or more anywhere (trigram).
        let everything = Scope::everything();
        let q = |s: &str| Page {
            q: Some(s.into()),
            limit: 100,
            after: None,
        };
        let zhang = store
            .officers(&everything, &OfficerFilter::default(), &q("张伟"))
            .await
            .unwrap();
        let want = officers.values().filter(|o| o.name == "张伟").count();
        assert_eq!(zhang.items.len(), want.min(100));
        assert!(zhang.items.iter().all(|o| o.name == "张伟"));
        let some = officers.values().next().unwrap();
        let tail = &some.certificate_no[2..];
        let found = store
            .officers(&everything, &OfficerFilter::default(), &q(tail))
            .await
            .unwrap();
        assert!(
            found.items.iter().any(|o| o.id == some.id),
            "a certificate number found by its middle"
        );
        assert!(
            found
                .items
                .iter()
                .all(|o| o.certificate_no.contains(tail) || o.name.contains(tail))
        );

        // A cursor that is not one the list returned is refused.
        for bad in ["!!", "WyJ4Il0", "e30"] {
            let page = Page {
                q: None,
                limit: 5,
                after: Some(bad.into()),
            };
            assert!(
                matches!(
                    store
                        .officers(&everything, &OfficerFilter::default(), &page)
                        .await,
                    Err(zhifa_store::StoreError::BadCursor)
                ),
                "{bad}"
            );
        }
        store.close().await;
        drop_pg(tag).await;
    }
}

/// At 20,000 rows per listed table, every list query is an index range scan: no full scan of
/// the table and no sort of the page (`examples/plans.rs` runs the same at 1,000,000).
/// Registrations of a batch are written together (`Backend::project_staged`): 120 concurrent
/// registrations land in shared batches with their agency's path and counters; a duplicate
/// certificate number among them is refused alone, naming the field; a command registering
/// and then updating one officer leaves the updated row; and a rebuild reproduces it all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staged_registrations_commit_together_and_refuse_alone() {
    for (store, raw, tag, _dir) in engines().await {
        let gov = agency(None, "某县人民政府", "政府");
        let market = agency(Some(&gov), "某县市场监督管理局", "市场监管");
        for a in [&gov, &market] {
            store
                .append(cmd(
                    format!("agency-{}", a.id),
                    a.id,
                    Event::AgencyRegistered((a).into()),
                ))
                .await
                .unwrap();
        }
        let officer = |n: usize, a: &Agency| Officer {
            id: Uuid::now_v7(),
            agency_id: a.id,
            name: format!("执法员{n}"),
            id_number: String::new(),
            certificate_no: format!("CERT{n:05}"),
            categories: vec![],
            region: "340102".into(),
            valid_from: time::macros::date!(2024 - 01 - 01),
            valid_to: time::macros::date!(2028 - 01 - 01),
            status: CertificateStatus::Valid,
            legal_qualification: None,
            trainings: vec![],
        };
        let first = officer(0, &market);
        store
            .append(cmd(
                format!("officer-{}", first.id),
                market.id,
                Event::OfficerRegistered((&first).into()),
            ))
            .await
            .unwrap();
        let mut set = tokio::task::JoinSet::new();
        for n in 1..=121 {
            let store = store.clone();
            // Officer 121 reuses officer 0's certificate number.
            let o = officer(
                if n == 121 { 0 } else { n },
                if n % 2 == 0 { &gov } else { &market },
            );
            set.spawn(async move {
                let r = store
                    .append(cmd(
                        format!("officer-{}", o.id),
                        o.agency_id,
                        Event::OfficerRegistered((&o).into()),
                    ))
                    .await;
                (n, r)
            });
        }
        let mut twice = officer(500, &market);
        let registered = Event::OfficerRegistered((&twice).into());
        twice.name = "改名后".into();
        let mut both = cmd(format!("officer-{}", twice.id), market.id, registered);
        both.events.push(Event::OfficerUpdated((&twice).into()));
        let both = store.append(both).await.unwrap();
        assert_eq!(both.len(), 2);
        while let Some(r) = set.join_next().await {
            let (n, r) = r.unwrap();
            match (n, r) {
                (121, Err(zhifa_store::StoreError::Duplicate { field })) => {
                    assert_eq!(field, "certificate_no")
                }
                (121, other) => panic!("the duplicate certificate was not refused: {other:?}"),
                (n, r) => assert!(r.is_ok(), "officer {n}: {r:?}"),
            }
        }
        let check = |label: &'static str| {
            let raw = &raw;
            let twice_id = twice.id;
            async move {
                assert_eq!(
                    raw_rows(raw, "SELECT CAST(COUNT(*) AS TEXT) FROM officers").await,
                    vec!["122"],
                    "{label}"
                );
                assert!(
                    raw_rows(
                        raw,
                        "SELECT id FROM officers WHERE agency_path = '' OR agency_domain = ''"
                    )
                    .await
                    .is_empty(),
                    "{label}: every row carries its agency's path and domain"
                );
                assert_eq!(
                    raw_rows(raw, "SELECT agency_id || ' ' || CAST(COUNT(*) AS TEXT) FROM officers GROUP BY agency_id").await,
                    raw_rows(raw, "SELECT agency_id || ' ' || CAST(n AS TEXT) FROM counts WHERE kind = 'officers'").await,
                    "{label}: counters"
                );
                assert_eq!(
                    raw_rows(raw, &format!("SELECT name || ' ' || CAST(version AS TEXT) FROM officers WHERE id = '{twice_id}'")).await,
                    vec!["改名后 2"],
                    "{label}: the later event of one command wins"
                );
            }
        };
        check("appended").await;
        let before = store.dump_projections().await.unwrap();
        store.rebuild().await.unwrap();
        check("rebuilt").await;
        assert_eq!(before, store.dump_projections().await.unwrap());
        drop_pg(tag).await;
    }
}

/// The item and inspection-item counters (kept by the database's triggers from migration 9)
/// equal a real COUNT after items are published, moved between agencies, repealed and restored,
/// and inspection items are listed and moved — and a rebuild reproduces them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn item_counters_follow_versions_repeals_and_moves() {
    use zhifa_domain::registry::{Category, ChangeKind, InspectionItem, ItemVersion};
    for (store, raw, tag, _dir) in engines().await {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let gov = agency(None, "某县人民政府", "政府");
        let market = agency(Some(&gov), "某县市场监督管理局", "市场监管");
        let env = agency(Some(&gov), "某县生态环境局", "生态环境");
        let agencies = [gov, market, env];
        for a in &agencies {
            store
                .append(cmd(
                    format!("agency-{}", a.id),
                    a.id,
                    Event::AgencyRegistered((a).into()),
                ))
                .await
                .unwrap();
        }
        let mut items: HashMap<Uuid, ItemVersion> = HashMap::new();
        let mut inspections: HashMap<Uuid, InspectionItem> = HashMap::new();
        for step in 0..120 {
            let pick = rng.random_range(0..10);
            let a = agencies[rng.random_range(0..agencies.len())].id;
            if pick < 3 || items.is_empty() {
                let v = ItemVersion {
                    item_id: Uuid::now_v7(),
                    version: 1,
                    code: format!("XK{step:04}"),
                    name: format!("事项{step}"),
                    category: Category::License,
                    domain: "市场监管".into(),
                    agency_id: a,
                    legal_bases: vec![],
                    procedure: vec![],
                    time_limit: String::new(),
                    review_body: String::new(),
                    litigation: String::new(),
                    effective_from: time::macros::date!(2024 - 01 - 01),
                    change_kind: ChangeKind::Created,
                    reason: String::new(),
                    repealed: false,
                };
                items.insert(v.item_id, v.clone());
                store
                    .append(cmd(
                        format!("item-{}", v.item_id),
                        a,
                        Event::ItemVersionPublished((&v).into()),
                    ))
                    .await
                    .unwrap();
            } else if pick < 7 {
                let ids: Vec<Uuid> = items.keys().copied().collect();
                let mut v = items[&ids[rng.random_range(0..ids.len())]].clone();
                v.version += 1;
                v.effective_from += time::Duration::days(1);
                match pick {
                    3 | 4 => v.repealed = !v.repealed,
                    _ => v.agency_id = a,
                }
                items.insert(v.item_id, v.clone());
                store
                    .append(cmd(
                        format!("item-{}", v.item_id),
                        v.agency_id,
                        Event::ItemVersionPublished((&v).into()),
                    ))
                    .await
                    .unwrap();
            } else {
                let existing: Vec<Uuid> = inspections.keys().copied().collect();
                let i = if pick == 9 && !existing.is_empty() {
                    let mut i = inspections[&existing[rng.random_range(0..existing.len())]].clone();
                    i.agency_id = a;
                    i
                } else {
                    InspectionItem {
                        id: Uuid::now_v7(),
                        agency_id: a,
                        item_id: None,
                        name: format!("检查{step}"),
                        basis: String::new(),
                        target_kind: String::new(),
                        method: String::new(),
                    }
                };
                inspections.insert(i.id, i.clone());
                store
                    .append(cmd(
                        format!("inspection-{}", i.id),
                        a,
                        Event::InspectionItemListed((&i).into()),
                    ))
                    .await
                    .unwrap();
            }
        }
        let pairs = [
            (
                "SELECT agency_id || ' ' || CAST(COUNT(*) AS TEXT) FROM items WHERE NOT repealed GROUP BY agency_id",
                "SELECT agency_id || ' ' || CAST(n AS TEXT) FROM counts WHERE kind = 'items'",
            ),
            (
                "SELECT agency_id || ' ' || CAST(COUNT(*) AS TEXT) FROM inspection_items GROUP BY agency_id",
                "SELECT agency_id || ' ' || CAST(n AS TEXT) FROM counts WHERE kind = 'inspection_items'",
            ),
        ];
        for label in ["projected", "rebuilt"] {
            if label == "rebuilt" {
                store.rebuild().await.unwrap();
            }
            for (real, counted) in pairs {
                let real_rows = raw_rows(&raw, real).await;
                assert!(!real_rows.is_empty(), "{label}: {real}");
                assert_eq!(
                    real_rows,
                    raw_rows(&raw, counted).await,
                    "{label}: {counted}"
                );
            }
            // No counter row is left at zero (a recount would not produce one).
            assert!(
                raw_rows(&raw, "SELECT kind FROM counts WHERE n = 0")
                    .await
                    .is_empty(),
                "{label}"
            );
        }
        drop_pg(tag).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_plans_use_their_indexes_at_20k_rows() {
    for (store, raw, tag, _dir) in engines().await {
        fill(&raw, 20_000).await;
        assert_plans(&store, 20_000).await;
        store.close().await;
        drop_pg(tag).await;
    }
}
