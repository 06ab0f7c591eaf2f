//! The console's patient page, `GET /desk/patients/{id}`: the patient as the staff member may see
//! them (`patients::file`: their clinics' part only), with forms to record a consent change the
//! person asked for (`POST /desk/patients/{id}/consents`, `patients::consent_request`), to send an
//! exercise plan from the library (`POST .../exercise-plans`, `plans::exercise_plans`) and a plan of
//! care (`POST .../care-plans`, `plans::care_plans`). The forms' fields are turned into the JSON
//! API's bodies and read by the same readers, so both doors accept and refuse the same things.

use crate::desk::extract::DeskPost;
use crate::desk::form::put;
use crate::desk::page;
use crate::desk::reads::PageState;
use crate::desk::session::Desk;
use crate::desk::words;
use crate::directory::workplaces;
use crate::domain::client::ClientInfo;
use crate::domain::consent::ConsentCategory;
use crate::error::ApiError;
use crate::i18n::{Locale, MissingText, dates};
use crate::patients::file::{self, PatientView};
use crate::patients::{consent_request, consents};
use crate::plans::{care_plans, exercise_plans, library};
use crate::scheduling::availability::local;
use crate::state::AppState;
use crate::t;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use minijinja::{Value, context};
use serde_json::{Value as Json, json};
use uuid::Uuid;

/// Times on the page are written in this zone when the row's clinic is not one the reader sees.
const FALLBACK_ZONE: chrono_tz::Tz = chrono_tz::America::Toronto;

fn done_words(locale: Locale, query: Option<&str>) -> Result<Option<String>, MissingText> {
    let Some(done) = page::query_value(query, "done") else {
        return Ok(None);
    };
    Ok(match done.as_str() {
        "consent" => Some(t!(locale, "desk-done-consent")?),
        "exercise_plan" => Some(t!(locale, "desk-done-exercise-plan")?),
        "care_plan" => Some(t!(locale, "desk-done-care-plan")?),
        _ => None,
    })
}

pub async fn show(
    desk: Desk,
    PageState(state): PageState,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let done = match done_words(desk.locale, query.as_deref()) {
        Ok(done) => done,
        Err(missing) => return page::desk_failure(&desk, ApiError::Internal(missing.into())),
    };
    patient_page(&state, &desk, &id, StatusCode::OK, done, Vec::new()).await
}

async fn patient_page(
    state: &AppState,
    desk: &Desk,
    id: &str,
    status: StatusCode,
    done: Option<String>,
    problems: Vec<String>,
) -> Response {
    let loaded = async {
        let id = Uuid::parse_str(id).map_err(|_| ApiError::NotFound)?;
        let view = file::view(state, &desk.staff, id).await?;
        let mut conn = state.db.acquire().await?;
        let places = workplaces::of(&mut conn, &desk.staff, None).await?;
        let exercises = library::exercises(&mut conn).await?;
        Ok::<_, ApiError>((view, places, exercises))
    }
    .await;
    let (view, places, exercises) = match loaded {
        Ok(loaded) => loaded,
        Err(error) => return page::desk_failure(desk, error),
    };
    let network = state
        .settings
        .network_name
        .clone()
        .unwrap_or_else(|| t!(desk.locale, "desk-patient-network").unwrap_or_default());
    let context = patient_context(
        desk.locale,
        &view,
        &places,
        &exercises,
        &network,
        done,
        problems,
    );
    match context {
        Ok(context) => {
            let uri: Uri = format!("/desk/patients/{}", view.id)
                .parse()
                .unwrap_or_else(|_| Uri::from_static("/desk/"));
            page::screen(desk, &uri, None, status, "patient.html", context)
        }
        Err(missing) => page::desk_failure(desk, ApiError::Internal(missing.into())),
    }
}

fn patient_context(
    locale: Locale,
    view: &PatientView,
    places: &workplaces::Workplaces,
    exercises: &[crate::plans::store::Exercise],
    network: &str,
    done: Option<String>,
    problems: Vec<String>,
) -> Result<Value, MissingText> {
    let clinic_name = |clinic: Option<Uuid>| match clinic {
        None => network.to_owned(),
        Some(id) => places
            .clinic(id)
            .map(|clinic| clinic.name.clone())
            .unwrap_or_else(|| id.to_string()),
    };
    let zone_of = |clinic: Option<Uuid>| {
        clinic
            .and_then(|id| places.clinic(id))
            .and_then(|clinic| clinic.time_zone.parse().ok())
            .unwrap_or(FALLBACK_ZONE)
    };
    let consents = view
        .consents
        .iter()
        .map(|consent| {
            Ok(context! {
                clinic => clinic_name(consent.clinic_id),
                category => words::category(locale, &consent.category)?,
                state => words::consent_state(locale, consent.granted, consent.since.is_some())?,
                since => consent
                    .since
                    .map(|since| dates::short_date_time(locale, &local(since, zone_of(consent.clinic_id))))
                    .transpose()?
                    .unwrap_or_default(),
            })
        })
        .collect::<Result<Vec<_>, MissingText>>()?;
    let history = view
        .consent_history
        .iter()
        .map(|event| {
            Ok(context! {
                clinic => clinic_name(event.clinic_id),
                category => words::category(locale, &event.category)?,
                state => words::consent_state(locale, event.granted, true)?,
                source => event.source,
                note => event.note,
                when => dates::short_date_time(locale, &local(event.created_at, zone_of(event.clinic_id)))?,
            })
        })
        .collect::<Result<Vec<_>, MissingText>>()?;
    let bookings = view
        .bookings
        .iter()
        .map(|booking| {
            Ok(context! {
                id => booking.id,
                when => dates::short_date_time(locale, &booking.starts_at)?,
                practitioner => booking.practitioner.name,
                clinic => booking.clinic.name,
                status => booking.status.as_str(),
                status_label => words::booking_status(locale, booking.status)?,
            })
        })
        .collect::<Result<Vec<_>, MissingText>>()?;
    let callbacks = view
        .callbacks
        .iter()
        .map(|callback| {
            Ok(context! {
                clinic => clinic_name(callback.clinic_id),
                status => callback.status,
                status_label => words::callback_status(locale, &callback.status)?,
                received => dates::short_date_time(locale, &local(callback.created_at, zone_of(callback.clinic_id)))?,
                concern => callback.concern,
            })
        })
        .collect::<Result<Vec<_>, MissingText>>()?;
    let emails = page::email_rows(locale, &view.emails, FALLBACK_ZONE)?;
    // The clinics a form may name: the reader's clinics this patient dealt with (for an admin,
    // every clinic they did), as the consents list them.
    let mut seen: Vec<Uuid> = Vec::new();
    let clinics: Vec<Value> = view
        .consents
        .iter()
        .filter_map(|consent| consent.clinic_id)
        .filter(|id| {
            let new = !seen.contains(id);
            seen.push(*id);
            new
        })
        .map(|id| context! { id => id.to_string(), name => clinic_name(Some(id)) })
        .collect();
    let categories = ConsentCategory::ALL
        .iter()
        .map(|category| {
            Ok(context! {
                value => category.as_str(),
                label => words::category(locale, category.as_str())?,
            })
        })
        .collect::<Result<Vec<_>, MissingText>>()?;
    let library = exercises
        .iter()
        .map(|exercise| context! { id => exercise.id, name => exercise.name })
        .collect::<Vec<_>>();
    Ok(context! {
        patient => context! {
            id => view.id,
            name => view.name,
            email => view.email,
            phone => view.phone.as_deref().map(crate::pages::phone_link),
            since => dates::short_date_time(locale, &local(view.created_at, FALLBACK_ZONE))?,
        },
        consents,
        history,
        bookings,
        callbacks,
        emails,
        clinics,
        categories,
        library,
        done,
        problems,
    })
}

/// The answer to a form: 303 back to the page saying what was done, or the page with why not.
async fn answer<T>(
    state: &AppState,
    desk: &Desk,
    id: &str,
    done: &str,
    result: Result<T, ApiError>,
) -> Response {
    let back = |_: &T| format!("/desk/patients/{id}?done={done}");
    page::after_form(desk, result, back, |status, problems| {
        patient_page(state, desk, id, status, None, problems)
    })
    .await
}

pub async fn record_consent(
    State(state): State<AppState>,
    client: ClientInfo,
    Path(id): Path<String>,
    DeskPost { desk, form }: DeskPost,
) -> Response {
    let mut body = form.body_of(&["clinic_id", "category", "note"]);
    let granted = form.get("granted").map(|raw| match raw {
        "true" => Json::Bool(true),
        "false" => Json::Bool(false),
        other => Json::from(other),
    });
    put(&mut body, "granted", granted);
    let result = match (Uuid::parse_str(&id), consents::parse_change(&body)) {
        (Err(_), _) => Err(ApiError::NotFound),
        (Ok(_), Err(error)) => Err(error),
        (Ok(patient), Ok(change)) => {
            consent_request::record(&state, &desk.staff, &client, patient, &change).await
        }
    };
    answer(&state, &desk, &id, "consent", result).await
}

pub async fn send_exercise_plan(
    State(state): State<AppState>,
    Path(id): Path<String>,
    DeskPost { desk, form }: DeskPost,
) -> Response {
    let mut body = form.body_of(&["title", "note", "clinic_id"]);
    let chosen: Vec<Json> = form
        .all("exercise_id")
        .map(|exercise| json!({"exercise_id": exercise}))
        .collect();
    body.insert("exercises".into(), Json::from(chosen));
    let result = match Uuid::parse_str(&id) {
        Ok(patient) => {
            exercise_plans::send_exercise_plan(&state, &desk.staff, patient, &body).await
        }
        Err(_) => Err(ApiError::NotFound),
    };
    answer(&state, &desk, &id, "exercise_plan", result).await
}

pub async fn send_care_plan(
    State(state): State<AppState>,
    Path(id): Path<String>,
    DeskPost { desk, form }: DeskPost,
) -> Response {
    let mut body = form.body_of(&["title", "summary", "clinic_id"]);
    put(&mut body, "visits_per_week", form.number("visits_per_week"));
    put(&mut body, "weeks", form.number("weeks"));
    // One goal a line.
    let goals: Vec<Json> = form
        .get("goals")
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|goal| !goal.is_empty())
        .map(Json::from)
        .collect();
    body.insert("goals".into(), Json::from(goals));
    let result = match Uuid::parse_str(&id) {
        Ok(patient) => care_plans::send_care_plan(&state, &desk.staff, patient, &body).await,
        Err(_) => Err(ApiError::NotFound),
    };
    answer(&state, &desk, &id, "care_plan", result).await
}
