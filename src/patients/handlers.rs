//! `GET /v1/staff/patients/{id}`: contact details, consents (now and history), callbacks and emails.
//! A staff member reads a patient only when the patient has a callback (or booking) at one of their
//! clinics, and then only their clinics' part: the contact details as last given to one of them,
//! the consents in force there, and their clinics' ledger rows, bookings, callbacks and emails.
//! Nothing in the answer tells them the person dealt with another clinic. Admins see everything.

use crate::consent::ledger::{self, ConsentEventView, ConsentState, Visible};
use crate::domain::consent::Sender;
use crate::error::ApiError;
use crate::intake::store::{self as callbacks, CallbackView};
use crate::scheduling::bookings::{self, BookingFilter, BookingView};
use crate::staff::auth::CurrentStaff;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgConnection;
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

pub use crate::email::history::EmailView;

#[derive(sqlx::FromRow)]
pub struct PatientRow {
    pub id: Uuid,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The patient, if the staff member may see them: admins always; others when the patient has a
/// callback or a booking at one of their clinics.
pub async fn find_visible(
    conn: &mut PgConnection,
    id: Uuid,
    is_admin: bool,
    clinic_ids: &[Uuid],
) -> Result<Option<PatientRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.id, p.name, p.email::text AS email, p.phone, p.created_at FROM patients p
          WHERE p.id = $1
            AND ($2
                 OR EXISTS (SELECT 1 FROM callback_requests c WHERE c.patient_id = p.id AND c.clinic_id = ANY($3))
                 OR EXISTS (SELECT 1 FROM bookings b WHERE b.patient_id = p.id AND b.clinic_id = ANY($3)))",
    )
    .bind(id)
    .bind(is_admin)
    .bind(clinic_ids)
    .fetch_optional(conn)
    .await
}

/// The contact details as last given to one of `clinic_ids`, and when the person first came to one.
async fn contact_at(
    conn: &mut PgConnection,
    patient_id: Uuid,
    clinic_ids: &[Uuid],
) -> Result<Option<PatientRow>, sqlx::Error> {
    sqlx::query_as(
        "WITH given AS (
             SELECT name, email, phone, created_at, id FROM callback_requests
              WHERE patient_id = $1 AND clinic_id = ANY($2)
             UNION ALL
             SELECT name, email, phone, created_at, id FROM bookings
              WHERE patient_id = $1 AND clinic_id = ANY($2))
         SELECT $1 AS id, name, email::text AS email, phone,
                (SELECT min(created_at) FROM given) AS created_at
           FROM given ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .bind(patient_id)
    .bind(clinic_ids)
    .fetch_optional(conn)
    .await
}

async fn emails_for(
    conn: &mut PgConnection,
    patient_id: Uuid,
    is_admin: bool,
    clinic_ids: &[Uuid],
) -> Result<Vec<EmailView>, sqlx::Error> {
    sqlx::query_as(
        // An email belongs to the clinic it names, or to the clinic its callback was routed to since.
        "SELECT e.id, e.kind, e.to_address::text AS to, e.status, e.attempts, e.last_error, e.created_at, e.sent_at
           FROM email_outbox e LEFT JOIN callback_requests c ON c.id = e.callback_request_id
          WHERE e.patient_id = $1 AND ($2 OR COALESCE(e.clinic_id, c.clinic_id) = ANY($3))
          ORDER BY e.created_at DESC, e.id DESC",
    )
    .bind(patient_id)
    .bind(is_admin)
    .bind(clinic_ids)
    .fetch_all(conn)
    .await
}

#[utoipa::path(get, path = "/v1/staff/patients/{id}", tag = "staff",
    params(("id" = Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The patient", body = PatientView),
        (status = 404, description = "No such patient, or none of your clinics has them", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_patient(
    State(state): State<AppState>,
    staff: CurrentStaff,
    Path(id): Path<String>,
) -> Result<Json<PatientView>, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::NotFound)?;
    let (is_admin, clinic_ids) = staff.scope();
    // One snapshot for the whole view, so consents, callbacks and emails agree with each other.
    let mut tx = crate::db::begin(&state.db).await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
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
    Ok(Json(view))
}
