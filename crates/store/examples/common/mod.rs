//! Helpers shared by the store's benchmark examples (`mod common;` in each).
#![allow(dead_code)] // each example uses a part

// ───────────────────────── valid identifiers (as crates/ident computes them) ─────────────────────────
// zhifa-ident is not a dependency of zhifa-store, so its check-character functions are restated
// here; `decide_register_*` then validates every generated value with the real parser.

/// GB 32100 alphabet and weights (unified social credit code).
const CREDIT_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const CREDIT_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
/// GB 11714 organisation-code weights.
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
/// GB 11643 resident-ID weights and check characters.
const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8; 11] = b"10X98765432";

fn credit_check_char(body: &str) -> char {
    let sum: u32 = body
        .bytes()
        .zip(CREDIT_WEIGHTS)
        .map(|(c, w)| {
            let v = CREDIT_ALPHABET
                .iter()
                .position(|&a| a == c)
                .expect("credit-code alphabet") as u32;
            v * w
        })
        .sum();
    char::from(CREDIT_ALPHABET[((31 - sum % 31) % 31) as usize])
}

fn org_code_check_char(body: &str) -> char {
    let sum: u32 = body
        .bytes()
        .zip(ORG_WEIGHTS)
        .map(|(c, w)| {
            let v = match c {
                b'0'..=b'9' => u32::from(c - b'0'),
                _ => u32::from(c - b'A') + 10,
            };
            v * w
        })
        .sum();
    match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        n => char::from_digit(n, 10).expect("single digit"),
    }
}

/// A valid credit code of an administrative organ (`11`) in `division`, like the tests' helper.
pub fn credit_code(division: &str, n: u32) -> String {
    let org = format!("{:08}", 10_000_000 + n);
    let org9 = format!("{org}{}", org_code_check_char(&org));
    let body = format!("11{division}{org9}");
    format!("{body}{}", credit_check_char(&body))
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
    let sum: u32 = body
        .bytes()
        .zip(ID_WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    format!("{body}{}", char::from(ID_CHECK[(sum % 11) as usize]))
}
