//! Emails that arrive: the outbox worker delivering to a real SMTP server on a local port (one that
//! can refuse with 421, reject with 550, drop the connection or stall), checked through what the
//! server received and what the outbox rows say afterwards. Covers the headers and MIME
//! alternatives, the calendar invite parsed back, retries, permanent and exhausted failures, several
//! workers, a worker killed mid-batch, consent re-checked before sending, reminders, LISTEN/NOTIFY
//! and the file transport.

use crate::bookings::{Desk, TORONTO, at, instant, upcoming};
use crate::helpers::*;
use crate::mime::{Part, html_unescape};
use crate::smtp::{Captured, Mode, SmtpServer, header_in};
use chrono::{DateTime, Days, Duration as TimeDelta, Utc, Weekday};
use consultdesk::email::transport::Transport;
use consultdesk::email::worker::{Outcome, Worker};
use icalendar::{CalendarDateTime, Component, DatePerhapsTime, EventStatus};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::time::Duration;
use uuid::Uuid;

/// How long a test waits for something that should take well under a second.
const PATIENCE: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------------------------------------
// The outbox as stored

#[derive(Debug, Clone, sqlx::FromRow)]
struct Row {
    id: Uuid,
    kind: String,
    status: String,
    attempts: i32,
    last_error: Option<String>,
    smtp_response: Option<String>,
    message_id: Option<String>,
    sent_at: Option<DateTime<Utc>>,
    send_after: DateTime<Utc>,
    lease_until: Option<DateTime<Utc>>,
}

const ROW_COLUMNS: &str = "id, kind, status, attempts, last_error, smtp_response, message_id, sent_at, \
                           send_after, lease_until";

async fn row(app: &TestApp, id: Uuid) -> Row {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {ROW_COLUMNS} FROM email_outbox WHERE id = $1"
    )))
    .bind(id)
    .fetch_one(&app.db)
    .await
    .expect("the outbox row")
}

async fn rows(app: &TestApp) -> Vec<Row> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {ROW_COLUMNS} FROM email_outbox ORDER BY created_at, id"
    )))
    .fetch_all(&app.db)
    .await
    .expect("the outbox rows")
}

/// Seconds from the database's now until the row is due (negative: overdue).
async fn seconds_until_due(app: &TestApp, id: Uuid) -> f64 {
    sqlx::query_scalar(
        "SELECT EXTRACT(EPOCH FROM send_after - now())::float8 FROM email_outbox WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&app.db)
    .await
    .expect("the due time")
}

/// Makes the row due now, as the passing of its backoff or reminder offset would.
async fn make_due(app: &TestApp, id: Uuid) {
    sqlx::query("UPDATE email_outbox SET send_after = now() WHERE id = $1")
        .bind(id)
        .execute(&app.db)
        .await
        .expect("making the email due");
}

/// Posts a callback form with `email` (at `clinic`, or the network queue); the id of its email row.
async fn callback_email(app: &TestApp, email: &str, clinic: Option<Uuid>) -> Uuid {
    let mut body = callback_body();
    body["email"] = json!(email);
    if let Some(clinic) = clinic {
        body["clinic_id"] = json!(clinic);
    }
    let callback: Uuid = app.accepted_callback(&body).await;
    sqlx::query_scalar("SELECT id FROM email_outbox WHERE callback_request_id = $1")
        .bind(callback)
        .fetch_one(&app.db)
        .await
        .expect("the callback's email")
}

/// Queues `count` more callback emails for the patient of email row `like`, in one statement, each
/// to its own address (`bulk-<n>@example.com`).
async fn queue_more_like(app: &TestApp, like: Uuid, count: i32) {
    sqlx::query(
        "INSERT INTO email_outbox (id, kind, patient_id, clinic_id, to_address, payload, dedup_key)
         SELECT gen_random_uuid(), 'callback_received', e.patient_id, e.clinic_id,
                'bulk-' || n || '@example.com',
                jsonb_build_object('name', 'Bulk ' || n, 'preferred_time', 'morning', 'phone', '+14165550100'),
                'bulk:' || n
           FROM email_outbox e, generate_series(1, $2) AS n
          WHERE e.id = $1",
    )
    .bind(like)
    .bind(count)
    .execute(&app.db)
    .await
    .expect("queueing more emails");
}

/// Runs rounds until one finds nothing due; every outcome, in order.
pub(crate) async fn drain(worker: &Worker) -> Vec<Outcome> {
    let mut all = Vec::new();
    loop {
        let outcomes = worker.run_once().await.expect("a worker round");
        if outcomes.is_empty() {
            return all;
        }
        all.extend(outcomes);
    }
}

pub(crate) fn of_kind<'a>(messages: &'a [Captured], kind: &str) -> Vec<&'a Captured> {
    messages
        .iter()
        .filter(|m| m.header("X-Consultdesk-Kind").as_deref() == Some(kind))
        .collect()
}

/// The `invite.ics` attachment of a message, parsed back.
pub(crate) fn invite_of(message: &Captured, method: &str) -> (String, icalendar::Calendar) {
    let mime = Part::parse(&message.data);
    assert_eq!(mime.mime_type(), "multipart/mixed", "{}", message.data);
    assert_eq!(
        mime.child_types(),
        ["multipart/alternative", "text/calendar"],
        "the alternatives, then the invite"
    );
    assert_eq!(mime.children[0].child_types(), ["text/plain", "text/html"]);
    let calendar = &mime.children[1];
    assert_eq!(
        calendar.parameter("method").as_deref(),
        Some(method),
        "{}",
        calendar.head
    );
    let disposition = calendar.header("Content-Disposition").unwrap_or_default();
    assert!(disposition.contains("invite.ics"), "{disposition}");
    let parsed = calendar
        .body
        .parse::<icalendar::Calendar>()
        .unwrap_or_else(|error| panic!("the invite parses ({error}):\n{}", calendar.body));
    assert_eq!(parsed.property_value("METHOD"), Some(method));
    (calendar.body.clone(), parsed)
}

fn utc(time: DateTime<Utc>) -> Option<DatePerhapsTime> {
    Some(DatePerhapsTime::DateTime(CalendarDateTime::Utc(time)))
}

// ---------------------------------------------------------------------------------------------
// What an email looks like

#[tokio::test]
async fn a_callback_email_arrives_with_its_headers_both_alternatives_and_the_unsubscribe_link() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let clinic = app.create_clinic(&admin, "Downtown Physio").await;
    let id = callback_email(&app, "jane@example.com", Some(clinic)).await;
    let worker = app.worker(&smtp, |_| {});

    assert_eq!(
        worker.run_once().await.expect("a round"),
        vec![Outcome::Sent]
    );
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1);
    let message = &messages[0];
    let stored = row(&app, id).await;

    // The envelope and the headers.
    assert_eq!(message.mail_from, "no-reply@clinic.test");
    assert_eq!(message.rcpt_to, ["jane@example.com"]);
    assert_eq!(message.header("From").as_deref(), Some(MAIL_FROM));
    assert!(
        message
            .header("To")
            .is_some_and(|to| to.contains("jane@example.com")),
        "{}",
        message.data
    );
    let subject = message.header("Subject").expect("a subject");
    assert!(subject.contains("Downtown Physio"), "{subject}");
    let date = message.header("Date").expect("a Date");
    let date =
        DateTime::parse_from_rfc2822(&date).unwrap_or_else(|_| panic!("RFC 5322 date: {date}"));
    assert!((Utc::now() - date.with_timezone(&Utc)).num_seconds().abs() < 300);
    let message_id = message.header("Message-ID").expect("a Message-ID");
    assert_eq!(Some(&message_id), stored.message_id.as_ref());
    assert_eq!(message_id, format!("<{id}@clinic.test>"));
    assert_eq!(
        message.header("X-Consultdesk-Kind").as_deref(),
        Some("callback_received")
    );
    // The header's link, the very one both bodies carry.
    let unsubscribe_url = crate::unsubscribe::link_of(message);
    let token = unsubscribe_url
        .strip_prefix("http://consultdesk.test/unsubscribe/")
        .unwrap_or_else(|| panic!("the unsubscribe URL: {unsubscribe_url}"));
    assert!(token.len() >= 20, "an unguessable token: {token}");
    assert_eq!(
        message.header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    assert_eq!(message.header("MIME-Version").as_deref(), Some("1.0"));

    // Text and HTML alternatives, each with the link and the clinic.
    let mime = Part::parse(&message.data);
    assert_eq!(mime.mime_type(), "multipart/alternative");
    assert_eq!(mime.child_types(), ["text/plain", "text/html"]);
    let text = &mime.children[0].body;
    let html = html_unescape(&mime.children[1].body);
    assert!(text.contains(&unsubscribe_url), "{text}");
    assert!(html.contains(&unsubscribe_url), "{html}");
    assert!(
        html.contains(&format!("href=\"{unsubscribe_url}\"")),
        "{html}"
    );
    for body in [text, &html] {
        assert!(
            body.contains("Downtown Physio") && body.contains("100 King St W"),
            "{body}"
        );
        assert!(body.contains("Jane Runner"), "{body}");
    }

    // The row records the delivery.
    assert_eq!(stored.status, "sent");
    assert_eq!(stored.attempts, 1);
    assert!(stored.last_error.is_none(), "{stored:?}");
    assert!(stored.lease_until.is_none());
    let response = stored.smtp_response.expect("the SMTP response");
    assert!(response.starts_with("250"), "{response}");
    assert!(response.contains("queued as TEST1"), "{response}");
    let sent_at = stored.sent_at.expect("sent_at");
    assert!((Utc::now() - sent_at).num_seconds().abs() < 60);

    // Nothing is sent twice.
    assert!(worker.run_once().await.expect("a round").is_empty());
    assert_eq!(smtp.messages().len(), 1);
}

#[tokio::test]
async fn a_confirmation_carries_an_invite_that_parses_back_and_a_cancellation_cancels_it() {
    let smtp = SmtpServer::start().await;
    let desk = Desk::new().await;
    let (front_desk, id) = desk.front_desk_and_a_confirmed_booking().await;
    let worker = desk.app.worker(&smtp, |_| {});

    // The request received and the confirmation; the reminder is not due for days.
    assert_eq!(drain(&worker).await, [Outcome::Sent, Outcome::Sent]);
    let messages = smtp.messages();
    let requested = of_kind(&messages, "booking_requested");
    assert_eq!(requested.len(), 1);
    assert!(
        !requested[0].data.contains("text/calendar"),
        "no invite before confirmation"
    );
    let confirmed = of_kind(&messages, "booking_confirmed");
    assert_eq!(confirmed.len(), 1);
    assert_eq!(confirmed[0].rcpt_to, ["jane@example.com"]);

    let booking = desk.row(id).await;
    let (text, calendar) = invite_of(confirmed[0], "REQUEST");
    let events: Vec<_> = calendar.events().collect();
    assert_eq!(events.len(), 1, "{text}");
    let event = events[0];
    let uid = format!("booking-{id}@consultdesk");
    assert_eq!(event.get_uid(), Some(uid.as_str()));
    let sequence = event.get_sequence().expect("a SEQUENCE");
    assert_eq!(i64::from(sequence), i64::from(booking.ics_sequence));
    assert_eq!(event.get_start(), utc(booking.starts_at), "{text}");
    assert_eq!(event.get_end(), utc(booking.ends_at), "{text}");
    assert_eq!(event.get_status(), Some(EventStatus::Confirmed));
    let attendees: Vec<&str> = event
        .multi_properties()
        .get("ATTENDEE")
        .map(|all| all.iter().map(|p| p.value()).collect())
        .unwrap_or_default();
    assert_eq!(attendees, ["mailto:jane@example.com"], "{text}");

    desk.cancel(
        &front_desk,
        id,
        json!({"reason": "Patient called", "notify_patient": true}),
    )
    .await;
    assert_eq!(drain(&worker).await, [Outcome::Sent]);
    let messages = smtp.messages();
    let cancelled = of_kind(&messages, "booking_cancelled");
    assert_eq!(cancelled.len(), 1);
    let (text, calendar) = invite_of(cancelled[0], "CANCEL");
    let event = calendar.events().next().expect("an event");
    assert_eq!(event.get_uid(), Some(uid.as_str()), "the same event");
    let cancel_sequence = event.get_sequence().expect("a SEQUENCE");
    assert!(cancel_sequence > sequence, "{cancel_sequence} > {sequence}");
    assert_eq!(event.get_status(), Some(EventStatus::Cancelled));
    assert_eq!(event.get_start(), utc(booking.starts_at), "{text}");
    assert!(
        of_kind(&messages, "appointment_reminder").is_empty(),
        "no reminder"
    );
}

// ---------------------------------------------------------------------------------------------
// Failures

/// The server fails the first attempt in `mode`; the email waits its backoff, then goes out.
async fn retried_then_delivered(mode: Mode) {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn().await;
    let id = callback_email(&app, "jane@example.com", None).await;
    let base = Duration::from_secs(60);
    let worker = app.worker(&smtp, |config| config.base_backoff = base);

    smtp.set_mode(mode);
    assert_eq!(
        worker.run_once().await.expect("a round"),
        [Outcome::Retrying]
    );
    assert!(smtp.messages().is_empty(), "{mode:?}: nothing accepted");
    let waiting = row(&app, id).await;
    assert_eq!(
        (waiting.status.as_str(), waiting.attempts),
        ("queued", 1),
        "{waiting:?}"
    );
    let error = waiting.last_error.clone().expect("the error");
    if mode == Mode::Refuse421 {
        assert!(error.contains("421"), "{error}");
    }
    assert!(waiting.lease_until.is_none() && waiting.sent_at.is_none());
    assert!(waiting.smtp_response.is_none() && waiting.message_id.is_none());
    // Full jitter over [base/2, base], less the moments since it was written.
    let wait = seconds_until_due(&app, id).await;
    let half = base.as_secs_f64() / 2.0;
    assert!(
        wait > half - 5.0 && wait <= base.as_secs_f64(),
        "{mode:?}: retry in {wait} s"
    );
    // Not before its time.
    assert!(worker.run_once().await.expect("a round").is_empty());

    smtp.set_mode(Mode::Accept);
    make_due(&app, id).await;
    assert_eq!(worker.run_once().await.expect("a round"), [Outcome::Sent]);
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1);
    let sent = row(&app, id).await;
    assert_eq!(
        (sent.status.as_str(), sent.attempts),
        ("sent", 2),
        "{sent:?}"
    );
    assert!(
        sent.smtp_response
            .as_deref()
            .is_some_and(|r| r.starts_with("250"))
    );
    assert!(sent.sent_at.is_some());
    assert_eq!(messages[0].header("Message-ID"), sent.message_id);
    assert!(worker.run_once().await.expect("a round").is_empty());
    assert_eq!(smtp.messages().len(), 1);
}

#[tokio::test]
async fn a_421_is_retried_after_a_backoff_then_delivered() {
    retried_then_delivered(Mode::Refuse421).await;
}

#[tokio::test]
async fn a_dropped_connection_is_retried_after_a_backoff_then_delivered() {
    retried_then_delivered(Mode::DropConnection).await;
}

#[tokio::test]
async fn a_550_fails_at_once_and_is_never_retried() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn().await;
    let id = callback_email(&app, "nobody@example.com", None).await;
    let worker = app.worker(&smtp, |_| {});

    smtp.set_mode(Mode::Reject550);
    assert_eq!(worker.run_once().await.expect("a round"), [Outcome::Failed]);
    let failed = row(&app, id).await;
    assert_eq!((failed.status.as_str(), failed.attempts), ("failed", 1));
    let error = failed.last_error.clone().expect("the error");
    assert!(
        error.contains("550") && error.contains("no such mailbox here"),
        "{error}"
    );
    assert!(failed.sent_at.is_none() && failed.message_id.is_none());
    assert!(failed.lease_until.is_none());

    // Even with the server back and the row long due, nothing is tried again.
    smtp.set_mode(Mode::Accept);
    make_due(&app, id).await;
    assert!(worker.run_once().await.expect("a round").is_empty());
    let other = app.worker(&smtp, |_| {});
    assert!(other.run_once().await.expect("a round").is_empty());
    assert!(smtp.messages().is_empty());
    let after = row(&app, id).await;
    assert_eq!((after.status.as_str(), after.attempts), ("failed", 1));
}

#[tokio::test]
async fn a_refusal_quoting_the_recipient_is_stored_with_the_address_redacted() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn().await;
    let gone = callback_email(&app, "gone.away@example.net", None).await;
    let full = callback_email(&app, "full.box@example.org", None).await;
    smtp.refuse_recipient("gone.away@example.net", 550);
    smtp.refuse_recipient("full.box@example.org", 452);
    let worker = app.worker(&smtp, |_| {});

    let mut outcomes = worker.run_once().await.expect("a round");
    outcomes.sort_by_key(|outcome| format!("{outcome:?}"));
    assert_eq!(outcomes, [Outcome::Failed, Outcome::Retrying]);
    for (id, address, status, code) in [
        (gone, "gone.away@example.net", "failed", "550"),
        (full, "full.box@example.org", "queued", "452"),
    ] {
        let stored = row(&app, id).await;
        assert_eq!(stored.status, status);
        let error = stored.last_error.expect("the error");
        // The reply is kept, so staff see why; only the address is gone.
        assert!(
            error.contains(code) && error.contains("<redacted>: Recipient address rejected"),
            "{error}"
        );
        assert!(!error.to_lowercase().contains(address), "{error}");
        assert!(!error.contains('@'), "{error}");
    }
    assert!(smtp.messages().is_empty());
}

#[tokio::test]
async fn transient_failures_back_off_exponentially_and_end_failed_after_max_attempts() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn().await;
    let id = callback_email(&app, "jane@example.com", None).await;
    let base = 60.0;
    let worker = app.worker(&smtp, |config| {
        config.max_attempts = 3;
        config.base_backoff = Duration::from_secs_f64(base);
    });
    smtp.set_mode(Mode::Refuse421);

    for attempt in 1..=2 {
        assert_eq!(
            worker.run_once().await.expect("a round"),
            [Outcome::Retrying],
            "attempt {attempt}"
        );
        let waiting = row(&app, id).await;
        assert_eq!(
            (waiting.status.as_str(), waiting.attempts),
            ("queued", attempt)
        );
        // Up to base × 2^(attempt-1), at least half of it.
        let ceiling = base * f64::from(1 << (attempt - 1));
        let wait = seconds_until_due(&app, id).await;
        assert!(
            wait > ceiling / 2.0 - 5.0 && wait <= ceiling,
            "attempt {attempt}: retry in {wait} s"
        );
        make_due(&app, id).await;
    }
    assert_eq!(worker.run_once().await.expect("a round"), [Outcome::Failed]);
    let failed = row(&app, id).await;
    assert_eq!((failed.status.as_str(), failed.attempts), ("failed", 3));
    assert!(
        failed
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("421")),
        "{failed:?}"
    );

    smtp.set_mode(Mode::Accept);
    make_due(&app, id).await;
    assert!(worker.run_once().await.expect("a round").is_empty());
    assert!(smtp.messages().is_empty());
}

// ---------------------------------------------------------------------------------------------
// Several workers, and a worker that dies

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_workers_deliver_two_hundred_emails_each_exactly_once() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn().await;
    let first = callback_email(&app, "jane@example.com", None).await;
    queue_more_like(&app, first, 199).await;
    assert_eq!(rows(&app).await.len(), 200);

    let workers: Vec<Worker> = (0..3)
        .map(|_| app.worker(&smtp, |config| config.batch_size = 10))
        .collect();
    let running: Vec<_> = workers
        .into_iter()
        .map(|worker| tokio::spawn(async move { drain(&worker).await }))
        .collect();
    let mut per_worker = Vec::new();
    for handle in running {
        let outcomes = handle.await.expect("a worker task");
        assert!(outcomes.iter().all(|o| *o == Outcome::Sent), "{outcomes:?}");
        per_worker.push(outcomes.len());
    }
    println!("emails sent per worker: {per_worker:?}");
    assert_eq!(per_worker.iter().sum::<usize>(), 200);

    let messages = smtp.messages();
    assert_eq!(messages.len(), 200, "each email once");
    let ids: HashSet<String> = messages
        .iter()
        .map(|m| m.header("Message-ID").expect("a Message-ID"))
        .collect();
    assert_eq!(ids.len(), 200, "200 distinct Message-IDs");
    let recipients: HashSet<&str> = messages
        .iter()
        .flat_map(|m| m.rcpt_to.iter().map(String::as_str))
        .collect();
    assert_eq!(recipients.len(), 200);

    let stored = rows(&app).await;
    assert!(
        stored.iter().all(|r| r.status == "sent" && r.attempts == 1),
        "{:?}",
        stored
            .iter()
            .find(|r| r.status != "sent" || r.attempts != 1)
    );
    let stored_ids: HashSet<String> = stored
        .iter()
        .map(|r| r.message_id.clone().expect("a recorded Message-ID"))
        .collect();
    assert_eq!(stored_ids, ids);
}

/// Delivery is at least once. A worker that dies after handing an email to the SMTP server but
/// before recording the answer leaves its row `sending`; once the lease runs out another worker
/// sends it again. If the server had already taken the message (it had all of it, as here), that
/// email arrives twice, with the same Message-ID so receivers can fold the copies. The window is
/// the emails in flight in the dead worker's batch; every other email arrives exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_mid_batch_loses_nothing_and_doubles_only_its_batch() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn().await;
    let first = callback_email(&app, "jane@example.com", None).await;
    queue_more_like(&app, first, 9).await;

    smtp.set_mode(Mode::Stall);
    let doomed = app.worker(&smtp, |config| {
        config.batch_size = 4;
        config.lease = Duration::from_secs(1);
    });
    let task = tokio::spawn(async move { doomed.run_once().await });
    // All four of its batch are on the wire, received in full, unanswered: kill it there.
    smtp.wait_for_stalled(4, PATIENCE).await;
    task.abort();
    assert!(task.await.expect_err("killed").is_cancelled());

    let stored = rows(&app).await;
    let in_flight: HashSet<Uuid> = stored
        .iter()
        .filter(|r| r.status == "sending")
        .map(|r| r.id)
        .collect();
    assert_eq!(in_flight.len(), 4, "{stored:?}");
    assert!(stored.iter().all(|r| match in_flight.contains(&r.id) {
        true => r.attempts == 1 && r.lease_until.is_some(),
        false => r.status == "queued" && r.attempts == 0,
    }));

    // The server gets its answers out; the dead worker is not there to read them.
    smtp.set_mode(Mode::Accept);
    smtp.wait_for(4, PATIENCE).await;
    smtp.wait_for_stalled(0, PATIENCE).await;

    // The leases run out (1 s)...
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let expired: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM email_outbox WHERE status = 'sending' AND lease_until < now()",
        )
        .fetch_one(&app.db)
        .await
        .expect("expired leases");
        if expired == 4 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "leases expired: {expired}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // ...and a new worker sends everything.
    let restarted = app.worker(&smtp, |_| {});
    let outcomes = drain(&restarted).await;
    assert_eq!(outcomes, vec![Outcome::Sent; 10]);

    let stored = rows(&app).await;
    let messages = smtp.messages();
    assert_eq!(messages.len(), 14, "10 emails, the 4 in flight twice");
    let mut copies: HashMap<String, usize> = HashMap::new();
    for message in &messages {
        *copies
            .entry(message.header("Message-ID").expect("a Message-ID"))
            .or_default() += 1;
    }
    for email in &stored {
        assert_eq!(email.status, "sent", "nothing lost: {email:?}");
        let id = email.message_id.clone().expect("a Message-ID");
        let count = copies.get(&id).copied().unwrap_or(0);
        if in_flight.contains(&email.id) {
            assert!((1..=2).contains(&count), "{id} arrived {count} times");
            assert_eq!(email.attempts, 2);
        } else {
            assert_eq!(count, 1, "{id} arrived {count} times");
            assert_eq!(email.attempts, 1);
        }
    }
    assert_eq!(copies.len(), 10);
}

// ---------------------------------------------------------------------------------------------
// Consent and reminders

fn plan_body(title: &str) -> Value {
    json!({
        "title": title,
        "exercises": [
            {"exercise_id": "01930000-0000-7000-8000-000000000004", "reps": 20},
            {"name": "Step-downs", "instructions": ["Stand on a low step.", "Lower the other heel slowly."], "sets": 2, "reps": 8}
        ],
        "note": "Stop if the pain is sharp."
    })
}

#[tokio::test]
async fn consent_withdrawn_after_queueing_suppresses_the_email() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let clinic = app.create_clinic(&admin, "Downtown Physio").await;
    let front_desk = app.staff_token("front_desk", &[clinic]).await;
    let callback = callback_email(&app, "jane@example.com", Some(clinic)).await;
    let patient: Uuid = sqlx::query_scalar("SELECT patient_id FROM email_outbox WHERE id = $1")
        .bind(callback)
        .fetch_one(&app.db)
        .await
        .expect("the patient");
    let worker = app.worker(&smtp, |_| {});
    let path = format!("/v1/staff/patients/{patient}/exercise-plans");

    // With consent, a plan goes out.
    let response = app.post_as(&path, &front_desk, &plan_body("Week 1")).await;
    assert_eq!(response.status(), 201);
    assert_eq!(drain(&worker).await, [Outcome::Sent, Outcome::Sent]);
    assert_eq!(of_kind(&smtp.messages(), "exercise_plan").len(), 1);

    // The next one is queued; then the patient withdraws at this clinic (a ledger row written
    // behind the API's back, so only the worker's re-check can stop the email) before it leaves.
    let response = app.post_as(&path, &front_desk, &plan_body("Week 2")).await;
    assert_eq!(response.status(), 201);
    assert_eq!(json_of(response).await["email"]["status"], "queued");
    sqlx::query(
        "INSERT INTO consent_events (id, patient_id, clinic_id, category, granted, source, wording_version)
         VALUES ($1, $2, $3, 'exercise_plans', false, 'unsubscribe_link', 'test')",
    )
    .bind(Uuid::now_v7())
    .bind(patient)
    .bind(clinic)
    .execute(&app.db)
    .await
    .expect("withdrawing consent");

    assert_eq!(
        worker.run_once().await.expect("a round"),
        [Outcome::Suppressed]
    );
    assert_eq!(smtp.messages().len(), 2, "nothing more arrived");
    let plans: Vec<Row> = rows(&app)
        .await
        .into_iter()
        .filter(|r| r.kind == "exercise_plan")
        .collect();
    assert_eq!(plans.len(), 2);
    assert_eq!(plans[0].status, "sent");
    let suppressed = &plans[1];
    assert_eq!(suppressed.status, "suppressed", "{suppressed:?}");
    assert!(suppressed.sent_at.is_none() && suppressed.message_id.is_none());
    assert!(
        suppressed
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("consent")),
        "{suppressed:?}"
    );
    assert!(worker.run_once().await.expect("a round").is_empty());
}

/// The booking's reminder rows, oldest due first.
async fn reminders(app: &TestApp, booking: Uuid) -> Vec<Row> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {ROW_COLUMNS} FROM email_outbox
          WHERE booking_id = $1 AND kind = 'appointment_reminder' ORDER BY send_after, id"
    )))
    .bind(booking)
    .fetch_all(&app.db)
    .await
    .expect("reminders")
}

#[tokio::test]
async fn reminders_leave_when_due_once_and_withdrawn_or_moved_ones_never_do() {
    let smtp = SmtpServer::start().await;
    let desk = Desk::with(Overrides::from([("REMINDER_OFFSETS", "24h,1h".to_owned())])).await;
    let front_desk = desk.app.staff_token("front_desk", &[desk.clinic]).await;
    let app = &desk.app;
    let worker = app.worker(&smtp, |_| {});
    let monday = upcoming(TORONTO, Weekday::Mon, 3);

    // A confirmed booking: the confirmation leaves, the reminders wait for their time.
    let kept = desk
        .confirmed_at(
            &front_desk,
            &at(TORONTO, monday, "09:00"),
            "kept@example.com",
        )
        .await;
    assert_eq!(drain(&worker).await, [Outcome::Sent, Outcome::Sent]);
    let messages = smtp.messages();
    assert_eq!(of_kind(&messages, "booking_confirmed").len(), 1);
    assert!(of_kind(&messages, "appointment_reminder").is_empty());
    let queued = reminders(app, kept).await;
    assert_eq!(queued.len(), 2);
    assert!(
        queued
            .iter()
            .all(|r| r.status == "queued" && r.attempts == 0)
    );
    assert!(queued.iter().all(|r| r.send_after > Utc::now()));

    // The day-before reminder's time comes: it leaves, once.
    make_due(app, queued[0].id).await;
    assert_eq!(worker.run_once().await.expect("a round"), [Outcome::Sent]);
    assert!(worker.run_once().await.expect("a round").is_empty());
    let messages = smtp.messages();
    let sent = of_kind(&messages, "appointment_reminder");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].rcpt_to, ["kept@example.com"]);
    let stored = reminders(app, kept).await;
    assert_eq!((stored[0].status.as_str(), stored[0].attempts), ("sent", 1));
    assert_eq!(sent[0].header("Message-ID"), stored[0].message_id);
    assert_eq!(
        stored[1].status, "queued",
        "the hour-before one still waits"
    );

    // One booking rescheduled, one cancelled: their first reminders are withdrawn.
    let moved = desk
        .confirmed_at(
            &front_desk,
            &at(TORONTO, monday, "10:00"),
            "moved@example.com",
        )
        .await;
    let new_start = at(TORONTO, monday + Days::new(1), "11:00");
    desk.reschedule(&front_desk, moved, &new_start).await;
    let cancelled = desk
        .book_at(&at(TORONTO, monday, "11:00"), "cancelled@example.com")
        .await;
    desk.act_ok(&front_desk, cancelled, "confirm", &json!({}))
        .await;
    desk.cancel(&front_desk, cancelled, json!({})).await;

    // Even long past their time, withdrawn reminders stay where they are.
    let withdrawn = sqlx::query(
        "UPDATE email_outbox SET send_after = now() - interval '1 minute'
          WHERE kind = 'appointment_reminder' AND status = 'withdrawn'",
    )
    .execute(&app.db)
    .await
    .expect("making withdrawn reminders due")
    .rows_affected();
    assert_eq!(withdrawn, 4, "two moved away, two cancelled");
    // Requested, confirmed and rescheduled; requested, confirmed and cancelled.
    assert_eq!(drain(&worker).await, vec![Outcome::Sent; 6]);
    let messages = smtp.messages();
    assert_eq!(of_kind(&messages, "appointment_reminder").len(), 1);
    for booking in [moved, cancelled] {
        for reminder in reminders(app, booking).await {
            assert!(
                reminder.status == "withdrawn" || reminder.status == "queued",
                "{reminder:?}"
            );
            assert!(reminder.attempts == 0 && reminder.sent_at.is_none());
        }
    }

    // The moved booking's new reminders are due relative to the new time; when due, they say it.
    let new_start = instant(&new_start);
    let moved_reminders: Vec<Row> = reminders(app, moved)
        .await
        .into_iter()
        .filter(|r| r.status == "queued")
        .collect();
    let due: Vec<DateTime<Utc>> = moved_reminders.iter().map(|r| r.send_after).collect();
    assert_eq!(
        due,
        [
            new_start - TimeDelta::hours(24),
            new_start - TimeDelta::hours(1)
        ]
    );
    make_due(app, moved_reminders[0].id).await;
    assert_eq!(worker.run_once().await.expect("a round"), [Outcome::Sent]);
    let messages = smtp.messages();
    let to_moved: Vec<&Captured> = of_kind(&messages, "appointment_reminder")
        .into_iter()
        .filter(|m| m.rcpt_to == ["moved@example.com"])
        .collect();
    assert_eq!(to_moved.len(), 1);
    let subject = to_moved[0].header("Subject").expect("a subject");
    let when = new_start
        .with_timezone(&TORONTO)
        .format("%A, %B %-d at %-I:%M %p")
        .to_string();
    assert!(subject.contains(&when), "{subject} names {when}");
}

// ---------------------------------------------------------------------------------------------
// The background worker and the file transport

#[tokio::test]
async fn the_background_worker_is_woken_by_notify_not_its_poll_and_stops_promptly() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn().await;
    let worker = app.worker(&smtp, |config| {
        config.poll_interval = Duration::from_secs(60);
    });
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(worker.run(async move {
        let _ = stopped.await;
    }));

    // Once it listens (its LISTEN shows in pg_stat_activity), the next poll is a minute away.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let listening: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity
              WHERE datname = current_database() AND query ILIKE 'LISTEN %email_outbox%'",
        )
        .fetch_one(&app.db)
        .await
        .expect("pg_stat_activity");
        if listening > 0 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the worker never listened"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for (n, email) in ["first@example.com", "second@example.com"]
        .into_iter()
        .enumerate()
    {
        callback_email(&app, email, None).await;
        let messages = smtp.wait_for(n + 1, PATIENCE).await;
        assert_eq!(messages[n].rcpt_to, [email]);
    }

    stop.send(()).expect("the worker is running");
    tokio::time::timeout(Duration::from_secs(5), running)
        .await
        .expect("the worker stops within 5 s")
        .expect("the worker does not panic");
    assert!(rows(&app).await.iter().all(|r| r.status == "sent"));
}

#[tokio::test]
async fn without_smtp_emails_are_written_as_eml_files() {
    let app = TestApp::spawn().await;
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("mail-{}", Uuid::new_v4().simple()));
    let transport = Transport::from_settings(None, &dir).expect("the file transport");
    let worker = app.worker_with(transport, |_| {});
    let id = callback_email(&app, "jane@example.com", None).await;

    assert_eq!(worker.run_once().await.expect("a round"), [Outcome::Sent]);
    let files: Vec<std::path::PathBuf> = std::fs::read_dir(dir.join("mail"))
        .expect("the mail directory")
        .map(|entry| entry.expect("an entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "eml"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let written = std::fs::read_to_string(&files[0]).expect("the .eml file");
    let stored = row(&app, id).await;
    let message_id = stored.message_id.clone().expect("a Message-ID");
    assert_eq!(header_in(&written, "Message-ID"), Some(message_id));
    assert_eq!(header_in(&written, "From").as_deref(), Some(MAIL_FROM));
    assert!(header_in(&written, "To").is_some_and(|to| to.contains("jane@example.com")));
    assert_eq!(
        header_in(&written, "X-Consultdesk-Kind").as_deref(),
        Some("callback_received")
    );
    assert!(
        header_in(&written, "List-Unsubscribe")
            .is_some_and(|v| v.starts_with("<http://consultdesk.test/unsubscribe/"))
    );
    assert!(header_in(&written, "Subject").is_some() && header_in(&written, "Date").is_some());
    assert_eq!(stored.status, "sent");
    let response = stored.smtp_response.expect("where it went");
    assert!(
        response.starts_with("written to") && response.ends_with(".eml"),
        "{response}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn shutdown_finishes_the_batch_in_flight_and_claims_no_more() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn().await;
    let first = callback_email(&app, "jane@example.com", None).await;
    queue_more_like(&app, first, 9).await;

    smtp.set_mode(Mode::Stall);
    let worker = app.worker(&smtp, |config| {
        config.batch_size = 2;
        config.concurrency = 2;
    });
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(worker.run(async move {
        let _ = stopped.await;
    }));
    // Its first batch is on the wire when the shutdown comes.
    smtp.wait_for_stalled(2, PATIENCE).await;
    stop.send(()).unwrap();
    smtp.set_mode(Mode::Accept);
    tokio::time::timeout(PATIENCE, running)
        .await
        .expect("stops promptly")
        .unwrap();

    assert_eq!(smtp.messages().len(), 2, "the batch in flight was finished");
    let stored = rows(&app).await;
    assert_eq!(stored.iter().filter(|r| r.status == "sent").count(), 2);
    assert_eq!(
        stored.iter().filter(|r| r.status == "queued").count(),
        8,
        "no new batch was claimed"
    );
    assert!(stored.iter().all(|r| r.status != "sending"));
}
