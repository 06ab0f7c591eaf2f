//! Per-IP rate limiting of public POSTs, and CORS for the configured website origins.

use crate::helpers::*;
use serde_json::json;

#[tokio::test]
async fn public_posts_past_the_limit_get_429_with_retry_after() {
    let app =
        TestApp::spawn_with(Overrides::from([("PUBLIC_RATE_LIMIT", "3/min".to_owned())])).await;
    for _ in 0..3 {
        assert_eq!(app.post_callback(&callback_body()).await.status(), 201);
    }
    let refused = app.post_callback(&callback_body()).await;
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (1..=20).contains(&retry_after),
        "one request frees up every 20 s: {retry_after}"
    );
    assert_problem(refused, 429).await;
    assert_eq!(
        app.count("callback_requests").await,
        3,
        "the refused request stored nothing"
    );

    let sign_in = app
        .post_json(
            "/v1/staff/sessions",
            &json!({"email": "a@b.test", "password": "x"}),
        )
        .await;
    assert_eq!(
        sign_in.status(),
        429,
        "sign-in shares the public bucket, so passwords cannot be sprayed"
    );
    assert_eq!(app.get("/healthz").await.status(), 200);
}

#[tokio::test]
async fn cors_allows_only_the_configured_origins() {
    let app = TestApp::spawn_with(Overrides::from([(
        "CORS_ORIGINS",
        "https://clinic.example, https://physio.example".to_owned(),
    )]))
    .await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/v1/callback-requests"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "content-type,idempotency-key",
            )
            .send()
    };
    let allowed = preflight("https://physio.example").await.unwrap();
    assert!(allowed.status().is_success());
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://physio.example"
    );
    let allowed_headers = allowed.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(allowed_headers.contains("idempotency-key"));

    let refused = preflight("https://evil.example").await.unwrap();
    assert!(
        !refused
            .headers()
            .contains_key("access-control-allow-origin")
    );

    let posted = app
        .client
        .post(app.url("/v1/callback-requests"))
        .header("origin", "https://clinic.example")
        .json(&callback_body())
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 201);
    assert_eq!(
        posted.headers()["access-control-allow-origin"],
        "https://clinic.example"
    );
}

#[tokio::test]
async fn public_searches_have_their_own_limit() {
    let app = TestApp::spawn_with(Overrides::from([(
        "PUBLIC_READ_RATE_LIMIT",
        "2/min".to_owned(),
    )]))
    .await;
    let search = || {
        app.client
            .get(app.url("/v1/practitioners?city=Toronto"))
            .send()
    };
    assert_eq!(search().await.unwrap().status(), 200);
    assert_eq!(search().await.unwrap().status(), 200);
    let refused = search().await.unwrap();
    assert!(refused.headers().contains_key("retry-after"));
    assert_problem(refused, 429).await;
    assert_eq!(
        app.post_callback(&callback_body()).await.status(),
        201,
        "forms keep their own bucket"
    );
}

async fn post_forwarded_for(app: &TestApp, forwarded_for: &str) -> u16 {
    app.client
        .post(app.url("/v1/callback-requests"))
        .header("x-forwarded-for", forwarded_for)
        .json(&callback_body())
        .send()
        .await
        .expect("POST")
        .status()
        .as_u16()
}

async fn last_consent_ip(app: &TestApp) -> String {
    sqlx::query_scalar("SELECT host(ip) FROM consent_events ORDER BY id DESC LIMIT 1")
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn behind_a_trusted_load_balancer_each_client_has_its_own_limit() {
    let app = TestApp::spawn_with(Overrides::from([
        ("PUBLIC_RATE_LIMIT", "2/min".to_owned()),
        ("TRUSTED_PROXIES", "127.0.0.1, ::1".to_owned()),
    ]))
    .await;
    // The balancer appends the address it saw; what a client writes before it changes nothing.
    assert_eq!(
        post_forwarded_for(&app, "198.51.100.7, 203.0.113.1").await,
        201
    );
    assert_eq!(post_forwarded_for(&app, "203.0.113.1").await, 201);
    assert_eq!(
        post_forwarded_for(&app, "192.0.2.99, 203.0.113.1").await,
        429
    );
    assert_eq!(post_forwarded_for(&app, "203.0.113.2").await, 201);
    assert_eq!(last_consent_ip(&app).await, "203.0.113.2");
}

#[tokio::test]
async fn forwarded_addresses_are_ignored_unless_the_peer_is_trusted() {
    let app =
        TestApp::spawn_with(Overrides::from([("PUBLIC_RATE_LIMIT", "2/min".to_owned())])).await;
    assert_eq!(post_forwarded_for(&app, "203.0.113.1").await, 201);
    assert_eq!(post_forwarded_for(&app, "203.0.113.2").await, 201);
    assert_eq!(
        post_forwarded_for(&app, "203.0.113.3").await,
        429,
        "a client picked its own bucket"
    );
    assert_eq!(last_consent_ip(&app).await, "127.0.0.1");
}

#[tokio::test]
async fn ipv6_clients_share_a_limit_per_64_and_ipv4_clients_per_address() {
    let app = TestApp::spawn_with(Overrides::from([
        ("PUBLIC_RATE_LIMIT", "2/min".to_owned()),
        ("TRUSTED_PROXIES", "127.0.0.1".to_owned()),
    ]))
    .await;
    // Two hosts of one /64 (one home or one machine rotating privacy addresses) have one bucket.
    assert_eq!(post_forwarded_for(&app, "2001:db8:aa:1::10").await, 201);
    assert_eq!(
        post_forwarded_for(&app, "2001:db8:aa:1:c0ff:ee::1").await,
        201
    );
    assert_eq!(post_forwarded_for(&app, "2001:db8:aa:1::11").await, 429);
    // The next /64 is someone else.
    assert_eq!(post_forwarded_for(&app, "2001:db8:aa:2::10").await, 201);
    assert_eq!(last_consent_ip(&app).await, "2001:db8:aa:2::10");
    // IPv4 neighbours are separate clients.
    assert_eq!(post_forwarded_for(&app, "203.0.113.1").await, 201);
    assert_eq!(post_forwarded_for(&app, "203.0.113.1").await, 201);
    assert_eq!(post_forwarded_for(&app, "203.0.113.1").await, 429);
    assert_eq!(post_forwarded_for(&app, "203.0.113.2").await, 201);
}
