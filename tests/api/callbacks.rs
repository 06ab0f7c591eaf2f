//! POST /v1/callback-requests: what is stored, the consent ledger, the queued email, idempotency, honeypot.

use crate::helpers::*;
use serde_json::{Value, json};
use uuid::Uuid;

/// No callback, patient, consent or email was written.
async fn assert_nothing_stored(app: &TestApp) {
    for table in [
        "callback_requests",
        "patients",
        "consent_events",
        "email_outbox",
    ] {
        assert_eq!(app.count(table).await, 0, "{table}");
    }
}

const EMAILS_OF_A_CALLBACK: &str = "SELECT kind, to_address::text, status, category FROM email_outbox WHERE callback_request_id = $1";

#[tokio::test]
async fn a_callback_request_is_stored_with_its_consents_and_a_queued_email() {
    let app = TestApp::spawn().await;
    let response = app
        .post_json_from(
            "Mozilla/5.0 (test form)",
            "/v1/callback-requests",
            &callback_body(),
        )
        .await;
    let body = assert_created_under(response, "/v1/staff/callback-requests").await;
    let id: Uuid = body["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(body["status"], "new");
    assert!(body["created_at"].as_str().unwrap().contains('T'));

    let (name, phone, email, preferred, status, patient_id): (String, String, String, String, String, Uuid) =
        sqlx::query_as(
            "SELECT name, phone, email::text, preferred_time, status, patient_id FROM callback_requests WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&app.db)
        .await
        .expect("the stored callback");
    assert_eq!(
        (
            name.as_str(),
            phone.as_str(),
            email.as_str(),
            preferred.as_str(),
            status.as_str()
        ),
        (
            "Jane Runner",
            "+14165550100",
            "jane@example.com",
            "morning",
            "new"
        )
    );

    let consents: Vec<(String, bool, String, String, String, String)> = sqlx::query_as(
        "SELECT category, granted, source, wording_version, host(ip), user_agent FROM consent_events
          WHERE patient_id = $1 ORDER BY category",
    )
    .bind(patient_id)
    .fetch_all(&app.db)
    .await
    .unwrap();
    let flags: Vec<(&str, bool)> = consents.iter().map(|c| (c.0.as_str(), c.1)).collect();
    assert_eq!(
        flags,
        vec![("appointment_reminders", true), ("exercise_plans", true)]
    );
    for (_, _, source, wording, ip, agent) in &consents {
        assert_eq!(source, "web_form");
        assert!(!wording.is_empty());
        assert_eq!(ip, "127.0.0.1");
        assert_eq!(agent, "Mozilla/5.0 (test form)");
    }

    let emails: Vec<(String, String, String, Option<String>)> =
        sqlx::query_as(EMAILS_OF_A_CALLBACK)
            .bind(id)
            .fetch_all(&app.db)
            .await
            .expect("the emails");
    assert_eq!(
        emails,
        vec![(
            "callback_received".into(),
            "jane@example.com".into(),
            "queued".into(),
            None
        )]
    );
}

#[tokio::test]
async fn without_an_email_nothing_is_queued_and_the_phone_is_normalised() {
    let app = TestApp::spawn().await;
    let mut body = callback_body();
    body.as_object_mut().unwrap().remove("email");
    body["phone"] = json!("(416) 555 0100");
    assert_eq!(app.post_callback(&body).await.status(), 201);
    assert_eq!(app.count("email_outbox").await, 0);
    let phone: String = app.scalar("SELECT phone FROM callback_requests").await;
    assert_eq!(phone, "+14165550100");
}

#[tokio::test]
async fn the_same_email_in_any_case_is_one_patient_and_a_later_form_cannot_withdraw_consent() {
    let app = TestApp::spawn().await;
    assert_eq!(app.post_callback(&callback_body()).await.status(), 201);
    let mut second = callback_body();
    second["email"] = json!("JANE@Example.COM");
    second["consents"]["exercise_plans"] = json!(false);
    assert_eq!(app.post_callback(&second).await.status(), 201);

    assert_eq!(app.count("patients").await, 1);
    assert_eq!(app.count("callback_requests").await, 2);
    assert_eq!(
        app.count("consent_events").await,
        3,
        "each form's checked boxes are recorded; unchecked ones are not withdrawals"
    );
    let current: bool = app.scalar("SELECT granted FROM consent_events WHERE category = 'exercise_plans' ORDER BY id DESC LIMIT 1").await;
    assert!(current, "a later unchecked box takes nothing away");
}

#[tokio::test]
async fn a_form_does_not_overwrite_an_existing_patients_details() {
    let app = TestApp::spawn().await;
    app.post_callback(&callback_body()).await;
    let mut impostor = callback_body();
    impostor["name"] = json!("Someone Else");
    impostor["phone"] = json!("+1 604-555-0111");
    assert_eq!(app.post_callback(&impostor).await.status(), 201);
    let (name, phone): (String, String) = sqlx::query_as("SELECT name, phone FROM patients")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(
        (name.as_str(), phone.as_str()),
        ("Jane Runner", "+14165550100")
    );
    let submitted: Vec<String> =
        sqlx::query_scalar("SELECT name FROM callback_requests ORDER BY created_at")
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(
        submitted,
        vec!["Jane Runner", "Someone Else"],
        "each request keeps what was submitted"
    );
}

#[tokio::test]
async fn the_honeypot_answers_201_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let mut body = callback_body();
    body["website"] = json!("http://cheap-pills.example");
    let response = app.post_callback(&body).await;
    assert_eq!(response.status(), 201);
    assert!(response.headers().contains_key("location"));
    let body = json_of(response).await;
    assert_eq!(body["status"], "new");
    assert_nothing_stored(&app).await;
}

/// A bot learns nothing from the answer: a filled honeypot with a bad field gets the same 422 a
/// person would, naming the same field, and still nothing is stored.
#[tokio::test]
async fn the_honeypot_answers_invalid_fields_as_for_a_person() {
    let app = TestApp::spawn().await;
    let mut body = callback_body();
    body["phone"] = json!("12");
    let person = assert_problem(app.post_callback(&body).await, 422).await;
    body["website"] = json!("http://cheap-pills.example");
    let bot = assert_problem(app.post_callback(&body).await, 422).await;
    assert_eq!(error_fields(&bot), error_fields(&person));
    assert_eq!(error_fields(&bot), vec!["phone"]);
    for table in [
        "callback_requests",
        "patients",
        "consent_events",
        "email_outbox",
    ] {
        assert_eq!(app.count(table).await, 0, "{table}");
    }
}

#[tokio::test]
async fn an_unknown_clinic_is_a_422_and_a_known_one_is_recorded() {
    let app = TestApp::spawn().await;
    let mut body = callback_body();
    body["clinic_id"] = json!(Uuid::now_v7());
    let problem = assert_problem(app.post_callback(&body).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["clinic_id"]);
    assert_eq!(app.count("patients").await, 0, "nothing half-written");

    let admin = app.admin_token().await;
    let clinic = app.create_clinic(&admin, "Runners Physio").await;
    body["clinic_id"] = json!(clinic);
    assert_eq!(app.post_callback(&body).await.status(), 201);
    let stored: Option<Uuid> = app.scalar("SELECT clinic_id FROM callback_requests").await;
    assert_eq!(stored, Some(clinic));
}

#[tokio::test]
async fn every_consent_category_must_be_explicit() {
    let app = TestApp::spawn().await;
    let mut body = callback_body();
    body["consents"] = json!({"appointment_reminders": true, "exercise_plans": "yes"});
    let problem = assert_problem(app.post_callback(&body).await, 422).await;
    assert_eq!(
        error_fields(&problem),
        vec![
            "consents.exercise_plans",
            "consents.plans_of_care",
            "consents.service_updates"
        ]
    );
    body.as_object_mut().unwrap().remove("consents");
    let problem = assert_problem(app.post_callback(&body).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["consents"]);
}

#[tokio::test]
async fn the_same_idempotency_key_and_body_replays_the_first_answer() {
    let app = TestApp::spawn().await;
    let send = |key: &'static str, body: Value| {
        let request = app
            .client
            .post(app.url("/v1/callback-requests"))
            .header("Idempotency-Key", key)
            .json(&body);
        async move { request.send().await.unwrap() }
    };
    let first = send("form-123", callback_body()).await;
    assert_eq!(first.status(), 201);
    let first_location = first.headers()["location"].clone();
    let first_body = json_of(first).await;

    let again = send("form-123", callback_body()).await;
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["location"], first_location);
    assert_eq!(json_of(again).await, first_body);
    assert_eq!(app.count("callback_requests").await, 1);
    assert_eq!(app.count("email_outbox").await, 1, "no second email");

    let mut different = callback_body();
    different["concern"] = json!("Actually my shoulder");
    let problem = assert_problem(send("form-123", different).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["Idempotency-Key"]);
    assert_eq!(app.count("callback_requests").await, 1);
}

#[tokio::test]
async fn twenty_concurrent_identical_submissions_store_one_row() {
    let app = TestApp::spawn().await;
    let requests = (0..20).map(|_| {
        let request = app
            .client
            .post(app.url("/v1/callback-requests"))
            .header("Idempotency-Key", "double-click-7f3a")
            .json(&callback_body());
        tokio::spawn(async move { request.send().await.unwrap() })
    });
    let responses = futures::future::join_all(requests).await;
    let mut ids = Vec::new();
    for response in responses {
        let response = response.unwrap();
        assert_eq!(response.status(), 201);
        ids.push(json_of(response).await["id"].as_str().unwrap().to_owned());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "every answer names the same request");
    assert_eq!(app.count("callback_requests").await, 1);
    assert_eq!(app.count("patients").await, 1);
    assert_eq!(app.count("consent_events").await, 2);
    assert_eq!(app.count("email_outbox").await, 1);
}

#[tokio::test]
async fn hostile_names_are_stored_verbatim_and_harmlessly() {
    let app = TestApp::spawn().await;
    for name in [
        "O'Brien",
        "Robert'); DROP TABLE patients;--",
        "Zoë \"Zee\" <script>alert(1)</script>",
    ] {
        let mut body = callback_body();
        body["name"] = json!(name);
        body["email"] = json!(format!("{}@example.com", Uuid::new_v4().simple()));
        assert_eq!(app.post_callback(&body).await.status(), 201, "{name}");
        let stored: String = sqlx::query_scalar("SELECT name FROM patients WHERE email = $1")
            .bind(body["email"].as_str().unwrap())
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(stored, name);
    }
    assert_eq!(
        app.count("patients").await,
        3,
        "the patients table is still there"
    );
}

#[tokio::test]
async fn ten_thousand_character_strings_are_refused_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let long = "x".repeat(10_000);
    let mut body = callback_body();
    for field in [
        "name",
        "phone",
        "email",
        "concern",
        "source_url",
        "preferred_time",
    ] {
        body[field] = json!(long);
    }
    let problem = assert_problem(app.post_callback(&body).await, 422).await;
    assert_eq!(
        sorted_error_fields(&problem),
        vec![
            "concern",
            "email",
            "name",
            "phone",
            "preferred_time",
            "source_url"
        ]
    );
    assert_nothing_stored(&app).await;
}
