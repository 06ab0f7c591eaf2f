//! What a staff member sees of a patient, whichever door asks (the JSON API, the console). They
//! read a patient only when the patient has a callback (or booking) at one of their clinics, and
//! then only their clinics' part: the contact details as last given to one of them, the consents
//! in force there, and their clinics' ledger rows, bookings, callbacks and emails. Nothing in it
//! tells them the person dealt with another clinic. Admins see everything.

use crate::consent::ledger::{self, ConsentEventView, ConsentState, Visible};
use crate::domain::consent::Sender;
use crate::email::history::EmailView;
use crate::error::ApiError;
use crate::intake::store::{self as callbacks, CallbackView};
use crate::patients::store::{contact_at, emails_for, find_visible};
use crate::scheduling::bookings::{self, BookingFilter, BookingView};
use crate::staff::auth::CurrentStaff;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// The patient view lists at most this many bookings (the booking list pages through the rest).
const MAX_BOOKINGS_SHOWN: i64 = 100;

#[derive(Debug, Serialize, ToSchema)]
pub struct PatientView {
    pub id: Uuid,
    /// As last given to one of your clinics (admins: as the patient record has it).
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// When the person first contacted one of your clinics (admins: the patient record's creation).
    pub created_at: DateTime<Utc>,
    /// The state in force for every category at each of your clinics the person dealt with
    /// (admins: at every sender, the network included).
    pub consents: Vec<ConsentState>,
    /// Your clinics' grants and withdrawals, newest first (admins: all). The IP and user agent of
    /// each change are shown to admins only.
    pub consent_history: Vec<ConsentEventView>,
    /// Only those at your clinics, soonest first.
    pub bookings: Vec<BookingView>,
    /// Only those at your clinics.
    pub callbacks: Vec<CallbackView>,
    /// Only those at your clinics.
    pub emails: Vec<EmailView>,
}

/// The patient as `staff` may see them; 404 when they may not see them at all.
pub async fn view(
    state: &AppState,
    staff: &CurrentStaff,
    id: Uuid,
) -> Result<PatientView, ApiError> {
    let (is_admin, clinic_ids) = staff.scope();
    // One snapshot for the whole view, so consents, callbacks and emails agree with each other.
    let mut tx = crate::db::begin(&state.db).await?;
    sqlx::query!("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    let record = find_visible(&mut tx, id, is_admin, &clinic_ids)
        .await?
        .ok_or(ApiError::NotFound)?;
    let (patient, senders, visible) = if is_admin {
        let senders = ledger::senders_of(&mut tx, id).await?;
        (record, senders, Visible::All)
    } else {
        let contact = contact_at(&mut tx, id, &clinic_ids)
            .await?
            .ok_or(ApiError::NotFound)?;
        let senders: Vec<Sender> = ledger::senders_of(&mut tx, id)
            .await?
            .into_iter()
            .filter(|sender| {
                sender
                    .clinic_id()
                    .is_some_and(|clinic| clinic_ids.contains(&clinic))
            })
            .collect();
        (contact, senders, Visible::Clinics(&clinic_ids))
    };
    let view = PatientView {
        consents: ledger::current(&mut tx, id, &senders).await?,
        consent_history: ledger::history(&mut tx, id, visible)
            .await?
            .into_iter()
            .map(|event| {
                if is_admin {
                    event
                } else {
                    event.without_client_details()
                }
            })
            .collect(),
        bookings: bookings::list(
            &mut tx,
            &BookingFilter {
                is_admin,
                clinic_ids: clinic_ids.clone(),
                status: None,
                clinic_id: None,
                practitioner_id: None,
                patient_id: Some(id),
                from: None,
                to: None,
                after: None,
                limit: MAX_BOOKINGS_SHOWN,
            },
        )
        .await?
        .iter()
        .take(MAX_BOOKINGS_SHOWN as usize)
        .map(BookingView::from)
        .collect(),
        callbacks: callbacks::for_patient(&mut tx, id, is_admin, &clinic_ids).await?,
        emails: emails_for(&mut tx, id, is_admin, &clinic_ids).await?,
        id: patient.id,
        name: patient.name,
        email: patient.email,
        phone: patient.phone,
        created_at: patient.created_at,
    };
    tx.commit().await?;
    Ok(view)
}
