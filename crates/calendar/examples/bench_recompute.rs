//! Benchmark: recompute 1,000,000 open deadlines after a notice import.
//!
//! `cargo run --release -p zhifa-calendar --example bench_recompute`
//!
//! Deadlines of every catalog rule start between 2026-07-01 and 2027-03-31 (so most reach
//! the provisional year 2027), 10% with a suspension. Then a *synthetic, test-only* 2027
//! notice is imported and every affected deadline recomputed; the import (parse, validate,
//! rebuild) is timed separately from the recomputation.

use std::time::Instant;

use time::{Date, Duration, OffsetDateTime, Time};
use zhifa_calendar::{Anchor, CST, Calendar, Catalog, OpenDeadline, Suspension, recompute};

const N: usize = 1_000_000;

/// Not a real notice: a plausible shape so the import path is exercised.
const SYNTHETIC_2027: &str = "\
year: 2027
document: SYNTHETIC-BENCHMARK-ONLY
off 元旦 2027-01-01..2027-01-03
off 春节 2027-02-05..2027-02-12
work 春节 2027-02-13
off 清明节 2027-04-03..2027-04-05
off 劳动节 2027-05-01..2027-05-05
work 劳动节 2027-04-25
off 端午节 2027-06-09
off 中秋节 2027-09-15
off 国庆节 2027-10-01..2027-10-07
work 国庆节 2027-09-26, 2027-10-09
";

fn main() {
    let cal = Calendar::embedded();
    let cat = Catalog::embedded();
    let rules: Vec<_> = cat.rules().to_vec();
    let first = time::macros::date!(2026 - 07 - 01);
    let mut rng: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let t0 = Instant::now();
    let mut open = Vec::with_capacity(N);
    for key in 0..N {
        let rule = &rules[(next() % rules.len() as u64) as usize];
        let day: Date = first + Duration::days((next() % 274) as i64);
        let anchor = if rule.period.unit == zhifa_calendar::Unit::Hours {
            Anchor::Instant(OffsetDateTime::new_in_offset(day, Time::MIDNIGHT, CST))
        } else {
            Anchor::Date(day)
        };
        let suspensions = if rule.suspendable && next() % 10 == 0 {
            let from = day + Duration::days(1 + (next() % 10) as i64);
            vec![Suspension {
                from,
                until: Some(from + Duration::days((next() % 15) as i64)),
            }]
        } else {
            vec![]
        };
        let extended = rule.extension.is_some() && next() % 4 == 0;
        let spec = cat
            .spec(&rule.id, anchor, extended, suspensions)
            .expect("spec");
        let last = cal.compute(&spec).expect("compute");
        open.push(OpenDeadline {
            key: key as u32,
            spec,
            last,
        });
    }
    let setup = t0.elapsed();
    let provisional = open.iter().filter(|d| d.last.depends_on_year(2027)).count();

    let t1 = Instant::now();
    let (new_cal, report) = cal.import(SYNTHETIC_2027).expect("import");
    let import = t1.elapsed();

    let t2 = Instant::now();
    let mut changed = 0usize;
    let mut recomputed = 0usize;
    for r in recompute(&new_cal, report.year, &open) {
        recomputed += 1;
        changed += usize::from(r.changed);
        assert!(r.result.is_ok());
    }
    let affected = t2.elapsed();

    // Worst case: recompute every deadline, not only the affected ones.
    let t3 = Instant::now();
    let mut checksum = 0i64;
    for d in &open {
        let c = new_cal.compute(&d.spec).expect("compute");
        checksum += c.due_date().map(|x| x.to_julian_day() as i64).unwrap_or(0);
    }
    let all = t3.elapsed();

    println!(
        "deadlines: {N} (setup {:.2} s), depending on 2027: {provisional}",
        setup.as_secs_f64()
    );
    println!(
        "import 2027 notice (parse + validate + rebuild calendar): {:.2} ms",
        import.as_secs_f64() * 1e3
    );
    println!(
        "recompute affected: {recomputed} in {:.3} s ({changed} changed)",
        affected.as_secs_f64()
    );
    println!(
        "recompute all {N}: {:.3} s ({:.0} ns/deadline, checksum {checksum})",
        all.as_secs_f64(),
        all.as_secs_f64() * 1e9 / N as f64
    );
    println!(
        "goal < 1 s on one core: {}",
        if (import + all).as_secs_f64() < 1.0 {
            "met"
        } else {
            "NOT met"
        }
    );
}
