//! `POST /v1/bookings`: "book your free consult". One transaction holds the patient, the consents,
//! the booking, its email and the idempotency record. The exclusion constraint decides races.

use crate::consent;
use crate::consent::forms::FormConsent;
use crate::email::outbox::About;
use crate::error::{ApiError, FieldError};
use crate::domain::client::ClientInfo;
use crate::http::extract::JsonObject;
use crate::idempotency::{self, StoredResponse, respond};
use crate::intake::form::honeypot_tripped;
use crate::patients;
use crate::scheduling::availability::lead;
use crate::scheduling::bookings::{
    self, BookingCreated, BookingForm, BookingRequestBody, NewBooking,
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
        (status = 400, description = "Malformed JSON", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The slot is taken", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 1 MiB", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or not one of the practitioner's slots (the reason is given)", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Rate limited, or `too_many_open_requests`: the email address or client address already has MAX_OPEN_REQUESTS requests waiting for confirmation", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_booking(
    State(state): State<AppState>,
    client: ClientInfo,
    headers: HeaderMap,
    JsonObject(body): JsonObject,
) -> Result<Response, ApiError> {
    // A filled honeypot (the hidden `website` field) is a bot. Its request goes through exactly as a
    // person's would, so the answer (the full 201, or the same 422 or 409) gives nothing away, and
    // then the transaction is rolled back: nothing is stored and no email leaves.
    let honeypot = honeypot_tripped(&body);
    let idempotency_key = idempotency::key_from(&headers)?;
    let form = BookingForm::parse(&body)?;

    let mut tx = crate::db::begin(&state.db).await?;
    if let Some(key) = &idempotency_key
        && let Some(stored) = idempotency::claim(
            &mut tx,
            IDEMPOTENCY_SCOPE,
            key,
            &idempotency::fingerprint(&body),
        )
        .await?
    {
        tx.rollback().await?;
        return Ok(respond(stored));
    }
    let practitioner = store::bookable(&mut tx, form.practitioner_id)
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
    let ends_at = check_slot(&mut tx, &practitioner, form.starts_at, lead(&state), None).await?;
    let patient_id = patients::store::match_or_create(
        &mut tx,
        &form.name,
        Some(&form.email),
        form.phone.as_ref(),
    )
    .await?;
    let id = bookings::insert(
        &mut tx,
        NewBooking {
            form: &form,
            patient_id,
            clinic_id: practitioner.clinic_id,
            ends_at,
            client: &client,
        },
    )
    .await?;
    consent::forms::record(
        &mut tx,
        FormConsent {
            patient_id,
            clinic_id: Some(practitioner.clinic_id),
            flags: &form.consents,
            wording_version: form.wording_version,
            client: &client,
            email: Some(form.email.as_str()),
            name: &form.name,
            about: About::Booking(id),
        },
        state.settings.network_name.as_deref(),
    )
    .await?;
    let booking = bookings::find(&mut tx, id, None, false)
        .await?
        .ok_or_else(|| {
            ApiError::Internal(anyhow::anyhow!(
                "booking {id} vanished in its own transaction"
            ))
        })?;
    notify::requested(&mut tx, &booking).await?;
    let created = BookingCreated::from(&booking);
    let body = serde_json::to_value(&created).map_err(anyhow::Error::from)?;
    let location = format!("/v1/staff/bookings/{id}");
    if let Some(key) = &idempotency_key {
        let stored = StoredResponse {
            status: 201,
            body: body.clone(),
            location: Some(location.clone()),
        };
        idempotency::complete(&mut tx, IDEMPOTENCY_SCOPE, key, &stored).await?;
    }
    // Last, so its locks are held only for the count and the commit. A honeypot request meets the
    // cap as a person's would (its own row is rolled back below either way).
    open_requests::admit(
        &mut tx,
        id,
        &form.email,
        client.ip,
        state.settings.max_open_requests,
        Utc::now(),
    )
    .await?;
    if honeypot {
        tx.rollback().await?;
        tracing::info!(ip = ?client.ip, "honeypot field filled: answered as success, stored nothing");
    } else {
        tx.commit().await?;
        tracing::info!(booking_id = %id, "consult booking requested");
    }
    Ok(respond(StoredResponse {
        status: 201,
        body,
        location: Some(location),
    }))
}
