//! Accounts and API tokens (security administrator), readable by the auditor.

use super::common::*;
use super::{Chrome, FormValues, pager, render};
use crate::AppState;
use crate::auth::{CurrentUser, WebUser};
use crate::error::{ApiError, ApiResult};
use crate::service;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use std::collections::HashMap;
use uuid::Uuid;
use zhifa_domain::auth::{Permission, Role};
use zhifa_domain::registry::*;
use zhifa_store::{OfficerFilter, Page};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/users", get(users).post(user_create))
        .route("/users/{id}/active", post(user_active))
        .route("/users/{id}/unlock", post(user_unlock))
        .route("/users/{id}/password", post(user_reset_password))
        .route("/tokens", post(token_create))
        .route("/tokens/{id}/revoke", post(token_revoke))
}

struct UserRow {
    id: Uuid,
    username: String,
    display_name: String,
    agency: String,
    roles: String,
    active: bool,
    /// 北京时间 the sign-in lock ends, if the account is locked now.
    locked_until: Option<String>,
    /// Whether this administrator may disable or unlock it, and reset its password (三员分立).
    manageable: bool,
    resettable: bool,
}

struct TokenLine {
    id: Uuid,
    name: String,
    agency: String,
    roles: String,
    status: &'static str,
    expires: String,
    last_used: String,
}

#[derive(Template)]
#[template(path = "accounts/users.html")]
struct UsersT {
    chrome: Chrome,
    total: String,
    rows: Vec<UserRow>,
    pager: String,
    tokens: Vec<TokenLine>,
    default_token_days: u32,
    secret: Option<String>,
    can_manage: bool,
    form: FormValues,
    agencies: Vec<(String, String)>,
    roles: Vec<(&'static str, &'static str)>,
    token_roles: Vec<(&'static str, &'static str)>,
}

async fn users_page(
    st: &AppState,
    u: &CurrentUser,
    p: &HashMap<String, String>,
    form: FormValues,
    chrome: Chrome,
    secret: Option<String>,
) -> ApiResult<Response> {
    u.actor.require(Permission::ViewUsers)?;
    let page = page_of(p);
    let list = st.store.users(&u.scope, &page).await?;
    let options = agency_options(st, u).await?;
    let tokens = st.store.tokens(&u.scope).await?;
    let names = agency_names(
        st,
        list.items
            .iter()
            .map(|x| x.agency_id)
            .chain(tokens.iter().map(|t| t.token.agency_id)),
    )
    .await?;
    let name_of = |id: Uuid| names.get(&id).cloned().unwrap_or_default();
    let now = (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1000) as i64;
    let ids: Vec<Uuid> = list.items.iter().map(|x| x.id).collect();
    let locked = st.store.locked_users(&ids, now).await?;
    let total = super::count_label(None, &page, list.items.len(), list.next.is_some(), "个账号");
    let label_roles = |rs: &[Role]| rs.iter().map(|r| r.label()).collect::<Vec<_>>().join("、");
    let now_at = time::OffsetDateTime::now_utc();
    let tokens = tokens
        .into_iter()
        .map(|r| {
            let t = &r.token;
            TokenLine {
                id: t.id,
                name: t.name.clone(),
                agency: name_of(t.agency_id),
                roles: label_roles(&t.roles),
                status: if t.revoked {
                    "已吊销"
                } else if !t.is_usable(now_at) {
                    "已过期"
                } else {
                    "有效"
                },
                expires: super::cst(t.expires_at.unix_timestamp() * 1_000_000),
                last_used: r
                    .last_used_at
                    .map(super::cst)
                    .unwrap_or_else(|| "从未使用".into()),
            }
        })
        .collect();
    let may = |roles: &[Role], action| {
        zhifa_domain::accounts::may_administer(&u.actor, roles, action).is_ok()
    };
    Ok(render(&UsersT {
        chrome,
        total,
        rows: list
            .items
            .into_iter()
            .map(|x| UserRow {
                id: x.id,
                agency: name_of(x.agency_id),
                roles: label_roles(&x.roles),
                username: x.username,
                display_name: x.display_name,
                active: x.active,
                locked_until: locked.get(&x.id).map(|&until| super::cst(until)),
                manageable: x.id != u.actor.user_id
                    && may(&x.roles, zhifa_domain::accounts::AccountAction::Disable),
                resettable: x.id != u.actor.user_id
                    && may(
                        &x.roles,
                        zhifa_domain::accounts::AccountAction::ResetPassword,
                    ),
            })
            .collect(),
        pager: pager("/users", &[], &page, list.next.as_deref()),
        tokens,
        default_token_days: st.settings.token_lifetime_days,
        secret,
        can_manage: u.can(Permission::CreateUser),
        form,
        agencies: options,
        // Only the roles this administrator may grant (the operator grants the others).
        roles: Role::ALL
            .iter()
            .filter(|r| may(&[**r], zhifa_domain::accounts::AccountAction::Create))
            .map(|r| (r.as_str(), r.label()))
            .collect(),
        token_roles: zhifa_domain::accounts::TOKEN_ROLES
            .iter()
            .map(|r| (r.as_str(), r.label()))
            .collect(),
    }))
}

async fn users(State(st): State<AppState>, WebUser(u): WebUser, Query(p): Params) -> Response {
    let mut chrome = Chrome::for_user(&u, "/users");
    chrome.notice = saved_notice(&p);
    users_page(&st, &u, &p, FormValues::default(), chrome, None)
        .await
        .unwrap_or_else(|e| error_page(Some(&u), e))
}

async fn users_error(st: &AppState, u: &CurrentUser, f: FormValues, e: ApiError) -> Response {
    let chrome = Chrome::for_user(u, "/users").with_error(&e);
    refused(
        u,
        e.status,
        users_page(st, u, &HashMap::new(), f, chrome, None).await,
    )
}

fn parse_roles(f: &FormValues) -> Vec<Role> {
    f.all("roles")
        .iter()
        .filter_map(|r| Role::parse(r))
        .collect()
}

async fn user_create(
    State(st): State<AppState>,
    WebUser(u): WebUser,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = FormValues(f);
    let agency_id = Uuid::parse_str(f.get("agency_id")).unwrap_or_default();
    // People type the certificate number they know, not an internal id.
    let officer_id = match f.get("certificate_no").trim() {
        "" => None,
        cert => {
            let found = match st
                .store
                .officers(
                    &u.scope,
                    &OfficerFilter::of_agency(agency_id),
                    &Page {
                        q: Some(cert.to_string()),
                        limit: 5,
                        after: None,
                    },
                )
                .await
            {
                Ok(x) => x,
                Err(e) => return error_page(Some(&u), e.into()),
            };
            match found
                .items
                .into_iter()
                .find(|o| o.certificate_no.eq_ignore_ascii_case(cert))
            {
                Some(o) => Some(o.id),
                None => {
                    let e = zhifa_domain::DomainError::invalid(
                        "officer_id",
                        "unknown_certificate",
                        format!("所选主体下没有执法证号为 {cert} 的执法人员"),
                    );
                    return users_error(&st, &u, f, e.into()).await;
                }
            }
        }
    };
    let d = UserDraft {
        username: f.get("username").into(),
        display_name: f.get("display_name").into(),
        agency_id,
        roles: parse_roles(&f),
        officer_id,
        password: f.get("password").into(),
    };
    match service::create_user(&st, &u, &d)
        .await
        .map_err(ApiError::from)
    {
        Ok(_) => Redirect::to("/users?saved=1").into_response(),
        Err(e) => users_error(&st, &u, f, e).await,
    }
}

async fn user_active(
    State(st): State<AppState>,
    WebUser(u): WebUser,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = FormValues(f);
    let r = match id_of(&id, "用户") {
        Ok(uid) => service::set_user_active(&st, &u, uid, f.get("active") == "true")
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    done(&st, &u, r).await
}

async fn user_unlock(
    State(st): State<AppState>,
    WebUser(u): WebUser,
    Path(id): Path<String>,
) -> Response {
    let r = match id_of(&id, "用户") {
        Ok(uid) => service::unlock_account(&st, &u, uid)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    done(&st, &u, r).await
}

async fn token_create(
    State(st): State<AppState>,
    WebUser(u): WebUser,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = FormValues(f);
    let agency_id = Uuid::parse_str(f.get("agency_id")).unwrap_or_default();
    let lifetime = match f.get("lifetime_days").trim() {
        "" => None,
        days => match days.parse::<u32>() {
            Ok(d) => Some(d),
            Err(_) => {
                let e = zhifa_domain::DomainError::invalid(
                    "lifetime_days",
                    "not_a_number",
                    "有效期应为天数（1 至 365 的整数）",
                );
                return users_error(&st, &u, f, e.into()).await;
            }
        },
    };
    match service::issue_token(
        &st,
        &u,
        f.get("name"),
        agency_id,
        &parse_roles(&f),
        lifetime,
    )
    .await
    .map_err(ApiError::from)
    {
        Ok((_, secret)) => {
            let mut chrome = Chrome::for_user(&u, "/users");
            chrome.notice = Some("接口令牌已签发。".into());
            users_page(
                &st,
                &u,
                &HashMap::new(),
                FormValues::default(),
                chrome,
                Some(secret),
            )
            .await
            .unwrap_or_else(|e| error_page(Some(&u), e))
        }
        Err(e) => users_error(&st, &u, FormValues::default(), e).await,
    }
}

async fn user_reset_password(
    State(st): State<AppState>,
    WebUser(u): WebUser,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = FormValues(f);
    let r = match id_of(&id, "用户") {
        Ok(uid) => service::reset_password(&st, &u, uid, f.get("password"))
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    done(&st, &u, r).await
}

async fn token_revoke(
    State(st): State<AppState>,
    WebUser(u): WebUser,
    Path(id): Path<String>,
) -> Response {
    let r = match id_of(&id, "接口令牌") {
        Ok(tid) => service::revoke_token(&st, &u, tid)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    done(&st, &u, r).await
}

/// A path's id, or the page's "not found" for `what`.
fn id_of(id: &str, what: &'static str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(id).map_err(|_| ApiError::not_found(what))
}

/// After an action on the page: back to the list with the saved notice, or the list with the
/// refusal explained.
async fn done<T>(st: &AppState, u: &CurrentUser, r: Result<T, ApiError>) -> Response {
    match r {
        Ok(_) => Redirect::to("/users?saved=1").into_response(),
        Err(e) => users_error(st, u, FormValues::default(), e).await,
    }
}
