//! Checks the demo registry data in `crates/demo/data/` against the reference statutes in
//! `shared/reference/laws/` (行政处罚法 2021, 行政许可法, 行政强制法).
//!
//! - every power-list item (REG-3) cites at least one article of the reference laws, relevant to
//!   its category, and every cited article (and 款) of a reference law really exists;
//! - keys are unique, all eight categories appear, counts meet the minimums;
//! - discretion benchmarks (REG-6) belong to 行政处罚 items and their ranges do not decrease as
//!   severity grows;
//! - the random-inspection list (REG-4) hangs off 行政检查 items and cites real articles;
//! - the name pools and agency kinds are well formed.
//!
//! Failure messages name the file, the line number and the offending value. Standard library only.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

fn data_dir() -> PathBuf {
    Path::new(MANIFEST_DIR).join("data")
}

fn laws_dir() -> PathBuf {
    Path::new(MANIFEST_DIR).join("../../../shared/reference/laws")
}

const PENALTY_LAW: &str = "中华人民共和国行政处罚法";
const LICENSE_LAW: &str = "中华人民共和国行政许可法";
const COMPULSION_LAW: &str = "中华人民共和国行政强制法";
const REFERENCE_LAWS: [&str; 3] = [PENALTY_LAW, LICENSE_LAW, COMPULSION_LAW];

const CATEGORIES: [&str; 8] = [
    "行政许可",
    "行政征收",
    "行政征用",
    "行政收费",
    "行政奖励",
    "行政检查",
    "行政处罚",
    "行政强制",
];

/// Key prefix per category, e.g. `CF-SCJG-001` is a 行政处罚 item.
const KEY_PREFIXES: [(&str, &str); 8] = [
    ("XK", "行政许可"),
    ("ZS", "行政征收"),
    ("ZY", "行政征用"),
    ("SF", "行政收费"),
    ("JL", "行政奖励"),
    ("JC", "行政检查"),
    ("CF", "行政处罚"),
    ("QZ", "行政强制"),
];

/// Which reference laws an item of a category must cite (at least one of them).
fn relevant_laws(category: &str) -> &'static [&'static str] {
    match category {
        "行政处罚" => &[PENALTY_LAW],
        "行政许可" => &[LICENSE_LAW],
        "行政强制" => &[COMPULSION_LAW],
        "行政检查" => &[PENALTY_LAW, LICENSE_LAW],
        "行政征收" => &[COMPULSION_LAW],
        "行政收费" => &[LICENSE_LAW, COMPULSION_LAW],
        "行政征用" => &[COMPULSION_LAW],
        "行政奖励" => &[LICENSE_LAW],
        _ => &[],
    }
}

const AGENCY_ONLY_DOMAINS: [&str; 3] = ["政府", "司法行政", "综合行政执法"];

/// The domains power-list items may have: the domain's list without the agency-only ones.
fn is_item_domain(d: &str) -> bool {
    zhifa_domain::registry::DOMAINS.contains(&d) && !AGENCY_ONLY_DOMAINS.contains(&d)
}
const SEVERITIES: [&str; 4] = ["轻微", "一般", "较重", "严重"];
const LEVELS: [&str; 4] = ["省", "市", "县", "乡"];
const AGENCY_KINDS: [&str; 3] = ["行政机关", "法律法规授权组织", "受委托组织"];

const MIN_ITEMS: usize = 220;
const MIN_DISCRETION_ITEMS: usize = 60;
const MIN_INSPECTION_ROWS: usize = 60;
const MIN_SURNAMES: usize = 100;
const MIN_GIVEN: usize = 200;

mod laws;
use laws::*;

// ───────────────────────────── TSV reading ─────────────────────────────

struct Row {
    line: usize,
    fields: Vec<String>,
}

/// Reads a TSV file, checks the header and the column count; problems go to `errors`.
fn read_tsv(file: &str, header: &[&str], errors: &mut Vec<String>) -> Vec<Row> {
    let path = data_dir().join(file);
    let text =
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut lines = text.lines().enumerate();
    let (_, first) = lines.next().unwrap_or_else(|| panic!("{file} is empty"));
    assert_eq!(
        first
            .trim_start_matches('\u{feff}')
            .split('\t')
            .collect::<Vec<_>>(),
        header,
        "{file}:1: header must be exactly {}",
        header.join("\\t")
    );
    let mut rows = Vec::new();
    for (i, line) in lines {
        let n = i + 1;
        if line.trim().is_empty() {
            errors.push(format!("{file}:{n}: blank line"));
            continue;
        }
        let fields: Vec<String> = line.split('\t').map(str::to_string).collect();
        if fields.len() != header.len() {
            errors.push(format!(
                "{file}:{n}: {} columns, expected {}: {line}",
                fields.len(),
                header.len()
            ));
            continue;
        }
        if let Some((j, f)) = fields
            .iter()
            .enumerate()
            .find(|(_, f)| f.is_empty() || f.trim() != f.as_str())
        {
            errors.push(format!(
                "{file}:{n}: column `{}` is empty or has surrounding whitespace: {f:?}",
                header[j]
            ));
            continue;
        }
        rows.push(Row { line: n, fields });
    }
    rows
}

fn report(what: &str, errors: &[String]) {
    assert!(
        errors.is_empty(),
        "{what}: {} problem(s):\n  {}",
        errors.len(),
        errors.join("\n  ")
    );
}

struct Item {
    category: String,
    domain: String,
}

const ITEMS_HEADER: [&str; 8] = [
    "key",
    "category",
    "name",
    "domain",
    "bases",
    "procedure",
    "time_limit",
    "review_body",
];

fn key_ok(key: &str) -> bool {
    let parts: Vec<&str> = key.split('-').collect();
    parts.len() == 3
        && parts[..2]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_uppercase()))
        && parts[2].len() == 3
        && parts[2].chars().all(|c| c.is_ascii_digit())
}

/// Reads items.tsv without judging it (the judging is in `items_cite_existing_reference_articles`).
fn load_items() -> BTreeMap<String, Item> {
    let mut ignored = Vec::new();
    read_tsv("items.tsv", &ITEMS_HEADER, &mut ignored)
        .into_iter()
        .map(|r| {
            let f = r.fields;
            (
                f[0].clone(),
                Item {
                    category: f[1].clone(),
                    domain: f[3].clone(),
                },
            )
        })
        .collect()
}

// ───────────────────────────── items.tsv (REG-3) ─────────────────────────────

#[test]
#[cfg_attr(
    skip_shared,
    ignore = "SKIPPED: ../shared/reference (the reference statutes sit beside the repository, not in it)"
)]
fn items_cite_existing_reference_articles() {
    let laws = load_laws();
    let mut errors = Vec::new();
    let rows = read_tsv("items.tsv", &ITEMS_HEADER, &mut errors);
    let mut keys = HashSet::new();
    let mut names = HashSet::new();
    let mut categories = HashSet::new();
    for row in &rows {
        let f = &row.fields;
        let (key, category, name, domain, bases, procedure) =
            (&f[0], &f[1], &f[2], &f[3], &f[4], &f[5]);
        let at = format!("items.tsv:{} [{key}]", row.line);
        if !key_ok(key) {
            errors.push(format!("{at}: key must look like CF-SCJG-001"));
        }
        if !keys.insert(key.clone()) {
            errors.push(format!("{at}: duplicate key"));
        }
        if !CATEGORIES.contains(&category.as_str()) {
            errors.push(format!("{at}: unknown category 「{category}」"));
            continue;
        }
        categories.insert(category.clone());
        let prefix = key.split('-').next().unwrap_or("");
        match KEY_PREFIXES.iter().find(|(p, _)| *p == prefix) {
            Some((_, c)) if c == category => {}
            Some((_, c)) => errors.push(format!(
                "{at}: key prefix {prefix} means {c}, but category is {category}"
            )),
            None => errors.push(format!("{at}: unknown key prefix {prefix}")),
        }
        if !is_item_domain(domain.as_str()) {
            errors.push(format!("{at}: unknown domain 「{domain}」"));
        }
        if !names.insert((domain.clone(), name.clone())) {
            errors.push(format!(
                "{at}: duplicate name 「{name}」 in domain {domain}"
            ));
        }
        if name.chars().count() > 200 {
            errors.push(format!("{at}: name longer than 200 characters"));
        }
        let bases: Vec<&str> = bases.split(';').collect();
        if !(1..=3).contains(&bases.len()) {
            errors.push(format!("{at}: {} legal bases, expected 1–3", bases.len()));
        }
        let mut cited = HashSet::new();
        let mut seen = HashSet::new();
        for b in &bases {
            if !seen.insert(*b) {
                errors.push(format!("{at}: basis 「{b}」 cited twice"));
            }
            match check_cite(&laws, b) {
                Ok(Some(law)) => {
                    cited.insert(law);
                }
                Ok(None) => {}
                Err(e) => errors.push(format!("{at}: {e}")),
            }
        }
        if cited.is_empty() {
            errors.push(format!(
                "{at}: cites no article of the reference laws ({})",
                REFERENCE_LAWS.join("、")
            ));
        } else if !relevant_laws(category).iter().any(|l| cited.contains(l)) {
            errors.push(format!(
                "{at}: a {category} item must cite 《{}》",
                relevant_laws(category).join("》或《")
            ));
        }
        let steps: Vec<&str> = procedure.split('>').collect();
        if !(4..=8).contains(&steps.len()) {
            errors.push(format!(
                "{at}: procedure has {} steps, expected 4–8: {procedure}",
                steps.len()
            ));
        }
        if steps
            .iter()
            .any(|s| s.trim().is_empty() || s.trim() != *s || s.chars().count() > 50)
        {
            errors.push(format!(
                "{at}: procedure has an empty, padded or over-long step: {procedure}"
            ));
        }
        for (col, v) in [("time_limit", &f[6]), ("review_body", &f[7])] {
            if v.chars().count() > 100 || !v.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
            {
                errors.push(format!(
                    "{at}: {col} must be a Chinese description of at most 100 characters: {v}"
                ));
            }
        }
    }
    for c in CATEGORIES {
        if !categories.contains(c) {
            errors.push(format!("items.tsv: no item of category {c}"));
        }
    }
    if rows.len() < MIN_ITEMS {
        errors.push(format!(
            "items.tsv: {} items, at least {MIN_ITEMS} required",
            rows.len()
        ));
    }
    report("items.tsv", &errors);
}

// ───────────────────────────── discretion.tsv (REG-6) ─────────────────────────────

#[test]
fn discretion_ranges_are_ordered_and_belong_to_penalty_items() {
    let items = load_items();
    let mut errors = Vec::new();
    let header = [
        "item_key",
        "severity",
        "circumstance",
        "min_fine_fen",
        "max_fine_fen",
        "other_measures",
    ];
    let rows = read_tsv("discretion.tsv", &header, &mut errors);
    // key → [(severity rank, min, max, line)]
    let mut by_item: BTreeMap<String, Vec<(usize, u64, u64, usize)>> = BTreeMap::new();
    for row in &rows {
        let f = &row.fields;
        let key = &f[0];
        let at = format!("discretion.tsv:{} [{key} {}]", row.line, f[1]);
        match items.get(key) {
            None => errors.push(format!("{at}: no such item in items.tsv")),
            Some(i) if i.category != "行政处罚" => errors.push(format!(
                "{at}: discretion benchmarks are for 行政处罚 items, this one is {}",
                i.category
            )),
            Some(_) => {}
        }
        let Some(rank) = SEVERITIES.iter().position(|s| *s == f[1]) else {
            errors.push(format!(
                "{at}: severity must be one of {}",
                SEVERITIES.join("/")
            ));
            continue;
        };
        let (Ok(min), Ok(max)) = (f[3].parse::<u64>(), f[4].parse::<u64>()) else {
            errors.push(format!(
                "{at}: fines must be non-negative integers in fen: {} / {}",
                f[3], f[4]
            ));
            continue;
        };
        if min > max {
            errors.push(format!("{at}: min {min} fen above max {max} fen"));
        }
        if f[2].chars().count() > 500 || f[5].chars().count() > 200 {
            errors.push(format!(
                "{at}: circumstance (≤500) or other_measures (≤200) too long"
            ));
        }
        by_item
            .entry(key.clone())
            .or_default()
            .push((rank, min, max, row.line));
    }
    for (key, tiers) in &by_item {
        let mut tiers = tiers.clone();
        tiers.sort();
        for w in tiers.windows(2) {
            let ((r0, min0, max0, l0), (r1, min1, max1, l1)) = (w[0], w[1]);
            if r0 == r1 {
                errors.push(format!(
                    "discretion.tsv:{l1} [{key}]: severity {} repeats line {l0}",
                    SEVERITIES[r1]
                ));
            } else if min1 < min0 || max1 < max0 {
                errors.push(format!(
                    "discretion.tsv:{l1} [{key}]: {} range {min1}–{max1} fen is below {} range {min0}–{max0} fen (line {l0}); ranges must not decrease with severity",
                    SEVERITIES[r1], SEVERITIES[r0]
                ));
            }
        }
    }
    if by_item.len() < MIN_DISCRETION_ITEMS {
        errors.push(format!(
            "discretion.tsv: benchmarks for {} items, at least {MIN_DISCRETION_ITEMS} required",
            by_item.len()
        ));
    }
    report("discretion.tsv", &errors);
}

// ───────────────────────────── inspection.tsv (REG-4) ─────────────────────────────

#[test]
#[cfg_attr(
    skip_shared,
    ignore = "SKIPPED: ../shared/reference (the reference statutes sit beside the repository, not in it)"
)]
fn inspection_list_hangs_off_inspection_items() {
    let laws = load_laws();
    let items = load_items();
    let mut errors = Vec::new();
    let rows = read_tsv(
        "inspection.tsv",
        &["item_key", "name", "target_kind", "method", "basis"],
        &mut errors,
    );
    let mut seen = HashSet::new();
    for row in &rows {
        let f = &row.fields;
        let at = format!("inspection.tsv:{} [{} {}]", row.line, f[0], f[1]);
        match items.get(&f[0]) {
            None => errors.push(format!("{at}: no such item in items.tsv")),
            Some(i) if i.category != "行政检查" => errors.push(format!(
                "{at}: random inspections hang off 行政检查 items, this one is {}",
                i.category
            )),
            Some(_) => {}
        }
        if !seen.insert((f[0].clone(), f[1].clone())) {
            errors.push(format!("{at}: duplicate entry"));
        }
        for b in f[4].split(';') {
            if let Err(e) = check_cite(&laws, b) {
                errors.push(format!("{at}: {e}"));
            }
        }
        for (col, v, max) in [
            ("name", &f[1], 200),
            ("target_kind", &f[2], 100),
            ("method", &f[3], 100),
            ("basis", &f[4], 300),
        ] {
            if v.chars().count() > max {
                errors.push(format!("{at}: {col} longer than {max} characters"));
            }
        }
    }
    if rows.len() < MIN_INSPECTION_ROWS {
        errors.push(format!(
            "inspection.tsv: {} entries, at least {MIN_INSPECTION_ROWS} required",
            rows.len()
        ));
    }
    report("inspection.tsv", &errors);
}

// ───────────────────────────── names.tsv ─────────────────────────────

#[test]
fn name_pools() {
    let mut errors = Vec::new();
    let rows = read_tsv("names.tsv", &["kind", "value"], &mut errors);
    let mut pools: HashMap<&str, HashSet<String>> = HashMap::new();
    for row in &rows {
        let (kind, value) = (row.fields[0].as_str(), &row.fields[1]);
        let at = format!("names.tsv:{} [{kind} {value}]", row.line);
        let kind = match kind {
            "surname" => "surname",
            "given" => "given",
            _ => {
                errors.push(format!("{at}: kind must be surname or given"));
                continue;
            }
        };
        let n = value.chars().count();
        if !(1..=2).contains(&n)
            || !value
                .chars()
                .all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
        {
            errors.push(format!("{at}: must be one or two Chinese characters"));
        }
        if !pools.entry(kind).or_default().insert(value.clone()) {
            errors.push(format!("{at}: duplicate"));
        }
    }
    for (kind, min) in [("surname", MIN_SURNAMES), ("given", MIN_GIVEN)] {
        let n = pools.get(kind).map_or(0, HashSet::len);
        if n < min {
            errors.push(format!(
                "names.tsv: {n} distinct {kind} entries, at least {min} required"
            ));
        }
    }
    report("names.tsv", &errors);
}

// ───────────────────────────── agency_kinds.tsv (REG-1) ─────────────────────────────

#[test]
fn agency_kinds_cover_every_domain() {
    let items = load_items();
    let mut errors = Vec::new();
    let rows = read_tsv(
        "agency_kinds.tsv",
        &["domain", "name_template", "levels", "kind"],
        &mut errors,
    );
    // (domain, level, kind)
    let mut have: HashSet<(String, String, String)> = HashSet::new();
    let mut templates = HashSet::new();
    for row in &rows {
        let f = &row.fields;
        let at = format!("agency_kinds.tsv:{} [{}]", row.line, f[1]);
        if !zhifa_domain::registry::DOMAINS.contains(&f[0].as_str()) {
            errors.push(format!("{at}: unknown domain 「{}」", f[0]));
        }
        if f[1].matches("{place}").count() != 1 || f[1].replace("{place}", "").contains(['{', '}'])
        {
            errors.push(format!(
                "{at}: template must contain {{place}} exactly once and no other placeholder"
            ));
        }
        if !AGENCY_KINDS.contains(&f[3].as_str()) {
            errors.push(format!(
                "{at}: kind must be one of {}",
                AGENCY_KINDS.join("/")
            ));
        }
        let levels: Vec<&str> = f[2].split(',').collect();
        let distinct: HashSet<&str> = levels.iter().copied().collect();
        if distinct.len() != levels.len() || levels.iter().any(|l| !LEVELS.contains(l)) {
            errors.push(format!(
                "{at}: levels must be distinct, comma-separated values of {}: {}",
                LEVELS.join(","),
                f[2]
            ));
        }
        for l in levels {
            if !templates.insert((f[1].clone(), l.to_string())) {
                errors.push(format!("{at}: template repeated at level {l}"));
            }
            have.insert((f[0].clone(), l.to_string(), f[3].clone()));
        }
    }
    let has = |domain: &str, level: &str, kind: &str| {
        have.contains(&(domain.into(), level.into(), kind.into()))
    };
    for level in ["省", "市", "县"] {
        if !has("政府", level, "行政机关") {
            errors.push(format!(
                "agency_kinds.tsv: no 人民政府 (domain 政府) at level {level}"
            ));
        }
        if !has("司法行政", level, "行政机关") {
            errors.push(format!(
                "agency_kinds.tsv: no 司法厅/司法局 (domain 司法行政) at level {level}"
            ));
        }
    }
    if !has("综合行政执法", "乡", "法律法规授权组织") {
        errors.push(
            "agency_kinds.tsv: no 乡镇人民政府/街道办事处 (综合行政执法, 乡, 法律法规授权组织)"
                .into(),
        );
    }
    if !have.iter().any(|(_, _, k)| k == "受委托组织") {
        errors.push("agency_kinds.tsv: no 受委托组织 example".into());
    }
    let item_domains: HashSet<&str> = items.values().map(|i| i.domain.as_str()).collect();
    for d in item_domains {
        if !have.iter().any(|(dd, _, k)| dd == d && k == "行政机关") {
            errors.push(format!(
                "agency_kinds.tsv: items use domain {d} but no 行政机关 of that domain exists"
            ));
        }
    }
    report("agency_kinds.tsv", &errors);
}
