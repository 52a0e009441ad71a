//! The deadline catalog (DL-3) as data: `data/catalog.json`, embedded at build time, with
//! per-province overrides loaded from configuration ([`CatalogSettings`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::CalendarError;
use crate::period::{Anchor, DeadlineSpec, Period, Suspension};

const CATALOG_JSON: &str = include_str!("../data/catalog.json");

/// The extension a rule allows: **up to** `max_length` more units of the same period (强制法
/// Art. 25: "可以延长，但是延长期限不得超过三十日"), granted by `approval`. What is granted in
/// a case is a length of its own, stored with the deadline and checked against this cap
/// ([`Rule::approve_extension`], [`Catalog::spec_with_extension`]); it is not always the cap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    /// The longest extension that may be approved (same unit as the period).
    #[serde(alias = "length")]
    pub max_length: u32,
    /// Who must approve it (Chinese text).
    pub approval: String,
    /// The provision that sets the cap, cited when a request exceeds it (Chinese text).
    #[serde(default)]
    pub basis: String,
}

/// What starts or satisfies a deadline: an event kind the server records, and the legal text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trigger {
    /// Machine name of the event kind (the server maps its events onto these).
    pub event: String,
    /// Legal description (Chinese).
    pub text: String,
}

/// One tracked deadline rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    /// Stable id, cited by stored deadlines (e.g. `rev.opinion`).
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// SPEC rule id (PUB-3, REV-5, DL-3…).
    pub spec: String,
    /// Statute basis, Chinese citation text.
    pub basis: String,
    pub period: Period,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<Extension>,
    /// Whether the period can be suspended (中止) — hearings, evaluation, public notice.
    #[serde(default)]
    pub suspendable: bool,
    pub starts: Trigger,
    pub satisfied_by: Trigger,
}

impl Rule {
    /// The Chinese word for this rule's unit of length (日, 个工作日, 小时…), for the pages that
    /// show a length of it.
    pub fn unit_label(&self) -> &'static str {
        unit_zh(self.period.unit)
    }

    /// Checks an extension request of `requested` units against this rule's cap and returns
    /// the length to store with the deadline. Refused: a rule without an extension, a zero
    /// request, and a request over the maximum ([`CalendarError::ExtensionTooLong`], naming
    /// the provision, e.g. 强制法 Art. 25 for 查封、扣押).
    pub fn approve_extension(&self, requested: u32) -> Result<u32, CalendarError> {
        let Some(ext) = &self.extension else {
            return Err(CalendarError::InvalidExtension {
                rule: self.id.clone(),
                reason: format!("“{}”没有可延长的期限", self.name),
            });
        };
        if requested == 0 {
            return Err(CalendarError::InvalidExtension {
                rule: self.id.clone(),
                reason: "延长期限至少为 1".into(),
            });
        }
        if requested > ext.max_length {
            return Err(CalendarError::ExtensionTooLong {
                rule: self.id.clone(),
                name: self.name.clone(),
                requested,
                max: ext.max_length,
                unit: unit_zh(self.period.unit),
                basis: ext.basis.clone(),
            });
        }
        Ok(requested)
    }

    /// The period to apply with an approved extension of `extension` units (`None`: not
    /// extended). Extensions continue the same count (3 WD + 2 WD = the 5th working day;
    /// 30 + 15 days = day 45, then rolled). The length is re-checked against the cap, so a
    /// stored length that a later setting no longer allows is refused rather than applied.
    pub fn period_with_extension(&self, extension: Option<u32>) -> Result<Period, CalendarError> {
        let mut p = self.period;
        if let Some(n) = extension {
            p.length += self.approve_extension(n)?;
        }
        p.validate()?;
        Ok(p)
    }

    /// The period, extended by the **maximum** the rule allows when `extended`. Kept for
    /// callers that store only a flag; a deadline should store the approved length and use
    /// [`Rule::period_with_extension`].
    pub fn period(&self, extended: bool) -> Result<Period, CalendarError> {
        let max = match (&self.extension, extended) {
            (_, false) => None,
            (Some(e), true) => Some(e.max_length),
            (None, true) => {
                return Err(CalendarError::InvalidSettings {
                    reason: format!("rule `{}` has no extension", self.id),
                });
            }
        };
        self.period_with_extension(max)
    }
}

/// Chinese unit word for extension messages (三十日, 二个工作日).
fn unit_zh(unit: crate::period::Unit) -> &'static str {
    use crate::period::Unit;
    match unit {
        Unit::Workdays => "个工作日",
        Unit::Days => "日",
        Unit::Hours => "小时",
        Unit::Months => "个月",
        Unit::Years | Unit::AnnualDate { .. } => "年",
    }
}

/// A province's or agency's changes to the defaults, e.g. review 7+3 working days:
///
/// ```json
/// { "overrides": { "rev.opinion": { "length": 7, "extension": 3, "basis": "某省重大行政执法决定法制审核办法第十条" } } }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogSettings {
    #[serde(default)]
    pub overrides: BTreeMap<String, RuleOverride>,
}

/// Changes to one rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleOverride {
    #[serde(default)]
    pub length: Option<u32>,
    /// Maximum extension length (0 removes the extension).
    #[serde(default)]
    pub extension: Option<u32>,
    /// Local legal basis for the change; appended to the statute text.
    #[serde(default)]
    pub basis: Option<String>,
}

#[derive(Deserialize)]
struct CatalogFile {
    version: u32,
    rules: Vec<Rule>,
}

/// The catalog of tracked deadlines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    rules: Vec<Rule>,
}

impl Catalog {
    /// The shipped catalog (`data/catalog.json`).
    pub fn embedded() -> Catalog {
        // The shipped file is validated by the tests; failing here is a packaging bug.
        Catalog::from_json(CATALOG_JSON).unwrap_or_else(|e| panic!("embedded catalog: {e}"))
    }

    /// Parses and validates a catalog in the shipped JSON format.
    pub fn from_json(text: &str) -> Result<Catalog, CalendarError> {
        let file: CatalogFile =
            serde_json::from_str(text).map_err(|e| CalendarError::InvalidSettings {
                reason: format!("catalog JSON: {e}"),
            })?;
        if file.version != 1 {
            return Err(CalendarError::InvalidSettings {
                reason: format!("catalog version {} (expected 1)", file.version),
            });
        }
        let mut seen = std::collections::HashSet::new();
        for r in &file.rules {
            if !seen.insert(r.id.as_str()) {
                return Err(CalendarError::InvalidSettings {
                    reason: format!("rule `{}` defined twice", r.id),
                });
            }
            r.period(false)
                .map_err(|e| CalendarError::InvalidSettings {
                    reason: format!("rule `{}`: {e}", r.id),
                })?;
            if r.extension.is_some() {
                r.period(true)?;
            }
        }
        Ok(Catalog { rules: file.rules })
    }

    /// Applies province settings; unknown rule ids and invalid lengths are errors.
    pub fn with_settings(&self, settings: &CatalogSettings) -> Result<Catalog, CalendarError> {
        let mut out = self.clone();
        for (id, o) in &settings.overrides {
            let rule = out
                .rules
                .iter_mut()
                .find(|r| &r.id == id)
                .ok_or_else(|| CalendarError::UnknownRule { id: id.clone() })?;
            if let Some(len) = o.length {
                rule.period.length = len;
            }
            if let Some(ext) = o.extension {
                rule.extension = match (ext, rule.extension.take()) {
                    (0, _) => None,
                    (n, Some(e)) => Some(Extension {
                        max_length: n,
                        // The cap now comes from the local provision, cited with the statute.
                        basis: match &o.basis {
                            Some(b) => format!("{}；本地规定：{b}", e.basis),
                            None => e.basis,
                        },
                        ..e
                    }),
                    (n, None) => Some(Extension {
                        max_length: n,
                        approval: "经行政机关负责人批准".into(),
                        basis: o.basis.clone().unwrap_or_default(),
                    }),
                };
            }
            if let Some(b) = &o.basis {
                rule.basis = format!("{}；本地规定：{b}", rule.basis);
            }
            rule.period(false)
                .and_then(|_| match rule.extension {
                    Some(_) => rule.period(true).map(|_| ()),
                    None => Ok(()),
                })
                .map_err(|e| CalendarError::InvalidSettings {
                    reason: format!("override of `{id}`: {e}"),
                })?;
        }
        Ok(out)
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn get(&self, id: &str) -> Result<&Rule, CalendarError> {
        self.rules
            .iter()
            .find(|r| r.id == id)
            .ok_or_else(|| CalendarError::UnknownRule { id: id.to_string() })
    }

    /// Builds the spec of a deadline of rule `id`; `extended` grants the rule's **maximum**
    /// extension. Kept for callers storing a flag: prefer [`Catalog::spec_with_extension`]
    /// with the approved length.
    pub fn spec(
        &self,
        id: &str,
        anchor: Anchor,
        extended: bool,
        suspensions: Vec<Suspension>,
    ) -> Result<DeadlineSpec, CalendarError> {
        let max = if extended {
            let rule = self.get(id)?;
            Some(
                rule.extension
                    .as_ref()
                    .map(|e| e.max_length)
                    .ok_or_else(|| CalendarError::InvalidSettings {
                        reason: format!("rule `{id}` has no extension"),
                    })?,
            )
        } else {
            None
        };
        self.spec_with_extension(id, anchor, max, suspensions)
    }

    /// Builds the spec of a deadline of rule `id` with an approved extension of `extension`
    /// units (`None`: not extended; suspensions only for suspendable rules). An extension over
    /// the rule's maximum is refused with [`CalendarError::ExtensionTooLong`] naming the
    /// provision (强制法 Art. 25 for 查封、扣押: up to 30 days).
    pub fn spec_with_extension(
        &self,
        id: &str,
        anchor: Anchor,
        extension: Option<u32>,
        suspensions: Vec<Suspension>,
    ) -> Result<DeadlineSpec, CalendarError> {
        let rule = self.get(id)?;
        if !suspensions.is_empty() && !rule.suspendable {
            return Err(CalendarError::InvalidSuspension {
                index: 0,
                reason: format!("rule `{id}` ({}) cannot be suspended", rule.name),
            });
        }
        Ok(DeadlineSpec {
            anchor,
            period: rule.period_with_extension(extension)?,
            suspensions,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::period::{Direction, Unit};

    #[test]
    fn embedded_covers_dl3() {
        let c = Catalog::embedded();
        let wd = |id: &str| {
            let r = c.get(id).unwrap();
            (
                r.period.unit,
                r.period.length,
                r.extension.as_ref().map(|e| e.max_length),
            )
        };
        assert_eq!(
            wd("pub.decision.license_penalty"),
            (Unit::Workdays, 7, None)
        );
        assert_eq!(wd("pub.decision.other"), (Unit::Workdays, 20, None));
        assert_eq!(wd("pub.withdrawal"), (Unit::Workdays, 2, None));
        assert_eq!(wd("rec.av_upload"), (Unit::Hours, 24, None));
        assert_eq!(wd("rec.case_file"), (Unit::Days, 30, None));
        assert_eq!(wd("rev.opinion"), (Unit::Workdays, 3, Some(2)));
        assert_eq!(
            wd("report.enforcement_statistics").0,
            Unit::AnnualDate { month: 1, day: 31 }
        );
        assert_eq!(wd("report.av_equipment").1, 1);
        assert_eq!(wd("penalty.decision"), (Unit::Days, 90, None));
        assert_eq!(wd("penalty.service"), (Unit::Workdays, 7, None));
        assert_eq!(wd("penalty.payment"), (Unit::Days, 15, None));
        assert_eq!(wd("penalty.hearing_request"), (Unit::Workdays, 5, None));
        assert_eq!(wd("penalty.hearing_notice"), (Unit::Workdays, 7, None));
        assert_eq!(
            c.get("penalty.hearing_notice").unwrap().period.direction,
            Direction::Before
        );
        assert_eq!(
            wd("penalty.preservation_disposal"),
            (Unit::Workdays, 7, None)
        );
        assert_eq!(wd("compulsion.seizure"), (Unit::Days, 30, Some(30)));
        assert_eq!(wd("license.decision"), (Unit::Workdays, 20, Some(10)));
        assert_eq!(wd("penalty.limitation"), (Unit::Years, 2, None));
        assert_eq!(wd("penalty.limitation.extended"), (Unit::Years, 5, None));
        assert_eq!(wd("pub.period.general.min"), (Unit::Months, 3, None));
        assert_eq!(wd("pub.period.serious.max"), (Unit::Years, 3, None));
    }

    #[test]
    fn province_override() {
        let s: CatalogSettings = serde_json::from_str(
            r#"{"overrides":{"rev.opinion":{"length":7,"extension":3,"basis":"某省办法第十条"}}}"#,
        )
        .unwrap();
        let c = Catalog::embedded().with_settings(&s).unwrap();
        let r = c.get("rev.opinion").unwrap();
        assert_eq!(r.period(false).unwrap().length, 7);
        assert_eq!(r.period(true).unwrap().length, 10);
        assert!(r.basis.contains("某省办法第十条"));

        let bad: CatalogSettings =
            serde_json::from_str(r#"{"overrides":{"no.such":{"length":1}}}"#).unwrap();
        assert!(matches!(
            Catalog::embedded().with_settings(&bad),
            Err(CalendarError::UnknownRule { .. })
        ));
        let zero: CatalogSettings =
            serde_json::from_str(r#"{"overrides":{"rev.opinion":{"length":0}}}"#).unwrap();
        assert!(Catalog::embedded().with_settings(&zero).is_err());
    }

    #[test]
    fn suspension_only_where_allowed() {
        let c = Catalog::embedded();
        let a = Anchor::Date(time::macros::date!(2026 - 11 - 02));
        let s = vec![Suspension {
            from: time::macros::date!(2026 - 11 - 05),
            until: None,
        }];
        assert!(c.spec("pub.withdrawal", a, false, s.clone()).is_err());
        assert!(c.spec("license.decision", a, true, s).is_ok());
        assert!(c.spec("pub.withdrawal", a, true, vec![]).is_err());
    }
}
