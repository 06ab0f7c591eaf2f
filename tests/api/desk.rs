//! The front desk's console (issue 16), black-box over HTTP as a browser without JavaScript uses it:
//! cookies kept by hand, forms posted urlencoded, every 303 checked. Signing in and out, the CSRF
//! field (403 without it, nothing changed), the day page showing a booking made through the public
//! API, confirming it (the outbox's confirmation, the audit row with the staff member), cancelling,
//! moving to an offered slot and into a taken one (409 page), another clinic's booking (the same
//! 404 page as an unknown id), the callback queue, French, and the sign-in throttle.

use crate::bookings::{Desk, TORONTO, at, upcoming};
use crate::helpers::*;
use chrono::Weekday;
use reqwest::Response;
use serde_json::json;
use uuid::Uuid;

pub(crate) const PASSWORD: &str = "a long enough password";

/// A browser at the console: its cookie jar, by hand (the test client keeps none).
pub(crate) struct Console<'a> {
    pub(crate) app: &'a TestApp,
    cookies: Vec<(String, String)>,
}

fn header(response: &Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// The `value` of the first `<input … name="{name}" value="…">` in `page`.
pub(crate) fn field_value(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = page
        .find(&marker)
        .unwrap_or_else(|| panic!("a {name} field in\n{page}"));
    let rest = &page[at + marker.len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

impl<'a> Console<'a> {
    pub(crate) fn new(app: &'a TestApp) -> Console<'a> {
        Console {
            app,
            cookies: Vec::new(),
        }
    }

    fn keep_cookies(&mut self, response: &Response) {
        for value in response.headers().get_all("set-cookie") {
            let text = value.to_str().unwrap();
            let pair = text.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies.retain(|(kept, _)| kept != name);
            let removed = text.contains("Max-Age=0") || value.is_empty();
            if !removed {
                self.cookies.push((name.to_owned(), value.to_owned()));
            }
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub(crate) fn set_cookie(&mut self, name: &str, value: &str) {
        self.cookies.retain(|(kept, _)| kept != name);
        self.cookies.push((name.to_owned(), value.to_owned()));
    }

    pub(crate) async fn get(&mut self, path: &str) -> Response {
        let response = self
            .app
            .client
            .get(self.app.url(path))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .expect("GET");
        self.keep_cookies(&response);
        response
    }

    pub(crate) async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Response {
        let response = self
            .app
            .client
            .post(self.app.url(path))
            .header("cookie", self.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(form).unwrap())
            .send()
            .await
            .expect("POST");
        self.keep_cookies(&response);
        response
    }

    /// A page's HTML, asserting its status.
    pub(crate) async fn page(&mut self, path: &str, status: u16) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status(), status, "GET {path}");
        assert!(header(&response, "content-type").starts_with("text/html"));
        response.text().await.unwrap()
    }

    /// Signs in through the sign-in page's form.
    pub(crate) async fn sign_in(&mut self, email: &str, password: &str) -> Response {
        let page = self.page("/desk/sign-in", 200).await;
        let csrf = field_value(&page, "csrf");
        self.post(
            "/desk/sign-in",
            &[("csrf", &csrf), ("email", email), ("password", password)],
        )
        .await
    }

    /// Posts a form of the page at `page_path` (with its CSRF field) to `action`; asserts the 303
    /// and returns where it leads.
    pub(crate) async fn submit(
        &mut self,
        page_path: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> String {
        let response = self.submit_raw(page_path, action, fields).await;
        assert_eq!(response.status(), 303, "POST {action}");
        header(&response, "location")
    }

    pub(crate) async fn submit_raw(
        &mut self,
        page_path: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> Response {
        let page = self.page(page_path, 200).await;
        let csrf = field_value(&page, "csrf");
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        self.post(action, &form).await
    }
}

/// A staff member's email, created with `PASSWORD`.
pub(crate) async fn staff(app: &TestApp, role: &str, clinics: &[Uuid]) -> String {
    let email = format!("{role}-{}@clinic.test", Uuid::new_v4().simple());
    app.create_staff(&email, role, clinics, PASSWORD).await;
    email
}

/// A console signed in as a new front-desk member of `clinic`.
pub(crate) async fn front_desk<'a>(desk: &'a Desk, clinic: Uuid) -> Console<'a> {
    let email = staff(&desk.app, "front_desk", &[clinic]).await;
    let mut console = Console::new(&desk.app);
    let response = console.sign_in(&email, PASSWORD).await;
    assert_eq!(response.status(), 303);
    assert_eq!(header(&response, "location"), "/desk/");
    console
}

fn monday(hh_mm: &str) -> (String, chrono::NaiveDate) {
    let date = upcoming(TORONTO, Weekday::Mon, 3);
    (at(TORONTO, date, hh_mm), date)
}

async fn status_of(app: &TestApp, id: Uuid) -> String {
    sqlx::query_scalar("SELECT status FROM bookings WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn signed_out_pages_send_to_sign_in_and_the_session_cookie_is_locked_down() {
    let desk = Desk::new().await;
    let mut console = Console::new(&desk.app);
    for path in ["/desk/", "/desk/bookings", "/desk/callbacks"] {
        let response = console.get(path).await;
        assert_eq!(response.status(), 303, "{path}");
        assert_eq!(header(&response, "location"), "/desk/sign-in");
    }
    let response = console
        .post(&format!("/desk/bookings/{}/confirm", Uuid::new_v4()), &[])
        .await;
    assert_eq!(response.status(), 303);

    // The sign-in page: a strict CSP, no script, a CSRF field tied to its own cookie.
    let response = console.get("/desk/sign-in").await;
    assert_eq!(response.status(), 200);
    let policy = header(&response, "content-security-policy");
    assert!(policy.contains("default-src 'none'") && !policy.contains("script-src"));
    let page = response.text().await.unwrap();
    assert!(page.contains("<label for=\"email\">") && page.contains("<label for=\"password\">"));
    let email = staff(&desk.app, "front_desk", &[desk.clinic]).await;

    // Without the form's CSRF field, or with another, signing in is refused.
    let refused = console
        .post(
            "/desk/sign-in",
            &[("email", &email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(refused.status(), 403);
    let wrong = console
        .post(
            "/desk/sign-in",
            &[("csrf", "AAAA"), ("email", &email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(wrong.status(), 403);

    let wrong_password = console.sign_in(&email, "not the password").await;
    assert_eq!(wrong_password.status(), 401);
    assert!(
        wrong_password
            .text()
            .await
            .unwrap()
            .contains("The email or password is not correct.")
    );

    let response = console.sign_in(&email, PASSWORD).await;
    assert_eq!(response.status(), 303);
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .find(|value| value.starts_with("consultdesk_desk="))
        .expect("the session cookie");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    // Only its hash is stored.
    let token = cookie["consultdesk_desk=".len()..]
        .split(';')
        .next()
        .unwrap();
    let stored: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM staff_sessions WHERE token_hash = sha256(convert_to($1, 'UTF8'))",
    )
    .bind(token)
    .fetch_one(&desk.app.db)
    .await
    .unwrap();
    assert_eq!(stored, 1);
    console.page("/desk/", 200).await;

    // Signing out ends the session: the same cookie no longer opens anything.
    let location = console.submit("/desk/", "/desk/sign-out", &[]).await;
    assert_eq!(location, "/desk/sign-in");
    let mut replay = Console::new(&desk.app);
    replay.set_cookie("consultdesk_desk", token);
    assert_eq!(replay.get("/desk/").await.status(), 303);
}

#[tokio::test]
async fn over_https_the_cookies_are_secure_and_host_only() {
    let overrides = Overrides::from([(
        "PUBLIC_BASE_URL",
        "https://desk.consultdesk.test".to_owned(),
    )]);
    let desk = Desk::with(overrides).await;
    let email = staff(&desk.app, "front_desk", &[desk.clinic]).await;
    let mut console = Console::new(&desk.app);
    let response = console.sign_in(&email, PASSWORD).await;
    assert_eq!(response.status(), 303);
    let cookie = header(&response, "set-cookie");
    let cookies: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .collect();
    let session = cookies
        .iter()
        .find(|value| value.starts_with("__Host-consultdesk_desk="))
        .unwrap_or_else(|| panic!("a __Host- session cookie in {cookie}"));
    assert!(
        session.contains("Secure") && session.contains("Path=/") && !session.contains("Domain")
    );
}

#[tokio::test]
async fn the_front_desk_confirms_a_public_booking_from_the_day_page() {
    let desk = Desk::new().await;
    let (nine, date) = monday("09:00");
    let id = desk.book_at(&nine, "jane@example.com").await;
    let mut console = front_desk(&desk, desk.clinic).await;

    let day = console
        .page(&format!("/desk/bookings?date={date}"), 200)
        .await;
    assert!(day.contains(&format!("data-booking-id=\"{id}\"")), "{day}");
    assert!(day.contains("Jane Runner") && day.contains("9:00"));
    assert!(day.contains("one request to confirm"));

    // A form posted without its CSRF field changes nothing.
    let path = format!("/desk/bookings/{id}");
    let forged = console.post(&format!("{path}/confirm"), &[]).await;
    assert_eq!(forged.status(), 403);
    assert_eq!(status_of(&desk.app, id).await, "requested");

    let location = console.submit(&path, &format!("{path}/confirm"), &[]).await;
    assert_eq!(location, format!("{path}?done=confirm"));
    let page = console.page(&location, 200).await;
    assert!(page.contains("Booking confirmed."), "{page}");
    assert!(page.contains("id=\"booking-status\">Confirmed<"));
    assert_eq!(status_of(&desk.app, id).await, "confirmed");
    let queued: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM email_outbox WHERE booking_id = $1 AND kind = 'booking_confirmed'",
    )
    .bind(id)
    .fetch_one(&desk.app.db)
    .await
    .unwrap();
    assert_eq!(queued, 1);
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE entity_id = $1 AND action = 'booking.confirm' AND staff_id IS NOT NULL",
    )
    .bind(id)
    .fetch_one(&desk.app.db)
    .await
    .unwrap();
    assert_eq!(audited, 1);
    // Confirmed: no confirm form any more.
    assert!(!page.contains(&format!("{path}/confirm")));
}

#[tokio::test]
async fn moving_cancelling_and_a_slot_just_taken() {
    let desk = Desk::new().await;
    let (nine, date) = monday("09:00");
    let (ten, _) = monday("10:00");
    let (eleven, _) = monday("11:00");
    let id = desk.book_at(&nine, "jane@example.com").await;
    let other = desk.book_at(&ten, "sam@example.com").await;
    let mut console = front_desk(&desk, desk.clinic).await;
    let path = format!("/desk/bookings/{id}");

    // The page offers the practitioner's free slots, not the taken ones.
    let page = console.page(&path, 200).await;
    let eleven_local = chrono::DateTime::parse_from_rfc3339(&eleven)
        .unwrap()
        .to_rfc3339();
    let ten_local = chrono::DateTime::parse_from_rfc3339(&ten)
        .unwrap()
        .to_rfc3339();
    assert!(
        page.contains(&format!("value=\"{eleven_local}\"")),
        "{page}"
    );
    assert!(!page.contains(&format!("value=\"{ten_local}\"")));

    // A slot someone else holds: 409, the page again with why, the booking where it was.
    let response = console
        .submit_raw(&path, &format!("{path}/reschedule"), &[("starts_at", &ten)])
        .await;
    assert_eq!(response.status(), 409);
    let body = response.text().await.unwrap();
    assert!(body.contains("role=\"alert\""), "{body}");
    let starts: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("SELECT starts_at FROM bookings WHERE id = $1")
            .bind(id)
            .fetch_one(&desk.app.db)
            .await
            .unwrap();
    assert_eq!(
        starts.to_rfc3339(),
        chrono::DateTime::parse_from_rfc3339(&nine)
            .unwrap()
            .with_timezone(&chrono::Utc)
            .to_rfc3339()
    );

    // Nothing chosen: 422.
    let response = console
        .submit_raw(&path, &format!("{path}/reschedule"), &[])
        .await;
    assert_eq!(response.status(), 422);

    let location = console
        .submit(
            &path,
            &format!("{path}/reschedule"),
            &[("starts_at", &eleven_local)],
        )
        .await;
    assert_eq!(location, format!("{path}?done=reschedule"));
    let moved: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("SELECT starts_at FROM bookings WHERE id = $1")
            .bind(id)
            .fetch_one(&desk.app.db)
            .await
            .unwrap();
    assert_eq!(
        moved,
        chrono::DateTime::parse_from_rfc3339(&eleven).unwrap()
    );

    // A reason over 500 characters: 422, nothing cancelled.
    let long = "x".repeat(501);
    let other_path = format!("/desk/bookings/{other}");
    let response = console
        .submit_raw(
            &other_path,
            &format!("{other_path}/cancel"),
            &[("reason", &long), ("notify_patient", "true")],
        )
        .await;
    assert_eq!(response.status(), 422);
    assert_eq!(status_of(&desk.app, other).await, "requested");

    // Cancelled without telling the patient (the box unticked): no cancellation email.
    let location = console
        .submit(
            &other_path,
            &format!("{other_path}/cancel"),
            &[("reason", "Patient phoned to cancel")],
        )
        .await;
    assert_eq!(location, format!("{other_path}?done=cancel"));
    assert_eq!(status_of(&desk.app, other).await, "cancelled");
    let (reason, emails): (Option<String>, i64) = sqlx::query_as(
        "SELECT cancel_reason, (SELECT count(*) FROM email_outbox WHERE booking_id = $1 AND kind = 'booking_cancelled') FROM bookings WHERE id = $1",
    )
    .bind(other)
    .fetch_one(&desk.app.db)
    .await
    .unwrap();
    assert_eq!(reason.as_deref(), Some("Patient phoned to cancel"));
    assert_eq!(emails, 0);
    // The day shows the move and the cancellation.
    let day = console
        .page(&format!("/desk/bookings?date={date}"), 200)
        .await;
    assert!(day.contains("11:00") && day.contains("Cancelled"));
}

#[tokio::test]
async fn another_clinics_booking_and_callback_are_the_same_404_as_unknown_ones() {
    let desk = Desk::new().await;
    let (nine, _) = monday("09:00");
    let theirs = desk.book_at(&nine, "jane@example.com").await;
    let elsewhere = desk.clinic_in("Uptown Chiro", "America/Toronto").await;
    let mut callback = callback_body();
    callback["clinic_id"] = json!(desk.clinic);
    let their_callback = desk.app.accepted_callback(&callback).await;
    let mut console = front_desk(&desk, elsewhere).await;

    let unknown = console
        .page(&format!("/desk/bookings/{}", Uuid::new_v4()), 404)
        .await;
    let other = console.page(&format!("/desk/bookings/{theirs}"), 404).await;
    assert_eq!(unknown, other);
    assert!(!other.contains("Jane"));
    let malformed = console.page("/desk/bookings/not-an-id", 404).await;
    assert_eq!(malformed, unknown);

    let path = "/desk/";
    let response = console
        .submit_raw(path, &format!("/desk/bookings/{theirs}/confirm"), &[])
        .await;
    assert_eq!(response.status(), 404);
    assert_eq!(status_of(&desk.app, theirs).await, "requested");
    let response = console
        .submit_raw(
            path,
            &format!("/desk/callbacks/{their_callback}"),
            &[("status", "closed"), ("note", "")],
        )
        .await;
    assert_eq!(response.status(), 404);
    let queue = console.page("/desk/callbacks", 200).await;
    assert!(!queue.contains(&their_callback.to_string()));
}

#[tokio::test]
async fn the_callback_queue_is_worked_from_its_page() {
    let desk = Desk::new().await;
    let mut first = callback_body();
    first["clinic_id"] = json!(desk.clinic);
    first["name"] = json!("Ann First");
    let first = desk.app.accepted_callback(&first).await;
    let mut second = callback_body();
    second["clinic_id"] = json!(desk.clinic);
    second["name"] = json!("Bob Second");
    second["email"] = json!("bob@example.com");
    let second = desk.app.accepted_callback(&second).await;
    let mut console = front_desk(&desk, desk.clinic).await;

    let today = console.page("/desk/", 200).await;
    assert!(today.contains("2 new callback requests"), "{today}");
    let queue = console.page("/desk/callbacks", 200).await;
    let at_first = queue
        .find(&format!("data-callback-id=\"{first}\""))
        .unwrap();
    let at_second = queue
        .find(&format!("data-callback-id=\"{second}\""))
        .unwrap();
    assert!(at_first < at_second, "oldest first");

    let location = console
        .submit(
            "/desk/callbacks",
            &format!("/desk/callbacks/{first}"),
            &[("status", "contacted"), ("note", "Left a voicemail")],
        )
        .await;
    assert!(
        location.starts_with("/desk/callbacks?done=saved"),
        "{location}"
    );
    let (status, note): (String, Option<String>) =
        sqlx::query_as("SELECT status, note FROM callback_requests WHERE id = $1")
            .bind(first)
            .fetch_one(&desk.app.db)
            .await
            .unwrap();
    assert_eq!(
        (status.as_str(), note.as_deref()),
        ("contacted", Some("Left a voicemail"))
    );
    let queue = console.page(&location, 200).await;
    assert!(queue.contains("Saved.") && queue.contains("Left a voicemail"));

    // A status the queue does not know: 422, nothing changed.
    let response = console
        .submit_raw(
            "/desk/callbacks",
            &format!("/desk/callbacks/{second}"),
            &[("status", "lost")],
        )
        .await;
    assert_eq!(response.status(), 422);
    let status: String = sqlx::query_scalar("SELECT status FROM callback_requests WHERE id = $1")
        .bind(second)
        .fetch_one(&desk.app.db)
        .await
        .unwrap();
    assert_eq!(status, "new");
}

#[tokio::test]
async fn the_console_speaks_french_when_asked_and_keeps_it() {
    let desk = Desk::new().await;
    let (nine, date) = monday("09:00");
    desk.book_at(&nine, "jane@example.com").await;
    let mut console = front_desk(&desk, desk.clinic).await;
    let path = format!("/desk/bookings?date={date}");
    let switch = console
        .get(&format!(
            "/desk/language?to=fr&back={}",
            serde_urlencoded::to_string([("x", &path)]).unwrap()[2..].to_owned()
        ))
        .await;
    assert_eq!(switch.status(), 303);
    assert_eq!(header(&switch, "location"), path);
    let response = console.get(&path).await;
    assert_eq!(header(&response, "content-language"), "fr-CA");
    let page = response.text().await.unwrap();
    assert!(
        page.contains("Rendez-vous du") && page.contains("une demande à confirmer"),
        "{page}"
    );
    // French writes its times with non-breaking spaces: « 9 h 15 ».
    let plain = page.replace(['\u{a0}', '\u{202f}'], " ");
    assert!(plain.contains("9 h–9 h 15"), "{page}");
    // Only console paths are places to come back to.
    let away = console
        .get("/desk/language?to=en&back=https://evil.example/")
        .await;
    assert_eq!(header(&away, "location"), "/desk/");
}

#[tokio::test]
async fn failed_sign_ins_are_throttled_like_the_apis() {
    let desk = Desk::new().await;
    let email = staff(&desk.app, "front_desk", &[desk.clinic]).await;
    let mut console = Console::new(&desk.app);
    for _ in 0..5 {
        assert_eq!(
            console.sign_in(&email, "wrong password").await.status(),
            401
        );
    }
    let response = console.sign_in(&email, PASSWORD).await;
    assert_eq!(response.status(), 429);
    assert!(!header(&response, "retry-after").is_empty());
}

#[tokio::test]
async fn the_patient_page_records_consent_and_sends_plans_under_consent() {
    let desk = Desk::new().await;
    let (nine, _) = monday("09:00");
    let booking = desk.book_at(&nine, "jane@example.com").await;
    let patient: Uuid = sqlx::query_scalar("SELECT patient_id FROM bookings WHERE id = $1")
        .bind(booking)
        .fetch_one(&desk.app.db)
        .await
        .unwrap();
    let exercise: Uuid = sqlx::query_scalar("SELECT id FROM exercises ORDER BY name LIMIT 1")
        .fetch_one(&desk.app.db)
        .await
        .unwrap();
    let mut console = front_desk(&desk, desk.clinic).await;
    let path = format!("/desk/patients/{patient}");
    let clinic = desk.clinic.to_string();
    let exercise = exercise.to_string();

    // From the booking's page to the patient's.
    let booking_page = console
        .page(&format!("/desk/bookings/{booking}"), 200)
        .await;
    assert!(booking_page.contains(&format!("href=\"{path}\"")));
    let page = console.page(&path, 200).await;
    assert!(page.contains("Jane Runner") && page.contains("jane@example.com"));

    // An exercise plan from the library: the patient consented to them on the booking form.
    let location = console
        .submit(
            &path,
            &format!("{path}/exercise-plans"),
            &[
                ("clinic_id", &clinic),
                ("title", "Knee programme"),
                ("exercise_id", &exercise),
                ("note", "Twice a day"),
            ],
        )
        .await;
    assert_eq!(location, format!("{path}?done=exercise_plan"));
    let plans: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM email_outbox WHERE patient_id = $1 AND kind = 'exercise_plan' AND status = 'queued'",
    )
    .bind(patient)
    .fetch_one(&desk.app.db)
    .await
    .unwrap();
    assert_eq!(plans, 1);

    // A plan of care without the patient's consent to them: 409, nothing stored or sent.
    let response = console
        .submit_raw(
            &path,
            &format!("{path}/care-plans"),
            &[
                ("clinic_id", &clinic),
                ("title", "Back to running"),
                ("summary", "Six weeks of physiotherapy"),
                ("goals", "Run 5 km\nNo pain on stairs"),
                ("visits_per_week", "2"),
                ("weeks", "6"),
            ],
        )
        .await;
    assert_eq!(response.status(), 409);
    assert!(response.text().await.unwrap().contains("role=\"alert\""));
    assert_eq!(desk.app.count("care_plans").await, 0);

    // A plan of care with a number that is not one: 422 naming it.
    let response = console
        .submit_raw(
            &path,
            &format!("{path}/care-plans"),
            &[
                ("clinic_id", &clinic),
                ("title", "Back to running"),
                ("summary", "Six weeks"),
                ("goals", "Run 5 km"),
                ("visits_per_week", "often"),
                ("weeks", "6"),
            ],
        )
        .await;
    assert!([409, 422].contains(&response.status().as_u16()));

    // The person phones to stop exercise plans: recorded with the staff member, and the next plan
    // is refused.
    let location = console
        .submit(
            &path,
            &format!("{path}/consents"),
            &[
                ("clinic_id", &clinic),
                ("category", "exercise_plans"),
                ("granted", "false"),
                ("note", "By phone"),
            ],
        )
        .await;
    assert_eq!(location, format!("{path}?done=consent"));
    let (source, staff, note): (String, Option<Uuid>, Option<String>) = sqlx::query_as(
        "SELECT source, staff_id, note FROM consent_events WHERE patient_id = $1 AND category = 'exercise_plans' ORDER BY id DESC LIMIT 1",
    )
    .bind(patient)
    .fetch_one(&desk.app.db)
    .await
    .unwrap();
    assert_eq!(source, "staff");
    assert!(staff.is_some());
    assert_eq!(note.as_deref(), Some("By phone"));
    let page = console.page(&format!("{path}?done=consent"), 200).await;
    assert!(page.contains("The change is recorded.") && page.contains("No (withdrawn)"));
    let response = console
        .submit_raw(
            &path,
            &format!("{path}/exercise-plans"),
            &[
                ("clinic_id", &clinic),
                ("title", "More"),
                ("exercise_id", &exercise),
            ],
        )
        .await;
    assert_eq!(response.status(), 409);

    // Nothing chosen in the consent form: 422, nothing recorded.
    let before = desk.app.count("consent_events").await;
    let response = console
        .submit_raw(
            &path,
            &format!("{path}/consents"),
            &[("clinic_id", &clinic)],
        )
        .await;
    assert_eq!(response.status(), 422);
    assert_eq!(desk.app.count("consent_events").await, before);

    // Another clinic's front desk: the 404 page, for the page and its forms.
    let elsewhere = desk.clinic_in("Uptown Chiro", "America/Toronto").await;
    let mut other = front_desk(&desk, elsewhere).await;
    other.page(&path, 404).await;
    let response = other
        .submit_raw(
            "/desk/",
            &format!("{path}/consents"),
            &[
                ("clinic_id", &clinic),
                ("category", "exercise_plans"),
                ("granted", "true"),
            ],
        )
        .await;
    assert!([403, 404].contains(&response.status().as_u16()));
    assert_eq!(desk.app.count("consent_events").await, before);
}

#[tokio::test]
async fn an_admin_sets_up_a_clinic_a_practitioner_their_hours_and_a_front_desk_member() {
    let desk = Desk::new().await;
    let email = staff(&desk.app, "admin", &[]).await;
    let mut admin = Console::new(&desk.app);
    assert_eq!(admin.sign_in(&email, PASSWORD).await.status(), 303);

    // A clinic: a field the API refuses is named, nothing is stored.
    let before = desk.app.count("clinics").await;
    let clinic_form = [
        ("name", "Plateau Physio"),
        ("address", "4500 rue Saint-Denis"),
        ("city", "Montréal"),
        ("province", "QC"),
        ("postal_code", "H2J 2L3"),
        ("phone", "514-555-0142"),
        ("latitude", "45.5236"),
        ("longitude", "-73.5865"),
        ("time_zone", "America/Toronto"),
        ("default_locale", "fr"),
        ("notification_email", ""),
    ];
    let mut wrong = clinic_form.to_vec();
    wrong[8] = ("time_zone", "Mars/Olympus");
    let response = admin
        .submit_raw("/desk/admin/clinics", "/desk/admin/clinics", &wrong)
        .await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("Time zone:"));
    assert_eq!(desk.app.count("clinics").await, before);
    let location = admin
        .submit("/desk/admin/clinics", "/desk/admin/clinics", &clinic_form)
        .await;
    assert!(location.ends_with("?done=created"), "{location}");
    let clinic: Uuid = sqlx::query_scalar("SELECT id FROM clinics WHERE name = 'Plateau Physio'")
        .fetch_one(&desk.app.db)
        .await
        .unwrap();
    let clinic_text = clinic.to_string();

    // A practitioner there, then their weekly hours (with a lunch break) and time off.
    let location = admin
        .submit(
            "/desk/admin/practitioners",
            "/desk/admin/practitioners",
            &[
                ("clinic_id", &clinic_text),
                ("name", "Marie Tremblay"),
                ("discipline", "physiotherapy"),
                ("services", "sports injuries, back pain"),
                ("languages", "fr, en"),
                ("consult_modes", "phone"),
                ("consult_modes", "video"),
            ],
        )
        .await;
    let practitioner = location
        .strip_prefix("/desk/admin/practitioners/")
        .and_then(|rest| rest.strip_suffix("?done=created"))
        .unwrap_or_else(|| panic!("{location}"))
        .to_owned();
    let path = format!("/desk/admin/practitioners/{practitioner}");
    let location = admin
        .submit(
            &path,
            &format!("{path}/schedule"),
            &[
                ("start_1_1", "09:00"),
                ("end_1_1", "12:00"),
                ("start_1_2", "13:00"),
                ("end_1_2", "17:00"),
                ("start_3_1", "10:00"),
                ("end_3_1", "14:00"),
                ("slot_minutes", "30"),
            ],
        )
        .await;
    assert_eq!(location, format!("{path}?done=hours"));
    let ranges: i64 =
        sqlx::query_scalar("SELECT count(*) FROM schedule_ranges WHERE practitioner_id = $1::uuid")
            .bind(&practitioner)
            .fetch_one(&desk.app.db)
            .await
            .unwrap();
    assert_eq!(ranges, 3);
    let page = admin.page(&path, 200).await;
    assert!(
        page.contains("value=\"13:00\""),
        "the saved hours are shown"
    );
    // Closing before opening: 422, the hours as they were.
    let response = admin
        .submit_raw(
            &path,
            &format!("{path}/schedule"),
            &[
                ("start_2_1", "17:00"),
                ("end_2_1", "09:00"),
                ("slot_minutes", "30"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let location = admin
        .submit(
            &path,
            &format!("{path}/time-off"),
            &[
                ("starts_at", "2027-01-04T09:00"),
                ("ends_at", "2027-01-08T17:00"),
                ("reason", "Conference"),
            ],
        )
        .await;
    assert_eq!(location, format!("{path}?done=time_off"));
    let starts: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("SELECT starts_at FROM time_off WHERE practitioner_id = $1::uuid")
            .bind(&practitioner)
            .fetch_one(&desk.app.db)
            .await
            .unwrap();
    // 09:00 in the clinic's zone (Toronto, EST in January).
    assert_eq!(starts.to_rfc3339(), "2027-01-04T14:00:00+00:00");

    // A front-desk member of the new clinic, who can then sign in and sees only it.
    let member = format!("desk-{}@clinic.test", Uuid::new_v4().simple());
    let location = admin
        .submit(
            "/desk/admin/staff",
            "/desk/admin/staff",
            &[
                ("name", "Julie Accueil"),
                ("email", &member),
                ("role", "front_desk"),
                ("clinic_ids", &clinic_text),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(location, "/desk/admin/staff?done=created");
    let mut front = Console::new(&desk.app);
    assert_eq!(front.sign_in(&member, PASSWORD).await.status(), 303);
    let day = front.page("/desk/", 200).await;
    assert!(day.contains("Plateau Physio") && !day.contains("Downtown Physio"));
    // Admin pages are admins' only: 403 page, nothing created.
    let before = desk.app.count("clinics").await;
    assert_eq!(front.get("/desk/admin/clinics").await.status(), 403);
    let response = front
        .submit_raw("/desk/", "/desk/admin/clinics", &clinic_form)
        .await;
    assert_eq!(response.status(), 403);
    assert_eq!(desk.app.count("clinics").await, before);
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action IN ('clinic.create', 'practitioner.create') AND staff_id IS NOT NULL",
    )
    .fetch_one(&desk.app.db)
    .await
    .unwrap();
    assert!(audited >= 2);
}
