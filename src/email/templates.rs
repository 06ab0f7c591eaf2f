//! Email templates: a subject, a plain-text body and an HTML body per kind, written with minijinja and
//! embedded in the binary (`templates/`), so a deployment needs no template files.
//!
//! The templates only lay texts out: every word comes from the message catalogue
//! (`locales/*/emails.ftl`) in the email's language, through the templates' `t("id", name=value)`.
//! Everything that needs a rule (local times in the clinic's zone, reminder lead times, exercise
//! dosages, the clinic's address lines) is prepared here in Rust, from the same catalogue, and handed
//! to the templates as extra context next to the stored payload.

pub use super::payloads::ClinicInfo;
use super::payloads::{BookingDetails, EmailPayload, REMINDER_TIME_PASSED, ReminderDecision};
use crate::domain::email_kind::EmailKind;
use crate::domain::plan::PlanExercise;
use crate::i18n::template::{self, escape_html};
use crate::i18n::{Locale, MissingText, dates};
use crate::t;
use anyhow::Context as _;
use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;
use minijinja::{
    AutoEscape, Environment, Error as TemplateError, Output, State, UndefinedBehavior, Value,
    escape_formatter,
};
use serde_json::{Map, Value as Json, json};
use std::sync::LazyLock;

/// The links an email carries, signed when it is sent (no token is ever stored).
#[derive(Debug, Clone, Copy)]
pub struct Links<'a> {
    pub unsubscribe: &'a str,
    /// A consent confirmation's link; `None` for every other kind.
    pub confirm: Option<&'a str>,
    /// A booking email's "Need to change your appointment?" link (`{PUBLIC_BASE_URL}/manage/{token}`).
    pub manage: Option<&'a str>,
}

/// One email, ready to be put into a MIME message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The three templates of a kind, under `templates/<kind>/`.
macro_rules! kind_templates {
    ($($kind:literal),* $(,)?) => {
        [$(
            (
                concat!($kind, "/subject.txt"),
                include_str!(concat!("../../templates/", $kind, "/subject.txt")),
            ),
            (
                concat!($kind, "/body.txt"),
                include_str!(concat!("../../templates/", $kind, "/body.txt")),
            ),
            (
                concat!($kind, "/body.html"),
                include_str!(concat!("../../templates/", $kind, "/body.html")),
            ),
        )*]
    };
}

/// Files under `templates/`, by name.
macro_rules! embedded {
    ($($name:literal),* $(,)?) => {
        [$(($name, include_str!(concat!("../../templates/", $name)))),*]
    };
}

/// Layouts and fragments the kinds share: the greeting, sign-off and footer live in one place, so no
/// email can lose the clinic's address or the unsubscribe link.
const SHARED_TEMPLATES: [(&str, &str); 10] = embedded!(
    "_layout.txt",
    "_layout.html",
    "_booking.txt",
    "_booking.html",
    "_mode.txt",
    "_mode.html",
    "_reminders.txt",
    "_reminders.html",
    "_manage.txt",
    "_manage.html",
);

const KIND_TEMPLATES: [(&str, &str); 30] = kind_templates!(
    "callback_received",
    "booking_requested",
    "booking_confirmed",
    "booking_rescheduled",
    "booking_cancelled",
    "appointment_reminder",
    "exercise_plan",
    "care_plan",
    "consent_confirmation",
    "booking_changed_by_patient",
);

/// Compiled once: the sources are compile-time constants, so a syntax error is a bug that the
/// render-every-kind test catches, not a runtime condition.
static ENVIRONMENT: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    // HTML is escaped; text and subjects are not (they would show `&amp;` to the reader).
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    // Every name a template reads must exist: payloads are typed (`payloads`), so an unknown name
    // is a template bug, and the render-every-kind tests fail on it instead of an email going out
    // with a blank where a field was renamed.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Block tags on their own lines leave no blank lines behind, which matters in plain text.
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    // Text bodies end with a line break, like any text file (subjects are trimmed anyway).
    env.set_keep_trailing_newline(true);
    env.set_formatter(format_value);
    env.add_function("t", template::translate);
    env.add_filter("strong", template::strong);
    env.add_filter("column", column);
    for (name, source) in SHARED_TEMPLATES.iter().chain(KIND_TEMPLATES.iter()) {
        if let Err(err) = env.add_template(name, source) {
            panic!("embedded email template {name} does not compile: {err:#}");
        }
    }
    env
});

/// Renders an email from its payload, in `locale`.
///
/// `clinic`: the clinic the email is from. `None` (a callback still in the network queue) makes the
/// email speak for "our clinic team" and leave the address out; a booking email's own clinic is
/// used instead of nothing.
pub fn render(
    payload: &EmailPayload,
    clinic: Option<&ClinicInfo>,
    links: Links<'_>,
    locale: Locale,
) -> anyhow::Result<Rendered> {
    let kind = payload.kind();
    let context = context(payload, clinic, links, locale)?;
    let subject = render_one(kind, "subject.txt", &context)?;
    Ok(Rendered {
        subject: one_line(&subject),
        text: render_one(kind, "body.txt", &context)?,
        html: render_one(kind, "body.html", &context)?,
    })
}

/// How a `{{ value }}` is written out. A null payload field prints as nothing, like a missing one
/// (not as "none"). HTML strings are escaped without minijinja's rewriting of `/`, which is harmless
/// in text and attributes but would turn the unsubscribe link and zone names ("America/Toronto")
/// into `&#x2f;` soup in the source.
fn format_value(out: &mut Output, state: &State, value: &Value) -> Result<(), TemplateError> {
    let value = if value.is_none() {
        &Value::UNDEFINED
    } else {
        value
    };
    match value.as_str() {
        Some(text) if state.auto_escape() == AutoEscape::Html && !value.is_safe() => {
            Ok(out.write_str(&escape_html(text))?)
        }
        _ => escape_formatter(out, state, value),
    }
}

/// `label|column(8)`: a text email's label padded to a column, so the values after it line up
/// ("When:   …", "Length: …"); a longer label keeps one space.
fn column(label: String, width: usize) -> String {
    let padding = width.saturating_sub(label.chars().count()).max(1);
    format!("{label}{}", " ".repeat(padding))
}

fn render_one(kind: EmailKind, file: &str, context: &Value) -> anyhow::Result<String> {
    let name = format!("{}/{file}", kind.as_str());
    ENVIRONMENT
        .get_template(&name)
        .and_then(|template| template.render(context))
        .with_context(|| format!("rendering email template {name}"))
}

/// A subject is a single header line: newlines and runs of spaces from the template collapse. The
/// catalogue's non-breaking spaces stay (French writes « Rappel : » and « 14 h 30 » with them).
fn one_line(text: &str) -> String {
    text.split(|ch: char| ch.is_whitespace() && !is_no_break_space(ch))
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn is_no_break_space(ch: char) -> bool {
    matches!(ch, '\u{a0}' | '\u{202f}' | '\u{2007}')
}

/// The payload's fields, plus what the templates need prepared from them. Prepared names never
/// clash with payload fields except `clinic` (the caller's clinic wins) and `exercises` (the same
/// list, each item with its `dosage` added).
fn context(
    payload: &EmailPayload,
    clinic: Option<&ClinicInfo>,
    links: Links<'_>,
    locale: Locale,
) -> anyhow::Result<Value> {
    let mut context = match payload.to_json()? {
        Json::Object(fields) => fields,
        other => anyhow::bail!("an email payload is not an object: {other}"),
    };
    context.insert("locale".into(), json!(locale.as_str()));
    let clinic = clinic.or_else(|| payload.booking().map(|booking| &booking.clinic));
    context.extend(clinic_fields(clinic, locale)?);
    let recipient = payload.recipient_name().trim();
    context.insert(
        "recipient_name".into(),
        json!((!recipient.is_empty()).then_some(recipient)),
    );
    context.insert("why".into(), json!(why(locale, payload.kind())?));
    // A notice to the clinic's staff carries no unsubscribe link: it would be the patient's.
    let unsubscribe = (!payload.kind().is_for_staff()).then_some(links.unsubscribe);
    context.insert("unsubscribe_url".into(), json!(unsubscribe));
    context.insert("manage_url".into(), json!(links.manage));
    if let Some(booking) = payload.booking() {
        context.extend(booking_fields(booking, locale)?);
        context.insert("has_invite".into(), json!(payload.invite().is_some()));
    }
    let zone = payload
        .booking()
        .map(|booking| booking.time_zone.as_str())
        .unwrap_or_default();
    match payload {
        EmailPayload::CallbackReceived(email) => {
            context.insert(
                "preferred_time_text".into(),
                json!(preferred_time_text(locale, &email.preferred_time)?),
            );
        }
        EmailPayload::BookingConfirmed(email) => {
            context.insert(
                "reminder_notes".into(),
                reminder_notes(locale, &email.reminders, zone)?,
            );
        }
        EmailPayload::BookingChangedByPatient(email) => {
            let previous = email
                .change
                .previous_starts_at
                .map(|previous| local_time_text(locale, previous, zone))
                .transpose()?;
            context.insert("previous_starts_at_text".into(), json!(previous));
        }
        EmailPayload::BookingRescheduled(email) => {
            context.insert(
                "reminder_notes".into(),
                reminder_notes(locale, &email.reminders, zone)?,
            );
            context.insert(
                "previous_starts_at_text".into(),
                json!(local_time_text(locale, email.previous_starts_at, zone)?),
            );
        }
        EmailPayload::AppointmentReminder(email) => {
            context.insert(
                "reminder_lead".into(),
                json!(lead_time_text(locale, email.offset_seconds)?),
            );
        }
        EmailPayload::ExercisePlan(plan) => {
            let exercises = plan
                .exercises
                .iter()
                .map(|exercise| with_dosage(locale, exercise))
                .collect::<Result<Vec<Json>, _>>()?;
            context.insert("exercises".into(), json!(exercises));
        }
        EmailPayload::CarePlan(plan) => {
            context.insert(
                "care_schedule".into(),
                json!(care_schedule(locale, plan.visits_per_week, plan.weeks)?),
            );
        }
        EmailPayload::ConsentConfirmation(email) => {
            context.insert(
                "expires_at_text".into(),
                json!(local_time_text(
                    locale,
                    email.expires_at,
                    email.time_zone.as_deref().unwrap_or_default()
                )?),
            );
            let confirm = links
                .confirm
                .context("a consent confirmation is sent with its link")?;
            context.insert("confirm_url".into(), json!(confirm));
        }
        EmailPayload::BookingRequested(_) | EmailPayload::BookingCancelled(_) => {}
    }
    Ok(Value::from_serialize(&context))
}

fn clinic_fields(
    clinic: Option<&ClinicInfo>,
    locale: Locale,
) -> Result<Map<String, Json>, MissingText> {
    let lines = clinic.map(address_lines).unwrap_or_default();
    let mut fields = Map::new();
    fields.insert("clinic".into(), json!(clinic));
    let name = match clinic {
        Some(clinic) => clinic.name.clone(),
        None => t!(locale, "emails-clinic-team")?,
    };
    fields.insert("clinic_name".into(), json!(name));
    let phone = clinic
        .map(|clinic| clinic.phone.trim())
        .filter(|phone| !phone.is_empty());
    fields.insert("clinic_phone".into(), json!(phone));
    fields.insert("clinic_address".into(), json!(lines.join(", ")));
    fields.insert("clinic_address_lines".into(), json!(lines));
    Ok(fields)
}

/// "123 Main St" and "Toronto, ON M5V 1A1", leaving out whatever the clinic has not filled in.
fn address_lines(clinic: &ClinicInfo) -> Vec<String> {
    let region = [clinic.province.trim(), clinic.postal_code.trim()]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let locality = [clinic.city.trim(), region.as_str()]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    [clinic.address.trim().to_owned(), locality]
        .into_iter()
        .filter(|line| !line.is_empty())
        .collect()
}

/// The booking's times as people in the clinic's zone read them, and what kind of consult it is.
fn booking_fields(
    booking: &BookingDetails,
    locale: Locale,
) -> Result<Map<String, Json>, MissingText> {
    let zone = booking.time_zone.as_str();
    let mut prepared = Map::new();
    prepared.insert(
        "consultation".into(),
        json!(consultation(locale, &booking.discipline)?),
    );
    prepared.insert(
        "starts_at_text".into(),
        json!(local_time_text(locale, booking.starts_at, zone)?),
    );
    prepared.insert(
        "starts_at_short".into(),
        json!(local_time_short(locale, booking.starts_at, zone)?),
    );
    prepared.insert(
        "duration_text".into(),
        json!(duration_text(locale, booking.starts_at, booking.ends_at)?),
    );
    Ok(prepared)
}

/// "physiotherapy consultation" / « consultation en physiothérapie », or just "consultation" when
/// the discipline is not one the catalogue names.
fn consultation(locale: Locale, discipline: &str) -> Result<String, MissingText> {
    t!(
        locale,
        "emails-consultation",
        discipline = discipline.trim()
    )
}

/// One note per reminder decided at confirmation: when it will come, or why it will not.
fn reminder_notes(
    locale: Locale,
    reminders: &[ReminderDecision],
    zone: &str,
) -> Result<Json, MissingText> {
    let mut notes = Vec::with_capacity(reminders.len());
    for reminder in reminders {
        let at_text = reminder
            .at
            .map(|at| local_time_text(locale, at, zone))
            .transpose()?;
        let skipped = match reminder.skipped.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(REMINDER_TIME_PASSED) => Some(t!(locale, "emails-reminders-skipped-passed")?),
            Some(other) => Some(other.to_owned()),
        };
        notes.push(json!({
            "lead": lead_time_text(locale, reminder.offset_seconds)?,
            "at_text": at_text,
            "skipped": skipped,
        }));
    }
    Ok(json!(notes))
}

fn with_dosage(locale: Locale, exercise: &PlanExercise) -> Result<Json, MissingText> {
    let count = |value: Option<i32>| value.and_then(|value| u64::try_from(value).ok());
    let dosage = dosage_text(
        locale,
        count(exercise.sets),
        count(exercise.reps),
        count(exercise.hold_seconds),
    )?;
    Ok(json!({
        "name": exercise.name,
        "instructions": exercise.instructions,
        "dosage": dosage,
    }))
}

/// "3 sets of 10 repetitions; hold each for 30 seconds", from whichever parts are given.
fn dosage_text(
    locale: Locale,
    sets: Option<u64>,
    reps: Option<u64>,
    hold_seconds: Option<u64>,
) -> Result<Option<String>, MissingText> {
    let volume = match (sets, reps) {
        (Some(sets), Some(reps)) => Some(t!(
            locale,
            "exercise-plan-sets-reps",
            sets = sets,
            reps = reps
        )?),
        (Some(sets), None) => Some(t!(locale, "exercise-plan-sets", sets = sets)?),
        (None, Some(reps)) => Some(t!(locale, "exercise-plan-reps", reps = reps)?),
        (None, None) => None,
    };
    let Some(seconds) = hold_seconds.filter(|seconds| *seconds > 0) else {
        return Ok(volume);
    };
    let hold = t!(locale, "exercise-plan-hold", seconds = seconds)?;
    Ok(Some(match volume {
        Some(volume) => t!(
            locale,
            "exercise-plan-volume-hold",
            volume = volume,
            hold = hold,
            seconds = seconds
        )?,
        None => hold,
    }))
}

/// "2 visits a week for 6 weeks".
fn care_schedule(
    locale: Locale,
    visits_per_week: i32,
    weeks: i32,
) -> Result<Option<String>, MissingText> {
    let count = |value: i32| u64::try_from(value).ok().filter(|value| *value > 0);
    Ok(match (count(visits_per_week), count(weeks)) {
        (Some(visits), Some(weeks)) => Some(t!(
            locale,
            "care-plan-schedule",
            visits = visits,
            weeks = weeks
        )?),
        (Some(visits), None) => Some(t!(locale, "care-plan-schedule-visits", visits = visits)?),
        (None, Some(weeks)) => Some(t!(locale, "care-plan-schedule-weeks", weeks = weeks)?),
        (None, None) => None,
    })
}

/// "24 hours", "2 days", "30 minutes": how long before the appointment a reminder comes.
fn lead_time_text(locale: Locale, seconds: u64) -> Result<String, MissingText> {
    const MINUTE: u64 = 60;
    const HOUR: u64 = 60 * MINUTE;
    const DAY: u64 = 24 * HOUR;
    // A day is "24 hours" (what people say about a reminder); whole multiples beyond it are days.
    if seconds >= 2 * DAY && seconds.is_multiple_of(DAY) {
        t!(locale, "emails-days", count = seconds / DAY)
    } else if seconds >= HOUR && seconds.is_multiple_of(HOUR) {
        t!(locale, "emails-hours", count = seconds / HOUR)
    } else {
        t!(locale, "emails-minutes", count = (seconds / MINUTE).max(1))
    }
}

/// "in the morning, as you asked", or "as soon as we can" for `any` (and anything unknown).
fn preferred_time_text(locale: Locale, preferred: &str) -> Result<String, MissingText> {
    t!(
        locale,
        "callback-received-preferred-time",
        preferred = preferred.trim()
    )
}

/// Why the person gets this email, said in its footer next to the way out.
fn why(locale: Locale, kind: EmailKind) -> Result<String, MissingText> {
    match kind {
        EmailKind::CallbackReceived => t!(locale, "emails-why-callback"),
        EmailKind::BookingRequested
        | EmailKind::BookingConfirmed
        | EmailKind::BookingRescheduled
        | EmailKind::BookingCancelled => t!(locale, "emails-why-booking"),
        EmailKind::AppointmentReminder => t!(locale, "emails-why-reminders"),
        EmailKind::ExercisePlan => t!(locale, "emails-why-exercise-plans"),
        EmailKind::CarePlan => t!(locale, "emails-why-care-plans"),
        EmailKind::ConsentConfirmation => t!(locale, "emails-why-form"),
        EmailKind::BookingChangedByPatient => t!(locale, "emails-why-staff-notice"),
    }
}

/// "Tuesday, December 1, 2026 at 9:30 AM (America/Toronto)" / « le mardi 1er décembre 2026 à
/// 9 h 30 (America/Toronto) »: a time as people in the clinic's zone read it. An unknown zone keeps
/// the time's own offset and names it ("UTC-05:00").
pub fn local_time_text(
    locale: Locale,
    time: DateTime<FixedOffset>,
    time_zone: &str,
) -> Result<String, MissingText> {
    let (local, zone) = in_zone(time, time_zone);
    t!(
        locale,
        "emails-time-in-zone",
        time = dates::long_date_time(locale, &local)?,
        zone = zone
    )
}

/// "Tuesday, December 1 at 9:30 AM": short enough for a subject line.
fn local_time_short(
    locale: Locale,
    time: DateTime<FixedOffset>,
    time_zone: &str,
) -> Result<String, MissingText> {
    let (local, _) = in_zone(time, time_zone);
    dates::short_date_time(locale, &local)
}

/// "30 minutes", "1 hour 15 minutes": how long the appointment lasts.
fn duration_text(
    locale: Locale,
    starts_at: DateTime<FixedOffset>,
    ends_at: DateTime<FixedOffset>,
) -> Result<Option<String>, MissingText> {
    let minutes = (ends_at - starts_at).num_minutes();
    let Some(minutes) = u64::try_from(minutes).ok().filter(|minutes| *minutes > 0) else {
        return Ok(None);
    };
    Ok(Some(match (minutes / 60, minutes % 60) {
        (0, minutes) => t!(locale, "emails-minutes", count = minutes)?,
        (hours, 0) => t!(locale, "emails-hours", count = hours)?,
        (hours, minutes) => t!(
            locale,
            "emails-hours-minutes",
            hours = t!(locale, "emails-hours", count = hours)?,
            minutes = t!(locale, "emails-minutes", count = minutes)?
        )?,
    }))
}

fn in_zone(time: DateTime<FixedOffset>, time_zone: &str) -> (DateTime<FixedOffset>, String) {
    match time_zone.trim().parse::<Tz>() {
        Ok(zone) => (
            time.with_timezone(&zone).fixed_offset(),
            zone.name().to_owned(),
        ),
        Err(_) => (time, format!("UTC{}", time.format("%:z"))),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::email::payloads::{
        AppointmentReminder, BookingCancelled, BookingChangedByPatient, BookingConfirmed,
        BookingRescheduled, CallbackReceived, CarePlan, ConsentConfirmation, ExercisePlan,
        PatientChange,
    };

    pub(crate) const UNSUBSCRIBE: &str = "https://clinic.example/v1/unsubscribe/tok-123_abc";
    const CONFIRM: &str = "https://clinic.example/consent/confirm/tok";
    const MANAGE: &str = "https://clinic.example/manage/tok-manage";

    pub(crate) fn links() -> Links<'static> {
        Links {
            unsubscribe: UNSUBSCRIBE,
            confirm: Some(CONFIRM),
            manage: Some(MANAGE),
        }
    }

    pub(crate) fn clinic() -> ClinicInfo {
        ClinicInfo {
            name: "Harbourfront Physio".into(),
            address: "200 Queens Quay W, Suite 4".into(),
            city: "Toronto".into(),
            province: "ON".into(),
            postal_code: "M5J 2Y5".into(),
            phone: "+1 416-555-0100".into(),
        }
    }

    fn time(rfc3339: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(rfc3339).unwrap()
    }

    fn booking(patient_name: &str, practitioner_name: &str) -> BookingDetails {
        BookingDetails {
            booking_id: "0192d6a4-4d7e-7c1a-9a8e-1b2c3d4e5f60".parse().unwrap(),
            patient_name: patient_name.into(),
            practitioner_name: practitioner_name.into(),
            discipline: "physiotherapy".into(),
            mode: "in_person".into(),
            phone: None,
            starts_at: time("2026-12-01T09:30:00-05:00"),
            ends_at: time("2026-12-01T10:00:00-05:00"),
            time_zone: "America/Toronto".into(),
            clinic: clinic(),
        }
    }

    fn reminder(offset_seconds: u64, at: Option<&str>) -> ReminderDecision {
        ReminderDecision {
            offset_seconds,
            at: at.map(time),
            skipped: at
                .is_none()
                .then(|| "its time had already passed".to_owned()),
        }
    }

    /// A payload like the one the code that queues `kind` stores.
    pub(crate) fn sample(
        kind: EmailKind,
        patient_name: &str,
        practitioner_name: &str,
    ) -> EmailPayload {
        let details = booking(patient_name, practitioner_name);
        let invite =
            |method: &str| format!("BEGIN:VCALENDAR\r\nMETHOD:{method}\r\nEND:VCALENDAR\r\n");
        match kind {
            EmailKind::CallbackReceived => EmailPayload::CallbackReceived(CallbackReceived {
                name: patient_name.into(),
                preferred_time: "morning".into(),
                phone: "+14165550199".into(),
            }),
            EmailKind::BookingRequested => EmailPayload::BookingRequested(details),
            EmailKind::BookingConfirmed => EmailPayload::BookingConfirmed(BookingConfirmed {
                booking: details,
                ics: invite("REQUEST"),
                reminders: vec![
                    reminder(86_400, Some("2026-11-30T09:30:00-05:00")),
                    reminder(604_800, None),
                ],
            }),
            EmailKind::BookingRescheduled => EmailPayload::BookingRescheduled(BookingRescheduled {
                booking: details,
                previous_starts_at: time("2026-11-28T14:00:00-05:00"),
                ics: Some(invite("REQUEST")),
                reminders: vec![reminder(86_400, Some("2026-11-30T09:30:00-05:00"))],
            }),
            EmailKind::BookingCancelled => EmailPayload::BookingCancelled(BookingCancelled {
                booking: details,
                reason: Some("The practitioner is unwell".into()),
                ics: Some(invite("CANCEL")),
            }),
            EmailKind::AppointmentReminder => {
                EmailPayload::AppointmentReminder(AppointmentReminder {
                    booking: details,
                    offset_seconds: 86_400,
                })
            }
            EmailKind::ExercisePlan => EmailPayload::ExercisePlan(ExercisePlan {
                patient_name: patient_name.into(),
                title: "Knee mobility, week 1".into(),
                note: Some("Stop if anything hurts more than a 3 out of 10.".into()),
                exercises: vec![
                    PlanExercise {
                        exercise_id: None,
                        name: "Quadriceps stretch".into(),
                        instructions: vec![
                            "Stand holding a chair.".into(),
                            "Pull your heel towards you.".into(),
                        ],
                        sets: Some(3),
                        reps: Some(2),
                        hold_seconds: Some(30),
                    },
                    PlanExercise {
                        exercise_id: None,
                        name: "Calf raises".into(),
                        instructions: vec!["Rise onto your toes.".into(), "Lower slowly.".into()],
                        sets: Some(2),
                        reps: Some(15),
                        hold_seconds: None,
                    },
                ],
                staff_name: practitioner_name.into(),
            }),
            EmailKind::CarePlan => EmailPayload::CarePlan(CarePlan {
                patient_name: patient_name.into(),
                title: "Return to running".into(),
                summary: "Rebuild strength in the left knee before running again.".into(),
                goals: vec![
                    "Walk stairs without pain".into(),
                    "Run 5 km by March".into(),
                ],
                visits_per_week: 2,
                weeks: 6,
                staff_name: practitioner_name.into(),
            }),
            EmailKind::ConsentConfirmation => {
                EmailPayload::ConsentConfirmation(ConsentConfirmation {
                    name: patient_name.into(),
                    confirmation_id: "0192d6a4-4d7e-7c1a-9a8e-1b2c3d4e5f61".parse().unwrap(),
                    senders: format!("Harbourfront Physio and {practitioner_name}"),
                    expires_at: time("2026-12-08T09:30:00Z"),
                    time_zone: Some("America/Toronto".into()),
                })
            }
            EmailKind::BookingChangedByPatient => {
                EmailPayload::BookingChangedByPatient(BookingChangedByPatient {
                    booking: details,
                    change: PatientChange {
                        cancelled: false,
                        previous_starts_at: Some(time("2026-11-28T14:00:00-05:00")),
                        reason: None,
                    },
                })
            }
        }
    }

    fn booking_of(payload: &mut EmailPayload) -> &mut BookingDetails {
        match payload {
            EmailPayload::BookingRequested(booking) => booking,
            EmailPayload::BookingConfirmed(email) => &mut email.booking,
            EmailPayload::BookingRescheduled(email) => &mut email.booking,
            EmailPayload::BookingCancelled(email) => &mut email.booking,
            EmailPayload::AppointmentReminder(email) => &mut email.booking,
            EmailPayload::BookingChangedByPatient(email) => &mut email.booking,
            other => panic!("{:?} is not a booking email", other.kind()),
        }
    }

    /// What every email says in its layout, in each language (the tests' expectations).
    struct Layout {
        lang: &'static str,
        greeting_alone: &'static str,
        unsubscribe: &'static str,
        privacy: &'static str,
    }

    fn layout(locale: Locale) -> Layout {
        match locale {
            Locale::En => Layout {
                lang: "en",
                greeting_alone: "Hello,",
                unsubscribe: "You can unsubscribe at any time",
                privacy: "we never sell your email",
            },
            Locale::Fr => Layout {
                lang: "fr",
                greeting_alone: "Bonjour,",
                unsubscribe: "Vous pouvez vous désabonner en tout temps",
                privacy: "nous ne vendons jamais votre adresse courriel",
            },
        }
    }

    /// `sample(kind, …)` with every optional part left out.
    fn without_optional_parts(kind: EmailKind) -> EmailPayload {
        let mut payload = sample(kind, "", "Dr. Sam Reid");
        match &mut payload {
            EmailPayload::BookingRescheduled(email) => {
                email.ics = None;
                email.reminders.clear();
            }
            EmailPayload::BookingCancelled(email) => {
                email.reason = None;
                email.ics = None;
            }
            EmailPayload::ExercisePlan(plan) => {
                plan.note = None;
                plan.exercises.iter_mut().for_each(|exercise| {
                    exercise.sets = None;
                    exercise.reps = None;
                    exercise.hold_seconds = None;
                });
            }
            _ => {}
        }
        payload
    }

    #[test]
    fn every_kind_renders_with_the_clinic_and_the_way_out() {
        for locale in Locale::all().iter().copied() {
            let expected = layout(locale);
            for kind in EmailKind::all().iter().copied() {
                let payload = sample(kind, "Ana Lima", "Dr. Sam Reid");
                let rendered = render(&payload, Some(&clinic()), links(), locale)
                    .unwrap_or_else(|err| panic!("{locale} {kind}: {err:#}"));
                assert!(!rendered.subject.is_empty(), "{locale} {kind}");
                assert!(!rendered.subject.contains('\n'), "{locale} {kind}");
                for (format, body) in [("text", &rendered.text), ("html", &rendered.html)] {
                    let at = format!("{locale} {kind} {format}");
                    assert!(body.contains("Harbourfront Physio"), "{at}: clinic name");
                    assert!(body.contains("200 Queens Quay W, Suite 4"), "{at}: address");
                    assert!(body.contains("Toronto, ON M5J 2Y5"), "{at}: city");
                    assert!(body.contains("Ana Lima"), "{at}: greeting or subject");
                    if kind.is_for_staff() {
                        // To the clinic: the patient's unsubscribe link would let staff use it.
                        assert!(!body.contains(UNSUBSCRIBE), "{at}: unsubscribe link");
                        assert!(!body.contains(MANAGE), "{at}: manage link");
                        continue;
                    }
                    assert!(body.contains(UNSUBSCRIBE), "{at}: unsubscribe link");
                    assert!(body.contains(expected.unsubscribe), "{at}");
                    assert!(body.contains(expected.privacy), "{at}");
                    let manages = matches!(
                        kind,
                        EmailKind::BookingRequested
                            | EmailKind::BookingConfirmed
                            | EmailKind::BookingRescheduled
                            | EmailKind::AppointmentReminder
                    );
                    assert_eq!(body.contains(MANAGE), manages, "{at}: manage link");
                    assert!(
                        body.contains("Dr. Sam Reid")
                            || kind == EmailKind::CallbackReceived
                            || kind == EmailKind::ConsentConfirmation
                    );
                    assert!(!body.contains("none"), "{at}: a null printed as text");
                }
                assert!(rendered.html.starts_with("<!DOCTYPE html>"));
                let lang = format!("<html lang=\"{}\">", expected.lang);
                assert!(rendered.html.contains(&lang), "{locale} {kind}");
            }
        }
    }

    #[test]
    fn every_kind_renders_without_its_optional_parts() {
        for locale in Locale::all().iter().copied() {
            let expected = layout(locale);
            for kind in EmailKind::all().iter().copied() {
                let payload = without_optional_parts(kind);
                let rendered = render(&payload, None, links(), locale)
                    .unwrap_or_else(|err| panic!("{locale} {kind}: {err:#}"));
                let at = format!("{locale} {kind}");
                for body in [&rendered.text, &rendered.html] {
                    assert!(!body.contains("none"), "{at}: {body}");
                    if kind.is_for_staff() {
                        continue;
                    }
                    assert!(body.contains(UNSUBSCRIBE), "{at}");
                    assert!(body.contains(expected.unsubscribe), "{at}");
                    assert!(body.contains(expected.privacy), "{at}");
                    assert!(body.contains(expected.greeting_alone), "{at}: {body}");
                    assert!(!body.contains("none"), "{at}: {body}");
                }
                assert!(!rendered.subject.contains("none"), "{at}");
            }
        }
    }

    #[test]
    fn a_template_reading_an_unknown_name_fails_loudly() {
        let error = ENVIRONMENT
            .render_str(
                "Hello {{ recipient_nmae }}",
                minijinja::context! {recipient_name => "Ana"},
            )
            .unwrap_err();
        assert_eq!(error.kind(), minijinja::ErrorKind::UndefinedError);
    }

    #[test]
    fn html_is_escaped_and_text_is_verbatim() {
        for locale in Locale::all().iter().copied() {
            for kind in EmailKind::all().iter().copied() {
                let payload = sample(kind, "<script>alert(1)</script>", "Dr. O'Hara & Co");
                let rendered = render(&payload, Some(&clinic()), links(), locale).unwrap();
                assert!(rendered.text.contains("<script>alert(1)</script>"));
                assert!(!rendered.html.contains("<script>"), "{locale} {kind}");
                assert!(rendered.html.contains("&lt;script&gt;"), "{locale} {kind}");
                assert!(!rendered.subject.contains("&amp;"), "{locale} {kind}");
                // Names inside catalogue sentences are escaped too.
                if kind != EmailKind::CallbackReceived {
                    assert!(rendered.text.contains("O'Hara & Co"), "{locale} {kind}");
                    assert!(
                        rendered.html.contains("O&#39;Hara &amp; Co"),
                        "{locale} {kind}"
                    );
                }
            }
        }
    }

    #[test]
    fn booking_times_are_local_to_the_clinic() {
        assert_eq!(
            local_time_text(Locale::En, time("2026-12-01T14:30:00Z"), "America/Toronto").unwrap(),
            "Tuesday, December 1, 2026 at 9:30 AM (America/Toronto)"
        );
        assert_eq!(
            local_time_text(Locale::En, time("2026-07-01T09:05:00-04:00"), "Not/AZone").unwrap(),
            "Wednesday, July 1, 2026 at 9:05 AM (UTC-04:00)"
        );
    }

    #[test]
    fn confirmation_names_the_time_the_mode_and_the_reminders() {
        let payload = sample(EmailKind::BookingConfirmed, "Ana Lima", "Dr. Sam Reid");
        let rendered = render(&payload, Some(&clinic()), links(), Locale::En).unwrap();
        let when = "Tuesday, December 1, 2026 at 9:30 AM (America/Toronto)";
        assert!(rendered.text.contains(when), "{}", rendered.text);
        assert!(rendered.html.contains(when));
        assert!(rendered.subject.contains("Tuesday, December 1 at 9:30 AM"));
        assert!(
            rendered
                .text
                .contains("Monday, November 30, 2026 at 9:30 AM (America/Toronto)")
        );
        assert!(rendered.text.contains("its time had already passed"));
        assert!(rendered.text.contains("24 hours"));
        assert!(rendered.text.contains("7 days"));
    }

    #[test]
    fn each_mode_says_how_the_consult_happens() {
        let mut payload = sample(EmailKind::AppointmentReminder, "Ana Lima", "Dr. Sam Reid");
        booking_of(&mut payload).mode = "phone".into();
        booking_of(&mut payload).phone = Some("+14165550199".into());
        let phone = render(&payload, Some(&clinic()), links(), Locale::En).unwrap();
        assert!(
            phone.text.contains("call you at +14165550199"),
            "{}",
            phone.text
        );
        booking_of(&mut payload).mode = "video".into();
        let video = render(&payload, Some(&clinic()), links(), Locale::En).unwrap();
        assert!(
            video.text.contains("you will receive a link"),
            "{}",
            video.text
        );
    }

    #[test]
    fn cancellation_gives_the_reason() {
        let mut payload = sample(EmailKind::BookingCancelled, "Ana Lima", "Dr. Sam Reid");
        let rendered = render(&payload, Some(&clinic()), links(), Locale::En).unwrap();
        assert!(rendered.text.contains("The practitioner is unwell"));
        if let EmailPayload::BookingCancelled(email) = &mut payload {
            email.reason = None;
        }
        let rendered = render(&payload, Some(&clinic()), links(), Locale::En).unwrap();
        assert!(!rendered.text.contains("Reason"), "{}", rendered.text);
    }

    #[test]
    fn plans_list_their_contents() {
        let payload = sample(EmailKind::ExercisePlan, "Ana Lima", "Dr. Sam Reid");
        let plan = render(&payload, Some(&clinic()), links(), Locale::En).unwrap();
        for expected in [
            "Quadriceps stretch",
            "Pull your heel towards you.",
            "3 sets of 2 repetitions; hold each for 30 seconds",
            "2 sets of 15 repetitions",
            "Stop if anything hurts",
        ] {
            assert!(plan.text.contains(expected), "{expected}: {}", plan.text);
            assert!(plan.html.contains(expected), "{expected}: {}", plan.html);
        }
        let payload = sample(EmailKind::CarePlan, "Ana Lima", "Dr. Sam Reid");
        let plan = render(&payload, Some(&clinic()), links(), Locale::En).unwrap();
        for expected in [
            "Rebuild strength",
            "Run 5 km by March",
            "2 visits a week for 6 weeks",
        ] {
            assert!(plan.text.contains(expected), "{expected}: {}", plan.text);
            assert!(plan.html.contains(expected), "{expected}: {}", plan.html);
        }
    }

    #[test]
    fn a_callback_without_a_clinic_speaks_for_the_team() {
        let payload = sample(EmailKind::CallbackReceived, "Ana Lima", "");
        let rendered = render(&payload, None, links(), Locale::En).unwrap();
        for body in [&rendered.text, &rendered.html] {
            assert!(body.contains("our clinic team"), "{body}");
            assert!(body.contains(UNSUBSCRIBE));
            assert!(body.contains("we never sell your email"));
        }
        assert!(rendered.text.contains("+14165550199 in the morning"));
    }

    #[test]
    fn a_consent_confirmation_needs_its_link() {
        let payload = sample(EmailKind::ConsentConfirmation, "Ana Lima", "");
        let without = Links {
            unsubscribe: UNSUBSCRIBE,
            confirm: None,
            manage: None,
        };
        assert!(render(&payload, None, without, Locale::En).is_err());
        let rendered = render(&payload, None, links(), Locale::En).unwrap();
        assert!(rendered.text.contains(CONFIRM));
    }

    #[test]
    fn reminder_leads_and_dosages_read_naturally() {
        assert_eq!(lead_time_text(Locale::En, 86_400).unwrap(), "24 hours");
        assert_eq!(lead_time_text(Locale::En, 172_800).unwrap(), "2 days");
        assert_eq!(lead_time_text(Locale::En, 3_600).unwrap(), "1 hour");
        assert_eq!(lead_time_text(Locale::En, 5_400).unwrap(), "90 minutes");
        assert_eq!(
            dosage_text(Locale::En, None, None, Some(20))
                .unwrap()
                .unwrap(),
            "hold each for 20 seconds"
        );
        assert_eq!(
            dosage_text(Locale::En, Some(1), None, None)
                .unwrap()
                .unwrap(),
            "1 set"
        );
        assert_eq!(dosage_text(Locale::En, None, None, None).unwrap(), None);
        assert_eq!(care_schedule(Locale::En, 0, 0).unwrap(), None);
    }

    #[test]
    fn a_french_booking_confirmation_reads_as_quebec_writes_it() {
        let mut payload = sample(EmailKind::BookingConfirmed, "Ana Lima", "Émilie Roy");
        booking_of(&mut payload).starts_at = time("2026-12-08T14:30:00-05:00");
        booking_of(&mut payload).ends_at = time("2026-12-08T15:15:00-05:00");
        let rendered = render(&payload, Some(&clinic()), links(), Locale::Fr).unwrap();
        assert_eq!(
            rendered.subject,
            "Votre consultation en physiothérapie avec Émilie Roy est confirmée\u{a0}: \
             mardi 8 décembre à 14\u{a0}h\u{a0}30"
        );
        let when = "le mardi 8 décembre 2026 à 14\u{a0}h\u{a0}30 (America/Toronto)";
        for body in [&rendered.text, &rendered.html] {
            assert!(body.contains(when), "{body}");
            assert!(body.contains("Bonjour Ana Lima,"), "{body}");
            assert!(
                body.contains(
                    "Bonne nouvelle\u{a0}: votre consultation en physiothérapie avec Émilie Roy \
                     est confirmée."
                ),
                "{body}"
            );
            assert!(body.contains("Émilie Roy (physiothérapie)"), "{body}");
            assert!(body.contains("45 minutes"), "{body}");
            assert!(body.contains("chez Harbourfront Physio"), "{body}");
            assert!(
                body.contains(
                    "24 heures avant\u{a0}: le lundi 30 novembre 2026 à 9\u{a0}h\u{a0}30 \
                     (America/Toronto)"
                ),
                "{body}"
            );
            assert!(
                body.contains("7 jours avant\u{a0}: aucun rappel, car ce moment était déjà passé"),
                "{body}"
            );
            assert!(body.contains("Cordialement,"), "{body}");
            assert!(body.contains("Téléphone\u{a0}: +1 416-555-0100"), "{body}");
        }
        assert!(rendered.text.contains("  Quand\u{a0}: le mardi 8 décembre"));
        assert!(rendered.html.contains("<html lang=\"fr\">"));

        booking_of(&mut payload).discipline = "chiropractic".into();
        let chiropractic = render(&payload, Some(&clinic()), links(), Locale::Fr).unwrap();
        assert!(
            chiropractic
                .subject
                .starts_with("Votre consultation en chiropratique avec Émilie Roy"),
            "{}",
            chiropractic.subject
        );
        assert!(chiropractic.text.contains("Émilie Roy (chiropratique)"));
    }

    #[test]
    fn french_modes_times_and_dates_read_naturally() {
        let mut payload = sample(EmailKind::AppointmentReminder, "Ana Lima", "Émilie Roy");
        booking_of(&mut payload).mode = "phone".into();
        let phone = render(&payload, Some(&clinic()), links(), Locale::Fr).unwrap();
        assert!(
            phone.text.contains(
                "Il s'agit d'une consultation par téléphone\u{a0}: Émilie Roy vous appellera au \
                 numéro de téléphone que vous nous avez donné à l'heure indiquée ci-dessus."
            ),
            "{}",
            phone.text
        );
        assert!(
            phone.text.contains("  Mode\u{a0}:  Par téléphone"),
            "{}",
            phone.text
        );
        assert!(
            phone.text.contains("dans environ 24 heures"),
            "{}",
            phone.text
        );
        assert_eq!(
            phone.subject,
            "Rappel\u{a0}: votre consultation en physiothérapie avec Émilie Roy le mardi \
             1er décembre à 9\u{a0}h\u{a0}30"
        );
        booking_of(&mut payload).mode = "video".into();
        let video = render(&payload, Some(&clinic()), links(), Locale::Fr).unwrap();
        assert!(
            video
                .html
                .contains("<strong>Par vidéo\u{a0}:</strong> vous recevrez")
        );

        let cancelled = sample(EmailKind::BookingCancelled, "Ana Lima", "Émilie Roy");
        let cancelled = render(&cancelled, Some(&clinic()), links(), Locale::Fr).unwrap();
        assert!(cancelled.html.contains(
            "prévue <strong>le mardi 1er décembre 2026 à 9\u{a0}h\u{a0}30 (America/Toronto)</strong> \
             a été annulée."
        ));
        assert!(
            cancelled
                .text
                .contains("Motif\u{a0}: The practitioner is unwell")
        );

        let consent = sample(EmailKind::ConsentConfirmation, "Ana Lima", "");
        let consent = render(&consent, None, links(), Locale::Fr).unwrap();
        assert!(
            consent.text.contains(
                "Il expire le mardi 8 décembre 2026 à 4\u{a0}h\u{a0}30 (America/Toronto)."
            ),
            "{}",
            consent.text
        );

        assert_eq!(
            local_time_text(Locale::Fr, time("2026-07-01T09:05:00-04:00"), "Not/AZone").unwrap(),
            "le mercredi 1er juillet 2026 à 9\u{a0}h\u{a0}05 (UTC-04:00)"
        );
        assert_eq!(
            duration_text(
                Locale::Fr,
                time("2026-12-01T09:30:00-05:00"),
                time("2026-12-01T10:45:00-05:00")
            )
            .unwrap()
            .as_deref(),
            Some("1 heure 15 minutes")
        );
        assert_eq!(
            preferred_time_text(Locale::Fr, "evening").unwrap(),
            "en soirée, comme vous l'avez demandé"
        );
        assert_eq!(
            preferred_time_text(Locale::Fr, "any").unwrap(),
            "dès que possible"
        );
    }

    #[test]
    fn french_counts_are_singular_for_zero_and_one() {
        let fr = Locale::Fr;
        let dosage = |sets, reps, hold| dosage_text(fr, sets, reps, hold).unwrap().unwrap();
        assert_eq!(dosage(Some(1), None, None), "1 série");
        assert_eq!(dosage(Some(3), None, None), "3 séries");
        assert_eq!(dosage(Some(0), None, None), "0 série");
        assert_eq!(dosage(None, Some(1), None), "1 répétition");
        assert_eq!(
            dosage(Some(3), Some(10), Some(30)),
            "3 séries de 10 répétitions, en maintenant la position 30 secondes"
        );
        assert_eq!(
            dosage(Some(1), Some(1), Some(1)),
            "1 série de 1 répétition, en maintenant la position 1 seconde"
        );
        assert_eq!(
            dosage(None, None, Some(20)),
            "maintenir la position 20 secondes"
        );
        assert_eq!(
            dosage_text(Locale::En, Some(0), None, None)
                .unwrap()
                .unwrap(),
            "0 sets",
            "English says zero in the plural"
        );
        assert_eq!(lead_time_text(fr, 3_600).unwrap(), "1 heure");
        assert_eq!(lead_time_text(fr, 86_400).unwrap(), "24 heures");
        assert_eq!(lead_time_text(fr, 172_800).unwrap(), "2 jours");
        assert_eq!(lead_time_text(fr, 60).unwrap(), "1 minute");
        assert_eq!(lead_time_text(fr, 5_400).unwrap(), "90 minutes");
        assert_eq!(
            care_schedule(fr, 1, 1).unwrap().unwrap(),
            "1 séance par semaine pendant 1 semaine"
        );
        assert_eq!(
            care_schedule(fr, 2, 6).unwrap().unwrap(),
            "2 séances par semaine pendant 6 semaines"
        );
        assert_eq!(
            care_schedule(fr, 3, 0).unwrap().unwrap(),
            "3 séances par semaine"
        );
        assert_eq!(
            care_schedule(fr, 0, 4).unwrap().unwrap(),
            "un suivi sur 4 semaines"
        );
        let care = sample(EmailKind::CarePlan, "Ana Lima", "Émilie Roy");
        let care = render(&care, Some(&clinic()), links(), Locale::Fr).unwrap();
        assert!(
            care.text
                .contains("Nous vous recommandons 2 séances par semaine pendant 6 semaines."),
            "{}",
            care.text
        );
    }

    /// Every kind in French, with all and with none of its optional parts and in each mode.
    fn french_emails() -> Vec<(String, Rendered)> {
        let mut emails = Vec::new();
        for kind in EmailKind::all().iter().copied() {
            let full = sample(kind, "Ana Lima", "Émilie Roy");
            let rendered = render(&full, Some(&clinic()), links(), Locale::Fr).unwrap();
            emails.push((format!("{kind} (all)"), rendered));
            let bare = without_optional_parts(kind);
            let rendered = render(&bare, None, links(), Locale::Fr).unwrap();
            emails.push((format!("{kind} (none)"), rendered));
        }
        for mode in ["phone", "video"] {
            let mut payload = sample(EmailKind::BookingConfirmed, "Ana Lima", "Émilie Roy");
            booking_of(&mut payload).mode = mode.into();
            let rendered = render(&payload, Some(&clinic()), links(), Locale::Fr).unwrap();
            emails.push((format!("booking_confirmed ({mode})"), rendered));
        }
        emails
    }

    #[test]
    fn no_french_email_has_an_english_leftover() {
        // Words of our own English texts; the sample payloads' free text (exercise names, the
        // cancellation reason) is the staff's, not ours, and contains none of them.
        const GIVE_AWAY: [&str; 16] = [
            "Hello",
            "Warm regards",
            "unsubscribe",
            "consultation is",
            "email",
            "Reminder",
            "Thank",
            "lease",
            "Phone",
            "your consultation",
            "had already passed",
            "our clinic team",
            " AM",
            " PM",
            "When",
            "How much",
        ];
        for (name, email) in french_emails() {
            for (part, content) in [
                ("subject", &email.subject),
                ("text", &email.text),
                ("html", &email.html),
            ] {
                // The links are ours too, but not words.
                let words = content
                    .replace(UNSUBSCRIBE, "")
                    .replace(CONFIRM, "")
                    .replace(MANAGE, "");
                for english in GIVE_AWAY {
                    assert!(
                        !words.contains(english),
                        "{name} {part} says {english:?}:\n{content}"
                    );
                }
            }
        }
    }

    #[test]
    fn french_emails_are_typeset_as_quebec_writes_them() {
        for (name, email) in french_emails() {
            for (part, content) in [("subject", &email.subject), ("text", &email.text)] {
                let words = content
                    .replace(UNSUBSCRIBE, "")
                    .replace(CONFIRM, "")
                    .replace(MANAGE, "");
                for (index, mark) in words.char_indices() {
                    if !matches!(mark, ':' | ';' | '?' | '!' | '»') {
                        continue;
                    }
                    let before = words[..index].chars().next_back();
                    assert_eq!(
                        before,
                        Some('\u{a0}'),
                        "{name} {part}: {mark:?} without a non-breaking space before it in \
                         {:?}",
                        &words[index.saturating_sub(40)..index + 1]
                    );
                }
                assert!(!words.contains('"'), "{name} {part}: French quotes are « »");
            }
        }
    }

    #[test]
    fn a_catalogue_call_fails_loudly_without_its_message_or_arguments() {
        let render = |source: &str| {
            ENVIRONMENT.render_str(source, minijinja::context! {locale => "fr", name => "Ana"})
        };
        assert_eq!(
            render(r#"{{ t("emails-greeting", name=name) }}"#).unwrap(),
            "Bonjour Ana,"
        );
        assert_eq!(
            render(r#"{{ t("emails-greeting", name="") }}"#).unwrap(),
            "Bonjour,"
        );
        assert!(render(r#"{{ t("no-such-message") }}"#).is_err());
        assert!(
            render(r#"{{ t("emails-greeting") }}"#).is_err(),
            "its argument is missing"
        );
        assert!(render(r#"{{ t("emails-greeting", name=[1]) }}"#).is_err());
        let no_locale =
            ENVIRONMENT.render_str(r#"{{ t("emails-signoff") }}"#, minijinja::context! {});
        assert!(no_locale.is_err());
    }
}
