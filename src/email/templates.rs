//! Email templates: a subject, a plain-text body and an HTML body per kind, written with minijinja and
//! embedded in the binary (`templates/`), so a deployment needs no template files.
//!
//! The templates only lay words out. Everything that needs a rule (local times in the clinic's zone,
//! reminder lead times, exercise dosages, the clinic's address lines) is prepared here in Rust and
//! handed to the templates as extra context next to the stored payload.

pub use super::payloads::ClinicInfo;
use super::payloads::{BookingDetails, EmailPayload, ReminderDecision};
use crate::domain::email_kind::EmailKind;
use crate::domain::plan::PlanExercise;
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
const SHARED_TEMPLATES: [(&str, &str); 8] = embedded!(
    "_layout.txt",
    "_layout.html",
    "_booking.txt",
    "_booking.html",
    "_mode.txt",
    "_mode.html",
    "_reminders.txt",
    "_reminders.html",
);

const KIND_TEMPLATES: [(&str, &str); 27] = kind_templates!(
    "callback_received",
    "booking_requested",
    "booking_confirmed",
    "booking_rescheduled",
    "booking_cancelled",
    "appointment_reminder",
    "exercise_plan",
    "care_plan",
    "consent_confirmation",
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
    for (name, source) in SHARED_TEMPLATES.iter().chain(KIND_TEMPLATES.iter()) {
        if let Err(err) = env.add_template(name, source) {
            panic!("embedded email template {name} does not compile: {err:#}");
        }
    }
    env
});

/// Renders an email from its payload.
///
/// `clinic`: the clinic the email is from. `None` (a callback still in the network queue) makes the
/// email speak for "our clinic team" and leave the address out; a booking email's own clinic is
/// used instead of nothing.
pub fn render(
    payload: &EmailPayload,
    clinic: Option<&ClinicInfo>,
    links: Links<'_>,
) -> anyhow::Result<Rendered> {
    let kind = payload.kind();
    let context = context(payload, clinic, links)?;
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

fn render_one(kind: EmailKind, file: &str, context: &Value) -> anyhow::Result<String> {
    let name = format!("{}/{file}", kind.as_str());
    ENVIRONMENT
        .get_template(&name)
        .and_then(|template| template.render(context))
        .with_context(|| format!("rendering email template {name}"))
}

/// A subject is a single header line: newlines and runs of spaces from the template collapse.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The payload's fields, plus what the templates need prepared from them. Prepared names never
/// clash with payload fields except `clinic` (the caller's clinic wins) and `exercises` (the same
/// list, each item with its `dosage` added).
fn context(
    payload: &EmailPayload,
    clinic: Option<&ClinicInfo>,
    links: Links<'_>,
) -> anyhow::Result<Value> {
    let mut context = match payload.to_json()? {
        Json::Object(fields) => fields,
        other => anyhow::bail!("an email payload is not an object: {other}"),
    };
    let clinic = clinic.or_else(|| payload.booking().map(|booking| &booking.clinic));
    context.extend(clinic_fields(clinic));
    let recipient = payload.recipient_name().trim();
    context.insert(
        "recipient_name".into(),
        json!((!recipient.is_empty()).then_some(recipient)),
    );
    context.insert("why".into(), json!(why(payload.kind())));
    context.insert("unsubscribe_url".into(), json!(links.unsubscribe));
    if let Some(booking) = payload.booking() {
        context.extend(booking_fields(booking));
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
                json!(preferred_time_text(&email.preferred_time)),
            );
        }
        EmailPayload::BookingConfirmed(email) => {
            context.insert(
                "reminder_notes".into(),
                reminder_notes(&email.reminders, zone),
            );
        }
        EmailPayload::BookingRescheduled(email) => {
            context.insert(
                "reminder_notes".into(),
                reminder_notes(&email.reminders, zone),
            );
            context.insert(
                "previous_starts_at_text".into(),
                json!(local_time_text(email.previous_starts_at, zone)),
            );
        }
        EmailPayload::AppointmentReminder(email) => {
            context.insert(
                "reminder_lead".into(),
                json!(lead_time_text(email.offset_seconds)),
            );
        }
        EmailPayload::ExercisePlan(plan) => {
            let exercises: Vec<Json> = plan.exercises.iter().map(with_dosage).collect();
            context.insert("exercises".into(), json!(exercises));
        }
        EmailPayload::CarePlan(plan) => {
            context.insert(
                "care_schedule".into(),
                json!(care_schedule(plan.visits_per_week, plan.weeks)),
            );
        }
        EmailPayload::ConsentConfirmation(email) => {
            context.insert(
                "expires_at_text".into(),
                json!(local_time_text(
                    email.expires_at,
                    email.time_zone.as_deref().unwrap_or_default()
                )),
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

fn clinic_fields(clinic: Option<&ClinicInfo>) -> Map<String, Json> {
    let lines = clinic.map(address_lines).unwrap_or_default();
    let mut fields = Map::new();
    fields.insert("clinic".into(), json!(clinic));
    fields.insert(
        "clinic_name".into(),
        json!(clinic.map_or("our clinic team", |clinic| clinic.name.as_str())),
    );
    fields.insert("clinic_address".into(), json!(lines.join(", ")));
    fields.insert("clinic_address_lines".into(), json!(lines));
    fields
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
fn booking_fields(booking: &BookingDetails) -> Map<String, Json> {
    let zone = booking.time_zone.as_str();
    let mut prepared = Map::new();
    prepared.insert(
        "consultation".into(),
        json!(consultation(&booking.discipline)),
    );
    prepared.insert(
        "starts_at_text".into(),
        json!(local_time_text(booking.starts_at, zone)),
    );
    prepared.insert(
        "starts_at_short".into(),
        json!(local_time_short(booking.starts_at, zone)),
    );
    prepared.insert(
        "duration_text".into(),
        json!(duration_text(booking.starts_at, booking.ends_at)),
    );
    prepared
}

/// "physiotherapy consultation", or just "consultation" when the discipline is not known.
fn consultation(discipline: &str) -> String {
    match discipline.trim() {
        "" => "consultation".to_owned(),
        discipline => format!("{discipline} consultation"),
    }
}

/// One note per reminder decided at confirmation: when it will come, or why it will not.
fn reminder_notes(reminders: &[ReminderDecision], zone: &str) -> Json {
    let notes: Vec<Json> = reminders
        .iter()
        .map(|reminder| {
            json!({
                "lead": lead_time_text(reminder.offset_seconds),
                "at_text": reminder.at.map(|at| local_time_text(at, zone)),
                "skipped": reminder.skipped.as_deref().filter(|why| !why.is_empty()),
            })
        })
        .collect();
    json!(notes)
}

fn with_dosage(exercise: &PlanExercise) -> Json {
    let count = |value: Option<i32>| value.and_then(|value| u64::try_from(value).ok());
    let dosage = dosage_text(
        count(exercise.sets),
        count(exercise.reps),
        count(exercise.hold_seconds),
    );
    json!({
        "name": exercise.name,
        "instructions": exercise.instructions,
        "dosage": dosage,
    })
}

/// "3 sets of 10 repetitions; hold each for 30 seconds", from whichever parts are given.
fn dosage_text(sets: Option<u64>, reps: Option<u64>, hold_seconds: Option<u64>) -> Option<String> {
    let volume = match (sets, reps) {
        (Some(sets), Some(reps)) => Some(format!(
            "{} of {}",
            plural(sets, "set"),
            plural(reps, "repetition")
        )),
        (Some(sets), None) => Some(plural(sets, "set")),
        (None, Some(reps)) => Some(plural(reps, "repetition")),
        (None, None) => None,
    };
    let hold = hold_seconds
        .filter(|seconds| *seconds > 0)
        .map(|seconds| format!("hold each for {}", plural(seconds, "second")));
    let parts: Vec<String> = volume.into_iter().chain(hold).collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// "2 visits a week for 6 weeks".
fn care_schedule(visits_per_week: i32, weeks: i32) -> Option<String> {
    let count = |value: i32| u64::try_from(value).ok().filter(|value| *value > 0);
    match (count(visits_per_week), count(weeks)) {
        (Some(visits), Some(weeks)) => Some(format!(
            "{} a week for {}",
            plural(visits, "visit"),
            plural(weeks, "week")
        )),
        (Some(visits), None) => Some(format!("{} a week", plural(visits, "visit"))),
        (None, Some(weeks)) => Some(format!("over {}", plural(weeks, "week"))),
        (None, None) => None,
    }
}

fn plural(count: u64, word: &str) -> String {
    if count == 1 {
        format!("1 {word}")
    } else {
        format!("{count} {word}s")
    }
}

/// "24 hours", "2 days", "30 minutes": how long before the appointment a reminder comes.
fn lead_time_text(seconds: u64) -> String {
    const MINUTE: u64 = 60;
    const HOUR: u64 = 60 * MINUTE;
    const DAY: u64 = 24 * HOUR;
    // A day is "24 hours" (what people say about a reminder); whole multiples beyond it are days.
    if seconds >= 2 * DAY && seconds.is_multiple_of(DAY) {
        plural(seconds / DAY, "day")
    } else if seconds >= HOUR && seconds.is_multiple_of(HOUR) {
        plural(seconds / HOUR, "hour")
    } else {
        plural((seconds / MINUTE).max(1), "minute")
    }
}

fn preferred_time_text(preferred: &str) -> &'static str {
    match preferred {
        "morning" => "in the morning, as you asked",
        "afternoon" => "in the afternoon, as you asked",
        "evening" => "in the evening, as you asked",
        _ => "as soon as we can",
    }
}

/// Why the person gets this email, said in its footer next to the way out.
fn why(kind: EmailKind) -> &'static str {
    match kind {
        EmailKind::CallbackReceived => {
            "You are receiving this email because you asked us to call you back."
        }
        EmailKind::BookingRequested
        | EmailKind::BookingConfirmed
        | EmailKind::BookingRescheduled
        | EmailKind::BookingCancelled => {
            "You are receiving this email because you booked a consultation with us."
        }
        EmailKind::AppointmentReminder => {
            "You are receiving this email because you chose to receive appointment reminders."
        }
        EmailKind::ExercisePlan => {
            "You are receiving this email because you chose to receive exercise plans by email."
        }
        EmailKind::CarePlan => {
            "You are receiving this email because you chose to receive plans of care by email."
        }
        EmailKind::ConsentConfirmation => {
            "You are receiving this email because this address was entered on one of our forms."
        }
    }
}

/// Escapes what could start markup or end a quoted attribute.
fn escape_html(raw: &str) -> String {
    let mut escaped = String::with_capacity(raw.len());
    for ch in raw.chars() {
        match ch {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(ch),
        }
    }
    escaped
}

/// "Tuesday, December 1, 2026 at 9:30 AM (America/Toronto)": a time as people in the clinic's
/// zone read it. An unknown zone keeps the time's own offset and names it ("UTC-05:00").
pub fn local_time_text(time: DateTime<FixedOffset>, time_zone: &str) -> String {
    let (local, zone) = in_zone(time, time_zone);
    format!("{} ({zone})", local.format("%A, %B %-d, %Y at %-I:%M %p"))
}

/// "Tuesday, December 1 at 9:30 AM": short enough for a subject line.
fn local_time_short(time: DateTime<FixedOffset>, time_zone: &str) -> String {
    let (local, _) = in_zone(time, time_zone);
    local.format("%A, %B %-d at %-I:%M %p").to_string()
}

/// "30 minutes", "1 hour 15 minutes": how long the appointment lasts.
fn duration_text(
    starts_at: DateTime<FixedOffset>,
    ends_at: DateTime<FixedOffset>,
) -> Option<String> {
    let minutes = (ends_at - starts_at).num_minutes();
    let minutes = u64::try_from(minutes).ok().filter(|minutes| *minutes > 0)?;
    Some(match (minutes / 60, minutes % 60) {
        (0, minutes) => plural(minutes, "minute"),
        (hours, 0) => plural(hours, "hour"),
        (hours, minutes) => format!("{} {}", plural(hours, "hour"), plural(minutes, "minute")),
    })
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
        AppointmentReminder, BookingCancelled, BookingConfirmed, BookingRescheduled,
        CallbackReceived, CarePlan, ConsentConfirmation, ExercisePlan,
    };

    pub(crate) const UNSUBSCRIBE: &str = "https://clinic.example/v1/unsubscribe/tok-123_abc";
    const CONFIRM: &str = "https://clinic.example/consent/confirm/tok";

    pub(crate) fn links() -> Links<'static> {
        Links {
            unsubscribe: UNSUBSCRIBE,
            confirm: Some(CONFIRM),
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
        }
    }

    fn booking_of(payload: &mut EmailPayload) -> &mut BookingDetails {
        match payload {
            EmailPayload::BookingRequested(booking) => booking,
            EmailPayload::BookingConfirmed(email) => &mut email.booking,
            EmailPayload::BookingRescheduled(email) => &mut email.booking,
            EmailPayload::BookingCancelled(email) => &mut email.booking,
            EmailPayload::AppointmentReminder(email) => &mut email.booking,
            other => panic!("{:?} is not a booking email", other.kind()),
        }
    }

    #[test]
    fn every_kind_renders_with_the_clinic_and_the_way_out() {
        for kind in EmailKind::all().iter().copied() {
            let payload = sample(kind, "Ana Lima", "Dr. Sam Reid");
            let rendered = render(&payload, Some(&clinic()), links())
                .unwrap_or_else(|err| panic!("{kind}: {err:#}"));
            assert!(!rendered.subject.is_empty(), "{kind}");
            assert!(!rendered.subject.contains('\n'), "{kind}");
            for (format, body) in [("text", &rendered.text), ("html", &rendered.html)] {
                let at = format!("{kind} {format}");
                assert!(body.contains("Harbourfront Physio"), "{at}: clinic name");
                assert!(body.contains("200 Queens Quay W, Suite 4"), "{at}: address");
                assert!(body.contains("Toronto, ON M5J 2Y5"), "{at}: city");
                assert!(body.contains(UNSUBSCRIBE), "{at}: unsubscribe link");
                assert!(body.contains("You can unsubscribe at any time"), "{at}");
                assert!(body.contains("we never sell your email"), "{at}");
                assert!(body.contains("Ana Lima"), "{at}: greeting");
                assert!(
                    body.contains("Dr. Sam Reid")
                        || kind == EmailKind::CallbackReceived
                        || kind == EmailKind::ConsentConfirmation
                );
                assert!(!body.contains("none"), "{at}: a null printed as text");
            }
            assert!(rendered.html.starts_with("<!DOCTYPE html>"));
            assert!(rendered.html.contains("<html lang=\"en\">"));
        }
    }

    #[test]
    fn every_kind_renders_without_its_optional_parts() {
        for kind in EmailKind::all().iter().copied() {
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
            let rendered =
                render(&payload, None, links()).unwrap_or_else(|err| panic!("{kind}: {err:#}"));
            assert!(rendered.text.contains(UNSUBSCRIBE), "{kind}");
            assert!(
                rendered.text.contains("Hello,"),
                "{kind}: {}",
                rendered.text
            );
            assert!(!rendered.text.contains("none"), "{kind}: {}", rendered.text);
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
        for kind in EmailKind::all().iter().copied() {
            let payload = sample(kind, "<script>alert(1)</script>", "Dr. O'Hara & Co");
            let rendered = render(&payload, Some(&clinic()), links()).unwrap();
            assert!(rendered.text.contains("<script>alert(1)</script>"));
            assert!(!rendered.html.contains("<script>"), "{kind}");
            assert!(rendered.html.contains("&lt;script&gt;"), "{kind}");
            assert!(!rendered.subject.contains("&amp;"), "{kind}");
        }
    }

    #[test]
    fn booking_times_are_local_to_the_clinic() {
        assert_eq!(
            local_time_text(time("2026-12-01T14:30:00Z"), "America/Toronto"),
            "Tuesday, December 1, 2026 at 9:30 AM (America/Toronto)"
        );
        assert_eq!(
            local_time_text(time("2026-07-01T09:05:00-04:00"), "Not/AZone"),
            "Wednesday, July 1, 2026 at 9:05 AM (UTC-04:00)"
        );
    }

    #[test]
    fn confirmation_names_the_time_the_mode_and_the_reminders() {
        let payload = sample(EmailKind::BookingConfirmed, "Ana Lima", "Dr. Sam Reid");
        let rendered = render(&payload, Some(&clinic()), links()).unwrap();
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
        let phone = render(&payload, Some(&clinic()), links()).unwrap();
        assert!(
            phone.text.contains("call you at +14165550199"),
            "{}",
            phone.text
        );
        booking_of(&mut payload).mode = "video".into();
        let video = render(&payload, Some(&clinic()), links()).unwrap();
        assert!(
            video.text.contains("you will receive a link"),
            "{}",
            video.text
        );
    }

    #[test]
    fn cancellation_gives_the_reason() {
        let mut payload = sample(EmailKind::BookingCancelled, "Ana Lima", "Dr. Sam Reid");
        let rendered = render(&payload, Some(&clinic()), links()).unwrap();
        assert!(rendered.text.contains("The practitioner is unwell"));
        if let EmailPayload::BookingCancelled(email) = &mut payload {
            email.reason = None;
        }
        let rendered = render(&payload, Some(&clinic()), links()).unwrap();
        assert!(!rendered.text.contains("Reason"), "{}", rendered.text);
    }

    #[test]
    fn plans_list_their_contents() {
        let payload = sample(EmailKind::ExercisePlan, "Ana Lima", "Dr. Sam Reid");
        let plan = render(&payload, Some(&clinic()), links()).unwrap();
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
        let plan = render(&payload, Some(&clinic()), links()).unwrap();
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
        let rendered = render(&payload, None, links()).unwrap();
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
        };
        assert!(render(&payload, None, without).is_err());
        let rendered = render(&payload, None, links()).unwrap();
        assert!(rendered.text.contains(CONFIRM));
    }

    #[test]
    fn reminder_leads_and_dosages_read_naturally() {
        assert_eq!(lead_time_text(86_400), "24 hours");
        assert_eq!(lead_time_text(172_800), "2 days");
        assert_eq!(lead_time_text(3_600), "1 hour");
        assert_eq!(lead_time_text(5_400), "90 minutes");
        assert_eq!(
            dosage_text(None, None, Some(20)).unwrap(),
            "hold each for 20 seconds"
        );
        assert_eq!(dosage_text(Some(1), None, None).unwrap(), "1 set");
        assert_eq!(dosage_text(None, None, None), None);
        assert_eq!(care_schedule(0, 0), None);
    }
}
