//! The console's bookings: the day at a glance (`GET /desk/`, `GET /desk/bookings`), a booking's page
//! (`GET /desk/bookings/{id}`) and what the front desk does to it (`POST
//! /desk/bookings/{id}/confirm|cancel|reschedule|complete|no-show`). Only HTTP and words here:
//! `scheduling::desk` holds the rules (scoping, states, slots, emails, audit) that the JSON API uses,
//! `scheduling::availability` the free slots, `directory::workplaces` the pickers.
//!
//! An action that worked answers 303 to the booking's page with `?done=`; one the rules refuse
//! (409: the state does not allow it, the slot was taken; 422: a reason too long, no slot chosen)
//! answers the booking's page again with the reason; another clinic's booking is the 404 page.

use crate::desk::extract::DeskPost;
use crate::desk::page::{self, Section};
use crate::desk::reads::PageState;
use crate::desk::session::Desk;
use crate::desk::words;
use crate::directory::workplaces;
use crate::domain::Invalid;
use crate::domain::status::BookingStatus;
use crate::domain::text;
use crate::error::ApiError;
use crate::http::query::QueryParams;
use crate::i18n::{Locale, MissingText, dates};
use crate::intake;
use crate::pages;
use crate::scheduling::availability::{self, SlotDays, local};
use crate::scheduling::bookings::{BookingRow, DayBooking};
use crate::scheduling::desk::{self, BookingFile, BookingQuery, Cancellation};
use crate::scheduling::lifecycle::{self, Action, Transition};
use crate::scheduling::schedule::parse_instant;
use crate::state::AppState;
use crate::t;
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use minijinja::{Value, context};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// A day at one clinic is a few dozen bookings; more than this asks for a narrower filter.
const DAY_LIMIT: i64 = 500;
/// The zone of a day that spans several (an admin's network): Canada's most populous.
const DEFAULT_ZONE: Tz = chrono_tz::America::Toronto;
/// How many days of free slots the reschedule form offers, from today in the clinic's zone.
const OFFERED_DAYS: u64 = 14;

/// What the day page is asked for.
struct DayFilter {
    date: Option<NaiveDate>,
    clinic_id: Option<Uuid>,
    practitioner_id: Option<Uuid>,
    status: Option<BookingStatus>,
}

fn parse_date(raw: &str) -> Result<NaiveDate, Invalid> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| Invalid::new("invalid_date", "field-invalid-date"))
}

/// Reads the filters; an invalid one is left out and its words returned.
fn read_filter(mut query: QueryParams, locale: Locale) -> (DayFilter, Vec<String>) {
    let filter = DayFilter {
        date: query.optional("date", parse_date),
        clinic_id: query.uuid("clinic_id"),
        practitioner_id: query.uuid("practitioner_id"),
        status: query.one_of("status", BookingStatus::all()),
    };
    let problems = match query.finish() {
        Ok(()) => Vec::new(),
        Err(error) => page::problem_words(locale, &error).unwrap_or_default(),
    };
    (filter, problems)
}

/// The start of `date` in `zone` (the first instant of it, across a DST change at midnight).
fn start_of(date: NaiveDate, zone: Tz) -> DateTime<Utc> {
    let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    match zone.from_local_datetime(&midnight).earliest() {
        Some(start) => start.with_timezone(&Utc),
        // Midnight skipped by a DST change: the day starts an hour later.
        None => {
            (zone.from_utc_datetime(&midnight) + chrono::Duration::hours(1)).with_timezone(&Utc)
        }
    }
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Serialize)]
struct DayRow {
    id: Uuid,
    time: String,
    ends: String,
    status: &'static str,
    status_label: String,
    patient: String,
    /// A `tel:` link.
    phone: Option<Value>,
    mode: String,
}

#[derive(Serialize)]
struct PractitionerDay {
    practitioner: String,
    clinic: String,
    rows: Vec<DayRow>,
}

fn day_href(date: NaiveDate, filter: &DayFilter) -> String {
    let mut pairs = vec![("date", date.to_string())];
    if let Some(clinic) = filter.clinic_id {
        pairs.push(("clinic_id", clinic.to_string()));
    }
    if let Some(practitioner) = filter.practitioner_id {
        pairs.push(("practitioner_id", practitioner.to_string()));
    }
    if let Some(status) = filter.status {
        pairs.push(("status", status.as_str().to_owned()));
    }
    format!(
        "/desk/bookings?{}",
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    )
}

/// `GET /desk/`: today.
pub async fn today(
    desk: Desk,
    PageState(state): PageState,
    OriginalUri(uri): OriginalUri,
    query: Result<QueryParams, ApiError>,
) -> Response {
    day_page(state, desk, uri, query, Section::Today).await
}

/// `GET /desk/bookings?date=&clinic_id=&practitioner_id=&status=`: a day's bookings.
pub async fn day(
    desk: Desk,
    PageState(state): PageState,
    OriginalUri(uri): OriginalUri,
    query: Result<QueryParams, ApiError>,
) -> Response {
    day_page(state, desk, uri, query, Section::Bookings).await
}

async fn day_page(
    state: AppState,
    desk: Desk,
    uri: axum::http::Uri,
    query: Result<QueryParams, ApiError>,
    section: Section,
) -> Response {
    let locale = desk.locale;
    let (filter, problems) = match query {
        Ok(query) => read_filter(query, locale),
        Err(error) => (
            DayFilter {
                date: None,
                clinic_id: None,
                practitioner_id: None,
                status: None,
            },
            page::problem_words(locale, &error).unwrap_or_default(),
        ),
    };
    match day_context(&state, &desk, &filter).await {
        Ok(Ok(context)) => {
            let status = if problems.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let context = context! { problems, ..context };
            page::screen(&desk, &uri, Some(section), status, "day.html", context)
        }
        Ok(Err(missing)) => page::desk_failure(&desk, ApiError::Internal(missing.into())),
        Err(error) => page::desk_failure(&desk, error),
    }
}

async fn day_context(
    state: &AppState,
    desk: &Desk,
    filter: &DayFilter,
) -> Result<Result<Value, MissingText>, ApiError> {
    let locale = desk.locale;
    let mut conn = state.db.acquire().await?;
    let places = workplaces::of(&mut conn, &desk.staff, filter.clinic_id).await?;
    // The day is the clinic's day: one zone when the clinics shown share it, else Toronto's day
    // widened to every zone, each booking kept when it falls on the date in its own clinic's zone.
    let shown: Vec<&str> = match filter.clinic_id.and_then(|id| places.clinic(id)) {
        Some(clinic) => vec![clinic.time_zone.as_str()],
        None => places
            .clinics
            .iter()
            .map(|c| c.time_zone.as_str())
            .collect(),
    };
    let mut zones: Vec<Tz> = shown.iter().filter_map(|zone| zone.parse().ok()).collect();
    zones.sort_by_key(|zone| zone.name());
    zones.dedup();
    let zone = match zones.as_slice() {
        [only] => *only,
        _ => DEFAULT_ZONE,
    };
    let date = filter
        .date
        .unwrap_or_else(|| Utc::now().with_timezone(&zone).date_naive());
    let next = date.checked_add_days(Days::new(1)).unwrap_or(date);
    let (from, to) = if zones.len() <= 1 {
        (start_of(date, zone), start_of(next, zone))
    } else {
        (
            start_of(date, chrono_tz::Etc::GMTMinus14),
            start_of(next, chrono_tz::Etc::GMTPlus12),
        )
    };
    let rows = desk::day(
        &mut conn,
        &desk.staff,
        BookingQuery {
            status: filter.status,
            clinic_id: filter.clinic_id,
            practitioner_id: filter.practitioner_id,
            patient_id: None,
            from: Some(from),
            to: Some(to),
            after: None,
            limit: DAY_LIMIT,
        },
    )
    .await?;
    let new_callbacks = intake::desk::new_count(&mut conn, &desk.staff).await?;
    drop(conn);
    Ok(render_day(
        locale,
        filter,
        date,
        zone,
        &zones,
        &places,
        rows,
        new_callbacks,
    ))
}

#[allow(clippy::too_many_arguments)]
fn render_day(
    locale: Locale,
    filter: &DayFilter,
    date: NaiveDate,
    zone: Tz,
    zones: &[Tz],
    places: &workplaces::Workplaces,
    rows: Vec<DayBooking>,
    new_callbacks: i64,
) -> Result<Value, MissingText> {
    let truncated = rows.len() as i64 > DAY_LIMIT;
    // A day is a hundred rows or more of a few statuses and modes: each word is looked up once.
    let mut status_labels: HashMap<BookingStatus, String> = HashMap::new();
    let mut mode_labels: HashMap<String, String> = HashMap::new();
    let mut groups: BTreeMap<(String, Uuid), PractitionerDay> = BTreeMap::new();
    let (mut total, mut requested) = (0_i64, 0_i64);
    for row in rows.iter().take(DAY_LIMIT as usize) {
        let zone = row.zone();
        let starts = local(row.starts_at, zone);
        if starts.date_naive() != date {
            continue;
        }
        total += 1;
        if row.status == BookingStatus::Requested {
            requested += 1;
        }
        let group = groups
            .entry((row.practitioner_name.clone(), row.practitioner_id))
            .or_insert_with(|| PractitionerDay {
                practitioner: row.practitioner_name.clone(),
                clinic: row.clinic_name.clone(),
                rows: Vec::new(),
            });
        let status_label = match status_labels.get(&row.status) {
            Some(label) => label.clone(),
            None => {
                let label = words::booking_status(locale, row.status)?;
                status_labels.insert(row.status, label.clone());
                label
            }
        };
        let mode = match mode_labels.get(&row.mode) {
            Some(label) => label.clone(),
            None => {
                let label = words::mode(locale, &row.mode)?;
                mode_labels.insert(row.mode.clone(), label.clone());
                label
            }
        };
        group.rows.push(DayRow {
            id: row.id,
            time: pages::clock_label(locale, &starts)?,
            ends: pages::clock_label(locale, &local(row.ends_at, zone))?,
            status: row.status.as_str(),
            status_label,
            patient: row.name.clone(),
            phone: row.phone.as_deref().map(pages::phone_link),
            mode,
        });
    }
    let noon = zone
        .from_local_datetime(&date.and_hms_opt(12, 0, 0).unwrap_or_default())
        .earliest()
        .unwrap_or_else(|| zone.from_utc_datetime(&date.and_hms_opt(12, 0, 0).unwrap_or_default()));
    let clinics: Vec<Choice> = places
        .clinics
        .iter()
        .map(|clinic| Choice {
            value: clinic.id.to_string(),
            label: clinic.name.clone(),
            selected: filter.clinic_id == Some(clinic.id),
        })
        .collect();
    let practitioners: Vec<Choice> = places
        .practitioners
        .iter()
        .map(|practitioner| Choice {
            value: practitioner.id.to_string(),
            label: practitioner.name.clone(),
            selected: filter.practitioner_id == Some(practitioner.id),
        })
        .collect();
    let statuses = BookingStatus::all()
        .iter()
        .map(|status| {
            Ok(Choice {
                value: status.as_str().to_owned(),
                label: words::booking_status(locale, *status)?,
                selected: filter.status == Some(*status),
            })
        })
        .collect::<Result<Vec<_>, MissingText>>()?;
    let zone_names = if zones.len() > 1 {
        t!(locale, "desk-day-zones-mixed")?
    } else {
        zone.name().to_owned()
    };
    let today = Utc::now().with_timezone(&zone).date_naive();
    Ok(context! {
        date => date.to_string(),
        date_label => dates::long_date(locale, &noon)?,
        previous_href => day_href(date.pred_opt().unwrap_or(date), filter),
        next_href => day_href(date.succ_opt().unwrap_or(date), filter),
        today_href => day_href(today, filter),
        zone => zone_names,
        clinics,
        practitioners,
        statuses,
        groups => groups.into_values().collect::<Vec<_>>(),
        total,
        requested,
        new_callbacks,
        truncated,
    })
}

/// What an action did, as the booking page's `?done=` says it.
fn done_words(locale: Locale, query: Option<&str>) -> Result<Option<String>, MissingText> {
    let Some(done) = page::query_value(query, "done") else {
        return Ok(None);
    };
    let words = match done.as_str() {
        "confirm" => t!(locale, "desk-done-confirm")?,
        "cancel" => t!(locale, "desk-done-cancel")?,
        "reschedule" => t!(locale, "desk-done-reschedule")?,
        "complete" => t!(locale, "desk-done-complete")?,
        "no_show" => t!(locale, "desk-done-no-show")?,
        _ => return Ok(None),
    };
    Ok(Some(words))
}

fn parse_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| ApiError::NotFound)
}

/// Whether `action` would change a booking in `status` (confirming a confirmed one would not).
fn allows(status: BookingStatus, action: Action) -> bool {
    matches!(lifecycle::apply(status, action), Ok(Transition::To(_)))
}

/// `GET /desk/bookings/{id}`.
pub async fn show(
    desk: Desk,
    PageState(state): PageState,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let done = match done_words(desk.locale, query.as_deref()) {
        Ok(done) => done,
        Err(missing) => return page::desk_failure(&desk, ApiError::Internal(missing.into())),
    };
    booking_page(&state, &desk, &uri, id, StatusCode::OK, done, Vec::new()).await
}

async fn booking_page(
    state: &AppState,
    desk: &Desk,
    uri: &axum::http::Uri,
    id: String,
    status: StatusCode,
    done: Option<String>,
    problems: Vec<String>,
) -> Response {
    let locale = desk.locale;
    let file = match parse_id(&id) {
        Ok(id) => desk::file(state, &desk.staff, id).await,
        Err(error) => Err(error),
    };
    let file = match file {
        Ok(file) => file,
        Err(error) => return page::desk_failure(desk, error),
    };
    let movable = allows(file.booking.status, Action::Reschedule);
    let offered = if movable {
        let today = Utc::now().with_timezone(&file.booking.zone()).date_naive();
        let days = SlotDays {
            from: Some(today),
            to: today.checked_add_days(Days::new(OFFERED_DAYS - 1)),
        };
        match availability::free_slots(state, Some(file.booking.practitioner_id), days).await {
            Ok(view) => view.slots,
            // An inactive practitioner offers nothing; the booking's page still shows.
            Err(ApiError::NotFound) => Vec::new(),
            Err(error) => return page::desk_failure(desk, error),
        }
    } else {
        Vec::new()
    };
    let context = match booking_context(locale, &file, &offered, done, problems) {
        Ok(context) => context,
        Err(missing) => return page::desk_failure(desk, ApiError::Internal(missing.into())),
    };
    page::screen(
        desk,
        uri,
        Some(Section::Bookings),
        status,
        "booking.html",
        context,
    )
}

fn booking_context(
    locale: Locale,
    file: &BookingFile,
    offered: &[availability::SlotView],
    done: Option<String>,
    problems: Vec<String>,
) -> Result<Value, MissingText> {
    let booking = &file.booking;
    let zone = booking.zone();
    let starts = local(booking.starts_at, zone);
    let consents = file
        .consents
        .iter()
        .map(|consent| {
            Ok(context! {
                category => words::category(locale, &consent.category)?,
                state => words::consent_state(locale, consent.granted, consent.since.is_some())?,
                since => consent
                    .since
                    .map(|since| dates::short_date_time(locale, &local(since, zone)))
                    .transpose()?
                    .unwrap_or_default(),
            })
        })
        .collect::<Result<Vec<_>, MissingText>>()?;
    let emails = page::email_rows(locale, &file.emails, zone)?;
    let status = booking.status;
    let day_href = format!(
        "/desk/bookings?{}",
        serde_urlencoded::to_string([
            ("date", starts.date_naive().to_string()),
            ("clinic_id", booking.clinic_id.to_string()),
        ])
        .unwrap_or_default()
    );
    Ok(context! {
        day_href,
        booking => context! {
            id => booking.id,
            patient => booking.name,
            patient_id => booking.patient_id,
            email => booking.email,
            phone => booking.phone.as_deref().map(pages::phone_link),
            concern => booking.concern,
            when => dates::long_date_time(locale, &starts)?,
            ends => dates::time_of_day(locale, &local(booking.ends_at, zone))?,
            zone => booking.time_zone,
            practitioner => booking.practitioner_name,
            clinic => booking.clinic_name,
            mode => words::mode(locale, &booking.mode)?,
            status => status.as_str(),
            status_label => words::booking_status(locale, status)?,
            created => dates::short_date_time(locale, &local(booking.created_at, zone))?,
            changed_by => booking.changed_by.as_deref().map(|who| words::changed_by(locale, who)).transpose()?,
            cancel_reason => booking.cancel_reason,
        },
        can_confirm => allows(status, Action::Confirm),
        can_cancel => allows(status, Action::Cancel),
        can_reschedule => allows(status, Action::Reschedule),
        can_complete => allows(status, Action::Complete),
        can_no_show => allows(status, Action::NoShow),
        slots => pages::slot_fieldsets(locale, offered.iter().map(|slot| &slot.starts_at))?,
        consents,
        emails,
        done,
        problems,
    })
}

/// The answer to an action: 303 to the page saying what was done, or the page with why not.
async fn answer(
    state: &AppState,
    desk: &Desk,
    uri: &axum::http::Uri,
    id: String,
    action: Action,
    result: Result<BookingRow, ApiError>,
) -> Response {
    let done =
        |booking: &BookingRow| format!("/desk/bookings/{}?done={}", booking.id, action.as_str());
    page::after_form(desk, result, done, |status, problems| {
        booking_page(state, desk, uri, id, status, None, problems)
    })
    .await
}

/// The page a form posted from (its actions post to the page's URL plus `/action`).
fn page_uri(id: &str) -> axum::http::Uri {
    format!("/desk/bookings/{id}")
        .parse()
        .unwrap_or_else(|_| axum::http::Uri::from_static("/desk/"))
}

pub async fn confirm(
    State(state): State<AppState>,
    Path(id): Path<String>,
    DeskPost { desk, .. }: DeskPost,
) -> Response {
    let result = match parse_id(&id) {
        Ok(uuid) => desk::confirm(&state, &desk.staff, uuid).await,
        Err(error) => Err(error),
    };
    answer(&state, &desk, &page_uri(&id), id, Action::Confirm, result).await
}

pub async fn cancel(
    State(state): State<AppState>,
    Path(id): Path<String>,
    DeskPost { desk, form }: DeskPost,
) -> Response {
    let reason = form
        .get("reason")
        .filter(|reason| !reason.trim().is_empty())
        .map(|reason| text::bounded_text(reason, 0, text::MAX_REASON_CHARS, true))
        .transpose();
    let result = match (parse_id(&id), reason) {
        (Err(error), _) => Err(error),
        (Ok(_), Err(invalid)) => Err(ApiError::validation("reason", invalid)),
        (Ok(uuid), Ok(reason)) => {
            let cancellation = Cancellation {
                reason,
                // An unticked checkbox sends nothing: no email.
                notify_patient: form.get("notify_patient").is_some(),
            };
            desk::cancel(&state, &desk.staff, uuid, cancellation).await
        }
    };
    answer(&state, &desk, &page_uri(&id), id, Action::Cancel, result).await
}

pub async fn reschedule(
    State(state): State<AppState>,
    Path(id): Path<String>,
    DeskPost { desk, form }: DeskPost,
) -> Response {
    let starts_at = match form.get("starts_at") {
        Some(raw) => parse_instant(raw),
        None => Err(Invalid::new("required", "field-choose-slot")),
    };
    let result = match (parse_id(&id), starts_at) {
        (Err(error), _) => Err(error),
        (Ok(_), Err(invalid)) => Err(ApiError::validation("starts_at", invalid)),
        (Ok(uuid), Ok(starts_at)) => desk::reschedule(&state, &desk.staff, uuid, starts_at).await,
    };
    answer(
        &state,
        &desk,
        &page_uri(&id),
        id,
        Action::Reschedule,
        result,
    )
    .await
}

async fn close(state: AppState, id: String, desk: Desk, action: Action) -> Response {
    let result = match parse_id(&id) {
        Ok(uuid) => desk::close(&state, &desk.staff, uuid, action).await,
        Err(error) => Err(error),
    };
    answer(&state, &desk, &page_uri(&id), id, action, result).await
}

pub async fn complete(
    State(state): State<AppState>,
    Path(id): Path<String>,
    DeskPost { desk, .. }: DeskPost,
) -> Response {
    close(state, id, desk, Action::Complete).await
}

pub async fn no_show(
    State(state): State<AppState>,
    Path(id): Path<String>,
    DeskPost { desk, .. }: DeskPost,
) -> Response {
    close(state, id, desk, Action::NoShow).await
}
