//! The console's words for the values rows carry: a booking's status and mode, an email's kind and
//! status, a consent category, a callback's status and preferred time. One literal catalogue id per
//! value, so the catalogue test sees every one, and a new value is a compile error here.

use crate::domain::email_kind::EmailKind;
use crate::domain::status::{BookingStatus, EmailStatus};
use crate::i18n::{Locale, MissingText};
use crate::t;

pub fn booking_status(locale: Locale, status: BookingStatus) -> Result<String, MissingText> {
    match status {
        BookingStatus::Requested => t!(locale, "desk-state-requested"),
        BookingStatus::Confirmed => t!(locale, "desk-state-confirmed"),
        BookingStatus::Cancelled => t!(locale, "desk-state-cancelled"),
        BookingStatus::Completed => t!(locale, "desk-state-completed"),
        BookingStatus::NoShow => t!(locale, "desk-state-no-show"),
        BookingStatus::Expired => t!(locale, "desk-state-expired"),
    }
}

/// `phone`, `video` or `in_person`; anything else (none is stored) as it is.
pub fn mode(locale: Locale, mode: &str) -> Result<String, MissingText> {
    match mode {
        "phone" => t!(locale, "desk-mode-phone"),
        "video" => t!(locale, "desk-mode-video"),
        "in_person" => t!(locale, "desk-mode-in-person"),
        other => Ok(other.to_owned()),
    }
}

pub fn email_kind(locale: Locale, kind: EmailKind) -> Result<String, MissingText> {
    match kind {
        EmailKind::CallbackReceived => t!(locale, "desk-email-callback-received"),
        EmailKind::BookingRequested => t!(locale, "desk-email-booking-requested"),
        EmailKind::BookingConfirmed => t!(locale, "desk-email-booking-confirmed"),
        EmailKind::BookingRescheduled => t!(locale, "desk-email-booking-rescheduled"),
        EmailKind::BookingCancelled => t!(locale, "desk-email-booking-cancelled"),
        EmailKind::AppointmentReminder => t!(locale, "desk-email-appointment-reminder"),
        EmailKind::ExercisePlan => t!(locale, "desk-email-exercise-plan"),
        EmailKind::CarePlan => t!(locale, "desk-email-care-plan"),
        EmailKind::ConsentConfirmation => t!(locale, "desk-email-consent-confirmation"),
        EmailKind::BookingChangedByPatient => t!(locale, "desk-email-booking-changed-by-patient"),
    }
}

pub fn email_status(locale: Locale, status: EmailStatus) -> Result<String, MissingText> {
    match status {
        EmailStatus::Queued => t!(locale, "desk-email-status-queued"),
        EmailStatus::Sending => t!(locale, "desk-email-status-sending"),
        EmailStatus::Sent => t!(locale, "desk-email-status-sent"),
        EmailStatus::Failed => t!(locale, "desk-email-status-failed"),
        EmailStatus::Suppressed => t!(locale, "desk-email-status-suppressed"),
        EmailStatus::Withdrawn => t!(locale, "desk-email-status-withdrawn"),
    }
}

/// A consent category as the patient's preference page names it.
pub fn category(locale: Locale, category: &str) -> Result<String, MissingText> {
    match category {
        "appointment_reminders" => t!(locale, "page-category-appointment-reminders"),
        "exercise_plans" => t!(locale, "page-category-exercise-plans"),
        "plans_of_care" => t!(locale, "page-category-plans-of-care"),
        "service_updates" => t!(locale, "page-category-service-updates"),
        other => Ok(other.to_owned()),
    }
}

/// Whether a consent is in force: granted, withdrawn, or never asked.
pub fn consent_state(locale: Locale, granted: bool, asked: bool) -> Result<String, MissingText> {
    match (granted, asked) {
        (true, _) => t!(locale, "desk-consent-granted"),
        (false, true) => t!(locale, "desk-consent-withdrawn"),
        (false, false) => t!(locale, "desk-consent-never"),
    }
}

/// Who changed a booking last: `staff` or `patient`.
pub fn changed_by(locale: Locale, who: &str) -> Result<String, MissingText> {
    match who {
        "patient" => t!(locale, "desk-changed-by-patient"),
        _ => t!(locale, "desk-changed-by-staff"),
    }
}

pub fn callback_status(locale: Locale, status: &str) -> Result<String, MissingText> {
    match status {
        "new" => t!(locale, "desk-callback-state-new"),
        "contacted" => t!(locale, "desk-callback-state-contacted"),
        "booked" => t!(locale, "desk-callback-state-booked"),
        "closed" => t!(locale, "desk-callback-state-closed"),
        other => Ok(other.to_owned()),
    }
}

pub fn preferred_time(locale: Locale, preferred: &str) -> Result<String, MissingText> {
    match preferred {
        "morning" => t!(locale, "desk-preferred-morning"),
        "afternoon" => t!(locale, "desk-preferred-afternoon"),
        "evening" => t!(locale, "desk-preferred-evening"),
        "anytime" => t!(locale, "desk-preferred-anytime"),
        other => Ok(other.to_owned()),
    }
}

/// A form field's label, for the words of a 422 (`weekly[2].start` is labelled as `weekly`);
/// `None` for a field no form of the console has.
pub fn field(locale: Locale, field: &str) -> Option<String> {
    let name = field.split(['[', '.']).next().unwrap_or(field);
    let words = match name {
        "name" => t!(locale, "desk-field-name"),
        "address" => t!(locale, "desk-field-address"),
        "city" => t!(locale, "desk-field-city"),
        "province" => t!(locale, "desk-field-province"),
        "postal_code" => t!(locale, "desk-field-postal_code"),
        "phone" => t!(locale, "desk-field-phone"),
        "latitude" => t!(locale, "desk-field-latitude"),
        "longitude" => t!(locale, "desk-field-longitude"),
        "time_zone" => t!(locale, "desk-field-time_zone"),
        "default_locale" => t!(locale, "desk-field-default_locale"),
        "notification_email" => t!(locale, "desk-field-notification_email"),
        "clinic_id" => t!(locale, "desk-field-clinic_id"),
        "clinic_ids" => t!(locale, "desk-field-clinic_ids"),
        "discipline" => t!(locale, "desk-field-discipline"),
        "services" => t!(locale, "desk-field-services"),
        "languages" => t!(locale, "desk-field-languages"),
        "consult_modes" => t!(locale, "desk-field-consult_modes"),
        "active" => t!(locale, "desk-field-active"),
        "slot_minutes" => t!(locale, "desk-field-slot_minutes"),
        "weekly" => t!(locale, "desk-field-weekly"),
        "starts_at" => t!(locale, "desk-field-starts_at"),
        "ends_at" => t!(locale, "desk-field-ends_at"),
        "reason" => t!(locale, "desk-field-reason"),
        "email" => t!(locale, "desk-field-email"),
        "role" => t!(locale, "desk-field-role"),
        "password" => t!(locale, "desk-field-password"),
        "title" => t!(locale, "desk-patient-plan-title"),
        "summary" => t!(locale, "desk-patient-care-summary"),
        "goals" => t!(locale, "desk-patient-care-goals"),
        "visits_per_week" => t!(locale, "desk-patient-care-visits"),
        "weeks" => t!(locale, "desk-patient-care-weeks"),
        "exercises" => t!(locale, "desk-patient-exercises"),
        "note" => t!(locale, "desk-callback-note"),
        "category" => t!(locale, "desk-column-category"),
        "granted" => t!(locale, "desk-patient-record-choice"),
        "status" => t!(locale, "desk-callback-status"),
        "date" => t!(locale, "desk-filter-date"),
        "practitioner_id" => t!(locale, "desk-filter-practitioner"),
        _ => return None,
    };
    words.ok()
}
