//! The reference statutes (shared/reference/laws) as the legal-basis checks need them:
//! Chinese article numerals, the articles and paragraphs of each law, and citations.

use super::*;

// ───────────────────────────── Chinese numerals ─────────────────────────────

pub(super) const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/// Parses an article number as the statutes write it: 十, 二十, 一百零九, 一百一十, 一百二十二 …
pub(super) fn parse_cn(s: &str) -> Option<u32> {
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
pub(super) fn to_cn(n: u32) -> String {
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
pub(super) fn numeral(s: &str) -> Result<u32, String> {
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
pub(super) fn chinese_numerals() {
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

pub(super) struct Law {
    pub(super) file: String,
    /// article number → number of paragraphs (款)
    pub(super) articles: BTreeMap<u32, u32>,
}

/// If `line` opens an article (`第X条 …`), its number.
pub(super) fn article_heading(line: &str) -> Option<u32> {
    let rest = line.strip_prefix('第')?;
    let end = rest.find('条')?;
    let num = &rest[..end];
    let after = &rest[end + '条'.len_utf8()..];
    if !(after.is_empty() || after.starts_with(' ') || after.starts_with('\u{3000}')) {
        return None;
    }
    numeral(num).ok()
}

pub(super) fn parse_law(file: &str, text: &str) -> Result<(String, Law), String> {
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

pub(super) fn load_laws() -> HashMap<String, Law> {
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
pub(super) fn reference_laws_parse() {
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
pub(super) struct Cite {
    pub(super) law: String,
    pub(super) article: u32,
    pub(super) paragraph: Option<u32>,
}

/// `《法律名称》第N条` or `《法律名称》第N条第M款`.
pub(super) fn parse_cite(s: &str) -> Result<Cite, String> {
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
pub(super) fn check_cite(
    laws: &HashMap<String, Law>,
    s: &str,
) -> Result<Option<&'static str>, String> {
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
