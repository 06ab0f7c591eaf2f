//! What staff send patients between visits: exercise plans built from the library (or written on the
//! spot) and plans of care, each emailed under its own consent category; and the outbox as the front
//! desk sees it.
//!
//! A plan is refused (409 `consent_missing`) before anything is stored when the patient has not
//! granted the category now: no plan row, no email row. Otherwise the plan, its email and the audit
//! row are written in one transaction.

pub mod care_plans;
pub mod email_list;
pub mod email_store;
pub mod emails;
pub mod exercise_plans;
pub mod exercises;
pub mod library;
pub mod send;
pub mod store;

use crate::consent::ledger;
use crate::domain::Invalid;
use crate::domain::consent::{ConsentCategory, Sender};
use crate::domain::fields::FieldReader;
use crate::email::outbox::{self, NewEmail, Queued};
use crate::error::ApiError;
use crate::error::Message;
use crate::intake::store as callbacks;
use crate::patients::store::PatientRow;
use crate::staff::auth::CurrentStaff;
use axum::http::{HeaderMap, header};
use serde::Serialize;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

/// The email a plan queued.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QueuedEmail {
    pub id: Uuid,
    /// `queued` (a plan is never stored when the email could not be sent).
    pub status: String,
}

impl From<Queued> for QueuedEmail {
    fn from(queued: Queued) -> Self {
        QueuedEmail {
            id: queued.id,
            status: queued.status.to_owned(),
        }
    }
}

/// The clinic a plan and its email belong to: the one asked for (when the staff member may see it),
/// else the clinic of the patient's most recent booking or callback that the staff member can see.
async fn plan_clinic(
    conn: &mut PgConnection,
    staff: &CurrentStaff,
    patient_id: Uuid,
    requested: Option<Uuid>,
) -> Result<Option<Uuid>, ApiError> {
    if let Some(clinic_id) = requested {
        if !staff.can_see_clinic(Some(clinic_id)) {
            return Err(ApiError::Forbidden);
        }
        if !callbacks::clinic_exists(conn, clinic_id).await? {
            return Err(ApiError::validation(
                "clinic_id",
                Invalid::new("unknown_clinic", "field-unknown-clinic"),
            ));
        }
        return Ok(Some(clinic_id));
    }
    let (is_admin, clinic_ids) = staff.scope();
    let latest = store::latest_visit_clinic(conn, patient_id, is_admin, &clinic_ids).await?;
    Ok(latest)
}

/// The patient's address, or 409 `no_email`; then 409 `consent_missing` unless `category` is granted
/// now to `sender` (the plan's clinic: one clinic's consent never stands for another's).
async fn require_email_and_consent(
    conn: &mut PgConnection,
    patient: &PatientRow,
    sender: Sender,
    category: ConsentCategory,
    what: &str,
) -> Result<String, ApiError> {
    let Some(address) = patient.email.clone() else {
        return Err(ApiError::conflict(
            "no_email",
            Message::new("problem-no-email").arg("what", what),
        ));
    };
    if !ledger::is_granted(conn, patient.id, sender, category).await? {
        return Err(consent_missing(category, what));
    }
    Ok(address)
}

fn consent_missing(category: ConsentCategory, what: &str) -> ApiError {
    ApiError::conflict(
        "consent_missing",
        Message::new("problem-consent-missing")
            .arg("category", category.as_str())
            .arg("what", what),
    )
}

/// Queues the plan's email; a consent withdrawn since the check (the row would be `suppressed`)
/// refuses the whole plan, so the caller's transaction is rolled back.
async fn queue_plan_email(
    conn: &mut PgConnection,
    email: NewEmail<'_>,
    category: ConsentCategory,
    what: &str,
) -> Result<QueuedEmail, ApiError> {
    let queued = outbox::enqueue(conn, email).await?.ok_or_else(|| {
        ApiError::Internal(anyhow::anyhow!(
            "a new plan's email collided with a dedup key"
        ))
    })?;
    if queued.status != "queued" {
        return Err(consent_missing(category, what));
    }
    Ok(queued.into())
}

fn location(path: String) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let Ok(value) = path.parse() {
        headers.insert(header::LOCATION, value);
    }
    headers
}

/// A checker for whole numbers in `min..=max`, for doses and schedules.
fn whole_in(min: i64, max: i64) -> impl FnOnce(i64) -> Result<i32, Invalid> {
    move |value| {
        if (min..=max).contains(&value) {
            i32::try_from(value).map_err(|_| out_of_range(min, max))
        } else {
            Err(out_of_range(min, max))
        }
    }
}

fn out_of_range(min: i64, max: i64) -> Invalid {
    Invalid::new("out_of_range", "field-whole-number-range")
        .arg("min", min)
        .arg("max", max)
}

/// An optional whole number in `min..=max`: `Some(None)` when absent, `None` when invalid (recorded).
fn optional_whole(
    reader: &mut FieldReader<'_>,
    name: &str,
    min: i64,
    max: i64,
) -> Option<Option<i32>> {
    if !reader.is_present(name) {
        return Some(None);
    }
    reader.required_i64(name, whole_in(min, max)).map(Some)
}

/// A required array of 1..=`max` strings, each checked by `parse`; errors name the array or the element.
fn required_strings(
    reader: &mut FieldReader<'_>,
    name: &str,
    max: usize,
    parse: impl FnMut(&str) -> Result<String, Invalid>,
) -> Option<Vec<String>> {
    if !reader.is_present(name) {
        reader.error(name, Invalid::new("required", "field-required"));
        return None;
    }
    let items = reader.string_array(name, max, parse)?;
    if items.is_empty() {
        reader.error(name, Invalid::new("too_few", "field-too-few"));
        return None;
    }
    Some(items)
}
