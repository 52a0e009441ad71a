//! Helpers shared by the store's benchmark examples (`mod common;` in each).
#![allow(dead_code)] // each example uses a part

// ───────────────────────── valid identifiers ─────────────────────────
// Check characters from zhifa-ident; `decide_register_*` then validates every generated value.

/// A valid credit code of an administrative organ (`11`) in `division`, like the tests' helper.
pub fn credit_code(division: &str, n: u32) -> String {
    let org = format!("{:08}", 10_000_000 + n);
    let org9 = format!(
        "{org}{}",
        zhifa_ident::org_code_check_char(&org).expect("8 digits")
    );
    let body = format!("11{division}{org9}");
    format!(
        "{body}{}",
        zhifa_ident::check_char(&body).expect("17 code characters")
    )
}

/// A valid resident ID: birth date 1970-01-01 + i/1000 days, sequence i%1000 — unique per i.
pub fn resident_id(division: &str, i: u32) -> String {
    let epoch = time::Date::from_calendar_date(1970, time::Month::January, 1).expect("date");
    let birth = epoch + time::Duration::days(i64::from(i / 1000));
    let body = format!(
        "{division}{:04}{:02}{:02}{:03}",
        birth.year(),
        u8::from(birth.month()),
        birth.day(),
        i % 1000
    );
    format!(
        "{body}{}",
        zhifa_ident::id_check_digit(&body).expect("17 digits")
    )
}

// ───────────────────────── running against the engines ─────────────────────────

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
pub type Res<T> = std::result::Result<T, BoxError>;

/// `$ZHIFA_TEST_PG` (a server URL without a database), else the local default.
pub fn default_pg() -> String {
    std::env::var("ZHIFA_TEST_PG")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432".into())
}

/// The `p` quantile of sorted microseconds, in milliseconds.
pub fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize] as f64 / 1000.0
}

/// A fresh PostgreSQL database `zhifa_bench_<uuid>` on the server at `base`, for one run.
pub struct FreshPg {
    admin: sqlx::PgPool,
    db: String,
    /// The new database's URL.
    pub url: String,
}

impl FreshPg {
    pub async fn create(base: &str) -> Res<FreshPg> {
        let db = format!("zhifa_bench_{}", uuid::Uuid::now_v7().simple());
        let admin = sqlx::PgPool::connect(&format!("{base}/postgres")).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db}")))
            .execute(&admin)
            .await?;
        Ok(FreshPg {
            admin,
            url: format!("{base}/{db}"),
            db,
        })
    }

    /// Drops the database whatever the run did; FORCE ends connections a failed run may have
    /// left behind.
    pub async fn drop_db(self) {
        let dropped = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.db
        )))
        .execute(&self.admin)
        .await;
        self.admin.close().await;
        if let Err(e) = dropped {
            eprintln!("warning: could not drop database {}: {e}", self.db);
        }
    }
}
