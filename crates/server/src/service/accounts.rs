//! Accounts: users, passwords and API tokens.

use super::{ServiceError, ServiceResult, append, officer, target_agency};
use crate::AppState;
use crate::auth::{CurrentUser, hash_password, random_token, sha256_hex};
use uuid::Uuid;
use zhifa_domain::auth::Role;
use zhifa_domain::event::{Expected, SideEffect};
use zhifa_domain::registry::{self as reg, *};
use zhifa_domain::{Event, StreamId};

// ───────────── accounts ─────────────

pub async fn create_user(st: &AppState, u: &CurrentUser, d: &UserDraft) -> ServiceResult<User> {
    let ag = target_agency(st, u, d.agency_id, "agency_id").await?;
    let linked = match d.officer_id {
        Some(o) => officer(st, u, o).await.ok().map(|(o, _)| o),
        None => None,
    };
    let id = Uuid::now_v7();
    let user = reg::decide_create_user(&u.actor, id, d, linked.as_ref())?;
    let hash = hash_password(d.password.clone()).await?;
    append(
        st,
        u,
        StreamId::user(id),
        Expected::NoStream,
        ag.id,
        vec![Event::UserCreated((&user).into())],
        // A password someone chose for another person is changed at the first sign-in (the
        // operator's `zhifa users create` included; only the demo seeds usable passwords).
        vec![SideEffect::SetPasswordHash {
            user_id: id,
            hash,
            must_change: true,
        }],
    )
    .await?;
    Ok(user)
}

/// An administrator sets a new password for an account (within the separation of duties);
/// the account's sessions end and it must change the password at its next sign-in.
pub async fn reset_password(
    st: &AppState,
    u: &CurrentUser,
    id: Uuid,
    new_password: &str,
) -> ServiceResult<()> {
    let (user, version) = st
        .store
        .user(id)
        .await?
        .ok_or(ServiceError::NotFound("用户"))?;
    target_agency(st, u, user.agency_id, "agency_id").await?;
    let event = zhifa_domain::accounts::decide_reset_password(&u.actor, &user, new_password)?;
    let hash = hash_password(new_password.to_string()).await?;
    append(
        st,
        u,
        StreamId::user(id),
        Expected::Version(version),
        user.agency_id,
        vec![event],
        vec![
            SideEffect::SetPasswordHash {
                user_id: id,
                hash,
                must_change: true,
            },
            SideEffect::EndSessions {
                user_id: id,
                except: None,
            },
        ],
    )
    .await
}

/// Lifts a sign-in lock (the request is recorded in the access log like every write).
pub async fn unlock_account(st: &AppState, u: &CurrentUser, id: Uuid) -> ServiceResult<()> {
    let (user, _) = st
        .store
        .user(id)
        .await?
        .ok_or(ServiceError::NotFound("用户"))?;
    target_agency(st, u, user.agency_id, "agency_id").await?;
    reg::decide_unlock(&u.actor, &user)?;
    st.store.reset_login_failures(id).await?;
    Ok(())
}

pub async fn set_user_active(
    st: &AppState,
    u: &CurrentUser,
    id: Uuid,
    active: bool,
) -> ServiceResult<User> {
    let (current, version) = st
        .store
        .user(id)
        .await?
        .ok_or(ServiceError::NotFound("用户"))?;
    target_agency(st, u, current.agency_id, "agency_id").await?;
    let user = reg::decide_user_active(&u.actor, &current, active)?;
    append(
        st,
        u,
        StreamId::user(id),
        Expected::Version(version),
        user.agency_id,
        vec![Event::UserUpdated((&user).into())],
        // A deactivated account's sessions end in the same transaction as the event.
        if active {
            vec![]
        } else {
            vec![SideEffect::EndSessions {
                user_id: id,
                except: None,
            }]
        },
    )
    .await?;
    Ok(user)
}

pub async fn change_password(
    st: &AppState,
    u: &CurrentUser,
    current_pw: &str,
    new_pw: &str,
) -> ServiceResult<()> {
    let (user, version) = st
        .store
        .user(u.actor.user_id)
        .await?
        .ok_or(ServiceError::NotFound("用户"))?;
    // The service only verifies the stored hashes; the rule is the domain's.
    let current_ok = crate::auth::password_matches(st, user.id, current_pw).await?;
    if !current_ok {
        // A wrong current password counts toward the lockout like a failed sign-in (issue 9
        // finding 5: a stolen session could guess without limit). Reaching the lock ends
        // every session of the account, this one included.
        let s = &st.settings;
        let after = st
            .store
            .record_login_failure(user.id, s.max_failed_logins, s.lockout_minutes * 60_000_000)
            .await?;
        if after.locked_until > 0 {
            st.store.delete_user_sessions(user.id).await?;
        }
    }
    let mut recently_used = false;
    if current_ok {
        for old in st
            .store
            .recent_password_hashes(user.id, zhifa_domain::accounts::PASSWORD_HISTORY as i64)
            .await?
        {
            if crate::auth::verify_password(new_pw.to_string(), old).await {
                recently_used = true;
                break;
            }
        }
    }
    let event = zhifa_domain::accounts::decide_change_password(
        &u.actor,
        &user,
        current_ok,
        recently_used,
        current_pw,
        new_pw,
    )?;
    let hash = hash_password(new_pw.to_string()).await?;
    append(
        st,
        u,
        StreamId::user(user.id),
        Expected::Version(version),
        user.agency_id,
        vec![event],
        vec![
            SideEffect::SetPasswordHash {
                user_id: user.id,
                hash,
                must_change: false,
            },
            // Every other session of the account ends with the change (this one stays).
            SideEffect::EndSessions {
                user_id: user.id,
                except: u.session.clone(),
            },
        ],
    )
    .await
}

/// Returns the token and its secret; the secret is shown once and only its hash is kept.
pub async fn issue_token(
    st: &AppState,
    u: &CurrentUser,
    name: &str,
    agency_id: Uuid,
    roles: &[Role],
    lifetime_days: Option<u32>,
) -> ServiceResult<(ApiToken, String)> {
    let ag = target_agency(st, u, agency_id, "agency_id").await?;
    let id = Uuid::now_v7();
    let t = reg::decide_issue_token(
        &u.actor,
        id,
        name,
        ag.id,
        roles,
        time::OffsetDateTime::now_utc(),
        lifetime_days.unwrap_or(st.settings.token_lifetime_days),
    )?;
    let secret = format!("zf_{}", random_token());
    append(
        st,
        u,
        StreamId::token(id),
        Expected::NoStream,
        ag.id,
        vec![Event::ApiTokenIssued((&t).into())],
        vec![SideEffect::SetTokenHash {
            token_id: id,
            hash: sha256_hex(&secret),
        }],
    )
    .await?;
    Ok((t, secret))
}

pub async fn revoke_token(st: &AppState, u: &CurrentUser, id: Uuid) -> ServiceResult<()> {
    let t = st
        .store
        .tokens(&u.scope)
        .await?
        .into_iter()
        .map(|r| r.token)
        .find(|t| t.id == id)
        .ok_or(ServiceError::NotFound("接口令牌"))?;
    reg::decide_revoke_token(&u.actor, &t)?;
    append(
        st,
        u,
        StreamId::token(id),
        Expected::Version(1),
        t.agency_id,
        vec![Event::ApiTokenRevoked { token_id: id }],
        vec![],
    )
    .await
}

/// The deployment's operator acting on the server (`zhifa users …`): the bootstrap actor,
/// scoped to everything, seated at the root agency. What it does is recorded under the
/// actor `system` like any other command.
pub async fn operator(st: &AppState) -> ServiceResult<CurrentUser> {
    let scope = zhifa_domain::scope::Scope::everything();
    let root = st
        .store
        .agencies(&scope, &zhifa_store::Page::first(1))
        .await?
        .items
        .into_iter()
        .next()
        .ok_or_else(|| ServiceError::internal("no agency registered yet"))?;
    Ok(CurrentUser {
        actor: zhifa_domain::auth::Actor::system(),
        display_name: "运维人员".into(),
        agency: root,
        scope,
        csrf: String::new(),
        session: None,
        officer_id: None,
        must_change_password: false,
    })
}
