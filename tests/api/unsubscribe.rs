//! GET/POST /unsubscribe/{token}, black-box: the links come from the emails a real SMTP server
//! received (the `List-Unsubscribe` header, the text body and the HTML body), and every effect is
//! checked in the consent ledger and the outbox. Covers the preferences page and its headers, GET
//! changing nothing, RFC 8058 one-click (both encodings), the page's form (saving, granting again,
//! everything off), suppression of queued emails, bad tokens of every kind (every character
//! flipped in turn), key rotation, and what a token does not reveal.

use crate::helpers::*;
use crate::mime::html_unescape;
pub use crate::mime::leaves;
use crate::smtp::{Captured, SmtpServer};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{Duration as TimeDelta, Utc};
use consultdesk::consent::tokens;
use consultdesk::domain::consent::{ConsentCategory, Sender};
use consultdesk::email::worker::{Outcome, Worker};
use futures::StreamExt as _;
use reqwest::Response;
use serde_json::json;
use sha2::{Digest as _, Sha256};
use std::collections::BTreeMap;
use std::time::Duration;
use uuid::Uuid;

/// The key the app verifies with and the test worker signs with (at least 32 bytes, no comma).
pub const KEY_A: &str = "unsubscribe-test-key-A-0123456789abcdef";
/// A second key, for rotation and for "signed with the wrong key".
pub const KEY_B: &str = "unsubscribe-test-key-B-fedcba9876543210";
/// The app's `PUBLIC_BASE_URL` in tests: the base of every emailed link.
pub const PUBLIC_BASE: &str = "http://consultdesk.test";
pub const CLINIC: &str = "Riverside Physiotherapy";
/// How long a test waits for something that should take well under a second.
pub const PATIENCE: Duration = Duration::from_secs(10);
const ONE_CLICK: &str = "List-Unsubscribe=One-Click";
const CATEGORIES: [&str; 4] = [
    "appointment_reminders",
    "exercise_plans",
    "plans_of_care",
    "service_updates",
];

// ---------------------------------------------------------------------------------------------
// A patient with a clinic, the emails they received, and the ledger

/// The app (verifying with `signing_keys`), a capturing SMTP server, a clinic with a front desk,
/// and a patient who asked for a callback there consenting to reminders and exercise plans only.
pub struct Fixture {
    pub app: TestApp,
    pub smtp: SmtpServer,
    pub desk: String,
    pub patient: Uuid,
    pub email: String,
}

impl Fixture {
    pub async fn new(signing_keys: &str) -> Fixture {
        let app = TestApp::spawn_with(overrides(signing_keys)).await;
        let smtp = SmtpServer::start().await;
        let admin = app.admin_token().await;
        let clinic = app.create_clinic(&admin, CLINIC).await;
        let desk = app.staff_token("front_desk", &[clinic]).await;
        let email = format!("patient-{}@example.com", Uuid::new_v4().simple());
        let mut body = callback_body();
        body["email"] = json!(email);
        body["clinic_id"] = json!(clinic);
        body["consents"] = json!({"appointment_reminders": true, "exercise_plans": true,
                                  "plans_of_care": false, "service_updates": false});
        let callback: Uuid = app.accepted_callback(&body).await;
        let patient = sqlx::query_scalar("SELECT patient_id FROM callback_requests WHERE id = $1")
            .bind(callback)
            .fetch_one(&app.db)
            .await
            .expect("the callback's patient");
        Fixture {
            app,
            smtp,
            desk,
            patient,
            email,
        }
    }

    /// An outbox worker delivering to this fixture's SMTP server, signing links with `key`.
    pub fn worker(&self, key: &str) -> Worker {
        self.app.worker(&self.smtp, |config| {
            config.public_base_url = PUBLIC_BASE.to_owned();
            config.signing_keys = vec![key.as_bytes().to_vec()];
        })
    }

    /// Queues an exercise plan email (as staff do); its outbox row id.
    pub async fn queue_plan(&self, title: &str) -> Uuid {
        let response = self
            .app
            .post_as(
                &format!("/v1/staff/patients/{}/exercise-plans", self.patient),
                &self.desk,
                &json!({"title": title, "exercises": [{"name": "Calf raises", "instructions": ["Rise onto your toes."], "sets": 3, "reps": 15}]}),
            )
            .await;
        assert_eq!(response.status(), 201, "queueing an exercise plan");
        let body = json_of(response).await;
        body["email"]["id"]
            .as_str()
            .and_then(|id| id.parse().ok())
            .unwrap_or_else(|| panic!("the plan's email id: {body}"))
    }

    /// Sends everything due, signing with `key`; every message the SMTP server has received.
    pub async fn deliver(&self, key: &str) -> Vec<Captured> {
        let worker = self.worker(key);
        let before = self.smtp.messages().len();
        let mut sent = 0;
        loop {
            let outcomes = worker.run_once().await.expect("a worker round");
            if outcomes.is_empty() {
                break;
            }
            assert!(outcomes.iter().all(|o| *o == Outcome::Sent), "{outcomes:?}");
            sent += outcomes.len();
        }
        self.smtp.wait_for(before + sent, PATIENCE).await
    }

    /// The patient's unsubscribe handle, as stored.
    pub async fn unsubscribe_ref(&self) -> Uuid {
        sqlx::query_scalar("SELECT unsubscribe_ref FROM patients WHERE id = $1")
            .bind(self.patient)
            .fetch_one(&self.app.db)
            .await
            .expect("the patient's unsubscribe_ref")
    }

    pub async fn events(&self) -> Vec<Event> {
        events(&self.app, self.patient).await
    }

    pub async fn consents(&self) -> BTreeMap<String, bool> {
        consents(&self.app, self.patient).await
    }

    /// The URL of a link from an email, on the running app instead of the public base.
    pub fn local(&self, link: &str) -> String {
        local(&self.app, link)
    }
}

pub fn overrides(signing_keys: &str) -> Overrides {
    Overrides::from([
        ("SIGNING_KEY", signing_keys.to_owned()),
        // The tampering test sends a few hundred requests to the rate-limited unsubscribe routes.
        ("PUBLIC_READ_RATE_LIMIT", "100000/min".to_owned()),
    ])
}

pub fn local(app: &TestApp, link: &str) -> String {
    let path = link
        .strip_prefix(PUBLIC_BASE)
        .unwrap_or_else(|| panic!("a link under {PUBLIC_BASE}: {link}"));
    format!("{}{path}", app.address)
}

/// One consent-ledger row.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Event {
    pub(crate) id: Uuid,
    pub(crate) category: String,
    pub(crate) granted: bool,
    pub(crate) source: String,
    pub(crate) wording_version: String,
    pub(crate) ip: Option<String>,
    pub(crate) user_agent: Option<String>,
}

/// The patient's whole ledger, oldest first.
pub async fn events(app: &TestApp, patient: Uuid) -> Vec<Event> {
    sqlx::query_as(
        "SELECT id, category, granted, source, wording_version, host(ip) AS ip, user_agent
           FROM consent_events WHERE patient_id = $1 ORDER BY id",
    )
    .bind(patient)
    .fetch_all(&app.db)
    .await
    .expect("the consent ledger")
}

/// The state in force per category (the newest row; no row means not granted).
pub async fn consents(app: &TestApp, patient: Uuid) -> BTreeMap<String, bool> {
    let mut state: BTreeMap<String, bool> = CATEGORIES
        .iter()
        .map(|category| ((*category).to_owned(), false))
        .collect();
    for event in events(app, patient).await {
        state.insert(event.category, event.granted);
    }
    state
}

pub fn state(granted: &[&str]) -> BTreeMap<String, bool> {
    CATEGORIES
        .iter()
        .map(|category| ((*category).to_owned(), granted.contains(category)))
        .collect()
}

/// Everything a bad link must leave alone: the whole ledger and every outbox row's status.
async fn snapshot(app: &TestApp) -> (Vec<(Uuid, String, bool)>, Vec<(Uuid, String)>) {
    let ledger = sqlx::query_as("SELECT id, category, granted FROM consent_events ORDER BY id")
        .fetch_all(&app.db)
        .await
        .expect("the ledger");
    let outbox = sqlx::query_as("SELECT id, status FROM email_outbox ORDER BY id")
        .fetch_all(&app.db)
        .await
        .expect("the outbox");
    (ledger, outbox)
}

async fn outbox_status(app: &TestApp, id: Uuid) -> (String, Option<String>) {
    sqlx::query_as("SELECT status, last_error FROM email_outbox WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .expect("the outbox row")
}

// ---------------------------------------------------------------------------------------------
// Reading the link back out of a received email

/// The message of kind `kind` (by `X-Consultdesk-Kind`); exactly one.
pub fn of_kind<'a>(messages: &'a [Captured], kind: &str) -> &'a Captured {
    let found: Vec<&Captured> = messages
        .iter()
        .filter(|m| m.header("X-Consultdesk-Kind").as_deref() == Some(kind))
        .collect();
    assert_eq!(found.len(), 1, "one {kind} email");
    found[0]
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// Every unsubscribe URL in `text`.
fn links_in(text: &str) -> Vec<String> {
    let prefix = format!("{PUBLIC_BASE}/unsubscribe/");
    text.match_indices(prefix.as_str())
        .map(|(at, _)| {
            let token: String = text[at + prefix.len()..]
                .chars()
                .take_while(|c| is_token_char(*c))
                .collect();
            format!("{prefix}{token}")
        })
        .collect()
}

/// The unsubscribe link of `message`, after checking that the `List-Unsubscribe` header, the text
/// body and the HTML body (as a link and as text) all carry the very same one.
pub fn link_of(message: &Captured) -> String {
    let header = message
        .header("List-Unsubscribe")
        .expect("a List-Unsubscribe header");
    let link = header
        .strip_prefix('<')
        .and_then(|rest| rest.strip_suffix('>'))
        .unwrap_or_else(|| panic!("List-Unsubscribe is <URL>: {header}"))
        .to_owned();
    assert_eq!(
        links_in(&link),
        std::slice::from_ref(&link),
        "one plain URL: {link}"
    );
    assert_eq!(
        message.header("List-Unsubscribe-Post").as_deref(),
        Some(ONE_CLICK)
    );
    let parts = leaves(&message.data);
    let text = parts
        .iter()
        .find(|(mime, _)| mime == "text/plain")
        .map(|(_, body)| body.clone())
        .expect("a text/plain part");
    let html = parts
        .iter()
        .find(|(mime, _)| mime == "text/html")
        .map(|(_, body)| html_unescape(body))
        .expect("a text/html part");
    let in_text = links_in(&text);
    assert!(!in_text.is_empty(), "the text body has the link:\n{text}");
    assert!(
        in_text.iter().all(|found| *found == link),
        "the text body's links {in_text:?} are the header's {link}"
    );
    let in_html = links_in(&html);
    assert!(!in_html.is_empty(), "the HTML body has the link:\n{html}");
    assert!(
        in_html.iter().all(|found| *found == link),
        "the HTML body's links {in_html:?} are the header's {link}"
    );
    assert!(
        html.contains(&format!("href=\"{link}\"")),
        "the HTML body links to it:\n{html}"
    );
    link
}

pub fn token_of(link: &str) -> &str {
    link.strip_prefix(&format!("{PUBLIC_BASE}/unsubscribe/"))
        .unwrap_or_else(|| panic!("an unsubscribe link: {link}"))
}

// ---------------------------------------------------------------------------------------------
// Requests and pages

const USER_AGENT: &str = "Mozilla/5.0 (unsubscribe test; one-click)";

pub async fn get(app: &TestApp, url: &str) -> Response {
    app.client
        .get(url)
        .header("user-agent", USER_AGENT)
        .send()
        .await
        .expect("GET the link")
}

pub async fn post_form(app: &TestApp, url: &str, form: &str) -> Response {
    app.client
        .post(url)
        .header("user-agent", USER_AGENT)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form.to_owned())
        .send()
        .await
        .expect("POST the link")
}

async fn post_multipart(app: &TestApp, url: &str, name: &str, value: &str) -> Response {
    let boundary = "----consultdesk-test-7d1f3a";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n--{boundary}--\r\n"
    );
    app.client
        .post(url)
        .header("user-agent", USER_AGENT)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .expect("POST the link")
}

fn header(response: &Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("a {name} header"))
        .to_owned()
}

/// Asserts an English HTML page with its protective headers; returns its body.
pub async fn html_page(response: Response, status: u16) -> String {
    html_page_in(response, status, "en-CA").await
}

/// Asserts an HTML page in the language `tag` (`en-CA`, `fr-CA`: its `<html lang>` and its
/// `Content-Language`) with its protective headers; returns its body.
pub async fn html_page_in(response: Response, status: u16, tag: &str) -> String {
    assert_eq!(response.status(), status, "status of {}", response.url());
    assert_eq!(
        header(&response, "content-language"),
        tag,
        "the language of {}",
        response.url()
    );
    let content_type = header(&response, "content-type");
    assert!(
        content_type.starts_with("text/html"),
        "text/html: {content_type}"
    );
    let policy = header(&response, "content-security-policy");
    assert!(
        policy.contains("default-src 'none'"),
        "strict CSP: {policy}"
    );
    assert!(
        !policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"),
        "strict CSP: {policy}"
    );
    assert!(!policy.contains('*'), "no wildcard sources: {policy}");
    assert_eq!(header(&response, "x-content-type-options"), "nosniff");
    assert!(
        header(&response, "cache-control").contains("no-store"),
        "not cached"
    );
    let body = response.text().await.expect("an HTML body");
    assert_self_contained(&body, tag);
    body
}

/// Mobile-friendly, in the language `tag`, and nothing that loads or runs from anywhere.
fn assert_self_contained(page: &str, tag: &str) {
    let lower = page.to_ascii_lowercase();
    assert!(lower.starts_with("<!doctype html>"), "{page}");
    assert!(
        page.contains(&format!("<html lang=\"{tag}\">")),
        "lang=\"{tag}\": {page}"
    );
    assert!(
        lower.contains("<meta name=\"viewport\" content=\"width=device-width"),
        "a viewport meta tag: {page}"
    );
    for forbidden in [
        "<script",
        "src=",
        "href=\"http",
        "href=\"//",
        "url(",
        "@import",
    ] {
        assert!(!lower.contains(forbidden), "no {forbidden:?}: {page}");
    }
}

/// The preferences page's checkbox for each category: whether it is checked.
pub fn checkboxes(page: &str) -> BTreeMap<String, bool> {
    let mut found = BTreeMap::new();
    for (at, _) in page.match_indices("<input") {
        let tag = &page[at..at + page[at..].find('>').expect("a closed tag")];
        if !tag.contains("type=\"checkbox\"") {
            continue;
        }
        assert!(tag.contains("name=\"category\""), "{tag}");
        let value = tag
            .split("value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| panic!("a value: {tag}"));
        let checked = tag
            .split_whitespace()
            .any(|word| word == "checked" || word.starts_with("checked="));
        assert!(
            found.insert(value.to_owned(), checked).is_none(),
            "one checkbox per category: {page}"
        );
    }
    found
}

/// What the confirmation page says is in force, by label ("Exercise plans" → false).
fn confirmed(page: &str) -> BTreeMap<String, bool> {
    page.split("<li>")
        .skip(1)
        .filter_map(|item| {
            let item = item.split("</li>").next()?;
            let (label, answer) = item.split_once(':')?;
            let answer = answer.replace("<strong>", "").replace("</strong>", "");
            let granted = match answer.trim() {
                "yes" => true,
                "no" => false,
                _ => return None,
            };
            Some((label.trim().to_owned(), granted))
        })
        .collect()
}

fn labelled(granted: &[&str]) -> BTreeMap<String, bool> {
    [
        ("Appointment reminders", "appointment_reminders"),
        ("Exercise plans", "exercise_plans"),
        ("Plans of care", "plans_of_care"),
        ("Service updates", "service_updates"),
    ]
    .into_iter()
    .map(|(label, key)| (label.to_owned(), granted.contains(&key)))
    .collect()
}

/// Asserts the confirmation page: saved, naming the clinic, stating exactly `granted` in force.
async fn assert_saved(response: Response, granted: &[&str]) {
    let page = html_page(response, 200).await;
    assert!(page.contains("Your preferences are saved"), "{page}");
    assert!(page.contains(CLINIC), "names the clinic: {page}");
    assert_eq!(confirmed(&page), labelled(granted), "{page}");
}

/// A patient with a delivered exercise plan (and the callback email before it): the fixture and
/// the links of the exercise plan email and the callback email.
async fn with_emails() -> (Fixture, String, String) {
    let fixture = Fixture::new(KEY_A).await;
    fixture.queue_plan("Week 1").await;
    let messages = fixture.deliver(KEY_A).await;
    assert_eq!(messages.len(), 2, "the callback email and the plan");
    let plan = link_of(of_kind(&messages, "exercise_plan"));
    let callback = link_of(of_kind(&messages, "callback_received"));
    assert_ne!(plan, callback, "each email has its own link");
    (fixture, plan, callback)
}

// ---------------------------------------------------------------------------------------------
// The page

#[tokio::test]
async fn the_emailed_link_is_one_in_header_and_bodies_and_opens_the_preferences_page() {
    let (fixture, plan, callback) = with_emails().await;
    let token = token_of(&plan);
    assert!(token.len() >= 43, "at least 256 bits: {token}");
    assert!(token.chars().all(is_token_char), "URL-safe: {token}");

    let page = html_page(get(&fixture.app, &fixture.local(&plan)).await, 200).await;
    assert!(page.contains(CLINIC), "names the clinic: {page}");
    assert!(page.contains("<h1>Your email preferences</h1>"), "{page}");
    assert!(
        page.contains(">Unsubscribe from exercise plans</button>"),
        "the button for this email's category: {page}"
    );
    assert!(
        page.contains(&format!(
            ">Unsubscribe from everything {CLINIC} sends</button>"
        )),
        "{page}"
    );
    assert!(
        page.contains(">Unsubscribe from every sender</button>"),
        "{page}"
    );
    assert!(page.contains(">Save my choices</button>"), "{page}");
    assert_eq!(
        checkboxes(&page),
        state(&["appointment_reminders", "exercise_plans"]),
        "each category's current state: {page}"
    );
    // Every checkbox has a label a screen reader announces.
    for category in CATEGORIES {
        assert!(
            page.contains(&format!("id=\"c-{category}\""))
                && page.contains(&format!("<label for=\"c-{category}\">")),
            "{category} is labelled: {page}"
        );
    }
    for form in page.match_indices("<form").map(|(at, _)| &page[at..]) {
        let tag = &form[..form.find('>').expect("a closed tag")];
        assert!(tag.contains("method=\"post\""), "{tag}");
        assert!(
            !tag.contains("action=\"http"),
            "posts back to itself: {tag}"
        );
    }

    // The transactional email's link covers every category.
    let page = html_page(get(&fixture.app, &fixture.local(&callback)).await, 200).await;
    assert!(page.contains(CLINIC), "{page}");
    assert!(
        page.contains(">Unsubscribe from all these emails</button>"),
        "{page}"
    );
    assert_eq!(
        checkboxes(&page),
        state(&["appointment_reminders", "exercise_plans"])
    );
}

/// The `<style>` element's text and the CSP's `style-src` sources of a page response.
async fn style_and_policy(response: Response) -> (String, Vec<String>) {
    let policy = header(&response, "content-security-policy");
    let page = response.text().await.expect("a page");
    let style = page
        .split_once("<style>")
        .and_then(|(_, rest)| rest.split_once("</style>"))
        .map(|(style, _)| style.to_owned())
        .unwrap_or_else(|| panic!("an inline stylesheet: {page}"));
    let sources = policy
        .split(';')
        .map(str::trim)
        .find_map(|directive| directive.strip_prefix("style-src "))
        .unwrap_or_else(|| panic!("a style-src directive: {policy}"))
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    (style, sources)
}

/// A browser applies an inline stylesheet under `style-src 'sha256-…'` only when the hash is that
/// of the element's exact text as served (checked in a real browser in browser.rs).
#[tokio::test]
async fn each_pages_inline_stylesheet_is_the_one_its_csp_hash_allows() {
    let (fixture, plan, _) = with_emails().await;
    let app = &fixture.app;
    let url = fixture.local(&plan);
    let pages = [
        ("the preferences page", get(app, &url).await),
        (
            "the confirmation page",
            post_form(
                app,
                &url,
                "action=save&category=appointment_reminders&category=exercise_plans",
            )
            .await,
        ),
        (
            "the invalid-link page",
            get(app, &format!("{}/unsubscribe/nonsense", app.address)).await,
        ),
    ];
    for (which, response) in pages {
        let (style, sources) = style_and_policy(response).await;
        let hash = format!(
            "'sha256-{}'",
            STANDARD.encode(Sha256::digest(style.as_bytes()))
        );
        assert!(
            sources.contains(&hash),
            "{which}: style-src {sources:?} does not allow the served stylesheet (its hash is {hash}), \
             so browsers drop it; the stylesheet as served:\n{style}"
        );
        assert!(
            !style.contains("&#"),
            "{which}: the stylesheet is HTML-escaped, which CSS does not undo: {style}"
        );
    }
}

#[tokio::test]
async fn get_changes_nothing_however_often_it_is_fetched() {
    let (fixture, plan, callback) = with_emails().await;
    let queued = fixture.queue_plan("Week 2").await;
    let before = snapshot(&fixture.app).await;
    for link in [&plan, &plan, &callback, &callback] {
        html_page(get(&fixture.app, &fixture.local(link)).await, 200).await;
        let head = fixture
            .app
            .client
            .head(fixture.local(link))
            .send()
            .await
            .expect("HEAD");
        assert!(head.status().is_success(), "HEAD: {}", head.status());
    }
    assert_eq!(
        snapshot(&fixture.app).await,
        before,
        "no ledger rows, no outbox change"
    );
    assert_eq!(outbox_status(&fixture.app, queued).await.0, "queued");
    assert_eq!(
        fixture.consents().await,
        state(&["appointment_reminders", "exercise_plans"])
    );
}

// ---------------------------------------------------------------------------------------------
// One-click (RFC 8058)

async fn one_click_withdraws_exactly_the_emails_category(multipart: bool) {
    let (fixture, plan, _) = with_emails().await;
    let url = fixture.local(&plan);
    let before = fixture.events().await;
    let (app, url) = (&fixture.app, url.as_str());
    let post = move || async move {
        if multipart {
            post_multipart(app, url, "List-Unsubscribe", "One-Click").await
        } else {
            post_form(app, url, ONE_CLICK).await
        }
    };

    assert_saved(post().await, &["appointment_reminders"]).await;
    let after = fixture.events().await;
    assert_eq!(
        &after[..before.len()],
        &before[..],
        "the ledger is append-only"
    );
    let added = &after[before.len()..];
    assert_eq!(added.len(), 1, "one row: {added:?}");
    let row = &added[0];
    assert_eq!(row.category, "exercise_plans");
    assert!(!row.granted);
    assert_eq!(row.source, "one_click");
    assert_eq!(row.ip.as_deref(), Some("127.0.0.1"));
    assert_eq!(row.user_agent.as_deref(), Some(USER_AGENT));
    assert!(!row.wording_version.trim().is_empty(), "{row:?}");
    assert_eq!(
        fixture.consents().await,
        state(&["appointment_reminders"]),
        "the other categories are untouched"
    );

    // Providers retry: the same POST again is a 200 that adds nothing.
    assert_saved(post().await, &["appointment_reminders"]).await;
    assert_eq!(fixture.events().await, after, "no new rows");
}

#[tokio::test]
async fn one_click_urlencoded_from_an_exercise_plan_withdraws_exactly_exercise_plans() {
    one_click_withdraws_exactly_the_emails_category(false).await;
}

#[tokio::test]
async fn one_click_multipart_from_an_exercise_plan_withdraws_exactly_exercise_plans() {
    one_click_withdraws_exactly_the_emails_category(true).await;
}

#[tokio::test]
async fn one_click_from_a_transactional_email_withdraws_every_granted_category() {
    let (fixture, _, callback) = with_emails().await;
    let before = fixture.events().await;
    assert_saved(
        post_form(&fixture.app, &fixture.local(&callback), ONE_CLICK).await,
        &[],
    )
    .await;
    let after = fixture.events().await;
    let mut added: Vec<(&str, bool, &str)> = after[before.len()..]
        .iter()
        .map(|e| (e.category.as_str(), e.granted, e.source.as_str()))
        .collect();
    added.sort();
    assert_eq!(
        added,
        [
            ("appointment_reminders", false, "one_click"),
            ("exercise_plans", false, "one_click")
        ],
        "a withdrawal for each granted category, nothing for the others"
    );
    assert_eq!(fixture.consents().await, state(&[]));
    assert_saved(
        post_form(&fixture.app, &fixture.local(&callback), ONE_CLICK).await,
        &[],
    )
    .await;
    assert_eq!(fixture.events().await, after, "repeating adds nothing");
}

#[tokio::test]
async fn a_queued_email_of_the_withdrawn_category_is_suppressed_at_once() {
    let (fixture, plan, _) = with_emails().await;
    let queued = fixture.queue_plan("Week 2").await;
    assert_eq!(outbox_status(&fixture.app, queued).await.0, "queued");

    assert_saved(
        post_form(&fixture.app, &fixture.local(&plan), ONE_CLICK).await,
        &["appointment_reminders"],
    )
    .await;
    let (status, error) = outbox_status(&fixture.app, queued).await;
    assert_eq!(status, "suppressed", "at once, before any worker runs");
    assert!(
        error.as_deref().is_some_and(|e| e.contains("consent")),
        "{error:?}"
    );

    let worker = fixture.worker(KEY_A);
    assert!(
        worker.run_once().await.expect("a round").is_empty(),
        "nothing is due"
    );
    assert_eq!(fixture.smtp.messages().len(), 2, "nothing more was sent");
    assert_eq!(outbox_status(&fixture.app, queued).await.0, "suppressed");

    // A plan can no longer be queued for them either.
    let response = fixture
        .app
        .post_as(
            &format!("/v1/staff/patients/{}/exercise-plans", fixture.patient),
            &fixture.desk,
            &json!({"title": "Week 3", "exercises": [{"name": "Calf raises", "instructions": ["Rise."], "reps": 10}]}),
        )
        .await;
    assert_eq!(response.status(), 409, "consent_missing");
}

// ---------------------------------------------------------------------------------------------
// The page's form

#[tokio::test]
async fn the_pages_form_applies_choices_grants_again_and_withdraws_everything() {
    let (fixture, plan, _) = with_emails().await;
    let url = fixture.local(&plan);
    let queued = fixture.queue_plan("Week 2").await;
    let mut seen = fixture.events().await.len();
    // The rows the last step added: (category, granted), sorted; every one from the link's page.
    let added = |events: Vec<Event>, from: usize| {
        let mut rows: Vec<(String, bool)> = events[from..]
            .iter()
            .map(|e| {
                assert_eq!(e.source, "unsubscribe_link", "{e:?}");
                assert_eq!(e.user_agent.as_deref(), Some(USER_AGENT), "{e:?}");
                assert_eq!(e.ip.as_deref(), Some("127.0.0.1"), "{e:?}");
                assert!(!e.wording_version.is_empty(), "{e:?}");
                (e.category.clone(), e.granted)
            })
            .collect();
        rows.sort();
        (rows, events.len())
    };

    // Keep only reminders: exercise plans withdrawn (and its queued email suppressed).
    assert_saved(
        post_form(
            &fixture.app,
            &url,
            "action=save&category=appointment_reminders",
        )
        .await,
        &["appointment_reminders"],
    )
    .await;
    let (rows, now) = added(fixture.events().await, seen);
    assert_eq!(rows, [("exercise_plans".to_owned(), false)]);
    seen = now;
    assert_eq!(fixture.consents().await, state(&["appointment_reminders"]));
    assert_eq!(outbox_status(&fixture.app, queued).await.0, "suppressed");
    let page = html_page(get(&fixture.app, &url).await, 200).await;
    assert_eq!(checkboxes(&page), state(&["appointment_reminders"]));

    // Granting again from the same page, including a category never granted before.
    assert_saved(
        post_form(
            &fixture.app,
            &url,
            "action=save&category=appointment_reminders&category=exercise_plans&category=service_updates",
        )
        .await,
        &["appointment_reminders", "exercise_plans", "service_updates"],
    )
    .await;
    let (rows, now) = added(fixture.events().await, seen);
    assert_eq!(
        rows,
        [
            ("exercise_plans".to_owned(), true),
            ("service_updates".to_owned(), true)
        ]
    );
    seen = now;
    assert_eq!(
        fixture.consents().await,
        state(&["appointment_reminders", "exercise_plans", "service_updates"])
    );
    let again = fixture.queue_plan("Week 3").await;
    assert_eq!(
        outbox_status(&fixture.app, again).await.0,
        "queued",
        "plans are queued again"
    );

    // "Unsubscribe from exercise plans": only this email's category.
    assert_saved(
        post_form(&fixture.app, &url, "action=unsubscribe_this").await,
        &["appointment_reminders", "service_updates"],
    )
    .await;
    let (rows, now) = added(fixture.events().await, seen);
    assert_eq!(rows, [("exercise_plans".to_owned(), false)]);
    seen = now;
    assert_eq!(outbox_status(&fixture.app, again).await.0, "suppressed");

    // "Unsubscribe from everything".
    assert_saved(
        post_form(&fixture.app, &url, "action=unsubscribe_all").await,
        &[],
    )
    .await;
    let (rows, now) = added(fixture.events().await, seen);
    assert_eq!(
        rows,
        [
            ("appointment_reminders".to_owned(), false),
            ("service_updates".to_owned(), false)
        ]
    );
    seen = now;
    assert_eq!(fixture.consents().await, state(&[]));

    // Saving the same again adds nothing.
    assert_saved(post_form(&fixture.app, &url, "action=save").await, &[]).await;
    assert_eq!(
        fixture.events().await.len(),
        seen,
        "nothing changed, nothing recorded"
    );

    // A form the page never sends changes nothing.
    let before = snapshot(&fixture.app).await;
    for form in [
        "",
        "action=bogus",
        "whatever=1",
        "List-Unsubscribe=Two-Clicks",
    ] {
        let page = html_page(post_form(&fixture.app, &url, form).await, 400).await;
        assert!(page.contains("not valid"), "{form:?}: {page}");
    }
    assert_eq!(snapshot(&fixture.app).await, before);
}

// ---------------------------------------------------------------------------------------------
// Bad tokens

/// The same 400 page for GET, one-click POST and a form POST to `/unsubscribe/{token}`.
async fn assert_refused(app: &TestApp, token: &str, expected: &str) -> Result<(), String> {
    let url = format!("{}/unsubscribe/{token}", app.address);
    let answers = [
        ("GET", get(app, &url).await),
        ("POST one-click", post_form(app, &url, ONE_CLICK).await),
        (
            "POST unsubscribe_all",
            post_form(app, &url, "action=unsubscribe_all").await,
        ),
    ];
    for (request, response) in answers {
        let status = response.status();
        if status != 400 {
            return Err(format!("{request} {token:?}: expected 400, got {status}"));
        }
        let page = html_page(response, 400).await;
        if page != expected {
            return Err(format!(
                "{request} {token:?}: a different 400 page:\n{page}"
            ));
        }
    }
    Ok(())
}

/// `token` with the character at `index` replaced by another URL-safe base64 character.
fn flipped(token: &str, index: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bytes = token.as_bytes().to_vec();
    let at = ALPHABET
        .iter()
        .position(|c| *c == bytes[index])
        .expect("a base64url character");
    // Flipping two of the character's six bits gives another character of the alphabet.
    bytes[index] = ALPHABET[at ^ 0b10_0001];
    String::from_utf8(bytes).expect("ASCII")
}

#[tokio::test]
async fn bad_tampered_truncated_foreign_or_expired_tokens_get_one_400_page_and_change_nothing() {
    let (fixture, plan, _) = with_emails().await;
    let app = &fixture.app;
    fixture.queue_plan("Week 2").await;
    let token = token_of(&plan).to_owned();
    let before = snapshot(app).await;

    // The reference page: what any bad link answers.
    let expected = html_page(
        get(app, &format!("{}/unsubscribe/nonsense", app.address)).await,
        400,
    )
    .await;
    assert!(
        expected.contains("This link is not valid or has expired"),
        "{expected}"
    );
    assert!(
        !expected.contains(CLINIC),
        "says nothing about whose link it is"
    );

    // Every character flipped in turn (a handful of requests in flight at once).
    let tampered: Vec<String> = (0..token.len()).map(|i| flipped(&token, i)).collect();
    assert!(
        tampered
            .iter()
            .all(|t| *t != token && t.len() == token.len())
    );
    let failures: Vec<String> = futures::stream::iter(tampered.iter())
        .map(|bad| assert_refused(app, bad, &expected))
        .buffer_unordered(8)
        .filter_map(|result| async move { result.err() })
        .collect()
        .await;
    assert!(
        failures.is_empty(),
        "tampered tokens not refused with the 400 page: {failures:#?}"
    );

    // Truncated, extended, empty-ish, random, oversized.
    let reference = fixture.unsubscribe_ref().await;
    let now = Utc::now();
    let exercise = [ConsentCategory::ExercisePlans];
    let random = |len: usize| {
        let bytes: Vec<u8> = (0..len).map(|_| rand::random::<u8>()).collect();
        URL_SAFE_NO_PAD.encode(bytes)
    };
    let mut random_v1 = URL_SAFE_NO_PAD.decode(random(54)).expect("base64");
    random_v1[0] = 1;
    let mut bad: Vec<(&str, String)> = vec![
        ("one character short", token[..token.len() - 1].to_owned()),
        ("half", token[..token.len() / 2].to_owned()),
        ("one character", token[..1].to_owned()),
        ("the payload without its signature", token[..30].to_owned()),
        ("one character more", format!("{token}A")),
        ("padded", format!("{token}==")),
        ("a space", "%20".to_owned()),
        ("a dash", "-".to_owned()),
        ("a NUL", "%00".to_owned()),
        ("non-ASCII", "%C3%A9t%C3%A9".to_owned()),
        ("not UTF-8 once decoded", "%FF%FE".to_owned()),
        ("random", random(54)),
        (
            "random with the right version byte",
            URL_SAFE_NO_PAD.encode(random_v1),
        ),
        ("random and short", random(16)),
        ("oversized", "A".repeat(4096)),
        ("the patient's id", fixture.patient.to_string()),
        ("the patient's handle", reference.to_string()),
        (
            "signed with another key",
            tokens::sign(KEY_B.as_bytes(), reference, &exercise, Sender::Network, now),
        ),
        (
            "signed with an empty key",
            tokens::sign(b"", reference, &exercise, Sender::Network, now),
        ),
        (
            "expired",
            tokens::sign(
                KEY_A.as_bytes(),
                reference,
                &exercise,
                Sender::Network,
                now - TimeDelta::days(200),
            ),
        ),
        (
            "an unknown patient",
            tokens::sign(
                KEY_A.as_bytes(),
                Uuid::new_v4(),
                &exercise,
                Sender::Network,
                now,
            ),
        ),
    ];
    // A token whose bytes are the real one's with the signature moved to another patient's handle.
    let mut spliced = URL_SAFE_NO_PAD.decode(&token).expect("base64");
    spliced[1..17].copy_from_slice(Uuid::new_v4().as_bytes());
    bad.push((
        "another handle, the same signature",
        URL_SAFE_NO_PAD.encode(spliced),
    ));
    for (what, bad_token) in &bad {
        if let Err(error) = assert_refused(app, bad_token, &expected).await {
            panic!("{what}: {error}");
        }
    }

    assert_eq!(snapshot(app).await, before, "nothing changed");
    // A token still valid 61 days on (the contract: at least 60 days) is accepted.
    let old = tokens::sign(
        KEY_A.as_bytes(),
        reference,
        &exercise,
        Sender::Network,
        now - TimeDelta::days(61),
    );
    html_page(
        get(app, &format!("{}/unsubscribe/{old}", app.address)).await,
        200,
    )
    .await;
    // And the untouched original still works after all that.
    html_page(get(app, &fixture.local(&plan)).await, 200).await;
}

// ---------------------------------------------------------------------------------------------
// Key rotation

/// The database name in a test database's URL.
fn database_of(url: &str) -> String {
    reqwest::Url::parse(url)
        .expect("a database URL")
        .path()
        .trim_start_matches('/')
        .to_owned()
}

#[tokio::test]
async fn a_link_signed_with_the_previous_key_works_after_rotation_until_the_key_is_dropped() {
    // Before rotation: the app and the worker use key A.
    let (fixture, plan, callback) = with_emails().await;
    html_page(get(&fixture.app, &fixture.local(&plan)).await, 200).await;

    // Rotated: B signs, A still verifies. The old links keep working, and new ones are signed with B.
    let database = database_of(&fixture.app.database_url);
    let url = fixture.app.database_url.clone();
    let rotated = TestApp::spawn_on(
        database.clone(),
        url.clone(),
        url.clone(),
        overrides(&format!("{KEY_B},{KEY_A}")),
    )
    .await;
    let page = html_page(get(&rotated, &local(&rotated, &plan)).await, 200).await;
    assert_eq!(
        checkboxes(&page),
        state(&["appointment_reminders", "exercise_plans"])
    );
    assert_saved(
        post_form(&rotated, &local(&rotated, &plan), ONE_CLICK).await,
        &["appointment_reminders"],
    )
    .await;
    assert_eq!(fixture.consents().await, state(&["appointment_reminders"]));
    // Granted again from the same old link, so a new plan can go out, signed with B.
    assert_saved(
        post_form(
            &rotated,
            &local(&rotated, &plan),
            "action=save&category=appointment_reminders&category=exercise_plans",
        )
        .await,
        &["appointment_reminders", "exercise_plans"],
    )
    .await;
    fixture.queue_plan("After rotation").await;
    let messages = fixture.deliver(KEY_B).await;
    let new_plan = link_of(messages.last().expect("the new plan"));
    assert_ne!(new_plan, plan);
    assert!(
        tokens::verify(&[KEY_B.as_bytes()], token_of(&new_plan), Utc::now()).is_ok(),
        "signed with the new key"
    );
    html_page(get(&rotated, &local(&rotated, &new_plan)).await, 200).await;

    // A dropped: the old links are refused, the new ones still work.
    let dropped = TestApp::spawn_on(database, url.clone(), url, overrides(KEY_B)).await;
    let before = snapshot(&dropped).await;
    let expected = html_page(
        get(
            &dropped,
            &format!("{}/unsubscribe/nonsense", dropped.address),
        )
        .await,
        400,
    )
    .await;
    for link in [&plan, &callback] {
        if let Err(error) = assert_refused(&dropped, token_of(link), &expected).await {
            panic!("a link signed with a dropped key: {error}");
        }
    }
    assert_eq!(snapshot(&dropped).await, before, "nothing changed");
    html_page(get(&dropped, &local(&dropped, &new_plan)).await, 200).await;
    // Drop order: the last app spawned goes first and drops the shared database; the others find
    // it gone.
}

// ---------------------------------------------------------------------------------------------
// What a token reveals

#[tokio::test]
async fn a_token_never_carries_the_patients_id_or_email_in_clear() {
    let (fixture, plan, callback) = with_emails().await;
    let id = fixture.patient;
    let email = fixture.email.clone();
    let local_part = email.split('@').next().expect("a local part").to_owned();
    assert_ne!(
        fixture.unsubscribe_ref().await,
        id,
        "the handle is not the id"
    );
    let id_texts = [
        id.to_string(),
        id.simple().to_string(),
        URL_SAFE_NO_PAD.encode(id.as_bytes()),
        STANDARD.encode(id.as_bytes()),
    ];
    let email_texts = [
        email.clone(),
        local_part.clone(),
        URL_SAFE_NO_PAD.encode(email.as_bytes()),
        URL_SAFE_NO_PAD.encode(local_part.as_bytes()),
    ];
    for link in [&plan, &callback] {
        let token = token_of(link);
        for clear in id_texts.iter().chain(&email_texts) {
            assert!(
                !token
                    .to_ascii_lowercase()
                    .contains(&clear.to_ascii_lowercase()),
                "{clear} in {token}"
            );
        }
        assert!(
            !link.contains('@') && !link.contains("example.com"),
            "{link}"
        );
        let bytes = URL_SAFE_NO_PAD.decode(token).expect("base64url");
        let contains = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
        assert!(!contains(id.as_bytes()), "the id's 16 bytes are in {token}");
        for text in id_texts.iter().chain(&email_texts) {
            assert!(!contains(text.as_bytes()), "{text} in the decoded {token}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Languages: the patient's, unless the link asks for another

/// A page's text as a reader sees it: entities undone.
pub fn unescaped(page: &str) -> String {
    html_unescape(page).replace("&#39;", "'")
}

/// Sets the patient's language as their latest form would have (`None`: no form named one).
pub async fn set_patient_locale(app: &TestApp, patient: Uuid, locale: Option<&str>) {
    sqlx::query("UPDATE patients SET locale = $2 WHERE id = $1")
        .bind(patient)
        .bind(locale)
        .execute(&app.db)
        .await
        .expect("setting the patient's language");
}

/// Every form of a page posts back to itself in `lang`.
pub fn assert_forms_keep(page: &str, lang: &str) {
    let forms: Vec<&str> = page
        .match_indices("<form")
        .map(|(at, _)| &page[at..])
        .collect();
    assert!(!forms.is_empty(), "a form: {page}");
    for form in forms {
        let tag = &form[..form.find('>').expect("a closed tag")];
        assert!(
            tag.contains(&format!("action=\"?lang={lang}\"")),
            "the form keeps the page's language: {tag}"
        );
    }
}

/// The visible link to the same page in the other language.
pub fn assert_switches_to(page: &str, lang: &str, name: &str) {
    assert!(
        page.contains(&format!(
            "<a href=\"?lang={lang}\" hreflang=\"{lang}-CA\" lang=\"{lang}-CA\">{name}</a>"
        )),
        "a link to the page in {name}: {page}"
    );
}

#[tokio::test]
async fn a_french_patient_reads_the_page_in_french_and_can_switch_to_english() {
    let (fixture, plan, _) = with_emails().await;
    let app = &fixture.app;
    set_patient_locale(app, fixture.patient, Some("fr")).await;
    let url = fixture.local(&plan);

    let page = unescaped(&html_page_in(get(app, &url).await, 200, "fr-CA").await);
    for french in [
        format!("<title>Préférences de courriel · {CLINIC}</title>"),
        "<h1>Vos préférences de courriel</h1>".to_owned(),
        format!("Voici les courriels que peut vous envoyer <strong>{CLINIC}</strong>."),
        ">Se désabonner des programmes d'exercices</button>".to_owned(),
        format!(">Se désabonner de tous les courriels envoyés par {CLINIC}</button>"),
        ">Se désabonner de tous les expéditeurs</button>".to_owned(),
        "<legend>Envoyez-moi\u{a0}:</legend>".to_owned(),
        "Programmes d'exercices<span class=\"hint\">".to_owned(),
        ">Enregistrer mes choix</button>".to_owned(),
        "Nous ne vendons jamais votre adresse courriel. Des questions\u{a0}?".to_owned(),
    ] {
        assert!(page.contains(&french), "{french}: {page}");
    }
    assert!(!page.contains("Unsubscribe"), "{page}");
    assert_eq!(
        checkboxes(&page),
        state(&["appointment_reminders", "exercise_plans"])
    );
    assert_switches_to(&page, "en", "English");
    assert_forms_keep(&page, "fr");

    // `?lang=en` overrides the patient's language, and links back to French.
    let english = html_page(get(app, &format!("{url}?lang=en")).await, 200).await;
    assert!(
        english.contains("<h1>Your email preferences</h1>"),
        "{english}"
    );
    assert!(english.contains(">Unsubscribe from exercise plans</button>"));
    assert_switches_to(&english, "fr", "Français");
    assert_forms_keep(&english, "en");
    assert_eq!(
        checkboxes(&english),
        state(&["appointment_reminders", "exercise_plans"])
    );

    // The French page's button answers in French, and does what it says.
    let saved = post_form(app, &format!("{url}?lang=fr"), "action=unsubscribe_this").await;
    let saved = unescaped(&html_page_in(saved, 200, "fr-CA").await);
    for french in [
        "<h1 role=\"status\">Vos préférences sont enregistrées</h1>".to_owned(),
        format!("Dorénavant, <strong>{CLINIC}</strong> vous enverra\u{a0}:"),
        "<li>Rappels de rendez-vous\u{a0}: <strong>oui</strong></li>".to_owned(),
        "<li>Programmes d'exercices\u{a0}: <strong>non</strong></li>".to_owned(),
        "<a href=\"?lang=fr\">Modifier de nouveau vos préférences</a>".to_owned(),
    ] {
        assert!(saved.contains(&french), "{french}: {saved}");
    }
    assert_switches_to(&saved, "en", "English");
    assert_eq!(fixture.consents().await, state(&["appointment_reminders"]));

    // The English page's form answers in English; one-click (no `lang`) in the patient's French.
    assert_saved(
        post_form(
            app,
            &format!("{url}?lang=en"),
            "action=save&category=appointment_reminders&category=exercise_plans",
        )
        .await,
        &["appointment_reminders", "exercise_plans"],
    )
    .await;
    let one_click = post_form(app, &url, ONE_CLICK).await;
    let one_click = unescaped(&html_page_in(one_click, 200, "fr-CA").await);
    assert!(
        one_click.contains("<li>Programmes d'exercices\u{a0}: <strong>non</strong></li>"),
        "{one_click}"
    );
    assert_eq!(fixture.consents().await, state(&["appointment_reminders"]));
}

#[tokio::test]
async fn without_a_language_of_their_own_the_patient_reads_the_sender_clinics() {
    let (fixture, plan, _) = with_emails().await;
    let app = &fixture.app;
    set_patient_locale(app, fixture.patient, None).await;
    let url = fixture.local(&plan);
    html_page(get(app, &url).await, 200).await;

    sqlx::query("UPDATE clinics SET default_locale = 'fr' WHERE name = $1")
        .bind(CLINIC)
        .execute(&app.db)
        .await
        .expect("a French clinic");
    let page = html_page_in(get(app, &url).await, 200, "fr-CA").await;
    assert!(
        page.contains("<h1>Vos préférences de courriel</h1>"),
        "{page}"
    );
    // The patient's own language comes first.
    set_patient_locale(app, fixture.patient, Some("en")).await;
    html_page(get(app, &url).await, 200).await;
}

#[tokio::test]
async fn a_link_that_is_not_valid_answers_in_the_language_asked_for() {
    let app = TestApp::spawn_with(overrides(KEY_A)).await;
    let url = format!("{}/unsubscribe/nonsense", app.address);
    let french = app
        .client
        .get(&url)
        .header("accept-language", "fr-CA,fr;q=0.9,en;q=0.5")
        .send()
        .await
        .expect("GET");
    assert!(
        header(&french, "vary").contains("accept-language"),
        "the words follow Accept-Language"
    );
    let page = unescaped(&html_page_in(french, 400, "fr-CA").await);
    for text in [
        "<title>Lien non valide</title>",
        "<h1>Ce lien n'est pas valide ou a expiré</h1>",
        "Aucun changement n'a été fait.",
    ] {
        assert!(page.contains(text), "{text}: {page}");
    }
    assert_switches_to(&page, "en", "English");

    // `?lang=` wins over the header; a POST is answered the same way.
    let english = app
        .client
        .post(format!("{url}?lang=en"))
        .header("accept-language", "fr-CA")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(ONE_CLICK)
        .send()
        .await
        .expect("POST");
    let page = html_page(english, 400).await;
    assert!(
        page.contains("This link is not valid or has expired"),
        "{page}"
    );
    let french = app
        .client
        .post(format!("{url}?lang=fr"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(ONE_CLICK)
        .send()
        .await
        .expect("POST");
    html_page_in(french, 400, "fr-CA").await;
}
