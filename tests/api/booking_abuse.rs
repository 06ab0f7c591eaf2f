//! Booking abuse rules (issue 12): at most `MAX_OPEN_REQUESTS` requests waiting for confirmation
//! per email address and per client address (an IPv6 client by its /64), held under real
//! concurrency; and requests nobody confirmed by their start time expire and free their time.

use crate::bookings::{Desk, TORONTO, booking_body, id_of, upcoming};
use crate::helpers::*;
use crate::smtp::SmtpServer;
use chrono::{Days, Weekday};
use consultdesk::scheduling::expiry::expire_unconfirmed;
use reqwest::Response;
use serde_json::{Value, json};
use std::time::Duration;
use uuid::Uuid;

/// The default cap, which the harness raises for every other test; client addresses are read from
/// `X-Forwarded-For`, the test client being the trusted proxy.
fn capped() -> Overrides {
    Overrides::from([
        ("MAX_OPEN_REQUESTS", "3".to_owned()),
        ("TRUSTED_PROXIES", "127.0.0.1".to_owned()),
    ])
}

/// Free slot starts on a Monday and Tuesday a few days ahead, as the API writes them.
async fn free_slots(desk: &Desk) -> Vec<String> {
    let monday = upcoming(TORONTO, Weekday::Mon, 3);
    desk.slot_starts(desk.practitioner, monday, monday + Days::new(1))
        .await
}

/// `POST /v1/bookings` from client address `from`.
async fn book_from(desk: &Desk, from: &str, body: &Value) -> Response {
    desk.app
        .client
        .post(desk.app.url("/v1/bookings"))
        .header("x-forwarded-for", from)
        .json(body)
        .send()
        .await
        .expect("POST /v1/bookings")
}

async fn booked_from(desk: &Desk, from: &str, starts_at: &str, email: &str) -> Uuid {
    let response = book_from(
        desk,
        from,
        &booking_body(desk.practitioner, starts_at, email),
    )
    .await;
    assert_eq!(
        response.status(),
        201,
        "booking {starts_at} for {email} from {from}"
    );
    id_of(&json_of(response).await)
}

/// Asserts the cap's 429: its code, a detail naming the limit, and a `Retry-After`; its seconds.
async fn assert_capped(response: Response) -> u64 {
    let retry_after: u64 = response
        .headers()
        .get("retry-after")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse().ok())
        .expect("a Retry-After in seconds");
    let problem = assert_problem(response, 429).await;
    assert_eq!(
        problem["type"], "/problems/too_many_open_requests",
        "{problem}"
    );
    let detail = problem["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("At most 3 booking requests") && detail.contains("MAX_OPEN_REQUESTS"),
        "the detail names the limit: {detail}"
    );
    retry_after
}

async fn requested(desk: &Desk) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM bookings WHERE status = 'requested'")
        .fetch_one(&desk.app.db)
        .await
        .expect("count")
}

/// Moves a booking's time in SQL, `start_minutes` from now (negative: in the past).
async fn move_to_minutes_from_now(desk: &Desk, id: Uuid, start_minutes: i64) {
    sqlx::query(
        "UPDATE bookings SET starts_at = now() + make_interval(mins => $2::int),
                             ends_at = now() + make_interval(mins => $2::int + 15)
          WHERE id = $1",
    )
    .bind(id)
    .bind(i32::try_from(start_minutes).expect("minutes"))
    .execute(&desk.app.db)
    .await
    .expect("moving the booking");
}

async fn status_of(desk: &Desk, id: Uuid) -> String {
    desk.row(id).await.status
}

// ---------------------------------------------------------------------------------------------
// The cap

#[tokio::test]
async fn the_fourth_open_request_of_one_email_is_refused_naming_the_limit() {
    let desk = Desk::with(capped()).await;
    let slots = free_slots(&desk).await;
    // Each from its own address, so only the email (in any case) is common.
    for (n, email) in ["jane@example.com", "Jane@Example.com", "JANE@EXAMPLE.COM"]
        .into_iter()
        .enumerate()
    {
        booked_from(&desk, &format!("198.51.100.{n}"), &slots[n], email).await;
    }

    let fourth = booking_body(desk.practitioner, &slots[3], "jAnE@example.com");
    let retry_after = assert_capped(book_from(&desk, "198.51.100.9", &fourth).await).await;
    assert_eq!(
        retry_after, 3600,
        "the soonest request starts days ahead: an hour at most"
    );
    assert_eq!(desk.app.count("bookings").await, 3);
    assert_eq!(
        desk.app.count("email_outbox").await,
        3,
        "no email for the refusal"
    );

    // With the soonest open request 20 minutes away, a place is free at the latest then.
    let soonest: Uuid = sqlx::query_scalar("SELECT id FROM bookings ORDER BY starts_at LIMIT 1")
        .fetch_one(&desk.app.db)
        .await
        .expect("a booking");
    move_to_minutes_from_now(&desk, soonest, 20).await;
    let retry_after = assert_capped(book_from(&desk, "198.51.100.9", &fourth).await).await;
    assert!(
        (1140..=1200).contains(&retry_after),
        "until the soonest request starts: {retry_after}"
    );

    // Another person is not held back by Jane's requests.
    booked_from(&desk, "198.51.100.9", &slots[3], "someone.else@example.com").await;
}

#[tokio::test]
async fn one_client_address_is_refused_its_fourth_request_whatever_the_emails() {
    let desk = Desk::with(capped()).await;
    let slots = free_slots(&desk).await;
    for (n, start) in slots.iter().take(3).enumerate() {
        booked_from(&desk, "203.0.113.7", start, &format!("p{n}@example.com")).await;
    }
    let fourth = booking_body(desk.practitioner, &slots[3], "p3@example.com");
    assert_capped(book_from(&desk, "203.0.113.7", &fourth).await).await;
    assert_eq!(desk.app.count("bookings").await, 3);

    // The same person from another address is a new client.
    booked_from(&desk, "203.0.113.8", &slots[3], "p3@example.com").await;
}

#[tokio::test]
async fn ipv6_addresses_in_one_64_count_as_one_client() {
    let desk = Desk::with(capped()).await;
    let slots = free_slots(&desk).await;
    let same_lan = [
        "2001:db8:1:2::1",
        "2001:db8:1:2::2",
        "2001:db8:1:2:ffff:ffff:ffff:fffe",
    ];
    for (n, address) in same_lan.into_iter().enumerate() {
        booked_from(&desk, address, &slots[n], &format!("v6-{n}@example.com")).await;
    }
    let fourth = booking_body(desk.practitioner, &slots[3], "v6-3@example.com");
    assert_capped(book_from(&desk, "2001:db8:1:2:abcd::42", &fourth).await).await;

    // The next /64 is another client.
    booked_from(&desk, "2001:db8:1:3::1", &slots[3], "v6-3@example.com").await;
}

#[tokio::test]
async fn confirming_or_cancelling_an_open_request_frees_a_place() {
    let desk = Desk::with(capped()).await;
    let slots = free_slots(&desk).await;
    let email = "busy@example.com";
    let ids: Vec<Uuid> = futures::future::join_all(
        (0..3).map(|n| booked_from(&desk, "192.0.2.10", &slots[n], email)),
    )
    .await;
    let body = |n: usize| booking_body(desk.practitioner, &slots[n], email);
    assert_capped(book_from(&desk, "192.0.2.10", &body(3)).await).await;

    desk.act_ok(&desk.admin, ids[0], "confirm", &json!({}))
        .await;
    booked_from(&desk, "192.0.2.10", &slots[3], email).await;
    assert_capped(book_from(&desk, "192.0.2.10", &body(4)).await).await;

    desk.cancel(&desk.admin, ids[1], json!({"reason": "patient called"}))
        .await;
    booked_from(&desk, "192.0.2.10", &slots[4], email).await;
    assert_capped(book_from(&desk, "192.0.2.10", &body(5)).await).await;
    assert_eq!(requested(&desk).await, 3);
}

#[tokio::test]
async fn a_request_whose_start_has_passed_holds_no_place_even_before_the_job_runs() {
    let desk = Desk::with(capped()).await;
    let slots = free_slots(&desk).await;
    let email = "late@example.com";
    let mut ids = Vec::new();
    for start in &slots[..3] {
        ids.push(booked_from(&desk, "192.0.2.20", start, email).await);
    }
    move_to_minutes_from_now(&desk, ids[0], -30).await;
    booked_from(&desk, "192.0.2.20", &slots[3], email).await;
}

/// Sends every body at once from its address; the statuses.
async fn simultaneous(desk: &Desk, requests: Vec<(String, Value)>) -> Vec<u16> {
    futures::future::join_all(
        requests
            .iter()
            .map(|(from, body)| async move { book_from(desk, from, body).await.status().as_u16() }),
    )
    .await
}

/// Of twelve simultaneous requests against the cap of three, three are accepted and nine refused
/// with 429, whatever order they arrive in.
fn assert_exactly_the_cap(statuses: &[u16]) {
    let count = |status: u16| statuses.iter().filter(|s| **s == status).count();
    assert_eq!((count(201), count(429)), (3, 9), "{statuses:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn simultaneous_requests_of_one_email_get_exactly_the_cap() {
    let desk = Desk::with(capped()).await;
    let slots = free_slots(&desk).await;
    let requests = (0..12)
        .map(|n| {
            (
                format!("198.51.100.{}", 100 + n),
                booking_body(desk.practitioner, &slots[n], "racer@example.com"),
            )
        })
        .collect();
    assert_exactly_the_cap(&simultaneous(&desk, requests).await);
    assert_eq!(requested(&desk).await, 3);
    assert_eq!(desk.app.count("email_outbox").await, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn simultaneous_requests_from_one_client_get_exactly_the_cap() {
    let desk = Desk::with(capped()).await;
    let slots = free_slots(&desk).await;
    let requests = (0..12)
        .map(|n| {
            (
                "2001:db8:9:9::1".to_owned(),
                booking_body(
                    desk.practitioner,
                    &slots[n],
                    &format!("racer{n}@example.com"),
                ),
            )
        })
        .collect();
    assert_exactly_the_cap(&simultaneous(&desk, requests).await);
    assert_eq!(requested(&desk).await, 3);
    // The refused requests left no patient or consent behind.
    assert_eq!(desk.app.count("patients").await, 3);
}

#[tokio::test]
async fn honeypot_bookings_never_count_and_answer_the_cap_like_a_person() {
    let desk = Desk::with(capped()).await;
    let slots = free_slots(&desk).await;
    let email = "bot@example.com";
    let trap = |n: usize| {
        let mut body = booking_body(desk.practitioner, &slots[n], email);
        body["website"] = json!("http://spam.example");
        body
    };
    for n in 0..5 {
        let response = book_from(&desk, "192.0.2.30", &trap(n)).await;
        assert_eq!(response.status(), 201, "honeypot {n}");
    }
    assert_eq!(desk.app.count("bookings").await, 0);
    // The trapped requests held no place: three real ones still fit.
    for start in &slots[..3] {
        booked_from(&desk, "192.0.2.30", start, email).await;
    }
    // At the cap a bot gets the answer a person would, and still nothing is stored.
    assert_capped(book_from(&desk, "192.0.2.30", &trap(3)).await).await;
    assert_eq!(desk.app.count("bookings").await, 3);
}

// ---------------------------------------------------------------------------------------------
// Expiry

/// A copy of `id`'s booking at the same time for the same practitioner, inserted directly: the
/// exclusion constraint's verdict on its time.
async fn insert_overlapping(desk: &Desk, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO bookings (id, practitioner_id, clinic_id, patient_id, starts_at, ends_at, mode,
                               name, email)
         SELECT $2, practitioner_id, clinic_id, patient_id, starts_at, ends_at, mode, name, email
           FROM bookings WHERE id = $1",
    )
    .bind(id)
    .bind(Uuid::now_v7())
    .execute(&desk.app.db)
    .await
    .map(|_| ())
}

#[tokio::test]
async fn an_unconfirmed_request_expires_at_its_start_and_frees_its_time() {
    let desk = Desk::new().await;
    let slots = free_slots(&desk).await;
    let overdue = desk.book_at(&slots[0], "overdue@example.com").await;
    let upcoming_request = desk.book_at(&slots[1], "soon@example.com").await;
    let confirmed = desk.book_at(&slots[2], "kept@example.com").await;
    desk.act_ok(&desk.admin, confirmed, "confirm", &json!({}))
        .await;
    move_to_minutes_from_now(&desk, overdue, -60).await;
    move_to_minutes_from_now(&desk, confirmed, -30).await;

    let taken = insert_overlapping(&desk, overdue)
        .await
        .expect_err("the overdue request still holds its time");
    assert_eq!(
        consultdesk::error::violated_constraint(&taken),
        Some("bookings_no_overlap")
    );

    assert_eq!(expire_unconfirmed(&desk.app.db).await.expect("the job"), 1);
    assert_eq!(status_of(&desk, overdue).await, "expired");
    assert_eq!(status_of(&desk, upcoming_request).await, "requested");
    assert_eq!(
        status_of(&desk, confirmed).await,
        "confirmed",
        "confirmed in time"
    );
    assert_eq!(
        desk.audit_actions(overdue).await.last(),
        Some(&("booking.expire".to_owned(), None)),
        "audited, by no staff member"
    );
    assert_eq!(expire_unconfirmed(&desk.app.db).await.expect("again"), 0);

    insert_overlapping(&desk, overdue)
        .await
        .expect("the expired request's time is free again");

    let page = desk.list(&desk.admin, "?status=expired").await;
    let listed: Vec<Uuid> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(id_of)
        .collect();
    assert_eq!(listed, vec![overdue]);
    assert_eq!(page["items"][0]["status"], "expired");

    for (action, body) in [
        ("confirm", json!({})),
        ("cancel", json!({})),
        ("reschedule", json!({"starts_at": slots[5]})),
        ("complete", json!({})),
        ("no-show", json!({})),
    ] {
        let problem = desk.act_refused(&desk.admin, overdue, action, &body).await;
        assert!(
            problem["detail"].as_str().unwrap().contains("expired"),
            "{action}: {problem}"
        );
    }
    assert_eq!(status_of(&desk, overdue).await, "expired");
    assert!(desk.emails(overdue, "booking_confirmed").await.is_empty());
}

#[tokio::test]
async fn confirming_a_request_whose_start_has_passed_is_409_and_expires_it() {
    let desk = Desk::new().await;
    let slots = free_slots(&desk).await;
    let id = desk.book_at(&slots[0], "late@example.com").await;
    move_to_minutes_from_now(&desk, id, -5).await;

    desk.act_refused(&desk.admin, id, "confirm", &json!({}))
        .await;
    assert_eq!(status_of(&desk, id).await, "expired", "the expiry stands");
    assert!(desk.emails(id, "booking_confirmed").await.is_empty());
    assert!(desk.emails(id, "appointment_reminder").await.is_empty());
    let actions = desk.audit_action_names(id).await;
    assert_eq!(actions, vec!["booking.expire"], "expired, not confirmed");
    insert_overlapping(&desk, id)
        .await
        .expect("its time is free again");
}

#[tokio::test]
async fn the_email_worker_expires_overdue_requests_as_it_runs() {
    let smtp = SmtpServer::start().await;
    let desk = Desk::new().await;
    let slots = free_slots(&desk).await;
    let id = desk.book_at(&slots[0], "worker@example.com").await;
    move_to_minutes_from_now(&desk, id, -60).await;

    let worker = desk.app.worker(&smtp, |_| {});
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(worker.run(async move {
        let _ = stopped.await;
    }));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while status_of(&desk, id).await != "expired" {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the worker never expired the request"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.send(()).expect("the worker is running");
    tokio::time::timeout(Duration::from_secs(5), running)
        .await
        .expect("the worker stops")
        .expect("the worker does not panic");
}

#[tokio::test]
async fn an_ipv4_client_of_a_dual_stack_listener_is_capped_like_any_other() {
    // Bound to [::], Linux hands IPv4 clients over as `::ffff:a.b.c.d`: still one IPv4 client.
    let mut overrides = Overrides::from([("MAX_OPEN_REQUESTS", "3".to_owned())]);
    overrides.insert("BIND_ADDR", "[::]:0".to_owned());
    let desk = Desk::with(overrides).await;
    let slots = free_slots(&desk).await;
    let over_ipv4 = with_host_port(
        &desk.app.url("/v1/bookings"),
        "127.0.0.1",
        port_of(&desk.app.address),
    );
    let book = |n: usize| {
        desk.app
            .client
            .post(&over_ipv4)
            .json(&booking_body(
                desk.practitioner,
                &slots[n],
                &format!("dual{n}@example.com"),
            ))
            .send()
    };
    for n in 0..3 {
        assert_eq!(book(n).await.expect("POST").status(), 201, "booking {n}");
    }
    assert_capped(book(3).await.expect("POST")).await;
    let stored: Vec<String> = sqlx::query_scalar("SELECT DISTINCT host(ip) FROM bookings")
        .fetch_all(&desk.app.db)
        .await
        .expect("addresses");
    assert_eq!(
        stored,
        vec!["127.0.0.1"],
        "stored as the IPv4 address it is"
    );
}
