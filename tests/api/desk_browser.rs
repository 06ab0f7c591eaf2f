//! The front desk's console in headless Chromium (issue 16), as a receptionist uses it, with
//! JavaScript on and off: sign in, find a booking made through the public API on the day page,
//! confirm it (the confirmation email arrives at the capturing SMTP server), move one to an offered
//! slot, cancel one, work a callback request, and get the 404 page for another clinic's booking.
//! With JavaScript on, axe-core (npm, `tests/browser`) is injected into each kind of page: no
//! serious or critical accessibility violation.

use crate::bookings::{TORONTO, at, upcoming};
use crate::browser::{browser_with, click_button, wait_for_heading, wait_for_text};
use crate::email::of_kind;
use crate::helpers::*;
use chrono::Weekday;
use fantoccini::{Client, Locator};
use serde_json::json;
use uuid::Uuid;

const PASSWORD: &str = "a long enough password";

/// axe-core's script, installed by `scripts/install-deps.sh` (npm ci in tests/browser).
pub(crate) fn axe_source() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/browser/node_modules/axe-core/axe.min.js"
    );
    std::fs::read_to_string(path).unwrap_or_else(|error| {
        panic!("{path}: {error}; run scripts/install-deps.sh (npm ci in tests/browser)")
    })
}

/// Runs axe-core on the current page; panics listing every serious or critical violation.
pub(crate) async fn assert_accessible(client: &Client, what: &str) {
    client
        .execute(&format!("{}\nreturn true;", axe_source()), vec![])
        .await
        .unwrap_or_else(|error| panic!("injecting axe-core into {what}: {error}"));
    let found = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {resultTypes: ['violations']}).then(
               (result) => done(result.violations
                 .filter((v) => v.impact === 'serious' || v.impact === 'critical')
                 .map((v) => v.impact + ' ' + v.id + ': ' + v.help + ' at ' +
                   v.nodes.map((n) => n.target.join(' ')).join(', '))),
               (error) => done(['axe failed: ' + error]));",
            vec![],
        )
        .await
        .unwrap_or_else(|error| panic!("running axe-core on {what}: {error}"));
    let violations: Vec<String> = serde_json::from_value(found).expect("a list of violations");
    assert!(violations.is_empty(), "{what}: {}", violations.join("\n"));
}

async fn fill(client: &Client, id: &str, text: &str) {
    let field = client
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|error| panic!("the field #{id}: {error}"));
    field.clear().await.expect("clearing");
    field.send_keys(text).await.expect("typing");
}

async fn status_of(app: &TestApp, id: Uuid) -> (String, chrono::DateTime<chrono::Utc>) {
    sqlx::query_as("SELECT status, starts_at FROM bookings WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

async fn desk_in_chromium(javascript: bool) {
    let Some((_driver, client)) = browser_with(javascript).await else {
        return;
    };
    let fixture = crate::manage::Fixture::new().await;
    let desk = &fixture.desk;
    let app = &desk.app;
    let date = upcoming(TORONTO, Weekday::Mon, 3);
    let first = desk
        .book_at(&at(TORONTO, date, "09:00"), "jane@example.com")
        .await;
    let second = desk
        .book_at(&at(TORONTO, date, "10:00"), "sam@example.com")
        .await;
    let mut callback = callback_body();
    callback["clinic_id"] = json!(desk.clinic);
    callback["name"] = json!("Casey Caller");
    let callback = app.accepted_callback(&callback).await;
    // Another clinic's booking, which this front desk must not see.
    let elsewhere = desk.clinic_in("Uptown Chiro", "America/Toronto").await;
    let their_practitioner = desk.practitioner_at(elsewhere, &["phone", "video"]).await;
    desk.nine_to_five(their_practitioner, 15).await;
    let theirs = desk
        .book_with(
            their_practitioner,
            &at(TORONTO, date, "09:00"),
            "lee@example.com",
        )
        .await;
    let email = format!("frontdesk-{}@clinic.test", Uuid::new_v4().simple());
    app.create_staff(&email, "front_desk", &[desk.clinic], PASSWORD)
        .await;

    // Signing in.
    client
        .goto(&app.url("/desk/"))
        .await
        .expect("opening the console");
    wait_for_heading(&client, "Sign in to the front desk").await;
    if javascript {
        assert_accessible(&client, "the sign-in page").await;
    }
    fill(&client, "email", &email).await;
    fill(&client, "password", PASSWORD).await;
    click_button(&client, "Sign in").await;
    wait_for_text(
        &client,
        "//h1[starts-with(normalize-space(), 'Bookings for')]",
    )
    .await;
    if javascript {
        assert_accessible(&client, "today's page").await;
    }

    // The day of the bookings (the "Next day" links or the date filter lead there).
    client
        .goto(&app.url(&format!("/desk/bookings?date={date}")))
        .await
        .expect("the day");
    let row = format!("//tr[@data-booking-id='{first}']//a");
    let link = client
        .wait()
        .at_most(std::time::Duration::from_secs(30))
        .for_element(Locator::XPath(&row))
        .await
        .unwrap_or_else(|error| panic!("the booking's row: {error}"));
    link.click().await.expect("opening the booking");
    wait_for_heading(&client, "Booking: Jane Runner").await;
    if javascript {
        assert_accessible(&client, "a booking's page").await;
    }

    // Confirm: the page says so, the email arrives.
    click_button(&client, "Confirm booking").await;
    let said = wait_for_text(&client, "//p[@role='status']").await;
    assert_eq!(
        said,
        "Booking confirmed. The confirmation email is on its way."
    );
    assert_eq!(status_of(app, first).await.0, "confirmed");
    let messages = fixture.deliver().await;
    let confirmation = of_kind(&messages, "booking_confirmed");
    assert!(
        confirmation
            .iter()
            .any(|m| m.rcpt_to.iter().any(|to| to == "jane@example.com")),
        "the confirmation email reached the SMTP server"
    );

    // Cancel it, with a reason.
    fill(&client, "reason", "Patient phoned: feeling better").await;
    click_button(&client, "Cancel booking").await;
    // The page before said "confirmed": wait for the page that answers the cancel.
    let said = wait_for_text(&client, "//p[@role='status' and contains(., 'cancelled')]").await;
    assert_eq!(said, "Booking cancelled. Its time is free again.");
    assert_eq!(status_of(app, first).await.0, "cancelled");

    // Move the other one to the last offered slot.
    client
        .goto(&app.url(&format!("/desk/bookings/{second}")))
        .await
        .expect("the second booking");
    wait_for_heading(&client, "Booking: Jane Runner").await;
    let radios = client
        .find_all(Locator::Css("input[type='radio'][name='starts_at']"))
        .await
        .expect("the offered slots");
    let radio = radios.last().expect("an offered slot");
    let chosen = radio.attr("value").await.unwrap().unwrap();
    radio.click().await.expect("choosing the slot");
    click_button(&client, "Move booking").await;
    let said = wait_for_text(&client, "//p[@role='status']").await;
    assert_eq!(
        said,
        "Booking moved. The patient gets the new time by email."
    );
    assert_eq!(
        status_of(app, second).await.1,
        chrono::DateTime::parse_from_rfc3339(&chosen).unwrap()
    );

    // The patient's page, from the booking's.
    client
        .find(Locator::LinkText("Jane Runner"))
        .await
        .expect("the patient's link")
        .click()
        .await
        .expect("opening the patient");
    wait_for_heading(&client, "Patient: Jane Runner").await;
    if javascript {
        assert_accessible(&client, "a patient's page").await;
    }

    // The callback queue: mark the request contacted, with a note.
    client
        .find(Locator::LinkText("Callbacks"))
        .await
        .expect("the Callbacks link")
        .click()
        .await
        .expect("opening the queue");
    wait_for_heading(&client, "Callback requests").await;
    if javascript {
        assert_accessible(&client, "the callback queue").await;
    }
    client
        .find(Locator::Css(&format!(
            "#status-{callback} option[value='contacted']"
        )))
        .await
        .expect("the status choice")
        .click()
        .await
        .expect("choosing contacted");
    fill(&client, &format!("note-{callback}"), "Left a voicemail").await;
    client
        .find(Locator::XPath(&format!(
            "//section[@data-callback-id='{callback}']//button[normalize-space()='Save']"
        )))
        .await
        .expect("its Save button")
        .click()
        .await
        .expect("saving");
    assert_eq!(
        wait_for_text(&client, "//p[@role='status']").await,
        "Saved."
    );
    let (status, note): (String, Option<String>) =
        sqlx::query_as("SELECT status, note FROM callback_requests WHERE id = $1")
            .bind(callback)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(
        (status.as_str(), note.as_deref()),
        ("contacted", Some("Left a voicemail"))
    );

    // Another clinic's booking: the 404 page, as for an id that does not exist.
    client
        .goto(&app.url(&format!("/desk/bookings/{theirs}")))
        .await
        .expect("another clinic's booking");
    wait_for_heading(&client, "Not found").await;
    let source = client.source().await.unwrap();
    assert!(!source.contains("lee@example.com"));
    if javascript {
        assert_accessible(&client, "the not-found page").await;
    }

    // Signing out.
    click_button(&client, "Sign out").await;
    wait_for_heading(&client, "Sign in to the front desk").await;
    client
        .goto(&app.url("/desk/"))
        .await
        .expect("the console again");
    wait_for_heading(&client, "Sign in to the front desk").await;
    client.close().await.expect("closing the browser");
}

#[tokio::test]
async fn in_chromium_the_front_desk_works_the_day() {
    desk_in_chromium(true).await;
}

#[tokio::test]
async fn in_chromium_without_javascript_the_front_desk_works_the_same() {
    desk_in_chromium(false).await;
}

/// The admin pages, as an admin finds them: axe-core on each kind (lists, edit forms, the weekly
/// hours table), and a practitioner's hours saved through the form.
#[tokio::test]
async fn in_chromium_the_admin_pages_are_accessible_and_save_hours() {
    let Some((_driver, client)) = browser_with(true).await else {
        return;
    };
    let desk = crate::bookings::Desk::new().await;
    let app = &desk.app;
    let email = format!("admin-{}@clinic.test", Uuid::new_v4().simple());
    app.create_staff(&email, "admin", &[], PASSWORD).await;
    client
        .goto(&app.url("/desk/sign-in"))
        .await
        .expect("the sign-in page");
    wait_for_heading(&client, "Sign in to the front desk").await;
    fill(&client, "email", &email).await;
    fill(&client, "password", PASSWORD).await;
    click_button(&client, "Sign in").await;
    wait_for_text(
        &client,
        "//h1[starts-with(normalize-space(), 'Bookings for')]",
    )
    .await;
    for (path, heading) in [
        ("/desk/admin/clinics".to_owned(), "Clinics"),
        (
            format!("/desk/admin/clinics/{}", desk.clinic),
            "Downtown Physio",
        ),
        ("/desk/admin/practitioners".to_owned(), "Practitioners"),
        (
            format!("/desk/admin/practitioners/{}", desk.practitioner),
            "Alex Physio",
        ),
        ("/desk/admin/staff".to_owned(), "Staff"),
    ] {
        client.goto(&app.url(&path)).await.expect("an admin page");
        wait_for_heading(&client, heading).await;
        assert_accessible(&client, &path).await;
    }
    // Saturday mornings, through the hours table.
    client
        .goto(&app.url(&format!("/desk/admin/practitioners/{}", desk.practitioner)))
        .await
        .expect("the practitioner's page");
    wait_for_heading(&client, "Alex Physio").await;
    // A time field's typing depends on the browser's locale; set it as its picker does.
    for (name, value) in [("start_6_1", "09:00"), ("end_6_1", "12:00")] {
        client
            .execute(
                "document.querySelector(`[name='${arguments[0]}']`).value = arguments[1]; return true;",
                vec![json!(name), json!(value)],
            )
            .await
            .expect("setting the time");
    }
    click_button(&client, "Save the hours").await;
    let said = wait_for_text(&client, "//p[@role='status']").await;
    assert!(said.starts_with("The weekly hours are saved"), "{said}");
    let saturday: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM schedule_ranges WHERE practitioner_id = $1 AND weekday = 6",
    )
    .bind(desk.practitioner)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(saturday, 1);
    client.close().await.expect("closing the browser");
}
