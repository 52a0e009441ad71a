//! The annual enforcement statistics (PUB-9): the duty and its publication.

use super::{Deadline, DutyStart, open};
use crate::auth::{Actor, Permission};
use crate::error::{DomainError, required};
use crate::registry::Agency;
use serde::{Deserialize, Serialize};
use time::{Date, Month};
use uuid::Uuid;
use zhifa_calendar::{Anchor, Calendar, Catalog};

/// The rule of PUB-9: each enforcement body publishes the previous year's statistics.
pub const ANNUAL_STATISTICS: &str = "report.enforcement_statistics";

/// Bodies that enforce (not the people's governments themselves) owe the annual statistics.
pub fn owes_annual_statistics(a: &Agency) -> bool {
    !a.is_government()
}

/// The PUB-9 duty for `year`'s statistics: runs from the end of that year to 31 January.
pub fn annual_statistics_duty(
    catalog: &Catalog,
    calendar: &Calendar,
    id: Uuid,
    agency: &Agency,
    year: i32,
) -> Result<Deadline, DomainError> {
    let year_end = Date::from_calendar_date(year, Month::December, 31)
        .map_err(|_| DomainError::invalid("year", "bad_year", "年度无效"))?;
    open(
        catalog,
        calendar,
        DutyStart {
            id,
            rule_id: ANNUAL_STATISTICS.into(),
            agency_id: agency.id,
            subject: format!("agency-{}", agency.id),
            title: format!("公开 {year} 年度行政执法统计年报"),
            anchor: Anchor::Date(year_end),
        },
    )
}

/// The report year a PUB-9 deadline is about (its anchor's year).
pub fn report_year(d: &Deadline) -> i32 {
    d.anchor.date().year()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AnnualReport {
    pub agency_id: Uuid,
    pub year: i32,
    pub title: String,
    /// Where it is published (the agency's site or the public platform).
    pub url: String,
    pub published_on: Date,
}

/// PUB-9: an agency head or publisher records that the year's statistics are published.
/// The report may only be for a finished year, and not from the future.
pub fn decide_annual_report(
    actor: &Actor,
    agency: &Agency,
    year: i32,
    title: &str,
    url: &str,
    today: Date,
) -> Result<AnnualReport, DomainError> {
    actor.require(Permission::PublishAnnualReport)?;
    if !owes_annual_statistics(agency) {
        return Err(DomainError::invalid(
            "agency_id",
            "not_an_enforcement_body",
            format!("{}不是执法主体，没有年度执法统计年报", agency.name),
        )
        .rule("PUB-9"));
    }
    if year >= today.year() || year < 2019 {
        return Err(DomainError::invalid(
            "year",
            "not_finished",
            format!(
                "只能公开已结束年度（2019 年至 {} 年）的统计年报",
                today.year() - 1
            ),
        )
        .rule("PUB-9"));
    }
    let url = required("url", url, 500)?;
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(DomainError::invalid(
            "url",
            "bad_url",
            "公开地址应为 http(s):// 开头的网址",
        ));
    }
    Ok(AnnualReport {
        agency_id: agency.id,
        year,
        title: required("title", title, 200)?,
        url,
        published_on: today,
    })
}
