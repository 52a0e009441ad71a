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

const ITEM_DOMAINS: [&str; 16] = [
    "市场监管",
    "生态环境",
    "交通运输",
    "应急管理",
    "自然资源",
    "住房城乡建设",
    "农业农村",
    "文化旅游",
    "卫生健康",
    "公安",
    "税务",
    "城市管理",
    "人力资源社会保障",
    "水利",
    "商务",
    "教育",
];
const AGENCY_ONLY_DOMAINS: [&str; 3] = ["政府", "司法行政", "综合行政执法"];
const SEVERITIES: [&str; 4] = ["轻微", "一般", "较重", "严重"];
const LEVELS: [&str; 4] = ["省", "市", "县", "乡"];
const AGENCY_KINDS: [&str; 3] = ["行政机关", "法律法规授权组织", "受委托组织"];

const MIN_ITEMS: usize = 220;
const MIN_DISCRETION_ITEMS: usize = 60;
const MIN_INSPECTION_ROWS: usize = 60;
const MIN_SURNAMES: usize = 100;
const MIN_GIVEN: usize = 200;

// ───────────────────────────── Chinese numerals ─────────────────────────────

const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/// Parses an article number as the statutes write it: 十, 二十, 一百零九, 一百一十, 一百二十二 …
fn parse_cn(s: &str) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    let (mut total, mut cur) = (0u32, 0u32);
    for ch in s.chars() {
        if let Some(d) = DIGITS.iter().position(|&c| c == ch) {
            cur = d as u32;
            continue;
        }
        let unit = match ch {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            _ => return None,
        };
        // a bare 十 at the start means 一十
        let n = if cur == 0 && unit == 10 { 1 } else { cur };
        total += n * unit;
        cur = 0;
    }
    Some(total + cur)
}

/// The canonical way the statutes write `n` (1..=999).
fn to_cn(n: u32) -> String {
    assert!((1..1000).contains(&n), "article number out of range: {n}");
    let (h, t, o) = (n / 100, n / 10 % 10, n % 10);
    let d = |x: u32| DIGITS[x as usize];
    let mut s = String::new();
    if h > 0 {
        s.push(d(h));
        s.push('百');
        if t == 0 && o > 0 {
            s.push('零');
            s.push(d(o));
        } else if t > 0 {
            s.push(d(t));
            s.push('十');
            if o > 0 {
                s.push(d(o));
            }
        }
    } else {
        if t > 1 {
            s.push(d(t));
        }
        if t > 0 {
            s.push('十');
        }
        if o > 0 {
            s.push(d(o));
        }
    }
    s
}

/// Parses a numeral and insists it is written the way the statutes write it.
fn numeral(s: &str) -> Result<u32, String> {
    let n = parse_cn(s).ok_or_else(|| format!("「{s}」不是中文数字"))?;
    if n == 0 || n >= 1000 || to_cn(n) != s {
        return Err(format!(
            "「{s}」不是法律条文的规范写法（应为「{}」）",
            if (1..1000).contains(&n) {
                to_cn(n)
            } else {
                "?".into()
            }
        ));
    }
    Ok(n)
}

#[test]
fn chinese_numerals() {
    for (s, n) in [
        ("一", 1),
        ("十", 10),
        ("十一", 11),
        ("二十", 20),
        ("五十一", 51),
        ("八十六", 86),
        ("一百", 100),
        ("一百零九", 109),
        ("一百一十", 110),
        ("一百一十九", 119),
        ("一百二十二", 122),
        ("二百零五", 205),
    ] {
        assert_eq!(parse_cn(s), Some(n), "parse {s}");
        assert_eq!(to_cn(n), s, "write {n}");
    }
    for n in 1..1000 {
        assert_eq!(parse_cn(&to_cn(n)), Some(n), "round trip {n}");
    }
    assert!(
        numeral("一十").is_err(),
        "一十 is not how the statutes write ten"
    );
    assert!(
        numeral("一百十").is_err(),
        "一百十 is not how the statutes write 110"
    );
    assert!(numeral("一二").is_err());
    assert!(numeral("条").is_err());
}

// ───────────────────────────── the reference laws ─────────────────────────────

struct Law {
    file: String,
    /// article number → number of paragraphs (款)
    articles: BTreeMap<u32, u32>,
}

/// If `line` opens an article (`第X条 …`), its number.
fn article_heading(line: &str) -> Option<u32> {
    let rest = line.strip_prefix('第')?;
    let end = rest.find('条')?;
    let num = &rest[..end];
    let after = &rest[end + '条'.len_utf8()..];
    if !(after.is_empty() || after.starts_with(' ') || after.starts_with('\u{3000}')) {
        return None;
    }
    numeral(num).ok()
}

fn parse_law(file: &str, text: &str) -> Result<(String, Law), String> {
    let title = text
        .lines()
        .find_map(|l| l.strip_prefix("# "))
        .map(|t| t.trim().to_string())
        .ok_or_else(|| format!("{file}: no `# title` line"))?;
    let mut articles = BTreeMap::new();
    let mut current: Option<u32> = None;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if let Some(n) = article_heading(line) {
            let expected = articles.len() as u32 + 1;
            if n != expected {
                return Err(format!(
                    "{file}:{}: article 第{}条 out of sequence (expected 第{}条)",
                    i + 1,
                    to_cn(n),
                    to_cn(expected)
                ));
            }
            articles.insert(n, 1);
            current = Some(n);
        } else if line.starts_with('#') {
            // chapter / section heading: ends the current article
            current = None;
        } else if let Some(n) = current {
            // a further paragraph (款); enumerated items （一）… belong to the paragraph above
            if !line.is_empty()
                && !line.starts_with('（')
                && !line.starts_with('(')
                && !line.starts_with("<!--")
            {
                *articles.get_mut(&n).unwrap() += 1;
            }
        }
    }
    if articles.is_empty() {
        return Err(format!("{file}: no articles found"));
    }
    Ok((
        title,
        Law {
            file: file.to_string(),
            articles,
        },
    ))
}

fn load_laws() -> HashMap<String, Law> {
    let dir = laws_dir();
    let mut laws = HashMap::new();
    let entries =
        fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("md") {
            continue;
        }
        let text = fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let (title, law) = parse_law(&file, &text).unwrap_or_else(|e| panic!("{e}"));
        laws.insert(title, law);
    }
    for name in REFERENCE_LAWS {
        assert!(
            laws.contains_key(name),
            "reference law 《{name}》 not found in {} (titles found: {:?})",
            dir.display(),
            laws.keys().collect::<Vec<_>>()
        );
    }
    laws
}

#[test]
#[cfg_attr(
    skip_shared,
    ignore = "SKIPPED: ../shared/reference (the reference statutes sit beside the repository, not in it)"
)]
fn reference_laws_parse() {
    let laws = load_laws();
    let paras = |law: &str, art: u32| laws[law].articles.get(&art).copied();
    // spot checks against the statute texts
    assert_eq!(
        paras(PENALTY_LAW, 51),
        Some(1),
        "处罚法 第五十一条 (当场处罚) is one paragraph"
    );
    assert_eq!(
        paras(PENALTY_LAW, 57),
        Some(2),
        "处罚法 第五十七条: items (一)–(四) then 集体讨论"
    );
    assert_eq!(
        paras(PENALTY_LAW, 28),
        Some(2),
        "处罚法 第二十八条 has two paragraphs"
    );
    assert_eq!(
        paras(LICENSE_LAW, 42),
        Some(2),
        "许可法 第四十二条 has two paragraphs"
    );
    assert_eq!(
        paras(COMPULSION_LAW, 9),
        Some(1),
        "强制法 第九条 is one paragraph with five items"
    );
    assert_eq!(
        paras(COMPULSION_LAW, 25),
        Some(3),
        "强制法 第二十五条 has three paragraphs"
    );
    for name in REFERENCE_LAWS {
        let law = &laws[name];
        assert!(
            law.articles.len() >= 50,
            "{}: only {} articles parsed",
            law.file,
            law.articles.len()
        );
    }
}

// ───────────────────────────── citations ─────────────────────────────

#[derive(Debug)]
struct Cite {
    law: String,
    article: u32,
    paragraph: Option<u32>,
}

/// `《法律名称》第N条` or `《法律名称》第N条第M款`.
fn parse_cite(s: &str) -> Result<Cite, String> {
    let bad = |why: &str| {
        format!("依据「{s}」格式错误：{why}（应为《法律名称》第N条或《法律名称》第N条第M款）")
    };
    if s != s.trim() {
        return Err(bad("首尾有空白"));
    }
    let rest = s.strip_prefix('《').ok_or_else(|| bad("缺少《"))?;
    let (law, rest) = rest.split_once('》').ok_or_else(|| bad("缺少》"))?;
    if law.is_empty() || law.contains('《') {
        return Err(bad("法律名称为空或含《"));
    }
    let rest = rest.strip_prefix('第').ok_or_else(|| bad("缺少第…条"))?;
    let end = rest.find('条').ok_or_else(|| bad("缺少条"))?;
    let article = numeral(&rest[..end]).map_err(|e| bad(&e))?;
    let rest = &rest[end + '条'.len_utf8()..];
    let paragraph = if rest.is_empty() {
        None
    } else {
        let p = rest
            .strip_prefix('第')
            .and_then(|r| r.strip_suffix('款'))
            .ok_or_else(|| bad("条之后只能是第M款"))?;
        Some(numeral(p).map_err(|e| bad(&e))?)
    };
    Ok(Cite {
        law: law.to_string(),
        article,
        paragraph,
    })
}

/// Validates one citation; returns the reference law it cites, if any.
fn check_cite(laws: &HashMap<String, Law>, s: &str) -> Result<Option<&'static str>, String> {
    let c = parse_cite(s)?;
    let Some(reference) = REFERENCE_LAWS.iter().copied().find(|n| *n == c.law) else {
        for short in ["行政处罚法", "行政许可法", "行政强制法"] {
            if c.law.contains(short) {
                return Err(format!("「{s}」：参考法律应写全称（如《{PENALTY_LAW}》）"));
            }
        }
        return Ok(None);
    };
    let law = &laws[reference];
    let Some(&paras) = law.articles.get(&c.article) else {
        return Err(format!(
            "「{s}」：《{reference}》没有第{}条（共{}条，见 {}）",
            to_cn(c.article),
            law.articles.len(),
            law.file
        ));
    };
    if let Some(p) = c.paragraph
        && p > paras
    {
        return Err(format!(
            "「{s}」：《{reference}》第{}条只有{}款",
            to_cn(c.article),
            paras
        ));
    }
    Ok(Some(reference))
}

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
        if !ITEM_DOMAINS.contains(&domain.as_str()) {
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
        if !ITEM_DOMAINS.contains(&f[0].as_str()) && !AGENCY_ONLY_DOMAINS.contains(&f[0].as_str()) {
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
