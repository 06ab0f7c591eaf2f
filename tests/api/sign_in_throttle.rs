//! The staff sign-in throttle: 5 failures per (account, client address) and 50 per account in 15
//! minutes, counted atomically, a success resetting its pair. Client addresses come from
//! `X-Forwarded-For` behind a trusted proxy (the test client at 127.0.0.1).

use crate::helpers::*;
use futures::future::join_all;
use reqwest::Response;
use serde_json::json;

const EMAIL: &str = "desk@clinic.test";
const PASSWORD: &str = "the right password!";
const WINDOW_SECS: u64 = 15 * 60;

async fn spawn() -> TestApp {
    let app = TestApp::spawn_with(Overrides::from([("TRUSTED_PROXIES", "127.0.0.1".into())])).await;
    app.create_staff(EMAIL, "admin", &[], PASSWORD).await;
    app
}

async fn sign_in_from(app: &TestApp, address: &str, email: &str, password: &str) -> Response {
    app.client
        .post(app.url("/v1/staff/sessions"))
        .header("x-forwarded-for", address)
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("POST")
}

async fn status_from(app: &TestApp, address: &str, password: &str) -> u16 {
    sign_in_from(app, address, EMAIL, password)
        .await
        .status()
        .as_u16()
}

/// Asserts a 429 problem whose `Retry-After` is within the window, and returns it.
async fn assert_throttled(response: Response) -> u64 {
    let retry_after: u64 = response
        .headers()
        .get("retry-after")
        .expect("a 429 says when to retry")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (1..=WINDOW_SECS).contains(&retry_after),
        "Retry-After {retry_after}"
    );
    assert_problem(response, 429).await;
    retry_after
}

/// Moves every recorded attempt `minutes` into the past, as if that much time had passed.
async fn age_attempts(app: &TestApp, minutes: i32) {
    sqlx::query("UPDATE staff_sign_in_attempts SET at = at - make_interval(mins => $1)")
        .bind(minutes)
        .execute(&app.db)
        .await
        .unwrap();
}

#[tokio::test]
async fn twenty_wrong_passwords_sent_at_once_get_five_401s_and_fifteen_429s() {
    let app = spawn().await;
    // A known account and an unknown email get exactly the same treatment.
    for email in [EMAIL, "nobody@clinic.test"] {
        let responses =
            join_all((0..20).map(|_| sign_in_from(&app, "203.0.113.5", email, "a wrong password")))
                .await;
        let mut unauthorized = 0;
        let mut throttled = 0;
        for response in responses {
            match response.status().as_u16() {
                401 => unauthorized += 1,
                429 => {
                    assert_throttled(response).await;
                    throttled += 1;
                }
                other => panic!("unexpected status {other} for {email}"),
            }
        }
        assert_eq!(
            (unauthorized, throttled),
            (5, 15),
            "{email}: only five guesses may test a password"
        );
    }
    assert_eq!(app.count("staff_sign_in_attempts").await, 10);
    // The right password is refused too from that address until the failures age out.
    assert_throttled(sign_in_from(&app, "203.0.113.5", EMAIL, PASSWORD).await).await;
    age_attempts(&app, 16).await;
    assert_eq!(status_from(&app, "203.0.113.5", PASSWORD).await, 201);
}

#[tokio::test]
async fn the_real_user_signs_in_from_their_own_address_while_another_is_throttled() {
    let app = spawn().await;
    for _ in 0..5 {
        assert_eq!(status_from(&app, "198.51.100.66", "a guess").await, 401);
    }
    let retry_after =
        assert_throttled(sign_in_from(&app, "198.51.100.66", EMAIL, "a guess").await).await;
    assert!(
        retry_after > WINDOW_SECS - 60,
        "the oldest failure is seconds old, so the wait is about the whole window: {retry_after}"
    );

    assert_eq!(status_from(&app, "203.0.113.10", PASSWORD).await, 201);
    // The real user's success does not lift the attacker's throttle.
    assert_throttled(sign_in_from(&app, "198.51.100.66", EMAIL, "a guess").await).await;
    // Nor do the attacker's failures count against the user's own address.
    for _ in 0..4 {
        assert_eq!(status_from(&app, "203.0.113.10", "a typo").await, 401);
    }
    assert_eq!(status_from(&app, "203.0.113.10", PASSWORD).await, 201);
}

#[tokio::test]
async fn addresses_in_one_ipv6_64_are_one_client_for_the_throttle() {
    let app = spawn().await;
    for host in 1..=5 {
        let address = format!("2001:db8:7:7::{host}");
        assert_eq!(status_from(&app, &address, "a guess").await, 401);
    }
    assert_throttled(sign_in_from(&app, "2001:db8:7:7:ffff::9", EMAIL, "a guess").await).await;
    assert_eq!(status_from(&app, "2001:db8:7:8::1", PASSWORD).await, 201);
}

#[tokio::test]
async fn a_success_resets_its_own_pair_and_only_that_one() {
    let app = spawn().await;
    for _ in 0..4 {
        assert_eq!(status_from(&app, "203.0.113.20", "a typo").await, 401);
        assert_eq!(status_from(&app, "198.51.100.20", "a guess").await, 401);
    }
    assert_eq!(status_from(&app, "203.0.113.20", PASSWORD).await, 201);

    // The pair starts again from zero: five more failures before the throttle.
    for _ in 0..5 {
        assert_eq!(status_from(&app, "203.0.113.20", "a typo").await, 401);
    }
    assert_throttled(sign_in_from(&app, "203.0.113.20", EMAIL, "a typo").await).await;
    // The other address kept its four failures: one more, then throttled.
    assert_eq!(status_from(&app, "198.51.100.20", "a guess").await, 401);
    assert_throttled(sign_in_from(&app, "198.51.100.20", EMAIL, "a guess").await).await;
}

#[tokio::test]
async fn the_account_wide_cap_slows_a_spray_from_many_addresses() {
    let app = spawn().await;
    // 48 failures from 48 addresses in the last ten minutes, as a spray leaves them.
    sqlx::query(
        "INSERT INTO staff_sign_in_attempts (email, network, at, pending)
         SELECT $1, ('198.51.100.' || n || '/32')::cidr, now() - interval '10 minutes', false
           FROM generate_series(1, 48) AS n",
    )
    .bind(EMAIL)
    .execute(&app.db)
    .await
    .unwrap();
    // Below the cap, the real user is not locked out by anyone else's failures.
    assert_eq!(status_from(&app, "203.0.113.30", PASSWORD).await, 201);

    assert_eq!(status_from(&app, "192.0.2.1", "a guess").await, 401);
    assert_eq!(status_from(&app, "192.0.2.2", "a guess").await, 401);
    // Fifty failures: every address now waits, the real user's too, until the oldest age out.
    let retry_after =
        assert_throttled(sign_in_from(&app, "192.0.2.3", EMAIL, "a guess").await).await;
    assert!(
        (WINDOW_SECS - 10 * 60 - 5..=WINDOW_SECS - 10 * 60).contains(&retry_after),
        "the oldest failure is ten minutes old: {retry_after}"
    );
    assert_throttled(sign_in_from(&app, "203.0.113.30", EMAIL, PASSWORD).await).await;
    // Another account is not affected.
    app.create_staff("other@clinic.test", "admin", &[], PASSWORD)
        .await;
    assert_eq!(
        sign_in_from(&app, "192.0.2.3", "other@clinic.test", PASSWORD)
            .await
            .status(),
        201
    );

    // Once the seeded failures leave the window, the account is open again.
    sqlx::query(
        "UPDATE staff_sign_in_attempts SET at = at - interval '6 minutes' WHERE network << '198.51.100.0/24'",
    )
    .execute(&app.db)
    .await
    .unwrap();
    assert_eq!(status_from(&app, "203.0.113.30", PASSWORD).await, 201);
}
