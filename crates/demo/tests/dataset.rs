//! The demo dataset is deterministic, large enough, and made only of records the rules accept.

use zhifa_demo::generate;

fn fake_hash(pw: &str) -> String {
    format!("plain:{pw}")
}

#[test]
fn same_seed_same_dataset_other_seed_other_dataset() {
    let a = generate(7, &fake_hash);
    let b = generate(7, &fake_hash);
    let c = generate(8, &fake_hash);
    let dump = |d: &zhifa_demo::Demo| {
        d.commands
            .iter()
            .map(|c| format!("{}|{:?}", c.stream.0, c.events))
            .collect::<Vec<_>>()
    };
    assert_eq!(dump(&a), dump(&b));
    assert_ne!(dump(&a), dump(&c));
}

#[test]
fn dataset_meets_the_demo_minimums() {
    let d = generate(2026, &fake_hash);
    assert!(d.officers >= 500, "officers: {}", d.officers);
    assert!(d.items >= 200, "items: {}", d.items);
    // All 16 cities of Anhui have a people's government.
    let cities = d
        .commands
        .iter()
        .flat_map(|c| &c.events)
        .filter(|e| matches!(e, zhifa_domain::Event::AgencyRegistered(a) if a.level == zhifa_domain::registry::Level::City && zhifa_domain::registry::Agency::from(a.clone()).is_government()))
        .count();
    assert_eq!(cities, 16);
    let roles: std::collections::BTreeSet<_> = d.accounts.iter().map(|a| a.role).collect();
    assert_eq!(
        roles.len(),
        zhifa_domain::auth::Role::ALL.len(),
        "one demo account per role"
    );
    // Every stream is created exactly once.
    let mut streams: Vec<&str> = d.commands.iter().map(|c| c.stream.0.as_str()).collect();
    let n = streams.len();
    streams.sort();
    streams.dedup();
    assert_eq!(streams.len(), n);
}
