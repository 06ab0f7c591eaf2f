//! Health, readiness, request ids and the OpenAPI document.

use crate::helpers::*;

#[tokio::test]
async fn health_and_readiness_answer_200() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/healthz").await.status(), 200);
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    assert_eq!(json_of(ready).await["status"], "ok");
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_echoes_the_clients() {
    let app = TestApp::spawn().await;
    let generated = app.get("/healthz").await;
    let id = generated.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    let echoed = app
        .client
        .get(app.url("/v1/missing"))
        .header("x-request-id", "trace-abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "trace-abc-123");
    assert_eq!(echoed.status(), 404);
}

#[tokio::test]
async fn the_served_document_is_the_committed_openapi_yaml() {
    let app = TestApp::spawn().await;
    let response = app.get("/openapi.yaml").await;
    assert_eq!(response.status(), 200);
    let served = response.text().await.unwrap();
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml")).unwrap();
    assert_eq!(served, committed);
}

/// The committed document must be what the code generates: run `cargo run -- openapi > openapi.yaml`
/// after changing an endpoint.
#[test]
fn openapi_yaml_matches_the_code() {
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml")).unwrap();
    let generated = consultdesk::http::openapi::yaml();
    assert!(
        committed == generated,
        "openapi.yaml is stale: regenerate it with `cargo run -- openapi > openapi.yaml`"
    );
}

/// The document and the router come from one list (`http::routes`); this checks it from the
/// outside: every documented path is routed (a method it does not have is refused with 405, not the
/// 404 of an unknown path) and every documented method on it is served (never 405).
#[tokio::test]
async fn every_documented_operation_is_served() {
    let app = TestApp::spawn().await;
    let document: serde_norway::Value =
        serde_norway::from_str(&consultdesk::http::openapi::yaml()).unwrap();
    let paths = document["paths"].as_mapping().unwrap();
    assert!(paths.len() > 30, "{} paths", paths.len());
    for (path, item) in paths {
        let path = path.as_str().unwrap();
        let concrete: String = path
            .split('/')
            .map(|part| {
                if part.starts_with('{') {
                    "00000000-0000-0000-0000-000000000000"
                } else {
                    part
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let url = app.url(&concrete);
        let unlisted = reqwest::Method::from_bytes(b"TRACE").unwrap();
        let refused = app.client.request(unlisted, &url).send().await.unwrap();
        assert_eq!(refused.status(), 405, "TRACE {path}: is the path routed?");
        for method in item.as_mapping().unwrap().keys() {
            let method = method.as_str().unwrap().to_uppercase();
            let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
            let response = app
                .client
                .request(method.clone(), &url)
                .json(&serde_json::json!({}))
                .send()
                .await
                .unwrap();
            assert_ne!(
                response.status(),
                405,
                "{method} {path} is documented, not served"
            );
        }
    }
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_show_the_outbox_depth() {
    let app = TestApp::spawn().await;
    app.get("/healthz").await;
    app.post_callback(&callback_body()).await;
    app.get("/v1/staff/patients/00000000-0000-0000-0000-000000000000")
        .await;
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = response.text().await.unwrap();
    let has = |needle: &str| text.lines().any(|line| line.contains(needle));
    assert!(
        has(r#"http_requests_total{method="GET",route="/healthz",status="200"}"#),
        "{text}"
    );
    assert!(
        has(r#"route="/v1/callback-requests",status="201""#),
        "{text}"
    );
    assert!(
        has(r#"route="/v1/staff/patients/{id}",status="401""#),
        "routes are labelled by template, not raw path"
    );
    assert!(!text.contains("00000000-0000-0000-0000-000000000000"));
    assert!(has("http_request_duration_seconds_bucket"));
    assert!(has(r#"email_outbox_depth{status="queued"} 1"#), "{text}");
}

#[tokio::test]
async fn with_a_metrics_token_set_metrics_answer_only_to_that_bearer_token() {
    let token = "metrics-token-for-the-scraper-0123456789";
    let app = TestApp::spawn_with(Overrides::from([("METRICS_TOKEN", token.to_owned())])).await;
    let scrape = |authorization: Option<String>| {
        let mut request = app.client.get(app.url("/metrics"));
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        async move { request.send().await.unwrap() }
    };
    for authorization in [
        None,
        Some("Bearer not-the-token".to_owned()),
        Some(format!("Bearer {token}x")),
        Some(format!("Bearer {}", &token[..token.len() - 1])),
        Some(format!("Basic {token}")),
    ] {
        let refused = scrape(authorization.clone()).await;
        assert_eq!(
            refused
                .headers()
                .get("www-authenticate")
                .map(|v| v.to_str().unwrap()),
            Some("Bearer"),
            "{authorization:?}"
        );
        let problem = assert_problem(refused, 401).await;
        assert!(!problem.to_string().contains("http_requests_total"));
    }
    let allowed = scrape(Some(format!("Bearer {token}"))).await;
    assert_eq!(allowed.status(), 200);
    assert!(allowed.text().await.unwrap().contains("email_outbox_depth"));
}

#[tokio::test]
async fn without_a_metrics_token_metrics_are_open() {
    let app = TestApp::spawn().await;
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("email_outbox_depth")
    );
}
