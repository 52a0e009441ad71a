//! Masking of personal data shown to people who may not see it in full (PUB-5 redaction of
//! natural persons: ID numbers, phone numbers). One rule, used by every view, so the console and
//! the API never disagree about what is hidden.

use crate::ledger::ERASED;

/// A resident ID number (or any identifier) with all but its first 6 and last 4 characters
/// replaced by `*`, keeping its length, so the region code and check digits stay recognisable
/// while the birth date (characters 7–14 of an 18-digit number) is hidden. Shorter than 10
/// characters: every character is hidden (too little is left to hide anything otherwise).
/// Idempotent; an erased value stays readable as erased.
pub fn mask_id_number(s: &str) -> String {
    if s == ERASED {
        return s.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    if n < 10 {
        return "*".repeat(n);
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| if i < 6 || i >= n - 4 { *c } else { '*' })
        .collect()
}

/// An 11-digit mobile number as `138****5678` (first 3, last 4). Any other text keeps its
/// non-digits and its last 4 digits; the other digits are hidden.
pub fn mask_phone(s: &str) -> String {
    if s == ERASED {
        return s.to_string();
    }
    let digits = s.chars().filter(char::is_ascii_digit).count();
    // A mobile already masked is still a mobile, so masking twice changes nothing.
    let is_mobile =
        s.len() == 11 && s.starts_with('1') && s.chars().all(|c| c.is_ascii_digit() || c == '*');
    let mut seen = 0;
    s.chars()
        .map(|c| {
            if !c.is_ascii_digit() {
                return c;
            }
            seen += 1;
            let keep = seen > digits.saturating_sub(4) || (is_mobile && seen <= 3);
            if keep { c } else { '*' }
        })
        .collect()
}

/// Who may read the events of a kind, on top of the agency scope every read of records applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readers {
    /// Whoever may read the agency the event's stream belongs to.
    InScope,
    /// Account administration (users, their roles, passwords, API tokens): only those who
    /// administer accounts or audit that administration (三员分立), not the staff of the agency.
    AccountAdministration,
    /// Enforcement cases (REC-7): the staff who work, decide, review or publish them and the
    /// supervisors above; not the platform's administrators, whose duty is the system.
    CaseWork,
}

/// The kinds of the case feature ([`Readers::CaseWork`]).
pub const CASE_KINDS: [&str; 13] = [
    "CaseNumberTaken",
    "CaseFiled",
    "InvestigationRecorded",
    "PenaltyNoticeServed",
    "StatementRecorded",
    "HearingRequested",
    "HearingHeld",
    "PenaltyDecided",
    "DecisionServed",
    "FinePaid",
    "CaseClosed",
    "CaseArchived",
    "NoPenaltyDecided",
];

/// The kinds of account administration ([`Readers::AccountAdministration`]).
pub const ACCOUNT_KINDS: [&str; 6] = [
    "UserCreated",
    "UserUpdated",
    "PasswordChanged",
    "PasswordReset",
    "ApiTokenIssued",
    "ApiTokenRevoked",
];

/// The known kinds `actor` may not read, for a query to leave out (unknown kinds are left out
/// after it, by [`may_read_event`]).
pub fn hidden_kinds(actor: &crate::auth::Actor) -> Vec<String> {
    ACCOUNT_KINDS
        .iter()
        .chain(CASE_KINDS.iter())
        .filter(|k| !may_read_event(actor, k))
        .map(|k| k.to_string())
        .collect()
}

/// The readers of each event kind (by its stored `kind`). `None` for a kind this version does
/// not know, which nobody reads: a new kind is hidden until it is classified here (the test
/// `every_event_kind_has_its_readers` fails until then).
pub fn readers_of(kind: &str) -> Option<Readers> {
    if ACCOUNT_KINDS.contains(&kind) {
        return Some(Readers::AccountAdministration);
    }
    if CASE_KINDS.contains(&kind) {
        return Some(Readers::CaseWork);
    }
    Some(match kind {
        "AgencyRegistered"
        | "AgencyUpdated"
        | "OfficerRegistered"
        | "OfficerUpdated"
        | "CertificateStatusChanged"
        | "TrainingRecorded"
        | "ItemVersionPublished"
        | "InspectionItemListed"
        | "ServiceGuideSet"
        | "DiscretionBenchmarkSet"
        | "DeadlineOpened"
        | "DeadlineRecomputed"
        | "DeadlineMissed"
        | "DeadlineMet"
        | "DeadlineSuspended"
        | "DeadlineResumed"
        | "DeadlineExtended"
        | "HolidayNoticeImported"
        | "AnnualReportPublished"
        | "PersonalDataErased"
        | "EvidenceReceived"
        | "WitnessedLogRegistered"
        | "WitnessCheckpointCosigned" => Readers::InScope,
        _ => return None,
    })
}

/// Whether `actor` may read an event of `kind` at all (the agency scope aside): the one rule
/// every read path of records applies before [`view_payload`] — the events feed, history
/// panels, the audit page, proof pages and packages.
pub fn may_read_event(actor: &crate::auth::Actor, kind: &str) -> bool {
    use crate::auth::Permission;
    match readers_of(kind) {
        Some(Readers::InScope) => true,
        Some(Readers::AccountAdministration) => {
            actor.can(Permission::ViewUsers) || actor.can(Permission::ViewAuditLog)
        }
        Some(Readers::CaseWork) => [
            Permission::EnforceInField,
            Permission::DecidePenalty,
            Permission::ReviewLegality,
            Permission::ReviewPublication,
            Permission::SuperviseEnforcement,
        ]
        .into_iter()
        .any(|p| actor.can(p)),
        None => false,
    }
}

/// A stored payload as `actor` may read it (the events feed, history panels): every personal
/// value (`{"$personal": v}`, see [`crate::event::Personal`]) becomes plain text — in clear for a
/// role with [`Permission::ViewPersonalData`](crate::auth::Permission::ViewPersonalData), masked
/// by [`mask_id_number`] otherwise — and every erased one (`{"$commit": …}`) reads as
/// [`ERASED`]. One rule for every read path of records, the same as the entity views apply.
pub fn view_payload(payload: &serde_json::Value, actor: &crate::auth::Actor) -> serde_json::Value {
    view_payload_clear(
        payload,
        actor.can(crate::auth::Permission::ViewPersonalData),
    )
}

/// [`view_payload`] with the decision made: `clear` shows personal values, otherwise masked.
/// For a case's records it is [`sees_party`].
pub fn view_payload_clear(payload: &serde_json::Value, clear: bool) -> serde_json::Value {
    use crate::event::personal::{COMMIT_KEY, PERSONAL_KEY};
    use serde_json::Value;
    fn walk(v: &mut Value, clear: bool) {
        if let Value::Object(m) = v
            && m.len() == 1
        {
            if let Some(inner) = m.get(PERSONAL_KEY) {
                let text = match inner {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                *v = Value::String(if clear { text } else { mask_id_number(&text) });
                return;
            }
            if m.contains_key(COMMIT_KEY) {
                *v = Value::String(ERASED.into());
                return;
            }
        }
        match v {
            Value::Object(m) => m.values_mut().for_each(|c| walk(c, clear)),
            Value::Array(a) => a.iter_mut().for_each(|c| walk(c, clear)),
            _ => {}
        }
    }
    let mut v = payload.clone();
    walk(&mut v, clear);
    v
}

/// Whether `actor` sees a case's party in clear: with `ViewPersonalData`, or on a need-to-know
/// basis as one of the case's own officers — in charge of it or named on one of its records —
/// who serve its documents on the party and must know whom they serve (`officer` is the
/// registered officer the account is). Other officers of the agency, superiors and
/// supervisors without the permission see it masked.
pub fn sees_party(
    actor: &crate::auth::Actor,
    officer: Option<uuid::Uuid>,
    case: &crate::case::Case,
) -> bool {
    actor.can(crate::auth::Permission::ViewPersonalData)
        || (actor.agency_id == case.agency_id
            && actor.can(crate::auth::Permission::EnforceInField)
            && officer.is_some_and(|o| {
                case.officer_ids.contains(&o) || case.investigator_ids.contains(&o)
            }))
}

/// A case's party as shown: in clear when `clear` ([`sees_party`]), otherwise each personal
/// value masked by [`mask_id_number`] — the same as [`view_payload_clear`] does to the party's
/// values in the case's records, so the case page and its timeline show the same.
pub fn party_view(p: &crate::case::Party, clear: bool) -> crate::case::Party {
    if clear {
        return p.clone();
    }
    crate::case::Party {
        kind: p.kind,
        name: mask_id_number(&p.name),
        id_number: mask_id_number(&p.id_number),
        address: mask_id_number(&p.address),
        phone: mask_id_number(&p.phone),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_case_view_masks_the_party_as_the_records_do_except_for_its_own_officers() {
        use crate::auth::{Actor, Role};
        use crate::event::Aggregate;
        let filed = crate::event::samples::all()
            .into_iter()
            .find(|e| e.kind() == "CaseFiled")
            .unwrap();
        let mut case = crate::case::Case::evolve(None, &filed).unwrap();
        case.party.name = "张三丰".into();
        let payload = crate::event::encode(&crate::case::filed_event(&case));
        let mut officer = Actor::system();
        officer.roles = vec![Role::Officer];
        officer.agency_id = case.agency_id;
        // An officer of the agency who is not on the case, or an account with no officer.
        for who in [Some(uuid::Uuid::from_u128(999)), None] {
            assert!(!sees_party(&officer, who, &case));
        }
        let shown = view_payload_clear(&payload, false);
        let masked = party_view(&case.party, false);
        assert_eq!(shown, view_payload(&payload, &officer), "the general rule");
        assert_eq!(
            shown["data"]["party"]["id_number"],
            masked.id_number.as_str()
        );
        assert_eq!(shown["data"]["party"]["name"], masked.name.as_str());
        assert_eq!(shown["data"]["party"]["phone"], masked.phone.as_str());
        assert!(!masked.id_number.contains("19851212"));
        // One of the case's officers needs to know whom the documents are served on.
        let own = Some(case.officer_ids[0]);
        assert!(sees_party(&officer, own, &case));
        let clear = view_payload_clear(&payload, true);
        assert_eq!(
            clear["data"]["party"]["id_number"],
            case.party.id_number.as_str()
        );
        // Not from another agency, and not without the officer's duty.
        let mut elsewhere = officer.clone();
        elsewhere.agency_id = uuid::Uuid::from_u128(12_345);
        assert!(!sees_party(&elsewhere, own, &case));
        let mut publisher = officer.clone();
        publisher.roles = vec![Role::Publisher];
        assert!(!sees_party(&publisher, own, &case));
        // The permission shows it whoever holds it.
        let mut head = Actor::system();
        head.roles = vec![Role::AgencyHead];
        assert!(sees_party(&head, None, &case));
        assert_eq!(party_view(&case.party, true), case.party);
    }

    #[test]
    fn every_event_kind_has_its_readers() {
        for e in crate::event::samples::all() {
            assert!(
                readers_of(e.kind()).is_some(),
                "{} has no readers",
                e.kind()
            );
            assert_eq!(
                crate::event::label_of(e.kind()),
                Some(e.label()),
                "{}",
                e.kind()
            );
        }
        assert_eq!(readers_of("SomethingNew"), None);
    }

    /// Issue 9 finding 1: officers saw the account administration of their agency.
    #[test]
    fn account_administration_is_read_only_by_its_administrators_and_auditors() {
        use crate::auth::{Actor, Role};
        let as_role = |r: Role| {
            let mut a = Actor::system();
            a.roles = vec![r];
            a
        };
        for kind in [
            "UserCreated",
            "UserUpdated",
            "PasswordChanged",
            "PasswordReset",
            "ApiTokenIssued",
            "ApiTokenRevoked",
        ] {
            for role in Role::ALL.iter().copied() {
                let expected = matches!(role, Role::SecurityAdmin | Role::Auditor);
                assert_eq!(
                    may_read_event(&as_role(role), kind),
                    expected,
                    "{role:?} {kind}"
                );
            }
        }
        for role in Role::ALL.iter().copied() {
            assert!(
                may_read_event(&as_role(role), "OfficerRegistered"),
                "{role:?}"
            );
            assert!(!may_read_event(&as_role(role), "SomethingNew"), "{role:?}");
        }
    }

    #[test]
    fn payload_views_mask_or_show_every_personal_value_by_permission() {
        use crate::auth::{Actor, Permission, Role};
        use serde_json::json;
        let stored = json!({"type": "X", "data": {
            "id_number": {"$personal": "11010519491231002X"},
            "nested": [{"phone": {"$personal": "13800138000"}}],
            "gone": {"$commit": "ab"},
            "name": "张明"}});
        let who = |role| Actor {
            user_id: uuid::Uuid::nil(),
            username: "u".into(),
            agency_id: uuid::Uuid::nil(),
            roles: vec![role],
        };
        for role in Role::ALL {
            let a = who(role);
            let v = view_payload(&stored, &a);
            let id = v["data"]["id_number"].as_str().unwrap();
            if a.can(Permission::ViewPersonalData) {
                assert_eq!(id, "11010519491231002X", "{role:?}");
            } else {
                assert_eq!(id, "110105********002X", "{role:?}");
                // One rule for every personal text until values carry their kind.
                assert_eq!(
                    v["data"]["nested"][0]["phone"],
                    mask_id_number("13800138000")
                );
                assert_ne!(v["data"]["nested"][0]["phone"], "13800138000");
            }
            assert_eq!(v["data"]["gone"], ERASED);
            assert_eq!(v["data"]["name"], "张明");
            assert!(!v.to_string().contains("$personal"));
        }
    }

    #[test]
    fn id_numbers_keep_region_and_check_digits_only() {
        assert_eq!(mask_id_number("11010519491231002X"), "110105********002X");
        // A 15-digit legacy number hides its middle too (the old code gave 8 stars whatever the length).
        assert_eq!(mask_id_number("110105491231002"), "110105*****1002");
        assert_eq!(mask_id_number("123456789"), "*********");
        assert_eq!(mask_id_number(""), "");
        assert_eq!(mask_id_number(ERASED), ERASED);
    }

    #[test]
    fn mobiles_keep_first_three_and_last_four() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("0551-62345678"), "****-****5678");
        assert_eq!(mask_phone(&mask_phone("13812345678")), "138****5678");
    }
}
