//! The website's forms in headless Chromium (issue 17), as a clinic's visitors use them: the host
//! page is a clinic's own website, served by a static file server on another port and host name
//! (`http://localhost:PORT`, listed in `CORS_ORIGINS`), loading `/embed.js` from the service. A
//! visitor finds a practitioner by postal code and books a consult with the keyboard alone (the
//! email arrives at the capturing SMTP server); sends a call-back request after seeing field errors,
//! a lost network and a double click; does the same in French; meets a slot taken meanwhile (409)
//! and the rate limit (429); a site not listed gets nothing. axe-core checks the demo page.
//!
//! Everything inside the elements is reached through their (open) shadow roots by the hooks the
//! contract names: control `name`s, `data-practitioner-id`, `button[type=submit]`, `role`.

use crate::bookings::{Desk, TORONTO, upcoming};
use crate::browser::{BROWSER_PATIENCE, browser_with};
use crate::desk_browser::assert_accessible;
use crate::email::{drain, of_kind};
use crate::helpers::*;
use crate::smtp::{Captured, SmtpServer};
use axum::response::Html;
use chrono::Weekday;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::{Element, ShadowRoot};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A clinic's own website: pages by path, served on a port of its own.
struct Site {
    port: u16,
    pages: Arc<Mutex<HashMap<String, String>>>,
}

impl Site {
    async fn start() -> Site {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let pages: Arc<Mutex<HashMap<String, String>>> = Arc::default();
        let served = pages.clone();
        let router = axum::Router::new().fallback(move |uri: axum::http::Uri| {
            let page = served.lock().unwrap().get(uri.path()).cloned();
            async move {
                match page {
                    Some(page) => Html(page).into_response(),
                    None => axum::http::StatusCode::NOT_FOUND.into_response(),
                }
            }
        });
        tokio::spawn(async move { axum::serve(listener, router).await });
        Site { port, pages }
    }

    /// The site's origin: another host name and port than the service's 127.0.0.1.
    fn origin(&self) -> String {
        format!("http://localhost:{}", self.port)
    }

    /// A page about runner's knee at `path` holding `body`, in `lang`, loading the script from
    /// `app`. The page counts the POSTs the forms send and can play a lost network (`offline`).
    fn put(&self, path: &str, lang: &str, app: &TestApp, head: &str, body: &str) {
        let page = format!(
            r#"<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<title>Runner's knee</title>
<script>
  window.posts = [];
  window.offline = false;
  const realFetch = window.fetch.bind(window);
  window.fetch = (url, options) => {{
    if (options && options.method === 'POST') window.posts.push(String(url));
    return window.offline ? Promise.reject(new TypeError('Failed to fetch')) : realFetch(url, options);
  }};
</script>
<script src="{app}/embed.js" defer></script>{head}</head>
<body><main><h1>What is runner's knee and how do I get rid of it?</h1>{body}</main></body></html>"#,
            app = app.address,
        );
        self.pages.lock().unwrap().insert(path.to_owned(), page);
    }
}

use axum::response::IntoResponse as _;

/// The service (a Toronto clinic with one practitioner open 9 to 5, phone and video consults),
/// the clinic's site listed in `CORS_ORIGINS`, a capturing SMTP server and Chromium.
struct Visit {
    desk: Desk,
    site: Site,
    smtp: SmtpServer,
    client: Client,
    _driver: crate::browser::Chromedriver,
}

impl Visit {
    async fn start(overrides: Overrides) -> Option<Visit> {
        let (driver, client) = browser_with(true).await?;
        let site = Site::start().await;
        let mut overrides = overrides;
        overrides.insert("CORS_ORIGINS", site.origin());
        let desk = Desk::with(overrides).await;
        Some(Visit {
            desk,
            site,
            smtp: SmtpServer::start().await,
            client,
            _driver: driver,
        })
    }

    fn app(&self) -> &TestApp {
        &self.desk.app
    }

    /// Puts a page on the site (see [`Site::put`]) and opens it.
    async fn show(&self, path: &str, lang: &str, head: &str, body: &str) {
        self.site.put(path, lang, self.app(), head, body);
        self.open(path).await;
    }

    async fn open(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.site.origin()))
            .await
            .expect("opening the clinic's page");
    }

    /// Sends what is due; every message the SMTP server received.
    async fn deliver(&self) -> Vec<Captured> {
        let worker = self.app().worker(&self.smtp, |_| {});
        let sent = drain(&worker).await.len();
        self.smtp.wait_for(sent, Duration::from_secs(10)).await
    }

    async fn posts(&self) -> usize {
        let posts = self
            .client
            .execute("return window.posts.length;", vec![])
            .await
            .unwrap();
        posts.as_u64().unwrap() as usize
    }
}

/// The shadow root at the end of `hosts` (each a CSS selector inside the previous root), once it
/// holds `css`; the element found.
async fn find_in(client: &Client, hosts: &[&str], css: &str) -> Element {
    let deadline = tokio::time::Instant::now() + BROWSER_PATIENCE;
    loop {
        if let Ok(root) = root_of(client, hosts).await
            && let Ok(found) = root.find(Locator::Css(css)).await
        {
            return found;
        }
        if tokio::time::Instant::now() > deadline {
            let page = client.source().await.unwrap_or_default();
            panic!("nothing at {css} inside {hosts:?} on:\n{page}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn root_of(
    client: &Client,
    hosts: &[&str],
) -> Result<ShadowRoot, fantoccini::error::CmdError> {
    let mut root = client
        .find(Locator::Css(hosts[0]))
        .await?
        .shadow_root()
        .await?;
    for host in &hosts[1..] {
        root = root.find(Locator::Css(host)).await?.shadow_root().await?;
    }
    Ok(root)
}

/// Waits until the element at `css` inside `hosts` has text containing `part`; its text.
async fn text_in(client: &Client, hosts: &[&str], css: &str, part: &str) -> String {
    let deadline = tokio::time::Instant::now() + BROWSER_PATIENCE;
    loop {
        let text = match root_of(client, hosts).await {
            Ok(root) => match root.find(Locator::Css(css)).await {
                Ok(element) => element.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            },
            Err(_) => String::new(),
        };
        if text.contains(part) {
            return text;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{css} inside {hosts:?} never said {part:?}; it says {text:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn type_into(client: &Client, hosts: &[&str], name: &str, text: &str) {
    let field = find_in(client, hosts, &format!("[name='{name}']")).await;
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

async fn click_in(client: &Client, hosts: &[&str], css: &str) {
    find_in(client, hosts, css).await.click().await.unwrap();
}

/// Presses keys as a keyboard does, on whatever has the focus.
async fn press(client: &Client, keys: &str) {
    let mut actions = KeyActions::new("keyboard".to_owned());
    for key in keys.chars() {
        actions = actions
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
    }
    client.perform_actions(actions).await.unwrap();
}

/// What has the focus, through shadow roots: a control's name, else its text.
async fn focused(client: &Client) -> String {
    let said = client
        .execute(
            "let e = document.activeElement;
             while (e && e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement;
             return e ? (e.getAttribute('name') || e.textContent.trim()) : '';",
            vec![],
        )
        .await
        .unwrap();
    said.as_str().unwrap_or_default().to_owned()
}

/// Tabs forward until `want` has the focus (at most 60 presses): it is reachable by keyboard.
async fn tab_to(client: &Client, want: &str) {
    let tab: char = Key::Tab.into();
    for _ in 0..60 {
        if focused(client).await == want {
            return;
        }
        press(client, &tab.to_string()).await;
    }
    panic!(
        "Tab never reached {want:?}; the focus is on {:?}",
        focused(client).await
    );
}

async fn css_of(client: &Client, hosts: &[&str], css: &str, property: &str) -> String {
    find_in(client, hosts, css)
        .await
        .css_value(property)
        .await
        .unwrap()
}

const FINDER: &[&str] = &["consultdesk-finder"];
const FOUND_BOOKING: &[&str] = &["consultdesk-finder", "consultdesk-booking"];
const CALLBACK: &[&str] = &["consultdesk-callback"];
const BOOKING: &[&str] = &["consultdesk-booking"];

#[tokio::test]
async fn on_a_clinics_site_a_visitor_finds_and_books_a_consult_by_keyboard_and_gets_the_email() {
    let Some(visit) = Visit::start(Overrides::new()).await else {
        return;
    };
    let client = &visit.client;
    let practitioner = visit.desk.practitioner;
    // The site restyles the form with its own colour and parts.
    visit
        .show(
            "/find",
            "en",
            "<style>consultdesk-finder{--consultdesk-accent:rgb(120, 20, 60)}\
         consultdesk-finder::part(heading){letter-spacing:2px}</style>",
            "<consultdesk-finder></consultdesk-finder>",
        )
        .await;
    find_in(client, FINDER, "[name='postal_code']").await;
    assert_eq!(
        css_of(client, FINDER, "button[type='submit']", "background-color").await,
        "rgba(120, 20, 60, 1)"
    );
    assert_eq!(
        css_of(client, FINDER, "[part='heading']", "letter-spacing").await,
        "2px"
    );

    // Postal code, Enter.
    tab_to(client, "postal_code").await;
    press(client, "M5V 2T6").await;
    let enter: char = Key::Enter.into();
    press(client, &enter.to_string()).await;
    let result = format!("li[data-practitioner-id='{practitioner}']");
    let card = text_in(client, FINDER, &result, "Alex Physio").await;
    assert!(card.contains("Downtown Physio"), "{card}");
    assert!(card.contains("km away"), "{card}");
    assert!(card.contains("Next free consult:"), "{card}");
    text_in(client, FINDER, "[role='status']", "Practitioners found: 1").await;

    // The result's button opens the booking form, whose heading takes the focus.
    tab_to(client, "Book a consult with Alex Physio").await;
    press(client, &enter.to_string()).await;
    let zone = text_in(client, FOUND_BOOKING, ".hint", "America/Toronto").await;
    assert!(
        zone.starts_with("Times are in the clinic's time zone"),
        "{zone}"
    );
    let deadline = tokio::time::Instant::now() + BROWSER_PATIENCE;
    while focused(client).await != "Book your free consult" {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the heading never took the focus"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // A time (the first offered), the person, one consent; Space checks, Enter sends.
    let space: char = Key::Space.into();
    tab_to(client, "starts_at").await;
    press(client, &space.to_string()).await;
    let chosen = client
        .execute(
            "return document.querySelector('consultdesk-finder').shadowRoot
               .querySelector('consultdesk-booking').shadowRoot
               .querySelector('input[name=starts_at]:checked').value;",
            vec![],
        )
        .await
        .unwrap();
    let chosen = chosen.as_str().expect("a checked slot").to_owned();
    tab_to(client, "name").await;
    press(client, "Jane Runner").await;
    tab_to(client, "email").await;
    press(client, "jane@example.com").await;
    tab_to(client, "phone").await;
    press(client, "416-555-0100").await;
    tab_to(client, "consents.appointment_reminders").await;
    press(client, &space.to_string()).await;
    tab_to(client, "Book this consult").await;
    press(client, &enter.to_string()).await;
    let done = text_in(client, FOUND_BOOKING, "[role='status']", "is requested").await;
    assert!(done.contains("Alex Physio"), "{done}");
    assert!(done.contains("jane@example.com"), "{done}");
    assert_eq!(visit.posts().await, 1);

    let (starts_at, mode, status): (chrono::DateTime<chrono::Utc>, String, String) =
        sqlx::query_as(
            "SELECT b.starts_at, b.mode, b.status FROM bookings b JOIN patients p ON p.id = b.patient_id
              WHERE p.email = 'jane@example.com'",
        )
        .fetch_one(&visit.app().db)
        .await
        .expect("the booking was stored");
    assert_eq!(
        starts_at,
        chrono::DateTime::parse_from_rfc3339(&chosen).unwrap()
    );
    assert_eq!((mode.as_str(), status.as_str()), ("phone", "requested"));
    let granted: Vec<(String, bool, String)> =
        sqlx::query_as("SELECT category, granted, source FROM consent_events ORDER BY category")
            .fetch_all(&visit.app().db)
            .await
            .unwrap();
    assert!(
        granted.iter().all(
            |(category, granted, source)| category == "appointment_reminders"
                && *granted
                && source == "web_form"
        ),
        "only the checked box was granted: {granted:?}"
    );
    assert!(!granted.is_empty());
    let messages = visit.deliver().await;
    let received = of_kind(&messages, "booking_requested");
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].rcpt_to, vec!["jane@example.com".to_owned()]);
}

#[tokio::test]
async fn a_call_back_request_survives_field_errors_a_lost_network_and_a_double_click() {
    let Some(visit) = Visit::start(Overrides::new()).await else {
        return;
    };
    let client = &visit.client;
    let clinic = visit.desk.clinic;
    visit
        .show(
            "/knee",
            "en-CA",
            "",
            &format!("<consultdesk-callback clinic=\"{clinic}\"></consultdesk-callback>"),
        )
        .await;
    // The server's consent words, none checked.
    let legend = text_in(
        client,
        CALLBACK,
        "fieldset.consents legend",
        "Downtown Physio",
    )
    .await;
    assert!(!legend.is_empty());
    for category in [
        "appointment_reminders",
        "exercise_plans",
        "plans_of_care",
        "service_updates",
    ] {
        let checkbox = find_in(client, CALLBACK, &format!("[name='consents.{category}']")).await;
        assert!(
            !checkbox.is_selected().await.unwrap(),
            "{category} starts unchecked"
        );
    }

    // A bad phone and no name: each error next to its field, the focus on the first.
    type_into(client, CALLBACK, "phone", "12").await;
    click_in(client, CALLBACK, "button[type='submit']").await;
    text_in(
        client,
        CALLBACK,
        "[role='alert']",
        "Please correct the fields marked below.",
    )
    .await;
    let name_error = text_in(client, CALLBACK, "[data-field='name'] .error", "Your name").await;
    assert_eq!(name_error, "Your name must not be empty");
    let phone_error = text_in(
        client,
        CALLBACK,
        "[data-field='phone'] .error",
        "valid phone",
    )
    .await;
    assert!(
        phone_error.starts_with("Phone number must be"),
        "{phone_error}"
    );
    let phone = find_in(client, CALLBACK, "[name='phone']").await;
    assert_eq!(
        phone.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    assert_eq!(focused(client).await, "name");
    assert_eq!(visit.app().count("callback_requests").await, 0);

    // Corrected; the network drops: what was typed stays.
    type_into(client, CALLBACK, "name", "Jane Runner").await;
    type_into(client, CALLBACK, "phone", "416-555-0100").await;
    type_into(client, CALLBACK, "email", "jane@example.com").await;
    click_in(client, CALLBACK, "[name='consents.exercise_plans']").await;
    client
        .execute("window.offline = true; return true;", vec![])
        .await
        .unwrap();
    click_in(client, CALLBACK, "button[type='submit']").await;
    text_in(client, CALLBACK, "[role='alert']", "could not reach").await;
    let name = find_in(client, CALLBACK, "[name='name']").await;
    assert_eq!(
        name.prop("value").await.unwrap().as_deref(),
        Some("Jane Runner")
    );
    let consent = find_in(client, CALLBACK, "[name='consents.exercise_plans']").await;
    assert!(consent.is_selected().await.unwrap());

    // Back online, a double click: one request, one row.
    client
        .execute(
            "window.offline = false; window.posts = [];
             const form = document.querySelector('consultdesk-callback').shadowRoot;
             const button = form.querySelector('button[type=submit]');
             button.click(); button.click(); return true;",
            vec![],
        )
        .await
        .unwrap();
    let done = text_in(client, CALLBACK, "[role='status']", "Thank you").await;
    assert!(done.contains("jane@example.com"), "{done}");
    assert_eq!(visit.posts().await, 1, "a double click sends one request");
    assert_eq!(visit.app().count("callback_requests").await, 1);
    let (stored_clinic, source_url): (uuid::Uuid, Option<String>) =
        sqlx::query_as("SELECT clinic_id, source_url FROM callback_requests")
            .fetch_one(&visit.app().db)
            .await
            .unwrap();
    assert_eq!(stored_clinic, clinic);
    assert_eq!(source_url, Some(format!("{}/knee", visit.site.origin())));
    let messages = visit.deliver().await;
    assert_eq!(of_kind(&messages, "callback_received").len(), 1);
}

#[tokio::test]
async fn on_a_french_page_the_forms_and_the_servers_messages_are_french() {
    let Some(visit) = Visit::start(Overrides::new()).await else {
        return;
    };
    let client = &visit.client;
    let clinic = visit.desk.clinic;
    visit
        .show(
            "/genou",
            "fr-CA",
            "",
            &format!(
                "<consultdesk-callback clinic=\"{clinic}\"></consultdesk-callback>\
             <consultdesk-finder></consultdesk-finder>"
            ),
        )
        .await;
    text_in(client, CALLBACK, "label[for$='name']", "Votre nom").await;
    text_in(
        client,
        CALLBACK,
        "fieldset.consents legend",
        "Choisissez les courriels",
    )
    .await;
    text_in(
        client,
        CALLBACK,
        "button[type='submit']",
        "Demander un rappel",
    )
    .await;
    type_into(client, CALLBACK, "name", "Jeanne Coureuse").await;
    type_into(client, CALLBACK, "phone", "12").await;
    click_in(client, CALLBACK, "button[type='submit']").await;
    let error = text_in(client, CALLBACK, "[data-field='phone'] .error", "téléphone").await;
    assert!(
        error.starts_with("Numéro de téléphone doit être"),
        "{error}"
    );
    text_in(client, CALLBACK, "[role='alert']", "Veuillez corriger").await;

    // The finder: French words, French numbers.
    type_into(client, FINDER, "postal_code", "M5V 2T6").await;
    click_in(client, FINDER, "button[type='submit']").await;
    text_in(
        client,
        FINDER,
        "[role='status']",
        "Professionnels trouvés : 1",
    )
    .await;
    let card = text_in(
        client,
        FINDER,
        &format!("li[data-practitioner-id='{}']", visit.desk.practitioner),
        "Physiothérapeute",
    )
    .await;
    assert!(card.contains(" km"), "{card}");
    assert!(card.contains("Prochaine consultation libre"), "{card}");
    assert!(
        regex::Regex::new(r"à \d+,\d km").unwrap().is_match(&card),
        "a decimal comma: {card}"
    );
}

#[tokio::test]
async fn a_slot_taken_meanwhile_offers_the_next_free_ones_and_keeps_the_form() {
    let Some(visit) = Visit::start(Overrides::new()).await else {
        return;
    };
    let client = &visit.client;
    let desk = &visit.desk;
    visit
        .show(
            "/book",
            "en",
            "",
            &format!(
                "<consultdesk-booking clinic=\"{}\"></consultdesk-booking>",
                desk.clinic
            ),
        )
        .await;
    // A weekday ahead, so that the day has its morning.
    let day = upcoming(TORONTO, Weekday::Tue, 2);
    let day_select = find_in(client, BOOKING, "[name='day']").await;
    let days = root_of(client, BOOKING)
        .await
        .unwrap()
        .find_all(Locator::Css("[name='day'] option"))
        .await
        .unwrap();
    let mut wanted = None;
    for option in days {
        let value = option.attr("value").await.unwrap().unwrap();
        if value == day.to_string() {
            wanted = Some(value);
        }
    }
    day_select
        .select_by_value(&wanted.expect("the day is offered"))
        .await
        .unwrap();
    let first = find_in(client, BOOKING, "input[name='starts_at']").await;
    let taken = first.attr("value").await.unwrap().unwrap();
    first.click().await.unwrap();
    type_into(client, BOOKING, "name", "Jane Runner").await;
    type_into(client, BOOKING, "email", "jane@example.com").await;
    type_into(client, BOOKING, "phone", "416-555-0100").await;

    // Someone else takes it first.
    desk.book_with(desk.practitioner, &taken, "sam@example.com")
        .await;
    click_in(client, BOOKING, "button[type='submit']").await;
    let said = text_in(client, BOOKING, "[role='alert']", "just taken").await;
    assert!(said.contains("The next free times:"), "{said}");
    let offered: Vec<String> = {
        let root = root_of(client, BOOKING).await.unwrap();
        let mut values = Vec::new();
        for radio in root
            .find_all(Locator::Css("input[name='starts_at']"))
            .await
            .unwrap()
        {
            values.push(radio.attr("value").await.unwrap().unwrap());
        }
        values
    };
    assert!(
        !offered.contains(&taken),
        "the taken time is gone: {offered:?}"
    );
    assert_eq!(
        focused(client).await,
        "starts_at",
        "the next free time has the focus"
    );
    let name = find_in(client, BOOKING, "[name='name']").await;
    assert_eq!(
        name.prop("value").await.unwrap().as_deref(),
        Some("Jane Runner")
    );

    // The focused one is the next free time: Space, then send.
    let space: char = Key::Space.into();
    press(client, &space.to_string()).await;
    click_in(client, BOOKING, "button[type='submit']").await;
    text_in(client, BOOKING, "[role='status']", "is requested").await;
    let times: Vec<chrono::DateTime<chrono::Utc>> = sqlx::query_scalar(
        "SELECT b.starts_at FROM bookings b JOIN patients p ON p.id = b.patient_id
          WHERE p.email = 'jane@example.com'",
    )
    .fetch_all(&visit.app().db)
    .await
    .unwrap();
    assert_eq!(times.len(), 1);
    assert!(times[0] > chrono::DateTime::parse_from_rfc3339(&taken).unwrap());
}

#[tokio::test]
async fn the_rate_limit_says_when_to_try_again_and_an_unlisted_site_gets_nothing() {
    // Two public POSTs a minute from one address: the fixture's admin sign-in, then the first
    // request of the visitor's.
    let Some(visit) =
        Visit::start(Overrides::from([("PUBLIC_RATE_LIMIT", "2/min".to_owned())])).await
    else {
        return;
    };
    let client = &visit.client;
    let clinic = visit.desk.clinic;
    visit.site.put(
        "/knee",
        "en",
        visit.app(),
        "",
        &format!("<consultdesk-callback clinic=\"{clinic}\"></consultdesk-callback>"),
    );
    for attempt in 0..2 {
        visit.open("/knee").await;
        type_into(client, CALLBACK, "name", "Jane Runner").await;
        type_into(client, CALLBACK, "phone", "416-555-0100").await;
        click_in(client, CALLBACK, "button[type='submit']").await;
        if attempt == 0 {
            text_in(client, CALLBACK, "[role='status']", "Thank you").await;
        }
    }
    let said = text_in(client, CALLBACK, "[role='alert']", "Too many requests").await;
    assert!(
        regex::Regex::new(r"try again after \d{1,2}:\d{2}")
            .unwrap()
            .is_match(&said),
        "{said}"
    );
    assert_eq!(visit.app().count("callback_requests").await, 1);

    // The same page from an origin CORS_ORIGINS does not list: the browser gets nothing.
    client
        .goto(&format!("http://127.0.0.1:{}/knee", visit.site.port))
        .await
        .unwrap();
    let said = text_in(client, CALLBACK, "[role='alert']", "could not reach").await;
    assert!(said.contains("Try again"), "{said}");
    assert!(
        root_of(client, CALLBACK)
            .await
            .unwrap()
            .find(Locator::Css("form"))
            .await
            .is_err(),
        "no form without the server's consent words"
    );
}

#[tokio::test]
async fn the_demo_page_passes_axe_core_with_the_forms_open_and_their_errors_shown() {
    let Some(visit) = Visit::start(Overrides::new()).await else {
        return;
    };
    let client = &visit.client;
    client.goto(&visit.app().url("/demo")).await.unwrap();
    find_in(client, CALLBACK, "form").await;
    find_in(client, BOOKING, "input[name='starts_at']").await;
    find_in(client, FINDER, "form").await;
    // The forms' own stylesheet applies under the page's strict policy.
    assert_eq!(
        css_of(
            client,
            CALLBACK,
            "button[type='submit']",
            "background-color"
        )
        .await,
        "rgba(11, 83, 148, 1)"
    );
    assert_accessible(client, "the demo page").await;

    type_into(client, FINDER, "postal_code", "M5V 2T6").await;
    click_in(client, FINDER, "button[type='submit']").await;
    find_in(client, FINDER, "li[data-practitioner-id]").await;
    click_in(client, CALLBACK, "button[type='submit']").await;
    text_in(client, CALLBACK, "[role='alert']", "Please correct").await;
    assert_accessible(client, "the demo page with results and field errors").await;

    click_in(client, FINDER, "li[data-practitioner-id] button").await;
    find_in(client, FOUND_BOOKING, "input[name='starts_at']").await;
    assert_accessible(client, "the demo page with a result's booking form").await;
}

#[tokio::test]
async fn with_scripts_off_the_demo_page_says_the_forms_need_them() {
    let Some((_driver, client)) = browser_with(false).await else {
        return;
    };
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    app.create_clinic(&admin, "Downtown Physio").await;
    client.goto(&app.url("/demo")).await.unwrap();
    let said = crate::browser::wait_for_text(&client, "//consultdesk-callback/p").await;
    assert_eq!(
        said,
        "This form needs JavaScript, which is off in this browser."
    );
    let finder = client
        .find(Locator::Css("consultdesk-finder"))
        .await
        .unwrap();
    assert!(finder.shadow_root().await.is_err(), "no script ran");
}
