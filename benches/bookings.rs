//! "Book your free consult" under load (issue 4): throughput and latency of `POST /v1/bookings`
//! against the raw SQL transaction its handler performs, both measured in the same run with the same
//! number of concurrent clients, as ratios.
//!
//! Every request books a distinct free slot, so every one is a 201 and both paths do the same work:
//! a fresh database holds one clinic and `BENCH_PRACTITIONERS` practitioners open every day from
//! 00:00 to 23:59 in 15-minute slots; the free slots of the coming `BENCH_DAYS` days are computed
//! once (with the app's own `slots::free_slots`), shuffled (so each practitioner's bookings spread
//! over the weeks, as real ones would) and dealt alternately to the two paths; each path's clients
//! take the next one from a shared atomic counter. Before anything is measured the database gets a
//! history (`BENCH_HISTORY` completed bookings with their patients, consents and sent emails) and
//! is analysed, so both paths' connections plan their statements on realistic tables.
//!
//! (a) The API: `POST /v1/bookings` with a JSON body (a new patient per request, the four consents,
//!     `phone` or `video` in turn) to the app served in this process.
//! (b) Raw SQL: the handler's statements, by hand, with sqlx on a pool from `db::pool`: BEGIN; the
//!     practitioner and their clinic's zone; the weekly hours; time off and active bookings around the
//!     start; the patient upsert; four consent events (one INSERT … SELECT FROM unnest); the booking;
//!     the booking read back with its practitioner and clinic; the `booking_requested` outbox row;
//!     COMMIT. No HTTP, request/response JSON, validation, slot check or response rendering.
//!
//! Not a timed test: it prints figures and fails only when a run is broken (an answer other than
//! 201, rows missing or doubled). `cargo test --all-targets` builds it and runs it without `--bench`:
//! it then only says how to run it. Run it through `scripts/bench-bookings.sh`.

use anyhow::{Context, bail, ensure};
use chrono::{DateTime, Duration as ChronoDuration, NaiveTime, Utc};
use chrono_tz::Tz;
use consultdesk::config::Settings;
use consultdesk::db;
use consultdesk::domain::consent::ConsentCategory;
use consultdesk::domain::wording;
use consultdesk::embedded_pg::{EmbeddedOptions, EmbeddedPostgres};
use consultdesk::scheduling::availability::local;
use consultdesk::scheduling::bookings::BookingRow;
use consultdesk::scheduling::schedule::WeeklyRange;
use consultdesk::scheduling::slots::{self, SlotRequest};
use consultdesk::scheduling::store::Bookable;
use consultdesk::startup::Application;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use secrecy::SecretString;
use serde_json::{Value, json};
use sqlx::{Connection, Executor, PgConnection, PgPool};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use uuid::Uuid;

/// Unmeasured running time per path before measuring: fills caches, pools and statement caches.
const WARM_UP: Duration = Duration::from_secs(2);
const SLOT_MINUTES: u32 = 15;
const TIME_ZONE: Tz = chrono_tz::America::Toronto;
/// Both paths say the same thing about where the request came from.
const USER_AGENT: &str = "consultdesk-bench/1";
const CLIENT_IP: &str = "127.0.0.1";
/// What `+1 416-555-0100` normalises to.
const PHONE: &str = "+14165550100";
const CONCERN: &str = "Sore knee after running; would like advice before a race.";
/// The same choices on every form: two boxes checked. Unchecked boxes write nothing (a form only
/// grants), so these are the ledger rows a form leaves.
const CONSENTS: [(ConsentCategory, bool); 2] = [
    (ConsentCategory::AppointmentReminders, true),
    (ConsentCategory::PlansOfCare, true),
];

/// The knobs, from the environment (see scripts/bench-bookings.sh).
struct Config {
    practitioners: usize,
    days: usize,
    /// Past (completed) bookings, each with its patient, consents and sent email, written before
    /// anything is measured: both paths then start on tables with rows and statistics, as in
    /// production. On empty tables, whichever path's connections plan first keeps plans made for
    /// empty tables (sequential scans of `patients` in the foreign-key checks) and slows down as
    /// the tables grow, which would measure the order of the paths, not their cost.
    history: usize,
    clients: usize,
    /// Measured time per path, split over `rounds` that alternate SQL and API, so a neighbour's
    /// build on this shared machine slows both paths rather than only one.
    seconds: f64,
    rounds: usize,
}

fn env_number<T: FromStr>(name: &str, default: T) -> anyhow::Result<T> {
    match std::env::var(name) {
        Ok(raw) if !raw.trim().is_empty() => raw
            .trim()
            .parse()
            .map_err(|_| anyhow::anyhow!("{name}={raw:?} is not a number")),
        _ => Ok(default),
    }
}

impl Config {
    fn from_env() -> anyhow::Result<Self> {
        let config = Config {
            practitioners: env_number("BENCH_PRACTITIONERS", 200)?,
            days: env_number("BENCH_DAYS", 28)?,
            history: env_number("BENCH_HISTORY", 20_000)?,
            clients: env_number("BENCH_CLIENTS", 16)?,
            seconds: env_number("BENCH_SECONDS", 10.0)?,
            rounds: env_number("BENCH_ROUNDS", 2)?,
        };
        let positive_seconds = config.seconds.is_finite() && config.seconds > 0.0;
        if config.practitioners == 0
            || config.days == 0
            || config.clients == 0
            || config.rounds == 0
            || !positive_seconds
        {
            bail!(
                "BENCH_PRACTITIONERS, BENCH_DAYS, BENCH_CLIENTS, BENCH_ROUNDS and BENCH_SECONDS must be positive"
            );
        }
        Ok(config)
    }

    fn round_length(&self) -> Duration {
        Duration::from_secs_f64(self.seconds / self.rounds as f64)
    }
}

fn main() -> anyhow::Result<()> {
    if !std::env::args().any(|arg| arg == "--bench") {
        println!(
            "bookings benchmark: skipped (run it with `cargo bench --bench bookings` or scripts/bench-bookings.sh)"
        );
        return Ok(());
    }
    // The app logs every request at INFO; by default the bench installs no subscriber, so logging
    // costs nothing. Set RUST_LOG to measure with logs (they go to stderr).
    if std::env::var_os("RUST_LOG").is_some() {
        consultdesk::telemetry::init(false);
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?
        .block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let config = Config::from_env()?;
    let server = Server::start().await?;
    let result = bench(&config, &server.admin_url).await;
    let stopped = server.stop().await;
    result.and(stopped)
}

async fn bench(config: &Config, admin_url: &str) -> anyhow::Result<()> {
    let database = BenchDatabase::create(admin_url).await?;
    let outcome = measure_all(config, &database.url).await;
    let dropped = database.drop(admin_url).await;
    outcome.and(dropped)
}

async fn measure_all(config: &Config, url: &str) -> anyhow::Result<()> {
    let setup_pool = PgPool::connect_with(db::connect_options(url)?)
        .await
        .context("connecting to the bench database")?;
    db::migrate(&setup_pool).await?;
    let fixture = Arc::new(Fixture::create(&setup_pool, config.practitioners).await?);
    let started = Instant::now();
    fixture.write_history(&setup_pool, config.history).await?;
    println!(
        "wrote {} past bookings (patients, consents, sent emails) in {:.1} s, then ANALYZE",
        config.history,
        started.elapsed().as_secs_f64()
    );
    let (api_queue, sql_queue) = deal_slots(&fixture, config.days)?;
    let (api_queue, sql_queue) = (Arc::new(api_queue), Arc::new(sql_queue));
    println!(
        "{} practitioners open 00:00-23:59 every day in {SLOT_MINUTES}-minute slots ({TIME_ZONE}): \
         {} free slots in the next {} days, {} for each path",
        config.practitioners,
        api_queue.slots.len() + sql_queue.slots.len(),
        config.days,
        api_queue.slots.len()
    );

    let settings = bench_settings(url)?;
    // Both paths get a pool made the way the app makes its own (at most 16 of its connections are
    // ever busy: one per client).
    let sql_pool = db::pool(url, &settings)?;
    let app = RunningApp::start(settings.clone(), db::pool(url, &settings)?).await?;
    let outcome = measure(
        config,
        &app,
        &sql_pool,
        &fixture,
        &api_queue,
        &sql_queue,
        &setup_pool,
    )
    .await;
    let stopped = app.stop().await;
    sql_pool.close().await;
    setup_pool.close().await;
    outcome.and(stopped)
}

async fn measure(
    config: &Config,
    app: &RunningApp,
    sql_pool: &PgPool,
    fixture: &Arc<Fixture>,
    api_queue: &Arc<SlotQueue>,
    sql_queue: &Arc<SlotQueue>,
    setup_pool: &PgPool,
) -> anyhow::Result<()> {
    print_machine(sql_pool).await?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(config.clients)
        .user_agent(USER_AGENT)
        .build()?;
    let url = Arc::new(format!("{}/v1/bookings", app.base));

    let sql = Arc::new({
        let (pool, fixture, queue) = (sql_pool.clone(), Arc::clone(fixture), Arc::clone(sql_queue));
        move || sql_booking(pool.clone(), Arc::clone(&fixture), Arc::clone(&queue))
    });
    let api = Arc::new({
        let (fixture, queue) = (Arc::clone(fixture), Arc::clone(api_queue));
        move || {
            api_booking(
                client.clone(),
                Arc::clone(&url),
                Arc::clone(&fixture),
                Arc::clone(&queue),
            )
        }
    });
    check_same_rows(setup_pool, &api, &sql).await?;
    println!("one booking from each path: the same rows (booking, patient, 4 consents, 1 email)");

    drive(config.clients, WARM_UP, &sql)
        .await
        .check("SQL warm-up")?;
    drive(config.clients, WARM_UP, &api)
        .await
        .check("API warm-up")?;
    let (mut sql_samples, mut api_samples) = (Sample::default(), Sample::default());
    for round in 1..=config.rounds {
        let sql_round = drive(config.clients, config.round_length(), &sql).await;
        let api_round = drive(config.clients, config.round_length(), &api).await;
        println!(
            "round {round}: SQL {:.0} req/s, API {:.0} req/s",
            Summary::of(&sql_round).per_second,
            Summary::of(&api_round).per_second
        );
        sql_samples.merge(sql_round);
        api_samples.merge(api_round);
    }
    sql_samples.check("SQL")?;
    api_samples.check("API")?;
    print_results(
        config,
        &Summary::of(&sql_samples),
        &Summary::of(&api_samples),
    );
    check_rows(
        setup_pool,
        config.history,
        api_queue.taken(),
        sql_queue.taken(),
    )
    .await?;
    print_load("after the run");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The database server, the bench database and its data.

/// The Postgres server: DATABASE_URL's, or an embedded one under target/bench-pg, kept between runs.
struct Server {
    admin_url: String,
    embedded: Option<EmbeddedPostgres>,
}

impl Server {
    async fn start() -> anyhow::Result<Self> {
        if let Some(url) = std::env::var("DATABASE_URL")
            .ok()
            .filter(|url| !url.trim().is_empty())
        {
            return Ok(Server {
                admin_url: url,
                embedded: None,
            });
        }
        let dir = embedded_dir();
        println!(
            "DATABASE_URL is unset: starting the embedded Postgres in {}",
            dir.display()
        );
        let embedded = EmbeddedPostgres::start(&dir, EmbeddedOptions::default()).await?;
        Ok(Server {
            admin_url: embedded.url(),
            embedded: Some(embedded),
        })
    }

    async fn stop(self) -> anyhow::Result<()> {
        match self.embedded {
            Some(embedded) => embedded.stop().await,
            None => Ok(()),
        }
    }
}

/// `<target>/bench-pg`: CARGO_TARGET_TMPDIR is `<target>/tmp`.
fn embedded_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).join("bench-pg")
}

/// A fresh database for one run, dropped at the end (bookings use up its slots).
struct BenchDatabase {
    name: String,
    url: String,
}

impl BenchDatabase {
    async fn create(admin_url: &str) -> anyhow::Result<Self> {
        let name = format!("consultdesk_bench_bookings_{}", Uuid::new_v4().simple());
        let mut admin = PgConnection::connect(admin_url)
            .await
            .context("connecting to Postgres")?;
        admin
            .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .await
            .with_context(|| format!("creating database {name}"))?;
        admin.close().await?;
        let mut url = reqwest::Url::parse(admin_url).context("DATABASE_URL is not a URL")?;
        url.set_path(&format!("/{name}"));
        Ok(BenchDatabase {
            name,
            url: url.to_string(),
        })
    }

    async fn drop(self, admin_url: &str) -> anyhow::Result<()> {
        let mut admin = PgConnection::connect(admin_url).await?;
        admin
            .execute(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            )))
            .await
            .with_context(|| format!("dropping database {}", self.name))?;
        admin.close().await?;
        Ok(())
    }
}

/// The clinic and its practitioners, all offering phone and video consults.
struct Fixture {
    clinic_id: Uuid,
    practitioners: Vec<Uuid>,
}

impl Fixture {
    async fn create(pool: &PgPool, practitioners: usize) -> anyhow::Result<Self> {
        let clinic_id = Uuid::now_v7();
        let ids: Vec<Uuid> = (0..practitioners).map(|_| Uuid::now_v7()).collect();
        let names: Vec<String> = (1..=practitioners)
            .map(|n| format!("Bench Practitioner {n:03}"))
            .collect();
        let mut tx = consultdesk::db::begin(pool).await?;
        sqlx::query(
            "INSERT INTO clinics (id, name, address, city, province, postal_code, phone, latitude, longitude, time_zone)
             VALUES ($1, 'Bench Physio Downtown', '100 King St W', 'Toronto', 'ON', 'M5X 1A9', '+14165550199',
                     43.6487, -79.3817, $2)",
        )
        .bind(clinic_id)
        .bind(TIME_ZONE.name())
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO practitioners (id, clinic_id, name, discipline, consult_modes)
             SELECT id, $2, name, CASE WHEN ord % 2 = 0 THEN 'physiotherapy' ELSE 'chiropractic' END,
                    ARRAY['phone', 'video']
               FROM unnest($1::uuid[], $3::text[]) WITH ORDINALITY AS t(id, name, ord)",
        )
        .bind(&ids)
        .bind(clinic_id)
        .bind(&names)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO practitioner_schedules (practitioner_id, slot_minutes)
             SELECT id, $2 FROM unnest($1::uuid[]) AS t(id)",
        )
        .bind(&ids)
        .bind(SLOT_MINUTES as i32)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO schedule_ranges (practitioner_id, weekday, starts, ends)
             SELECT id, weekday, '00:00', '23:59'
               FROM unnest($1::uuid[]) AS t(id) CROSS JOIN generate_series(1, 7) AS weekday",
        )
        .bind(&ids)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Fixture {
            clinic_id,
            practitioners: ids,
        })
    }

    /// `count` completed bookings in the past (from yesterday back, one every six hours per practitioner), each
    /// by its own patient with the four consents and a sent `booking_requested` email; then ANALYZE.
    async fn write_history(&self, pool: &PgPool, count: usize) -> anyhow::Result<()> {
        let mut tx = consultdesk::db::begin(pool).await?;
        sqlx::query(
            "INSERT INTO patients (id, name, email)
             SELECT gen_random_uuid(), 'Past Patient ' || n, 'past-' || n || '@example.com'
               FROM generate_series(1, $1) AS n",
        )
        .bind(i64::try_from(count)?)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO consent_events (id, patient_id, category, granted, source, wording_version, created_at)
             SELECT gen_random_uuid(), p.id, c.category, c.granted, 'web_form', $1, p.created_at
               FROM patients p
              CROSS JOIN unnest($2::text[], $3::bool[]) AS c(category, granted)",
        )
        .bind(wording::CURRENT.version)
        .bind(CONSENTS.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>())
        .bind(CONSENTS.iter().map(|(_, g)| *g).collect::<Vec<_>>())
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO bookings (id, practitioner_id, clinic_id, patient_id, starts_at, ends_at, mode,
                                   status, name, email, confirmed_at, created_at)
             SELECT gen_random_uuid(), ($1::uuid[])[(1 + n % cardinality($1::uuid[]))::int], $2, id, starts_at,
                    starts_at + make_interval(mins => $3), 'video', 'completed', name, email,
                    starts_at - interval '2 days', starts_at - interval '3 days'
               FROM (SELECT p.id, p.name, p.email, n,
                            date_trunc('hour', now()) - interval '1 day'
                              - (n / cardinality($1::uuid[])) * interval '6 hours' AS starts_at
                       FROM (SELECT *, row_number() OVER (ORDER BY email) - 1 AS n FROM patients) AS p) AS h",
        )
        .bind(&self.practitioners)
        .bind(self.clinic_id)
        .bind(SLOT_MINUTES as i32)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO email_outbox (id, kind, patient_id, clinic_id, booking_id, to_address, payload,
                                       dedup_key, status, attempts, send_after, created_at, sent_at)
             SELECT gen_random_uuid(), 'booking_requested', patient_id, clinic_id, id, email,
                    jsonb_build_object('booking_id', id, 'patient_name', name),
                    'booking:' || id || ':requested', 'sent', 1, created_at, created_at, created_at
               FROM bookings",
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        sqlx::raw_sql("ANALYZE").execute(pool).await?;
        Ok(())
    }
}

/// The weekly hours every practitioner has.
fn weekly_hours() -> Vec<WeeklyRange> {
    let (start, end) = (
        NaiveTime::from_hms_opt(0, 0, 0).unwrap_or_default(),
        NaiveTime::from_hms_opt(23, 59, 0).unwrap_or_default(),
    );
    (1..=7)
        .map(|weekday| WeeklyRange {
            weekday,
            start,
            end,
        })
        .collect()
}

/// One free slot: the practitioner (an index into the fixture) and the slot.
#[derive(Clone, Copy)]
struct Slot {
    practitioner: usize,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
}

/// A path's share of the free slots; its clients take the next one in turn.
struct SlotQueue {
    path: &'static str,
    slots: Vec<Slot>,
    next: AtomicUsize,
}

impl SlotQueue {
    /// A slot nobody else gets, with its number in this path (it makes the patient unique too).
    fn take(&self) -> anyhow::Result<(usize, Slot)> {
        let number = self.next.fetch_add(1, Ordering::Relaxed);
        match self.slots.get(number) {
            Some(slot) => Ok((number, *slot)),
            None => bail!(
                "{}: all {} slots are booked; raise BENCH_DAYS or BENCH_PRACTITIONERS",
                self.path,
                self.slots.len()
            ),
        }
    }

    /// How many bookings this path made (every slot taken was booked, or the run failed).
    fn taken(&self) -> usize {
        self.next.load(Ordering::Relaxed).min(self.slots.len())
    }

    /// `phone` and `video` in turn, with the patient's phone for phone consults.
    fn mode(number: usize) -> &'static str {
        if number.is_multiple_of(2) {
            "phone"
        } else {
            "video"
        }
    }
}

/// Every free slot from tomorrow (clinic time) for `days` days, shuffled with a fixed seed and dealt
/// alternately to the API and to SQL.
fn deal_slots(fixture: &Fixture, days: usize) -> anyhow::Result<(SlotQueue, SlotQueue)> {
    let weekly = weekly_hours();
    let now = Utc::now();
    let tomorrow = now.with_timezone(&TIME_ZONE).date_naive() + ChronoDuration::days(1);
    let day_slots = slots::free_slots(&SlotRequest {
        time_zone: TIME_ZONE,
        weekly: &weekly,
        slot_minutes: SLOT_MINUTES,
        from: tomorrow,
        to: tomorrow + ChronoDuration::days(i64::try_from(days)? - 1),
        busy: &[],
        not_before: now + ChronoDuration::hours(1),
    });
    ensure!(!day_slots.is_empty(), "no free slots: check the hours");
    let mut all: Vec<Slot> = (0..fixture.practitioners.len())
        .flat_map(|practitioner| {
            day_slots.iter().map(move |&(starts_at, ends_at)| Slot {
                practitioner,
                starts_at,
                ends_at,
            })
        })
        .collect();
    all.shuffle(&mut StdRng::seed_from_u64(4));
    let (mut api, mut sql) = (Vec::with_capacity(all.len() / 2), Vec::new());
    for (index, slot) in all.into_iter().enumerate() {
        if index.is_multiple_of(2) {
            api.push(slot);
        } else {
            sql.push(slot);
        }
    }
    sql.truncate(api.len().min(sql.len()));
    api.truncate(sql.len());
    let queue = |path, slots| SlotQueue {
        path,
        slots,
        next: AtomicUsize::new(0),
    };
    Ok((queue("API", api), queue("SQL", sql)))
}

fn bench_settings(url: &str) -> anyhow::Result<Settings> {
    let mut settings = Settings::from_lookup(|name| match name {
        "BIND_ADDR" => Some("127.0.0.1:0".to_owned()),
        // Every bench request comes from one IP: the per-IP limit on public forms must not bite.
        "PUBLIC_RATE_LIMIT" => Some("1000000000/s".to_owned()),
        "PUBLIC_READ_RATE_LIMIT" => Some("1000000000/s".to_owned()),
        // Nor the cap on open requests per email and client address.
        "MAX_OPEN_REQUESTS" => Some("1000000000".to_owned()),
        "BOOKING_MIN_LEAD" => Some("1m".to_owned()),
        _ => None,
    })?;
    settings.database_url = Some(SecretString::from(url.to_owned()));
    Ok(settings)
}

/// The app, served in this process on a free port.
struct RunningApp {
    base: String,
    pool: PgPool,
    stop: oneshot::Sender<()>,
    task: JoinHandle<anyhow::Result<()>>,
}

impl RunningApp {
    async fn start(settings: Settings, pool: PgPool) -> anyhow::Result<Self> {
        let app = Application::bind(settings, pool.clone()).await?;
        let base = format!("http://{}", app.local_addr());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(app.run_until(async move {
            let _ = stopped.await;
        }));
        Ok(RunningApp {
            base,
            pool,
            stop,
            task,
        })
    }

    async fn stop(self) -> anyhow::Result<()> {
        let _ = self.stop.send(());
        self.task.await.context("the app task panicked")??;
        self.pool.close().await;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// The two paths.

/// One booking as the booking page would make it: the whole answer is read, and must be a 201.
async fn api_booking(
    client: reqwest::Client,
    url: Arc<String>,
    fixture: Arc<Fixture>,
    queue: Arc<SlotQueue>,
) -> anyhow::Result<Uuid> {
    let (number, slot) = queue.take()?;
    let mode = SlotQueue::mode(number);
    let mut patient = json!({
        "name": format!("Api Patient {number}"),
        "email": format!("api-{number}@example.com"),
    });
    if mode == "phone" {
        patient["phone"] = json!("+1 416-555-0100");
    }
    let consents: serde_json::Map<String, Value> = CONSENTS
        .iter()
        .map(|(category, granted)| (category.as_str().to_owned(), json!(granted)))
        .collect();
    let body = json!({
        "practitioner_id": fixture.practitioners[slot.practitioner],
        "starts_at": local(slot.starts_at, TIME_ZONE).to_rfc3339(),
        "mode": mode,
        "patient": patient,
        "concern": CONCERN,
        "consents": consents,
    });
    let response = client.post(url.as_str()).json(&body).send().await?;
    let status = response.status();
    let answer = response.bytes().await?;
    if status != reqwest::StatusCode::CREATED {
        bail!(
            "POST /v1/bookings answered {status}: {}",
            String::from_utf8_lossy(&answer)
        );
    }
    let created: Value = serde_json::from_slice(&answer)?;
    created["id"]
        .as_str()
        .and_then(|id| Uuid::parse_str(id).ok())
        .context("no id in the 201 answer")
}

const SELECT_BOOKABLE: &str =
    "SELECT p.id, p.name, p.discipline, p.consult_modes, p.active, p.clinic_id, c.time_zone
   FROM practitioners p JOIN clinics c ON c.id = p.clinic_id WHERE p.id = $1";

const SELECT_SCHEDULE: &str =
    "SELECT s.practitioner_id, s.slot_minutes, r.weekday, r.starts, r.ends
   FROM practitioner_schedules s
   LEFT JOIN schedule_ranges r ON r.practitioner_id = s.practitioner_id
  WHERE s.practitioner_id = ANY($1)
  ORDER BY s.practitioner_id, r.weekday, r.starts";

const SELECT_BUSY: &str =
    "SELECT practitioner_id, true AS is_time_off, starts_at, ends_at FROM time_off
  WHERE practitioner_id = ANY($1) AND tstzrange(starts_at, ends_at) && tstzrange($2, $3)
 UNION ALL
 SELECT practitioner_id, false, starts_at, ends_at FROM bookings
  WHERE practitioner_id = ANY($1) AND status IN ('requested', 'confirmed')
    AND tstzrange(starts_at, ends_at) && tstzrange($2, $3)
    AND ($4::uuid IS NULL OR id <> $4)";

const UPSERT_PATIENT: &str = "INSERT INTO patients (id, name, email, phone) VALUES ($1, $2, $3, $4)
 ON CONFLICT (email) DO UPDATE SET phone = COALESCE(patients.phone, EXCLUDED.phone), updated_at = now()
 RETURNING id";

const INSERT_CONSENTS: &str = "INSERT INTO consent_events
    (id, patient_id, clinic_id, category, granted, source, wording_version, ip, user_agent, staff_id, note)
 SELECT id, $2, $9, category, granted, $5, $6, $7::inet, $8, NULL, NULL
   FROM unnest($1::uuid[], $3::text[], $4::bool[]) AS t(id, category, granted)";

const LOCK_OPEN_REQUESTS: &str = "SELECT pg_advisory_xact_lock(key) FROM unnest($1::int8[]) AS key";

const COUNT_OPEN_REQUESTS: &str = "SELECT count(*) FILTER (WHERE email = $1::citext) AS by_email,
        min(starts_at) FILTER (WHERE email = $1::citext) AS email_soonest,
        count(*) FILTER (WHERE ip <<= $2::inet) AS by_network,
        min(starts_at) FILTER (WHERE ip <<= $2::inet) AS network_soonest
   FROM bookings
  WHERE status = 'requested' AND starts_at > $3 AND id <> $4
    AND (email = $1::citext OR ip <<= $2::inet)";

const INSERT_BOOKING: &str =
    "INSERT INTO bookings (id, practitioner_id, clinic_id, patient_id, starts_at, ends_at, mode,
                       name, email, phone, concern, ip, user_agent)
 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::inet, $13)";

const SELECT_BOOKING: &str = "SELECT b.id, b.status, b.starts_at, b.ends_at, b.mode, b.patient_id, b.name,
     b.email::text AS email, b.phone, b.concern, b.ics_sequence, b.cancel_reason, b.created_at, b.updated_at,
     b.confirmed_at, b.cancelled_at, p.id AS practitioner_id, p.name AS practitioner_name, p.discipline,
     c.id AS clinic_id, c.name AS clinic_name, c.address, c.city, c.province, c.postal_code,
     c.phone AS clinic_phone, c.latitude, c.longitude, c.time_zone
   FROM bookings b JOIN practitioners p ON p.id = b.practitioner_id JOIN clinics c ON c.id = b.clinic_id
  WHERE b.id = $1 AND ($2 OR b.clinic_id = ANY($3))";

const INSERT_EMAIL: &str = "INSERT INTO email_outbox (id, kind, category, patient_id, clinic_id, callback_request_id, booking_id,
                          exercise_plan_id, care_plan_id, to_address, payload, status, send_after, dedup_key)
 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, COALESCE($13, now()), $14)
 ON CONFLICT (dedup_key) DO NOTHING";

/// (practitioner, slot minutes, weekday, start, end), as the schedule query returns it.
type ScheduleRow = (Uuid, i32, Option<i16>, Option<NaiveTime>, Option<NaiveTime>);

/// The handler's transaction, statement for statement, without anything around it.
async fn sql_booking(
    pool: PgPool,
    fixture: Arc<Fixture>,
    queue: Arc<SlotQueue>,
) -> anyhow::Result<Uuid> {
    let (number, slot) = queue.take()?;
    let mode = SlotQueue::mode(number);
    let phone = (mode == "phone").then_some(PHONE);
    let name = format!("Sql Patient {number}");
    let email = format!("sql-{number}@example.com");
    let practitioner_ids = [fixture.practitioners[slot.practitioner]];

    let mut tx = consultdesk::db::begin(&pool).await?;
    let practitioner: Bookable = sqlx::query_as(SELECT_BOOKABLE)
        .bind(practitioner_ids[0])
        .fetch_optional(&mut *tx)
        .await?
        .context("the practitioner is gone")?;
    let schedule: Vec<ScheduleRow> = sqlx::query_as(SELECT_SCHEDULE)
        .bind(&practitioner_ids[..])
        .fetch_all(&mut *tx)
        .await?;
    ensure!(!schedule.is_empty(), "the practitioner has no hours");
    let _busy: Vec<(Uuid, bool, DateTime<Utc>, DateTime<Utc>)> = sqlx::query_as(SELECT_BUSY)
        .bind(&practitioner_ids[..])
        .bind(slot.starts_at - ChronoDuration::days(1))
        .bind(slot.starts_at + ChronoDuration::days(1))
        .bind(None::<Uuid>)
        .fetch_all(&mut *tx)
        .await?;
    let patient_id: Uuid = sqlx::query_scalar(UPSERT_PATIENT)
        .bind(Uuid::now_v7())
        .bind(&name)
        .bind(&email)
        .bind(phone)
        .fetch_one(&mut *tx)
        .await?;
    let consent_ids: Vec<Uuid> = CONSENTS.iter().map(|_| Uuid::now_v7()).collect();
    let categories: Vec<&str> = CONSENTS.iter().map(|(c, _)| c.as_str()).collect();
    let granted: Vec<bool> = CONSENTS.iter().map(|(_, granted)| *granted).collect();
    sqlx::query(INSERT_CONSENTS)
        .bind(&consent_ids)
        .bind(patient_id)
        .bind(&categories)
        .bind(&granted)
        .bind("web_form")
        .bind(wording::CURRENT.version)
        .bind(CLIENT_IP)
        .bind(USER_AGENT)
        .bind(practitioner.clinic_id)
        .execute(&mut *tx)
        .await?;
    let id = Uuid::now_v7();
    sqlx::query(INSERT_BOOKING)
        .bind(id)
        .bind(practitioner.id)
        .bind(practitioner.clinic_id)
        .bind(patient_id)
        .bind(slot.starts_at)
        .bind(slot.ends_at)
        .bind(mode)
        .bind(&name)
        .bind(&email)
        .bind(phone)
        .bind(CONCERN)
        .bind(CLIENT_IP)
        .bind(USER_AGENT)
        .execute(&mut *tx)
        .await?;
    let booking: BookingRow = sqlx::query_as(SELECT_BOOKING)
        .bind(id)
        .bind(true)
        .bind(&[] as &[Uuid])
        .fetch_optional(&mut *tx)
        .await?
        .context("the booking vanished in its own transaction")?;
    sqlx::query(INSERT_EMAIL)
        .bind(Uuid::now_v7())
        .bind("booking_requested")
        .bind(None::<&str>)
        .bind(booking.patient_id)
        .bind(Some(booking.clinic_id))
        .bind(None::<Uuid>)
        .bind(Some(booking.id))
        .bind(None::<Uuid>)
        .bind(None::<Uuid>)
        .bind(&booking.email)
        .bind(email_details(&booking))
        .bind("queued")
        .bind(None::<DateTime<Utc>>)
        .bind(Some(format!("booking:{}:requested", booking.id)))
        .execute(&mut *tx)
        .await?;
    // scheduling::open_requests::admit, last: every booking from this one address waits for the
    // previous one's count and commit, in the API as here.
    let client_ip: std::net::IpAddr = CLIENT_IP.parse()?;
    let network = consultdesk::http::client_addr::client_network(client_ip);
    sqlx::query(LOCK_OPEN_REQUESTS)
        .bind(consultdesk::scheduling::open_requests::lock_keys(
            &email,
            Some(network),
        ))
        .execute(&mut *tx)
        .await?;
    let _open: (i64, Option<DateTime<Utc>>, i64, Option<DateTime<Utc>>) =
        sqlx::query_as(COUNT_OPEN_REQUESTS)
            .bind(&email)
            .bind(network.to_string())
            .bind(Utc::now())
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
    tx.commit().await?;
    Ok(id)
}

/// The email's payload: the same fields the handler captures for the template.
fn email_details(booking: &BookingRow) -> Value {
    let zone = booking.zone();
    json!({
        "booking_id": booking.id,
        "patient_name": booking.name,
        "practitioner_name": booking.practitioner_name,
        "discipline": booking.discipline,
        "mode": booking.mode,
        "phone": booking.phone,
        "starts_at": local(booking.starts_at, zone),
        "ends_at": local(booking.ends_at, zone),
        "time_zone": booking.time_zone,
        "clinic": {
            "name": booking.clinic_name, "address": booking.address, "city": booking.city,
            "province": booking.province, "postal_code": booking.postal_code, "phone": booking.clinic_phone,
        },
    })
}

/// What one booking left in the database, minus what is unique to it.
const FOOTPRINT: &str = "SELECT b.status, b.mode, (b.ends_at - b.starts_at)::text, host(b.ip), b.user_agent,
        b.phone, b.concern, pt.phone,
        (SELECT string_agg(category || '=' || granted || '/' || source || '/' || wording_version || '/'
                           || host(ip) || '/' || user_agent, ',' ORDER BY id)
           FROM consent_events WHERE patient_id = b.patient_id),
        (SELECT string_agg(kind || '/' || status || '/' || (send_after <= now())::text || '/'
                           || (SELECT string_agg(key, ',' ORDER BY key) FROM jsonb_object_keys(payload) AS key),
                           ',')
           FROM email_outbox WHERE booking_id = b.id)
   FROM bookings b JOIN patients pt ON pt.id = b.patient_id WHERE b.id = $1";

type Footprint = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Books one slot through each path and compares what each left behind, or the comparison means nothing.
async fn check_same_rows<A, AF, S, SF>(
    pool: &PgPool,
    api: &Arc<A>,
    sql: &Arc<S>,
) -> anyhow::Result<()>
where
    A: Fn() -> AF,
    AF: Future<Output = anyhow::Result<Uuid>>,
    S: Fn() -> SF,
    SF: Future<Output = anyhow::Result<Uuid>>,
{
    let api_id = api().await.context("the first API booking")?;
    let sql_id = sql().await.context("the first SQL booking")?;
    let footprint = |id: Uuid| {
        sqlx::query_as::<_, Footprint>(FOOTPRINT)
            .bind(id)
            .fetch_one(pool)
    };
    let (from_api, from_sql) = (footprint(api_id).await?, footprint(sql_id).await?);
    if from_api != from_sql {
        bail!("the two paths leave different rows:\nAPI {from_api:?}\nSQL {from_sql:?}");
    }
    Ok(())
}

/// Every request made one booking, one patient, four consent events and one email: no more, no less
/// (`history` of each were there before).
async fn check_rows(pool: &PgPool, history: usize, api: usize, sql: usize) -> anyhow::Result<()> {
    let (bookings, api_bookings, patients, consents, emails): (i64, i64, i64, i64, i64) =
        sqlx::query_as(
            "SELECT (SELECT count(*) FROM bookings WHERE status = 'requested'),
                    (SELECT count(*) FROM bookings WHERE status = 'requested' AND email::text LIKE 'api-%'),
                    (SELECT count(*) FROM patients) - $1,
                    (SELECT count(*) FROM consent_events) - 4 * $1,
                    (SELECT count(*) FROM email_outbox WHERE kind = 'booking_requested' AND status = 'queued')",
        )
        .bind(i64::try_from(history)?)
        .fetch_one(pool)
        .await?;
    let total = i64::try_from(api + sql)?;
    println!(
        "new rows: {bookings} requested bookings ({api_bookings} by the API), {patients} patients, \
         {consents} consent events, {emails} queued booking_requested emails; requests made (warm-up \
         included): {api} API + {sql} SQL = {total}"
    );
    ensure!(
        bookings == total && api_bookings == i64::try_from(api)?,
        "bookings and requests differ"
    );
    ensure!(
        patients == total && consents == 4 * total && emails == total,
        "patients, consents or emails do not match the requests"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Load generation and statistics.

#[derive(Default)]
struct Sample {
    latencies: Vec<Duration>,
    /// Summed over rounds: throughput is requests per second of measuring.
    wall: Duration,
    errors: usize,
    first_error: Option<String>,
}

impl Sample {
    fn merge(&mut self, other: Sample) {
        self.latencies.extend(other.latencies);
        self.wall += other.wall;
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }

    fn record_error(&mut self, error: String) {
        self.errors += 1;
        self.first_error.get_or_insert(error);
    }

    fn check(&self, what: &str) -> anyhow::Result<()> {
        match &self.first_error {
            Some(error) => bail!(
                "{what}: {} requests failed, the first with: {error}",
                self.errors
            ),
            None => Ok(()),
        }
    }
}

/// `clients` loops, each on its own task, each sending its next request as soon as the last one
/// answered, until `duration` has passed.
async fn drive<F, Fut>(clients: usize, duration: Duration, request: &Arc<F>) -> Sample
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<Uuid>> + Send + 'static,
{
    let started = Instant::now();
    let deadline = started + duration;
    let loops: Vec<JoinHandle<Sample>> = (0..clients)
        .map(|_| tokio::spawn(client_loop(deadline, Arc::clone(request))))
        .collect();
    let mut total = Sample::default();
    for handle in loops {
        match handle.await {
            Ok(sample) => total.merge(sample),
            Err(error) => total.record_error(format!("a client task failed: {error}")),
        }
    }
    total.wall = started.elapsed();
    total
}

async fn client_loop<F, Fut>(deadline: Instant, request: Arc<F>) -> Sample
where
    F: Fn() -> Fut,
    Fut: Future<Output = anyhow::Result<Uuid>>,
{
    let mut sample = Sample::default();
    while Instant::now() < deadline {
        let sent = Instant::now();
        match request().await {
            Ok(_) => sample.latencies.push(sent.elapsed()),
            Err(error) => sample.record_error(format!("{error:#}")),
        }
    }
    sample
}

/// Nearest-rank percentiles of a sorted list.
fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (fraction * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

struct Summary {
    requests: usize,
    per_second: f64,
    p50: Duration,
    p99: Duration,
    max: Duration,
}

impl Summary {
    fn of(sample: &Sample) -> Self {
        let mut sorted = sample.latencies.clone();
        sorted.sort_unstable();
        Summary {
            requests: sorted.len(),
            per_second: sorted.len() as f64 / sample.wall.as_secs_f64().max(f64::EPSILON),
            p50: percentile(&sorted, 0.50),
            p99: percentile(&sorted, 0.99),
            max: sorted.last().copied().unwrap_or_default(),
        }
    }
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn print_results(config: &Config, sql: &Summary, api: &Summary) {
    println!(
        "\n== POST /v1/bookings against its SQL transaction: {} concurrent clients, {} s per path in {} alternating rounds ==",
        config.clients, config.seconds, config.rounds
    );
    println!(
        "{:<12} {:>9} {:>10} {:>8} {:>8} {:>8}",
        "path", "requests", "req/s", "p50 ms", "p99 ms", "max ms"
    );
    for (name, s) in [("raw SQL", sql), ("API (HTTP)", api)] {
        println!(
            "{name:<12} {:>9} {:>10.0} {:>8.2} {:>8.2} {:>8.2}",
            s.requests,
            s.per_second,
            ms(s.p50),
            ms(s.p99),
            ms(s.max)
        );
    }
    println!(
        "API/SQL throughput: {:.2}; API p99 / SQL p99: {:.2}; API p50 / SQL p50: {:.2}",
        api.per_second / sql.per_second.max(f64::EPSILON),
        ms(api.p99) / ms(sql.p99).max(f64::EPSILON),
        ms(api.p50) / ms(sql.p50).max(f64::EPSILON),
    );
}

// ---------------------------------------------------------------------------------------------
// The machine: shared, so its load is part of the figures.

async fn print_machine(pool: &PgPool) -> anyhow::Result<()> {
    let version: String = sqlx::query_scalar("SHOW server_version")
        .fetch_one(pool)
        .await?;
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("machine: {cpus} CPUs shared by the bench client, the app and Postgres {version}");
    print_load("before the run");
    Ok(())
}

fn print_load(when: &str) {
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!(
            "load average {when}: {}",
            load.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
}
