//! The party of a case (当事人): a citizen, identified by a resident (or foreign permanent
//! resident) ID number, or an organisation, identified by its unified social credit code.

use crate::error::DomainError;
use serde::{Deserialize, Serialize};

/// Whether the party is a natural person or a legal person / other organisation: the statute's
/// limits differ (处罚法第五十一条: 200 yuan for a citizen, 3,000 for an organisation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartyKind {
    /// 公民
    Citizen,
    /// 法人或者其他组织
    Organisation,
}

impl PartyKind {
    pub fn label(self) -> &'static str {
        match self {
            PartyKind::Citizen => "公民",
            PartyKind::Organisation => "法人或者其他组织",
        }
    }
}

/// The party's identifier, checked and normalised: a citizen's ID number (GB 11643, or the
/// foreign permanent resident card), an organisation's credit code (GB 32100). The refusal
/// names the field and says what is wrong with the value.
pub fn check_party_id(
    kind: PartyKind,
    value: &str,
    today: time::Date,
) -> Result<String, DomainError> {
    let (ident, field) = match kind {
        PartyKind::Citizen => (zhifa_ident::Kind::Id, "party.id_number"),
        PartyKind::Organisation => (zhifa_ident::Kind::Uscc, "party.id_number"),
    };
    ident.normalize_at(value.trim(), today).map_err(|e| {
        DomainError::invalid(
            field,
            e.code(),
            format!("{}无效：{e}", ident.field_name_zh()),
        )
        .rule("REG-7")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    /// A credit code with its GB 32100 check character (weights 3^i mod 31).
    fn uscc(body17: &str) -> String {
        const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
        let sum: usize = body17
            .chars()
            .enumerate()
            .map(|(i, c)| ALPHABET.find(c).unwrap() * (3usize.pow(i as u32) % 31))
            .sum();
        let check = (31 - sum % 31) % 31;
        format!("{body17}{}", ALPHABET.chars().nth(check).unwrap())
    }

    #[test]
    fn each_kind_takes_its_own_identifier() {
        let today = date!(2026 - 12 - 01);
        assert_eq!(
            check_party_id(PartyKind::Citizen, " 340102198512124633 ", today).unwrap(),
            "340102198512124633"
        );
        let e = check_party_id(PartyKind::Citizen, "340102198512124634", today).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("party.id_number"));
        assert!(e.message.contains("公民身份号码"), "{}", e.message);
        let code = uscc("91340100MA2N0X1LX");
        assert_eq!(
            check_party_id(PartyKind::Organisation, &code, today).unwrap(),
            code
        );
        let e = check_party_id(PartyKind::Organisation, "340102198512124633", today).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("party.id_number"));
        assert!(e.message.contains("统一社会信用代码"), "{}", e.message);
        // A citizen's number is not an organisation's and the other way round.
        assert!(check_party_id(PartyKind::Citizen, &code, today).is_err());
    }
}
