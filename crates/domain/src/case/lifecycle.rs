//! The order of a penalty case under the ordinary procedure (普通程序, REC-1): 立案 → 调查取证 →
//! 审查决定 → 送达 → 执行 → 结案 → 归档, as a state the case's events build and the one rule
//! that says whether a step may be taken now — and, when it may not, which article or which
//! missing record stops it. The same state answers "what does the case need next", so the work
//! list and the refusal never disagree.

use crate::error::DomainError;
use serde::{Deserialize, Serialize};
use time::Date;
use zhifa_calendar::Calendar;

/// The stages of REC-1.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// 立案
    Filed,
    /// 调查取证
    Investigation,
    /// 审查决定
    Decision,
    /// 送达
    Service,
    /// 执行
    Execution,
    /// 结案
    Closed,
    /// 归档
    Archived,
}

impl Stage {
    pub fn label(self) -> &'static str {
        match self {
            Stage::Filed => "立案",
            Stage::Investigation => "调查取证",
            Stage::Decision => "审查决定",
            Stage::Service => "送达",
            Stage::Execution => "执行",
            Stage::Closed => "结案",
            Stage::Archived => "归档",
        }
    }
}

/// A step of the ordinary procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// 调查取证：询问笔录、现场检查（勘验）笔录
    RecordInvestigation,
    /// 行政处罚事先告知（第四十四条）
    ServeNotice,
    /// 陈述申辩笔录（第四十五条）
    RecordStatement,
    /// 听证申请（第六十四条）
    RequestHearing,
    /// 听证（第六十四条、第六十五条）
    HoldHearing,
    /// 作出决定（第五十七条至第五十九条）
    Decide,
    /// 作出不予行政处罚决定（第三十条、第三十一条、第三十三条、第三十六条、第五十七条）
    DecideNoPenalty,
    /// 送达决定书（第六十一条）
    ServeDecision,
    /// 缴纳罚款（第六十七条）
    RecordPayment,
    /// 结案
    Close,
    /// 归档
    Archive,
}

impl Step {
    pub fn label(self) -> &'static str {
        match self {
            Step::RecordInvestigation => "调查取证",
            Step::ServeNotice => "送达行政处罚事先告知书",
            Step::RecordStatement => "记录陈述申辩",
            Step::RequestHearing => "登记听证申请",
            Step::HoldHearing => "举行听证",
            Step::Decide => "作出处罚决定",
            Step::DecideNoPenalty => "作出不予行政处罚决定",
            Step::ServeDecision => "送达处罚决定书",
            Step::RecordPayment => "登记缴纳罚款",
            Step::Close => "结案",
            Step::Archive => "归档",
        }
    }
}

/// What the procedure rules know of a penalty case (folded from its events).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Progress {
    pub filed_on: Option<Date>,
    /// 询问笔录 and 现场检查笔录 recorded.
    pub investigation_records: u32,
    pub notice_served_on: Option<Date>,
    /// The proposed penalty gives the right to a hearing (第六十三条), as told in the notice.
    pub hearing_right: bool,
    pub statement_recorded: bool,
    /// The party declared in writing that it will neither state nor ask for a hearing.
    pub rights_waived: bool,
    pub hearing_requested_on: Option<Date>,
    pub hearing_held_on: Option<Date>,
    /// Marked for legal review (第五十八条); the decision waits for an approving opinion.
    pub needs_review: bool,
    pub review_approved: bool,
    pub decided_on: Option<Date>,
    /// The fine decided, in fen (0: no fine).
    pub fine_fen: i64,
    pub decision_served_on: Option<Date>,
    pub paid_fen: i64,
    /// Decided not to punish (不予行政处罚决定): no fine, nothing to execute.
    #[serde(default)]
    pub no_penalty: bool,
    pub closed_on: Option<Date>,
    pub archived_on: Option<Date>,
    /// The day of the latest step: no step is dated before it.
    #[serde(default)]
    pub last_step_on: Option<Date>,
}

/// Working days the party has to state and defend itself after the notice, unless it does so
/// or waives the right earlier (a provincial setting; 3 is common).
pub const STATEMENT_WORKDAYS: u32 = 3;
/// 第六十四条: the hearing is asked for within five working days of the notice.
pub const HEARING_REQUEST_WORKDAYS: u32 = 5;

impl Progress {
    pub fn stage(&self) -> Stage {
        if self.archived_on.is_some() {
            Stage::Archived
        } else if self.closed_on.is_some() {
            Stage::Closed
        } else if self.decision_served_on.is_some() {
            Stage::Execution
        } else if self.decided_on.is_some() {
            Stage::Service
        } else if self.notice_served_on.is_some() {
            Stage::Decision
        } else if self.investigation_records > 0 {
            Stage::Investigation
        } else {
            Stage::Filed
        }
    }

    /// The steps the case may take now (each would pass [`check_step`] on `on`).
    pub fn next_steps(&self, cal: &Calendar, on: Date) -> Vec<Step> {
        use Step::*;
        [
            RecordInvestigation,
            ServeNotice,
            RecordStatement,
            RequestHearing,
            HoldHearing,
            Decide,
            DecideNoPenalty,
            ServeDecision,
            RecordPayment,
            Close,
            Archive,
        ]
        .into_iter()
        .filter(|s| check_step(self, *s, on, cal).is_ok())
        .collect()
    }
}

fn refuse(code: &str, message: String) -> DomainError {
    let mut e = DomainError::conflict(Some("step"), code, message);
    e.rule = Some("REC-1");
    e
}

fn not_before(what: Date, on: Date, field: &'static str) -> Result<(), DomainError> {
    if on < what {
        return Err(DomainError::invalid(
            field,
            "before_previous_step",
            format!(
                "日期 {} 早于上一步骤的日期 {}",
                crate::registry::format_date(on),
                crate::registry::format_date(what)
            ),
        ));
    }
    Ok(())
}

/// May `step` be taken on `on`? Out-of-order steps are refused naming what is missing; the
/// decision waits for the notice, the statement and hearing periods, the hearing asked for and
/// the legal review (处罚法第四十四条、第四十五条、第五十八条、第六十二条至第六十五条).
pub fn check_step(p: &Progress, step: Step, on: Date, cal: &Calendar) -> Result<(), DomainError> {
    let stage = p.stage();
    let Some(filed) = p.filed_on else {
        return Err(refuse("not_filed", "案件尚未立案".into()));
    };
    not_before(p.last_step_on.unwrap_or(filed).max(filed), on, "on")?;
    if stage >= Stage::Closed && !matches!(step, Step::Archive) {
        return Err(refuse(
            "case_closed",
            format!("案件已{}，不能再{}", stage.label(), step.label()),
        ));
    }
    let cal_err = |e: zhifa_calendar::CalendarError| {
        DomainError::invalid("on", "calendar", e.message_zh()).rule("DL-1")
    };
    match step {
        Step::RecordInvestigation => {
            if stage > Stage::Decision {
                return Err(refuse(
                    "decided",
                    "处罚决定已作出，不能再补充调查取证".into(),
                ));
            }
        }
        Step::ServeNotice => {
            if p.investigation_records == 0 {
                return Err(refuse(
                    "record_missing",
                    "告知前须有调查取证记录（询问笔录或现场检查（勘验）笔录，REC-2）".into(),
                ));
            }
            if p.notice_served_on.is_some() {
                return Err(refuse("already_noticed", "事先告知书已送达".into()));
            }
        }
        Step::RecordStatement
            if p.hearing_requested_on.is_some() && p.hearing_held_on.is_none() =>
        {
            // A written waiver after a hearing was asked for would silently drop the hearing;
            // the statement is taken at the hearing (a withdrawal of the request is not
            // modelled yet).
            return Err(refuse(
                "hearing_pending",
                "当事人已申请听证，陈述申辩在听证中进行（《行政处罚法》第六十五条）".into(),
            ));
        }
        Step::RecordStatement | Step::RequestHearing => {
            let Some(noticed) = p.notice_served_on else {
                return Err(refuse(
                    "notice_missing",
                    format!(
                        "{}须在送达行政处罚事先告知书之后（《行政处罚法》第四十四条）",
                        step.label()
                    ),
                ));
            };
            not_before(noticed, on, "on")?;
            if p.decided_on.is_some() {
                return Err(refuse("decided", "处罚决定已作出".into()));
            }
            if step == Step::RequestHearing {
                if !p.hearing_right {
                    return Err(refuse(
                        "no_hearing_right",
                        "拟作出的处罚不属于应当告知听证权利的情形（《行政处罚法》第六十三条）"
                            .into(),
                    ));
                }
                if p.hearing_requested_on.is_some() {
                    return Err(refuse("already_requested", "当事人已申请听证".into()));
                }
                if p.rights_waived {
                    return Err(refuse(
                        "rights_waived",
                        "当事人已书面放弃陈述、申辩和听证的权利".into(),
                    ));
                }
                let last = cal
                    .add_workdays(noticed, HEARING_REQUEST_WORKDAYS)
                    .map_err(cal_err)?;
                if on > last {
                    return Err(refuse(
                        "hearing_request_late",
                        format!(
                            "听证申请应在告知后五个工作日内（截至 {}）提出（《行政处罚法》第六十四条）",
                            crate::registry::format_date(last)
                        ),
                    ));
                }
            }
        }
        Step::HoldHearing => {
            let Some(requested) = p.hearing_requested_on else {
                return Err(refuse("no_hearing_request", "当事人未申请听证".into()));
            };
            not_before(requested, on, "on")?;
            if p.hearing_held_on.is_some() {
                return Err(refuse("already_heard", "听证已举行".into()));
            }
            if p.decided_on.is_some() {
                return Err(refuse("decided", "处罚决定已作出".into()));
            }
            // 第六十四条（二）: the party is told time and place seven (working) days before;
            // the notice cannot precede the request.
            if !cal.hearing_notice_ok(requested, on).map_err(cal_err)? {
                let earliest = cal.earliest_hearing_day(requested).map_err(cal_err)?;
                return Err(refuse(
                    "hearing_too_soon",
                    format!(
                        "听证应在通知当事人七个工作日后举行，最早 {}（《行政处罚法》第六十四条）",
                        crate::registry::format_date(earliest)
                    ),
                ));
            }
        }
        Step::Decide => {
            let Some(noticed) = p.notice_served_on else {
                return Err(refuse(
                    "notice_missing",
                    "作出处罚决定前须告知拟作出的处罚内容及事实、理由、依据和陈述、申辩、听证的权利（《行政处罚法》第四十四条）".into(),
                ));
            };
            if p.decided_on.is_some() {
                return Err(refuse("already_decided", "处罚决定已作出".into()));
            }
            not_before(noticed, on, "on")?;
            if !p.statement_recorded && !p.rights_waived {
                let ends = cal
                    .add_workdays(noticed, STATEMENT_WORKDAYS)
                    .map_err(cal_err)?;
                if on <= ends {
                    return Err(refuse(
                        "statement_period_running",
                        format!(
                            "陈述、申辩期限至 {} 届满，此前当事人未陈述申辩也未放弃，不能作出决定（《行政处罚法》第四十五条、第六十二条）",
                            crate::registry::format_date(ends)
                        ),
                    ));
                }
            }
            if p.hearing_requested_on.is_some() && p.hearing_held_on.is_none() {
                return Err(refuse(
                    "hearing_pending",
                    "当事人已申请听证，听证结束前不能作出决定（《行政处罚法》第六十五条）".into(),
                ));
            }
            if p.hearing_right && !p.rights_waived {
                match (p.hearing_requested_on, p.hearing_held_on) {
                    (Some(_), None) => {
                        return Err(refuse(
                            "hearing_pending",
                            "当事人已申请听证，听证结束前不能作出决定（《行政处罚法》第六十五条）"
                                .into(),
                        ));
                    }
                    (None, _) => {
                        let last = cal
                            .add_workdays(noticed, HEARING_REQUEST_WORKDAYS)
                            .map_err(cal_err)?;
                        if on <= last {
                            return Err(refuse(
                                "hearing_period_running",
                                format!(
                                    "听证申请期限至 {} 届满，此前不能作出决定（《行政处罚法》第六十四条）",
                                    crate::registry::format_date(last)
                                ),
                            ));
                        }
                    }
                    (Some(_), Some(_)) => {}
                }
            }
            if p.needs_review && !p.review_approved {
                let mut e = refuse(
                    "review_missing",
                    "本案经过听证程序，须经法制审核；未经法制审核或审核未通过的，不得作出决定（《行政处罚法》第五十八条）".into(),
                );
                e.rule = Some("REV-6");
                return Err(e);
            }
        }
        Step::DecideNoPenalty => {
            // Not punishing takes no notice (第四十四条 is about a penalty to be imposed), but
            // it rests on the facts found: an investigation record first (REC-2).
            if p.investigation_records == 0 {
                return Err(refuse(
                    "record_missing",
                    "作出不予行政处罚决定前须有调查取证记录（询问笔录或现场检查（勘验）笔录，REC-2）"
                        .into(),
                ));
            }
            if p.decided_on.is_some() {
                return Err(refuse("already_decided", "案件已作出决定".into()));
            }
            if p.needs_review && !p.review_approved {
                let mut e = refuse(
                    "review_missing",
                    "本案须经法制审核；未经法制审核或审核未通过的，不得作出决定（《行政处罚法》第五十八条）".into(),
                );
                e.rule = Some("REV-6");
                return Err(e);
            }
        }
        Step::ServeDecision => {
            let Some(decided) = p.decided_on else {
                return Err(refuse("not_decided", "尚未作出处罚决定".into()));
            };
            not_before(decided, on, "on")?;
            if p.decision_served_on.is_some() {
                return Err(refuse("already_served", "处罚决定书已送达".into()));
            }
        }
        Step::RecordPayment => {
            if p.decision_served_on.is_none() {
                return Err(refuse("not_served", "处罚决定书送达后才能登记缴款".into()));
            }
            if p.fine_fen == 0 {
                return Err(refuse("no_fine", "本案没有罚款".into()));
            }
            if p.paid_fen >= p.fine_fen {
                return Err(refuse("paid", "罚款已缴清".into()));
            }
        }
        Step::Close => {
            if p.decision_served_on.is_none() {
                return Err(refuse(
                    "not_served",
                    "处罚决定书送达并执行完毕后才能结案".into(),
                ));
            }
            if p.paid_fen < p.fine_fen {
                return Err(refuse(
                    "unpaid",
                    format!(
                        "罚款尚未缴清（已缴 {} 分，应缴 {} 分），不能结案；逾期不缴可申请强制执行",
                        p.paid_fen, p.fine_fen
                    ),
                ));
            }
        }
        Step::Archive => {
            if p.closed_on.is_none() {
                return Err(refuse("not_closed", "结案后才能归档".into()));
            }
            if p.archived_on.is_some() {
                return Err(refuse("archived", "案件已归档".into()));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn cal() -> Calendar {
        Calendar::embedded()
    }

    fn filed() -> Progress {
        Progress {
            filed_on: Some(date!(2026 - 03 - 02)),
            ..Default::default()
        }
    }

    #[test]
    fn the_ordinary_procedure_in_order() {
        let cal = cal();
        let mut p = filed();
        assert_eq!(p.stage(), Stage::Filed);
        let d = |s: &str| {
            time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).unwrap()
        };
        assert_eq!(
            check_step(&p, Step::ServeNotice, d("2026-03-03"), &cal)
                .unwrap_err()
                .code,
            "record_missing"
        );
        assert_eq!(
            p.next_steps(&cal, d("2026-03-03")),
            vec![Step::RecordInvestigation]
        );
        p.investigation_records = 1;
        assert_eq!(p.stage(), Stage::Investigation);
        assert!(check_step(&p, Step::ServeNotice, d("2026-03-05"), &cal).is_ok());
        p.notice_served_on = Some(d("2026-03-05")); // a Thursday
        p.hearing_right = true;
        p.fine_fen = 5_000_000;
        // Statement period: 3 working days (to Tuesday 10 March); hearing period: 5 (to 12 March).
        let e = check_step(&p, Step::Decide, d("2026-03-10"), &cal).unwrap_err();
        assert_eq!(e.code, "statement_period_running");
        assert!(e.message.contains("2026-03-10"), "{}", e.message);
        p.statement_recorded = true;
        let e = check_step(&p, Step::Decide, d("2026-03-12"), &cal).unwrap_err();
        assert_eq!(e.code, "hearing_period_running");
        assert_eq!(
            check_step(&p, Step::RequestHearing, d("2026-03-13"), &cal)
                .unwrap_err()
                .code,
            "hearing_request_late"
        );
        assert!(check_step(&p, Step::Decide, d("2026-03-13"), &cal).is_ok());
        p.decided_on = Some(d("2026-03-13"));
        assert_eq!(p.stage(), Stage::Service);
        assert_eq!(
            check_step(&p, Step::RecordPayment, d("2026-03-14"), &cal)
                .unwrap_err()
                .code,
            "not_served"
        );
        p.decision_served_on = Some(d("2026-03-16"));
        assert_eq!(p.stage(), Stage::Execution);
        assert_eq!(
            check_step(&p, Step::Close, d("2026-03-20"), &cal)
                .unwrap_err()
                .code,
            "unpaid"
        );
        p.paid_fen = 5_000_000;
        assert_eq!(p.next_steps(&cal, d("2026-03-20")), vec![Step::Close]);
        p.closed_on = Some(d("2026-03-20"));
        assert_eq!(
            check_step(&p, Step::RecordInvestigation, d("2026-03-21"), &cal)
                .unwrap_err()
                .code,
            "case_closed"
        );
        assert_eq!(p.next_steps(&cal, d("2026-03-21")), vec![Step::Archive]);
        p.archived_on = Some(d("2026-03-21"));
        assert_eq!(p.stage(), Stage::Archived);
        assert!(p.next_steps(&cal, d("2026-03-22")).is_empty());
    }

    #[test]
    fn a_hearing_asked_for_holds_the_decision_and_review_gates_it() {
        let cal = cal();
        let mut p = filed();
        p.investigation_records = 2;
        p.notice_served_on = Some(date!(2026 - 03 - 05));
        p.hearing_right = true;
        p.statement_recorded = true;
        assert!(check_step(&p, Step::RequestHearing, date!(2026 - 03 - 12), &cal).is_ok());
        p.hearing_requested_on = Some(date!(2026 - 03 - 12));
        assert_eq!(
            check_step(&p, Step::Decide, date!(2026 - 04 - 01), &cal)
                .unwrap_err()
                .code,
            "hearing_pending"
        );
        p.hearing_held_on = Some(date!(2026 - 03 - 25));
        p.needs_review = true;
        let e = check_step(&p, Step::Decide, date!(2026 - 04 - 01), &cal).unwrap_err();
        assert_eq!((e.code.as_str(), e.rule), ("review_missing", Some("REV-6")));
        p.review_approved = true;
        assert!(check_step(&p, Step::Decide, date!(2026 - 04 - 01), &cal).is_ok());
        // A waiver in writing ends the periods at once.
        let mut w = filed();
        w.investigation_records = 1;
        w.notice_served_on = Some(date!(2026 - 03 - 05));
        w.hearing_right = true;
        w.rights_waived = true;
        assert!(check_step(&w, Step::Decide, date!(2026 - 03 - 06), &cal).is_ok());
        // A step dated before the previous one is refused naming the date.
        assert_eq!(
            check_step(&w, Step::Decide, date!(2026 - 03 - 04), &cal)
                .unwrap_err()
                .code,
            "before_previous_step"
        );
    }

    #[test]
    fn no_hearing_right_no_request_and_no_fine_no_payment() {
        let cal = cal();
        let mut p = filed();
        p.investigation_records = 1;
        p.notice_served_on = Some(date!(2026 - 03 - 05));
        assert_eq!(
            check_step(&p, Step::RequestHearing, date!(2026 - 03 - 06), &cal)
                .unwrap_err()
                .code,
            "no_hearing_right"
        );
        p.rights_waived = true;
        p.decided_on = Some(date!(2026 - 03 - 06));
        p.decision_served_on = Some(date!(2026 - 03 - 06));
        assert_eq!(
            check_step(&p, Step::RecordPayment, date!(2026 - 03 - 07), &cal)
                .unwrap_err()
                .code,
            "no_fine"
        );
        assert!(
            check_step(&p, Step::Close, date!(2026 - 03 - 07), &cal).is_ok(),
            "a warning closes at once"
        );
    }
}
