//! The console's admin pages: clinics (`/desk/admin/clinics`), practitioners with their weekly hours
//! and time off (`/desk/admin/practitioners`), staff (`/desk/admin/staff`). Admins only (others get
//! the 403 page before anything is read). The forms' fields are turned into the JSON API's bodies and
//! read by its readers (`directory::clinics::read_fields`, `directory::practitioners::read_fields`,
//! `scheduling::hours::parse_schedule|parse_time_off`, `staff::accounts::NewStaff::parse`); the use
//! cases are the ones the JSON API calls, each audited with the admin.

use crate::desk::extract::{AdminDesk, AdminPost};
use crate::desk::form::{Form, put};
use crate::desk::page::{self, Section};
use crate::desk::reads::PageState;
use crate::desk::session::Desk;
use crate::directory::clinic_store::ClinicView;
use crate::directory::practitioner_store::PractitionerView;
use crate::directory::{clinic_admin, clinics, practitioner_admin, practitioners};
use crate::domain::practice::DISCIPLINES;
use crate::error::ApiError;
use crate::http::query::QueryParams;
use crate::scheduling::{hours, working_hours};
use crate::staff::accounts::{self, NewStaff};
use crate::state::AppState;
use crate::t;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use chrono::{NaiveDateTime, TimeZone};
use minijinja::{Value, context};
use serde_json::{Map, Value as Json};
use uuid::Uuid;

/// One page of an admin list.
const LIST_LIMIT: i64 = 100;
const MODES: [&str; 3] = ["phone", "video", "in_person"];
const ROLES: [&str; 3] = ["admin", "front_desk", "practitioner"];

fn done_words(locale: crate::i18n::Locale, query: Option<&str>) -> Option<String> {
    let done = page::query_value(query, "done")?;
    match done.as_str() {
        "created" => t!(locale, "desk-done-created").ok(),
        "saved" => t!(locale, "desk-done-saved").ok(),
        "hours" => t!(locale, "desk-done-hours").ok(),
        "time_off" => t!(locale, "desk-done-time-off").ok(),
        _ => None,
    }
}

/// An admin page under the console's header, its "Admin" link current.
fn admin_screen(
    desk: &Desk,
    path: &str,
    status: StatusCode,
    template: &str,
    context: Value,
) -> Response {
    page::screen(
        desk,
        &uri(path),
        Some(Section::Admin),
        status,
        template,
        context,
    )
}

fn uri(path: &str) -> Uri {
    path.parse().unwrap_or_else(|_| Uri::from_static("/desk/"))
}

// ---------------------------------------------------------------------------------------------
// Clinics

fn clinic_body(form: &Form, creating: bool) -> Map<String, Json> {
    let mut body = form.body_of(&[
        "name",
        "address",
        "city",
        "province",
        "postal_code",
        "phone",
        "time_zone",
        "default_locale",
    ]);
    put(&mut body, "latitude", form.number("latitude"));
    put(&mut body, "longitude", form.number("longitude"));
    // Blank: nobody is told (on an edit, that clears it).
    match form.text("notification_email") {
        Some(email) => {
            body.insert("notification_email".into(), email);
        }
        None if !creating => {
            body.insert("notification_email".into(), Json::Null);
        }
        None => {}
    }
    body
}

fn clinic_value(clinic: &ClinicView) -> Value {
    let summary = &clinic.clinic;
    context! {
        id => summary.id,
        name => summary.name,
        address => summary.address,
        city => summary.city,
        province => summary.province,
        postal_code => summary.postal_code,
        phone => summary.phone,
        latitude => summary.latitude,
        longitude => summary.longitude,
        time_zone => summary.time_zone,
        default_locale => clinic.default_locale.as_str(),
        notification_email => clinic.notification_email,
    }
}

async fn clinics_page(
    state: &AppState,
    desk: &Desk,
    status: StatusCode,
    done: Option<String>,
    problems: Vec<String>,
) -> Response {
    let rows = match clinic_admin::list(state, &desk.staff, None, LIST_LIMIT).await {
        Ok(rows) => rows,
        Err(error) => return page::desk_failure(desk, error),
    };
    let more = rows.len() as i64 > LIST_LIMIT;
    let clinics: Vec<Value> = rows
        .iter()
        .take(LIST_LIMIT as usize)
        .map(clinic_value)
        .collect();
    let context = context! { clinics, more, done, problems, editing => Value::from(()) };
    admin_screen(
        desk,
        "/desk/admin/clinics",
        status,
        "admin_clinics.html",
        context,
    )
}

pub async fn clinics(
    AdminDesk(desk): AdminDesk,
    PageState(state): PageState,
    RawQuery(query): RawQuery,
) -> Response {
    let done = done_words(desk.locale, query.as_deref());
    clinics_page(&state, &desk, StatusCode::OK, done, Vec::new()).await
}

pub async fn create_clinic(
    State(state): State<AppState>,
    AdminPost { desk, form }: AdminPost,
) -> Response {
    let result = match clinics::read_fields(&clinic_body(&form, true), false) {
        Ok(fields) => clinic_admin::create(&state, &desk.staff, fields).await,
        Err(error) => Err(error),
    };
    let done =
        |clinic: &ClinicView| format!("/desk/admin/clinics/{}?done=created", clinic.clinic.id);
    page::after_form(&desk, result, done, |status, problems| {
        clinics_page(&state, &desk, status, None, problems)
    })
    .await
}

async fn clinic_page(
    state: &AppState,
    desk: &Desk,
    id: &str,
    status: StatusCode,
    done: Option<String>,
    problems: Vec<String>,
) -> Response {
    let clinic = match Uuid::parse_str(id) {
        Ok(id) => clinic_admin::get(state, &desk.staff, id).await,
        Err(_) => Err(ApiError::NotFound),
    };
    let clinic = match clinic {
        Ok(clinic) => clinic,
        Err(error) => return page::desk_failure(desk, error),
    };
    let context = context! { editing => clinic_value(&clinic), done, problems };
    admin_screen(
        desk,
        &format!("/desk/admin/clinics/{}", clinic.clinic.id),
        status,
        "admin_clinic.html",
        context,
    )
}

pub async fn clinic(
    AdminDesk(desk): AdminDesk,
    PageState(state): PageState,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let done = done_words(desk.locale, query.as_deref());
    clinic_page(&state, &desk, &id, StatusCode::OK, done, Vec::new()).await
}

pub async fn update_clinic(
    State(state): State<AppState>,
    Path(id): Path<String>,
    AdminPost { desk, form }: AdminPost,
) -> Response {
    let result = match (
        Uuid::parse_str(&id),
        clinics::read_fields(&clinic_body(&form, false), true),
    ) {
        (Err(_), _) => Err(ApiError::NotFound),
        (Ok(_), Err(error)) => Err(error),
        (Ok(uuid), Ok(fields)) => clinic_admin::update(&state, &desk.staff, uuid, fields).await,
    };
    let done = |_: &ClinicView| format!("/desk/admin/clinics/{id}?done=saved");
    page::after_form(&desk, result, done, |status, problems| {
        clinic_page(&state, &desk, &id, status, None, problems)
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// Practitioners

fn practitioner_body(form: &Form, creating: bool) -> Map<String, Json> {
    let mut body = form.body_of(&["clinic_id", "name", "discipline"]);
    body.insert("services".into(), form.list("services"));
    body.insert("languages".into(), form.list("languages"));
    body.insert("consult_modes".into(), form.every("consult_modes"));
    if !creating {
        // An unticked checkbox sends nothing: the form says it was shown.
        body.insert("active".into(), Json::Bool(form.get("active").is_some()));
    }
    body
}

fn practitioner_value(practitioner: &PractitionerView) -> Value {
    context! {
        id => practitioner.id,
        clinic_id => practitioner.clinic_id,
        name => practitioner.name,
        discipline => practitioner.discipline,
        services => practitioner.services.join(", "),
        languages => practitioner.languages.join(", "),
        consult_modes => practitioner.consult_modes,
        active => practitioner.active,
    }
}

/// The clinics an admin picks from (by name).
async fn clinic_choices(state: &AppState, desk: &Desk) -> Result<Vec<Value>, ApiError> {
    let mut conn = state.db.acquire().await?;
    let places = crate::directory::workplaces::of(&mut conn, &desk.staff, None).await?;
    Ok(places
        .clinics
        .iter()
        .map(|clinic| context! { id => clinic.id, name => clinic.name })
        .collect())
}

async fn practitioners_page(
    state: &AppState,
    desk: &Desk,
    clinic: Option<Uuid>,
    status: StatusCode,
    problems: Vec<String>,
) -> Response {
    let loaded = async {
        let rows = practitioner_admin::list(state, &desk.staff, clinic, None, LIST_LIMIT).await?;
        let clinics = clinic_choices(state, desk).await?;
        Ok::<_, ApiError>((rows, clinics))
    }
    .await;
    let (rows, clinics) = match loaded {
        Ok(loaded) => loaded,
        Err(error) => return page::desk_failure(desk, error),
    };
    let more = rows.len() as i64 > LIST_LIMIT;
    let practitioners: Vec<Value> = rows
        .iter()
        .take(LIST_LIMIT as usize)
        .map(practitioner_value)
        .collect();
    let context = context! {
        practitioners,
        more,
        clinics,
        clinic => clinic.map(|id| id.to_string()),
        disciplines => DISCIPLINES,
        modes => MODES,
        problems,
    };
    admin_screen(
        desk,
        "/desk/admin/practitioners",
        status,
        "admin_practitioners.html",
        context,
    )
}

pub async fn practitioners(
    AdminDesk(desk): AdminDesk,
    PageState(state): PageState,
    query: Result<QueryParams, ApiError>,
) -> Response {
    let clinic = query.ok().and_then(|mut query| query.uuid("clinic_id"));
    practitioners_page(&state, &desk, clinic, StatusCode::OK, Vec::new()).await
}

pub async fn create_practitioner(
    State(state): State<AppState>,
    AdminPost { desk, form }: AdminPost,
) -> Response {
    let result = match practitioners::read_fields(&practitioner_body(&form, true), false) {
        Ok(fields) => practitioner_admin::create(&state, &desk.staff, fields).await,
        Err(error) => Err(error),
    };
    let done = |created: &PractitionerView| {
        format!("/desk/admin/practitioners/{}?done=created", created.id)
    };
    let clinic = form
        .get("clinic_id")
        .and_then(|raw| Uuid::parse_str(raw).ok());
    page::after_form(&desk, result, done, |status, problems| {
        practitioners_page(&state, &desk, clinic, status, problems)
    })
    .await
}

/// The weekly-hours form's rows: each weekday with up to two ranges (a lunch break between them).
fn week_rows(schedule: &working_hours::ScheduleView, locale: crate::i18n::Locale) -> Vec<Value> {
    (1..=7u8)
        .map(|weekday| {
            let ranges: Vec<_> = schedule
                .weekly
                .iter()
                .filter(|range| range.weekday == weekday)
                .collect();
            let at = |index: usize, start: bool| {
                ranges
                    .get(index)
                    .map(|range| {
                        let time = if start { range.start } else { range.end };
                        time.format("%H:%M").to_string()
                    })
                    .unwrap_or_default()
            };
            context! {
                weekday,
                name => weekday_name(locale, weekday),
                start_1 => at(0, true),
                end_1 => at(0, false),
                start_2 => at(1, true),
                end_2 => at(1, false),
            }
        })
        .collect()
}

fn weekday_name(locale: crate::i18n::Locale, weekday: u8) -> String {
    let words = match weekday {
        1 => t!(locale, "desk-weekday-1"),
        2 => t!(locale, "desk-weekday-2"),
        3 => t!(locale, "desk-weekday-3"),
        4 => t!(locale, "desk-weekday-4"),
        5 => t!(locale, "desk-weekday-5"),
        6 => t!(locale, "desk-weekday-6"),
        _ => t!(locale, "desk-weekday-7"),
    };
    words.unwrap_or_default()
}

async fn practitioner_page(
    state: &AppState,
    desk: &Desk,
    id: &str,
    status: StatusCode,
    done: Option<String>,
    problems: Vec<String>,
) -> Response {
    let loaded = async {
        let id = Uuid::parse_str(id).map_err(|_| ApiError::NotFound)?;
        let practitioner = practitioner_admin::get(state, &desk.staff, id).await?;
        let mut conn = state.db.acquire().await?;
        let schedule = working_hours::schedule(&mut conn, &desk.staff, id).await?;
        drop(conn);
        let clinics = clinic_choices(state, desk).await?;
        Ok::<_, ApiError>((practitioner, schedule, clinics))
    }
    .await;
    let (practitioner, schedule, clinics) = match loaded {
        Ok(loaded) => loaded,
        Err(error) => return page::desk_failure(desk, error),
    };
    let context = context! {
        practitioner => practitioner_value(&practitioner),
        clinics,
        disciplines => DISCIPLINES,
        modes => MODES,
        week => week_rows(&schedule, desk.locale),
        slot_minutes => schedule.slot_minutes.unwrap_or(15),
        time_zone => schedule.time_zone,
        done,
        problems,
    };
    admin_screen(
        desk,
        &format!("/desk/admin/practitioners/{}", practitioner.id),
        status,
        "admin_practitioner.html",
        context,
    )
}

pub async fn practitioner(
    AdminDesk(desk): AdminDesk,
    PageState(state): PageState,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let done = done_words(desk.locale, query.as_deref());
    practitioner_page(&state, &desk, &id, StatusCode::OK, done, Vec::new()).await
}

/// The answer to a practitioner page's form: 303 back saying `done`, or the page with why not.
async fn practitioner_answer<T>(
    state: &AppState,
    desk: &Desk,
    id: &str,
    done: &str,
    result: Result<T, ApiError>,
) -> Response {
    let back = |_: &T| format!("/desk/admin/practitioners/{id}?done={done}");
    page::after_form(desk, result, back, |status, problems| {
        practitioner_page(state, desk, id, status, None, problems)
    })
    .await
}

pub async fn update_practitioner(
    State(state): State<AppState>,
    Path(id): Path<String>,
    AdminPost { desk, form }: AdminPost,
) -> Response {
    let result = match (
        Uuid::parse_str(&id),
        practitioners::read_fields(&practitioner_body(&form, false), true),
    ) {
        (Err(_), _) => Err(ApiError::NotFound),
        (Ok(_), Err(error)) => Err(error),
        (Ok(uuid), Ok(fields)) => {
            practitioner_admin::update(&state, &desk.staff, uuid, fields).await
        }
    };
    practitioner_answer(&state, &desk, &id, "saved", result).await
}

pub async fn put_schedule(
    State(state): State<AppState>,
    Path(id): Path<String>,
    AdminPost { desk, form }: AdminPost,
) -> Response {
    let mut weekly = Vec::new();
    for weekday in 1..=7 {
        for part in 1..=2 {
            let start = form.text(&format!("start_{weekday}_{part}"));
            let end = form.text(&format!("end_{weekday}_{part}"));
            if start.is_none() && end.is_none() {
                continue;
            }
            let mut range = Map::new();
            range.insert("weekday".into(), Json::from(weekday));
            put(
                &mut range,
                "start",
                Some(start.unwrap_or_else(|| Json::from(""))),
            );
            put(
                &mut range,
                "end",
                Some(end.unwrap_or_else(|| Json::from(""))),
            );
            weekly.push(Json::Object(range));
        }
    }
    let mut body = Map::new();
    body.insert("weekly".into(), Json::from(weekly));
    put(&mut body, "slot_minutes", form.number("slot_minutes"));
    let result = match (Uuid::parse_str(&id), hours::parse_schedule(&body)) {
        (Err(_), _) => Err(ApiError::NotFound),
        (Ok(_), Err(error)) => Err(error),
        (Ok(uuid), Ok(week)) => {
            working_hours::replace_schedule(&state, &desk.staff, uuid, week).await
        }
    };
    practitioner_answer(&state, &desk, &id, "hours", result).await
}

/// A `datetime-local` value (`2026-12-24T09:00`) in the clinic's zone as RFC 3339; as typed when it
/// does not read as one (the reader then names it invalid).
fn local_instant(raw: Option<&str>, zone: chrono_tz::Tz) -> Option<Json> {
    let raw = raw?.trim();
    if raw.is_empty() {
        return None;
    }
    let parsed = NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
        .ok()
        .and_then(|naive| zone.from_local_datetime(&naive).earliest());
    Some(match parsed {
        Some(instant) => Json::from(instant.to_rfc3339()),
        None => Json::from(raw),
    })
}

pub async fn add_time_off(
    State(state): State<AppState>,
    Path(id): Path<String>,
    AdminPost { desk, form }: AdminPost,
) -> Response {
    let result = async {
        let uuid = Uuid::parse_str(&id).map_err(|_| ApiError::NotFound)?;
        let zone: chrono_tz::Tz = {
            let mut conn = state.db.acquire().await?;
            working_hours::schedule(&mut conn, &desk.staff, uuid)
                .await?
                .time_zone
                .parse()
                .unwrap_or(chrono_tz::UTC)
        };
        let mut body = Map::new();
        put(
            &mut body,
            "starts_at",
            local_instant(form.get("starts_at"), zone),
        );
        put(
            &mut body,
            "ends_at",
            local_instant(form.get("ends_at"), zone),
        );
        put(&mut body, "reason", form.text("reason"));
        let entry = hours::parse_time_off(&body)?;
        working_hours::add_time_off(&state, &desk.staff, uuid, entry).await
    }
    .await;
    practitioner_answer(&state, &desk, &id, "time_off", result).await
}

// ---------------------------------------------------------------------------------------------
// Staff

async fn staff_page(
    state: &AppState,
    desk: &Desk,
    status: StatusCode,
    done: Option<String>,
    problems: Vec<String>,
) -> Response {
    let loaded = async {
        let admin = desk.staff.as_admin()?;
        let rows = accounts::list(&state.db, admin, None, LIST_LIMIT).await?;
        let clinics = clinic_choices(state, desk).await?;
        Ok::<_, ApiError>((rows, clinics))
    }
    .await;
    let (rows, clinics) = match loaded {
        Ok(loaded) => loaded,
        Err(error) => return page::desk_failure(desk, error),
    };
    let more = rows.len() as i64 > LIST_LIMIT;
    let members: Vec<Value> = rows
        .iter()
        .take(LIST_LIMIT as usize)
        .map(|member| {
            context! {
                id => member.id,
                name => member.name,
                email => member.email,
                role => member.role,
                clinics => member.clinic_ids.len(),
                active => member.active,
            }
        })
        .collect();
    let context = context! { members, more, clinics, roles => ROLES, done, problems };
    admin_screen(
        desk,
        "/desk/admin/staff",
        status,
        "admin_staff.html",
        context,
    )
}

pub async fn staff(
    AdminDesk(desk): AdminDesk,
    PageState(state): PageState,
    RawQuery(query): RawQuery,
) -> Response {
    let done = done_words(desk.locale, query.as_deref());
    staff_page(&state, &desk, StatusCode::OK, done, Vec::new()).await
}

pub async fn create_staff(
    State(state): State<AppState>,
    AdminPost { desk, form }: AdminPost,
) -> Response {
    let mut body = form.body_of(&["email", "name", "role"]);
    put(&mut body, "password", form.get("password").map(Json::from));
    body.insert("clinic_ids".into(), form.every("clinic_ids"));
    let result = match (desk.staff.as_admin(), NewStaff::parse(&body)) {
        (Err(error), _) | (_, Err(error)) => Err(error),
        (Ok(admin), Ok(new)) => accounts::create(&state, admin, &new).await,
    };
    let done = |_: &_| "/desk/admin/staff?done=created".to_owned();
    page::after_form(&desk, result, done, |status, problems| {
        staff_page(&state, &desk, status, None, problems)
    })
    .await
}
