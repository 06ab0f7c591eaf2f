//! What the front desk does to a booking, whichever door it came through (the JSON API, the
//! console): each use case is one transaction with the booking locked, scoped to the staff
//! member's clinics (404 for anything else), its lifecycle rule, its emails and its audit entry.

use crate::consent::ledger::{self, ConsentState};
use crate::domain::consent::Sender;
use crate::domain::status::BookingStatus;
use crate::email::history::EmailView;
use crate::error::ApiError;
use crate::error::Message;
use crate::scheduling::availability::lead;
use crate::scheduling::bookings::{self, BookingFilter, BookingRow, ChangedBy, DayBooking};
use crate::scheduling::lifecycle::{self, Action, Transition};
use crate::scheduling::public_booking::check_slot;
use crate::scheduling::{expiry, notify, store};
use crate::staff::audit::{self, AuditEntry};
use crate::staff::auth::CurrentStaff;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sqlx::{PgConnection, Postgres, Transaction};
use uuid::Uuid;

/// A booking with what the front desk sees beside it.
pub struct BookingFile {
    pub booking: BookingRow,
    /// The consents in force at the booking's clinic.
    pub consents: Vec<ConsentState>,
    pub emails: Vec<EmailView>,
}

/// What a booking list is asked for; the staff member's clinics bound it.
pub struct BookingQuery {
    pub status: Option<BookingStatus>,
    pub clinic_id: Option<Uuid>,
    pub practitioner_id: Option<Uuid>,
    pub patient_id: Option<Uuid>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// The last booking of the previous page.
    pub after: Option<(DateTime<Utc>, Uuid)>,
    pub limit: i64,
}

/// How a cancellation is asked for.
pub struct Cancellation {
    pub reason: Option<String>,
    /// The patient gets a cancellation email (with a cancelling invite when they had one).
    pub notify_patient: bool,
}

/// The booking, locked, when the staff member may see it: 404 otherwise (another clinic's included).
async fn locked(
    conn: &mut PgConnection,
    staff: &CurrentStaff,
    id: Uuid,
) -> Result<BookingRow, ApiError> {
    let (is_admin, clinic_ids) = staff.scope();
    bookings::find(conn, id, Some((is_admin, &clinic_ids)), true)
        .await?
        .ok_or(ApiError::NotFound)
}

async fn reload(conn: &mut PgConnection, id: Uuid) -> Result<BookingRow, ApiError> {
    bookings::find(conn, id, None, false).await?.ok_or_else(|| {
        ApiError::Internal(anyhow::anyhow!(
            "booking {id} vanished in its own transaction"
        ))
    })
}

async fn audit_action(
    conn: &mut PgConnection,
    staff: &CurrentStaff,
    booking: &BookingRow,
    action: Action,
    detail: Value,
) -> Result<(), sqlx::Error> {
    audit::record(
        conn,
        AuditEntry {
            staff_id: staff.id,
            action: &format!("booking.{}", action.as_str()),
            entity_type: "booking",
            entity_id: booking.id,
            clinic_id: Some(booking.clinic_id),
            detail,
        },
    )
    .await
}

fn transition(booking: &BookingRow, action: Action) -> Result<Transition, ApiError> {
    lifecycle::apply(booking.status, action)
        .map_err(|detail| ApiError::conflict("invalid_transition", detail))
}

/// Begins `action` on a booking: its transaction, the booking locked (404 when the staff member
/// may not see it) and the transition it makes (409 when none).
///
/// A request whose start has passed unconfirmed has expired, whether or not the expiry job has
/// marked it yet: it is expired here, committed (its time is free again), and the action is
/// refused as on any expired booking. So confirming it late is a 409 however fast the job runs.
async fn begin_action(
    state: &AppState,
    staff: &CurrentStaff,
    id: Uuid,
    action: Action,
) -> Result<(Transaction<'static, Postgres>, BookingRow, Transition), ApiError> {
    let mut tx = crate::db::begin(&state.db).await?;
    let booking = locked(&mut tx, staff, id).await?;
    if expiry::expire_one(&mut tx, &booking, Utc::now()).await? {
        tx.commit().await?;
        let detail = lifecycle::apply(BookingStatus::Expired, action)
            .err()
            .unwrap_or_else(|| {
                Message::new("problem-expired-unconfirmed").arg("action", action.as_str())
            });
        return Err(ApiError::conflict("invalid_transition", detail));
    }
    let transition = transition(&booking, action)?;
    Ok((tx, booking, transition))
}

/// The bookings `query` selects among those `staff` may see, soonest first: up to `limit`, and one
/// more when there is a next page.
pub async fn list(
    conn: &mut PgConnection,
    staff: &CurrentStaff,
    query: BookingQuery,
) -> Result<Vec<BookingRow>, ApiError> {
    Ok(bookings::list(conn, &filter_of(staff, query)).await?)
}

/// The filter `query` asks for, bound to the staff member's clinics.
fn filter_of(staff: &CurrentStaff, query: BookingQuery) -> BookingFilter {
    let (is_admin, clinic_ids) = staff.scope();
    let BookingQuery {
        status,
        clinic_id,
        practitioner_id,
        patient_id,
        from,
        to,
        after,
        limit,
    } = query;
    BookingFilter {
        is_admin,
        clinic_ids,
        status,
        clinic_id,
        practitioner_id,
        patient_id,
        from,
        to,
        after,
        limit,
    }
}

/// [`list`] with only what a day's list shows (the console's day page).
pub async fn day(
    conn: &mut PgConnection,
    staff: &CurrentStaff,
    query: BookingQuery,
) -> Result<Vec<DayBooking>, ApiError> {
    Ok(bookings::day(conn, &filter_of(staff, query)).await?)
}

/// The booking with the booking's clinic's part of the patient only: the details given with this
/// booking and the consents in force at this clinic (what another clinic was told stays with it).
pub async fn file(
    state: &AppState,
    staff: &CurrentStaff,
    id: Uuid,
) -> Result<BookingFile, ApiError> {
    let (is_admin, clinic_ids) = staff.scope();
    let mut tx = crate::db::begin(&state.db).await?;
    sqlx::query!("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    let booking = bookings::find(&mut tx, id, Some((is_admin, &clinic_ids)), false)
        .await?
        .ok_or(ApiError::NotFound)?;
    let consents = ledger::current(
        &mut tx,
        booking.patient_id,
        &[Sender::Clinic(booking.clinic_id)],
    )
    .await?;
    let emails = bookings::emails(&mut tx, id).await?;
    tx.commit().await?;
    Ok(BookingFile {
        booking,
        consents,
        emails,
    })
}

/// Confirms a request: the confirmation with its invite and the reminders are queued. Confirming a
/// confirmed booking changes nothing and sends nothing.
pub async fn confirm(
    state: &AppState,
    staff: &CurrentStaff,
    id: Uuid,
) -> Result<BookingRow, ApiError> {
    let (mut tx, booking, transition) = begin_action(state, staff, id, Action::Confirm).await?;
    let Transition::To(status) = transition else {
        tx.rollback().await?;
        return Ok(booking);
    };
    bookings::set_status(&mut tx, id, status, None, ChangedBy::Staff).await?;
    let booking = reload(&mut tx, id).await?;
    let settings = &state.settings;
    notify::confirmed(
        &mut tx,
        &booking,
        &settings.mail_from,
        &settings.reminder_offsets,
        Utc::now(),
    )
    .await?;
    audit_action(&mut tx, staff, &booking, Action::Confirm, json!({})).await?;
    tx.commit().await?;
    Ok(booking)
}

/// Cancels: the slot is free again, pending reminders are withdrawn, the patient told when asked.
pub async fn cancel(
    state: &AppState,
    staff: &CurrentStaff,
    id: Uuid,
    cancellation: Cancellation,
) -> Result<BookingRow, ApiError> {
    let Cancellation {
        reason,
        notify_patient,
    } = cancellation;
    let (mut tx, booking, transition) = begin_action(state, staff, id, Action::Cancel).await?;
    let Transition::To(status) = transition else {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "cancel never answers AlreadyDone"
        )));
    };
    bookings::set_status(&mut tx, id, status, reason.as_deref(), ChangedBy::Staff).await?;
    let cancelled = reload(&mut tx, id).await?;
    let was_confirmed = booking.status == BookingStatus::Confirmed;
    notify::cancelled(
        &mut tx,
        &cancelled,
        was_confirmed,
        notify_patient,
        reason.as_deref(),
        &state.settings.mail_from,
    )
    .await?;
    audit_action(
        &mut tx,
        staff,
        &cancelled,
        Action::Cancel,
        json!({"reason": reason, "notify_patient": notify_patient}),
    )
    .await?;
    tx.commit().await?;
    Ok(cancelled)
}

/// Moves a booking to another of the practitioner's free slots; reminders and the invite move with it.
pub async fn reschedule(
    state: &AppState,
    staff: &CurrentStaff,
    id: Uuid,
    starts_at: DateTime<Utc>,
) -> Result<BookingRow, ApiError> {
    let (mut tx, booking, _) = begin_action(state, staff, id, Action::Reschedule).await?;
    let practitioner = store::bookable(&mut tx, booking.practitioner_id)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("booking without practitioner")))?;
    let ends_at = check_slot(&mut tx, &practitioner, starts_at, lead(state), Some(id)).await?;
    bookings::move_to(&mut tx, id, starts_at, ends_at, ChangedBy::Staff).await?;
    let moved = reload(&mut tx, id).await?;
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
    audit_action(
        &mut tx,
        staff,
        &moved,
        Action::Reschedule,
        json!({"from": booking.starts_at, "to": moved.starts_at}),
    )
    .await?;
    tx.commit().await?;
    Ok(moved)
}

/// Complete and no-show: a status change, audited, with no email.
pub async fn close(
    state: &AppState,
    staff: &CurrentStaff,
    id: Uuid,
    action: Action,
) -> Result<BookingRow, ApiError> {
    let (mut tx, _, transition) = begin_action(state, staff, id, action).await?;
    let Transition::To(status) = transition else {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "{} never answers AlreadyDone",
            action.as_str()
        )));
    };
    bookings::set_status(&mut tx, id, status, None, ChangedBy::Staff).await?;
    let closed = reload(&mut tx, id).await?;
    audit_action(&mut tx, staff, &closed, action, json!({})).await?;
    tx.commit().await?;
    Ok(closed)
}
