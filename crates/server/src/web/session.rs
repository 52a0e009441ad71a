//! Signing in and out of the console.

use super::common::*;
use super::{Chrome, render};
use crate::AppState;
use crate::auth::{self, WebUser, session_cookie};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
        .route(
            "/account/password",
            get(password_page).post(password_submit),
        )
}

#[derive(Template)]
#[template(path = "session/password.html")]
struct PasswordT {
    chrome: Chrome,
    forced: bool,
}

/// Changing one's own password; the only page a session opened with an administrator-set
/// password may use (等保三级: such a password is changed at the first sign-in).
async fn password_page(WebUser(u): WebUser, Query(p): Params) -> Response {
    let mut chrome = Chrome::for_user(&u, "");
    chrome.notice = saved_notice(&p);
    render(&PasswordT {
        chrome,
        forced: u.must_change_password,
    })
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

async fn password_submit(
    State(st): State<AppState>,
    WebUser(u): WebUser,
    Form(f): Form<PasswordForm>,
) -> Response {
    let r = if f.new_password != f.confirm_password {
        Err(crate::error::ApiError::from(
            zhifa_domain::DomainError::invalid(
                "confirm_password",
                "mismatch",
                "两次输入的新密码不一致",
            ),
        ))
    } else {
        crate::service::change_password(&st, &u, &f.current_password, &f.new_password)
            .await
            .map_err(crate::error::ApiError::from)
    };
    match r {
        Ok(()) => Redirect::to("/?saved=1").into_response(),
        Err(e) => {
            let status = e.status;
            // A wrong current password may have locked the account, ending this session.
            let t = PasswordT {
                chrome: Chrome::for_user(&u, "").with_error(&e),
                forced: u.must_change_password,
            };
            (status, render(&t)).into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "session/login.html")]
struct LoginT {
    chrome: Chrome,
    next: String,
    username: String,
}

async fn login_page(Query(p): Params) -> Response {
    render(&LoginT {
        chrome: Chrome::anonymous(),
        next: param(&p, "next").to_string(),
        username: String::new(),
    })
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: String,
}

/// Where to go after signing in: `next` only if it is a path of this site, else `/` (so the
/// login form cannot be used as an open redirect). A same-origin absolute path starts with one
/// `/` and holds no backslash, whitespace or control character: browsers drop tabs and line
/// breaks from a `Location` and read `\` as `/`, which turned `/\t/evil.example` and
/// `/\evil.example` into `//evil.example` — another site — and a line break in a header value
/// was the only 500 the probe found.
pub(crate) fn safe_next(next: &str) -> &str {
    let bytes = next.as_bytes();
    let path_like = bytes.first() == Some(&b'/') && bytes.get(1) != Some(&b'/');
    let clean = !next
        .chars()
        .any(|c| c == '\\' || c.is_control() || c.is_whitespace());
    if path_like && clean { next } else { "/" }
}

async fn login_submit(
    State(st): State<AppState>,
    client: Option<axum::Extension<auth::ClientAddr>>,
    Form(f): Form<LoginForm>,
) -> Response {
    let client = client.and_then(|c| c.0.0);
    match auth::login(&st, &f.username, &f.password, client).await {
        Ok(ok) => {
            let cookie = session_cookie(
                &ok.session,
                st.settings.secure_cookies,
                st.settings.session_max_hours * 3600,
            );
            (
                [(header::SET_COOKIE, cookie)],
                Redirect::to(safe_next(&f.next)),
            )
                .into_response()
        }
        Err(e) => {
            let status = e.status;
            let t = LoginT {
                chrome: Chrome::anonymous().with_error(&e),
                next: f.next,
                username: f.username,
            };
            (status, render(&t)).into_response()
        }
    }
}

async fn logout(State(st): State<AppState>, WebUser(u): WebUser) -> Response {
    if let Some(s) = &u.session {
        let _ = st.store.delete_session(s).await;
    }
    (
        [(
            header::SET_COOKIE,
            session_cookie("", st.settings.secure_cookies, 0),
        )],
        Redirect::to("/login"),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::safe_next;
    use proptest::prelude::*;

    /// What a browser does to a `Location` value before resolving it (WHATWG URL parsing:
    /// tabs and newlines removed, backslashes read as slashes in special schemes).
    fn as_browser_reads(s: &str) -> String {
        s.chars()
            .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
            .map(|c| if c == '\\' { '/' } else { c })
            .collect::<String>()
            .trim_matches(|c: char| c <= ' ')
            .to_string()
    }

    #[test]
    fn the_probes_redirects_stay_on_the_site() {
        for bad in [
            "/\t/evil.example",
            "/\\evil.example",
            "//evil.example",
            "/\r\nSet-Cookie: x=1",
            "https://evil.example/",
            " /x",
            "",
            "evil.example",
        ] {
            assert_eq!(safe_next(bad), "/", "{bad:?}");
        }
        for good in [
            "/",
            "/officers?q=%E5%BC%A0",
            "/deadlines/1?saved=1",
            "/a/b#c",
        ] {
            assert_eq!(safe_next(good), good);
        }
    }

    proptest! {
        /// Whatever is asked, the browser ends up on a path of this site.
        #[test]
        fn every_accepted_target_is_a_path_of_this_site(s in "\\PC{0,40}|[/\\\\\t\r\n a-z.:]{0,12}") {
            let out = safe_next(&s);
            let read = as_browser_reads(out);
            prop_assert!(read.starts_with('/') && !read.starts_with("//"), "{:?} -> {:?}", s, read);
            prop_assert!(out == "/" || out == s);
        }
    }
}
