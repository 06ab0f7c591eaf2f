//! "Book your free consult" (`POST /v1/bookings`): [`book`] is what a booking causes, run by the
//! door under the rules every public form follows (`public_form`); [`check_slot`] is the rule a
//! start must meet, shared with the front desk's reschedule.

use crate::consent;
use crate::consent::forms::FormConsent;
use crate::domain::Invalid;
use crate::domain::client::ClientInfo;
use crate::email::outbox::About;
use crate::error::Message;
use crate::error::{ApiError, FieldError};
use crate::patients;
use crate::scheduling::availability::lead;
use crate::scheduling::bookings::{self, BookingForm, BookingRow, NewBooking};
use crate::scheduling::slots::{self, Unavailable};
use crate::scheduling::{notify, open_requests, store};
use crate::state::AppState;
use chrono::{Duration, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// The 422 for a start that is not one of the practitioner's free slots, saying why.
pub fn unavailable(reason: Unavailable) -> ApiError {
    if reason == Unavailable::Taken {
        return ApiError::conflict("slot_taken", Message::new("problem-slot-taken"));
    }
    ApiError::Validation(vec![FieldError::new(
        "starts_at",
        Invalid::new(reason.code(), reason.message_id()),
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
                Invalid::new("unknown_practitioner", "field-unknown-practitioner"),
            )
        })?;
    if !practitioner
        .consult_modes
        .iter()
        .any(|mode| mode == form.mode)
    {
        return Err(ApiError::validation(
            "mode",
            Invalid::new("mode_not_offered", "field-mode-not-offered")
                .arg("offered", practitioner.consult_modes.join(", ")),
        ));
    }
    let ends_at = check_slot(tx, &practitioner, form.starts_at, lead(state), None).await?;
    let patient_id = patients::store::match_or_create(
        tx,
        &form.name,
        Some(&form.email),
        form.phone.as_ref(),
        form.locale,
    )
    .await?;
    let locale =
        patients::store::reader_locale(tx, patient_id, Some(practitioner.clinic_id)).await?;
    let id = bookings::insert(
        tx,
        NewBooking {
            form,
            patient_id,
            clinic_id: practitioner.clinic_id,
            ends_at,
            client,
            locale,
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
            locale,
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
