//! The kinds of email the outbox sends; each kind has its own template and payload.

use crate::domain::consent::ConsentCategory;
use crate::domain::status::text_enum;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

text_enum! {
    pub enum EmailKind {
        CallbackReceived,
        BookingRequested,
        BookingConfirmed,
        BookingRescheduled,
        BookingCancelled,
        AppointmentReminder,
        ExercisePlan,
        CarePlan,
        /// Asks the person to confirm a `service_updates` grant (double opt-in).
        ConsentConfirmation,
        /// Tells the clinic's `notification_email` that a patient cancelled or moved a booking.
        BookingChangedByPatient,
    }
}

impl EmailKind {
    /// The consent an email of this kind needs; `None` for transactional emails the person asked for.
    pub fn category(self) -> Option<ConsentCategory> {
        match self {
            EmailKind::AppointmentReminder => Some(ConsentCategory::AppointmentReminders),
            EmailKind::ExercisePlan => Some(ConsentCategory::ExercisePlans),
            EmailKind::CarePlan => Some(ConsentCategory::PlansOfCare),
            _ => None,
        }
    }

    /// Sent to the clinic's staff, not to the patient: no unsubscribe link (it would be the patient's).
    pub fn is_for_staff(self) -> bool {
        self == EmailKind::BookingChangedByPatient
    }
}
