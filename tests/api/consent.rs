//! Consent nobody else can change, given to a sender, and patient data that stays with its clinic
//! (issue 12), black-box: forms and links are sent exactly as an attacker or a patient would, and
//! the effects are read from the ledger, the outbox, the emails a real SMTP server received and
//! the staff answers.

use crate::helpers::*;
use crate::mime::leaves;
use crate::smtp::SmtpServer;
use crate::unsubscribe::{
    KEY_A, PATIENCE, PUBLIC_BASE, assert_forms_keep, assert_switches_to, get, html_page,
    html_page_in, link_of, local, of_kind, overrides, post_form, set_patient_locale, unescaped,
};
use consultdesk::email::worker::{Outcome, Worker};
use serde_json::{Value, json};
use uuid::Uuid;

const NONE_CHECKED: &str = r#"{"appointment_reminders": false, "exercise_plans": false, "plans_of_care": false, "service_updates": false}"#;

fn consents(reminders: bool, plans: bool, care: bool, updates: bool) -> Value {
    json!({"appointment_reminders": reminders, "exercise_plans": plans,
           "plans_of_care": care, "service_updates": updates})
}

/// Who fills in a form: a unique email, and the name and phone they give.
#[derive(Clone)]
struct Person {
    email: String,
    name: &'static str,
    phone: &'static str,
}

impl Person {
    fn new(tag: &str, name: &'static str, phone: &'static str) -> Person {
        let email = format!("{tag}-{}@example.com", Uuid::new_v4().simple());
        Person { email, name, phone }
    }
}

/// Posts a callback form for `clinic` from `person`; the callback's id.
async fn callback(app: &TestApp, clinic: Option<Uuid>, person: &Person, consents: Value) -> Uuid {
    let mut body = callback_body();
    body["email"] = json!(person.email);
    body["name"] = json!(person.name);
    body["phone"] = json!(person.phone);
    body["clinic_id"] = json!(clinic);
    body["consents"] = consents;
    app.accepted_callback(&body).await
}

async fn patient_of(app: &TestApp, email: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM patients WHERE email = $1::citext")
        .bind(email)
        .fetch_one(&app.db)
        .await
        .expect("the patient")
}

/// The state in force for (sender, category): a category never recorded is not granted.
async fn state_at(app: &TestApp, patient: Uuid, clinic: Option<Uuid>, category: &str) -> bool {
    consent_state(&app.db, patient, clinic, category)
        .await
        .unwrap_or(false)
}

async fn ledger_rows(
    app: &TestApp,
    patient: Uuid,
) -> Vec<(Uuid, Option<Uuid>, String, bool, String)> {
    sqlx::query_as(
        "SELECT id, clinic_id, category, granted, source FROM consent_events WHERE patient_id = $1 ORDER BY id",
    )
    .bind(patient)
    .fetch_all(&app.db)
    .await
    .expect("the ledger")
}

/// The plain-text body of an email.
fn text_of(message: &crate::smtp::Captured) -> String {
    leaves(&message.data)
        .into_iter()
        .find(|(mime, _)| mime == "text/plain")
        .map(|(_, body)| body)
        .expect("a text/plain part")
}

/// The consent-confirmation link in an email's text.
fn confirmation_link(text: &str) -> String {
    let prefix = format!("{PUBLIC_BASE}/consent/confirm/");
    let at = text.find(&prefix).expect("the confirmation link");
    text[at..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect()
}

const NETWORK: &str = "Healthy Knees Network";

/// An app whose links verify with `KEY_A` and whose deployment names its network.
async fn networked_app() -> TestApp {
    let mut settings = overrides(KEY_A);
    settings.insert("NETWORK_NAME", NETWORK.to_owned());
    TestApp::spawn_with(settings).await
}

fn worker(app: &TestApp, smtp: &SmtpServer) -> Worker {
    app.worker(smtp, |config| {
        config.public_base_url = PUBLIC_BASE.to_owned();
        config.signing_keys = vec![KEY_A.as_bytes().to_vec()];
    })
}

/// Sends everything due; every message the SMTP server has received.
async fn deliver(app: &TestApp, smtp: &SmtpServer) -> Vec<crate::smtp::Captured> {
    let worker = worker(app, smtp);
    let before = smtp.messages().len();
    let mut sent = 0;
    loop {
        let outcomes = worker.run_once().await.expect("a worker round");
        if outcomes.is_empty() {
            break;
        }
        sent += outcomes.iter().filter(|o| **o == Outcome::Sent).count();
    }
    smtp.wait_for(before + sent, PATIENCE).await
}

async fn plan(app: &TestApp, token: &str, patient: Uuid, clinic: Uuid) -> reqwest::Response {
    app.post_as(
        &format!("/v1/staff/patients/{patient}/exercise-plans"),
        token,
        &json!({"title": "Knee week 1", "clinic_id": clinic,
                "exercises": [{"name": "Calf raises", "instructions": ["Rise onto your toes."], "sets": 3, "reps": 15}]}),
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// Reproduction 1: a form with someone's email and every box unchecked withdrew all their consents

#[tokio::test]
async fn an_unchecked_box_takes_nothing_away_from_anyone() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let clinic = app.create_clinic(&admin, "Victim's Clinic").await;
    let person = Person::new("victim", "Vic Tim", "416-555-0101");
    callback(
        &app,
        Some(clinic),
        &person,
        consents(true, true, true, false),
    )
    .await;
    let patient = patient_of(&app, &person.email).await;
    let before = ledger_rows(&app, patient).await;

    // The attacker types the victim's email into the same clinic's form, every box unchecked.
    let mut body = callback_body();
    body["email"] = json!(person.email.to_uppercase());
    body["clinic_id"] = json!(clinic);
    body["consents"] = serde_json::from_str(NONE_CHECKED).unwrap();
    assert_eq!(app.post_callback(&body).await.status(), 201);
    // And a booking form could not do it either: it also only adds (checked in bookings tests).

    assert_eq!(ledger_rows(&app, patient).await, before, "no row was added");
    for category in ["appointment_reminders", "exercise_plans", "plans_of_care"] {
        assert!(
            state_at(&app, patient, Some(clinic), category).await,
            "{category} still granted"
        );
    }
    // A checked box still grants.
    callback(
        &app,
        Some(clinic),
        &person,
        consents(false, false, false, false),
    )
    .await;
    let desk = app.staff_token("front_desk", &[clinic]).await;
    assert_eq!(
        plan(&app, &desk, patient, clinic).await.status(),
        201,
        "exercise plans still allowed"
    );
}

#[tokio::test]
async fn the_ledger_refuses_a_withdrawal_from_a_form() {
    let app = TestApp::spawn().await;
    let person = Person::new("x", "X", "416-555-0102");
    callback(&app, None, &person, consents(true, false, false, false)).await;
    let patient = patient_of(&app, &person.email).await;
    let refused = sqlx::query(
        "INSERT INTO consent_events (id, patient_id, category, granted, source, wording_version)
         VALUES ($1, $2, 'appointment_reminders', false, 'web_form', '2026-12-consult-form-v2')",
    )
    .bind(Uuid::now_v7())
    .bind(patient)
    .execute(&app.db)
    .await;
    assert!(
        refused.is_err(),
        "the database itself refuses a form's withdrawal"
    );
}

// ---------------------------------------------------------------------------------------------
// Reproduction 2: staff of clinic A learned what a person told clinic B

#[tokio::test]
async fn staff_see_only_their_clinics_part_of_a_patient() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let clinic_a = app.create_clinic(&admin, "Clinic A").await;
    let clinic_b = app.create_clinic(&admin, "Clinic B").await;
    let person = Person::new("person", "Real Person", "416-555-0199");
    // The person contacts clinic B only.
    let at_b = callback(
        &app,
        Some(clinic_b),
        &person,
        consents(true, true, true, false),
    )
    .await;
    let b_created: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("SELECT created_at FROM callback_requests WHERE id = $1")
            .bind(at_b)
            .fetch_one(&app.db)
            .await
            .unwrap();
    // Clinic A's front desk posts the public form to clinic A with that email.
    let desk_a = app.staff_token("front_desk", &[clinic_a]).await;
    let made_up = Person {
        name: "Made Up",
        phone: "416-555-0177",
        ..person.clone()
    };
    let at_a = callback(
        &app,
        Some(clinic_a),
        &made_up,
        consents(true, false, false, false),
    )
    .await;
    let patient = patient_of(&app, &person.email).await;

    let response = app
        .get_as(&format!("/v1/staff/patients/{patient}"), &desk_a)
        .await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    let view: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(view["name"], "Made Up", "the details given to clinic A");
    assert_eq!(view["phone"], "+14165550177");
    for leaked in [
        "Real Person",
        "+14165550199",
        &clinic_b.to_string(),
        &at_b.to_string(),
    ] {
        assert!(
            !text.contains(leaked),
            "clinic A's answer names {leaked}: {text}"
        );
    }
    let b_instant = b_created.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    assert!(
        !text.contains(b_instant.as_str()),
        "no timestamp of the person's dealings with B ({b_instant}): {text}"
    );
    let history = view["consent_history"].as_array().unwrap();
    assert!(!history.is_empty());
    assert!(
        history
            .iter()
            .all(|row| row["clinic_id"] == json!(clinic_a)),
        "{history:?}"
    );
    let states = view["consents"].as_array().unwrap();
    assert_eq!(
        states.len(),
        4,
        "one state per category at clinic A: {states:?}"
    );
    assert!(
        states
            .iter()
            .all(|state| state["clinic_id"] == json!(clinic_a))
    );
    let granted = |category: &str| {
        states
            .iter()
            .find(|state| state["category"] == category)
            .map(|state| state["granted"] == true)
            .unwrap()
    };
    assert!(granted("appointment_reminders"));
    assert!(
        !granted("exercise_plans"),
        "B's consent does not stand for A's"
    );
    let callbacks = view["callbacks"].as_array().unwrap();
    assert_eq!(callbacks.len(), 1);
    assert_eq!(callbacks[0]["id"], json!(at_a));

    // Staff of B see B's part; admins see everything.
    let desk_b = app.staff_token("front_desk", &[clinic_b]).await;
    let view_b = app
        .get_json_as(&format!("/v1/staff/patients/{patient}"), &desk_b)
        .await;
    assert_eq!(view_b["name"], "Real Person");
    let everything = app
        .get_json_as(&format!("/v1/staff/patients/{patient}"), &admin)
        .await;
    assert_eq!(everything["callbacks"].as_array().unwrap().len(), 2);
    assert_eq!(
        everything["consents"].as_array().unwrap().len(),
        12,
        "network, A and B"
    );
}

#[tokio::test]
async fn a_booking_shows_the_details_given_with_it_and_its_clinics_consents() {
    let desk = crate::bookings::Desk::new().await;
    let app = &desk.app;
    let clinic_b = app.create_clinic(&desk.admin, "Clinic B").await;
    let person = Person::new("p", "First Name Given", "416-555-0111");
    callback(
        app,
        Some(clinic_b),
        &person,
        consents(true, true, true, false),
    )
    .await;
    let today = chrono::Utc::now().date_naive();
    let starts = desk
        .slot_starts(desk.practitioner, today, today + chrono::Duration::days(14))
        .await;
    let booking = desk.book_at(&starts[0], &person.email).await;
    let front_desk = app.staff_token("front_desk", &[desk.clinic]).await;
    let detail = app
        .get_as(&format!("/v1/staff/bookings/{booking}"), &front_desk)
        .await;
    assert_eq!(detail.status(), 200);
    let text = detail.text().await.unwrap();
    assert!(!text.contains("First Name Given"), "{text}");
    assert!(!text.contains("+14165550111"), "{text}");
    let detail: Value = serde_json::from_str(&text).unwrap();
    let states = detail["consents"].as_array().unwrap();
    assert_eq!(states.len(), 4);
    assert!(
        states
            .iter()
            .all(|state| state["clinic_id"] == json!(desk.clinic))
    );
}

// ---------------------------------------------------------------------------------------------
// The wording a form shows is the server's

#[tokio::test]
async fn the_consent_wording_is_published_and_unknown_versions_are_refused() {
    let app = TestApp::spawn_with(Overrides::from([(
        "NETWORK_NAME",
        "Healthy Knees Network".to_owned(),
    )]))
    .await;
    let admin = app.admin_token().await;
    let clinic = app.create_clinic(&admin, "Harbour Physio").await;
    let wording = json_of(app.get("/v1/consent-wording?locale=en").await).await;
    let version = wording["version"].as_str().unwrap().to_owned();
    assert_eq!(wording["locale"], "en");
    for category in [
        "appointment_reminders",
        "exercise_plans",
        "plans_of_care",
        "service_updates",
    ] {
        let text = wording["categories"][category].as_str().unwrap();
        assert!(text.contains("Healthy Knees Network"), "{category}: {text}");
    }
    let for_clinic = json_of(
        app.get(&format!("/v1/consent-wording?clinic_id={clinic}"))
            .await,
    )
    .await;
    let reminders = for_clinic["categories"]["appointment_reminders"]
        .as_str()
        .unwrap();
    assert!(
        reminders.contains("Harbour Physio and Healthy Knees Network"),
        "{reminders}"
    );
    let bad_locale = app.get("/v1/consent-wording?locale=de").await;
    assert_eq!(
        error_fields(&assert_problem(bad_locale, 422).await),
        vec!["locale"]
    );

    // A form naming the published version is accepted and the version recorded; any other is 422.
    let email = format!("w-{}@example.com", Uuid::new_v4().simple());
    let mut body = callback_body();
    body["email"] = json!(email);
    body["consent_wording_version"] = json!(version);
    assert_eq!(app.post_callback(&body).await.status(), 201);
    let recorded: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT wording_version FROM consent_events e JOIN patients p ON p.id = e.patient_id WHERE p.email = $1::citext",
    )
    .bind(&email)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(recorded, vec![version]);
    let rows_before = app.count("consent_events").await;
    body["consent_wording_version"] = json!("I agreed to nothing, honest");
    let problem = assert_problem(app.post_callback(&body).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["consent_wording_version"]);
    assert_eq!(problem["errors"][0]["code"], "unknown_wording_version");
    assert_eq!(
        app.count("consent_events").await,
        rows_before,
        "nothing stored"
    );
}

// ---------------------------------------------------------------------------------------------
// service_updates is double opt-in

#[tokio::test]
async fn service_updates_wait_for_the_person_to_confirm_from_the_email() {
    let app = networked_app().await;
    let smtp = SmtpServer::start().await;
    let admin = app.admin_token().await;
    let clinic = app.create_clinic(&admin, "Harbour Physio").await;
    let person = Person::new("news", "Nia News", "416-555-0122");
    callback(
        &app,
        Some(clinic),
        &person,
        consents(true, false, false, true),
    )
    .await;
    let patient = patient_of(&app, &person.email).await;
    assert!(
        state_at(&app, patient, Some(clinic), "appointment_reminders").await,
        "granted at once"
    );
    assert!(
        state_at(&app, patient, None, "appointment_reminders").await,
        "and to the network"
    );
    assert!(
        !state_at(&app, patient, Some(clinic), "service_updates").await,
        "pending, not granted"
    );
    // A second form within a day does not send a second confirmation email.
    callback(
        &app,
        Some(clinic),
        &person,
        consents(false, false, false, true),
    )
    .await;

    let messages = deliver(&app, &smtp).await;
    let confirmations: Vec<_> = messages
        .iter()
        .filter(|m| m.header("X-Consultdesk-Kind").as_deref() == Some("consent_confirmation"))
        .collect();
    assert_eq!(confirmations.len(), 1, "one confirmation email");
    let message = confirmations[0];
    link_of(message); // it carries the unsubscribe link and headers like every email
    let text = text_of(message);
    assert!(
        text.contains("Harbour Physio and Healthy Knees Network"),
        "{text}"
    );
    let link = confirmation_link(&text);
    let url = local(&app, &link);

    // GET (a mail scanner) shows the page and changes nothing.
    let rows = ledger_rows(&app, patient).await;
    let page = get(&app, &url).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("<form method=\"post\" action=\"?lang=en\">"),
        "{html}"
    );
    assert!(html.contains("Harbour Physio"));
    assert_eq!(
        ledger_rows(&app, patient).await,
        rows,
        "GET changes nothing"
    );

    // A tampered link is refused, and changes nothing.
    let mut tampered = url.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    assert_eq!(post_form(&app, &tampered, "").await.status(), 400);
    assert_eq!(ledger_rows(&app, patient).await, rows);

    // The button confirms: a grant at the clinic and the network, source email_confirmation.
    let confirmed = post_form(&app, &url, "").await;
    assert_eq!(confirmed.status(), 200);
    assert!(confirmed.text().await.unwrap().contains("confirmed"));
    assert!(state_at(&app, patient, Some(clinic), "service_updates").await);
    assert!(state_at(&app, patient, None, "service_updates").await);
    let sources: Vec<String> = ledger_rows(&app, patient)
        .await
        .into_iter()
        .filter(|row| row.2 == "service_updates")
        .map(|row| row.4)
        .collect();
    assert_eq!(sources, vec!["email_confirmation", "email_confirmation"]);
    // Using the link again changes nothing more.
    let after = ledger_rows(&app, patient).await;
    assert_eq!(post_form(&app, &url, "").await.status(), 200);
    assert_eq!(ledger_rows(&app, patient).await, after);
}

#[tokio::test]
async fn a_french_patient_confirms_in_french_and_can_switch_to_english() {
    let app = networked_app().await;
    let smtp = SmtpServer::start().await;
    let admin = app.admin_token().await;
    let clinic = app.create_clinic(&admin, "Physio Plateau").await;
    let person = Person::new("fr", "Camille Roy", "514-555-0123");
    callback(
        &app,
        Some(clinic),
        &person,
        consents(false, false, false, true),
    )
    .await;
    let patient = patient_of(&app, &person.email).await;
    set_patient_locale(&app, patient, Some("fr")).await;
    let messages = deliver(&app, &smtp).await;
    let link = confirmation_link(&text_of(of_kind(&messages, "consent_confirmation")));
    let url = local(&app, &link);
    let senders = "Physio Plateau et Healthy Knees Network";

    let rows = ledger_rows(&app, patient).await;
    let page = unescaped(&html_page_in(get(&app, &url).await, 200, "fr-CA").await);
    for french in [
        format!("<title>Confirmez votre choix · {senders}</title>"),
        "<h1>Confirmez que vous souhaitez recevoir nos nouvelles</h1>".to_owned(),
        format!("offerts par <strong>{senders}</strong>."),
        ">Oui, envoyez-moi des nouvelles sur les services</button>".to_owned(),
        "Si vous n'avez pas fait cette demande, fermez cette page\u{a0}:".to_owned(),
    ] {
        assert!(page.contains(&french), "{french}: {page}");
    }
    assert_switches_to(&page, "en", "English");
    assert_forms_keep(&page, "fr");

    // `?lang=en` overrides it, and names the senders in English.
    let english = html_page(get(&app, &format!("{url}?lang=en")).await, 200).await;
    assert!(
        english.contains("<h1>Confirm you would like our news</h1>"),
        "{english}"
    );
    assert!(english.contains("Physio Plateau and Healthy Knees Network"));
    assert_switches_to(&english, "fr", "Français");
    assert_forms_keep(&english, "en");
    assert_eq!(
        ledger_rows(&app, patient).await,
        rows,
        "GET changes nothing"
    );

    // The French page's button answers in French.
    let confirmed = post_form(&app, &format!("{url}?lang=fr"), "").await;
    let confirmed = unescaped(&html_page_in(confirmed, 200, "fr-CA").await);
    for french in [
        "<h1 role=\"status\">Merci\u{a0}: votre choix est confirmé</h1>".to_owned(),
        format!("envoyées par <strong>{senders}</strong>."),
    ] {
        assert!(confirmed.contains(&french), "{french}: {confirmed}");
    }
    assert_switches_to(&confirmed, "en", "English");
    assert!(state_at(&app, patient, Some(clinic), "service_updates").await);
    // Used again in English, it says so in English.
    let again = html_page(post_form(&app, &format!("{url}?lang=en"), "").await, 200).await;
    assert!(
        again.contains("Thank you: your choice is confirmed"),
        "{again}"
    );

    // A link that is not valid answers in the request's language.
    let bad = app
        .client
        .get(format!("{}/consent/confirm/nonsense", app.address))
        .header("accept-language", "fr-CA")
        .send()
        .await
        .expect("GET");
    let bad = unescaped(&html_page_in(bad, 400, "fr-CA").await);
    assert!(
        bad.contains("<h1>Ce lien n'est pas valide ou a expiré</h1>"),
        "{bad}"
    );
}

#[tokio::test]
async fn an_expired_confirmation_link_grants_nothing() {
    let app = TestApp::spawn_with(overrides(KEY_A)).await;
    let smtp = SmtpServer::start().await;
    let person = Person::new("late", "Lee Late", "416-555-0133");
    callback(&app, None, &person, consents(false, false, false, true)).await;
    let patient = patient_of(&app, &person.email).await;
    let messages = deliver(&app, &smtp).await;
    let message = of_kind(&messages, "consent_confirmation");
    let text = text_of(message);
    let link = confirmation_link(&text);
    sqlx::query("UPDATE consent_confirmations SET created_at = now() - interval '8 days', expires_at = now() - interval '1 day'")
        .execute(&app.db)
        .await
        .unwrap();
    let url = local(&app, &link);
    assert_eq!(get(&app, &url).await.status(), 400);
    assert_eq!(post_form(&app, &url, "").await.status(), 400);
    assert!(!state_at(&app, patient, None, "service_updates").await);
}

// ---------------------------------------------------------------------------------------------
// Consent is per sender

#[tokio::test]
async fn one_clinics_consent_and_unsubscribe_never_stand_for_anothers() {
    let app = TestApp::spawn_with(overrides(KEY_A)).await;
    let smtp = SmtpServer::start().await;
    let admin = app.admin_token().await;
    let clinic_a = app.create_clinic(&admin, "Clinic A").await;
    let clinic_b = app.create_clinic(&admin, "Clinic B").await;
    let desk_a = app.staff_token("front_desk", &[clinic_a]).await;
    let desk_b = app.staff_token("front_desk", &[clinic_b]).await;
    let person = Person::new("two", "Two Clinics", "416-555-0144");
    callback(
        &app,
        Some(clinic_a),
        &person,
        consents(false, true, false, false),
    )
    .await;
    callback(
        &app,
        Some(clinic_b),
        &person,
        consents(false, false, false, false),
    )
    .await;
    let patient = patient_of(&app, &person.email).await;
    // B never got exercise-plan consent: A's does not stand for it.
    let refused = plan(&app, &desk_b, patient, clinic_b).await;
    assert_eq!(
        assert_problem(refused, 409).await["type"],
        "/problems/consent_missing"
    );
    callback(
        &app,
        Some(clinic_b),
        &person,
        consents(false, true, false, false),
    )
    .await;
    assert_eq!(plan(&app, &desk_a, patient, clinic_a).await.status(), 201);
    let messages = deliver(&app, &smtp).await;
    let from_a = of_kind(&messages, "exercise_plan");
    let unsubscribe = local(&app, &link_of(from_a));

    // The page names the clinic that sent the email.
    let page = get(&app, &unsubscribe).await.text().await.unwrap();
    assert!(
        page.contains("Clinic A") && !page.contains("Clinic B"),
        "{page}"
    );
    // One click withdraws at A only.
    assert_eq!(
        post_form(&app, &unsubscribe, "List-Unsubscribe=One-Click")
            .await
            .status(),
        200
    );
    assert!(!state_at(&app, patient, Some(clinic_a), "exercise_plans").await);
    assert!(state_at(&app, patient, Some(clinic_b), "exercise_plans").await);
    assert_eq!(
        assert_problem(plan(&app, &desk_a, patient, clinic_a).await, 409).await["type"],
        "/problems/consent_missing"
    );
    assert_eq!(
        plan(&app, &desk_b, patient, clinic_b).await.status(),
        201,
        "B's consent stands"
    );

    // "Every sender" withdraws everywhere, and B's queued plan is suppressed at once.
    let everywhere = post_form(&app, &unsubscribe, "action=unsubscribe_everywhere").await;
    assert_eq!(everywhere.status(), 200);
    assert!(!state_at(&app, patient, Some(clinic_b), "exercise_plans").await);
    let queued: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM email_outbox WHERE patient_id = $1 AND kind = 'exercise_plan' AND status = 'queued'",
    )
    .bind(patient)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(queued, 0);
}

// ---------------------------------------------------------------------------------------------
// Staff record a change the person asked for

#[tokio::test]
async fn staff_record_a_consent_change_the_person_asked_for() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let clinic = app.create_clinic(&admin, "Clinic A").await;
    let other = app.create_clinic(&admin, "Clinic B").await;
    let person = Person::new("phone", "Pat Phone", "416-555-0155");
    callback(
        &app,
        Some(clinic),
        &person,
        consents(false, true, false, false),
    )
    .await;
    let patient = patient_of(&app, &person.email).await;
    let desk = app.staff_token("front_desk", &[clinic]).await;
    assert_eq!(plan(&app, &desk, patient, clinic).await.status(), 201);
    let path = format!("/v1/staff/patients/{patient}/consents");

    let recorded = app
        .post_as(&path, &desk, &json!({"clinic_id": clinic, "category": "exercise_plans", "granted": false, "note": "Asked by phone"}))
        .await;
    assert_eq!(recorded.status(), 201);
    let row = json_of(recorded).await;
    assert_eq!(row["source"], "staff");
    assert_eq!(row["granted"], false);
    assert_eq!(row["note"], "Asked by phone");
    assert!(row["staff_id"].is_string());
    assert!(!state_at(&app, patient, Some(clinic), "exercise_plans").await);
    let queued: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM email_outbox WHERE patient_id = $1 AND status = 'queued' AND kind = 'exercise_plan'",
    )
    .bind(patient)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(queued, 0, "the queued plan was suppressed at once");
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'consent.recorded' AND entity_id = $1 AND clinic_id = $2",
    )
    .bind(patient)
    .bind(clinic)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(audited, 1);
    // Granting again is recorded the same way.
    let granted = app
        .post_as(
            &path,
            &desk,
            &json!({"clinic_id": clinic, "category": "exercise_plans", "granted": true}),
        )
        .await;
    assert_eq!(granted.status(), 201);
    assert!(state_at(&app, patient, Some(clinic), "exercise_plans").await);

    // Only at one's own clinics; only for patients one may see; every bad field named.
    let elsewhere = app
        .post_as(
            &path,
            &desk,
            &json!({"clinic_id": other, "category": "exercise_plans", "granted": true}),
        )
        .await;
    assert_eq!(elsewhere.status(), 403);
    let stranger = app
        .post_as(
            &format!("/v1/staff/patients/{}/consents", Uuid::now_v7()),
            &desk,
            &json!({"clinic_id": clinic, "category": "exercise_plans", "granted": true}),
        )
        .await;
    assert_eq!(stranger.status(), 404);
    let invalid = app
        .post_as(
            &path,
            &desk,
            &json!({"category": "newsletters", "note": "x".repeat(501)}),
        )
        .await;
    assert_eq!(
        sorted_error_fields(&assert_problem(invalid, 422).await),
        vec!["category", "clinic_id", "granted", "note"]
    );
}

#[tokio::test]
async fn a_booking_form_with_unchecked_boxes_takes_nothing_away_either() {
    let desk = crate::bookings::Desk::new().await;
    let app = &desk.app;
    let person = Person::new("b", "Bea", "416-555-0166");
    callback(
        app,
        Some(desk.clinic),
        &person,
        consents(true, true, true, false),
    )
    .await;
    let patient = patient_of(app, &person.email).await;
    let before = ledger_rows(app, patient).await;
    let today = chrono::Utc::now().date_naive();
    let starts = desk
        .slot_starts(desk.practitioner, today, today + chrono::Duration::days(14))
        .await;
    let mut body = crate::bookings::booking_body(desk.practitioner, &starts[0], &person.email);
    body["consents"] = serde_json::from_str(NONE_CHECKED).unwrap();
    assert_eq!(desk.book(&body).await.status(), 201);
    assert_eq!(ledger_rows(app, patient).await, before);
    assert!(state_at(app, patient, Some(desk.clinic), "plans_of_care").await);
}

#[tokio::test]
async fn emails_the_network_sends_carry_its_name() {
    let app = networked_app().await;
    let smtp = SmtpServer::start().await;
    let person = Person::new("n", "Nora", "416-555-0188");
    callback(&app, None, &person, consents(false, false, false, false)).await;
    let worker = app.worker(&smtp, |config| {
        config.public_base_url = PUBLIC_BASE.to_owned();
        config.signing_keys = vec![KEY_A.as_bytes().to_vec()];
        config.network_name = Some("Healthy Knees Network".to_owned());
    });
    assert_eq!(worker.run_once().await.unwrap(), vec![Outcome::Sent]);
    let messages = smtp.wait_for(1, PATIENCE).await;
    let message = of_kind(&messages, "callback_received");
    let text = text_of(message);
    assert!(text.contains("Healthy Knees Network"), "{text}");
    // Its unsubscribe page names the network too (it is the email's sender).
    let page = get(&app, &local(&app, &link_of(message)))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Healthy Knees Network"), "{page}");
}
