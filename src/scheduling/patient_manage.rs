//! "Need to change your appointment?": what a patient does to their booking through the signed
//! link in its emails, whichever door it came through (the JSON API, the manage page). The token
//! names the booking (`manage_token`; anything else is a 404); changes follow the front desk's
//! lifecycle, slot rules and emails (`desk`, `public_booking::check_slot`, `notify`), up to
//! `PATIENT_CHANGE_CUTOFF` before the start, and are audited with actor `patient`.

use crate::domain::locale::Locale;
use crate::domain::status::BookingStatus;
use crate::email::outbox::{self, About, NewEmail};
use crate::email::payloads::{BookingChangedByPatient, EmailPayload, PatientChange};
use crate::error::{ApiError, Message};
use crate::patients::store::reader_locale;
use crate::scheduling::availability::{self, SlotDays, SlotsView, lead, local};
use crate::scheduling::bookings::{self, BookingCreated, BookingRow, ChangedBy};
use crate::scheduling::lifecycle::{self, Action, Transition};
use crate::scheduling::public_booking::check_slot;
use crate::scheduling::{expiry, manage_token, notify, store};
use crate::staff::audit::{self, PatientEntry};
use crate::state::AppState;
use chrono::{DateTime, Days, Duration, FixedOffset, Utc};
use serde::Serialize;
use serde_json::json;
use sqlx::{PgConnection, Postgres, Transaction};
use utoipa::ToSchema;
use uuid::Uuid;

/// What the link shows: the booking (nothing else about the patient), whether it may still be
/// changed and until when.
#[derive(Debug, Serialize, ToSchema)]
pub struct ManagedBooking {
    pub booking: BookingCreated,
    /// Whether `cancel` and `reschedule` are open: the booking is `requested` or `confirmed` and
    /// `change_cutoff` has not passed.
    pub can_change: bool,
    /// The last moment a change is taken (`PATIENT_CHANGE_CUTOFF` before the start), in the
    /// clinic's offset.
    #[schema(example = "2026-12-01T02:30:00-05:00")]
    pub change_cutoff: DateTime<FixedOffset>,
    /// The language the patient reads (for the manage page; not part of the JSON answer).
    #[serde(skip)]
    #[schema(ignore)]
    pub locale: Locale,
}

/// How many days of free slots the manage page offers, from today in the clinic's zone.
pub const OFFERED_DAYS: u64 = 14;

/// The booking a token names: 404 for a bad, tampered, expired or rotated-out token.
fn booking_id(state: &AppState, token: &str) -> Result<Uuid, ApiError> {
    let keys = state.settings.signing_keys();
    let key_refs: Vec<&[u8]> = keys.iter().map(Vec::as_slice).collect();
    manage_token::verify(&key_refs, token, Utc::now()).map_err(|_| ApiError::NotFound)
}

fn cutoff(state: &AppState) -> Duration {
    // The settings refuse more than a year, so this cannot fail; were it to, nothing is changeable.
    Duration::from_std(state.settings.patient_change_cutoff).unwrap_or(Duration::days(365))
}

fn change_cutoff(state: &AppState, booking: &BookingRow) -> DateTime<Utc> {
    booking.starts_at - cutoff(state)
}

fn can_change(state: &AppState, booking: &BookingRow, now: DateTime<Utc>) -> bool {
    matches!(
        booking.status,
        BookingStatus::Requested | BookingStatus::Confirmed
    ) && now < change_cutoff(state, booking)
}

/// The 409 a patient gets when their booking can no longer be changed online: call the clinic.
fn closed(booking: &BookingRow) -> ApiError {
    ApiError::conflict(
        "change_closed",
        Message::new("problem-patient-change-closed")
            .arg("clinic", booking.clinic_name.as_str())
            .arg("phone", booking.clinic_phone.as_str()),
    )
}

async fn view_of(
    conn: &mut PgConnection,
    state: &AppState,
    booking: &BookingRow,
    now: DateTime<Utc>,
) -> Result<ManagedBooking, sqlx::Error> {
    let locale = reader_locale(conn, booking.patient_id, Some(booking.clinic_id)).await?;
    Ok(ManagedBooking {
        booking: BookingCreated::from(booking),
        can_change: can_change(state, booking, now),
        change_cutoff: local(change_cutoff(state, booking), booking.zone()),
        locale,
    })
}

/// The booking a token names, read on `conn`, as the patient may see it.
async fn read_view(
    conn: &mut PgConnection,
    state: &AppState,
    token: &str,
) -> Result<(BookingRow, ManagedBooking), ApiError> {
    let id = booking_id(state, token)?;
    let booking = bookings::find(conn, id, None, false)
        .await?
        .ok_or(ApiError::NotFound)?;
    let now = Utc::now();
    let mut view = view_of(conn, state, &booking, now).await?;
    // A request whose start has passed is expired, whether or not the expiry job marked it yet.
    if lifecycle::is_overdue(booking.status, booking.starts_at, now) {
        view.booking.status = BookingStatus::Expired;
        view.can_change = false;
    }
    Ok((booking, view))
}

/// The booking behind a link, as the patient may see it. Reads only: a mail scanner fetching the
/// link changes nothing.
pub async fn view(state: &AppState, token: &str) -> Result<ManagedBooking, ApiError> {
    let mut conn = state.db.acquire().await?;
    Ok(read_view(&mut conn, state, token).await?.1)
}

/// What the manage page shows: the booking as [`view`] gives it and, while it may be changed, the
/// slots [`offered_slots`] gives, read on one connection with the booking read once.
pub async fn page(
    state: &AppState,
    token: &str,
) -> Result<(ManagedBooking, Option<SlotsView>), ApiError> {
    let mut conn = state.db.acquire().await?;
    let (booking, view) = read_view(&mut conn, state, token).await?;
    if !view.can_change {
        return Ok((view, None));
    }
    let offered = availability::free_slots_on(
        &mut conn,
        state,
        Some(booking.practitioner_id),
        offered_days(&booking),
    )
    .await?;
    Ok((view, Some(offered)))
}

/// The [`OFFERED_DAYS`] days from today in the booking's clinic's zone.
fn offered_days(booking: &BookingRow) -> SlotDays {
    let today = Utc::now().with_timezone(&booking.zone()).date_naive();
    SlotDays {
        from: Some(today),
        to: today.checked_add_days(Days::new(OFFERED_DAYS - 1)),
    }
}

/// The free slots the booking may move to: its practitioner's, over the next [`OFFERED_DAYS`]
/// days in the clinic's zone, computed by the one slot function the public slot list uses
/// (`availability::free_slots`). The booking's own time is busy, as it is to everyone else.
pub async fn offered_slots(state: &AppState, token: &str) -> Result<SlotsView, ApiError> {
    let id = booking_id(state, token)?;
    let booking = {
        let mut conn = state.db.acquire().await?;
        bookings::find(&mut conn, id, None, false)
            .await?
            .ok_or(ApiError::NotFound)?
    };
    availability::free_slots(state, Some(booking.practitioner_id), offered_days(&booking)).await
}

/// Begins a patient's `action`: the transaction, the booking locked, and the 409 when it can no
/// longer be changed online (past the cutoff, or cancelled, completed, expired, no-show).
async fn begin(
    state: &AppState,
    token: &str,
    action: Action,
) -> Result<(Transaction<'static, Postgres>, BookingRow, BookingStatus), ApiError> {
    let id = booking_id(state, token)?;
    let mut tx = crate::db::begin(&state.db).await?;
    let booking = bookings::find(&mut tx, id, None, true)
        .await?
        .ok_or(ApiError::NotFound)?;
    let now = Utc::now();
    if expiry::expire_one(&mut tx, &booking, now).await? {
        tx.commit().await?;
        return Err(closed(&booking));
    }
    if !can_change(state, &booking, now) {
        return Err(closed(&booking));
    }
    let Ok(Transition::To(status)) = lifecycle::apply(booking.status, action) else {
        return Err(closed(&booking));
    };
    Ok((tx, booking, status))
}

async fn reload(conn: &mut PgConnection, id: Uuid) -> Result<BookingRow, ApiError> {
    bookings::find(conn, id, None, false).await?.ok_or_else(|| {
        ApiError::Internal(anyhow::anyhow!(
            "booking {id} vanished in its own transaction"
        ))
    })
}

/// The audit entry and, when the clinic has a `notification_email`, the front desk's notice.
async fn record(
    conn: &mut PgConnection,
    booking: &BookingRow,
    action: Action,
    change: PatientChange,
    detail: serde_json::Value,
) -> Result<(), ApiError> {
    audit::record_by_patient(
        conn,
        PatientEntry {
            action: &format!("booking.{}", action.as_str()),
            entity_type: "booking",
            entity_id: booking.id,
            clinic_id: Some(booking.clinic_id),
            detail,
        },
    )
    .await?;
    let Some((to, locale)) = store::notification_email(conn, booking.clinic_id).await? else {
        return Ok(());
    };
    let payload = EmailPayload::BookingChangedByPatient(BookingChangedByPatient {
        booking: notify::details(booking),
        change,
    });
    outbox::enqueue(
        conn,
        NewEmail {
            patient_id: booking.patient_id,
            clinic_id: Some(booking.clinic_id),
            about: About::Booking(booking.id),
            to: &to,
            payload,
            send_after: None,
            dedup_key: Some(format!(
                "booking:{}:changed-by-patient:{}:{}",
                booking.id,
                action.as_str(),
                booking.ics_sequence
            )),
            // The front desk reads the clinic's language, not the patient's.
            locale: Some(locale),
        },
    )
    .await?;
    Ok(())
}

/// Cancels through the link: the slot is free again, reminders are withdrawn, the patient gets the
/// cancellation (with a cancelling invite when it was confirmed).
pub async fn cancel(
    state: &AppState,
    token: &str,
    reason: Option<String>,
) -> Result<ManagedBooking, ApiError> {
    let (mut tx, booking, status) = begin(state, token, Action::Cancel).await?;
    bookings::set_status(
        &mut tx,
        booking.id,
        status,
        reason.as_deref(),
        ChangedBy::Patient,
    )
    .await?;
    let cancelled = reload(&mut tx, booking.id).await?;
    notify::cancelled(
        &mut tx,
        &cancelled,
        booking.status == BookingStatus::Confirmed,
        true,
        reason.as_deref(),
        &state.settings.mail_from,
    )
    .await?;
    let change = PatientChange {
        cancelled: true,
        previous_starts_at: None,
        reason: reason.clone(),
    };
    record(
        &mut tx,
        &cancelled,
        Action::Cancel,
        change,
        json!({"reason": reason}),
    )
    .await?;
    let view = view_of(&mut tx, state, &cancelled, Utc::now()).await?;
    tx.commit().await?;
    Ok(view)
}

/// Moves the booking to another free slot of its practitioner, under the booking's rules (409
/// `slot_taken`, 422 when not a slot; the exclusion constraint decides races). The status is kept;
/// reminders and the invite move with it.
pub async fn reschedule(
    state: &AppState,
    token: &str,
    starts_at: DateTime<Utc>,
) -> Result<ManagedBooking, ApiError> {
    let (mut tx, booking, _) = begin(state, token, Action::Reschedule).await?;
    let practitioner = store::bookable(&mut tx, booking.practitioner_id)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("booking without practitioner")))?;
    let ends_at = check_slot(
        &mut tx,
        &practitioner,
        starts_at,
        lead(state),
        Some(booking.id),
    )
    .await?;
    bookings::move_to(&mut tx, booking.id, starts_at, ends_at, ChangedBy::Patient).await?;
    let moved = reload(&mut tx, booking.id).await?;
    let settings = &state.settings;
    notify::rescheduled(
        &mut tx,
        &moved,
        booking.starts_at,
        &settings.mail_from,
        &settings.reminder_offsets,
        Utc::now(),
    )
    .await?;
    let change = PatientChange {
        cancelled: false,
        previous_starts_at: Some(local(booking.starts_at, booking.zone())),
        reason: None,
    };
    record(
        &mut tx,
        &moved,
        Action::Reschedule,
        change,
        json!({"from": booking.starts_at, "to": moved.starts_at}),
    )
    .await?;
    let view = view_of(&mut tx, state, &moved, Utc::now()).await?;
    tx.commit().await?;
    Ok(view)
}
