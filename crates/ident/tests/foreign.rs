//! REG-7: the 2023 Foreign Permanent Resident ID Card (外国人永久居留身份证) next to the
//! resident ID. Parties of a case can be foreigners (处罚法 Art. 84), so `id` must accept it.

use proptest::prelude::*;
use time::macros::date;
use zhifa_ident::*;

/// 9 + 11 (北京受理) + 840 (nationality) + 1985-06-15 + 001 + MOD 11-2 check.
fn card(body: &str) -> String {
    format!("{body}{}", id_check_digit(body).unwrap())
}

#[test]
fn foreign_card_2023_parses_with_parts_art84() {
    let number = card("91184019850615001");
    let id = ForeignPermanentResidentId::parse(&number).unwrap();
    assert_eq!(id.as_str(), number);
    assert_eq!(id.province_code(), "11");
    assert_eq!(id.nationality_code(), "840");
    assert_eq!(id.birth_date(), date!(1985 - 06 - 15));
    assert_eq!(id.sequence(), "001");
    assert_eq!(id.to_string(), number);
    // The generic entry point says which document it is.
    let p = PersonalId::parse_at(&number, date!(2026 - 01 - 01)).unwrap();
    assert_eq!(p.kind(), PersonalIdKind::ForeignPermanentResident);
    assert_eq!(p.kind().name_zh(), "外国人永久居留身份证");
    assert_eq!(p.birth_date(), date!(1985 - 06 - 15));
    // A citizen's number still reads as a resident ID, and `ResidentId` keeps refusing the card.
    let citizen = PersonalId::parse_at("11010519491231002X", date!(2026 - 01 - 01)).unwrap();
    assert_eq!(citizen.kind(), PersonalIdKind::Resident);
    assert_eq!(
        ResidentId::parse(&number).unwrap_err().code(),
        "id.province"
    );
}

#[test]
fn lower_case_x_check_is_normalised() {
    // Find a body whose check character is X, so the lower-case form is meaningful.
    let body = (0..1000)
        .map(|seq| format!("93415619900101{seq:03}"))
        .find(|b| id_check_digit(b) == Some('X'))
        .unwrap();
    let upper = format!("{body}X");
    let id = ForeignPermanentResidentId::parse(&format!("{body}x")).unwrap();
    assert_eq!(id.as_str(), upper);
}

#[test]
fn foreign_card_errors_are_exact_with_codes_and_chinese_messages() {
    use ForeignIdError::*;
    let good = card("91184019850615001");
    assert_eq!(
        ForeignPermanentResidentId::parse(&good[..17]),
        Err(WrongLength { got: 17 })
    );
    let e = ForeignPermanentResidentId::parse(&card("81184019850615001")).unwrap_err();
    assert_eq!(e, WrongPrefix { got: '8' });
    assert_eq!(e.code(), "fpr.prefix");
    let e = ForeignPermanentResidentId::parse(&card("99984019850615001")).unwrap_err();
    assert_eq!(e, UnknownProvince { code: "99".into() });
    assert_eq!(e.code(), "fpr.province");
    assert_eq!(
        e.to_string(),
        "外国人永久居留身份证号码第 2–3 位 99 不是有效的省级受理地代码"
    );
    let e = ForeignPermanentResidentId::parse(&card("91184019850230001")).unwrap_err();
    assert_eq!(e.code(), "fpr.birth_date");
    assert_eq!(e.to_string(), "出生日期不存在：1985年02月30日");
    let mut bad = good.clone().into_bytes();
    bad[17] = if bad[17] == b'0' { b'1' } else { b'0' };
    let bad = String::from_utf8(bad).unwrap();
    let e = ForeignPermanentResidentId::parse(&bad).unwrap_err();
    assert_eq!(e.code(), "fpr.check_digit");
    assert!(e.to_string().starts_with("校验码错误：应为 "), "{e}");
    let e = ForeignPermanentResidentId::parse("9118401985061500A1").unwrap_err();
    assert_eq!(
        e,
        BadChar {
            ch: 'A',
            position: 17
        }
    );
    assert_eq!(e.code(), "fpr.char");
    assert_eq!(
        e.to_string(),
        "外国人永久居留身份证号码第 17 位字符“A”不合法：只能是数字"
    );
    let e = ForeignPermanentResidentId::parse("123").unwrap_err();
    assert_eq!(
        e.to_string(),
        "外国人永久居留身份证号码长度错误：应为 18 位，实为 3 位"
    );
}

#[test]
fn parse_at_refuses_future_birth_dates_for_both_kinds() {
    let foreign = card("93184020261127001");
    let citizen = card("11010520261127002");
    for number in [&foreign, &citizen] {
        assert!(PersonalId::parse(number).is_ok(), "{number}");
        assert!(PersonalId::parse_at(number, date!(2026 - 11 - 27)).is_ok());
        let e = PersonalId::parse_at(number, date!(2026 - 11 - 26)).unwrap_err();
        assert!(e.code().ends_with(".birth_date"), "{number}: {e:?}");
        assert_eq!(e.to_string(), "出生日期 2026年11月27日 晚于当前日期");
        assert!(Kind::Id.validate_at(number, date!(2026 - 11 - 26)).is_err());
        assert!(Kind::Id.validate_at(number, date!(2026 - 11 - 27)).is_ok());
    }
    assert_eq!(
        PersonalId::parse_at(&foreign, date!(2026 - 11 - 26))
            .unwrap_err()
            .code(),
        "fpr.birth_date"
    );
    assert_eq!(
        ForeignPermanentResidentId::parse_at(&foreign, date!(2026 - 11 - 26)),
        Err(ForeignIdError::BirthDate {
            year: 2026,
            month: 11,
            day: 27,
            problem: BirthDateProblem::InFuture
        })
    );
}

#[test]
fn validate_id_line_accepts_the_foreign_card() {
    let number = card("91184019850615001");
    assert_eq!(validate_line(Kind::Id, &number), format!("{number} ok"));
    assert_eq!(
        validate_line_at(Kind::Id, &number, date!(2026 - 01 - 01)),
        format!("{number} ok")
    );
    assert_eq!(Kind::Id.normalize(&number.to_lowercase()).unwrap(), number);
    // Legacy 15-digit citizens' numbers still normalise to 18.
    assert_eq!(
        Kind::Id.normalize("110105491231002").unwrap(),
        "11010519491231002X"
    );
    let e = Kind::Id.validate("99984019850615001X").unwrap_err();
    assert_eq!(e.code(), "fpr.province");
}

#[test]
fn serde_round_trips() {
    let number = card("91184019850615001");
    let p = PersonalId::parse(&number).unwrap();
    let json = serde_json::to_string(&p).unwrap();
    assert_eq!(json, format!("\"{number}\""));
    assert_eq!(serde_json::from_str::<PersonalId>(&json).unwrap(), p);
    let f: ForeignPermanentResidentId = serde_json::from_str(&json).unwrap();
    assert_eq!(f.as_str(), number);
}

/// A 17-digit foreign card body: 9, a province code, a nationality code, a real birth date.
fn card_body() -> impl Strategy<Value = (String, time::Date)> {
    let provinces: Vec<String> = DivisionCode::provinces()
        .map(|d| d.as_str()[..2].to_string())
        .collect();
    (
        proptest::sample::select(provinces),
        0u32..1000,
        (1900i32..2100, 1u8..=12, 1u8..=31),
        0u32..1000,
    )
        .prop_filter_map("real date", |(p, nat, (y, m, d), seq)| {
            let date = time::Date::from_calendar_date(y, time::Month::try_from(m).ok()?, d).ok()?;
            Some((format!("9{p}{nat:03}{y:04}{m:02}{d:02}{seq:03}"), date))
        })
}

const ID_CHARS: &[char] = &['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'X'];

proptest! {
    #[test]
    fn any_card_with_its_check_parses_as_foreign((body, birth) in card_body()) {
        let full = card(&body);
        let p = PersonalId::parse(&full).unwrap();
        prop_assert_eq!(p.kind(), PersonalIdKind::ForeignPermanentResident);
        prop_assert_eq!(p.as_str(), full.as_str());
        prop_assert_eq!(p.birth_date(), birth);
        // Not after today: accepted on the birth day itself, refused the day before.
        prop_assert!(PersonalId::parse_at(&full, birth).is_ok());
        if let Some(before) = birth.previous_day() {
            prop_assert_eq!(
                PersonalId::parse_at(&full, before).unwrap_err().code(),
                "fpr.birth_date"
            );
        }
    }

    /// MOD 11-2 detects every single substitution in the card number too.
    #[test]
    fn single_substitution_in_card_is_rejected((body, _) in card_body(), pos in 0usize..18, c in proptest::sample::select(ID_CHARS)) {
        let full: Vec<char> = card(&body).chars().collect();
        prop_assume!(full[pos] != c);
        let mut changed = full.clone();
        changed[pos] = c;
        let changed: String = changed.into_iter().collect();
        prop_assert!(ForeignPermanentResidentId::parse(&changed).is_err(), "{} accepted", changed);
    }
}
