//! What each kind of email carries, as one type per kind. The code that causes an email builds its
//! payload from these structs and the worker reads it back into the same struct, so a field cannot
//! be renamed on one side only: a stored payload that no longer fits its kind fails to load (the
//! email fails with the reason) instead of rendering a blank.
//!
//! Payloads are captured when the email is caused, so the email says what was true then (the time
//! the booking had, the plan as it was written), not what the rows say when the worker sends it.

use crate::domain::email_kind::EmailKind;
use crate::domain::plan::PlanExercise;
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// The clinic an email is from: named in every email, with its address in the footer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClinicInfo {
    pub name: String,
    pub address: String,
    pub city: String,
    pub province: String,
    pub postal_code: String,
    pub phone: String,
}

/// A callback request was received.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallbackReceived {
    pub name: String,
    /// `morning`, `afternoon`, `evening` or `any`.
    pub preferred_time: String,
    pub phone: String,
}

/// What every booking email says about the booking; times are local to the clinic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingDetails {
    pub booking_id: Uuid,
    pub patient_name: String,
    pub practitioner_name: String,
    pub discipline: String,
    /// `in_person`, `phone` or `video`.
    pub mode: String,
    pub phone: Option<String>,
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    pub time_zone: String,
    pub clinic: ClinicInfo,
}

/// Why a reminder was not scheduled: its time had passed by the confirmation. Stored as this text
/// (which rows queued before emails had languages say too) and worded by the email's template.
pub const REMINDER_TIME_PASSED: &str = "its time had already passed";

/// What was decided for one reminder when the booking was confirmed: when it comes, or why not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReminderDecision {
    pub offset_seconds: u64,
    pub at: Option<DateTime<FixedOffset>>,
    pub skipped: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingConfirmed {
    #[serde(flatten)]
    pub booking: BookingDetails,
    /// The calendar invite attached to the email.
    pub ics: String,
    pub reminders: Vec<ReminderDecision>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingRescheduled {
    #[serde(flatten)]
    pub booking: BookingDetails,
    pub previous_starts_at: DateTime<FixedOffset>,
    /// An updated invite, when the booking was already confirmed (the patient has the event).
    pub ics: Option<String>,
    pub reminders: Vec<ReminderDecision>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingCancelled {
    #[serde(flatten)]
    pub booking: BookingDetails,
    pub reason: Option<String>,
    /// A cancelling invite, when the patient had the event.
    pub ics: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppointmentReminder {
    #[serde(flatten)]
    pub booking: BookingDetails,
    /// How long before the appointment this reminder comes.
    pub offset_seconds: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExercisePlan {
    pub patient_name: String,
    pub title: String,
    pub note: Option<String>,
    pub exercises: Vec<PlanExercise>,
    pub staff_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CarePlan {
    pub patient_name: String,
    pub title: String,
    pub summary: String,
    pub goals: Vec<String>,
    pub visits_per_week: i32,
    pub weeks: i32,
    pub staff_name: String,
}

/// What a patient did through their link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatientChange {
    /// Cancelled; otherwise moved from `previous_starts_at` to the booking's time.
    pub cancelled: bool,
    pub previous_starts_at: Option<DateTime<FixedOffset>>,
    pub reason: Option<String>,
}

/// The front desk's notice that a patient cancelled or moved their booking (to the clinic's
/// `notification_email`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingChangedByPatient {
    #[serde(flatten)]
    pub booking: BookingDetails,
    pub change: PatientChange,
}

/// A double opt-in for news: the link in it is signed when the email is sent, never stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsentConfirmation {
    pub name: String,
    pub confirmation_id: Uuid,
    /// "Harbourfront Physio and Physio Network": who the news would come from.
    pub senders: String,
    pub expires_at: DateTime<FixedOffset>,
    /// The clinic's zone; none when the network asks (the time is then written in UTC).
    pub time_zone: Option<String>,
}

/// One payload per kind, and the kind follows from the payload: an email cannot be queued with
/// the payload of another kind.
macro_rules! payloads {
    ($($kind:ident($payload:ty)),* $(,)?) => {
        /// Stored as the kind's own object (the row's `kind` column says which).
        #[derive(Debug, Clone, Serialize)]
        #[serde(untagged)]
        pub enum EmailPayload {
            $($kind($payload),)*
        }

        impl EmailPayload {
            pub fn kind(&self) -> EmailKind {
                match self {
                    $(Self::$kind(_) => EmailKind::$kind,)*
                }
            }

            /// The JSON stored in the outbox row.
            pub fn to_json(&self) -> serde_json::Result<Value> {
                serde_json::to_value(self)
            }

            /// A stored payload read back as its kind's type.
            pub fn from_stored(kind: EmailKind, stored: &Value) -> serde_json::Result<Self> {
                Ok(match kind {
                    $(EmailKind::$kind => Self::$kind(<$payload>::deserialize(stored)?),)*
                })
            }
        }
    };
}

payloads!(
    CallbackReceived(CallbackReceived),
    BookingRequested(BookingDetails),
    BookingConfirmed(BookingConfirmed),
    BookingRescheduled(BookingRescheduled),
    BookingCancelled(BookingCancelled),
    AppointmentReminder(AppointmentReminder),
    ExercisePlan(ExercisePlan),
    CarePlan(CarePlan),
    ConsentConfirmation(ConsentConfirmation),
    BookingChangedByPatient(BookingChangedByPatient),
);

impl EmailPayload {
    /// The booking a booking email is about.
    pub fn booking(&self) -> Option<&BookingDetails> {
        match self {
            Self::BookingRequested(booking) => Some(booking),
            Self::BookingConfirmed(email) => Some(&email.booking),
            Self::BookingRescheduled(email) => Some(&email.booking),
            Self::BookingCancelled(email) => Some(&email.booking),
            Self::AppointmentReminder(email) => Some(&email.booking),
            Self::BookingChangedByPatient(email) => Some(&email.booking),
            Self::CallbackReceived(_)
            | Self::ExercisePlan(_)
            | Self::CarePlan(_)
            | Self::ConsentConfirmation(_) => None,
        }
    }

    /// The calendar invite to attach, if the email carries one.
    pub fn invite(&self) -> Option<&str> {
        match self {
            Self::BookingConfirmed(email) => Some(&email.ics),
            Self::BookingRescheduled(email) => email.ics.as_deref(),
            Self::BookingCancelled(email) => email.ics.as_deref(),
            _ => None,
        }
    }

    /// The name the email greets.
    pub fn recipient_name(&self) -> &str {
        match self {
            Self::CallbackReceived(email) => &email.name,
            Self::ConsentConfirmation(email) => &email.name,
            Self::ExercisePlan(email) => &email.patient_name,
            Self::CarePlan(email) => &email.patient_name,
            // To the front desk: greeted without a name (the patient's would be wrong).
            Self::BookingChangedByPatient(_) => "",
            other => other
                .booking()
                .map_or("", |booking| booking.patient_name.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::templates::tests::sample;

    #[test]
    fn every_kind_reads_back_what_it_stored() {
        for kind in EmailKind::all() {
            let payload = sample(*kind, "Ana Lima", "Dr. Sam Reid");
            assert_eq!(payload.kind(), *kind);
            let stored = payload.to_json().unwrap();
            let read = EmailPayload::from_stored(*kind, &stored).unwrap();
            assert_eq!(read.to_json().unwrap(), stored, "{kind}");
        }
    }

    #[test]
    fn a_payload_missing_a_field_fails_to_load_by_name() {
        let stored = serde_json::json!({"name": "Ana", "phone": "+14165550199"});
        let error = EmailPayload::from_stored(EmailKind::CallbackReceived, &stored).unwrap_err();
        assert!(error.to_string().contains("preferred_time"), "{error}");
    }
}
