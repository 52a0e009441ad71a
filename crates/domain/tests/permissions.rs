//! The role → permission table checked against an expectation written independently here, so
//! any change of who may do what must be made twice (in the table and in this test) on purpose.

use uuid::Uuid;
use zhifa_domain::auth::{Actor, Permission, Role};
use zhifa_domain::error::ErrorKind;

/// Who may do what, written per permission (the table in the crate is written per role).
/// The match is exhaustive: a new permission does not compile until its holders are stated.
fn expected_holders(p: Permission) -> &'static [Role] {
    use Role::*;
    const ALL: &[Role] = &[
        Officer,
        LegalReviewer,
        AgencyHead,
        Publisher,
        Supervisor,
        SystemAdmin,
        SecurityAdmin,
        Auditor,
    ];
    match p {
        Permission::RegisterAgency | Permission::UpdateAgency => &[SystemAdmin],
        Permission::RegisterOfficer
        | Permission::UpdateOfficer
        | Permission::ChangeCertificateStatus
        | Permission::RecordTraining
        | Permission::CreateItem
        | Permission::ReviseItem
        | Permission::ListInspectionItem
        | Permission::SetGuide
        | Permission::SetBenchmark => &[AgencyHead, SystemAdmin],
        Permission::ViewPersonalData => &[AgencyHead, SystemAdmin, SecurityAdmin],
        Permission::ViewUsers | Permission::ViewTokens => &[SecurityAdmin, Auditor],
        // 三员分立: accounts and tokens are granted by the security administrator alone.
        Permission::CreateUser
        | Permission::SetUserActive
        | Permission::IssueToken
        | Permission::RevokeToken => &[SecurityAdmin],
        Permission::ViewAuditLog => &[Auditor],
        Permission::ViewRegion => &[Supervisor, SystemAdmin, SecurityAdmin, Auditor],
        Permission::ImportHolidayNotice
        | Permission::ErasePersonalData
        | Permission::RegisterWitnessedLog => &[SystemAdmin],
        Permission::PublishAnnualReport => &[AgencyHead, Publisher],
        Permission::UploadEvidence | Permission::SuspendDeadline => &[Officer, AgencyHead],
        // 经行政机关负责人批准 (强制法第二十五条, REV-5).
        Permission::ExtendDeadline => &[AgencyHead],
        Permission::ChangeOwnPassword | Permission::ViewLedger => ALL,
        Permission::EnforceInField => &[Officer],
        Permission::ReviewLegality => &[LegalReviewer],
        Permission::ReviewPublication => &[Publisher],
        Permission::SuperviseEnforcement => &[Supervisor],
        // 第五十七条: the head of the agency decides.
        Permission::DecidePenalty => &[AgencyHead],
    }
}

fn actor(roles: &[Role]) -> Actor {
    Actor {
        user_id: Uuid::from_u128(42),
        username: "someone".into(),
        agency_id: Uuid::from_u128(7),
        roles: roles.to_vec(),
    }
}

#[test]
fn every_role_and_permission_matches_the_expectation() {
    for &p in Permission::ALL {
        for r in Role::ALL {
            let want = expected_holders(p).contains(&r);
            assert_eq!(
                actor(&[r]).can(p),
                want,
                "{} × {}: expected {want}",
                r.as_str(),
                p.as_str()
            );
            assert_eq!(actor(&[r]).require(p).is_ok(), want);
        }
    }
}

#[test]
fn refusals_are_forbidden_and_name_the_permission_and_its_roles() {
    let e = actor(&[Role::Officer])
        .require(Permission::SetBenchmark)
        .unwrap_err();
    assert_eq!(e.code, "forbidden");
    assert_eq!(e.kind, ErrorKind::Forbidden);
    assert!(e.message.contains("维护裁量基准"), "{}", e.message);
    assert!(e.message.contains("机关负责人"), "{}", e.message);
    assert!(e.message.contains("系统管理员"), "{}", e.message);
    assert!(!e.message.contains("执法人员、"), "{}", e.message);
    // Every refusal anywhere in the table carries the same code.
    for &p in Permission::ALL {
        for r in Role::ALL {
            if let Err(e) = actor(&[r]).require(p) {
                assert_eq!(e.code, "forbidden");
                assert!(e.message.starts_with(p.label()), "{}", e.message);
            }
        }
    }
}

#[test]
fn a_person_with_no_role_can_do_nothing_and_roles_combine() {
    for &p in Permission::ALL {
        assert!(!actor(&[]).can(p), "{}", p.as_str());
    }
    let both = actor(&[Role::Officer, Role::Publisher]);
    assert!(both.can(Permission::UploadEvidence));
    assert!(both.can(Permission::PublishAnnualReport));
    assert!(!both.can(Permission::SetGuide));
}

#[test]
fn permission_names_are_unique_and_round_trip() {
    let mut seen = std::collections::HashSet::new();
    for &p in Permission::ALL {
        assert!(seen.insert(p.as_str()), "duplicate {}", p.as_str());
        assert_eq!(Permission::parse(p.as_str()), Some(p));
        assert!(!p.label().is_empty());
    }
    assert_eq!(Permission::parse("root"), None);
}

#[test]
fn only_the_bootstrap_actor_creates_users_without_the_permission() {
    use zhifa_domain::registry::{UserDraft, decide_create_user};
    let draft = UserDraft {
        username: "newuser".into(),
        display_name: "新用户".into(),
        agency_id: Uuid::from_u128(7),
        roles: vec![Role::Publisher],
        officer_id: None,
        password: "Str0ng-Passw0rd".into(),
    };
    assert!(decide_create_user(&Actor::system(), Uuid::from_u128(1), &draft, None).is_ok());
    let person_admin = actor(&[Role::SystemAdmin]);
    assert_eq!(
        decide_create_user(&person_admin, Uuid::from_u128(1), &draft, None)
            .unwrap_err()
            .code,
        "forbidden"
    );
    assert!(
        decide_create_user(
            &actor(&[Role::SecurityAdmin]),
            Uuid::from_u128(1),
            &draft,
            None
        )
        .is_ok()
    );
}
