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

/// Only same-site paths, so the login form cannot be used as an open redirect.
fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") {
        next
    } else {
        "/"
    }
}

async fn login_submit(State(st): State<AppState>, Form(f): Form<LoginForm>) -> Response {
    match auth::login(&st, &f.username, &f.password).await {
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
