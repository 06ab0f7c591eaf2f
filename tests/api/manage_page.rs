//! The manage page (issue 15), black-box: `/manage/{token}` opened from the link in a real email,
//! its forms posted as a browser without JavaScript posts them (urlencoded, following the 303):
//! the booking and the offered slots, cancelling, moving to an offered slot, a slot just taken
//! (409 page), past the cutoff (no forms, the clinic's phone), a tampered link (404 page), GET and
//! HEAD changing nothing, and the page in the patient's language with its `?lang=` switch.

use crate::bookings::instant;
use crate::manage::{CLINIC_PHONE, Fixture, patient_email};
use crate::unsubscribe::{get, html_page_in, post_form};
use reqwest::Response;
use uuid::Uuid;

/// The `value`s of the page's `starts_at` radios, in order.
fn offered(page: &str) -> Vec<String> {
    page.match_indices("name=\"starts_at\" value=\"")
        .map(|(at, found)| {
            let rest = &page[at + found.len()..];
            rest[..rest.find('"').unwrap()].to_owned()
        })
        .collect()
}

fn location(response: &Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

impl Fixture {
    pub(crate) fn page_url(&self, token: &str, rest: &str) -> String {
        self.desk.app.url(&format!("/manage/{token}{rest}"))
    }

    /// A confirmed booking next Monday at `hh_mm` and the token of its confirmation email's link.
    pub(crate) async fn confirmed_with_link(&self, hh_mm: &str) -> (Uuid, String) {
        let email = patient_email();
        let id = self.booking(hh_mm, &email, true).await;
        let token = self.token_from_email(&email, "booking_confirmed").await;
        (id, token)
    }

    /// POSTs a form of the page; asserts the 303 back to the page and follows it.
    async fn post_and_follow(&self, token: &str, action: &str, form: &str, done: &str) -> String {
        let response = post_form(
            &self.desk.app,
            &self.page_url(token, &format!("/{action}?lang=en")),
            form,
        )
        .await;
        assert_eq!(response.status(), 303, "POST {action}");
        let to = location(&response);
        assert_eq!(to, format!("/manage/{token}?lang=en&done={done}"));
        html_page_in(
            get(&self.desk.app, &self.desk.app.url(&to)).await,
            200,
            "en-CA",
        )
        .await
    }
}

#[tokio::test]
async fn the_page_from_the_email_shows_the_booking_and_the_offered_slots() {
    let fixture = Fixture::new().await;
    let (_, token) = fixture.confirmed_with_link("09:00").await;
    let page = html_page_in(
        get(&fixture.desk.app, &fixture.page_url(&token, "")).await,
        200,
        "en-CA",
    )
    .await;
    for expected in [
        "Your appointment",
        "Status: confirmed",
        "Monday",
        "9:00 AM",
        "America/Toronto",
        "Alex Physio",
        "How: by video",
        CLINIC_PHONE,
        "Choose another time",
        &format!("action=\"/manage/{token}/reschedule?lang=en\""),
        &format!("action=\"/manage/{token}/cancel?lang=en\""),
        "<label for=\"reason\">",
        "<textarea id=\"reason\" name=\"reason\"",
        "<fieldset>",
        "<legend>",
    ] {
        assert!(page.contains(expected), "{expected:?} in:\n{page}");
    }
    assert!(!page.contains("<script"), "no script");
    let slots = offered(&page);
    assert!(slots.len() > 3, "offered slots: {slots:?}");
    // Each radio is labelled (the label wraps it) and its value is an RFC 3339 start.
    for slot in &slots {
        instant(slot);
    }
    assert_eq!(
        page.matches("<label><input type=\"radio\" name=\"starts_at\"")
            .count(),
        slots.len()
    );
    // The group is required (one `required` radio is enough for the browser to refuse none).
    assert_eq!(page.matches(" required> ").count(), 1);
}

#[tokio::test]
async fn cancelling_from_the_page_says_so_and_cancels_the_booking() {
    let fixture = Fixture::new().await;
    let (id, token) = fixture.confirmed_with_link("09:00").await;
    let page = fixture
        .post_and_follow(&token, "cancel", "reason=Feeling+better", "cancelled")
        .await;
    assert!(page.contains("Your appointment is cancelled"), "{page}");
    assert!(page.contains("Status: cancelled"), "{page}");
    assert!(!page.contains("<form"), "no forms once cancelled: {page}");
    assert!(page.contains(CLINIC_PHONE), "{page}");
    let booking = fixture.staff_view(id).await;
    assert_eq!(booking["status"], "cancelled");
    // Again: closed, a 409 page saying to call, never a 500.
    let again = post_form(
        &fixture.desk.app,
        &fixture.page_url(&token, "/cancel?lang=en"),
        "reason=",
    )
    .await;
    let again = html_page_in(again, 409, "en-CA").await;
    assert!(again.contains("can no longer be changed online"), "{again}");
    assert!(again.contains(CLINIC_PHONE), "{again}");
}

#[tokio::test]
async fn moving_to_an_offered_slot_shows_the_new_time() {
    let fixture = Fixture::new().await;
    let (id, token) = fixture.confirmed_with_link("09:00").await;
    let page = html_page_in(
        get(&fixture.desk.app, &fixture.page_url(&token, "")).await,
        200,
        "en-CA",
    )
    .await;
    let slots = offered(&page);
    let chosen = slots.last().expect("an offered slot").clone();
    let form = serde_urlencoded::to_string([("starts_at", chosen.as_str())]).unwrap();
    let page = fixture
        .post_and_follow(&token, "reschedule", &form, "rescheduled")
        .await;
    assert!(page.contains("Your appointment has been moved"), "{page}");
    let booking = fixture.staff_view(id).await;
    assert_eq!(
        instant(booking["starts_at"].as_str().unwrap()),
        instant(&chosen)
    );
    assert_eq!(booking["status"], "confirmed");
    // The chosen slot is the booking's now: no longer offered.
    assert!(!offered(&page).contains(&chosen), "{page}");
}

#[tokio::test]
async fn a_slot_taken_meanwhile_answers_the_page_with_a_409_and_a_message() {
    let fixture = Fixture::new().await;
    let (id, token) = fixture.confirmed_with_link("09:00").await;
    let page = html_page_in(
        get(&fixture.desk.app, &fixture.page_url(&token, "")).await,
        200,
        "en-CA",
    )
    .await;
    let chosen = offered(&page)[0].clone();
    // Someone else books it between the page and the click.
    fixture.desk.book_at(&chosen, &patient_email()).await;
    let before = fixture.desk.row(id).await;
    let form = serde_urlencoded::to_string([("starts_at", chosen.as_str())]).unwrap();
    let response = post_form(
        &fixture.desk.app,
        &fixture.page_url(&token, "/reschedule?lang=en"),
        &form,
    )
    .await;
    let page = html_page_in(response, 409, "en-CA").await;
    assert!(page.contains("that time was just taken"), "{page}");
    assert!(page.contains("<form"), "still changeable: {page}");
    assert_eq!(fixture.desk.row(id).await, before);
    // Not a slot at all, or nothing chosen: 422 pages.
    for form in [
        "starts_at=soon",
        "",
        "starts_at=2020-01-06T09%3A00%3A00-05%3A00",
    ] {
        let response = post_form(
            &fixture.desk.app,
            &fixture.page_url(&token, "/reschedule?lang=en"),
            form,
        )
        .await;
        let page = html_page_in(response, 422, "en-CA").await;
        assert!(
            page.contains("That time cannot be booked"),
            "{form}: {page}"
        );
    }
    assert_eq!(fixture.desk.row(id).await, before);
}

#[tokio::test]
async fn past_the_cutoff_the_page_has_no_forms_and_gives_the_phone() {
    let fixture = Fixture::with_cutoff("30d").await;
    let (id, token) = fixture.confirmed_with_link("09:00").await;
    let page = html_page_in(
        get(&fixture.desk.app, &fixture.page_url(&token, "")).await,
        200,
        "en-CA",
    )
    .await;
    assert!(!page.contains("<form"), "{page}");
    assert!(page.contains("can no longer be changed online"), "{page}");
    assert!(
        page.contains(&format!(
            "<a href=\"tel:{CLINIC_PHONE}\">+1 416-555-0199</a>"
        )),
        "the phone, to call in one tap: {page}"
    );
    let before = fixture.desk.row(id).await;
    let response = post_form(
        &fixture.desk.app,
        &fixture.page_url(&token, "/cancel?lang=en"),
        "",
    )
    .await;
    let page = html_page_in(response, 409, "en-CA").await;
    assert!(page.contains(CLINIC_PHONE), "{page}");
    assert_eq!(fixture.desk.row(id).await, before);
}

#[tokio::test]
async fn a_tampered_link_is_the_404_page_in_the_requests_language() {
    let fixture = Fixture::new().await;
    let (id, token) = fixture.confirmed_with_link("09:00").await;
    let before = fixture.desk.row(id).await;
    let tampered = format!("{token}x");
    let page = html_page_in(
        get(&fixture.desk.app, &fixture.page_url(&tampered, "")).await,
        404,
        "en-CA",
    )
    .await;
    assert!(
        page.contains("This link is not valid or has expired"),
        "{page}"
    );
    let page = html_page_in(
        get(&fixture.desk.app, &fixture.page_url(&tampered, "?lang=fr")).await,
        404,
        "fr-CA",
    )
    .await;
    assert!(page.contains("pas valide ou a expiré"), "{page}");
    let response = fixture
        .desk
        .app
        .client
        .get(fixture.page_url(&tampered, ""))
        .header("accept-language", "fr-CA,fr;q=0.9")
        .send()
        .await
        .unwrap();
    html_page_in(response, 404, "fr-CA").await;
    for action in ["cancel", "reschedule"] {
        let response = post_form(
            &fixture.desk.app,
            &fixture.page_url(&tampered, &format!("/{action}")),
            "reason=x",
        )
        .await;
        html_page_in(response, 404, "en-CA").await;
    }
    assert_eq!(fixture.desk.row(id).await, before);
}

#[tokio::test]
async fn get_and_head_of_the_page_change_nothing() {
    let fixture = Fixture::new().await;
    let (id, token) = fixture.confirmed_with_link("09:00").await;
    let before = fixture.desk.row(id).await;
    let audit_before = fixture.audit(id).await;
    for _ in 0..3 {
        let response = get(
            &fixture.desk.app,
            &fixture.page_url(&token, "?done=cancelled"),
        )
        .await;
        assert_eq!(response.status(), 200);
        let head = fixture
            .desk
            .app
            .client
            .head(fixture.page_url(&token, ""))
            .send()
            .await
            .unwrap();
        assert_eq!(head.status(), 200);
        for action in ["cancel", "reschedule"] {
            let response = get(
                &fixture.desk.app,
                &fixture.page_url(&token, &format!("/{action}")),
            )
            .await;
            assert_eq!(response.status(), 405, "GET {action}");
        }
    }
    assert_eq!(fixture.desk.row(id).await, before);
    assert_eq!(fixture.audit(id).await, audit_before);
}

#[tokio::test]
async fn a_french_patient_reads_french_and_can_switch_to_english() {
    let fixture = Fixture::new().await;
    let (id, token) = fixture.confirmed_with_link("09:00").await;
    sqlx::query("UPDATE patients SET locale = 'fr' WHERE id = (SELECT patient_id FROM bookings WHERE id = $1)")
        .bind(id)
        .execute(&fixture.desk.app.db)
        .await
        .unwrap();
    let page = html_page_in(
        get(&fixture.desk.app, &fixture.page_url(&token, "")).await,
        200,
        "fr-CA",
    )
    .await;
    for expected in [
        "Votre rendez-vous",
        "lundi",
        " h",
        "Choisir une autre heure",
        "Annuler mon rendez-vous",
        "<a href=\"?lang=en\" hreflang=\"en-CA\" lang=\"en-CA\">English</a>",
        &format!("action=\"/manage/{token}/cancel?lang=fr\""),
        "Quand\u{a0}:",
    ] {
        assert!(page.contains(expected), "{expected:?} in:\n{page}");
    }
    assert!(!page.contains(" AM") && !page.contains(" PM"), "{page}");
    let page = html_page_in(
        get(&fixture.desk.app, &fixture.page_url(&token, "?lang=en")).await,
        200,
        "en-CA",
    )
    .await;
    assert!(page.contains("Your appointment"), "{page}");
    assert!(page.contains("<a href=\"?lang=fr\""), "{page}");
    // A French form post comes back to the French page.
    let response = post_form(
        &fixture.desk.app,
        &fixture.page_url(&token, "/cancel?lang=fr"),
        "",
    )
    .await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        location(&response),
        format!("/manage/{token}?lang=fr&done=cancelled")
    );
    let page = html_page_in(
        get(
            &fixture.desk.app,
            &fixture.desk.app.url(&location(&response)),
        )
        .await,
        200,
        "fr-CA",
    )
    .await;
    assert!(page.contains("Votre rendez-vous est annulé"), "{page}");
}

#[tokio::test]
async fn a_reason_over_500_characters_answers_the_page_with_a_422() {
    let fixture = Fixture::new().await;
    let (id, token) = fixture.confirmed_with_link("09:00").await;
    let before = fixture.desk.row(id).await;
    let form = serde_urlencoded::to_string([("reason", "x".repeat(501))]).unwrap();
    let response = post_form(
        &fixture.desk.app,
        &fixture.page_url(&token, "/cancel?lang=en"),
        &form,
    )
    .await;
    let page = html_page_in(response, 422, "en-CA").await;
    assert!(page.contains("The reason is too long"), "{page}");
    assert!(page.contains("<form"), "{page}");
    assert_eq!(fixture.desk.row(id).await, before);
}
