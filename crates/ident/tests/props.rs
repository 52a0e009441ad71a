//! Property tests for the check-digit schemes and conversions.

use proptest::prelude::*;
use zhifa_ident::*;

/// A 17-digit body with a known province prefix and a real birth date in 1900..=2099.
fn id_body() -> impl Strategy<Value = String> {
    let provinces: Vec<String> = DivisionCode::provinces()
        .map(|d| d.as_str()[..2].to_string())
        .collect();
    (
        proptest::sample::select(provinces),
        0u32..10_000,
        1900i32..2100,
        1u8..=12,
        1u8..=31,
        0u32..1000,
    )
        .prop_filter_map("real date", |(p, rest, y, m, d, seq)| {
            let month = time::Month::try_from(m).ok()?;
            time::Date::from_calendar_date(y, month, d).ok()?;
            Some(format!("{p}{rest:04}{y:04}{m:02}{d:02}{seq:03}"))
        })
}

fn uscc_parts() -> impl Strategy<Value = (char, char, String, String)> {
    let pairs: Vec<(char, char)> = Authority::all()
        .iter()
        .flat_map(|a| a.org_types().iter().map(move |&(t, _)| (a.code(), t)))
        .collect();
    let divisions: Vec<String> = DivisionCode::all()
        .map(|d| d.as_str().to_string())
        .collect();
    (
        proptest::sample::select(pairs),
        proptest::sample::select(divisions),
        proptest::collection::vec(proptest::sample::select(ALPHABET.to_vec()), 8),
    )
        .prop_map(|((a, t), div, body)| (a, t, div, String::from_utf8(body).unwrap()))
}

fn assemble(a: char, t: char, div: &str, body: &str) -> String {
    let org = format!("{body}{}", org_code_check_char(body).unwrap());
    let first17 = format!("{a}{t}{div}{org}");
    format!("{first17}{}", check_char(&first17).unwrap())
}

const ID_CHARS: &[char] = &['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'X'];

proptest! {
    #[test]
    fn any_body_with_computed_check_digit_parses(body in id_body()) {
        let full = format!("{body}{}", id_check_digit(&body).unwrap());
        let id = ResidentId::parse(&full).unwrap();
        prop_assert_eq!(id.as_str(), full.as_str());
        prop_assert_eq!(ResidentId::parse(&full.to_lowercase()).unwrap(), id);
    }

    /// MOD 11-2 detects every single-character substitution: changing any one character of a
    /// valid number (to a digit, or X) never yields another valid number.
    #[test]
    fn single_substitution_in_id_is_rejected(body in id_body(), pos in 0usize..18, c in proptest::sample::select(ID_CHARS)) {
        let full: Vec<char> = format!("{body}{}", id_check_digit(&body).unwrap()).chars().collect();
        prop_assume!(full[pos] != c);
        let mut changed = full.clone();
        changed[pos] = c;
        let changed: String = changed.into_iter().collect();
        prop_assert!(ResidentId::parse(&changed).is_err(), "{} accepted", changed);
    }

    #[test]
    fn legacy_conversion_round_trips(body in id_body()) {
        prop_assume!(&body[6..8] == "19");
        let legacy = format!("{}{}", &body[..6], &body[8..17]);
        let id = ResidentId::parse(&legacy).unwrap();
        prop_assert_eq!(&id.as_str()[..17], body.as_str());
        prop_assert_eq!(id.to_legacy15(), Some(legacy));
        prop_assert_eq!(ResidentId::parse(id.as_str()).unwrap(), id);
    }

    #[test]
    fn generated_uscc_parses_and_parts_round_trip((a, t, div, body) in uscc_parts()) {
        let full = assemble(a, t, &div, &body);
        let code = CreditCode::parse(&full).unwrap();
        prop_assert_eq!(code.as_str(), full.as_str());
        prop_assert_eq!(code.authority().code(), a);
        prop_assert_eq!(code.org_type().0, t);
        prop_assert_eq!(code.division_code(), div.as_str());
        prop_assert_eq!(code.division().map(|d| d.as_str().to_string()), Some(div.clone()));
        prop_assert_eq!(&code.organization_code()[..8], body.as_str());
        prop_assert_eq!(CreditCode::parse(&full.to_lowercase()).unwrap(), code);
        prop_assert!(code.checksums_valid());
    }

    /// The GB 32100 check (mod 31, weights coprime to 31) detects every single substitution
    /// within the alphabet; other characters are rejected as bad characters.
    #[test]
    fn single_substitution_in_uscc_is_rejected((a, t, div, body) in uscc_parts(), pos in 0usize..18, c in proptest::sample::select(ALPHABET.to_vec())) {
        let full = assemble(a, t, &div, &body).into_bytes();
        prop_assume!(full[pos] != c);
        let mut changed = full.clone();
        changed[pos] = c;
        let changed = String::from_utf8(changed).unwrap();
        prop_assert!(CreditCode::parse(&changed).is_err(), "{} accepted", changed);
    }

    /// A code with only a wrong final check character is a checksum-only error, and the
    /// override accepts exactly those.
    #[test]
    fn override_accepts_wrong_final_check_only((a, t, div, body) in uscc_parts(), c in proptest::sample::select(ALPHABET.to_vec())) {
        let mut full = assemble(a, t, &div, &body).into_bytes();
        prop_assume!(full[17] != c);
        full[17] = c;
        let s = String::from_utf8(full).unwrap();
        let err = CreditCode::parse(&s).unwrap_err();
        prop_assert!(err.is_checksum_only());
        prop_assert_eq!(err.code(), "uscc.check_digit");
        let overridden = CreditCode::parse_with_override(&s).unwrap();
        prop_assert!(!overridden.checksums_valid());
    }

    #[test]
    fn parse_never_panics(s in "\\PC{0,20}") {
        let _ = ResidentId::parse(&s);
        let _ = CreditCode::parse(&s);
        let _ = DivisionCode::parse(&s);
        let _ = validate_line(Kind::Id, &s);
        let _ = PersonalId::parse(&s);
        let _ = ForeignPermanentResidentId::parse(&s);
    }
}
