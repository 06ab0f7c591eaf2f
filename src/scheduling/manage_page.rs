//! `GET /manage/{token}`, `POST /manage/{token}/cancel` and `POST /manage/{token}/reschedule`: the
//! "Need to change your appointment?" page the link in a booking's emails opens, as HTML that works
//! without JavaScript. These handlers only translate HTTP and words; `scheduling::patient_manage`
//! holds the rules (the same ones the JSON doors use) and `crate::pages` the page machinery.
//!
//! GET (and HEAD) changes nothing. A POST that worked answers 303 back to the page, with
//! `?done=cancelled|rescheduled` turned into a message there; a taken slot (409), a booking that can
//! no longer be changed (409) and a form that is not understood (422) answer the page again with
//! the message; a bad token is the 404 "not valid" page. The page speaks `?lang=en|fr`, else the
//! patient's language, and posts its forms with its own `?lang=`.

use crate::domain::status::BookingStatus;
use crate::domain::text;
use crate::error::ApiError;
use crate::i18n::{Locale, MissingText, dates};
use crate::pages;
use crate::scheduling::availability::SlotsView;
use crate::scheduling::patient_manage::{self, ManagedBooking};
use crate::scheduling::schedule::parse_instant;
use crate::state::AppState;
use crate::t;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};

/// Larger bodies are not the page's forms (a reason is at most 500 characters).
const MAX_FORM_BYTES: usize = 16 * 1024;

/// What a POST did, as the page's `?done=` says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Done {
    Cancelled,
    Rescheduled,
}

impl Done {
    fn as_str(self) -> &'static str {
        match self {
            Done::Cancelled => "cancelled",
            Done::Rescheduled => "rescheduled",
        }
    }

    fn from_query(query: Option<&str>) -> Option<Done> {
        match pages::query_value(query, "done")?.as_str() {
            "cancelled" => Some(Done::Cancelled),
            "rescheduled" => Some(Done::Rescheduled),
            _ => None,
        }
    }
}

/// What went wrong with a POST, shown at the top of the page it answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Problem {
    SlotTaken,
    SlotInvalid,
    ReasonInvalid,
}

impl Problem {
    fn words(self, locale: Locale) -> Result<String, MissingText> {
        match self {
            Problem::SlotTaken => t!(locale, "page-manage-slot-taken"),
            Problem::SlotInvalid => t!(locale, "page-manage-slot-invalid"),
            Problem::ReasonInvalid => t!(locale, "page-manage-reason-invalid"),
        }
    }
}

fn status_words(locale: Locale, status: BookingStatus) -> Result<String, MissingText> {
    match status {
        BookingStatus::Requested => t!(locale, "page-manage-status-requested"),
        BookingStatus::Confirmed => t!(locale, "page-manage-status-confirmed"),
        BookingStatus::Cancelled => t!(locale, "page-manage-status-cancelled"),
        BookingStatus::Completed | BookingStatus::NoShow | BookingStatus::Expired => {
            t!(locale, "page-manage-status-finished")
        }
    }
}

/// A form's action: the page's own URL (`suffix`: `/cancel` or `/reschedule`) in `locale`, as
/// markup (minijinja would escape its slashes). A verified token is base64url; anything else in it
/// is percent-encoded all the same.
fn action(token: &str, suffix: &str, locale: Locale) -> Value {
    let token: String = token
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' => char::from(byte).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect();
    Value::from_safe_string(format!("/manage/{token}{suffix}?lang={}", locale.as_str()))
}

#[allow(clippy::too_many_arguments)]
fn render(
    status: StatusCode,
    locale: Locale,
    token: &str,
    view: &ManagedBooking,
    offered: Option<&SlotsView>,
    done: Option<Done>,
    problem: Option<Problem>,
) -> Result<Response, MissingText> {
    let booking = &view.booking;
    let clinic = &booking.clinic;
    let address = format!(
        "{}, {}, {} {}",
        clinic.address, clinic.city, clinic.province, clinic.postal_code
    );
    let slots = match offered {
        Some(offered) if view.can_change => {
            pages::slot_fieldsets(locale, offered.slots.iter().map(|slot| &slot.starts_at))?
        }
        _ => None,
    };
    let problem = problem.map(|problem| problem.words(locale)).transpose()?;
    let context = context! {
        clinic_name => clinic.name,
        clinic_phone => pages::phone_link(&clinic.phone),
        time_zone => clinic.time_zone,
        address,
        practitioner => booking.practitioner.name,
        mode => booking.mode,
        when => dates::long_date_time(locale, &booking.starts_at)?,
        cutoff => dates::long_date_time(locale, &view.change_cutoff)?,
        status => status_words(locale, booking.status)?,
        can_change => view.can_change,
        slots,
        // A `?done=cancelled` copied onto a booking that is not cancelled says nothing.
        done => done
            .filter(|done| *done != Done::Cancelled || booking.status == BookingStatus::Cancelled)
            .map(Done::as_str),
        problem,
        cancel_action => action(token, "/cancel", locale),
        reschedule_action => action(token, "/reschedule", locale),
    };
    Ok(pages::page(status, "manage.html", locale, context))
}

/// The page of the booking `token` names, answered with `status`: in `requested`, else the
/// patient's language; the 404 page for a bad token.
async fn answer(
    state: &AppState,
    token: &str,
    requested: Option<crate::i18n::Locale>,
    status: StatusCode,
    done: Option<Done>,
    problem: Option<Problem>,
) -> Result<Response, ApiError> {
    let (view, offered) = match patient_manage::page(state, token).await {
        Ok(page) => page,
        Err(ApiError::NotFound) => return Ok(not_valid(requested)),
        Err(error) => return Err(error),
    };
    let locale = requested.unwrap_or(view.locale);
    render(
        status,
        locale,
        token,
        &view,
        offered.as_ref(),
        done,
        problem,
    )
    .map_err(|missing| ApiError::Internal(missing.into()))
}

/// The answer to a bad, tampered, expired or revoked link: a 404 page.
fn not_valid(requested: Option<Locale>) -> Response {
    pages::invalid_page(StatusCode::NOT_FOUND, "manage_invalid.html", requested)
}

/// After a POST: 303 See Other (`Redirect::to`) to the page (in its language) saying what was done.
fn see_page(token: &str, locale: Option<Locale>, done: Done) -> Response {
    let mut location = format!("/manage/{token}?");
    if let Some(locale) = locale {
        location.push_str(&format!("lang={}&", locale.as_str()));
    }
    location.push_str(&format!("done={}", done.as_str()));
    let mut response = Redirect::to(&location).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// A POST's outcome as the answer: 303 when done, else the page again with the problem.
async fn outcome<T>(
    state: &AppState,
    token: &str,
    requested: Option<Locale>,
    result: Result<T, ApiError>,
    done: Done,
) -> Result<Response, ApiError> {
    match result {
        Ok(_) => Ok(see_page(token, requested, done)),
        Err(ApiError::NotFound) => Ok(not_valid(requested)),
        Err(ApiError::Conflict { code, .. }) => {
            // `change_closed`: the page itself now says to call the clinic.
            let problem = (code == "slot_taken").then_some(Problem::SlotTaken);
            answer(state, token, requested, StatusCode::CONFLICT, None, problem).await
        }
        Err(ApiError::Validation(_) | ApiError::BadRequest(_)) => {
            answer(
                state,
                token,
                requested,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(Problem::SlotInvalid),
            )
            .await
        }
        Err(error) => Err(error),
    }
}

/// The form's fields (urlencoded, as the page posts them); `None`: not a form of ours.
/// The page's form, when the body is one (and not larger than the page's forms are).
fn form(body: &Result<Bytes, BytesRejection>) -> Option<pages::Form> {
    let body = body.as_ref().ok()?;
    if body.len() > MAX_FORM_BYTES {
        return None;
    }
    pages::Form::parse(body)
}

#[utoipa::path(get, path = "/manage/{token}", tag = "public", operation_id = "show_manage_page",
    params(
        ("token" = String, Path, description = "The token of the link in the booking's emails"),
        ("lang" = Option<crate::domain::locale::Locale>, Query, description = "`en` or `fr`: the page's language (default: the patient's)"),
        ("done" = Option<String>, Query, description = "`cancelled` or `rescheduled`: what the page's last form did (the page says so)"),
    ),
    responses(
        (status = 200, description = "The booking (when, in the clinic's time zone; with whom; how or where; the clinic's phone) and, while it may be changed, the forms to move it to an offered slot or cancel it. Reads only: fetching it (GET or HEAD) changes nothing", content_type = "text/html", body = String),
        (status = 404, description = "The link is not valid or has expired", content_type = "text/html", body = String),
    ))]
pub async fn show(
    State(state): State<AppState>,
    token: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let requested = pages::requested_locale(query.as_deref());
    let Ok(Path(token)) = token else {
        return Ok(not_valid(requested));
    };
    let done = Done::from_query(query.as_deref());
    answer(&state, &token, requested, StatusCode::OK, done, None).await
}

#[utoipa::path(post, path = "/manage/{token}/cancel", tag = "public", operation_id = "cancel_from_manage_page",
    params(
        ("token" = String, Path, description = "The token of the link in the booking's emails"),
        ("lang" = Option<crate::domain::locale::Locale>, Query, description = "`en` or `fr`: the page's language (default: the patient's)"),
    ),
    request_body(content = crate::scheduling::manage::ManageCancelBody, content_type = "application/x-www-form-urlencoded",
        description = "The page's form: `reason` (optional)"),
    responses(
        (status = 303, description = "Cancelled: back to the page (`?done=cancelled`)"),
        (status = 404, description = "The link is not valid or has expired", content_type = "text/html", body = String),
        (status = 409, description = "The booking can no longer be changed online: the page, saying to call the clinic", content_type = "text/html", body = String),
        (status = 422, description = "The form is not understood (a reason over 500 characters): the page with the message", content_type = "text/html", body = String),
    ))]
pub async fn cancel(
    State(state): State<AppState>,
    token: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let requested = pages::requested_locale(query.as_deref());
    let Ok(Path(token)) = token else {
        return Ok(not_valid(requested));
    };
    let reason =
        form(&body).map(
            |form| match form.get("reason").map(str::trim).unwrap_or_default() {
                "" => Ok(None),
                raw => text::bounded_text(raw, 0, text::MAX_REASON_CHARS, true).map(Some),
            },
        );
    let Some(Ok(reason)) = reason else {
        return answer(
            &state,
            &token,
            requested,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(Problem::ReasonInvalid),
        )
        .await;
    };
    let result = patient_manage::cancel(&state, &token, reason).await;
    outcome(&state, &token, requested, result, Done::Cancelled).await
}

#[utoipa::path(post, path = "/manage/{token}/reschedule", tag = "public", operation_id = "reschedule_from_manage_page",
    params(
        ("token" = String, Path, description = "The token of the link in the booking's emails"),
        ("lang" = Option<crate::domain::locale::Locale>, Query, description = "`en` or `fr`: the page's language (default: the patient's)"),
    ),
    request_body(content = crate::scheduling::manage::ManageRescheduleBody, content_type = "application/x-www-form-urlencoded",
        description = "The page's form: `starts_at`, one of the offered slots"),
    responses(
        (status = 303, description = "Moved: back to the page (`?done=rescheduled`), which shows the new time"),
        (status = 404, description = "The link is not valid or has expired", content_type = "text/html", body = String),
        (status = 409, description = "The slot was just taken (the booking keeps its time), or the booking can no longer be changed online: the page with the message", content_type = "text/html", body = String),
        (status = 422, description = "No slot chosen, or not one of the practitioner's slots: the page with the message", content_type = "text/html", body = String),
    ))]
pub async fn reschedule(
    State(state): State<AppState>,
    token: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let requested = pages::requested_locale(query.as_deref());
    let Ok(Path(token)) = token else {
        return Ok(not_valid(requested));
    };
    let starts_at = form(&body)
        .and_then(|form| form.get("starts_at").map(parse_instant))
        .and_then(Result::ok);
    let Some(starts_at) = starts_at else {
        return answer(
            &state,
            &token,
            requested,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(Problem::SlotInvalid),
        )
        .await;
    };
    let result = patient_manage::reschedule(&state, &token, starts_at).await;
    outcome(&state, &token, requested, result, Done::Rescheduled).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::public::ClinicSummary;
    use crate::scheduling::availability::SlotView;
    use crate::scheduling::bookings::{BookingCreated, BookingPractitioner};
    use chrono::{DateTime, Duration};
    use uuid::Uuid;

    fn view(can_change: bool, mode: &str, status: BookingStatus) -> ManagedBooking {
        let starts_at = DateTime::parse_from_rfc3339("2026-12-07T09:00:00-05:00").unwrap();
        ManagedBooking {
            booking: BookingCreated {
                id: Uuid::nil(),
                status,
                starts_at,
                ends_at: starts_at + Duration::minutes(45),
                mode: mode.to_owned(),
                practitioner: BookingPractitioner {
                    id: Uuid::nil(),
                    name: "Alex Physio".to_owned(),
                    discipline: "physiotherapy".to_owned(),
                },
                clinic: ClinicSummary {
                    id: Uuid::nil(),
                    name: "Clinique Rivière".to_owned(),
                    address: "100 rue King".to_owned(),
                    city: "Montréal".to_owned(),
                    province: "QC".to_owned(),
                    postal_code: "H2X 1Y4".to_owned(),
                    phone: "+15145550100".to_owned(),
                    latitude: 45.5,
                    longitude: -73.6,
                    time_zone: "America/Toronto".to_owned(),
                },
            },
            can_change,
            change_cutoff: starts_at - Duration::hours(12),
            locale: Locale::En,
        }
    }

    fn offered() -> SlotsView {
        let slot = |raw: &str| {
            let starts_at = DateTime::parse_from_rfc3339(raw).unwrap();
            SlotView {
                starts_at,
                ends_at: starts_at + Duration::minutes(45),
            }
        };
        SlotsView {
            time_zone: "America/Toronto".to_owned(),
            slot_minutes: Some(45),
            slots: vec![
                slot("2026-12-08T09:00:00-05:00"),
                slot("2026-12-08T14:30:00-05:00"),
                slot("2026-12-09T10:00:00-05:00"),
            ],
        }
    }

    async fn body(response: Response) -> String {
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    /// Every variant of the page in `locale`.
    async fn every_page(locale: Locale) -> Vec<String> {
        let mut pages = Vec::new();
        for (can_change, mode, status, done, problem) in [
            (true, "video", BookingStatus::Confirmed, None, None),
            (
                true,
                "in_person",
                BookingStatus::Requested,
                Some(Done::Rescheduled),
                Some(Problem::SlotTaken),
            ),
            (
                true,
                "phone",
                BookingStatus::Confirmed,
                None,
                Some(Problem::SlotInvalid),
            ),
            (
                true,
                "phone",
                BookingStatus::Confirmed,
                None,
                Some(Problem::ReasonInvalid),
            ),
            (
                false,
                "video",
                BookingStatus::Cancelled,
                Some(Done::Cancelled),
                None,
            ),
            (false, "in_person", BookingStatus::Completed, None, None),
        ] {
            let view = view(can_change, mode, status);
            let response = render(
                StatusCode::OK,
                locale,
                "AQ-token_x",
                &view,
                Some(&offered()),
                done,
                problem,
            )
            .unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            pages.push(body(response).await);
        }
        pages
    }

    #[tokio::test]
    async fn the_page_renders_in_both_languages_with_its_slots_by_day() {
        let english = every_page(Locale::En).await;
        let page = &english[0];
        assert!(
            page.contains("<legend>Tuesday, December 8, 2026</legend>"),
            "{page}"
        );
        assert!(
            page.contains("<legend>Wednesday, December 9, 2026</legend>"),
            "{page}"
        );
        assert!(
            page.contains("value=\"2026-12-08T14:30:00-05:00\"> 2:30 PM</label>")
                || page.contains("value=\"2026-12-08T14:30:00-05:00\" required> 2:30 PM</label>"),
            "{page}"
        );
        // One required radio makes the group required: choosing none is refused by the browser.
        assert!(page.matches("name=\"starts_at\"").count() > 1);
        assert_eq!(page.matches(" required>").count(), 1, "{page}");
        assert!(
            page.contains("action=\"/manage/AQ-token_x/cancel?lang=en\""),
            "{page}"
        );
        assert!(
            !english[4].contains("<form"),
            "no forms when it cannot change"
        );
        let misleading = render(
            StatusCode::OK,
            Locale::En,
            "AQ-token_x",
            &view(true, "video", BookingStatus::Confirmed),
            Some(&offered()),
            Some(Done::Cancelled),
            None,
        )
        .unwrap();
        let misleading = body(misleading).await;
        assert!(!misleading.contains("is cancelled"), "{misleading}");
        let french = every_page(Locale::Fr).await;
        assert!(
            french[0].contains("<legend>mardi 8 décembre 2026</legend>"),
            "{}",
            french[0]
        );
        // Québec writes the time with non-breaking spaces: 14 h 30.
        let spaced = french[0].replace(['\u{a0}', '\u{202f}'], " ");
        assert!(spaced.contains("> 14 h 30</label>"), "{spaced}");
        for page in &french {
            for english in [
                " AM",
                " PM",
                "Your ",
                "appointment",
                "When:",
                "Cancel",
                "Status",
            ] {
                assert!(!page.contains(english), "{english:?} in:\n{page}");
            }
            assert!(page.contains("rendez-vous"), "{page}");
        }
    }
}
