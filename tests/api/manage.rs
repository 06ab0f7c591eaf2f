//! "Need to change your appointment?" (issue 15), black-box: the link comes from the emails a real
//! SMTP server received, and the JSON doors behind it (`/v1/manage/{token}`) are driven as a patient
//! would: cancel (reminders withdrawn, `METHOD:CANCEL`), reschedule (same UID, higher SEQUENCE,
//! reminders moved), real races for a slot (patient against patient, patient against the front
//! desk's public booking), the cutoff and finished bookings (409 with the clinic's phone, nothing
//! changed), bad tokens of every kind (404, never 500), GET and HEAD changing nothing, the audit
//! rows with actor `patient`, `changed_by` in the staff answer, and the clinic's notice.

use crate::bookings::{Desk, TORONTO, at, ics_property, upcoming};
use crate::email::{drain, invite_of, of_kind};
use crate::helpers::*;
use crate::mime::leaves;
use crate::smtp::{Captured, SmtpServer};
use chrono::{Duration as TimeDelta, Utc, Weekday};
use consultdesk::email::worker::Worker;
use consultdesk::scheduling::manage_token;
use reqwest::Response;
use serde_json::{Value, json};
use std::sync::Arc;
use tokio::sync::Barrier;
use uuid::Uuid;

/// The key the app signs and verifies with first (at least 32 bytes, no comma).
const KEY_A: &str = "manage-test-key-A-0123456789abcdef0123";
/// Still configured (second): links it signed keep working.
const KEY_B: &str = "manage-test-key-B-fedcba9876543210fedc";
/// Rotated out: never configured here.
const KEY_C: &str = "manage-test-key-C-00000000000000000000";
pub(crate) const PUBLIC_BASE: &str = "http://consultdesk.test";
/// The clinic's phone as `clinic_body` gives it, stored in E.164.
pub(crate) const CLINIC_PHONE: &str = "+14165550199";

pub(crate) struct Fixture {
    pub(crate) desk: Desk,
    smtp: SmtpServer,
    pub(crate) front_desk: String,
}

fn overrides(cutoff: &str) -> Overrides {
    Overrides::from([
        ("SIGNING_KEY", format!("{KEY_A},{KEY_B}")),
        ("PATIENT_CHANGE_CUTOFF", cutoff.to_owned()),
        ("PUBLIC_READ_RATE_LIMIT", "100000/min".to_owned()),
        // The races send from distinct client addresses, as people would.
        ("TRUSTED_PROXIES", "127.0.0.1".to_owned()),
    ])
}

impl Fixture {
    pub(crate) async fn new() -> Fixture {
        Fixture::with_cutoff("12h").await
    }

    pub(crate) async fn with_cutoff(cutoff: &str) -> Fixture {
        let desk = Desk::with(overrides(cutoff)).await;
        let smtp = SmtpServer::start().await;
        let front_desk = desk.app.staff_token("front_desk", &[desk.clinic]).await;
        Fixture {
            desk,
            smtp,
            front_desk,
        }
    }

    fn worker(&self) -> Worker {
        self.desk.app.worker(&self.smtp, |config| {
            config.public_base_url = PUBLIC_BASE.to_owned();
            config.signing_keys = vec![KEY_A.as_bytes().to_vec()];
        })
    }

    /// Sends everything due; every message the SMTP server has received so far.
    pub(crate) async fn deliver(&self) -> Vec<Captured> {
        let before = self.smtp.messages().len();
        let sent = drain(&self.worker()).await.len();
        self.smtp
            .wait_for(before + sent, std::time::Duration::from_secs(10))
            .await
    }

    /// Next Monday (at least 3 days ahead) at `hh_mm`, Toronto time.
    pub(crate) fn monday(&self, hh_mm: &str) -> String {
        at(TORONTO, upcoming(TORONTO, Weekday::Mon, 3), hh_mm)
    }

    /// A booking at `hh_mm` next Monday for `email`, confirmed by the front desk when `confirm`.
    pub(crate) async fn booking(&self, hh_mm: &str, email: &str, confirm: bool) -> Uuid {
        let id = self.desk.book_at(&self.monday(hh_mm), email).await;
        if confirm {
            self.desk
                .act_ok(&self.front_desk, id, "confirm", &json!({}))
                .await;
        }
        id
    }

    /// The manage token from the latest email to `email` of `kind` (taken from its text body, and
    /// checked to be the same link in its HTML body).
    pub(crate) async fn token_from_email(&self, email: &str, kind: &str) -> String {
        let messages = self.deliver().await;
        let message = of_kind(&messages, kind)
            .into_iter()
            .rev()
            .find(|m| m.rcpt_to.iter().any(|to| to == email))
            .unwrap_or_else(|| panic!("a {kind} email to {email}"));
        let links: Vec<String> = leaves(&message.data)
            .iter()
            .filter(|(kind, _)| kind == "text/plain" || kind == "text/html")
            .map(|(_, body)| manage_link(body))
            .collect();
        assert_eq!(links.len(), 2, "a link in the text and the HTML body");
        assert_eq!(links[0], links[1]);
        links[0]
            .strip_prefix(&format!("{PUBLIC_BASE}/manage/"))
            .unwrap_or_else(|| panic!("a link under {PUBLIC_BASE}/manage/: {}", links[0]))
            .to_owned()
    }

    async fn view(&self, token: &str) -> Response {
        self.desk.app.get(&format!("/v1/manage/{token}")).await
    }

    async fn cancel(&self, token: &str, body: &Value) -> Response {
        self.desk
            .app
            .post_json(&format!("/v1/manage/{token}/cancel"), body)
            .await
    }

    async fn reschedule(&self, token: &str, starts_at: &str) -> Response {
        self.desk
            .app
            .post_json(
                &format!("/v1/manage/{token}/reschedule"),
                &json!({"starts_at": starts_at}),
            )
            .await
    }

    /// The booking as the front desk sees it.
    pub(crate) async fn staff_view(&self, id: Uuid) -> Value {
        self.desk
            .app
            .get_json_as(&format!("/v1/staff/bookings/{id}"), &self.front_desk)
            .await
    }

    /// (action, actor, staff_id) of the booking's audit rows, oldest first.
    pub(crate) async fn audit(&self, id: Uuid) -> Vec<(String, String, Option<Uuid>)> {
        sqlx::query_as(
            "SELECT action, actor, staff_id FROM audit_log WHERE entity_type = 'booking' AND entity_id = $1
              ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.desk.app.db)
        .await
        .expect("audit rows")
    }
}

/// The `/manage/` link in an email body (text or HTML).
fn manage_link(body: &str) -> String {
    let start = body
        .find(&format!("{PUBLIC_BASE}/manage/"))
        .unwrap_or_else(|| panic!("a manage link in:\n{body}"));
    body[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "-_:/.".contains(*c))
        .collect()
}

pub(crate) fn patient_email() -> String {
    format!("patient-{}@example.com", Uuid::new_v4().simple())
}

#[tokio::test]
async fn the_link_in_every_booking_email_opens_the_booking_and_nothing_else() {
    let fixture = Fixture::new().await;
    let email = patient_email();
    let id = fixture.booking("09:00", &email, false).await;
    let token = fixture.token_from_email(&email, "booking_requested").await;
    let response = fixture.view(&token).await;
    assert_eq!(response.status(), 200);
    let body = json_of(response).await;
    assert_eq!(body["booking"]["id"], json!(id));
    assert_eq!(body["booking"]["status"], "requested");
    assert_eq!(body["can_change"], true);
    assert_eq!(body["booking"]["clinic"]["phone"], CLINIC_PHONE);
    let keys: Vec<&String> = body["booking"].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "clinic",
            "ends_at",
            "id",
            "mode",
            "practitioner",
            "starts_at",
            "status"
        ]
    );
    assert!(
        !body.to_string().contains(&email),
        "nothing about the patient"
    );
    // Twelve hours before the start, in the clinic's offset.
    let starts_at =
        chrono::DateTime::parse_from_rfc3339(body["booking"]["starts_at"].as_str().unwrap())
            .unwrap();
    let cutoff =
        chrono::DateTime::parse_from_rfc3339(body["change_cutoff"].as_str().unwrap()).unwrap();
    assert_eq!(starts_at - cutoff, TimeDelta::hours(12));

    // Confirmed, rescheduled and reminder emails carry it too (the reminder: a 24h reminder sent
    // early, as it would be a day before).
    fixture
        .desk
        .act_ok(&fixture.front_desk, id, "confirm", &json!({}))
        .await;
    let confirmed = fixture.token_from_email(&email, "booking_confirmed").await;
    assert_eq!(
        json_of(fixture.view(&confirmed).await).await["booking"]["status"],
        "confirmed"
    );
    fixture
        .desk
        .reschedule(&fixture.front_desk, id, &fixture.monday("10:00"))
        .await;
    let rescheduled = fixture
        .token_from_email(&email, "booking_rescheduled")
        .await;
    assert_eq!(
        json_of(fixture.view(&rescheduled).await).await["booking"]["id"],
        json!(id)
    );
    sqlx::query(
        "UPDATE email_outbox SET send_after = now() WHERE booking_id = $1
            AND kind = 'appointment_reminder' AND status = 'queued'",
    )
    .bind(id)
    .execute(&fixture.desk.app.db)
    .await
    .unwrap();
    let reminder = fixture
        .token_from_email(&email, "appointment_reminder")
        .await;
    assert_eq!(
        json_of(fixture.view(&reminder).await).await["booking"]["id"],
        json!(id)
    );
}

#[tokio::test]
async fn get_and_head_change_nothing() {
    let fixture = Fixture::new().await;
    let email = patient_email();
    let id = fixture.booking("09:00", &email, true).await;
    let token = fixture.token_from_email(&email, "booking_confirmed").await;
    let before = fixture.desk.row(id).await;
    let audit_before = fixture.audit(id).await;
    for _ in 0..3 {
        assert_eq!(fixture.view(&token).await.status(), 200);
        let head = fixture
            .desk
            .app
            .client
            .head(fixture.desk.app.url(&format!("/v1/manage/{token}")))
            .send()
            .await
            .unwrap();
        assert_eq!(head.status(), 200);
        // What a scanner might also try: the action paths with GET are not actions.
        for action in ["cancel", "reschedule"] {
            let response = fixture
                .desk
                .app
                .get(&format!("/v1/manage/{token}/{action}"))
                .await;
            assert_eq!(response.status(), 405, "GET {action}");
        }
    }
    assert_eq!(fixture.desk.row(id).await, before);
    assert_eq!(fixture.audit(id).await, audit_before);
}

#[tokio::test]
async fn cancelling_frees_the_slot_withdraws_reminders_and_sends_a_cancelling_invite() {
    let fixture = Fixture::new().await;
    let email = patient_email();
    let id = fixture.booking("09:00", &email, true).await;
    let token = fixture.token_from_email(&email, "booking_confirmed").await;
    let queued = fixture.desk.emails(id, "appointment_reminder").await;
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].status, "queued");

    let response = fixture
        .cancel(&token, &json!({"reason": "Feeling better"}))
        .await;
    assert_eq!(response.status(), 200);
    let body = json_of(response).await;
    assert_eq!(body["booking"]["status"], "cancelled");
    assert_eq!(body["can_change"], false);
    let row = fixture.desk.row(id).await;
    assert_eq!(row.status, "cancelled");
    assert_eq!(row.cancel_reason.as_deref(), Some("Feeling better"));
    let reminders = fixture.desk.emails(id, "appointment_reminder").await;
    assert!(
        reminders.iter().all(|r| r.status == "withdrawn"),
        "{reminders:?}"
    );

    let messages = fixture.deliver().await;
    let cancelled = of_kind(&messages, "booking_cancelled");
    assert_eq!(cancelled.len(), 1);
    assert_eq!(cancelled[0].rcpt_to, std::slice::from_ref(&email));
    let (ics, _) = invite_of(cancelled[0], "CANCEL");
    let confirmation = of_kind(&messages, "booking_confirmed");
    let (first, _) = invite_of(confirmation[0], "REQUEST");
    assert_eq!(ics_property(&ics, "UID"), ics_property(&first, "UID"));
    assert!(
        ics_property(&ics, "SEQUENCE").parse::<i32>().unwrap()
            > ics_property(&first, "SEQUENCE").parse::<i32>().unwrap()
    );

    // The slot is free for someone else; the audit names the patient; staff see who changed it.
    fixture
        .desk
        .book_at(&fixture.monday("09:00"), &patient_email())
        .await;
    let audit = fixture.audit(id).await;
    assert_eq!(audit.len(), 2, "{audit:?}");
    assert_eq!(
        (audit[0].0.as_str(), audit[0].1.as_str()),
        ("booking.confirm", "staff")
    );
    assert!(audit[0].2.is_some(), "the staff member who confirmed");
    assert_eq!(
        audit[1],
        ("booking.cancel".to_owned(), "patient".to_owned(), None)
    );
    assert_eq!(fixture.staff_view(id).await["changed_by"], "patient");
    // Again: the booking is cancelled, so a 409 with the clinic's phone.
    let problem = assert_problem(fixture.cancel(&token, &json!({})).await, 409).await;
    assert_eq!(problem["type"], "/problems/change_closed");
    assert!(
        problem["detail"].as_str().unwrap().contains(CLINIC_PHONE),
        "{problem}"
    );
}

#[tokio::test]
async fn rescheduling_keeps_the_status_and_the_uid_and_moves_the_reminders() {
    let fixture = Fixture::new().await;
    let email = patient_email();
    let id = fixture.booking("09:00", &email, true).await;
    let token = fixture.token_from_email(&email, "booking_confirmed").await;
    assert_eq!(fixture.staff_view(id).await["changed_by"], "staff");

    // Not a slot: 422 with the reason, nothing changed.
    let before = fixture.desk.row(id).await;
    let problem = assert_problem(
        fixture.reschedule(&token, &fixture.monday("10:07")).await,
        422,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "starts_at");
    assert_eq!(fixture.desk.row(id).await, before);

    let new_start = fixture.monday("14:30");
    let response = fixture.reschedule(&token, &new_start).await;
    assert_eq!(response.status(), 200);
    let body = json_of(response).await;
    assert_eq!(body["booking"]["status"], "confirmed");
    assert_eq!(body["booking"]["starts_at"], new_start);
    let row = fixture.desk.row(id).await;
    assert_eq!(row.status, "confirmed");
    assert_eq!(row.starts_at, crate::bookings::instant(&new_start));

    let reminders = fixture.desk.emails(id, "appointment_reminder").await;
    let queued: Vec<_> = reminders.iter().filter(|r| r.status == "queued").collect();
    assert_eq!(queued.len(), 1, "{reminders:?}");
    assert_eq!(
        queued[0].send_after,
        crate::bookings::instant(&new_start) - TimeDelta::hours(24)
    );
    assert!(reminders.iter().any(|r| r.status == "withdrawn"));

    let messages = fixture.deliver().await;
    let (first, _) = invite_of(of_kind(&messages, "booking_confirmed")[0], "REQUEST");
    let moved = of_kind(&messages, "booking_rescheduled");
    assert_eq!(moved.len(), 1);
    let (update, _) = invite_of(moved[0], "REQUEST");
    assert_eq!(ics_property(&update, "UID"), ics_property(&first, "UID"));
    assert!(
        ics_property(&update, "SEQUENCE").parse::<i32>().unwrap()
            > ics_property(&first, "SEQUENCE").parse::<i32>().unwrap()
    );
    // The new email's link is a new token for the same booking, still good.
    let again = fixture
        .token_from_email(&email, "booking_rescheduled")
        .await;
    assert_eq!(
        json_of(fixture.view(&again).await).await["booking"]["id"],
        json!(id)
    );

    let audit = fixture.audit(id).await;
    assert_eq!(
        audit.last().unwrap(),
        &("booking.reschedule".to_owned(), "patient".to_owned(), None)
    );
    assert_eq!(fixture.staff_view(id).await["changed_by"], "patient");
    let listed = fixture.desk.list(&fixture.front_desk, "").await;
    let item = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["id"] == json!(id))
        .unwrap()
        .clone();
    assert_eq!(item["changed_by"], "patient");
}

/// Fires every request at once (each task waits on one barrier); statuses in order.
async fn at_once(requests: Vec<reqwest::RequestBuilder>) -> Vec<u16> {
    let barrier = Arc::new(Barrier::new(requests.len()));
    let tasks: Vec<_> = requests
        .into_iter()
        .map(|request| {
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                request
                    .send()
                    .await
                    .expect("a racing request")
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.expect("a racing client"));
    }
    statuses
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_patients_moving_into_one_free_slot_at_once_get_one_200_and_one_409() {
    let fixture = Fixture::new().await;
    let app = &fixture.desk.app;
    for (round, target) in ["11:00", "11:15", "11:30"].into_iter().enumerate() {
        let (a, b) = (patient_email(), patient_email());
        let ids = [
            fixture
                .booking(&format!("{}:00", 13 + round), &a, true)
                .await,
            fixture
                .booking(&format!("{}:30", 13 + round), &b, true)
                .await,
        ];
        let tokens = [
            fixture.token_from_email(&a, "booking_confirmed").await,
            fixture.token_from_email(&b, "booking_confirmed").await,
        ];
        let before = [
            fixture.desk.row(ids[0]).await,
            fixture.desk.row(ids[1]).await,
        ];
        let start = fixture.monday(target);
        let requests = tokens
            .iter()
            .enumerate()
            .map(|(n, token)| {
                app.client
                    .post(app.url(&format!("/v1/manage/{token}/reschedule")))
                    .header("x-forwarded-for", format!("198.51.100.{n}"))
                    .json(&json!({"starts_at": start}))
            })
            .collect();
        let mut statuses = at_once(requests).await;
        let winner = statuses.iter().position(|s| *s == 200).expect("a winner");
        statuses.sort();
        assert_eq!(statuses, [200, 409], "round {round}");
        let loser = 1 - winner;
        assert_eq!(
            fixture.desk.row(ids[loser]).await,
            before[loser],
            "the loser keeps theirs"
        );
        assert_eq!(
            fixture.desk.row(ids[winner]).await.starts_at,
            crate::bookings::instant(&start)
        );
        let active: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM bookings WHERE starts_at = $1 AND status IN ('requested', 'confirmed')",
        )
        .bind(crate::bookings::instant(&start))
        .fetch_one(&app.db)
        .await
        .unwrap();
        assert_eq!(active, 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_patient_moving_into_a_slot_being_booked_at_the_same_time_one_wins() {
    let fixture = Fixture::new().await;
    let app = &fixture.desk.app;
    for (round, target) in ["15:00", "15:15", "15:30"].into_iter().enumerate() {
        let mover = patient_email();
        let id = fixture
            .booking(&format!("{}:00", 9 + round), &mover, true)
            .await;
        let token = fixture.token_from_email(&mover, "booking_confirmed").await;
        let before = fixture.desk.row(id).await;
        let start = fixture.monday(target);
        let requests = vec![
            app.client
                .post(app.url(&format!("/v1/manage/{token}/reschedule")))
                .header("x-forwarded-for", "198.51.100.1")
                .json(&json!({"starts_at": start})),
            app.client
                .post(app.url("/v1/bookings"))
                .header("x-forwarded-for", "198.51.100.2")
                .json(&crate::bookings::booking_body(
                    fixture.desk.practitioner,
                    &start,
                    &patient_email(),
                )),
        ];
        let statuses = at_once(requests).await;
        let moved = statuses[0] == 200;
        assert!(
            matches!((statuses[0], statuses[1]), (200, 409) | (409, 201)),
            "round {round}: {statuses:?}"
        );
        if !moved {
            assert_eq!(
                fixture.desk.row(id).await,
                before,
                "the patient keeps theirs"
            );
        }
        let active: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM bookings WHERE starts_at = $1 AND status IN ('requested', 'confirmed')",
        )
        .bind(crate::bookings::instant(&start))
        .fetch_one(&app.db)
        .await
        .unwrap();
        assert_eq!(active, 1);
    }
}

/// Asserts the 409 that sends the patient to the phone, and that nothing changed.
async fn refused_with_the_phone(fixture: &Fixture, id: Uuid, token: &str) {
    let before = fixture.desk.row(id).await;
    let audit = fixture.audit(id).await;
    let view = json_of(fixture.view(token).await).await;
    assert_eq!(view["can_change"], false, "{view}");
    for response in [
        fixture.cancel(token, &json!({})).await,
        fixture.reschedule(token, &fixture.monday("16:00")).await,
    ] {
        let problem = assert_problem(response, 409).await;
        assert_eq!(problem["type"], "/problems/change_closed");
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains(CLINIC_PHONE), "{detail}");
    }
    // And in French.
    let response = fixture
        .desk
        .app
        .client
        .post(fixture.desk.app.url(&format!("/v1/manage/{token}/cancel")))
        .header("accept-language", "fr-CA")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(response, 409).await;
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains(CLINIC_PHONE) && detail.contains("appeler"),
        "{detail}"
    );
    assert_eq!(fixture.desk.row(id).await, before);
    assert_eq!(fixture.audit(id).await, audit);
}

#[tokio::test]
async fn after_the_cutoff_a_change_is_a_409_naming_the_clinics_phone() {
    // A cutoff longer than any booking here is ahead: every booking is past it.
    let fixture = Fixture::with_cutoff("30d").await;
    let email = patient_email();
    let id = fixture.booking("09:00", &email, true).await;
    let token = fixture.token_from_email(&email, "booking_confirmed").await;
    refused_with_the_phone(&fixture, id, &token).await;
}

#[tokio::test]
async fn after_staff_cancelled_or_after_the_visit_a_change_is_a_409() {
    let fixture = Fixture::new().await;
    let cancelled = patient_email();
    let id = fixture.booking("09:00", &cancelled, true).await;
    let token = fixture
        .token_from_email(&cancelled, "booking_confirmed")
        .await;
    fixture
        .desk
        .cancel(&fixture.front_desk, id, json!({}))
        .await;
    refused_with_the_phone(&fixture, id, &token).await;

    let visited = patient_email();
    let id = fixture.booking("10:00", &visited, true).await;
    let token = fixture
        .token_from_email(&visited, "booking_confirmed")
        .await;
    fixture
        .desk
        .act_ok(&fixture.front_desk, id, "complete", &json!({}))
        .await;
    refused_with_the_phone(&fixture, id, &token).await;

    let absent = patient_email();
    let id = fixture.booking("11:00", &absent, true).await;
    let token = fixture.token_from_email(&absent, "booking_confirmed").await;
    fixture
        .desk
        .act_ok(&fixture.front_desk, id, "no-show", &json!({}))
        .await;
    refused_with_the_phone(&fixture, id, &token).await;
}

#[tokio::test]
async fn bad_tokens_are_404_never_500() {
    let fixture = Fixture::new().await;
    let email = patient_email();
    let id = fixture.booking("09:00", &email, true).await;
    let token = fixture.token_from_email(&email, "booking_confirmed").await;
    let other_email = patient_email();
    let other = fixture.booking("10:00", &other_email, true).await;
    let other_token = fixture
        .token_from_email(&other_email, "booking_confirmed")
        .await;
    let before = fixture.desk.row(id).await;

    let ends_at = before.ends_at;
    let signed = |key: &str, expires| manage_token::sign(key.as_bytes(), id, expires);
    let mut bad: Vec<String> = vec![
        "x".to_owned(),
        "not-a-token".to_owned(),
        "%00".to_owned(),
        "a".repeat(500),
        signed(KEY_C, manage_token::expiry(ends_at)),
        signed(KEY_A, Utc::now() - TimeDelta::minutes(1)),
        consultdesk::consent::tokens::sign_confirmation(KEY_A.as_bytes(), id),
    ];
    for cut in [1, token.len() / 2, token.len() - 1] {
        bad.push(token[..cut].to_owned());
    }
    for index in [0, 5, token.len() / 2, token.len() - 2] {
        let mut bytes = token.clone().into_bytes();
        bytes[index] = if bytes[index] == b'A' { b'B' } else { b'A' };
        bad.push(String::from_utf8(bytes).unwrap());
    }
    for bad_token in &bad {
        for response in [
            fixture.view(bad_token).await,
            fixture.cancel(bad_token, &json!({})).await,
            fixture
                .reschedule(bad_token, &fixture.monday("16:00"))
                .await,
        ] {
            assert_problem(response, 404).await;
        }
    }
    assert_eq!(fixture.desk.row(id).await, before);

    // A link names its own booking only: the other one's changes the other one.
    let view = json_of(fixture.view(&other_token).await).await;
    assert_eq!(view["booking"]["id"], json!(other));
    // A key still configured (second in SIGNING_KEY) keeps its links working.
    let rotated = signed(KEY_B, manage_token::expiry(ends_at));
    assert_eq!(
        json_of(fixture.view(&rotated).await).await["booking"]["id"],
        json!(id)
    );
}

#[tokio::test]
async fn the_clinic_hears_of_a_patients_change_at_its_notification_email() {
    let fixture = Fixture::new().await;
    let app = &fixture.desk.app;
    let email = patient_email();
    let id = fixture.booking("09:00", &email, true).await;
    let token = fixture.token_from_email(&email, "booking_confirmed").await;
    // No notification address: nobody is told.
    assert_eq!(
        fixture
            .reschedule(&token, &fixture.monday("09:30"))
            .await
            .status(),
        200
    );
    assert!(
        fixture
            .desk
            .emails(id, "booking_changed_by_patient")
            .await
            .is_empty()
    );

    let response = app
        .patch_as(
            &format!("/v1/admin/clinics/{}", fixture.desk.clinic),
            &fixture.desk.admin,
            &json!({"notification_email": "Front.Desk@Clinic.test"}),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        json_of(response).await["notification_email"],
        "Front.Desk@Clinic.test"
    );
    let response = fixture
        .cancel(&token, &json!({"reason": "Feeling better"}))
        .await;
    assert_eq!(response.status(), 200);
    let messages = fixture.deliver().await;
    let notices = of_kind(&messages, "booking_changed_by_patient");
    assert_eq!(notices.len(), 1);
    let notice = notices[0];
    assert_eq!(notice.rcpt_to, ["Front.Desk@Clinic.test"]);
    assert_eq!(
        notice.header("List-Unsubscribe"),
        None,
        "not the patient's link"
    );
    let text = leaves(&notice.data)
        .into_iter()
        .find(|(kind, _)| kind == "text/plain")
        .unwrap()
        .1;
    assert!(text.contains("Jane Runner cancelled"), "{text}");
    assert!(text.contains("Feeling better"), "{text}");
    assert!(
        !text.contains("/unsubscribe/") && !text.contains("/manage/"),
        "{text}"
    );

    // Clearing it (null) stops the notices.
    let response = app
        .patch_as(
            &format!("/v1/admin/clinics/{}", fixture.desk.clinic),
            &fixture.desk.admin,
            &json!({"notification_email": null}),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(json_of(response).await["notification_email"], Value::Null);
    let response = app
        .patch_as(
            &format!("/v1/admin/clinics/{}", fixture.desk.clinic),
            &fixture.desk.admin,
            &json!({"notification_email": "not an email"}),
        )
        .await;
    assert_invalid_fields(response, &["notification_email"]).await;
}

#[tokio::test]
async fn the_clinics_notice_is_in_the_clinics_language_and_the_patients_emails_in_theirs() {
    let fixture = Fixture::new().await;
    let app = &fixture.desk.app;
    let response = app
        .patch_as(
            &format!("/v1/admin/clinics/{}", fixture.desk.clinic),
            &fixture.desk.admin,
            &json!({"notification_email": "accueil@clinique.test", "default_locale": "fr"}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let email = patient_email();
    let mut body =
        crate::bookings::booking_body(fixture.desk.practitioner, &fixture.monday("09:00"), &email);
    body["locale"] = json!("en");
    let response = fixture.desk.book(&body).await;
    assert_eq!(response.status(), 201);
    let token = fixture.token_from_email(&email, "booking_requested").await;
    assert_eq!(fixture.cancel(&token, &json!({})).await.status(), 200);
    let messages = fixture.deliver().await;
    let notice = of_kind(&messages, "booking_changed_by_patient")[0];
    assert_eq!(notice.header("Content-Language").as_deref(), Some("fr"));
    let cancelled = of_kind(&messages, "booking_cancelled")[0];
    assert_eq!(cancelled.header("Content-Language").as_deref(), Some("en"));
    let text = leaves(&notice.data)
        .into_iter()
        .find(|(kind, _)| kind == "text/plain")
        .unwrap()
        .1;
    assert!(text.contains("Jane Runner a annulé"), "{text}");
}

/// The manage page's offer (`patient_manage::offered_slots`, called in process on the test's
/// database): the next 14 days exactly as the public slot list computes them, the booking's own
/// time taken like any other.
#[tokio::test]
async fn the_offered_slots_are_the_public_slot_lists_next_fourteen_days() {
    let fixture = Fixture::new().await;
    let email = patient_email();
    fixture.booking("09:00", &email, true).await;
    let token = fixture.token_from_email(&email, "booking_confirmed").await;
    let settings = consultdesk::config::Settings::from_lookup(|name| match name {
        "SIGNING_KEY" => Some(format!("{KEY_A},{KEY_B}")),
        _ => None,
    })
    .expect("settings");
    let state = consultdesk::state::AppState::new(fixture.desk.app.db.clone(), settings);
    let offered = consultdesk::scheduling::patient_manage::offered_slots(&state, &token)
        .await
        .expect("the offered slots");
    let offered = serde_json::to_value(&offered).unwrap();
    let today = crate::bookings::today(TORONTO);
    let to = today + chrono::Days::new(13);
    let public = fixture
        .desk
        .slots(fixture.desk.practitioner, &format!("?from={today}&to={to}"))
        .await;
    assert_eq!(public.status(), 200);
    assert_eq!(offered, json_of(public).await);
    let starts = crate::bookings::starts_of(&offered);
    assert!(!starts.is_empty());
    assert!(
        !starts.contains(&fixture.monday("09:00")),
        "its own time is taken"
    );
    assert!(starts.contains(&fixture.monday("09:15")));
    assert!(
        consultdesk::scheduling::patient_manage::offered_slots(&state, "x")
            .await
            .is_err()
    );
}

/// Ten patients moving into one free slot at once, five times over: exactly one wins each time and
/// every other gets a 409, never a 500.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_patients_racing_for_one_slot_never_get_a_500() {
    let fixture = Fixture::new().await;
    let app = &fixture.desk.app;
    let mut tokens = Vec::new();
    for n in 0..10 {
        let email = patient_email();
        let hh_mm = format!("{:02}:{:02}", 9 + n / 4, (n % 4) * 15);
        fixture.booking(&hh_mm, &email, false).await;
        tokens.push(fixture.token_from_email(&email, "booking_requested").await);
    }
    for target in ["14:00", "14:15", "14:30", "14:45", "15:00"] {
        let start = fixture.monday(target);
        let requests = tokens
            .iter()
            .enumerate()
            .map(|(n, token)| {
                app.client
                    .post(app.url(&format!("/v1/manage/{token}/reschedule")))
                    .header("x-forwarded-for", format!("198.51.100.{n}"))
                    .json(&json!({"starts_at": start}))
            })
            .collect();
        let statuses = at_once(requests).await;
        assert_eq!(
            statuses.iter().filter(|s| **s == 200).count(),
            1,
            "{target}: {statuses:?}"
        );
        assert_eq!(
            statuses.iter().filter(|s| **s == 409).count(),
            9,
            "{target}: {statuses:?}"
        );
    }
}
