//! The list plans at a million rows: fills every listed table of a fresh store to 1,000,000
//! rows (in SQL) and asserts each list query reads its index range in order.
//!
//! `cargo run -p zhifa-store --example plans -- [sqlite|postgres://…/db] [rows]`

#[path = "support/plans.rs"]
mod plans;

#[tokio::main]
async fn main() {
    let target = std::env::args().nth(1).unwrap_or_else(|| "sqlite".into());
    let rows: i64 = std::env::args()
        .nth(2)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let (store, raw) = if target.starts_with("postgres") {
        let store = zhifa_store::Store::open(&target).await.unwrap();
        (
            store,
            plans::Raw::Postgres(sqlx::PgPool::connect(&target).await.unwrap()),
        )
    } else {
        let store = zhifa_store::Store::open_sqlite_dir(dir.path())
            .await
            .unwrap();
        let url = format!("sqlite://{}", dir.path().join("zhifa.db").display());
        (
            store,
            plans::Raw::Sqlite(sqlx::SqlitePool::connect(&url).await.unwrap()),
        )
    };
    let t = std::time::Instant::now();
    plans::fill(&raw, rows).await;
    println!("filled {rows} rows per table in {:?}", t.elapsed());
    plans::assert_plans(&store, rows).await;
    for (label, plan) in store
        .list_plans(&zhifa_domain::scope::Scope::everything())
        .await
        .unwrap()
    {
        if label.starts_with("officers") {
            println!("── {label}\n{plan}");
        }
    }
}
