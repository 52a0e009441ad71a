//! The penalty rules of 《中华人民共和国行政处罚法》 (2021) that a case's steps check: the
//! limitation period (第三十六条), the simplified procedure's limits (第五十一条), on-the-spot
//! collection (第六十八条、第六十九条), the fine against the item's discretion benchmark
//! (第三十四条, REG-6), the right to a hearing (第六十三条) and the late-payment surcharge
//! (第七十二条). Money is integer fen.

use super::PartyKind;
use crate::error::DomainError;
use crate::registry::{DiscretionBenchmark, Severity};
use serde::{Deserialize, Serialize};
use time::Date;

const FEN_PER_YUAN: i64 = 100;

// ───────────── limitation (第三十六条) ─────────────

/// The offence as the limitation rule needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offence {
    /// 违法行为发生之日.
    pub committed_on: Date,
    /// For a continuing or repeated offence (连续或者继续状态), the day it ended.
    pub ended_on: Option<Date>,
    /// It endangered life, health or financial safety and harm resulted (涉及公民生命健康安全、
    /// 金融安全且有危害后果): five years instead of two.
    pub grave_harm: bool,
}

impl Offence {
    /// The day the period starts: the end of a continuing offence, else the day it happened.
    pub fn limitation_start(&self) -> Date {
        self.ended_on
            .filter(|end| *end > self.committed_on)
            .unwrap_or(self.committed_on)
    }

    pub fn limitation_years(&self) -> i32 {
        if self.grave_harm { 5 } else { 2 }
    }

    /// The last day on which discovering the offence still allows a penalty: the same day of
    /// the month `limitation_years` later (29 February → 28 February in a common year).
    pub fn limitation_last_day(&self) -> Date {
        add_years(self.limitation_start(), self.limitation_years())
    }
}

fn add_years(d: Date, years: i32) -> Date {
    let y = d.year() + years;
    Date::from_calendar_date(y, d.month(), d.day())
        .or_else(|_| Date::from_calendar_date(y, d.month(), d.day() - 1))
        .expect("the day before 29 February exists in every year")
}

/// 第三十六条: an offence not discovered within two years (five with grave harm) is no longer
/// punished. `discovered_on` is the day the agency found it (the case's filing at the latest).
pub fn check_limitation(offence: &Offence, discovered_on: Date) -> Result<(), DomainError> {
    if let Some(end) = offence.ended_on
        && end < offence.committed_on
    {
        return Err(DomainError::invalid(
            "offence.ended_on",
            "before_start",
            "违法行为终了之日不能早于发生之日",
        ));
    }
    if discovered_on < offence.committed_on {
        return Err(DomainError::invalid(
            "offence.committed_on",
            "after_discovery",
            "违法行为发生之日不能晚于发现（立案）之日",
        ));
    }
    let last = offence.limitation_last_day();
    if discovered_on > last {
        return Err(DomainError::invalid(
            "offence.committed_on",
            "limitation_expired",
            format!(
                "违法行为自 {} 起 {} 年内未被发现，{} 发现时已超过追责时效（截至 {}），依法不再给予行政处罚（《行政处罚法》第三十六条）",
                crate::registry::format_date(offence.limitation_start()),
                offence.limitation_years(),
                crate::registry::format_date(discovered_on),
                crate::registry::format_date(last),
            ),
        )
        .rule("DL-3"));
    }
    Ok(())
}

// ───────────── what a decision imposes ─────────────

/// One kind of penalty a decision imposes (第九条), as far as the procedure rules distinguish
/// them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Sanction {
    /// 警告、通报批评
    Warning,
    /// 罚款
    Fine { fen: i64 },
    /// 没收违法所得、没收非法财物 (with the value confiscated)
    Confiscation { fen: i64 },
    /// 暂扣许可证件、降低资质等级、吊销许可证件
    LicenceAction,
    /// 限制开展生产经营活动、责令停产停业、责令关闭、限制从业
    BusinessRestriction,
    /// 行政拘留
    Detention,
}

impl Sanction {
    pub fn label(&self) -> &'static str {
        match self {
            Sanction::Warning => "警告、通报批评",
            Sanction::Fine { .. } => "罚款",
            Sanction::Confiscation { .. } => "没收违法所得、没收非法财物",
            Sanction::LicenceAction => "暂扣、吊销许可证件或降低资质等级",
            Sanction::BusinessRestriction => "责令停产停业、责令关闭或限制从业",
            Sanction::Detention => "行政拘留",
        }
    }
}

/// The total of the fines of a decision.
pub fn fine_total(sanctions: &[Sanction]) -> i64 {
    sanctions
        .iter()
        .map(|s| match s {
            Sanction::Fine { fen } => *fen,
            _ => 0,
        })
        .sum()
}

/// 第五十一条: the largest fine decided on the spot (简易程序).
pub fn summary_fine_limit(party: PartyKind) -> i64 {
    match party {
        PartyKind::Citizen => 200 * FEN_PER_YUAN,
        PartyKind::Organisation => 3_000 * FEN_PER_YUAN,
    }
}

/// 第五十一条: a decision on the spot may impose a warning, or a fine of at most 200 yuan on a
/// citizen or 3,000 yuan on an organisation — nothing else; anything more follows the
/// ordinary procedure.
pub fn check_summary_procedure(
    party: PartyKind,
    sanctions: &[Sanction],
) -> Result<(), DomainError> {
    if sanctions.is_empty() {
        return Err(DomainError::invalid(
            "sanctions",
            "required",
            "当场处罚须写明处罚种类",
        ));
    }
    if let Some(other) = sanctions
        .iter()
        .find(|s| !matches!(s, Sanction::Warning | Sanction::Fine { .. }))
    {
        return Err(DomainError::invalid(
            "procedure",
            "summary_not_allowed",
            format!(
                "简易程序只能当场给予警告或限额内的罚款，「{}」须适用普通程序（《行政处罚法》第五十一条）",
                other.label()
            ),
        ));
    }
    let limit = summary_fine_limit(party);
    let total = fine_total(sanctions);
    if total > limit {
        return Err(DomainError::invalid(
            "sanctions",
            "summary_fine_too_high",
            format!(
                "对{}当场罚款不得超过 {} 元，本案罚款 {} 元，须适用普通程序（《行政处罚法》第五十一条）",
                party.label(),
                limit / FEN_PER_YUAN,
                yuan(total)
            ),
        ));
    }
    Ok(())
}

/// Why a fine decided on the spot is collected on the spot (第六十八条、第六十九条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SpotCollectionGround {
    /// 依法给予一百元以下罚款
    SmallFine,
    /// 不当场收缴事后难以执行
    HardToEnforceLater,
    /// 在边远、水上、交通不便地区，当事人到指定银行缴纳确有困难并提出
    RemoteAreaAtPartysRequest,
}

/// 第六十八条、第六十九条: collecting the fine on the spot only for a summary decision and on
/// a ground the statute names; the 100-yuan ground only for a fine of at most 100 yuan.
pub fn check_spot_collection(
    summary: bool,
    fine_fen: i64,
    ground: SpotCollectionGround,
) -> Result<(), DomainError> {
    if !summary && ground != SpotCollectionGround::RemoteAreaAtPartysRequest {
        return Err(DomainError::invalid(
            "collection",
            "not_summary",
            "只有当场作出的行政处罚决定才能当场收缴罚款（边远、水上、交通不便地区经当事人提出的除外，《行政处罚法》第六十八条、第六十九条）",
        ));
    }
    if ground == SpotCollectionGround::SmallFine && fine_fen > 100 * FEN_PER_YUAN {
        return Err(DomainError::invalid(
            "collection",
            "fine_too_high",
            format!(
                "罚款 {} 元超过一百元，不能以“一百元以下罚款”为由当场收缴（《行政处罚法》第六十八条）",
                yuan(fine_fen)
            ),
        ));
    }
    Ok(())
}

// ───────────── discretion benchmark (第三十四条, REG-6) ─────────────

/// How a fine sits against the item's benchmark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BenchmarkFit {
    /// Within the range of the chosen circumstance.
    Within,
    /// Outside it, with the reason recorded (shown to supervisors).
    OutsideWithReason,
    /// The item has no benchmark yet (shown to supervisors as well).
    NoBenchmark,
}

/// Shortest reason accepted for a fine outside its benchmark.
pub const MIN_DEPARTURE_REASON: usize = 10;

/// 第三十四条 (REG-6): the fine is checked against the benchmark entry of the circumstance the
/// officer chose (its severity); outside that range only with a recorded reason.
pub fn check_fine_against_benchmark(
    benchmark: Option<&DiscretionBenchmark>,
    severity: Severity,
    fine_fen: i64,
    departure_reason: Option<&str>,
) -> Result<BenchmarkFit, DomainError> {
    if fine_fen < 0 {
        return Err(DomainError::invalid(
            "fine_fen",
            "negative",
            "罚款金额不能为负数",
        ));
    }
    let Some(b) = benchmark else {
        return Ok(BenchmarkFit::NoBenchmark);
    };
    let Some(entry) = b.entries.iter().find(|e| e.severity == severity) else {
        return Err(DomainError::invalid(
            "severity",
            "no_such_circumstance",
            "该事项的裁量基准没有所选的违法情节档次",
        )
        .rule("REG-6"));
    };
    if (entry.min_fine_fen..=entry.max_fine_fen).contains(&fine_fen) {
        return Ok(BenchmarkFit::Within);
    }
    match departure_reason.map(str::trim) {
        Some(r) if r.chars().count() >= MIN_DEPARTURE_REASON => Ok(BenchmarkFit::OutsideWithReason),
        _ => Err(DomainError::invalid(
            "departure_reason",
            "outside_benchmark",
            format!(
                "罚款 {} 元不在裁量基准「{}」的 {}–{} 元之内；超出基准须写明理由（不少于 {MIN_DEPARTURE_REASON} 字，《行政处罚法》第三十四条）",
                yuan(fine_fen),
                entry.circumstance,
                yuan(entry.min_fine_fen),
                yuan(entry.max_fine_fen)
            ),
        )
        .rule("REG-6")),
    }
}

// ───────────── hearing (第六十三条) ─────────────

/// 较大数额: the amounts from which a fine or confiscation gives the right to a hearing, set by
/// each province (and the State Council's departments) per party kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HearingThresholds {
    pub citizen_fen: i64,
    pub organisation_fen: i64,
}

impl Default for HearingThresholds {
    /// A common provincial setting (公民一万元、法人或者其他组织十万元); deployments set their own.
    fn default() -> Self {
        HearingThresholds {
            citizen_fen: 10_000 * FEN_PER_YUAN,
            organisation_fen: 100_000 * FEN_PER_YUAN,
        }
    }
}

/// 第六十三条: whether the party must be told of the right to a hearing: a large fine or
/// confiscation, a licence action, a business restriction (and other heavy penalties the law
/// names). A detention is heard under the public security law, not here.
pub fn hearing_right(party: PartyKind, sanctions: &[Sanction], t: &HearingThresholds) -> bool {
    let threshold = match party {
        PartyKind::Citizen => t.citizen_fen,
        PartyKind::Organisation => t.organisation_fen,
    };
    sanctions.iter().any(|s| match s {
        Sanction::Fine { fen } | Sanction::Confiscation { fen } => *fen >= threshold,
        Sanction::LicenceAction | Sanction::BusinessRestriction => true,
        Sanction::Warning | Sanction::Detention => false,
    })
}

// ───────────── late payment (第七十二条) ─────────────

/// 第七十二条: each day late adds 3 % of the fine, never more in all than the fine itself.
pub fn late_surcharge_fen(fine_fen: i64, days_late: i64) -> i64 {
    if fine_fen <= 0 || days_late <= 0 {
        return 0;
    }
    let uncapped = i128::from(fine_fen) * 3 * i128::from(days_late) / 100;
    uncapped.min(i128::from(fine_fen)) as i64
}

/// Fen as yuan for messages: `1234.5`, `200`.
fn yuan(fen: i64) -> String {
    if fen % FEN_PER_YUAN == 0 {
        (fen / FEN_PER_YUAN).to_string()
    } else {
        format!("{}.{:02}", fen / FEN_PER_YUAN, (fen % FEN_PER_YUAN).abs())
            .trim_end_matches('0')
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::DiscretionEntry;
    use time::macros::date;

    fn offence(on: Date, grave: bool) -> Offence {
        Offence {
            committed_on: on,
            ended_on: None,
            grave_harm: grave,
        }
    }

    #[test]
    fn two_years_or_five_from_the_act_or_its_end() {
        let o = offence(date!(2024 - 03 - 15), false);
        assert!(
            check_limitation(&o, date!(2026 - 03 - 15)).is_ok(),
            "the last day"
        );
        let e = check_limitation(&o, date!(2026 - 03 - 16)).unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.field.as_deref()),
            ("limitation_expired", Some("offence.committed_on"))
        );
        assert!(e.message.contains("第三十六条"));
        assert!(
            check_limitation(&offence(date!(2024 - 03 - 15), true), date!(2029 - 03 - 15)).is_ok()
        );
        let continuing = Offence {
            ended_on: Some(date!(2025 - 01 - 10)),
            ..o
        };
        assert!(check_limitation(&continuing, date!(2027 - 01 - 10)).is_ok());
        assert!(check_limitation(&continuing, date!(2027 - 01 - 11)).is_err());
        // 29 February: the period ends on 28 February of a common year.
        assert_eq!(
            offence(date!(2024 - 02 - 29), false).limitation_last_day(),
            date!(2026 - 02 - 28)
        );
        assert_eq!(
            check_limitation(&o, date!(2024 - 03 - 14))
                .unwrap_err()
                .code,
            "after_discovery"
        );
    }

    #[test]
    fn the_summary_procedure_keeps_to_its_limits() {
        use Sanction::*;
        assert!(check_summary_procedure(PartyKind::Citizen, &[Fine { fen: 20_000 }]).is_ok());
        let e = check_summary_procedure(PartyKind::Citizen, &[Fine { fen: 20_001 }]).unwrap_err();
        assert_eq!(e.code, "summary_fine_too_high");
        assert!(
            e.message.contains("200 元") && e.message.contains("200.01"),
            "{}",
            e.message
        );
        assert!(
            check_summary_procedure(PartyKind::Organisation, &[Warning, Fine { fen: 300_000 }])
                .is_ok()
        );
        assert!(
            check_summary_procedure(PartyKind::Organisation, &[Fine { fen: 300_001 }]).is_err()
        );
        assert_eq!(
            check_summary_procedure(PartyKind::Citizen, &[LicenceAction])
                .unwrap_err()
                .code,
            "summary_not_allowed"
        );
    }

    #[test]
    fn spot_collection_needs_a_statutory_ground() {
        use SpotCollectionGround::*;
        assert!(check_spot_collection(true, 10_000, SmallFine).is_ok());
        assert_eq!(
            check_spot_collection(true, 10_001, SmallFine)
                .unwrap_err()
                .code,
            "fine_too_high"
        );
        assert!(check_spot_collection(true, 300_000, HardToEnforceLater).is_ok());
        assert_eq!(
            check_spot_collection(false, 5_000, SmallFine)
                .unwrap_err()
                .code,
            "not_summary"
        );
        assert!(check_spot_collection(false, 500_000, RemoteAreaAtPartysRequest).is_ok());
    }

    fn benchmark() -> DiscretionBenchmark {
        DiscretionBenchmark {
            item_id: uuid::Uuid::nil(),
            entries: vec![DiscretionEntry {
                severity: Severity::General,
                circumstance: "首次违法且危害较小".into(),
                min_fine_fen: 100_000,
                max_fine_fen: 500_000,
                other_measures: String::new(),
            }],
        }
    }

    #[test]
    fn a_fine_outside_its_benchmark_needs_a_reason() {
        let b = benchmark();
        assert_eq!(
            check_fine_against_benchmark(Some(&b), Severity::General, 300_000, None).unwrap(),
            BenchmarkFit::Within
        );
        let e = check_fine_against_benchmark(Some(&b), Severity::General, 600_000, Some("太重"))
            .unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.field.as_deref(), e.rule),
            ("outside_benchmark", Some("departure_reason"), Some("REG-6"))
        );
        assert!(e.message.contains("1000–5000 元"), "{}", e.message);
        assert_eq!(
            check_fine_against_benchmark(
                Some(&b),
                Severity::General,
                600_000,
                Some("当事人拒不改正且多次违法，依法从重处罚")
            )
            .unwrap(),
            BenchmarkFit::OutsideWithReason
        );
        assert_eq!(
            check_fine_against_benchmark(None, Severity::General, 1, None).unwrap(),
            BenchmarkFit::NoBenchmark
        );
        assert_eq!(
            check_fine_against_benchmark(Some(&b), Severity::Serious, 300_000, None)
                .unwrap_err()
                .code,
            "no_such_circumstance"
        );
    }

    #[test]
    fn hearing_rights_follow_the_thresholds() {
        let t = HearingThresholds::default();
        use Sanction::*;
        assert!(!hearing_right(
            PartyKind::Citizen,
            &[Fine { fen: 999_999 }],
            &t
        ));
        assert!(hearing_right(
            PartyKind::Citizen,
            &[Fine { fen: 1_000_000 }],
            &t
        ));
        assert!(!hearing_right(
            PartyKind::Organisation,
            &[Fine { fen: 1_000_000 }],
            &t
        ));
        assert!(hearing_right(
            PartyKind::Organisation,
            &[Warning, LicenceAction],
            &t
        ));
        assert!(hearing_right(
            PartyKind::Citizen,
            &[Confiscation { fen: 2_000_000 }],
            &t
        ));
    }

    #[test]
    fn surcharges_grow_by_three_percent_a_day_up_to_the_fine() {
        assert_eq!(late_surcharge_fen(100_000, 1), 3_000);
        assert_eq!(late_surcharge_fen(100_000, 10), 30_000);
        assert_eq!(
            late_surcharge_fen(100_000, 34),
            100_000,
            "capped at the fine"
        );
        assert_eq!(late_surcharge_fen(100_000, 0), 0);
    }

    proptest::proptest! {
        #[test]
        fn surcharge_is_bounded_and_monotone(fine in 0i64..10_000_000_000, days in 0i64..100_000) {
            let s = late_surcharge_fen(fine, days);
            proptest::prop_assert!(s >= 0 && s <= fine);
            proptest::prop_assert!(s <= late_surcharge_fen(fine, days + 1));
        }

        #[test]
        fn the_limitation_ends_two_or_five_years_on(
            day in 0i64..20_000, grave in proptest::bool::ANY, later in 0i64..3_000
        ) {
            let on = date!(1990 - 01 - 01) + time::Duration::days(day);
            let o = offence(on, grave);
            let last = o.limitation_last_day();
            proptest::prop_assert_eq!(last.year() - on.year(), o.limitation_years());
            let discovered = on + time::Duration::days(later);
            proptest::prop_assert_eq!(check_limitation(&o, discovered).is_ok(), discovered <= last);
        }

        #[test]
        fn summary_decisions_never_exceed_the_statutory_limit(fen in 0i64..1_000_000, org in proptest::bool::ANY) {
            let party = if org { PartyKind::Organisation } else { PartyKind::Citizen };
            let ok = check_summary_procedure(party, &[Sanction::Fine { fen }]).is_ok();
            proptest::prop_assert_eq!(ok, fen <= summary_fine_limit(party));
        }
    }
}
