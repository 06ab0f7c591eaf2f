//! `POST /v1/bookings`: "book your free consult". The handler translates HTTP; [`book`] is what a
//! booking causes, run under the rules every public form follows (`public_form`).

use crate::consent;
use crate::consent::forms::FormConsent;
use crate::domain::client::ClientInfo;
use crate::email::outbox::About;
use crate::error::{ApiError, FieldError};
use crate::http::extract::JsonObject;
use crate::idempotency;
use crate::patients;
use crate::public_form::{self, Created, Submission};
use crate::scheduling::availability::lead;
use crate::scheduling::bookings::{
    self, BookingCreated, BookingForm, BookingRequestBody, BookingRow, NewBooking,
};
use crate::scheduling::slots::{self, Unavailable};
use crate::scheduling::{notify, open_requests, store};
use crate::state::AppState;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{Duration, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

const IDEMPOTENCY_SCOPE: &str = "POST /v1/bookings";

/// The 422 for a start that is not one of the practitioner's free slots, saying why.
pub fn unavailable(reason: Unavailable) -> ApiError {
    if reason == Unavailable::Taken {
        return ApiError::conflict(
            "slot_taken",
            "This time is already booked; please pick another slot.",
        );
    }
    ApiError::Validation(vec![FieldError::new(
        "starts_at",
        reason.code(),
        reason.message(),
    )])
}

/// Checks `starts_at` against the practitioner's hours, time off and bookings; returns the slot's
/// end. A booking seen here is a clear 409 at once; one made meanwhile by a concurrent request is
/// still refused by the database's exclusion constraint, which cannot race.
pub async fn check_slot(
    conn: &mut PgConnection,
    practitioner: &store::Bookable,
    starts_at: chrono::DateTime<Utc>,
    min_lead: Duration,
    except_booking: Option<Uuid>,
) -> Result<chrono::DateTime<Utc>, ApiError> {
    let zone = practitioner.zone();
    let schedule = store::schedule(conn, practitioner.id).await?;
    let Some(schedule) = schedule else {
        return Err(unavailable(Unavailable::OutsideHours));
    };
    let window = (starts_at - Duration::days(1), starts_at + Duration::days(1));
    let busy = store::busy(conn, &[practitioner.id], window, except_booking)
        .await?
        .remove(&practitioner.id)
        .unwrap_or_default();
    let (_, ends_at) = slots::check_start(
        zone,
        &schedule.weekly,
        schedule.slot_minutes,
        starts_at,
        Utc::now(),
        min_lead,
        &busy.time_off,
        &busy.bookings,
    )
    .map_err(unavailable)?;
    Ok(ends_at)
}

#[utoipa::path(post, path = "/v1/bookings", tag = "public",
    request_body = BookingRequestBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for the same key and body")),
    responses(
        (status = 201, description = "Requested; the clinic confirms it", body = BookingCreated, headers(("location" = String))),
        (status = 409, description = "The slot is taken", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or not one of the practitioner's slots (the reason is given)", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Rate limited, or `too_many_open_requests`: the email address or client address already has MAX_OPEN_REQUESTS requests waiting for confirmation", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_booking(
    State(state): State<AppState>,
    client: ClientInfo,
    headers: HeaderMap,
    JsonObject(body): JsonObject,
) -> Result<Response, ApiError> {
    let key = idempotency::key_from(&headers)?;
    let form = BookingForm::parse(&body)?;
    let submission = Submission {
        scope: IDEMPOTENCY_SCOPE,
        key,
        body: &body,
    };
    public_form::submit(&state.db, submission, async |tx| {
        let booking = book(tx, &form, &client, &state).await?;
        Ok(Created {
            body: serde_json::to_value(BookingCreated::from(&booking))
                .map_err(anyhow::Error::from)?,
            location: format!("/v1/staff/bookings/{}", booking.id),
        })
    })
    .await
}

/// What a consult booking causes, whichever door it came through: the practitioner's slot checked,
/// the patient (matched by email), the booking, the consents and the "request received" email, in
/// the caller's transaction. The exclusion constraint decides races.
pub async fn book(
    tx: &mut PgConnection,
    form: &BookingForm,
    client: &ClientInfo,
    state: &AppState,
) -> Result<BookingRow, ApiError> {
    let practitioner = store::bookable(tx, form.practitioner_id)
        .await?
        .filter(|practitioner| practitioner.active)
        .ok_or_else(|| {
            ApiError::validation(
                "practitioner_id",
                "unknown_practitioner",
                "no bookable practitioner has this id",
            )
        })?;
    if !practitioner
        .consult_modes
        .iter()
        .any(|mode| mode == form.mode)
    {
        return Err(ApiError::validation(
            "mode",
            "mode_not_offered",
            format!(
                "this practitioner offers {}",
                practitioner.consult_modes.join(", ")
            ),
        ));
    }
    let ends_at = check_slot(tx, &practitioner, form.starts_at, lead(state), None).await?;
    let patient_id =
        patients::store::match_or_create(tx, &form.name, Some(&form.email), form.phone.as_ref())
            .await?;
    let id = bookings::insert(
        tx,
        NewBooking {
            form,
            patient_id,
            clinic_id: practitioner.clinic_id,
            ends_at,
            client,
        },
    )
    .await?;
    consent::forms::record(
        tx,
        FormConsent {
            patient_id,
            clinic_id: Some(practitioner.clinic_id),
            flags: &form.consents,
            wording_version: form.wording_version,
            client,
            email: Some(form.email.as_str()),
            name: &form.name,
            about: About::Booking(id),
        },
        state.settings.network_name.as_deref(),
    )
    .await?;
    let booking = bookings::find(tx, id, None, false).await?.ok_or_else(|| {
        ApiError::Internal(anyhow::anyhow!(
            "booking {id} vanished in its own transaction"
        ))
    })?;
    notify::requested(tx, &booking).await?;
    // Last, so its locks are held only for the count and the commit. A honeypot request meets the
    // cap as a person's would.
    open_requests::admit(
        tx,
        id,
        &form.email,
        client.ip,
        state.settings.max_open_requests,
        Utc::now(),
    )
    .await?;
    Ok(booking)
}
