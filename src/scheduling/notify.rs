//! The emails a booking causes, queued in the booking's own transaction: request received, confirmed
//! (with a calendar invite and the reminders), rescheduled, cancelled.

use crate::email::ics::{self, Invite, Method};
use crate::email::outbox::{self, About, NewEmail};
use crate::email::payloads::{
    AppointmentReminder, BookingCancelled, BookingConfirmed, BookingDetails, BookingRescheduled,
    ClinicInfo, EmailPayload, REMINDER_TIME_PASSED, ReminderDecision,
};
use crate::i18n::MissingText;
use crate::patients::store::reader_locale;
use crate::scheduling::availability::local;
use crate::scheduling::bookings::BookingRow;
use crate::t;
use chrono::{DateTime, Duration, Utc};
use sqlx::PgConnection;
use std::time::Duration as StdDuration;

/// The address inside `MAIL_FROM` (`Clinic <no-reply@localhost>` → `no-reply@localhost`).
pub fn sender_address(mail_from: &str) -> &str {
    match (mail_from.find('<'), mail_from.rfind('>')) {
        (Some(open), Some(close)) if open < close => mail_from[open + 1..close].trim(),
        _ => mail_from.trim(),
    }
}

/// What every booking email's template may use, captured when the email is caused.
pub fn details(booking: &BookingRow) -> BookingDetails {
    let zone = booking.zone();
    BookingDetails {
        booking_id: booking.id,
        patient_name: booking.name.clone(),
        practitioner_name: booking.practitioner_name.clone(),
        discipline: booking.discipline.clone(),
        mode: booking.mode.clone(),
        phone: booking.phone.clone(),
        starts_at: local(booking.starts_at, zone),
        ends_at: local(booking.ends_at, zone),
        time_zone: booking.time_zone.clone(),
        clinic: ClinicInfo {
            name: booking.clinic_name.clone(),
            address: booking.address.clone(),
            city: booking.city.clone(),
            province: booking.province.clone(),
            postal_code: booking.postal_code.clone(),
            phone: booking.clinic_phone.clone(),
        },
    }
}

/// The calendar invite, its words in the language the email is written in (the outbox decides
/// that language with the same `reader_locale`, in the same transaction).
async fn invite(
    conn: &mut PgConnection,
    booking: &BookingRow,
    mail_from: &str,
    method: Method,
) -> Result<String, sqlx::Error> {
    let locale = reader_locale(conn, booking.patient_id, Some(booking.clinic_id)).await?;
    let location = format!(
        "{}, {}, {}, {} {}",
        booking.clinic_name, booking.address, booking.city, booking.province, booking.postal_code
    );
    // A missing catalogue text is a bug of this build (the catalogue tests rule it out).
    let words = |result: Result<String, MissingText>| {
        result.map_err(|error| sqlx::Error::Configuration(Box::new(error)))
    };
    let summary = words(t!(
        locale,
        "invite-summary",
        practitioner = &booking.practitioner_name
    ))?;
    let description = words(t!(
        locale,
        "invite-description",
        mode = booking.mode.as_str(),
        practitioner = &booking.practitioner_name,
        location = &location
    ))?;
    Ok(ics::render(
        &Invite {
            booking_id: booking.id,
            sequence: u32::try_from(booking.ics_sequence).unwrap_or(0),
            starts_at: booking.starts_at,
            ends_at: booking.ends_at,
            summary: &summary,
            description: &description,
            location: &location,
            organizer_email: sender_address(mail_from),
            attendee_email: &booking.email,
            attendee_name: &booking.name,
        },
        method,
    ))
}

async fn enqueue(
    conn: &mut PgConnection,
    booking: &BookingRow,
    payload: EmailPayload,
    send_after: Option<DateTime<Utc>>,
    dedup_key: String,
) -> Result<(), sqlx::Error> {
    outbox::enqueue(
        conn,
        NewEmail {
            patient_id: booking.patient_id,
            clinic_id: Some(booking.clinic_id),
            about: About::Booking(booking.id),
            to: &booking.email,
            payload,
            send_after,
            dedup_key: Some(dedup_key),
            locale: None,
        },
    )
    .await?;
    Ok(())
}

pub async fn requested(conn: &mut PgConnection, booking: &BookingRow) -> Result<(), sqlx::Error> {
    let key = format!("booking:{}:requested", booking.id);
    enqueue(
        conn,
        booking,
        EmailPayload::BookingRequested(details(booking)),
        None,
        key,
    )
    .await
}

/// The confirmation (with its invite) and one reminder per offset still ahead. Reminders whose time
/// has passed are skipped, and the confirmation says so.
pub async fn confirmed(
    conn: &mut PgConnection,
    booking: &BookingRow,
    mail_from: &str,
    reminder_offsets: &[StdDuration],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let reminders = schedule_reminders(conn, booking, reminder_offsets, now).await?;
    let payload = EmailPayload::BookingConfirmed(BookingConfirmed {
        booking: details(booking),
        ics: invite(conn, booking, mail_from, Method::Request).await?,
        reminders,
    });
    let key = format!("booking:{}:confirmed:{}", booking.id, booking.ics_sequence);
    enqueue(conn, booking, payload, None, key).await
}

/// The new time, with an updated invite when the booking was already confirmed; reminders move with it.
pub async fn rescheduled(
    conn: &mut PgConnection,
    booking: &BookingRow,
    previous_start: DateTime<Utc>,
    mail_from: &str,
    reminder_offsets: &[StdDuration],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    withdraw_reminders(conn, booking).await?;
    let mut payload = BookingRescheduled {
        booking: details(booking),
        previous_starts_at: local(previous_start, booking.zone()),
        ics: None,
        reminders: Vec::new(),
    };
    if booking.status == crate::domain::status::BookingStatus::Confirmed {
        payload.reminders = schedule_reminders(conn, booking, reminder_offsets, now).await?;
        payload.ics = Some(invite(conn, booking, mail_from, Method::Request).await?);
    }
    let key = format!(
        "booking:{}:rescheduled:{}",
        booking.id, booking.ics_sequence
    );
    enqueue(
        conn,
        booking,
        EmailPayload::BookingRescheduled(payload),
        None,
        key,
    )
    .await
}

/// Pending reminders are withdrawn; the patient is told (with a cancelling invite) when asked to.
pub async fn cancelled(
    conn: &mut PgConnection,
    booking: &BookingRow,
    was_confirmed: bool,
    notify_patient: bool,
    reason: Option<&str>,
    mail_from: &str,
) -> Result<(), sqlx::Error> {
    withdraw_reminders(conn, booking).await?;
    if !notify_patient {
        return Ok(());
    }
    let ics = if was_confirmed {
        Some(invite(conn, booking, mail_from, Method::Cancel).await?)
    } else {
        None
    };
    let payload = EmailPayload::BookingCancelled(BookingCancelled {
        booking: details(booking),
        reason: reason.map(str::to_owned),
        ics,
    });
    let key = format!("booking:{}:cancelled", booking.id);
    enqueue(conn, booking, payload, None, key).await
}

/// Queues a reminder for each offset whose time is still ahead; returns what was decided for each.
async fn schedule_reminders(
    conn: &mut PgConnection,
    booking: &BookingRow,
    offsets: &[StdDuration],
    now: DateTime<Utc>,
) -> Result<Vec<ReminderDecision>, sqlx::Error> {
    let mut decided = Vec::with_capacity(offsets.len());
    for offset in offsets {
        let Ok(before) = Duration::from_std(*offset) else {
            continue;
        };
        let due = booking.starts_at - before;
        let seconds = offset.as_secs();
        if due <= now {
            decided.push(ReminderDecision {
                offset_seconds: seconds,
                at: None,
                skipped: Some(REMINDER_TIME_PASSED.to_owned()),
            });
            continue;
        }
        let payload = EmailPayload::AppointmentReminder(AppointmentReminder {
            booking: details(booking),
            offset_seconds: seconds,
        });
        let key = format!(
            "booking:{}:reminder:{}:{}",
            booking.id, booking.ics_sequence, seconds
        );
        enqueue(conn, booking, payload, Some(due), key).await?;
        decided.push(ReminderDecision {
            offset_seconds: seconds,
            at: Some(local(due, booking.zone())),
            skipped: None,
        });
    }
    Ok(decided)
}

/// Reminders not yet sent stop here; sent ones stay as history.
async fn withdraw_reminders(
    conn: &mut PgConnection,
    booking: &BookingRow,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE email_outbox SET status = 'withdrawn'
          WHERE booking_id = $1 AND kind = 'appointment_reminder' AND status = 'queued'",
        booking.id,
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::sender_address;

    #[test]
    fn sender_address_is_read_from_mail_from() {
        assert_eq!(
            sender_address("Clinic <no-reply@localhost>"),
            "no-reply@localhost"
        );
        assert_eq!(sender_address("desk@clinic.example"), "desk@clinic.example");
    }
}
