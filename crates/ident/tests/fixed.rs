//! Fixed examples: real public codes and bad inputs with their exact errors.

use time::macros::date;
use zhifa_ident::*;

#[test]
fn known_test_id_parses_with_parts() {
    let id = ResidentId::parse("11010519491231002X").unwrap();
    assert_eq!(id.as_str(), "11010519491231002X");
    assert_eq!(id.birth_date(), date!(1949 - 12 - 31));
    assert_eq!(id.sex(), Sex::Female);
    assert_eq!(id.division_prefix(), "110105");
    assert_eq!(id.division().unwrap().name(), "朝阳区");
    assert_eq!(id.sequence(), "002");
    assert_eq!(id.to_string(), "11010519491231002X");
    // lower-case x is normalised
    assert_eq!(ResidentId::parse("11010519491231002x").unwrap(), id);
}

#[test]
fn legacy_15_digit_is_converted() {
    let id = ResidentId::parse("110105491231002").unwrap();
    assert_eq!(id.as_str(), "11010519491231002X");
    assert_eq!(id.to_legacy15().as_deref(), Some("110105491231002"));
}

#[test]
fn id_errors_are_exact() {
    use IdError::*;
    assert_eq!(
        ResidentId::parse("1101051949123100"),
        Err(WrongLength { got: 16 })
    );
    assert_eq!(ResidentId::parse(""), Err(WrongLength { got: 0 }));
    assert_eq!(
        ResidentId::parse("1101051949123100A2"),
        Err(BadChar {
            ch: 'A',
            position: 17
        })
    );
    assert_eq!(
        ResidentId::parse("110105194912310X2X"),
        Err(BadChar {
            ch: 'X',
            position: 16
        })
    );
    assert_eq!(
        ResidentId::parse("11010519491231002中"),
        Err(BadChar {
            ch: '中',
            position: 18
        })
    );
    assert_eq!(
        ResidentId::parse("11010519491231002Y"),
        Err(BadChar {
            ch: 'Y',
            position: 18
        })
    );
    assert_eq!(
        ResidentId::parse("11010519491231003X"),
        Err(CheckDigit {
            expected: '8',
            got: 'X'
        })
    );
    assert_eq!(
        ResidentId::parse("99010519491231002X"),
        Err(UnknownProvince {
            prefix: "99".into()
        })
    );
    assert_eq!(
        ResidentId::parse("110105199002300021"),
        Err(BirthDate {
            year: 1990,
            month: 2,
            day: 30,
            problem: BirthDateProblem::NoSuchDay
        })
    );
    assert_eq!(
        ResidentId::parse("110105199013010021"),
        Err(BirthDate {
            year: 1990,
            month: 13,
            day: 1,
            problem: BirthDateProblem::NoSuchDay
        })
    );
    assert_eq!(
        ResidentId::parse("110105189912310021"),
        Err(BirthDate {
            year: 1899,
            month: 12,
            day: 31,
            problem: BirthDateProblem::TooEarly
        })
    );
    assert_eq!(
        ResidentId::parse("110105210101010021"),
        Err(BirthDate {
            year: 2101,
            month: 1,
            day: 1,
            problem: BirthDateProblem::InFuture
        })
    );
}

#[test]
fn parse_at_rejects_future_birth_dates() {
    let body = "11010520261127002";
    let id = format!("{body}{}", id_check_digit(body).unwrap());
    assert!(ResidentId::parse(&id).is_ok());
    assert!(ResidentId::parse_at(&id, date!(2026 - 11 - 27)).is_ok());
    assert_eq!(
        ResidentId::parse_at(&id, date!(2026 - 11 - 26)),
        Err(IdError::BirthDate {
            year: 2026,
            month: 11,
            day: 27,
            problem: BirthDateProblem::InFuture
        })
    );
}

#[test]
fn id_error_messages_and_codes() {
    let e = ResidentId::parse("11010519491231003X").unwrap_err();
    assert_eq!(e.code(), "id.check_digit");
    assert_eq!(e.to_string(), "校验码错误：应为 8，实为 X");
    let e = ResidentId::parse("110105199002300021").unwrap_err();
    assert_eq!(e.code(), "id.birth_date");
    assert_eq!(e.to_string(), "出生日期不存在：1990年02月30日");
    let e = ResidentId::parse("123").unwrap_err();
    assert_eq!(e.code(), "id.length");
    assert_eq!(
        e.to_string(),
        "身份证号码长度错误：应为 18 位（或 15 位旧号码），实为 3 位"
    );
    let e = ResidentId::parse("11010519491231002Y").unwrap_err();
    assert_eq!(e.code(), "id.char");
    assert_eq!(
        e.to_string(),
        "身份证号码第 18 位字符“Y”不合法：只能是数字或 X"
    );
    let e = ResidentId::parse("99010519491231002X").unwrap_err();
    assert_eq!(e.code(), "id.province");
}

#[test]
fn hong_kong_macau_taiwan_permit_prefixes() {
    for prefix in ["81", "82", "83"] {
        let body = format!("{prefix}000019900101002");
        let id = format!("{body}{}", id_check_digit(&body).unwrap());
        assert!(ResidentId::parse(&id).is_ok(), "{id}");
    }
}

/// Well-known published codes (company registrations printed on public websites and filings).
const REAL_USCCS: &[&str] = &[
    "914403001922038216", // 华为技术有限公司
    "91330100799655058B", // 阿里巴巴（中国）有限公司
    "91110108551385082Q", // 小米科技有限责任公司
    "91440300708461136T", // 深圳市腾讯计算机系统有限公司
    "9144030071526726XG", // 腾讯科技（深圳）有限公司
    "91110000802100433B", // 中国石油化工股份有限公司
];

#[test]
fn real_credit_codes_parse() {
    for c in REAL_USCCS {
        let code = CreditCode::parse(c).unwrap_or_else(|e| panic!("{c}: {e}"));
        assert!(code.checksums_valid());
        assert_eq!(code.authority().code(), '9');
        assert_eq!(code.org_type(), ('1', "企业"));
    }
    let huawei = CreditCode::parse("914403001922038216").unwrap();
    assert_eq!(huawei.division_code(), "440300");
    assert_eq!(huawei.division().unwrap().name(), "深圳市");
    assert_eq!(huawei.organization_code(), "192203821");
    assert_eq!(huawei.check_char(), '6');
    // lower case is normalised
    assert_eq!(
        CreditCode::parse("91330100799655058b").unwrap().as_str(),
        "91330100799655058B"
    );
}

#[test]
fn credit_code_errors_are_exact() {
    use CreditCodeError::*;
    assert_eq!(
        CreditCode::parse("91440300192203821"),
        Err(WrongLength { got: 17 })
    );
    assert_eq!(
        CreditCode::parse("9144030019220382I6"),
        Err(BadChar {
            ch: 'I',
            position: 17
        })
    );
    assert_eq!(
        CreditCode::parse("91440300192203821o"),
        Err(BadChar {
            ch: 'o',
            position: 18
        })
    );
    assert_eq!(
        CreditCode::parse("C14403001922038216"),
        Err(UnknownAuthority { code: 'C' })
    );
    assert_eq!(
        CreditCode::parse("994403001922038216"),
        Err(UnknownOrgType {
            authority: "工商",
            code: '9'
        })
    );
    assert_eq!(
        CreditCode::parse("919903001922038216"),
        Err(UnknownDivision {
            code: "990300".into()
        })
    );
    assert_eq!(
        CreditCode::parse("914403001922038227"),
        Err(OrgCodeCheckDigit {
            expected: '1',
            got: '2'
        })
    );
    assert_eq!(
        CreditCode::parse("914403001922038217"),
        Err(CheckDigit {
            expected: '6',
            got: '7'
        })
    );
    let e = CreditCode::parse("914403001922038217").unwrap_err();
    assert_eq!(e.code(), "uscc.check_digit");
    assert_eq!(e.to_string(), "校验码错误：应为 6，实为 7");
    assert!(e.is_checksum_only());
    assert!(
        !CreditCode::parse("C14403001922038216")
            .unwrap_err()
            .is_checksum_only()
    );
}

#[test]
fn override_accepts_checksum_only_failures() {
    let c = CreditCode::parse_with_override("914403001922038217").unwrap();
    assert!(!c.checksums_valid());
    assert_eq!(c.as_str(), "914403001922038217");
    let c = CreditCode::parse_with_override("914403001922038227").unwrap();
    assert!(!c.checksums_valid());
    assert!(
        CreditCode::parse_with_override("914403001922038216")
            .unwrap()
            .checksums_valid()
    );
    assert_eq!(
        CreditCode::parse_with_override("C14403001922038216"),
        Err(CreditCodeError::UnknownAuthority { code: 'C' })
    );
}

#[test]
fn central_level_division_segment_is_accepted() {
    let body = format!("11100000{}", "00001312");
    let org = format!("{body}{}", org_code_check_char("00001312").unwrap());
    let full = format!("{org}{}", check_char(&org).unwrap());
    let c = CreditCode::parse(&full).unwrap();
    assert_eq!(c.division_code(), "100000");
    assert_eq!(c.division(), None);
    assert_eq!(c.authority().name(), "机构编制");
    assert_eq!(c.org_type(), ('1', "机关"));
}

#[test]
fn division_table_coverage() {
    assert_eq!(DivisionCode::provinces().count(), 34);
    for p in [
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
        "65", "71", "81", "82",
    ] {
        let d = DivisionCode::parse(&format!("{p}0000")).unwrap();
        assert_eq!(d.level(), Level::Province);
        assert!(d.is_current());
    }
    let anhui: Vec<_> = divisions_in_province("34").collect();
    let cities = anhui
        .iter()
        .filter(|d| d.level() == Level::Prefecture)
        .count();
    let counties = anhui.iter().filter(|d| d.level() == Level::County).count();
    assert_eq!((cities, counties), (16, 104));
    assert!(anhui.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(anhui[0].name(), "合肥市");
    assert_eq!(divisions_in_province("340000").count(), 120);
    assert!(DivisionCode::all_current().count() > 3000);
    // every code's province is in the table, and every current code's parent is current
    for d in DivisionCode::all() {
        assert_eq!(d.province().level(), Level::Province, "{d:?}");
        if d.is_current() {
            assert!(d.parent().is_none_or(|p| p.is_current()), "{d:?}");
        }
    }
}

#[test]
fn division_accessors() {
    let hefei = DivisionCode::parse("340100").unwrap();
    assert_eq!(hefei.name(), "合肥市");
    assert_eq!(hefei.level(), Level::Prefecture);
    assert_eq!(hefei.parent().unwrap().name(), "安徽省");
    assert_eq!(hefei.province().as_str(), "340000");
    let names: Vec<_> = hefei.children().map(|d| d.name()).collect();
    assert_eq!(
        names,
        [
            "瑶海区",
            "庐阳区",
            "蜀山区",
            "包河区",
            "长丰县",
            "肥东县",
            "肥西县",
            "庐江县",
            "巢湖市"
        ]
    );
    let taihu = DivisionCode::parse("340825").unwrap();
    assert_eq!((taihu.name(), taihu.level()), ("太湖县", Level::County));
    assert_eq!(taihu.parent().unwrap().name(), "安庆市");
    let baohe = DivisionCode::parse("340111").unwrap();
    assert_eq!(baohe.name(), "包河区");
    assert_eq!(baohe.former_names().collect::<Vec<_>>(), [("郊区", 2002)]);
    let xiantao = DivisionCode::parse("429004").unwrap();
    assert_eq!(xiantao.parent().unwrap().as_str(), "429000");
    let chaoyang = DivisionCode::parse("110105").unwrap();
    assert_eq!(chaoyang.parent().unwrap().name(), "北京市");
    assert_eq!(DivisionCode::parse("110000").unwrap().parent(), None);
}

#[test]
fn historical_division_codes_are_accepted() {
    let chaohu = DivisionCode::parse("341400").unwrap();
    assert_eq!(chaohu.name(), "巢湖市");
    assert!(!chaohu.is_current());
    assert_eq!(chaohu.retired_in(), Some(2011));
    let juchao = DivisionCode::parse("341402").unwrap();
    assert_eq!((juchao.name(), juchao.retired_in()), ("居巢区", Some(2011)));
    assert_eq!(juchao.parent().unwrap(), chaohu);
    let diqu = DivisionCode::parse("342600").unwrap();
    assert_eq!((diqu.name(), diqu.retired_in()), ("巢湖地区", Some(1999)));
    // retired codes are never listed as children of a current division
    assert!(
        DivisionCode::parse("340000")
            .unwrap()
            .children()
            .all(|d| d.is_current())
    );
    assert!(divisions_in_province("34").all(|d| d.as_str() != "341400"));
}

#[test]
fn division_errors_are_exact() {
    use DivisionError::*;
    assert_eq!(DivisionCode::parse("3401"), Err(WrongLength { got: 4 }));
    assert_eq!(
        DivisionCode::parse("34a100"),
        Err(BadChar {
            ch: 'a',
            position: 3
        })
    );
    assert_eq!(
        DivisionCode::parse("349900"),
        Err(Unknown {
            code: "349900".into()
        })
    );
    let e = DivisionCode::parse("349900").unwrap_err();
    assert_eq!(e.code(), "division.unknown");
    assert_eq!(
        e.to_string(),
        "行政区划代码 349900 不存在（现行及历史代码中均未找到）"
    );
    assert_eq!(divisions_in_province("3").count(), 0);
    assert_eq!(divisions_in_province("xx").count(), 0);
}

#[test]
fn serde_round_trips_as_strings() {
    let id = ResidentId::parse("11010519491231002X").unwrap();
    let json = serde_json::to_string(&id).unwrap();
    assert_eq!(json, "\"11010519491231002X\"");
    assert_eq!(serde_json::from_str::<ResidentId>(&json).unwrap(), id);
    assert_eq!(
        serde_json::from_str::<ResidentId>("\"110105491231002\"").unwrap(),
        id
    );
    assert!(serde_json::from_str::<ResidentId>("\"11010519491231003X\"").is_err());
    let c = CreditCode::parse("914403001922038216").unwrap();
    assert_eq!(serde_json::to_string(&c).unwrap(), "\"914403001922038216\"");
    assert_eq!(
        serde_json::from_str::<CreditCode>("\"914403001922038216\"").unwrap(),
        c
    );
    assert!(serde_json::from_str::<CreditCode>("\"914403001922038217\"").is_err());
    let d = DivisionCode::parse("341400").unwrap();
    assert_eq!(serde_json::to_string(&d).unwrap(), "\"341400\"");
    assert_eq!(
        serde_json::from_str::<DivisionCode>("\"341400\"").unwrap(),
        d
    );
}

#[test]
fn cli_lines() {
    assert_eq!("id".parse::<Kind>(), Ok(Kind::Id));
    assert_eq!("uscc".parse::<Kind>(), Ok(Kind::Uscc));
    assert_eq!("division".parse::<Kind>(), Ok(Kind::Division));
    assert!("ID".parse::<Kind>().is_err());
    assert_eq!(
        validate_line(Kind::Id, "11010519491231002X"),
        "11010519491231002X ok"
    );
    assert_eq!(
        validate_line(Kind::Id, "11010519491231003X"),
        "11010519491231003X error: 校验码错误：应为 8，实为 X"
    );
    assert_eq!(
        validate_line(Kind::Uscc, "914403001922038216"),
        "914403001922038216 ok"
    );
    assert_eq!(
        validate_line(Kind::Uscc, "914403001922038217"),
        "914403001922038217 error: 校验码错误：应为 6，实为 7"
    );
    assert_eq!(validate_line(Kind::Division, "341400"), "341400 ok");
    assert_eq!(
        validate_line(Kind::Division, "34010"),
        "34010 error: 行政区划代码长度错误：应为 6 位，实为 5 位"
    );
    let e = Kind::Uscc.validate("X").unwrap_err();
    assert_eq!(e.code(), "uscc.length");
}
