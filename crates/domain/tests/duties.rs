//! Separation of duties (issue 9 finding 3, 等保三级 三员分立) as matrices written here
//! independently of the tables in `accounts::duties`, so a change of who may hold or grant what
//! must be made twice, on purpose.

use time::OffsetDateTime;
use uuid::Uuid;
use zhifa_domain::accounts::{
    AccountAction, decide_create_user, decide_issue_token, decide_reset_password, decide_unlock,
    decide_user_active, may_administer, validate_roles,
};
use zhifa_domain::auth::{Actor, Role};
use zhifa_domain::registry::{User, UserDraft};

/// The pairs of roles one account may hold together; every other pair separates duties.
fn may_combine(a: Role, b: Role) -> bool {
    use Role::*;
    let pair = |x, y| (a == x && b == y) || (a == y && b == x);
    pair(Officer, Publisher)
        || pair(LegalReviewer, Publisher)
        || pair(AgencyHead, Publisher)
        || pair(Supervisor, Publisher)
}

/// Who may manage an account holding `target`: the security administrator, unless the target
/// is a security administrator or an auditor (those are the operator's), and a system
/// administrator's password is reset by the operator alone.
fn may_manage(actor: Role, target: Role, action: AccountAction) -> bool {
    actor == Role::SecurityAdmin
        && !matches!(target, Role::SecurityAdmin | Role::Auditor)
        && !(target == Role::SystemAdmin && action == AccountAction::ResetPassword)
}

fn actor(role: Role) -> Actor {
    Actor {
        user_id: Uuid::from_u128(1),
        username: "admin".into(),
        agency_id: Uuid::from_u128(9),
        roles: vec![role],
    }
}

fn user(roles: Vec<Role>) -> User {
    User {
        id: Uuid::from_u128(2),
        username: "someone".into(),
        display_name: "某人".into(),
        agency_id: Uuid::from_u128(9),
        roles,
        officer_id: None,
        active: true,
    }
}

const PASSWORD: &str = "Tmp-Passw0rd!";

#[test]
fn every_pair_of_roles_is_allowed_or_separated_as_stated() {
    for a in Role::ALL {
        for b in Role::ALL {
            let r = validate_roles(&[a, b]);
            if a == b {
                assert_eq!(r.unwrap(), vec![a]);
            } else if may_combine(a, b) {
                assert_eq!(r.unwrap().len(), 2, "{a:?}+{b:?}");
            } else {
                let e = r.unwrap_err();
                assert_eq!(
                    (e.code.as_str(), e.field.as_deref()),
                    ("separation_of_duties", Some("roles")),
                    "{a:?}+{b:?}"
                );
                assert!(e.message.contains(a.label()) && e.message.contains(b.label()));
            }
        }
    }
}

#[test]
fn the_probes_combinations_are_refused() {
    // Finding 3: an account holding supervisor + security_admin, a token officer + agency head.
    assert!(validate_roles(&[Role::Supervisor, Role::SecurityAdmin]).is_err());
    let now = OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000);
    let e = decide_issue_token(
        &actor(Role::SecurityAdmin),
        Uuid::from_u128(3),
        "办案系统",
        Uuid::from_u128(9),
        &[Role::Officer, Role::AgencyHead],
        now,
        90,
    )
    .unwrap_err();
    assert_eq!(e.code, "separation_of_duties");
}

#[test]
fn who_may_manage_whom_matrix() {
    for a in Role::ALL {
        for t in Role::ALL {
            let expected = may_manage(a, t, AccountAction::Disable);
            for action in AccountAction::ALL {
                let got = may_administer(&actor(a), &[t], action);
                assert_eq!(
                    got.is_ok(),
                    may_manage(a, t, action),
                    "{a:?} {action:?} {t:?}"
                );
                if let Err(e) = got {
                    assert_eq!(e.code, "forbidden");
                }
            }
            // The decisions themselves apply the same rule.
            let target = user(vec![t]);
            assert_eq!(
                decide_user_active(&actor(a), &target, false).is_ok(),
                expected
            );
            assert_eq!(
                decide_user_active(&actor(a), &target, true).is_ok(),
                expected
            );
            assert_eq!(decide_unlock(&actor(a), &target).is_ok(), expected);
            assert_eq!(
                decide_reset_password(&actor(a), &target, PASSWORD).is_ok(),
                may_manage(a, t, AccountAction::ResetPassword)
            );
            let draft = UserDraft {
                username: "newbie".into(),
                display_name: "新人".into(),
                agency_id: Uuid::from_u128(9),
                roles: vec![t],
                officer_id: None,
                password: PASSWORD.into(),
            };
            // Officers need a linked certificate holder; that rule is not this matrix.
            if t != Role::Officer {
                assert_eq!(
                    decide_create_user(&actor(a), Uuid::from_u128(4), &draft, None).is_ok(),
                    expected,
                    "{a:?} creates {t:?}"
                );
            }
        }
    }
}

#[test]
fn the_operator_manages_the_accounts_no_administrator_may() {
    let op = Actor::system();
    for t in [Role::SecurityAdmin, Role::Auditor, Role::SystemAdmin] {
        for action in AccountAction::ALL {
            assert!(may_administer(&op, &[t], action).is_ok());
        }
        assert!(decide_reset_password(&op, &user(vec![t]), PASSWORD).is_ok());
    }
}

#[test]
fn nobody_resets_their_own_password_and_the_new_one_is_checked() {
    let sec = actor(Role::SecurityAdmin);
    let me = User {
        id: sec.user_id,
        ..user(vec![Role::Publisher])
    };
    assert_eq!(
        decide_reset_password(&sec, &me, PASSWORD).unwrap_err().code,
        "self"
    );
    let e = decide_reset_password(&sec, &user(vec![Role::Publisher]), "short").unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.field.as_deref()),
        ("weak_password", Some("password"))
    );
}

#[test]
fn tokens_expire_after_their_lifetime_within_bounds() {
    let sec = actor(Role::SecurityAdmin);
    let now = OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000);
    let issue = |days| {
        decide_issue_token(
            &sec,
            Uuid::from_u128(3),
            "上级平台",
            Uuid::from_u128(9),
            &[Role::Supervisor],
            now,
            days,
        )
    };
    let t = issue(90).unwrap();
    assert_eq!(t.expires_at, now + time::Duration::days(90));
    assert!(t.is_usable(now));
    assert!(t.is_usable(now + time::Duration::days(90) - time::Duration::seconds(1)));
    assert!(!t.is_usable(now + time::Duration::days(90)));
    for bad in [0, 366] {
        let e = issue(bad).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("lifetime_days"), "{bad}");
    }
    assert!(issue(365).is_ok() && issue(1).is_ok());
}
