//! The console's callback queue: `GET /desk/callbacks?status=` (oldest new first, as the JSON queue
//! orders it) and `POST /desk/callbacks/{id}` (status and note; admins also route it to a clinic).
//! `intake::desk` holds the rules; the form's fields are read by the JSON door's reader, so both
//! doors accept and refuse the same values.

use crate::desk::extract::DeskPost;
use crate::desk::page::{self, Section};
use crate::desk::reads::PageState;
use crate::desk::session::Desk;
use crate::desk::words;
use crate::directory::workplaces;
use crate::error::ApiError;
use crate::http::query::{Page, QueryParams};
use crate::i18n::{Locale, MissingText, dates};
use crate::intake::desk::{self, QueueQuery};
use crate::intake::queue::{STATUSES, parse_change};
use crate::intake::store::{CallbackView, QueuePosition};
use crate::scheduling::availability::local;
use crate::state::AppState;
use crate::t;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use serde::Serialize;
use serde_json::Value as Json;
use uuid::Uuid;

/// Requests per page.
const PAGE_SIZE: i64 = 25;

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

struct QueueAsked {
    status: Option<&'static str>,
    after: Option<QueuePosition>,
    done: bool,
}

fn read_query(query: Result<QueryParams, ApiError>, locale: Locale) -> (QueueAsked, Vec<String>) {
    let mut asked = QueueAsked {
        status: None,
        after: None,
        done: false,
    };
    let mut query = match query {
        Ok(query) => query,
        Err(error) => {
            return (
                asked,
                page::problem_words(locale, &error).unwrap_or_default(),
            );
        }
    };
    asked.status = query.one_of("status", &STATUSES);
    asked.after = query.cursor();
    asked.done = query.is_given("done");
    let problems = match query.finish() {
        Ok(()) => Vec::new(),
        Err(error) => page::problem_words(locale, &error).unwrap_or_default(),
    };
    (asked, problems)
}

pub async fn list(
    desk: Desk,
    PageState(state): PageState,
    OriginalUri(uri): OriginalUri,
    query: Result<QueryParams, ApiError>,
) -> Response {
    let (asked, problems) = read_query(query, desk.locale);
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    queue_page(&state, &desk, &uri, asked, status, problems).await
}

async fn queue_page(
    state: &AppState,
    desk: &Desk,
    uri: &Uri,
    asked: QueueAsked,
    status: StatusCode,
    problems: Vec<String>,
) -> Response {
    let locale = desk.locale;
    let loaded = async {
        let mut conn = state.db.acquire().await?;
        let rows = desk::queue(
            &mut conn,
            &desk.staff,
            QueueQuery {
                status: asked.status,
                clinic_id: None,
                after: asked.after,
                limit: PAGE_SIZE,
            },
        )
        .await?;
        let places = workplaces::of(&mut conn, &desk.staff, None).await?;
        Ok::<_, ApiError>((rows, places))
    }
    .await;
    let (rows, places) = match loaded {
        Ok(loaded) => loaded,
        Err(error) => return page::desk_failure(desk, error),
    };
    let page = Page::from_rows(rows, PAGE_SIZE, |row| QueuePosition {
        handled: row.status != "new",
        created_at: row.created_at,
        id: row.id,
    });
    match queue_context(locale, asked.status, asked.done, page, &places, problems) {
        Ok(context) => page::screen(
            desk,
            uri,
            Some(Section::Callbacks),
            status,
            "callbacks.html",
            context,
        ),
        Err(missing) => page::desk_failure(desk, ApiError::Internal(missing.into())),
    }
}

fn status_choices(locale: Locale, current: Option<&str>) -> Result<Vec<Choice>, MissingText> {
    STATUSES
        .iter()
        .map(|status| {
            Ok(Choice {
                value: (*status).to_owned(),
                label: words::callback_status(locale, status)?,
                selected: current == Some(*status),
            })
        })
        .collect()
}

fn queue_context(
    locale: Locale,
    status: Option<&'static str>,
    done: bool,
    page: Page<CallbackView>,
    places: &workplaces::Workplaces,
    problems: Vec<String>,
) -> Result<Value, MissingText> {
    let network = t!(locale, "desk-callback-network")?;
    let rows = page
        .items
        .iter()
        .map(|row| {
            let clinic = row.clinic_id.and_then(|id| places.clinic(id));
            let zone = clinic
                .and_then(|clinic| clinic.time_zone.parse().ok())
                .unwrap_or(chrono_tz::America::Toronto);
            let clinics: Vec<Choice> = places
                .clinics
                .iter()
                .map(|choice| Choice {
                    value: choice.id.to_string(),
                    label: choice.name.clone(),
                    selected: row.clinic_id == Some(choice.id),
                })
                .collect();
            Ok(context! {
                id => row.id,
                status => row.status,
                status_label => words::callback_status(locale, &row.status)?,
                statuses => status_choices(locale, Some(&row.status))?,
                name => row.name,
                phone => crate::pages::phone_link(&row.phone),
                email => row.email,
                preferred => words::preferred_time(locale, &row.preferred_time)?,
                concern => row.concern,
                clinic => clinic.map(|clinic| clinic.name.clone()).unwrap_or_else(|| network.clone()),
                clinics,
                received => dates::short_date_time(locale, &local(row.created_at, zone))?,
                note => row.note.clone().unwrap_or_default(),
            })
        })
        .collect::<Result<Vec<_>, MissingText>>()?;
    let next_href = page.next_cursor.map(|cursor| {
        let mut pairs = vec![("cursor", cursor)];
        if let Some(status) = status {
            pairs.push(("status", status.to_owned()));
        }
        format!(
            "/desk/callbacks?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    });
    Ok(context! {
        status => status.unwrap_or_default(),
        statuses => status_choices(locale, status)?,
        rows,
        next_href,
        done => done.then(|| t!(locale, "desk-done-callback")).transpose()?,
        problems,
    })
}

/// `POST /desk/callbacks/{id}`: back to the queue (the filter it was posted from) saying it saved.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    DeskPost { desk, form }: DeskPost,
) -> Response {
    let locale = desk.locale;
    // Answered in place, the page is the queue's (where its language switch comes back to).
    let uri = Uri::from_static("/desk/callbacks");
    let Ok(id) = Uuid::parse_str(&id) else {
        return page::desk_status_page(&desk, StatusCode::NOT_FOUND);
    };
    let back_status = form
        .get("back_status")
        .and_then(|status| STATUSES.into_iter().find(|known| *known == status));
    let mut fields = form.to_object(&["status", "note"]);
    // A blank note clears it; only admins route, and "" is the network queue.
    if fields.get("note").and_then(Json::as_str) == Some("") {
        fields.insert("note".into(), Json::Null);
    }
    if desk.is_admin()
        && let Some(clinic) = form.get("clinic_id")
    {
        let value = if clinic.is_empty() {
            Json::Null
        } else {
            Json::from(clinic)
        };
        fields.insert("clinic_id".into(), value);
    }
    let result = match parse_change(&fields) {
        Ok(change) => desk::update(&state, &desk.staff, id, change).await,
        Err(error) => Err(error),
    };
    match result {
        Ok(_) => {
            let mut pairs = vec![("done", "saved".to_owned())];
            if let Some(status) = back_status {
                pairs.push(("status", status.to_owned()));
            }
            let target = format!(
                "/desk/callbacks?{}#callback-{id}",
                serde_urlencoded::to_string(pairs).unwrap_or_default()
            );
            Redirect::to(&target).into_response()
        }
        Err(error @ ApiError::Validation(_)) => {
            let problems = page::problem_words(locale, &error).unwrap_or_default();
            let asked = QueueAsked {
                status: back_status,
                after: None,
                done: false,
            };
            queue_page(
                &state,
                &desk,
                &uri,
                asked,
                StatusCode::UNPROCESSABLE_ENTITY,
                problems,
            )
            .await
        }
        Err(error) => page::desk_failure(&desk, error),
    }
}
