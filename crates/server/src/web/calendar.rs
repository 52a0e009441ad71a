//! The working-day calendar (DL-1, DL-2): day and due-date questions, holiday notice import.

use super::common::*;
use super::{Chrome, FormValues, render};
use crate::AppState;
use crate::auth::{CurrentUser, WebUser};
use crate::error::{ApiError, ApiResult};
use crate::service;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use std::collections::HashMap;
use zhifa_domain::auth::Permission;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/calendar", get(calendar))
        .route("/calendar/notices", post(calendar_import))
}

#[derive(Template)]
#[template(path = "calendar/index.html")]
struct CalendarT {
    chrome: Chrome,
    day: String,
    day_answer: Option<String>,
    start: String,
    length: String,
    unit: String,
    units: Vec<(&'static str, &'static str)>,
    due_answer: Option<String>,
    explanation: Vec<String>,
    notices: Vec<crate::api::NoticeView>,
    can_import: bool,
    form: FormValues,
}

async fn calendar_page(
    st: &AppState,
    u: &CurrentUser,
    p: &HashMap<String, String>,
    form: FormValues,
    chrome: Chrome,
) -> ApiResult<Response> {
    let cal = st.calendar();
    let mut chrome = chrome;
    let day = param(p, "day").to_string();
    let day_answer = if day.is_empty() {
        None
    } else {
        match zhifa_calendar::parse_date(&day).and_then(|d| cal.day(d)) {
            Ok(info) => Some(format!(
                "{day}：{}{}。{}",
                if info.workday {
                    "工作日"
                } else {
                    "休息日"
                },
                if info.provisional { "（暂定）" } else { "" },
                info.reason()
            )),
            Err(e) => {
                chrome.error = Some(format!("{e}（字段：日期）"));
                None
            }
        }
    };
    let (start, length, unit) = (
        param(p, "start").to_string(),
        param(p, "length").to_string(),
        param(p, "unit").to_string(),
    );
    let (mut due_answer, mut explanation) = (None, vec![]);
    if !start.is_empty() {
        match zhifa_calendar::cli::add_explain(
            &cal,
            &start,
            &length,
            if unit.is_empty() { "workdays" } else { &unit },
        ) {
            Ok(lines) => {
                let mut it = lines.into_iter();
                due_answer = it
                    .next()
                    .map(|l| format!("截止：{}", l.replace(" provisional", "（暂定）")));
                explanation = it.map(|l| l.trim().to_string()).collect();
            }
            Err(e) => chrome.error = Some(e.message_zh()),
        }
    }
    Ok(render(&CalendarT {
        chrome,
        day,
        day_answer,
        start,
        length: if length.is_empty() {
            "7".into()
        } else {
            length
        },
        unit,
        units: vec![
            ("workdays", "工作日"),
            ("days", "日"),
            ("hours", "小时"),
            ("months", "月"),
            ("years", "年"),
        ],
        due_answer,
        explanation,
        notices: crate::api::notice_views(st).await?,
        can_import: u.can(Permission::ImportHolidayNotice),
        form,
    }))
}

async fn calendar(State(st): State<AppState>, WebUser(u): WebUser, Query(p): Params) -> Response {
    let chrome = Chrome::for_user(&u, "/calendar");
    calendar_page(&st, &u, &p, FormValues::default(), chrome)
        .await
        .unwrap_or_else(|e| error_page(Some(&u), e))
}

async fn calendar_import(
    State(st): State<AppState>,
    WebUser(u): WebUser,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = FormValues(f);
    match service::import_notice(&st, &u.actor, f.get("text"))
        .await
        .map_err(ApiError::from)
    {
        Ok(o) => {
            let mut chrome = Chrome::for_user(&u, "/calendar");
            chrome.notice = Some(format!(
                "已导入 {} 年放假安排（{}），重新计算了 {} 个未完成期限。",
                o.year,
                o.documents.join("、"),
                o.recomputed
            ));
            calendar_page(&st, &u, &HashMap::new(), FormValues::default(), chrome)
                .await
                .unwrap_or_else(|e| error_page(Some(&u), e))
        }
        Err(e) => {
            let chrome = Chrome::for_user(&u, "/calendar").with_error(&e);
            refused(
                &u,
                e.status,
                calendar_page(&st, &u, &HashMap::new(), f, chrome).await,
            )
        }
    }
}
