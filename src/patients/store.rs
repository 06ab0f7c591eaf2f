//! Finding or creating the patient a form is about.

use crate::domain::contact::{EmailAddress, PhoneE164};
use sqlx::PgConnection;
use uuid::Uuid;

/// The patient with this email (case-insensitive), or a new one. Without an email every form makes
/// a new patient: a phone number alone is too weak to merge people on.
///
/// An existing patient's name and phone are not overwritten: the form is anonymous, and anyone can
/// type someone else's email. What this form said is kept on the form's own row.
pub async fn match_or_create(
    conn: &mut PgConnection,
    name: &str,
    email: Option<&EmailAddress>,
    phone: Option<&PhoneE164>,
) -> Result<Uuid, sqlx::Error> {
    // ON CONFLICT makes concurrent first forms from one person converge on a single patient.
    sqlx::query_scalar(
        "INSERT INTO patients (id, name, email, phone) VALUES ($1, $2, $3, $4)
         ON CONFLICT (email) DO UPDATE SET phone = COALESCE(patients.phone, EXCLUDED.phone), updated_at = now()
         RETURNING id",
    )
    .bind(Uuid::now_v7())
    .bind(name)
    .bind(email.map(EmailAddress::as_str))
    .bind(phone.map(PhoneE164::as_str))
    .fetch_one(conn)
    .await
}
