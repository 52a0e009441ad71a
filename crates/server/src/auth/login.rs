//! Signing in: argon2 passwords, lockout per account, throttling per client address, and the
//! same answer for every failure.

use super::*;
use zhifa_store::AccessEntry;

/// Signs a person in. Failures are counted per account (at the configured number the
/// account locks) and per client address (`throttle.rs`: growing delays). An unknown account,
/// a wrong password and a locked account get the same answer after the same work (one
/// password hash check), so the answer tells nothing about which accounts exist or are
/// locked (issue 9 finding 4).
pub async fn login(
    state: &AppState,
    username: &str,
    password: &str,
    client: Option<std::net::IpAddr>,
) -> ApiResult<LoginOk> {
    let username = username.trim().to_lowercase();
    let bad = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "bad_credentials",
            "用户名或密码错误；连续失败过多时账号会被暂时锁定，可稍后再试或请安全管理员解锁",
            Some("password"),
        )
    };
    let started = std::time::Instant::now();
    if let Some(ip) = client
        && let Err(wait) = state.login_throttle.check(ip, started)
    {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            format!(
                "本机登录失败次数过多，请 {} 秒后再试",
                wait.as_secs().max(1)
            ),
            None,
        ));
    }
    let failed = || {
        if let Some(ip) = client {
            state.login_throttle.failed(ip, std::time::Instant::now());
        }
    };
    let entry = |uid: Option<Uuid>, path: Option<&str>, status: i64, action: &str| AccessEntry {
        at: now_micros(),
        user_id: uid,
        username: username.clone(),
        action: action.to_string(),
        target: "session".into(),
        status,
        client: client.map(|c| c.to_string()),
        agency_path: path.map(str::to_string),
    };
    let Some(user) = state.store.user_by_username(&username).await? else {
        let dummy = tokio::task::spawn_blocking(dummy_hash)
            .await
            .unwrap_or_default();
        verify_password(password.to_string(), dummy).await;
        failed();
        state
            .store
            .log_access(&entry(None, None, 401, "login_failed"))
            .await?;
        return Err(bad());
    };
    // The attempt is recorded under the account's agency, so its auditor sees it.
    let path = state
        .store
        .agency(user.agency_id)
        .await?
        .map(|(a, _)| a.path);
    let log =
        |uid: Option<Uuid>, status: i64, action: &str| entry(uid, path.as_deref(), status, action);
    let cred = state.store.credential(user.id).await?.ok_or_else(bad)?;
    let now = now_micros();
    if cred.locked_until > now {
        // The same work and the same answer as a wrong password; the auditor's log says why.
        let dummy = tokio::task::spawn_blocking(dummy_hash)
            .await
            .unwrap_or_default();
        verify_password(password.to_string(), dummy).await;
        failed();
        state
            .store
            .log_access(&log(Some(user.id), 423, "login_locked"))
            .await?;
        return Err(bad());
    }
    if !verify_password(password.to_string(), cred.password_hash.clone()).await {
        let s = &state.settings;
        let after = state
            .store
            .record_login_failure(user.id, s.max_failed_logins, s.lockout_minutes * 60_000_000)
            .await?;
        failed();
        state
            .store
            .log_access(&log(Some(user.id), 401, "login_failed"))
            .await?;
        if after.locked_until > now {
            // A lock also ends the sessions already open: whoever is guessing may have had
            // one, and the account's owner signs in again after the unlock.
            state.store.delete_user_sessions(user.id).await?;
            state
                .store
                .log_access(&log(Some(user.id), 423, "account_locked"))
                .await?;
        }
        return Err(bad());
    }
    if !user.active {
        state
            .store
            .log_access(&log(Some(user.id), 403, "login_disabled"))
            .await?;
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "disabled",
            "账号已停用，请联系安全管理员",
            None,
        ));
    }
    state.store.reset_login_failures(user.id).await?;
    if let Some(ip) = client {
        state.login_throttle.succeeded(ip);
    }
    let session = random_token();
    let csrf = random_token();
    state
        .store
        .create_session(&sha256_hex(&session), user.id, &csrf, cred.must_change)
        .await?;
    state
        .store
        .log_access(&log(Some(user.id), 200, "login"))
        .await?;
    Ok(LoginOk {
        session,
        csrf,
        user,
        must_change_password: cred.must_change,
    })
}
