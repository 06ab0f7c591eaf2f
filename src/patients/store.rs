//! Finding or creating the patient a form is about.

use crate::domain::contact::{EmailAddress, PhoneE164};
use crate::domain::email_kind::EmailKind;
use crate::domain::locale::Locale;
use crate::domain::status::EmailStatus;
use crate::email::history::EmailView;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// The patient with this email (case-insensitive), or a new one. Without an email every form makes
/// a new patient: a phone number alone is too weak to merge people on.
///
/// An existing patient's name and phone are not overwritten: the form is anonymous, and anyone can
/// type someone else's email. What this form said is kept on the form's own row.
///
/// A language the form named becomes the patient's language (the latest choice wins); a form that
/// names none leaves it as it was.
pub async fn match_or_create(
    conn: &mut PgConnection,
    name: &str,
    email: Option<&EmailAddress>,
    phone: Option<&PhoneE164>,
    locale: Option<Locale>,
) -> Result<Uuid, sqlx::Error> {
    // ON CONFLICT makes concurrent first forms from one person converge on a single patient.
    sqlx::query_scalar!(
        "INSERT INTO patients (id, name, email, phone, locale) VALUES ($1, $2, $3::text, $4, $5)
         ON CONFLICT (email) DO UPDATE SET phone = COALESCE(patients.phone, EXCLUDED.phone),
                                           locale = COALESCE(EXCLUDED.locale, patients.locale),
                                           updated_at = now()
         RETURNING id",
        Uuid::now_v7(),
        name,
        email.map(EmailAddress::as_str),
        phone.map(PhoneE164::as_str),
        locale.map(Locale::as_str),
    )
    .fetch_one(conn)
    .await
}

/// The language to write to the patient in, for `clinic_id`: theirs, else the clinic's, else
/// English (the database's `reader_locale`, which the outbox uses too).
pub async fn reader_locale(
    conn: &mut PgConnection,
    patient_id: Uuid,
    clinic_id: Option<Uuid>,
) -> Result<Locale, sqlx::Error> {
    let locale = sqlx::query_scalar!(
        r#"SELECT reader_locale($1, $2) AS "locale!""#,
        patient_id,
        clinic_id,
    )
    .fetch_one(conn)
    .await?;
    Ok(Locale::from_tag(&locale).unwrap_or_default())
}

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
    sqlx::query_as!(
        PatientRow,
        "SELECT p.id, p.name, p.email::text AS email, p.phone, p.created_at FROM patients p
          WHERE p.id = $1
            AND ($2
                 OR EXISTS (SELECT 1 FROM callback_requests c WHERE c.patient_id = p.id AND c.clinic_id = ANY($3))
                 OR EXISTS (SELECT 1 FROM bookings b WHERE b.patient_id = p.id AND b.clinic_id = ANY($3)))",
        id,
        is_admin,
        clinic_ids,
    )
    .fetch_optional(conn)
    .await
}

/// The contact details as last given to one of `clinic_ids`, and when the person first came to one.
pub async fn contact_at(
    conn: &mut PgConnection,
    patient_id: Uuid,
    clinic_ids: &[Uuid],
) -> Result<Option<PatientRow>, sqlx::Error> {
    sqlx::query_as!(
        PatientRow,
        r#"WITH given AS (
             SELECT name, email, phone, created_at, id FROM callback_requests
              WHERE patient_id = $1 AND clinic_id = ANY($2)
             UNION ALL
             SELECT name, email, phone, created_at, id FROM bookings
              WHERE patient_id = $1 AND clinic_id = ANY($2))
         SELECT $1 AS "id!", name AS "name!", email::text AS email, phone,
                (SELECT min(created_at) FROM given) AS "created_at!"
           FROM given ORDER BY created_at DESC, id DESC LIMIT 1"#,
        patient_id,
        clinic_ids,
    )
    .fetch_optional(conn)
    .await
}

pub async fn emails_for(
    conn: &mut PgConnection,
    patient_id: Uuid,
    is_admin: bool,
    clinic_ids: &[Uuid],
) -> Result<Vec<EmailView>, sqlx::Error> {
    sqlx::query_as!(
        EmailView,
        // An email belongs to the clinic it names, or to the clinic its callback was routed to since.
        r#"SELECT e.id, e.kind AS "kind: EmailKind", e.to_address::text AS "to!",
                  e.status AS "status: EmailStatus", e.attempts, e.last_error, e.created_at, e.sent_at
           FROM email_outbox e LEFT JOIN callback_requests c ON c.id = e.callback_request_id
          WHERE e.patient_id = $1 AND ($2 OR COALESCE(e.clinic_id, c.clinic_id) = ANY($3))
          ORDER BY e.created_at DESC, e.id DESC"#,
        patient_id,
        is_admin,
        clinic_ids,
    )
    .fetch_all(conn)
    .await
}
