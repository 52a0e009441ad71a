//! The project's holiday notice file format, its parser and its validator.
//!
//! One file per notice year (the year whose holidays the State Council notice arranges).
//! Line-based so every problem can be reported with its line number:
//!
//! ```text
//! # 国务院办公厅关于2026年部分节假日安排的通知      (comments start with #)
//! year: 2026
//! document: 国办发明电〔2025〕7号                  (one or more: amendments add a line)
//! source: https://www.gov.cn/...                   (optional, repeatable)
//! title: 国务院办公厅关于2026年部分节假日安排的通知   (optional)
//!
//! off  元旦  2026-01-01..2026-01-03                (days off; ranges are inclusive)
//! work 元旦  2026-01-04                            (make-up working days, 调休上班)
//! off  国庆节、中秋节  2025-10-01..2025-10-08       (a combined break names both)
//! ```
//!
//! Dates in an `off`/`work` line are separated by commas; `A..B` is an inclusive range of at
//! most 31 days. Validation: the year is in range; at least one `document`; every date exists
//! and lies in the notice year — except 元旦 days, which may fall on or after 24 December of
//! the previous year (the 2019 and 2023 notices did this); no date listed twice; a make-up
//! working day falls on a Saturday or Sunday; holiday names are the seven statutory ones.
//!
//! Amendments (DL-1): an amended notice is a complete file for the year, listing the original
//! document first and the amending one after it (see `data/notices/2020.notice`). It is
//! imported like any notice and replaces the loaded one whole; [`Notice::relation_to`] tells an
//! amendment from a first import or a replacement, and [`crate::ImportReport`] says which days
//! and years changed.

use std::collections::HashMap;

use time::{Date, Month};

use crate::error::{NoticeErrors, NoticeIssue};
use crate::{Holiday, HolidaySet, MAX_YEAR, MIN_YEAR};

/// First day of December from which the *next* year's notice may decide the day (元旦
/// arrangements reach back into late December). Days from here to 31 December depend on two
/// notices; see [`crate::Calendar::day`].
pub const NEXT_NOTICE_REACH_DAY: u8 = 24;

/// How an imported notice relates to the one already loaded for its year
/// ([`Notice::relation_to`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoticeRelation {
    /// No notice was loaded for the year.
    New,
    /// An amended notice: it lists every document of the loaded one, then more (修订通知,
    /// e.g. 国办发明电〔2020〕1号 extending the 2020 春节 holiday).
    Amendment {
        /// Documents of the notice it replaces.
        previous_documents: Vec<String>,
    },
    /// Replaces the loaded notice without extending its documents.
    Replacement {
        /// Documents of the notice it replaces.
        previous_documents: Vec<String>,
        /// Loaded documents this notice no longer lists (empty for a corrected transcription
        /// of the same documents). Non-empty usually means an amendment is being undone.
        dropped_documents: Vec<String>,
    },
}

/// One dated entry of a notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeDay {
    pub date: Date,
    /// `true`: a day off; `false`: a make-up working day (调休上班).
    pub off: bool,
    pub holidays: HolidaySet,
    /// Line of the source text, for provenance in explanations.
    pub line: usize,
}

/// A parsed and validated holiday notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The year whose holidays the notice arranges.
    pub year: i32,
    /// Document numbers (文号), first the notice, then any amendment.
    pub documents: Vec<String>,
    pub sources: Vec<String>,
    pub title: Option<String>,
    /// Entries in date order.
    pub days: Vec<NoticeDay>,
}

impl Notice {
    /// Parses and validates notice text. All problems are reported together.
    pub fn parse(text: &str) -> Result<Notice, NoticeErrors> {
        let mut issues = Vec::new();
        let mut issue = |line: usize, field: &str, reason: String| {
            issues.push(NoticeIssue {
                line,
                field: field.to_string(),
                reason,
            })
        };

        let mut year: Option<(i32, usize)> = None;
        let mut documents = Vec::new();
        let mut sources = Vec::new();
        let mut title = None;
        // (line, off, holidays, raw dates)
        let mut entries: Vec<(usize, bool, HolidaySet, String)> = Vec::new();

        for (i, raw) in text.lines().enumerate() {
            let line_no = i + 1;
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let first = line.split_whitespace().next().unwrap_or("");
            if first == "off" || first == "work" {
                let rest = line[first.len()..].trim_start();
                let mut parts = rest.splitn(2, char::is_whitespace);
                let name = parts.next().unwrap_or("").trim();
                let dates = parts.next().unwrap_or("").trim();
                if name.is_empty() {
                    issue(
                        line_no,
                        "holiday",
                        "missing holiday name after `off`/`work`".into(),
                    );
                    continue;
                }
                let mut set = HolidaySet::EMPTY;
                let mut ok = true;
                for part in name.split('、') {
                    match Holiday::from_zh(part) {
                        Some(h) => set.insert(h),
                        None => {
                            ok = false;
                            issue(
                                line_no,
                                "holiday",
                                format!(
                                    "unknown holiday name `{part}`: expected one of 元旦, 春节, 清明节, 劳动节, 端午节, 中秋节, 国庆节 (combine with 、)"
                                ),
                            );
                        }
                    }
                }
                if dates.is_empty() {
                    issue(line_no, "dates", "missing dates".into());
                    continue;
                }
                if ok {
                    entries.push((line_no, first == "off", set, dates.to_string()));
                }
                continue;
            }
            let Some((key, value)) = line.split_once(':') else {
                issue(
                    line_no,
                    first,
                    "not a `key: value` header nor an `off`/`work` entry".into(),
                );
                continue;
            };
            let key = key.trim();
            let value = value.trim();
            match key {
                "year" => {
                    if let Some((_, prev)) = year {
                        issue(
                            line_no,
                            "year",
                            format!("duplicate: already given on line {prev}"),
                        );
                        continue;
                    }
                    match value.parse::<i32>() {
                        Ok(y) if (MIN_YEAR..=MAX_YEAR).contains(&y) => year = Some((y, line_no)),
                        Ok(y) => issue(
                            line_no,
                            "year",
                            format!("{y} is outside the supported range {MIN_YEAR}..={MAX_YEAR}"),
                        ),
                        Err(_) => issue(line_no, "year", format!("`{value}` is not a year")),
                    }
                }
                "document" => {
                    if value.is_empty() {
                        issue(line_no, "document", "empty document number".into());
                    } else {
                        documents.push(value.to_string());
                    }
                }
                "source" => {
                    if value.is_empty() {
                        issue(line_no, "source", "empty source".into());
                    } else {
                        sources.push(value.to_string());
                    }
                }
                "title" => title = Some(value.to_string()),
                other => issue(
                    line_no,
                    other,
                    "unknown header: expected year, document, source or title".into(),
                ),
            }
        }

        let Some((year, _)) = year else {
            issue(0, "year", "missing `year:` header".into());
            return Err(NoticeErrors { issues });
        };
        if documents.is_empty() {
            issue(
                0,
                "document",
                "missing `document:` header naming the notice (e.g. 国办发明电〔2025〕7号)".into(),
            );
        }
        if entries.is_empty() {
            issue(0, "off", "the notice lists no days".into());
        }

        let mut days: Vec<NoticeDay> = Vec::new();
        let mut seen: HashMap<Date, usize> = HashMap::new();
        for (line_no, off, holidays, raw) in entries {
            for token in raw.split(',').map(str::trim) {
                if token.is_empty() {
                    issue(line_no, "dates", "empty item in the date list".into());
                    continue;
                }
                let (from, to) = match token.split_once("..") {
                    Some((a, b)) => (
                        parse_entry_date(a.trim(), line_no, &mut issue),
                        parse_entry_date(b.trim(), line_no, &mut issue),
                    ),
                    None => {
                        let d = parse_entry_date(token, line_no, &mut issue);
                        (d, d)
                    }
                };
                let (Some(from), Some(to)) = (from, to) else {
                    continue;
                };
                if to < from {
                    issue(
                        line_no,
                        "dates",
                        format!("range `{token}` ends before it starts"),
                    );
                    continue;
                }
                if (to - from).whole_days() > 30 {
                    issue(
                        line_no,
                        "dates",
                        format!("range `{token}` is longer than 31 days"),
                    );
                    continue;
                }
                let mut d = from;
                loop {
                    let in_year = d.year() == year
                        || (holidays.contains(Holiday::NewYear)
                            && d.year() == year - 1
                            && d.month() == Month::December
                            && d.day() >= NEXT_NOTICE_REACH_DAY);
                    if !in_year {
                        issue(
                            line_no,
                            "dates",
                            format!(
                                "{d} is outside the notice year {year} (only 元旦 days may fall on or after {}-12-{NEXT_NOTICE_REACH_DAY})",
                                year - 1
                            ),
                        );
                    } else if let Some(prev) = seen.get(&d) {
                        issue(
                            line_no,
                            "dates",
                            format!("{d} is listed twice (also on line {prev})"),
                        );
                    } else if !off && !crate::date::is_weekend(d) {
                        issue(
                            line_no,
                            "dates",
                            format!(
                                "{d} is a {}: a make-up working day (调休上班) must be a Saturday or Sunday",
                                crate::date::weekday_zh(d)
                            ),
                        );
                    } else {
                        seen.insert(d, line_no);
                        days.push(NoticeDay {
                            date: d,
                            off,
                            holidays,
                            line: line_no,
                        });
                    }
                    if d >= to {
                        break;
                    }
                    d = match d.next_day() {
                        Some(n) => n,
                        None => break,
                    };
                }
            }
        }

        if !issues.is_empty() {
            issues.sort_by_key(|i| i.line);
            return Err(NoticeErrors { issues });
        }
        days.sort_by_key(|d| d.date);
        Ok(Notice {
            year,
            documents,
            sources,
            title,
            days,
        })
    }

    /// How this notice relates to `loaded`, the notice already loaded for the same year
    /// (DL-1: an amended notice replaces the earlier one whole). Never refuses: an import is
    /// always accepted, and the caller decides what to tell the importer.
    ///
    /// - no loaded notice → [`NoticeRelation::New`];
    /// - the loaded notice's documents are a strict prefix of this one's (the 2020 file lists
    ///   国办发明电〔2019〕16号 then 国办发明电〔2020〕1号) → [`NoticeRelation::Amendment`];
    /// - anything else (same documents: a corrected transcription; or a list that drops a
    ///   loaded document, e.g. re-importing the original over its amendment) →
    ///   [`NoticeRelation::Replacement`] with the dropped documents named.
    pub fn relation_to(&self, loaded: Option<&Notice>) -> NoticeRelation {
        let Some(old) = loaded else {
            return NoticeRelation::New;
        };
        let previous_documents = old.documents.clone();
        if self.documents.len() > old.documents.len() && self.documents.starts_with(&old.documents)
        {
            NoticeRelation::Amendment { previous_documents }
        } else {
            let dropped_documents = old
                .documents
                .iter()
                .filter(|d| !self.documents.contains(d))
                .cloned()
                .collect();
            NoticeRelation::Replacement {
                previous_documents,
                dropped_documents,
            }
        }
    }

    /// The main document number (the first `document:` line).
    pub fn document(&self) -> &str {
        self.documents.first().map(String::as_str).unwrap_or("")
    }

    /// Renders the notice back into the file format (canonical form: one line per entry
    /// run). `Notice::parse(n.to_text())` returns `n` up to line numbers.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        if let Some(t) = &self.title {
            out.push_str(&format!("title: {t}\n"));
        }
        out.push_str(&format!("year: {}\n", self.year));
        for d in &self.documents {
            out.push_str(&format!("document: {d}\n"));
        }
        for s in &self.sources {
            out.push_str(&format!("source: {s}\n"));
        }
        out.push('\n');
        let mut i = 0;
        while i < self.days.len() {
            let first = &self.days[i];
            let mut j = i;
            while j + 1 < self.days.len() {
                let next = &self.days[j + 1];
                if next.off == first.off
                    && next.holidays == first.holidays
                    && Some(next.date) == self.days[j].date.next_day()
                {
                    j += 1;
                } else {
                    break;
                }
            }
            let kind = if first.off { "off " } else { "work" };
            if i == j {
                out.push_str(&format!("{kind} {} {}\n", first.holidays, first.date));
            } else {
                out.push_str(&format!(
                    "{kind} {} {}..{}\n",
                    first.holidays, first.date, self.days[j].date
                ));
            }
            i = j + 1;
        }
        out
    }
}

fn parse_entry_date(
    s: &str,
    line: usize,
    issue: &mut impl FnMut(usize, &str, String),
) -> Option<Date> {
    // Notice files may name years outside the supported range only by mistake; the
    // year check is done against the notice year later, so parse without range limits here.
    match crate::date::parse_date(s) {
        Ok(d) => Some(d),
        Err(e) => {
            issue(line, "dates", e.to_string());
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const GOOD: &str = "\
# test
year: 2026
document: 国办发明电〔2025〕7号
off 元旦 2026-01-01..2026-01-03
work 元旦 2026-01-04
off 国庆节、中秋节 2026-10-01..2026-10-08
work 国庆节 2026-09-20, 2026-10-10
";

    #[test]
    fn parses_good_notice() {
        let n = Notice::parse(GOOD).unwrap();
        assert_eq!(n.year, 2026);
        assert_eq!(n.document(), "国办发明电〔2025〕7号");
        assert_eq!(n.days.len(), 3 + 1 + 8 + 2);
        assert_eq!(n.days[0].date, date!(2026 - 01 - 01));
        let again = Notice::parse(&n.to_text()).unwrap();
        assert_eq!(
            again
                .days
                .iter()
                .map(|d| (d.date, d.off, d.holidays))
                .collect::<Vec<_>>(),
            n.days
                .iter()
                .map(|d| (d.date, d.off, d.holidays))
                .collect::<Vec<_>>()
        );
    }

    fn issues(text: &str) -> Vec<String> {
        Notice::parse(text)
            .unwrap_err()
            .issues
            .iter()
            .map(|i| i.to_string())
            .collect()
    }

    #[test]
    fn reports_every_problem_with_line_and_field() {
        let text = "\
year: 2026
document: X
off 元旦 2026-01-01
off 元宵节 2026-03-03
work 国庆节 2026-10-09
off 春节 2026-02-30
off 劳动节 2026-05-01..2026-05-05, 2026-05-03
off 国庆节 2027-10-01
colour: red
";
        let got = issues(text);
        let joined = got.join("\n");
        assert!(
            joined.contains("line 4, field `holiday`: unknown holiday name `元宵节`"),
            "{joined}"
        );
        assert!(
            joined.contains("line 5, field `dates`: 2026-10-09 is a 周五"),
            "{joined}"
        );
        assert!(
            joined.contains("line 6, field `dates`: invalid date `2026-02-30`"),
            "{joined}"
        );
        assert!(
            joined.contains("line 7, field `dates`: 2026-05-03 is listed twice (also on line 7)"),
            "{joined}"
        );
        assert!(
            joined.contains("line 8, field `dates`: 2027-10-01 is outside the notice year 2026"),
            "{joined}"
        );
        assert!(
            joined.contains("line 9, field `colour`: unknown header"),
            "{joined}"
        );
        assert_eq!(got.len(), 6, "{joined}");
    }

    #[test]
    fn missing_headers() {
        let joined = issues("off 元旦 2026-01-01\n").join("\n");
        assert!(joined.contains("missing `year:`"), "{joined}");
        let joined = issues("year: 2026\noff 元旦 2026-01-01\n").join("\n");
        assert!(joined.contains("missing `document:`"), "{joined}");
        let joined = issues("year: 2026\ndocument: X\n").join("\n");
        assert!(joined.contains("lists no days"), "{joined}");
        let joined = issues("year: 2200\ndocument: X\n").join("\n");
        assert!(joined.contains("outside the supported range"), "{joined}");
    }

    #[test]
    fn new_year_may_reach_into_december() {
        let n = Notice::parse(
            "year: 2019\ndocument: X\nwork 元旦 2018-12-29\noff 元旦 2018-12-30..2019-01-01\n",
        )
        .unwrap();
        assert_eq!(n.days.len(), 4);
        let joined = issues("year: 2019\ndocument: X\noff 国庆节 2018-12-30\n").join("\n");
        assert!(joined.contains("outside the notice year"), "{joined}");
        let joined = issues("year: 2019\ndocument: X\noff 元旦 2018-12-20\n").join("\n");
        assert!(joined.contains("outside the notice year"), "{joined}");
    }
}
