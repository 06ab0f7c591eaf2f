//! Issue 18: connections that are warm before they serve, and the public reads on a streaming
//! replica (`DATABASE_READ_URL`) while every write and every booking check stays on the primary.

use crate::bookings::{booking_body, starts_of};
use crate::helpers::*;
use crate::standby::StreamingPair;
use serde_json::{Value, json};
use sqlx::{Connection, PgConnection};
use std::future::Future;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// The clinic of `clinic_body`.
const NEAR_THE_CLINIC: &str = "near=43.6487,-79.3817";

#[tokio::test]
async fn a_started_app_has_its_minimum_connections_open_and_warmed() {
    let app = TestApp::spawn_with(Overrides::from([(
        "DATABASE_MIN_CONNECTIONS",
        "3".to_owned(),
    )]))
    .await;

    // Right after start, before any request: the app's backends on its database, and whether
    // each has run anything since it connected (only the warm-up runs before serving).
    let (open, never_used): (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(*) FILTER (WHERE query = '')
           FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = 'consultdesk'",
    )
    .fetch_one(&app.db)
    .await
    .expect("pg_stat_activity");
    assert!(open >= 3, "{open} connections open at start");
    assert_eq!(never_used, 0, "a connection was opened but not warmed");

    let metrics = app.get("/metrics").await.text().await.expect("metrics");
    let warmed = counter(&metrics, "db_connections_warmed_total{pool=\"primary\"}");
    assert!(warmed >= 3.0, "warmed: {warmed}\n{metrics}");

    let ready = json_of(app.get("/readyz").await).await;
    assert_eq!(
        ready,
        json!({"status": "ok", "database": "ok", "read_replica": "not_configured"})
    );
}

/// The value of a counter line of the Prometheus text.
fn counter(metrics: &str, series: &str) -> f64 {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(series))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0.0)
}

/// An admin, a clinic and the app, over a primary and its streaming replica.
struct Replicated {
    pair: StreamingPair,
    app: TestApp,
    admin: String,
    clinic: Uuid,
}

impl Replicated {
    async fn start() -> Replicated {
        let pair = StreamingPair::start().await;
        let app = TestApp::spawn_over(
            pair.primary_url(),
            Overrides::from([
                ("DATABASE_READ_URL", pair.replica_url()),
                ("DATABASE_MIN_CONNECTIONS", "2".to_owned()),
            ]),
        )
        .await;
        let admin = app.admin_token().await;
        let clinic = app.create_clinic(&admin, "Replicated Physio").await;
        Replicated {
            pair,
            app,
            admin,
            clinic,
        }
    }

    /// A practitioner of the clinic, working around the clock every day in 30-minute slots.
    async fn practitioner(&self, name: &str) -> Uuid {
        let body = json!({
            "clinic_id": self.clinic, "name": name, "discipline": "physiotherapy",
            "services": ["sports injuries"], "languages": ["en"], "consult_modes": ["video"]
        });
        let response = self
            .app
            .post_as("/v1/admin/practitioners", &self.admin, &body)
            .await;
        assert_eq!(response.status(), 201, "{body}");
        let id = json_of(response).await["id"]
            .as_str()
            .and_then(|id| id.parse().ok())
            .expect("the practitioner's id");
        let weekly: Vec<Value> = (1..=7)
            .map(|weekday| json!({"weekday": weekday, "start": "00:00", "end": "23:59"}))
            .collect();
        let response = self
            .app
            .client
            .put(
                self.app
                    .url(&format!("/v1/admin/practitioners/{id}/schedule")),
            )
            .bearer_auth(&self.admin)
            .json(&json!({"weekly": weekly, "slot_minutes": 30}))
            .send()
            .await
            .expect("PUT schedule");
        assert_eq!(response.status(), 200, "the schedule");
        id
    }

    /// The ids the public search finds near the clinic.
    async fn found(&self) -> Vec<Uuid> {
        let response = self
            .app
            .get(&format!("/v1/practitioners?{NEAR_THE_CLINIC}"))
            .await;
        assert_eq!(response.status(), 200, "the search");
        json_of(response).await["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|item| item["id"].as_str()?.parse().ok())
            .collect()
    }

    async fn slots(&self, practitioner: Uuid) -> Vec<String> {
        let response = self
            .app
            .get(&format!("/v1/practitioners/{practitioner}/slots"))
            .await;
        assert_eq!(response.status(), 200, "the slots");
        starts_of(&json_of(response).await)
    }

    async fn book(&self, practitioner: Uuid, starts_at: &str) -> u16 {
        let email = format!("{}@example.com", Uuid::new_v4().simple());
        self.app
            .post_json(
                "/v1/bookings",
                &booking_body(practitioner, starts_at, &email),
            )
            .await
            .status()
            .as_u16()
    }

    /// A booking of `starts_at` from the website; its id.
    async fn booked(&self, practitioner: Uuid, starts_at: &str) -> Uuid {
        let email = format!("{}@example.com", Uuid::new_v4().simple());
        let response = self
            .app
            .post_json(
                "/v1/bookings",
                &booking_body(practitioner, starts_at, &email),
            )
            .await;
        assert_eq!(response.status(), 201);
        json_of(response).await["id"]
            .as_str()
            .and_then(|id| id.parse().ok())
            .expect("the booking's id")
    }

    async fn bookings_on(conn: &mut PgConnection) -> Vec<(Uuid, String)> {
        sqlx::query_as(
            "SELECT practitioner_id, to_char(starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')
               FROM bookings ORDER BY 1, 2",
        )
        .fetch_all(conn)
        .await
        .expect("the bookings")
    }
}

/// Polls `check` until it holds, for at most `within`.
async fn eventually<F: Future<Output = bool>>(within: Duration, what: &str, check: impl Fn() -> F) {
    let deadline = Instant::now() + within;
    while !check().await {
        assert!(Instant::now() < deadline, "{what}: not within {within:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_reads_come_from_the_replica_and_its_lag_or_death_never_double_books() {
    let env = Replicated::start().await;
    let ready = json_of(env.app.get("/readyz").await).await;
    assert_eq!(ready["read_replica"], "ok", "{ready}");

    // (a) Reads are served by the replica: while it replays nothing, a new practitioner stays
    // out of the search; once it replays again, they appear.
    env.pair.pause_replay().await;
    let first = env.practitioner("Alex Replicated").await;
    assert!(
        !env.found().await.contains(&first),
        "the search shows a practitioner the paused replica has not replayed: it reads the primary"
    );
    env.pair.resume_replay().await;
    eventually(
        Duration::from_secs(20),
        "the replica shows the new practitioner",
        || async { env.found().await.contains(&first) },
    )
    .await;
    env.pair.replica_caught_up().await;

    // (b) A slot the lagging replica still offers is refused by the primary's own check (409),
    // and stored once.
    env.pair.pause_replay().await;
    let slots = env.slots(first).await;
    let taken = slots.first().expect("a free slot").clone();
    assert_eq!(env.book(first, &taken).await, 201);
    assert!(
        env.slots(first).await.contains(&taken),
        "the paused replica no longer offers the booked slot: slots are read from the primary"
    );
    assert_eq!(env.book(first, &taken).await, 409, "a double booking");
    let on_primary: i64 =
        sqlx::query_scalar("SELECT count(*) FROM bookings WHERE practitioner_id = $1")
            .bind(first)
            .fetch_one(&env.app.db)
            .await
            .expect("bookings on the primary");
    assert_eq!(on_primary, 1);

    // (c) The replica dies: reads go to the primary (current data: the booked slot is gone),
    // readiness says so and stays 200, and bookings go on.
    env.pair.kill_replica();
    let slots = env.slots(first).await;
    assert!(
        !slots.contains(&taken),
        "the primary's slots still offer {taken}"
    );
    assert!(env.found().await.contains(&first));
    let ready = env.app.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    let ready = json_of(ready).await;
    assert_eq!(
        (&ready["database"], &ready["read_replica"]),
        (&json!("ok"), &json!("unavailable")),
        "{ready}"
    );
    let meanwhile = slots.get(1).expect("another free slot").clone();
    assert_eq!(env.book(first, &meanwhile).await, 201);
    assert_eq!(env.book(first, &meanwhile).await, 409);
    let metrics = env.app.get("/metrics").await.text().await.expect("metrics");
    assert!(
        counter(&metrics, "read_replica_failures_total") >= 1.0,
        "the fallback is not counted:\n{metrics}"
    );

    // (d) Back up, the replica catches up with everything booked meanwhile, and reads return
    // to it (a practitioner it has not replayed disappears from the search again).
    env.pair.restart_replica();
    let mut primary = PgConnection::connect(&env.pair.primary_url())
        .await
        .expect("the primary");
    let booked = Replicated::bookings_on(&mut primary).await;
    assert_eq!(booked.len(), 2);
    eventually(
        Duration::from_secs(30),
        "the restarted replica shows every booking",
        || async {
            match PgConnection::connect(&env.pair.replica_url()).await {
                Ok(mut replica) => Replicated::bookings_on(&mut replica).await == booked,
                Err(_) => false,
            }
        },
    )
    .await;
    env.pair.pause_replay().await;
    let second = env.practitioner("Sam Replicated").await;
    eventually(
        Duration::from_secs(20),
        "reads return to the replica once it answers again",
        || async { !env.found().await.contains(&second) },
    )
    .await;
    env.pair.resume_replay().await;
}

/// The console's pages read from the replica too, yet the page a form's 303 leads to shows what
/// the form did: the POST's answer carries the primary's WAL position, and a page whose replica
/// has not replayed that far reads from the primary.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_pages_read_the_replica_and_still_show_the_members_own_writes_at_once() {
    let env = Replicated::start().await;
    let practitioner = env.practitioner("Robin Replicated").await;
    env.pair.replica_caught_up().await;
    let slots = env.slots(practitioner).await;
    let (first, second) = (slots[0].clone(), slots[1].clone());
    let date = chrono::DateTime::parse_from_rfc3339(&first)
        .expect("a slot's start")
        .with_timezone(&chrono_tz::America::Toronto)
        .date_naive();
    // Both bookings on the same day of the clinic (Toronto), the day page's.
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(&second)
            .unwrap()
            .with_timezone(&chrono_tz::America::Toronto)
            .date_naive(),
        date
    );
    let mine = env.booked(practitioner, &first).await;
    let email = crate::desk::staff(&env.app, "front_desk", &[env.clinic]).await;
    let mut console = crate::desk::Console::new(&env.app);
    let signed_in = console.sign_in(&email, crate::desk::PASSWORD).await;
    assert_eq!(signed_in.status(), 303);
    let seen = signed_in
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("consultdesk_seen="))
        .expect("a POST's answer carries the primary's WAL position")
        .to_owned();
    assert!(
        seen.contains("HttpOnly") && seen.contains("SameSite=Strict"),
        "{seen}"
    );
    // A refused POST (no CSRF field: 403) wrote nothing, and carries no position.
    let refused = console
        .post(&format!("/desk/bookings/{mine}/confirm"), &[])
        .await;
    assert_eq!(refused.status(), 403);
    assert!(
        refused
            .headers()
            .get_all("set-cookie")
            .iter()
            .all(|value| !value
                .to_str()
                .unwrap_or_default()
                .starts_with("consultdesk_seen=")),
        "a refused POST set the WAL position cookie"
    );
    env.pair.replica_caught_up().await;

    // Someone else's write (a booking from the website) while the replica replays nothing: the
    // day page, read from the replica, does not show it yet.
    env.pair.pause_replay().await;
    let theirs = env.booked(practitioner, &second).await;
    let day_path = format!("/desk/bookings?date={date}");
    let day = console.page(&day_path, 200).await;
    assert!(
        day.contains(&format!("data-booking-id=\"{mine}\"")),
        "{day}"
    );
    assert!(
        !day.contains(&format!("data-booking-id=\"{theirs}\"")),
        "the day page shows a booking the paused replica has not replayed: it read the primary"
    );

    // The member's own write: confirming through the page's form. The page it leads to shows the
    // booking confirmed although the replica has still not replayed it.
    let path = format!("/desk/bookings/{mine}");
    let location = console.submit(&path, &format!("{path}/confirm"), &[]).await;
    let page = console.page(&location, 200).await;
    assert!(page.contains("Booking confirmed."), "{page}");
    assert!(
        !page.contains(&format!("{path}/confirm")),
        "the page after confirming still offers to confirm: it read the lagging replica"
    );
    let metrics = env.app.get("/metrics").await.text().await.expect("metrics");
    assert!(
        counter(&metrics, "read_replica_behind_total") >= 1.0,
        "{metrics}"
    );

    // Once the replica replays again, pages read from it and show everyone's writes.
    env.pair.resume_replay().await;
    env.pair.replica_caught_up().await;
    let day = console.page(&day_path, 200).await;
    assert!(
        day.contains(&format!("data-booking-id=\"{theirs}\"")),
        "{day}"
    );
}
