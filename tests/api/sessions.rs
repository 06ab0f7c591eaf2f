//! Staff sign-in and sign-out: `POST /v1/staff/sessions`, `DELETE /v1/staff/sessions/current`,
//! and what a bearer token is worth afterwards.

use crate::helpers::*;
use chrono::{DateTime, Utc};
use reqwest::Response;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

const PASSWORD: &str = "a long enough password";

/// A front-desk member of one fresh clinic, with a known email; returns (staff id, email).
async fn front_desk(app: &TestApp) -> (Uuid, String) {
    let admin = app.admin_token().await;
    let clinic = app.create_clinic(&admin, "Session Clinic").await;
    let email = format!("desk-{}@clinic.test", Uuid::new_v4().simple());
    let id = app
        .create_staff(&email, "front_desk", &[clinic], PASSWORD)
        .await;
    (id, email)
}

async fn sign_in_raw(app: &TestApp, body: &Value) -> Response {
    app.post_json("/v1/staff/sessions", body).await
}

async fn sign_out(app: &TestApp, token: &str) -> Response {
    app.client
        .delete(app.url("/v1/staff/sessions/current"))
        .bearer_auth(token)
        .send()
        .await
        .expect("DELETE")
}

/// The staff endpoint used to check whether a token is accepted.
const STAFF_ENDPOINT: &str = "/v1/staff/callback-requests";

async fn assert_unauthorized(response: Response) -> Value {
    let challenge = response
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let problem = assert_problem(response, 401).await;
    assert_eq!(
        challenge.as_deref(),
        Some("Bearer"),
        "a 401 names the Bearer scheme"
    );
    problem
}

fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

#[tokio::test]
async fn signing_in_answers_201_with_a_token_its_expiry_and_the_staff_member() {
    let app = TestApp::spawn().await;
    let (id, email) = front_desk(&app).await;

    let response = sign_in_raw(&app, &json!({"email": email, "password": PASSWORD})).await;
    assert_eq!(response.status(), 201);
    let text = response.text().await.unwrap();
    let body: Value = serde_json::from_str(&text).expect("session json");

    let token = body["token"].as_str().expect("a token string");
    assert!(token.len() >= 32, "a token with real entropy: {token}");
    let expires_at: DateTime<Utc> = body["expires_at"]
        .as_str()
        .expect("expires_at")
        .parse()
        .expect("RFC 3339");
    assert!(expires_at > Utc::now(), "the session expires in the future");
    assert_eq!(body["staff"]["id"], id.to_string());
    assert_eq!(body["staff"]["email"], email);
    assert_eq!(body["staff"]["role"], "front_desk");
    assert_eq!(
        body["staff"]["clinic_ids"].as_array().map(Vec::len),
        Some(1)
    );

    let stored_hash: String = sqlx::query_scalar("SELECT password_hash FROM staff WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(
        !text.contains(&stored_hash),
        "the password hash leaked: {text}"
    );
    assert!(
        !text.contains("argon2") && !text.contains(PASSWORD),
        "{text}"
    );
    assert!(
        !text.to_ascii_lowercase().contains("password"),
        "no password field of any kind: {text}"
    );
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_401() {
    let app = TestApp::spawn().await;
    let (id, email) = front_desk(&app).await;

    let wrong_password = assert_unauthorized(
        sign_in_raw(
            &app,
            &json!({"email": email, "password": "not the password at all"}),
        )
        .await,
    )
    .await;
    let unknown_email = assert_unauthorized(
        sign_in_raw(
            &app,
            &json!({"email": "nobody-here@clinic.test", "password": "not the password at all"}),
        )
        .await,
    )
    .await;

    assert_eq!(wrong_password["type"], unknown_email["type"]);
    assert_eq!(wrong_password["detail"], unknown_email["detail"]);
    assert_eq!(
        wrong_password, unknown_email,
        "the whole body must not tell the two apart"
    );
    let sessions: i64 =
        sqlx::query_scalar("SELECT count(*) FROM staff_sessions WHERE staff_id = $1")
            .bind(id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(sessions, 0, "no session for a refused sign-in");
}

#[tokio::test]
async fn signing_in_without_email_and_password_is_a_422_naming_both() {
    let app = TestApp::spawn().await;
    let problem = assert_problem(sign_in_raw(&app, &json!({})).await, 422).await;
    let fields = error_fields(&problem);
    assert!(fields.contains(&"email".to_owned()), "{fields:?}");
    assert!(fields.contains(&"password".to_owned()), "{fields:?}");
}

#[tokio::test]
async fn the_token_opens_staff_endpoints() {
    let app = TestApp::spawn().await;
    let (_, email) = front_desk(&app).await;
    let token = app.sign_in(&email, PASSWORD).await;

    let response = app.get_as(STAFF_ENDPOINT, &token).await;
    assert_eq!(response.status(), 200);
    let body = json_of(response).await;
    assert!(body["items"].is_array(), "{body}");
}

#[tokio::test]
async fn signing_out_answers_204_and_the_token_stops_working() {
    let app = TestApp::spawn().await;
    let (_, email) = front_desk(&app).await;
    let token = app.sign_in(&email, PASSWORD).await;
    let other_token = app.sign_in(&email, PASSWORD).await;
    assert_eq!(app.get_as(STAFF_ENDPOINT, &token).await.status(), 200);

    let response = sign_out(&app, &token).await;
    assert_eq!(response.status(), 204);
    assert!(
        response.bytes().await.unwrap().is_empty(),
        "a 204 has no body"
    );

    assert_unauthorized(app.get_as(STAFF_ENDPOINT, &token).await).await;
    assert_unauthorized(sign_out(&app, &token).await).await;
    // Only that session ended: another sign-in of the same person still works.
    assert_eq!(app.get_as(STAFF_ENDPOINT, &other_token).await.status(), 200);
}

#[tokio::test]
async fn an_expired_session_is_refused() {
    let app = TestApp::spawn().await;
    let (_, email) = front_desk(&app).await;
    let token = app.sign_in(&email, PASSWORD).await;
    assert_eq!(app.get_as(STAFF_ENDPOINT, &token).await.status(), 200);

    let moved = sqlx::query(
        "UPDATE staff_sessions SET expires_at = now() - interval '1 minute' WHERE token_hash = $1",
    )
    .bind(token_hash(&token))
    .execute(&app.db)
    .await
    .unwrap()
    .rows_affected();
    assert_eq!(
        moved, 1,
        "the session row is found by the SHA-256 of its token"
    );

    assert_unauthorized(app.get_as(STAFF_ENDPOINT, &token).await).await;
}

#[tokio::test]
async fn the_sessions_table_never_holds_the_token_in_clear() {
    let app = TestApp::spawn().await;
    let (id, email) = front_desk(&app).await;
    let token = app.sign_in(&email, PASSWORD).await;

    let hashes: Vec<Vec<u8>> =
        sqlx::query_scalar("SELECT token_hash FROM staff_sessions WHERE staff_id = $1")
            .bind(id)
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(hashes.len(), 1);
    let stored = &hashes[0];
    assert_ne!(stored.as_slice(), token.as_bytes());
    assert_eq!(stored.len(), 32, "a SHA-256 is 32 bytes");
    assert_eq!(
        stored,
        &token_hash(&token),
        "the stored value is the token's SHA-256"
    );

    let rows_with_token: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM staff_sessions s WHERE strpos(row_to_json(s)::text, $1) > 0",
    )
    .bind(&token)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(rows_with_token, 0, "no column holds the token in clear");
}

#[tokio::test]
async fn no_or_a_bad_bearer_token_is_a_401_problem_with_a_bearer_challenge() {
    let app = TestApp::spawn().await;

    let no_header = app.get(STAFF_ENDPOINT).await;
    assert_unauthorized(no_header).await;

    assert_unauthorized(app.get_as(STAFF_ENDPOINT, "garbage").await).await;
    assert_unauthorized(
        app.get_as(
            STAFF_ENDPOINT,
            "cds_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        )
        .await,
    )
    .await;

    let basic = app
        .client
        .get(app.url(STAFF_ENDPOINT))
        .basic_auth("admin", Some("admin"))
        .send()
        .await
        .unwrap();
    assert_unauthorized(basic).await;

    let too_long = app.get_as(STAFF_ENDPOINT, &"x".repeat(5000)).await;
    assert_unauthorized(too_long).await;

    // Signing out needs a token too.
    let sign_out_anonymous = app
        .client
        .delete(app.url("/v1/staff/sessions/current"))
        .send()
        .await
        .unwrap();
    assert_unauthorized(sign_out_anonymous).await;
}

#[tokio::test]
async fn the_email_is_matched_case_insensitively() {
    let app = TestApp::spawn().await;
    let local = format!("admin-{}", Uuid::new_v4().simple());
    let email = format!("{local}@clinic.test");
    let id = app.create_staff(&email, "admin", &[], PASSWORD).await;

    let shouted = format!("{}@CLINIC.TEST", local.to_ascii_uppercase());
    let response = sign_in_raw(&app, &json!({"email": shouted, "password": PASSWORD})).await;
    assert_eq!(response.status(), 201);
    let body = json_of(response).await;
    assert_eq!(body["staff"]["id"], id.to_string());
    let token = body["token"].as_str().unwrap();
    assert_eq!(app.get_as("/v1/admin/clinics", token).await.status(), 200);

    // The password, unlike the email, is exact.
    let upper_password = sign_in_raw(
        &app,
        &json!({"email": email, "password": PASSWORD.to_ascii_uppercase()}),
    )
    .await;
    assert_unauthorized(upper_password).await;
}

#[tokio::test]
async fn repeated_wrong_passwords_throttle_a_known_and_an_unknown_email_alike() {
    let app = TestApp::spawn().await;
    app.create_staff("desk@clinic.test", "admin", &[], "the right password!")
        .await;
    let attempt = |password: &'static str| {
        let body = json!({"email": "desk@clinic.test", "password": password});
        let request = app.client.post(app.url("/v1/staff/sessions")).json(&body);
        async move { request.send().await.unwrap() }
    };
    for _ in 0..5 {
        assert_eq!(attempt("a wrong password").await.status(), 401);
    }
    let throttled = attempt("the right password!").await;
    let retry_after: u64 = throttled.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    assert_problem(throttled, 429).await;

    // An unknown email is throttled the same way, so the answer reveals nothing about accounts.
    for _ in 0..5 {
        let response = app
            .post_json(
                "/v1/staff/sessions",
                &json!({"email": "nobody@clinic.test", "password": "x"}),
            )
            .await;
        assert_eq!(response.status(), 401);
    }
    let unknown = app
        .post_json(
            "/v1/staff/sessions",
            &json!({"email": "NOBODY@clinic.test", "password": "x"}),
        )
        .await;
    assert_eq!(unknown.status(), 429);

    // Once the failures are older than the window, the right password works and clears the count.
    sqlx::query("UPDATE staff_sign_in_attempts SET at = at - interval '16 minutes'")
        .execute(&app.db)
        .await
        .unwrap();
    assert_eq!(attempt("the right password!").await.status(), 201);
    let left: i64 = app
        .scalar("SELECT count(*) FROM staff_sign_in_attempts WHERE email = 'desk@clinic.test'")
        .await;
    assert_eq!(left, 0);
}
