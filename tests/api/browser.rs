//! The unsubscribe page in a real browser: headless Chromium (Debian's `chromium` and
//! `chromium-driver`) driven over WebDriver. The link comes from an email the capturing SMTP server
//! received; the effect is checked in the consent ledger. Skipped, with a message saying what to
//! install, only when Chromium or chromedriver is missing (`scripts/install-deps.sh` installs both).

use crate::unsubscribe::{
    CLINIC, Event, Fixture, KEY_A, link_of, local, of_kind, set_patient_locale, state,
};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use std::os::unix::process::CommandExt as _;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use uuid::Uuid;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Chromium starts slowly on a busy machine; pages and clicks get the same allowance.
pub(crate) const BROWSER_PATIENCE: Duration = Duration::from_secs(60);

/// A chromedriver child process in a process group of its own, with a fresh profile directory.
/// Dropping it (also while a failed test unwinds) kills the whole group — chromedriver and the
/// Chromium it started — and removes the directory.
pub(crate) struct Chromedriver {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Chromedriver {
    fn spawn() -> Chromedriver {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("browser-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(dir.join("profile")).expect("a profile directory");
        let port = crate::binary::free_port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg(format!(
                "--log-path={}",
                dir.join("chromedriver.log").display()
            ))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("starting chromedriver");
        Chromedriver { child, port, dir }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("chromedriver.log")).unwrap_or_default()
    }

    /// Polls `/status` until chromedriver says it is ready; panics (with its log) if it exits or
    /// the deadline passes.
    async fn ready(&mut self) {
        let client = reqwest::Client::new();
        let deadline = tokio::time::Instant::now() + BROWSER_PATIENCE;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("chromedriver exited ({status}):\n{}", self.log());
            }
            let status = client
                .get(format!("{}/status", self.url()))
                .timeout(Duration::from_secs(2))
                .send()
                .await;
            if let Ok(response) = status
                && let Ok(body) = response.json::<Value>().await
                && body["value"]["ready"] == json!(true)
            {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "chromedriver not ready within {BROWSER_PATIENCE:?}:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        if let Ok(pid) = i32::try_from(self.child.id()) {
            // SAFETY: signals the process group this guard created (its id is chromedriver's pid).
            unsafe { libc::kill(-pid, libc::SIGKILL) };
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Headless Chromium through a fresh chromedriver; `None` (after saying so) when not installed.
async fn browser() -> Option<(Chromedriver, Client)> {
    browser_with(true).await
}

/// [`browser`], with JavaScript turned off when not `javascript`.
pub(crate) async fn browser_with(javascript: bool) -> Option<(Chromedriver, Client)> {
    if !std::path::Path::new(CHROMIUM).exists() || !std::path::Path::new(CHROMEDRIVER).exists() {
        eprintln!(
            "skipping: install chromium and chromium-driver (apt-get install chromium chromium-driver)"
        );
        return None;
    }
    let mut driver = Chromedriver::spawn();
    driver.ready().await;
    let profile = driver.dir.join("profile");
    let mut args = vec![
        "--headless=new".to_owned(),
        "--no-sandbox".to_owned(),
        "--disable-gpu".to_owned(),
        "--disable-dev-shm-usage".to_owned(),
        "--disable-quic".to_owned(),
        "--no-first-run".to_owned(),
        "--disable-background-networking".to_owned(),
        "--disable-component-update".to_owned(),
        "--disable-sync".to_owned(),
        format!("--user-data-dir={}", profile.display()),
    ];
    // Scripts off both ways Chromium knows (the profile's content setting and Blink's).
    let prefs = if javascript {
        json!({})
    } else {
        args.push("--blink-settings=scriptEnabled=false".to_owned());
        json!({"profile.managed_default_content_settings.javascript": 2})
    };
    let capabilities = json!({
        "goog:chromeOptions": { "binary": CHROMIUM, "args": args, "prefs": prefs }
    });
    let mut builder = ClientBuilder::new(HttpConnector::new());
    builder.capabilities(
        capabilities
            .as_object()
            .cloned()
            .expect("capabilities are an object"),
    );
    let client = match builder.connect(&driver.url()).await {
        Ok(client) => client,
        Err(error) => panic!("a WebDriver session in Chromium: {error}\n{}", driver.log()),
    };
    Some((driver, client))
}

/// Waits until the page's heading reads `heading`.
pub(crate) async fn wait_for_heading(client: &Client, heading: &str) {
    let xpath = format!("//h1[normalize-space()='{heading}']");
    if let Err(error) = client
        .wait()
        .at_most(BROWSER_PATIENCE)
        .every(Duration::from_millis(50))
        .for_element(Locator::XPath(&xpath))
        .await
    {
        let source = client.source().await.unwrap_or_default();
        panic!("no heading {heading:?} ({error}) on:\n{source}");
    }
}

pub(crate) async fn click_button(client: &Client, label: &str) {
    client
        .find(Locator::XPath(&format!(
            "//button[normalize-space()='{label}']"
        )))
        .await
        .unwrap_or_else(|error| panic!("a {label:?} button: {error}"))
        .click()
        .await
        .unwrap_or_else(|error| panic!("clicking {label:?}: {error}"));
}

/// Whether each category's checkbox is checked, as the browser sees it.
async fn checked(client: &Client) -> std::collections::BTreeMap<String, bool> {
    let mut found = std::collections::BTreeMap::new();
    for category in [
        "appointment_reminders",
        "exercise_plans",
        "plans_of_care",
        "service_updates",
    ] {
        let selected = client
            .find(Locator::Id(&format!("c-{category}")))
            .await
            .unwrap_or_else(|error| panic!("the {category} checkbox: {error}"))
            .is_selected()
            .await
            .expect("its state");
        found.insert(category.to_owned(), selected);
    }
    found
}

/// The confirmation page's list, as the browser renders it.
async fn listed(client: &Client) -> Vec<String> {
    let mut items = Vec::new();
    for item in client
        .find_all(Locator::Css("main li"))
        .await
        .expect("the list")
    {
        items.push(item.text().await.expect("an item's text"));
    }
    items
}

/// A patient consenting to reminders and exercise plans, sent an exercise plan; the URL of the
/// plan email's unsubscribe link on the running app.
async fn patient_with_a_plan() -> (Fixture, String) {
    let fixture = Fixture::new(KEY_A).await;
    fixture.queue_plan("Runner's knee, week 1").await;
    let messages = fixture.deliver(KEY_A).await;
    let link = link_of(of_kind(&messages, "exercise_plan"));
    let url = local(&fixture.app, &link);
    (fixture, url)
}

/// Opens the preferences page at `url` and checks it, with the state the patient started with.
async fn open_preferences(client: &Client, url: &str) {
    client.goto(url).await.expect("opening the link");
    wait_for_heading(client, "Your email preferences").await;
    assert_eq!(
        client.title().await.expect("a title"),
        format!("Email preferences · {CLINIC}")
    );
    assert_eq!(
        checked(client).await,
        state(&["appointment_reminders", "exercise_plans"]),
        "each category's current state"
    );
}

fn assert_from_chromium(event: &Event) {
    assert_eq!(event.source, "unsubscribe_link", "{event:?}");
    assert_eq!(event.ip.as_deref(), Some("127.0.0.1"), "{event:?}");
    assert!(
        event
            .user_agent
            .as_deref()
            .is_some_and(|agent| agent.contains("Chrome")),
        "Chromium's user agent: {event:?}"
    );
}

async fn events_since(fixture: &Fixture, from: usize) -> Vec<Event> {
    fixture.events().await[from..].to_vec()
}

#[tokio::test]
async fn in_chromium_the_emailed_link_unsubscribes_from_exercise_plans_in_one_click() {
    let Some((_driver, client)) = browser().await else {
        return;
    };
    let (fixture, url) = patient_with_a_plan().await;
    let before = fixture.events().await.len();

    open_preferences(&client, &url).await;
    assert_eq!(
        fixture.events().await.len(),
        before,
        "opening the page changes nothing"
    );
    click_button(&client, "Unsubscribe from exercise plans").await;
    wait_for_heading(&client, "Your preferences are saved").await;
    assert_eq!(
        client.title().await.expect("a title"),
        format!("Preferences saved · {CLINIC}")
    );
    assert_eq!(
        listed(&client).await,
        [
            "Appointment reminders: yes",
            "Exercise plans: no",
            "Plans of care: no",
            "Service updates: no"
        ]
    );

    let added = events_since(&fixture, before).await;
    assert_eq!(added.len(), 1, "{added:?}");
    assert_eq!(added[0].category, "exercise_plans");
    assert!(!added[0].granted);
    assert_from_chromium(&added[0]);
    assert_eq!(fixture.consents().await, state(&["appointment_reminders"]));

    client.close().await.expect("closing the browser");
}

/// The page's inline stylesheet is allowed by its hash under the strict CSP, so Chromium applies it:
/// large tap targets and readable text on a phone depend on it.
#[tokio::test]
async fn in_chromium_the_pages_own_stylesheet_applies_under_its_csp() {
    let Some((_driver, client)) = browser().await else {
        return;
    };
    let (_fixture, url) = patient_with_a_plan().await;
    open_preferences(&client, &url).await;
    client
        .set_window_size(390, 844)
        .await
        .expect("a phone-sized window");
    let button = client
        .find(Locator::XPath(
            "//button[normalize-space()='Unsubscribe from exercise plans']",
        ))
        .await
        .expect("the button");
    let background = button
        .css_value("background-color")
        .await
        .expect("a computed style");
    let height = button.rectangle().await.expect("its box").3;
    client.close().await.expect("closing the browser");
    assert!(
        background.contains("11, 83, 148"),
        "the stylesheet is not applied (the button keeps the browser's default background \
         {background}): Chromium refused it under the page's Content-Security-Policy"
    );
    assert!(height >= 44.0, "a tap target at least 44 px high: {height}");
}

#[tokio::test]
async fn in_chromium_the_checkboxes_are_saved_and_shown_again() {
    let Some((_driver, client)) = browser().await else {
        return;
    };
    let (fixture, url) = patient_with_a_plan().await;
    let before = fixture.events().await.len();

    open_preferences(&client, &url).await;
    for category in ["appointment_reminders", "plans_of_care", "service_updates"] {
        client
            .find(Locator::Id(&format!("c-{category}")))
            .await
            .unwrap_or_else(|error| panic!("the {category} checkbox: {error}"))
            .click()
            .await
            .unwrap_or_else(|error| panic!("toggling {category}: {error}"));
    }
    let chosen = state(&["exercise_plans", "plans_of_care", "service_updates"]);
    assert_eq!(checked(&client).await, chosen, "toggled in the page");
    click_button(&client, "Save my choices").await;
    wait_for_heading(&client, "Your preferences are saved").await;
    assert_eq!(
        listed(&client).await,
        [
            "Appointment reminders: no",
            "Exercise plans: yes",
            "Plans of care: yes",
            "Service updates: yes"
        ]
    );

    let added = events_since(&fixture, before).await;
    let mut rows: Vec<(&str, bool)> = added
        .iter()
        .map(|event| {
            assert_from_chromium(event);
            (event.category.as_str(), event.granted)
        })
        .collect();
    rows.sort();
    assert_eq!(
        rows,
        [
            ("appointment_reminders", false),
            ("plans_of_care", true),
            ("service_updates", true)
        ]
    );
    assert_eq!(fixture.consents().await, chosen);

    // "Change your preferences again" leads back to the page, which now shows the saved choices.
    client
        .find(Locator::LinkText("Change your preferences again"))
        .await
        .expect("the link back")
        .click()
        .await
        .expect("following it");
    wait_for_heading(&client, "Your email preferences").await;
    assert_eq!(checked(&client).await, chosen);
    assert_eq!(
        fixture.events().await.len(),
        before + 3,
        "showing the page again changed nothing"
    );

    client.close().await.expect("closing the browser");
}

async fn follow_link(client: &Client, text: &str) {
    client
        .find(Locator::LinkText(text))
        .await
        .unwrap_or_else(|error| panic!("a {text:?} link: {error}"))
        .click()
        .await
        .unwrap_or_else(|error| panic!("following {text:?}: {error}"));
}

#[tokio::test]
async fn in_chromium_a_french_patient_switches_languages_and_saves_in_french() {
    let Some((_driver, client)) = browser().await else {
        return;
    };
    let (fixture, url) = patient_with_a_plan().await;
    set_patient_locale(&fixture.app, fixture.patient, Some("fr")).await;
    let before = fixture.events().await.len();

    client.goto(&url).await.expect("opening the link");
    wait_for_heading(&client, "Vos préférences de courriel").await;
    assert_eq!(
        client.title().await.expect("a title"),
        format!("Préférences de courriel · {CLINIC}")
    );
    follow_link(&client, "English").await;
    wait_for_heading(&client, "Your email preferences").await;
    follow_link(&client, "Français").await;
    wait_for_heading(&client, "Vos préférences de courriel").await;
    assert_eq!(
        checked(&client).await,
        state(&["appointment_reminders", "exercise_plans"])
    );

    client
        .find(Locator::Id("c-appointment_reminders"))
        .await
        .expect("the reminders checkbox")
        .click()
        .await
        .expect("unchecking it");
    click_button(&client, "Enregistrer mes choix").await;
    wait_for_heading(&client, "Vos préférences sont enregistrées").await;
    let items: Vec<String> = listed(&client)
        .await
        .into_iter()
        .map(|item| item.replace('\u{a0}', " "))
        .collect();
    assert_eq!(
        items,
        [
            "Rappels de rendez-vous : non",
            "Programmes d'exercices : oui",
            "Plans de traitement : non",
            "Nouvelles sur les services : non"
        ]
    );
    let added = events_since(&fixture, before).await;
    assert_eq!(added.len(), 1, "{added:?}");
    assert_eq!(added[0].category, "appointment_reminders");
    assert!(!added[0].granted);
    assert_from_chromium(&added[0]);

    client.close().await.expect("closing the browser");
}

/// Waits until an element matching `xpath` is on the page; returns its text.
pub(crate) async fn wait_for_text(client: &Client, xpath: &str) -> String {
    match client
        .wait()
        .at_most(BROWSER_PATIENCE)
        .every(Duration::from_millis(50))
        .for_element(Locator::XPath(xpath))
        .await
    {
        Ok(element) => element.text().await.expect("its text"),
        Err(error) => {
            let source = client.source().await.unwrap_or_default();
            panic!("nothing at {xpath} ({error}) on:\n{source}");
        }
    }
}

/// The manage page from the confirmation email's link: pick an offered slot, move there and see
/// the new time; then cancel with a reason. The forms are plain HTML: the same with scripts off.
async fn manage_in_chromium(javascript: bool) {
    let Some((_driver, client)) = browser_with(javascript).await else {
        return;
    };
    let fixture = crate::manage::Fixture::new().await;
    let (id, token) = fixture.confirmed_with_link("09:00").await;
    client
        .goto(&fixture.page_url(&token, ""))
        .await
        .expect("opening the link");
    wait_for_heading(&client, "Your appointment").await;
    let radios = client
        .find_all(Locator::Css("input[type='radio'][name='starts_at']"))
        .await
        .expect("the offered slots");
    let radio = radios.last().expect("an offered slot");
    let chosen = radio
        .attr("value")
        .await
        .expect("its value")
        .expect("a value");
    radio.click().await.expect("choosing the slot");
    click_button(&client, "Move my appointment").await;
    let said = wait_for_text(&client, "//p[@role='status']").await;
    assert_eq!(
        said,
        "Your appointment has been moved. The new time is shown below."
    );
    let when = wait_for_text(&client, "//p[starts-with(normalize-space(), 'When:')]").await;
    let new_time = chrono::DateTime::parse_from_rfc3339(&chosen).expect("RFC 3339");
    let expected = new_time.format("%B %-d, %Y at %-I:%M %p").to_string();
    assert!(when.contains(&expected), "{when:?} shows {expected:?}");
    let booking = fixture.staff_view(id).await;
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(booking["starts_at"].as_str().unwrap()).unwrap(),
        new_time
    );

    client
        .find(Locator::Id("reason"))
        .await
        .expect("the reason field")
        .send_keys("Feeling better")
        .await
        .expect("typing a reason");
    click_button(&client, "Cancel my appointment").await;
    let said = wait_for_text(&client, "//p[@role='status' and contains(., 'cancelled')]").await;
    assert_eq!(
        said,
        "Your appointment is cancelled. The clinic has been told."
    );
    assert!(
        client
            .find_all(Locator::Css("form"))
            .await
            .expect("the forms")
            .is_empty(),
        "no forms once cancelled"
    );
    let booking = fixture.staff_view(id).await;
    assert_eq!(booking["status"], "cancelled");
    client.close().await.expect("closing the browser");
}

#[tokio::test]
async fn in_chromium_the_manage_page_moves_then_cancels_the_booking() {
    manage_in_chromium(true).await;
}

#[tokio::test]
async fn in_chromium_without_javascript_the_manage_page_works_the_same() {
    manage_in_chromium(false).await;
}
