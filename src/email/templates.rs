//! Email templates: a subject, a plain-text body and an HTML body per kind, written with minijinja and
//! embedded in the binary (`templates/`), so a deployment needs no template files.
//!
//! The templates only lay words out. Everything that needs a rule (local times in the clinic's zone,
//! reminder lead times, exercise dosages, the clinic's address lines) is prepared here in Rust and
//! handed to the templates as extra context next to the stored payload.

use super::outbox::EmailKind;
use anyhow::Context as _;
use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;
use minijinja::{
    AutoEscape, Environment, Error as TemplateError, Output, State, UndefinedBehavior, Value,
    escape_formatter,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json, json};
use std::collections::BTreeMap;
use std::sync::LazyLock;

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
    // Payloads are captured when an email is queued and may predate a field a template reads
    // today; a missing field must leave a gap in the text, never a stuck email.
    env.set_undefined_behavior(UndefinedBehavior::Chainable);
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

/// Renders the email of `kind` from its stored payload.
///
/// `clinic`: the clinic the email is from. `None` (a callback still in the network queue) makes the
/// email speak for "our clinic team" and leave the address out; the payload's own `clinic`, when
/// it has one, is used instead of nothing.
pub fn render(
    kind: EmailKind,
    payload: &Json,
    clinic: Option<&ClinicInfo>,
    unsubscribe_url: &str,
) -> anyhow::Result<Rendered> {
    let context = context(kind, payload, clinic, unsubscribe_url);
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

/// The payload's fields, plus what the templates need prepared. Prepared names never clash with
/// payload fields except `clinic` (the caller's clinic wins) and `exercises` (the same list, each
/// item with its `dosage` added).
fn context(
    kind: EmailKind,
    payload: &Json,
    clinic: Option<&ClinicInfo>,
    unsubscribe_url: &str,
) -> Value {
    let fields = payload.as_object().cloned().unwrap_or_default();
    let clinic = clinic.cloned().or_else(|| payload_clinic(&fields));
    let mut context: BTreeMap<String, Value> = fields
        .iter()
        .map(|(key, value)| (key.clone(), Value::from_serialize(value)))
        .collect();
    let mut prepared = clinic_fields(clinic.as_ref());
    prepared.extend(time_fields(&fields));
    prepared.extend(plan_fields(&fields));
    prepared.insert("recipient_name".into(), recipient_name(&fields));
    prepared.insert("consultation".into(), json!(consultation(&fields)));
    prepared.insert("has_invite".into(), json!(text(&fields, "ics").is_some()));
    prepared.insert(
        "preferred_time_text".into(),
        json!(preferred_time_text(text(&fields, "preferred_time"))),
    );
    prepared.insert("why".into(), json!(why(kind)));
    prepared.insert("unsubscribe_url".into(), json!(unsubscribe_url));
    context.extend(
        prepared
            .into_iter()
            .map(|(key, value)| (key, Value::from_serialize(value))),
    );
    Value::from_iter(context)
}

/// A non-empty, trimmed string field.
fn text<'a>(fields: &'a Map<String, Json>, key: &str) -> Option<&'a str> {
    fields
        .get(key)
        .and_then(Json::as_str)
        .map(str::trim)
        .filter(|value| !value.is_empty())
}

fn payload_clinic(fields: &Map<String, Json>) -> Option<ClinicInfo> {
    let clinic: ClinicInfo = serde_json::from_value(fields.get("clinic")?.clone()).ok()?;
    (!clinic.name.trim().is_empty()).then_some(clinic)
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

fn recipient_name(fields: &Map<String, Json>) -> Json {
    json!(text(fields, "patient_name").or_else(|| text(fields, "name")))
}

/// "physiotherapy consultation", or just "consultation" when the discipline is not known.
fn consultation(fields: &Map<String, Json>) -> String {
    match text(fields, "discipline") {
        Some(discipline) => format!("{discipline} consultation"),
        None => "consultation".to_owned(),
    }
}

/// Booking times as people in the clinic's zone read them, and the reminders the confirmation
/// promises.
fn time_fields(fields: &Map<String, Json>) -> Map<String, Json> {
    let zone = text(fields, "time_zone").unwrap_or("");
    let at = |key: &str, format: fn(&str, &str) -> Option<String>| {
        json!(text(fields, key).and_then(|time| format(time, zone)))
    };
    let mut prepared = Map::new();
    prepared.insert("starts_at_text".into(), at("starts_at", local_time_text));
    prepared.insert("starts_at_short".into(), at("starts_at", local_time_short));
    prepared.insert("expires_at_text".into(), at("expires_at", local_time_text));
    prepared.insert("duration_text".into(), json!(duration_text(fields)));
    prepared.insert(
        "previous_starts_at_text".into(),
        at("previous_starts_at", local_time_text),
    );
    let lead = fields.get("offset_seconds").and_then(Json::as_u64);
    prepared.insert("reminder_lead".into(), json!(lead.map(lead_time_text)));
    prepared.insert("reminder_notes".into(), reminder_notes(fields, zone));
    prepared
}

/// One note per reminder decided at confirmation: when it will come, or why it will not.
fn reminder_notes(fields: &Map<String, Json>, zone: &str) -> Json {
    let reminders = fields.get("reminders").and_then(Json::as_array);
    let notes: Vec<Json> = reminders
        .into_iter()
        .flatten()
        .map(|reminder| {
            let lead = reminder["offset_seconds"].as_u64().map(lead_time_text);
            let at = reminder["at"]
                .as_str()
                .and_then(|time| local_time_text(time, zone));
            let skipped = reminder["skipped"].as_str().filter(|why| !why.is_empty());
            json!({"lead": lead, "at_text": at, "skipped": skipped})
        })
        .collect();
    json!(notes)
}

/// Exercise dosages and the care plan's visit schedule, written out.
fn plan_fields(fields: &Map<String, Json>) -> Map<String, Json> {
    let mut prepared = Map::new();
    if let Some(exercises) = fields.get("exercises").and_then(Json::as_array) {
        let exercises: Vec<Json> = exercises.iter().map(with_dosage).collect();
        prepared.insert("exercises".into(), json!(exercises));
    }
    let visits = fields.get("visits_per_week").and_then(Json::as_u64);
    let weeks = fields.get("weeks").and_then(Json::as_u64);
    prepared.insert("care_schedule".into(), json!(care_schedule(visits, weeks)));
    prepared
}

fn with_dosage(exercise: &Json) -> Json {
    let mut exercise = exercise.clone();
    let number = |key: &str| exercise.get(key).and_then(Json::as_u64);
    let dosage = dosage_text(number("sets"), number("reps"), number("hold_seconds"));
    if let Some(fields) = exercise.as_object_mut() {
        fields.insert("dosage".into(), json!(dosage));
    }
    exercise
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
fn care_schedule(visits_per_week: Option<u64>, weeks: Option<u64>) -> Option<String> {
    match (visits_per_week, weeks) {
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

fn preferred_time_text(preferred: Option<&str>) -> &'static str {
    match preferred {
        Some("morning") => "in the morning, as you asked",
        Some("afternoon") => "in the afternoon, as you asked",
        Some("evening") => "in the evening, as you asked",
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

/// "Tuesday, December 1, 2026 at 9:30 AM (America/Toronto)": an RFC 3339 time as people in the
/// clinic's zone read it. An unknown zone keeps the time's own offset and names it ("UTC-05:00").
pub fn local_time_text(rfc3339: &str, time_zone: &str) -> Option<String> {
    let (local, zone) = in_zone(rfc3339, time_zone)?;
    Some(format!(
        "{} ({zone})",
        local.format("%A, %B %-d, %Y at %-I:%M %p")
    ))
}

/// "Tuesday, December 1 at 9:30 AM": short enough for a subject line.
fn local_time_short(rfc3339: &str, time_zone: &str) -> Option<String> {
    let (local, _) = in_zone(rfc3339, time_zone)?;
    Some(local.format("%A, %B %-d at %-I:%M %p").to_string())
}

/// "30 minutes", "1 hour 15 minutes": how long the appointment lasts.
fn duration_text(fields: &Map<String, Json>) -> Option<String> {
    let parse = |key: &str| DateTime::parse_from_rfc3339(text(fields, key)?).ok();
    let minutes = (parse("ends_at")? - parse("starts_at")?).num_minutes();
    let minutes = u64::try_from(minutes).ok().filter(|minutes| *minutes > 0)?;
    Some(match (minutes / 60, minutes % 60) {
        (0, minutes) => plural(minutes, "minute"),
        (hours, 0) => plural(hours, "hour"),
        (hours, minutes) => format!("{} {}", plural(hours, "hour"), plural(minutes, "minute")),
    })
}

fn in_zone(rfc3339: &str, time_zone: &str) -> Option<(DateTime<FixedOffset>, String)> {
    let time = DateTime::parse_from_rfc3339(rfc3339.trim()).ok()?;
    match time_zone.trim().parse::<Tz>() {
        Ok(zone) => Some((
            time.with_timezone(&zone).fixed_offset(),
            zone.name().to_owned(),
        )),
        Err(_) => Some((time, format!("UTC{}", time.format("%:z")))),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) const ALL_KINDS: [EmailKind; 9] = [
        EmailKind::CallbackReceived,
        EmailKind::BookingRequested,
        EmailKind::BookingConfirmed,
        EmailKind::BookingRescheduled,
        EmailKind::BookingCancelled,
        EmailKind::AppointmentReminder,
        EmailKind::ExercisePlan,
        EmailKind::CarePlan,
        EmailKind::ConsentConfirmation,
    ];

    pub(crate) const UNSUBSCRIBE: &str = "https://clinic.example/v1/unsubscribe/tok-123_abc";

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

    fn booking(patient_name: &str, practitioner_name: &str, mode: &str) -> Json {
        json!({
            "booking_id": "0192d6a4-4d7e-7c1a-9a8e-1b2c3d4e5f60",
            "patient_name": patient_name,
            "practitioner_name": practitioner_name,
            "discipline": "physiotherapy",
            "mode": mode,
            "starts_at": "2026-12-01T09:30:00-05:00",
            "ends_at": "2026-12-01T10:00:00-05:00",
            "time_zone": "America/Toronto",
            "clinic": {
                "name": "Harbourfront Physio", "address": "200 Queens Quay W, Suite 4",
                "city": "Toronto", "province": "ON", "postal_code": "M5J 2Y5",
                "phone": "+1 416-555-0100",
            },
        })
    }

    /// A payload like the one the code that queues `kind` stores.
    pub(crate) fn sample_payload(
        kind: EmailKind,
        patient_name: &str,
        practitioner_name: &str,
    ) -> Json {
        let mut payload = booking(patient_name, practitioner_name, "in_person");
        match kind {
            EmailKind::CallbackReceived => {
                return json!({"name": patient_name, "preferred_time": "morning",
                              "phone": "+14165550199"});
            }
            EmailKind::BookingRequested => {}
            EmailKind::BookingConfirmed => {
                payload["ics"] = json!("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n");
                payload["reminders"] = json!([
                    {"offset_seconds": 86400, "at": "2026-11-30T09:30:00-05:00", "skipped": null},
                    {"offset_seconds": 604800, "at": null,
                     "skipped": "its time had already passed"},
                ]);
            }
            EmailKind::BookingRescheduled => {
                payload["previous_starts_at"] = json!("2026-11-28T14:00:00-05:00");
                payload["ics"] = json!("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n");
                payload["reminders"] = json!([
                    {"offset_seconds": 86400, "at": "2026-11-30T09:30:00-05:00", "skipped": null},
                ]);
            }
            EmailKind::BookingCancelled => {
                payload["reason"] = json!("The practitioner is unwell");
                payload["ics"] = json!("BEGIN:VCALENDAR\r\nMETHOD:CANCEL\r\nEND:VCALENDAR\r\n");
            }
            EmailKind::AppointmentReminder => payload["offset_seconds"] = json!(86400),
            EmailKind::ExercisePlan => {
                return json!({
                    "patient_name": patient_name,
                    "title": "Knee mobility, week 1",
                    "note": "Stop if anything hurts more than a 3 out of 10.",
                    "exercises": [
                        {"name": "Quadriceps stretch",
                         "instructions": ["Stand holding a chair.", "Pull your heel towards you."],
                         "sets": 3, "reps": 2, "hold_seconds": 30},
                        {"name": "Calf raises",
                         "instructions": ["Rise onto your toes.", "Lower slowly."],
                         "sets": 2, "reps": 15, "hold_seconds": null},
                    ],
                    "staff_name": practitioner_name,
                });
            }
            EmailKind::ConsentConfirmation => {
                return json!({
                    "name": patient_name,
                    "confirmation_id": "0192d6a4-4d7e-7c1a-9a8e-1b2c3d4e5f61",
                    "senders": format!("Harbourfront Physio and {practitioner_name}"),
                    "expires_at": "2026-12-08T09:30:00Z",
                    "time_zone": "America/Toronto",
                    "confirm_url": "https://clinic.example/consent/confirm/tok",
                });
            }
            EmailKind::CarePlan => {
                return json!({
                    "patient_name": patient_name,
                    "title": "Return to running",
                    "summary": "Rebuild strength in the left knee before running again.",
                    "goals": ["Walk stairs without pain", "Run 5 km by March"],
                    "visits_per_week": 2,
                    "weeks": 6,
                    "staff_name": practitioner_name,
                });
            }
        }
        payload
    }

    #[test]
    fn every_kind_renders_with_the_clinic_and_the_way_out() {
        for kind in ALL_KINDS {
            let payload = sample_payload(kind, "Ana Lima", "Dr. Sam Reid");
            let rendered = render(kind, &payload, Some(&clinic()), UNSUBSCRIBE)
                .unwrap_or_else(|err| panic!("{}: {err:#}", kind.as_str()));
            assert!(!rendered.subject.is_empty(), "{}", kind.as_str());
            assert!(!rendered.subject.contains('\n'), "{}", kind.as_str());
            for (format, body) in [("text", &rendered.text), ("html", &rendered.html)] {
                let at = format!("{} {format}", kind.as_str());
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
    fn html_is_escaped_and_text_is_verbatim() {
        for kind in ALL_KINDS {
            let payload = sample_payload(kind, "<script>alert(1)</script>", "Dr. O'Hara & Co");
            let rendered = render(kind, &payload, Some(&clinic()), UNSUBSCRIBE).unwrap();
            assert!(rendered.text.contains("<script>alert(1)</script>"));
            assert!(!rendered.html.contains("<script>"), "{}", kind.as_str());
            assert!(
                rendered.html.contains("&lt;script&gt;"),
                "{}",
                kind.as_str()
            );
            assert!(!rendered.subject.contains("&amp;"), "{}", kind.as_str());
        }
    }

    #[test]
    fn booking_times_are_local_to_the_clinic() {
        assert_eq!(
            local_time_text("2026-12-01T14:30:00Z", "America/Toronto").as_deref(),
            Some("Tuesday, December 1, 2026 at 9:30 AM (America/Toronto)")
        );
        assert_eq!(
            local_time_text("2026-07-01T09:05:00-04:00", "Not/AZone").as_deref(),
            Some("Wednesday, July 1, 2026 at 9:05 AM (UTC-04:00)")
        );
        assert_eq!(local_time_text("yesterday", "America/Toronto"), None);
    }

    #[test]
    fn confirmation_names_the_time_the_mode_and_the_reminders() {
        let kind = EmailKind::BookingConfirmed;
        let payload = sample_payload(kind, "Ana Lima", "Dr. Sam Reid");
        let rendered = render(kind, &payload, Some(&clinic()), UNSUBSCRIBE).unwrap();
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
        let kind = EmailKind::AppointmentReminder;
        let mut payload = sample_payload(kind, "Ana Lima", "Dr. Sam Reid");
        payload["mode"] = json!("phone");
        payload["phone"] = json!("+14165550199");
        let phone = render(kind, &payload, Some(&clinic()), UNSUBSCRIBE).unwrap();
        assert!(
            phone.text.contains("call you at +14165550199"),
            "{}",
            phone.text
        );
        payload["mode"] = json!("video");
        let video = render(kind, &payload, Some(&clinic()), UNSUBSCRIBE).unwrap();
        assert!(
            video.text.contains("you will receive a link"),
            "{}",
            video.text
        );
    }

    #[test]
    fn cancellation_gives_the_reason() {
        let kind = EmailKind::BookingCancelled;
        let mut payload = sample_payload(kind, "Ana Lima", "Dr. Sam Reid");
        let rendered = render(kind, &payload, Some(&clinic()), UNSUBSCRIBE).unwrap();
        assert!(rendered.text.contains("The practitioner is unwell"));
        payload["reason"] = Json::Null;
        let rendered = render(kind, &payload, Some(&clinic()), UNSUBSCRIBE).unwrap();
        assert!(!rendered.text.contains("Reason"), "{}", rendered.text);
    }

    #[test]
    fn plans_list_their_contents() {
        let kind = EmailKind::ExercisePlan;
        let payload = sample_payload(kind, "Ana Lima", "Dr. Sam Reid");
        let plan = render(kind, &payload, Some(&clinic()), UNSUBSCRIBE).unwrap();
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
        let kind = EmailKind::CarePlan;
        let payload = sample_payload(kind, "Ana Lima", "Dr. Sam Reid");
        let plan = render(kind, &payload, Some(&clinic()), UNSUBSCRIBE).unwrap();
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
        let kind = EmailKind::CallbackReceived;
        let payload = sample_payload(kind, "Ana Lima", "");
        let rendered = render(kind, &payload, None, UNSUBSCRIBE).unwrap();
        for body in [&rendered.text, &rendered.html] {
            assert!(body.contains("our clinic team"), "{body}");
            assert!(body.contains(UNSUBSCRIBE));
            assert!(body.contains("we never sell your email"));
        }
        assert!(rendered.text.contains("+14165550199 in the morning"));
    }

    #[test]
    fn missing_fields_leave_gaps_not_errors() {
        for kind in ALL_KINDS {
            let rendered = render(kind, &json!({}), None, UNSUBSCRIBE)
                .unwrap_or_else(|err| panic!("{}: {err:#}", kind.as_str()));
            assert!(rendered.text.contains(UNSUBSCRIBE));
            assert!(!rendered.text.contains("none"), "{}", rendered.text);
        }
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
    }
}
