//! Who may act on a case (处罚法第四十二条, 强制法第十八条): investigation, inspection and
//! compulsion steps are taken by at least two officers, each holding a certificate valid on the
//! day that covers the case's domain and region (REG-2, `Officer::may_act`).

use crate::error::DomainError;
use crate::registry::{EnforcementDomain, Officer};
use time::Date;

/// The fewest officers an investigation, inspection or compulsion step names.
pub const MIN_OFFICERS: usize = 2;

/// Checks the officers a step names. The refusal names the statute and, for an officer who may
/// not act, the officer and why (suspended, expired, not yet valid, other domain or region).
pub fn check_team(
    officers: &[&Officer],
    domain: EnforcementDomain,
    region: &str,
    day: Date,
) -> Result<(), DomainError> {
    let mut ids: Vec<_> = officers.iter().map(|o| o.id).collect();
    ids.sort();
    ids.dedup();
    if ids.len() < MIN_OFFICERS {
        return Err(DomainError::invalid(
            "officer_ids",
            "too_few_officers",
            format!(
                "执法人员不得少于两人（《行政处罚法》第四十二条、《行政强制法》第十八条），本次只有 {} 人",
                ids.len()
            ),
        )
        .rule("REG-2"));
    }
    for o in officers {
        o.may_act(domain, region, day).map_err(|mut e| {
            e.field = Some("officer_ids".into());
            e.message = format!(
                "{}，不能参与本案执法（《行政处罚法》第四十二条）",
                e.message
            );
            e
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::CertificateStatus;
    use time::macros::date;
    use uuid::Uuid;

    fn officer(n: u128, name: &str) -> Officer {
        Officer {
            id: Uuid::from_u128(n),
            agency_id: Uuid::nil(),
            name: name.into(),
            id_number: String::new(),
            certificate_no: format!("YH{n:04}"),
            categories: vec!["市场监管".into()],
            region: "340102".into(),
            valid_from: date!(2024 - 01 - 01),
            valid_to: date!(2027 - 12 - 31),
            status: CertificateStatus::Valid,
            legal_qualification: None,
            trainings: vec![],
        }
    }

    #[test]
    fn two_certified_officers_act_one_alone_does_not() {
        let market = EnforcementDomain::parse("市场监管").unwrap();
        let day = date!(2026 - 12 - 01);
        let (a, b) = (officer(1, "张明"), officer(2, "李强"));
        assert!(check_team(&[&a, &b], market, "340102", day).is_ok());
        let e = check_team(&[&a], market, "340102", day).unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.field.as_deref()),
            ("too_few_officers", Some("officer_ids"))
        );
        assert_eq!(
            check_team(&[&a, &a], market, "340102", day)
                .unwrap_err()
                .code,
            "too_few_officers"
        );
        let suspended = Officer {
            status: CertificateStatus::Suspended,
            ..officer(3, "王五")
        };
        let e = check_team(&[&a, &suspended], market, "340102", day).unwrap_err();
        assert!(
            e.message.contains("王五") && e.message.contains("第四十二条"),
            "{}",
            e.message
        );
        let expired = Officer {
            valid_to: date!(2026 - 11 - 30),
            ..officer(4, "赵六")
        };
        assert_eq!(
            check_team(&[&a, &expired], market, "340102", day)
                .unwrap_err()
                .code,
            "certificate_expired"
        );
        assert_eq!(
            check_team(&[&a, &b], market, "340103", day)
                .unwrap_err()
                .code,
            "outside_region"
        );
    }
}
