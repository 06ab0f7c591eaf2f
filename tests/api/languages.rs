//! English and French, as a patient and a website meet them: a booking at a Montréal clinic made in
//! French is written in French from the request to the reminder (subject, body, invite,
//! `Content-Language`), the same flow in English is English, a clinic's `default_locale` speaks for
//! a form that names no language, and public problems answer in the language the browser asks for.

use crate::bookings::{Desk, TORONTO, at, booking_body, id_of, upcoming};
use crate::email::{drain, invite_of, of_kind};
use crate::helpers::*;
use crate::mime::Part;
use crate::smtp::{Captured, SmtpServer};
use base64::Engine as _;
use chrono::Weekday;
use serde_json::{Value, json};
use uuid::Uuid;

/// A header decoded from RFC 2047 encoded-words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`), as a mail
/// client shows it.
fn decoded_header(message: &Captured, name: &str) -> String {
    let raw = message.header(name).unwrap_or_default();
    let mut out = String::new();
    let mut previous_was_word = false;
    for token in raw.split(' ') {
        let word = token
            .strip_prefix("=?")
            .and_then(|rest| rest.strip_suffix("?="))
            .and_then(|inner| {
                let mut parts = inner.splitn(3, '?');
                let (_, encoding, text) = (parts.next()?, parts.next()?, parts.next()?);
                let bytes = match encoding.to_ascii_lowercase().as_str() {
                    "b" => base64::engine::general_purpose::STANDARD
                        .decode(text)
                        .ok()?,
                    "q" => quoted_word(text),
                    _ => return None,
                };
                String::from_utf8(bytes).ok()
            });
        match word {
            // Whitespace between two encoded-words is not part of the text (RFC 2047 §6.2).
            Some(word) => {
                if !previous_was_word && !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(&word);
                previous_was_word = true;
            }
            None => {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(token);
                previous_was_word = false;
            }
        }
    }
    out
}

fn quoted_word(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'_' => out.push(b' '),
            b'=' if i + 2 < bytes.len() + 1 => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("00");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                i += 2;
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    out
}

/// The plain-text body of a message.
fn text_body(message: &Captured) -> String {
    Part::parse(&message.data)
        .leaves()
        .into_iter()
        .find(|(mime_type, _)| mime_type == "text/plain")
        .map(|(_, body)| body)
        .expect("a text/plain part")
}

/// One ics property's value, unfolded.
fn ics_value(ics: &str, name: &str) -> String {
    let unfolded = ics.replace("\r\n ", "");
    unfolded
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{name}:")))
        .unwrap_or_else(|| panic!("{name} in {ics}"))
        .to_owned()
}

/// A Montréal clinic (its patients are written to in `default_locale`) with a practitioner working
/// nine to five.
async fn montreal(desk: &Desk, default_locale: &str) -> (Uuid, Uuid) {
    let mut body = clinic_body("Physio Plateau");
    body["city"] = json!("Montréal");
    body["province"] = json!("QC");
    body["postal_code"] = json!("H2T 1S6");
    body["phone"] = json!("514-555-0100");
    body["latitude"] = json!(45.5231);
    body["longitude"] = json!(-73.5817);
    body["time_zone"] = json!("America/Toronto");
    body["default_locale"] = json!(default_locale);
    let response = desk
        .app
        .post_as("/v1/admin/clinics", &desk.admin, &body)
        .await;
    assert_eq!(response.status(), 201);
    let clinic = json_of(response).await;
    assert_eq!(clinic["default_locale"], default_locale);
    let clinic = id_of(&clinic);
    let practitioner = desk.practitioner_at(clinic, &["phone", "video"]).await;
    desk.nine_to_five(practitioner, 15).await;
    (clinic, practitioner)
}

/// What a booking's emails say, from the request to the reminder.
struct Written {
    requested: (String, String, Option<String>),
    confirmed: (String, String, Option<String>),
    reminder: (String, String, Option<String>),
    invite_summary: String,
    invite_description: String,
}

/// Books at 9:00 on a Monday in `locale` (none: the form names no language), confirms, and lets the
/// reminder come due; returns what arrived.
async fn booking_emails(desk: &Desk, practitioner: Uuid, locale: Option<&str>) -> Written {
    let smtp = SmtpServer::start().await;
    let worker = desk.app.worker(&smtp, |_| {});
    let front_desk = desk.app.admin_token().await;
    let monday = upcoming(TORONTO, Weekday::Mon, 3);
    let mut body = booking_body(
        practitioner,
        &at(TORONTO, monday, "09:00"),
        "jeanne@example.com",
    );
    if let Some(locale) = locale {
        body["locale"] = json!(locale);
    }
    let response = desk.book(&body).await;
    assert_eq!(response.status(), 201);
    let id = id_of(&json_of(response).await);
    drain(&worker).await;
    desk.act_ok(&front_desk, id, "confirm", &json!({})).await;
    drain(&worker).await;
    sqlx::query(
        "UPDATE email_outbox SET send_after = now() WHERE booking_id = $1 AND kind = 'appointment_reminder'",
    )
    .bind(id)
    .execute(&desk.app.db)
    .await
    .expect("the reminder made due");
    drain(&worker).await;
    let messages = smtp.messages();
    let one = |kind: &str| {
        let found = of_kind(&messages, kind);
        assert_eq!(found.len(), 1, "one {kind}");
        let message = found[0];
        (
            decoded_header(message, "Subject"),
            text_body(message),
            message.header("Content-Language"),
        )
    };
    let confirmed = of_kind(&messages, "booking_confirmed");
    let (ics, _) = invite_of(confirmed[0], "REQUEST");
    Written {
        requested: one("booking_requested"),
        confirmed: one("booking_confirmed"),
        reminder: one("appointment_reminder"),
        invite_summary: ics_value(&ics, "SUMMARY"),
        invite_description: ics_value(&ics, "DESCRIPTION"),
    }
}

#[tokio::test]
async fn a_french_booking_is_written_in_french_from_request_to_reminder() {
    let desk = Desk::with(Overrides::from([("REMINDER_OFFSETS", "24h".to_owned())])).await;
    // The clinic's own default is English: the form's language wins.
    let (_, practitioner) = montreal(&desk, "en").await;
    let written = booking_emails(&desk, practitioner, Some("fr")).await;

    let (subject, body, language) = &written.requested;
    assert_eq!(language.as_deref(), Some("fr"));
    assert!(
        subject.starts_with(
            "Demande reçue\u{a0}: votre consultation en physiothérapie avec Alex Physio le lundi "
        ),
        "{subject}"
    );
    assert!(subject.ends_with(" à 9\u{a0}h"), "{subject}");
    assert!(body.contains("Bonjour Jane Runner,"), "{body}");
    assert!(
        body.contains("Cette plage horaire n'est pas encore confirmée."),
        "{body}"
    );
    assert!(body.contains("désabonner"), "{body}");

    let (subject, body, language) = &written.confirmed;
    assert_eq!(language.as_deref(), Some("fr"));
    assert!(
        subject.starts_with(
            "Votre consultation en physiothérapie avec Alex Physio est confirmée\u{a0}: lundi "
        ),
        "{subject}"
    );
    assert!(body.contains("Bonne nouvelle"), "{body}");
    assert!(body.contains(" à 9\u{a0}h (America/Toronto)"), "{body}");
    assert!(
        !body.contains("Hello") && !body.contains("Warm regards"),
        "{body}"
    );

    let (subject, body, language) = &written.reminder;
    assert_eq!(language.as_deref(), Some("fr"));
    assert!(
        subject.starts_with("Rappel\u{a0}: votre consultation en physiothérapie"),
        "{subject}"
    );
    assert!(body.contains("aura lieu dans environ 24 heures"), "{body}");

    assert_eq!(
        written.invite_summary,
        "Consultation gratuite avec Alex Physio"
    );
    assert!(
        written
            .invite_description
            .starts_with("Consultation par vidéo avec Alex Physio"),
        "{}",
        written.invite_description
    );
}

#[tokio::test]
async fn the_same_booking_in_english_is_english() {
    let desk = Desk::with(Overrides::from([("REMINDER_OFFSETS", "24h".to_owned())])).await;
    // A French-speaking clinic, and a patient who asked for English.
    let (_, practitioner) = montreal(&desk, "fr").await;
    let written = booking_emails(&desk, practitioner, Some("en")).await;
    for (subject, body, language) in [&written.requested, &written.confirmed, &written.reminder] {
        assert_eq!(language.as_deref(), Some("en"));
        assert!(body.contains("Hello Jane Runner,"), "{body}");
        assert!(
            !subject.contains("votre") && !body.contains("Bonjour"),
            "{subject}\n{body}"
        );
    }
    assert!(
        written.confirmed.0.contains(" at 9:00 AM"),
        "{}",
        written.confirmed.0
    );
    assert_eq!(written.invite_summary, "Free consult with Alex Physio");
}

#[tokio::test]
async fn a_form_without_a_language_is_written_in_the_clinics_and_a_later_choice_sticks() {
    let desk = Desk::with(Overrides::from([("REMINDER_OFFSETS", "24h".to_owned())])).await;
    let (clinic, practitioner) = montreal(&desk, "fr").await;
    let smtp = SmtpServer::start().await;
    let worker = desk.app.worker(&smtp, |_| {});

    // No language named: the clinic's French.
    let mut callback = callback_body();
    callback["clinic_id"] = json!(clinic);
    callback["email"] = json!("luc@example.com");
    desk.app.accepted_callback(&callback).await;
    drain(&worker).await;
    let messages = smtp.messages();
    let received = of_kind(&messages, "callback_received");
    assert_eq!(
        received[0].header("Content-Language").as_deref(),
        Some("fr")
    );
    let patient_locale: Option<String> =
        sqlx::query_scalar("SELECT locale FROM patients WHERE email = 'luc@example.com'")
            .fetch_one(&desk.app.db)
            .await
            .unwrap();
    assert_eq!(
        patient_locale, None,
        "nothing was chosen, so nothing is kept"
    );

    // The person asks for English once: from then on, even a form naming nothing gets English.
    let monday = upcoming(TORONTO, Weekday::Mon, 3);
    let mut booking = booking_body(
        practitioner,
        &at(TORONTO, monday, "10:00"),
        "luc@example.com",
    );
    booking["locale"] = json!("en");
    assert_eq!(desk.book(&booking).await.status(), 201);
    desk.app.accepted_callback(&callback).await;
    drain(&worker).await;
    let messages = smtp.messages();
    let languages: Vec<Option<String>> = messages
        .iter()
        .skip(1)
        .map(|message| message.header("Content-Language"))
        .collect();
    assert_eq!(languages, [Some("en".to_owned()), Some("en".to_owned())]);
    let stored: Vec<(String, String)> =
        sqlx::query_as("SELECT kind, locale FROM email_outbox ORDER BY created_at, id")
            .fetch_all(&desk.app.db)
            .await
            .unwrap();
    assert_eq!(
        stored
            .iter()
            .map(|(_, locale)| locale.as_str())
            .collect::<Vec<_>>(),
        ["fr", "en", "en"],
        "{stored:?}"
    );
    let forms: Vec<String> =
        sqlx::query_scalar("SELECT locale FROM callback_requests ORDER BY created_at")
            .fetch_all(&desk.app.db)
            .await
            .unwrap();
    assert_eq!(forms, ["fr", "en"]);
}

#[tokio::test]
async fn public_problems_answer_in_the_language_the_browser_asks_for() {
    let app = TestApp::spawn().await;
    let mut body = callback_body();
    body["email"] = json!("not an email");
    body["phone"] = json!("12");
    let bad = |accept_language: Option<&'static str>| {
        let client = reqwest::Client::new();
        let mut request = client.post(app.url("/v1/callback-requests")).json(&body);
        if let Some(value) = accept_language {
            request = request.header("Accept-Language", value);
        }
        request.send()
    };

    let french = bad(Some("fr-CA,fr;q=0.9,en;q=0.8")).await.unwrap();
    assert_eq!(french.status(), 422);
    assert_eq!(french.headers()["content-language"], "fr");
    let problem: Value = french.json().await.unwrap();
    assert_eq!(problem["title"], "Données invalides");
    assert_eq!(problem["detail"], "2 champs sont invalides.");
    let messages: Vec<(&str, &str, &str)> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| {
            (
                error["field"].as_str().unwrap(),
                error["code"].as_str().unwrap(),
                error["message"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        messages.contains(&(
            "email",
            "invalid_email",
            "doit être une adresse courriel valide"
        )),
        "{messages:?}"
    );
    assert!(
        messages.contains(&(
            "phone",
            "invalid_phone",
            "doit être un numéro de téléphone valide, p. ex. +1 514-555-0100"
        )),
        "{messages:?}"
    );

    // The codes never change with the language; without a preference the words are English.
    let english = bad(None).await.unwrap();
    assert_eq!(english.headers()["content-language"], "en");
    let english: Value = english.json().await.unwrap();
    assert_eq!(english["detail"], "2 fields are invalid.");
    let codes = |problem: &Value| -> Vec<String> {
        problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|error| format!("{}:{}", error["field"], error["code"]))
            .collect()
    };
    assert_eq!(codes(&english), codes(&problem));
    assert_eq!(english["type"], problem["type"]);

    // Problems no handler wrote (an unknown path) follow the same rule.
    let missing = reqwest::Client::new()
        .get(app.url("/v1/nowhere"))
        .header("Accept-Language", "fr")
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let missing: Value = missing.json().await.unwrap();
    assert_eq!(missing["detail"], "Cette ressource n’existe pas.");
}

#[tokio::test]
async fn consent_wording_is_published_per_language_and_the_ledger_keeps_the_version_shown() {
    let desk = Desk::new().await;
    let (clinic, _) = montreal(&desk, "fr").await;
    let wording = json_of(
        desk.app
            .get(&format!("/v1/consent-wording?locale=fr&clinic_id={clinic}"))
            .await,
    )
    .await;
    assert_eq!(wording["locale"], "fr");
    assert_eq!(wording["version"], "2026-12-consult-form-v2-fr");
    let reminders = wording["categories"]["appointment_reminders"]
        .as_str()
        .unwrap();
    assert!(
        reminders.starts_with("Rappels de rendez-vous de Physio Plateau\u{a0}:"),
        "{reminders}"
    );
    let english = json_of(desk.app.get("/v1/consent-wording?locale=en").await).await;
    assert_eq!(english["version"], "2026-12-consult-form-v2");

    let mut callback = callback_body();
    callback["clinic_id"] = json!(clinic);
    callback["locale"] = json!("fr");
    callback["consent_wording_version"] = wording["version"].clone();
    desk.app.accepted_callback(&callback).await;
    let versions: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT wording_version FROM consent_events")
            .fetch_all(&desk.app.db)
            .await
            .unwrap();
    assert_eq!(versions, ["2026-12-consult-form-v2-fr"]);

    // A form in French that names no version records the French one it would have shown.
    let mut unnamed = callback_body();
    unnamed["email"] = json!("marie@example.com");
    unnamed["locale"] = json!("fr");
    desk.app.accepted_callback(&unnamed).await;
    let latest: String = sqlx::query_scalar(
        "SELECT wording_version FROM consent_events ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .fetch_one(&desk.app.db)
    .await
    .unwrap();
    assert_eq!(latest, "2026-12-consult-form-v2-fr");
    assert_eq!(
        desk.app
            .post_callback(&json!({"locale": "de"}))
            .await
            .status(),
        422
    );
}

#[tokio::test]
async fn a_french_patients_links_open_french_pages() {
    // The app verifies links with the key the test worker signs them with.
    let desk = Desk::with(Overrides::from([(
        "SIGNING_KEY",
        "test signing key that is at least 32 bytes".to_owned(),
    )]))
    .await;
    let (_, practitioner) = montreal(&desk, "en").await;
    let smtp = SmtpServer::start().await;
    let worker = desk.app.worker(&smtp, |_| {});
    let monday = upcoming(TORONTO, Weekday::Mon, 3);
    let mut body = booking_body(
        practitioner,
        &at(TORONTO, monday, "11:00"),
        "ines@example.com",
    );
    body["locale"] = json!("fr");
    body["consents"]["service_updates"] = json!(true);
    assert_eq!(desk.book(&body).await.status(), 201);
    drain(&worker).await;
    let messages = smtp.messages();
    let path = |link: &str| link.replace("http://consultdesk.test", "");

    // The unsubscribe link of the request email opens the French page.
    let requested = of_kind(&messages, "booking_requested");
    let unsubscribe = crate::unsubscribe::link_of(requested[0]);
    let page =
        crate::unsubscribe::html_page_in(desk.app.get(&path(&unsubscribe)).await, 200, "fr-CA")
            .await;
    assert!(page.contains("Se désabonner"), "{page}");

    // The news double opt-in: a French email, and a French page behind its button.
    let confirmation = of_kind(&messages, "consent_confirmation");
    assert_eq!(
        confirmation[0].header("Content-Language").as_deref(),
        Some("fr")
    );
    let subject = decoded_header(confirmation[0], "Subject");
    assert!(
        subject.starts_with("Veuillez confirmer\u{a0}:"),
        "{subject}"
    );
    let text = text_body(confirmation[0]);
    let at = text
        .find("http://consultdesk.test/consent/confirm/")
        .expect("the link");
    let link: String = text[at..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    let page =
        crate::unsubscribe::html_page_in(desk.app.get(&path(&link)).await, 200, "fr-CA").await;
    assert!(page.contains("Physio Plateau"), "{page}");
}
