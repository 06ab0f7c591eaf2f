//! Cross-cutting error answers: every one is RFC 9457 problem JSON.

use crate::helpers::*;
use serde_json::json;

#[tokio::test]
async fn malformed_json_is_a_400_problem() {
    let app = TestApp::spawn().await;
    let response = app
        .post_raw(
            "/v1/callback-requests",
            Some("application/json"),
            "{\"name\": ",
        )
        .await;
    let problem = assert_problem(response, 400).await;
    assert!(problem["detail"].as_str().unwrap().contains("JSON"));
}

#[tokio::test]
async fn a_wrong_content_type_is_a_415_problem() {
    let app = TestApp::spawn().await;
    let response = app
        .post_raw(
            "/v1/callback-requests",
            Some("application/x-www-form-urlencoded"),
            "name=Jane",
        )
        .await;
    assert_problem(response, 415).await;
    let response = app.post_raw("/v1/callback-requests", None, "{}").await;
    assert_problem(response, 415).await;
}

#[tokio::test]
async fn a_body_over_one_mebibyte_is_a_413_problem() {
    let app = TestApp::spawn().await;
    let mut body = callback_body();
    body["concern"] = json!("x".repeat(1024 * 1024 + 10));
    let problem = assert_problem(app.post_callback(&body).await, 413).await;
    assert_eq!(problem["status"], 413);
    assert_eq!(app.count("callback_requests").await, 0);
}

#[tokio::test]
async fn a_json_value_that_is_not_an_object_is_a_422() {
    let app = TestApp::spawn().await;
    let problem = assert_problem(app.post_callback(&json!(["a", "list"])).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["body"]);
}

#[tokio::test]
async fn every_invalid_field_is_named_at_once() {
    let app = TestApp::spawn().await;
    let body = json!({
        "name": "   ", "phone": "12", "email": "not-an-email", "preferred_time": "midnight",
        "clinic_id": "not-a-uuid", "source_url": "javascript:alert(1)", "concern": 42,
        "consents": {"appointment_reminders": true, "exercise_plans": false, "plans_of_care": false, "service_updates": null}
    });
    let problem = assert_problem(app.post_callback(&body).await, 422).await;
    assert_eq!(
        sorted_error_fields(&problem),
        vec![
            "clinic_id",
            "concern",
            "consents.service_updates",
            "email",
            "name",
            "phone",
            "preferred_time",
            "source_url"
        ]
    );
    for error in problem["errors"].as_array().unwrap() {
        assert!(
            error["code"].is_string() && error["message"].is_string(),
            "{error}"
        );
    }
}

#[tokio::test]
async fn unknown_routes_and_methods_are_problems() {
    let app = TestApp::spawn().await;
    assert_problem(app.get("/v1/nothing-here").await, 404).await;
    assert_problem(
        app.client
            .delete(app.url("/v1/callback-requests"))
            .send()
            .await
            .unwrap(),
        405,
    )
    .await;
}
