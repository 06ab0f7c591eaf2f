//! The website's forms over HTTP (issue 17): `/embed.js` is small, cacheable and carries both
//! languages' texts; the public API answers the website origins in `CORS_ORIGINS` and no other;
//! `/demo` shows the three elements; a booking form for a clinic lists that clinic's team
//! (`GET /v1/clinics/{id}/practitioners`). The elements themselves run in Chromium in
//! `embed_browser.rs`.

use crate::bookings::Desk;
use crate::helpers::*;
use flate2::read::GzDecoder;
use serde_json::json;
use std::io::Read as _;

const SITE: &str = "https://runners-knee.example";

fn with_site() -> Overrides {
    Overrides::from([("CORS_ORIGINS", format!("{SITE},https://other.example"))])
}

#[tokio::test]
async fn the_script_is_under_30_kb_gzipped_cacheable_and_speaks_both_languages() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .get(app.url("/embed.js"))
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|value| value.to_str().unwrap().to_owned())
    };
    assert_eq!(
        header("content-type").as_deref(),
        Some("text/javascript; charset=utf-8")
    );
    assert_eq!(header("content-encoding").as_deref(), Some("gzip"));
    assert_eq!(header("vary").as_deref(), Some("accept-encoding"));
    let etag = header("etag").expect("an ETag");
    assert!(
        header("cache-control").unwrap().contains("max-age="),
        "cacheable"
    );
    let gzipped = response.bytes().await.unwrap();
    // Everything a clinic's page downloads for the three forms.
    assert!(
        gzipped.len() < 30 * 1024,
        "/embed.js is {} bytes gzipped; the budget is 30 KB",
        gzipped.len()
    );
    let mut script = String::new();
    GzDecoder::new(&gzipped[..])
        .read_to_string(&mut script)
        .expect("a gzip body");
    for element in [
        "consultdesk-callback",
        "consultdesk-booking",
        "consultdesk-finder",
    ] {
        assert!(
            script.contains(&format!("customElements.define('{element}'")),
            "{element}"
        );
    }
    // The catalogue's words in both languages, not the source's empty placeholder.
    assert!(script.contains("\"widget-booking-submit\":\"Book this consult\""));
    assert!(script.contains("\"widget-booking-submit\":\"Réserver cette consultation\""));

    // Without gzip, the same script.
    let plain = app.get("/embed.js").await;
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.text().await.unwrap(), script);

    // Revalidation costs no body; a versioned URL is cached for good.
    let again = app
        .client
        .get(app.url("/embed.js"))
        .header("accept-encoding", "gzip")
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
    let version = etag.trim_matches('"').trim_end_matches("-gzip");
    let versioned = app.get(&format!("/embed.js?v={version}")).await;
    assert_eq!(
        versioned.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let stale = app.get("/embed.js?v=0000").await;
    assert_ne!(
        stale.headers()["cache-control"],
        "public, max-age=31536000, immutable",
        "an old version's URL must not pin this script for a year"
    );
}

#[tokio::test]
async fn a_listed_website_may_call_the_public_api_and_another_gets_nothing() {
    let app = TestApp::spawn_with(with_site()).await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/v1/callback-requests"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "content-type,idempotency-key,accept-language",
            )
            .send()
    };
    let allowed = preflight(SITE).await.unwrap();
    assert_eq!(allowed.headers()["access-control-allow-origin"], SITE);
    let headers = allowed.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_owned();
    for needed in ["content-type", "idempotency-key", "accept-language"] {
        assert!(headers.contains(needed), "{needed} in {headers}");
    }
    let refused = preflight("https://elsewhere.example").await.unwrap();
    assert!(
        refused
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );

    // The answer itself: the site may read it and the headers the forms need.
    let response = app
        .client
        .post(app.url("/v1/callback-requests"))
        .header("origin", SITE)
        .json(&callback_body())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["access-control-allow-origin"], SITE);
    let exposed = response.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(
        exposed.contains("retry-after"),
        "a 429's wait is readable: {exposed}"
    );
    let wording = app
        .client
        .get(app.url("/v1/consent-wording?locale=fr"))
        .header("origin", "https://elsewhere.example")
        .send()
        .await
        .unwrap();
    assert!(
        wording
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}

#[tokio::test]
async fn the_demo_page_shows_the_three_elements_for_a_clinic_under_a_strict_policy() {
    let app = TestApp::spawn().await;
    let empty = app.get("/demo").await;
    assert_eq!(empty.status(), 200);
    let page = empty.text().await.unwrap();
    assert!(page.contains("consultdesk seed-demo"), "{page}");
    assert!(!page.contains("<consultdesk-booking"));

    let admin = app.admin_token().await;
    let clinic = app.create_clinic(&admin, "Downtown Physio").await;
    let other = app.create_clinic(&admin, "Uptown Chiro").await;
    let response = app.get("/demo").await;
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    for part in [
        "default-src 'none'",
        "script-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(policy.contains(part), "{part} in {policy}");
    }
    assert!(!policy.contains("unsafe"), "{policy}");
    let page = response.text().await.unwrap();
    assert!(page.contains(&format!("<consultdesk-booking clinic=\"{clinic}\"")));
    assert!(page.contains(&format!("<consultdesk-callback clinic=\"{clinic}\"")));
    assert!(page.contains("<consultdesk-finder"));
    assert!(page.contains("src=\"&#x2f;embed.js?v="), "{page}");

    let chosen = app.get(&format!("/demo?clinic={other}&lang=fr")).await;
    assert_eq!(chosen.headers()["content-language"], "fr-CA");
    let page = chosen.text().await.unwrap();
    assert!(page.contains(&format!("<consultdesk-callback clinic=\"{other}\"")));
    assert!(page.contains("Formulaires du site web"));
}

#[tokio::test]
async fn a_clinics_booking_form_lists_its_active_practitioners_page_by_page() {
    let desk = Desk::new().await;
    let app = &desk.app;
    let second = desk.practitioner_at(desk.clinic, &["video"]).await;
    let retired = desk.practitioner_at(desk.clinic, &["phone"]).await;
    let response = app
        .patch_as(
            &format!("/v1/admin/practitioners/{retired}"),
            &desk.admin,
            &json!({"active": false}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let elsewhere = desk.clinic_in("Uptown Chiro", "America/Vancouver").await;
    desk.practitioner_at(elsewhere, &["phone"]).await;

    let first_page = json_of(
        app.get(&format!(
            "/v1/clinics/{}/practitioners?limit=1",
            desk.clinic
        ))
        .await,
    )
    .await;
    assert_eq!(
        first_page["items"][0]["id"],
        json!(desk.practitioner.to_string())
    );
    assert_eq!(
        first_page["items"][0]["clinic"]["time_zone"],
        "America/Toronto"
    );
    assert!(
        first_page["items"][0]["next_available"].is_string(),
        "{first_page}"
    );
    let cursor = first_page["next_cursor"].as_str().expect("a second page");
    let second_page = json_of(
        app.get(&format!(
            "/v1/clinics/{}/practitioners?limit=1&cursor={cursor}",
            desk.clinic
        ))
        .await,
    )
    .await;
    assert_eq!(
        second_page["items"],
        json!([second_page["items"][0].clone()])
    );
    assert_eq!(second_page["items"][0]["id"], json!(second.to_string()));
    assert_eq!(
        second_page["next_cursor"],
        json!(null),
        "the retired one is not listed"
    );

    assert_problem(
        app.get(&format!(
            "/v1/clinics/{}/practitioners",
            uuid::Uuid::now_v7()
        ))
        .await,
        404,
    )
    .await;
    assert_problem(app.get("/v1/clinics/not-an-id/practitioners").await, 404).await;
    let problem = assert_problem(
        app.get(&format!(
            "/v1/clinics/{}/practitioners?limit=0&cursor=%%%",
            desk.clinic
        ))
        .await,
        422,
    )
    .await;
    assert_eq!(sorted_error_fields(&problem), vec!["cursor", "limit"]);
}

#[tokio::test]
async fn a_search_without_a_place_says_so_in_the_visitors_language() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .get(app.url("/v1/practitioners?discipline=physiotherapy"))
        .header("accept-language", "fr-CA")
        .send()
        .await
        .unwrap();
    let problem = assert_problem(response, 422).await;
    assert_eq!(error_fields(&problem), vec!["location"]);
    let message = problem["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("exactement un"),
        "the catalogue's French, not English: {message}"
    );
}
