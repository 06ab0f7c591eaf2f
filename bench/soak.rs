//! Soak (issue 7): the release `consultdesk serve` under steady mixed traffic, with its email worker
//! delivering to a capturing SMTP server, for `SOAK_SECONDS` (default 600), on loopback only. Then:
//!
//! - every accepted request has its row: each 201 callback form and booking is stored (and nothing
//!   else is), each confirmation, cancellation and callback update answered 200 shows in its row;
//! - every due email was delivered exactly once: per Message-ID at the SMTP server, one copy; the
//!   outbox's `sent` rows are exactly the delivered Message-IDs; nothing left `sending`, nothing
//!   `failed`, nothing `queued` but reminders not yet due;
//! - no 5xx and no failed exchange at all, and the rate held;
//! - memory is flat: the service's average RSS over the last window is at most `SOAK_RSS_TOLERANCE`
//!   (default 20%) above its average over the first window after warm-up (windows of a minute, or a
//!   quarter of the run when shorter; RSS sampled every 10 s from /proc).
//!
//! It creates and drops its own database (on DATABASE_URL's server, default the machine's Postgres
//! at 127.0.0.1:5432), seeds the demo clinics with `consultdesk seed-demo`, creates an admin with
//! `consultdesk staff add`, and prints a summary: requests by endpoint and status, latency p50/p99,
//! emails, the RSS series. Any failed check makes it exit non-zero.
//!
//! Run it through `scripts/soak.sh`, which builds the release binary first.

mod kit;

// The tests' capturing SMTP server, reused as is: it records every message it accepts.
#[allow(dead_code)]
#[path = "../tests/api/smtp.rs"]
mod smtp;

use anyhow::{Context, bail};
use chrono::{Days, NaiveDate, Utc};
use rand::Rng;
use rand::seq::IndexedRandom;
use serde_json::{Value, json};
use sqlx::PgPool;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;
use tokio::sync::Semaphore;
use uuid::Uuid;

const MAIL_FROM: &str = "Soak Clinic <no-reply@soak.test>";
const SIGNING_KEY: &str = "soak signing key that is at least 32 bytes long";
const ADMIN_EMAIL: &str = "soak-admin@clinic.test";
const ADMIN_PASSWORD: &str = "a long enough soak password";
const RSS_EVERY: Duration = Duration::from_secs(10);
/// How long the outbox may take to empty once the traffic stops.
const DRAIN_LIMIT: Duration = Duration::from_secs(180);

struct Config {
    seconds: u64,
    rate: f64,
    tolerance: f64,
    max_in_flight: usize,
    binary: PathBuf,
    admin_url: String,
    log_filter: String,
    out_dir: PathBuf,
}

impl Config {
    fn from_env() -> anyhow::Result<Config> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let config = Config {
            seconds: kit::env_or("SOAK_SECONDS", 600)?,
            rate: kit::env_or("SOAK_RATE", 50.0)?,
            tolerance: kit::env_or("SOAK_RSS_TOLERANCE", 0.20)?,
            max_in_flight: kit::env_or("SOAK_MAX_IN_FLIGHT", 256)?,
            binary: std::env::var_os("SOAK_BINARY")
                .map(PathBuf::from)
                .unwrap_or_else(|| root.join("target/release/consultdesk")),
            admin_url: kit::server_url(),
            log_filter: std::env::var("SOAK_LOG").unwrap_or_else(|_| "info".to_owned()),
            out_dir: root.join("target/soak"),
        };
        if config.seconds < 60 {
            bail!(
                "SOAK_SECONDS must be at least 60 (memory is compared over windows of 15 s or more)"
            );
        }
        if !(config.rate.is_finite() && config.rate > 0.0 && config.rate <= 1000.0) {
            bail!("SOAK_RATE must be above 0 and at most 1000 requests per second");
        }
        if !config.binary.is_file() {
            bail!(
                "{} is missing: build it with `cargo build --release` (scripts/soak.sh does)",
                config.binary.display()
            );
        }
        let url = reqwest::Url::parse(&config.admin_url).context("DATABASE_URL is not a URL")?;
        if !matches!(
            url.host_str(),
            Some("127.0.0.1" | "localhost" | "::1" | "[::1]")
        ) {
            bail!(
                "the soak runs on loopback only: DATABASE_URL must point at 127.0.0.1 or localhost"
            );
        }
        Ok(config)
    }

    /// The length of the windows whose average RSS is compared.
    fn window(&self) -> f64 {
        (self.seconds as f64 / 4.0).min(60.0)
    }
}

fn main() -> anyhow::Result<()> {
    if kit::run_with_bench_flag("scripts/soak.sh", run())? == Some(false) {
        // The failed checks are listed above; a backtrace would only bury them.
        std::process::exit(1);
    }
    Ok(())
}

/// Sets up, soaks, checks, cleans up; whether every check passed.
async fn run() -> anyhow::Result<bool> {
    let config = Config::from_env()?;
    std::fs::create_dir_all(config.out_dir.join("work"))?;
    let database = kit::BenchDatabase::create(&config.admin_url, "consultdesk_soak").await?;
    let result = soak(&config, &database.url()?).await;
    let dropped = database.drop().await;
    let failures = result?;
    dropped?;
    if failures.is_empty() {
        println!("\nSOAK PASSED");
    } else {
        println!("\nSOAK FAILED:");
        for failure in &failures {
            println!("  - {failure}");
        }
    }
    Ok(failures.is_empty())
}

/// The `serve` child, killed if the soak ends before stopping it.
struct Served(tokio::process::Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.start_kill();
    }
}

/// Runs a `consultdesk` subcommand against the soak database, feeding `stdin`.
async fn consultdesk(
    config: &Config,
    db_url: &str,
    args: &[&str],
    stdin: &str,
) -> anyhow::Result<String> {
    let mut child = tokio::process::Command::new(&config.binary)
        .args(args)
        .current_dir(config.out_dir.join("work"))
        .env("DATABASE_URL", db_url)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("running consultdesk {args:?}"))?;
    if let Some(mut input) = child.stdin.take() {
        input.write_all(stdin.as_bytes()).await?;
    }
    let output = child.wait_with_output().await?;
    if !output.status.success() {
        bail!(
            "consultdesk {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Soaks the service on the database at `db_url`; the failed checks (empty: all passed).
async fn soak(config: &Config, db_url: &str) -> anyhow::Result<Vec<String>> {
    let setup = Instant::now();
    consultdesk(config, db_url, &["seed-demo"], "").await?;
    consultdesk(
        config,
        db_url,
        &[
            "staff",
            "add",
            "--email",
            ADMIN_EMAIL,
            "--name",
            "Soak Admin",
            "--role",
            "admin",
        ],
        &format!("{ADMIN_PASSWORD}\n"),
    )
    .await?;
    let db = PgPool::connect(db_url).await?;
    println!(
        "database migrated and seeded in {:.1} s",
        setup.elapsed().as_secs_f64()
    );

    let sink = smtp::SmtpServer::start().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let log_path = config.out_dir.join("serve.log");
    let log = std::fs::File::create(&log_path)?;
    let mut served = Served(
        tokio::process::Command::new(&config.binary)
            .arg("serve")
            .current_dir(config.out_dir.join("work"))
            .env("DATABASE_URL", db_url)
            .env("SMTP_URL", sink.url())
            .env("BIND_ADDR", format!("127.0.0.1:{port}"))
            .env("PUBLIC_BASE_URL", &base)
            .env("MAIL_FROM", MAIL_FROM)
            .env("SIGNING_KEY", SIGNING_KEY)
            // One client IP sends everything: the per-IP limits would otherwise answer 429s.
            .env("PUBLIC_RATE_LIMIT", "1000000/min")
            .env("PUBLIC_READ_RATE_LIMIT", "1000000/min")
            .env("MAX_OPEN_REQUESTS", "1000000000")
            .env("RUST_LOG", &config.log_filter)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .context("starting consultdesk serve")?,
    );
    let pid = served.0.id().context("the server's pid")?;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = served.0.try_wait()? {
            bail!(
                "serve exited at start ({status}); see {}",
                log_path.display()
            );
        }
        let ready = client.get(format!("{base}/readyz")).send().await;
        if ready.is_ok_and(|r| r.status() == 200) {
            break;
        }
        if Instant::now() > deadline {
            bail!("serve not ready within 60 s; see {}", log_path.display());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let signed_in: Value = client
        .post(format!("{base}/v1/staff/sessions"))
        .json(&json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let token = signed_in["token"]
        .as_str()
        .context("a session token")?
        .to_owned();
    let world = Arc::new(World::load(&db, client, base, token).await?);
    println!(
        "serve (pid {pid}) on 127.0.0.1:{port}, {} practitioners in {} clinics; {} s at {} requests/s",
        world.practitioners.len(),
        world.clinics.len(),
        config.seconds,
        config.rate
    );

    // Traffic, open loop: a request starts every 1/rate s whatever the answers' pace.
    let started = Instant::now();
    let rss: Arc<Mutex<Vec<(f64, u64)>>> = Arc::default();
    let sampler = {
        let rss = rss.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(RSS_EVERY);
            loop {
                every.tick().await;
                if let Some(kb) = rss_kb(pid) {
                    rss.lock()
                        .expect("rss")
                        .push((started.elapsed().as_secs_f64(), kb));
                }
            }
        })
    };
    let permits = Arc::new(Semaphore::new(config.max_in_flight));
    let mut overloaded = 0u64;
    let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / config.rate));
    let end = tokio::time::Instant::now() + Duration::from_secs(config.seconds);
    let mut last_report = Instant::now();
    while tokio::time::Instant::now() < end {
        ticks.tick().await;
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            overloaded += 1;
            continue;
        };
        let op = Op::pick();
        let worker = world.clone();
        tokio::spawn(async move {
            worker.perform(op).await;
            drop(permit);
        });
        if last_report.elapsed() >= Duration::from_secs(60) {
            last_report = Instant::now();
            let done = world.records.lock().expect("records").len();
            println!(
                "  {:>4.0} s: {done} requests answered",
                started.elapsed().as_secs_f64()
            );
        }
    }
    let traffic_secs = started.elapsed().as_secs_f64();
    let all = u32::try_from(config.max_in_flight)?;
    let _all_done = tokio::time::timeout(Duration::from_secs(60), permits.acquire_many(all))
        .await
        .context("requests still in flight 60 s after the traffic stopped")??;
    if let Some(kb) = rss_kb(pid) {
        rss.lock().expect("rss").push((traffic_secs, kb));
    }
    sampler.abort();

    // The worker empties the outbox of what is due.
    let drain_started = Instant::now();
    let mut drained = false;
    while drain_started.elapsed() < DRAIN_LIMIT {
        let (sending, due): (i64, i64) = sqlx::query_as(
            "SELECT count(*) FILTER (WHERE status = 'sending'),
                    count(*) FILTER (WHERE status = 'queued' AND send_after <= now())
               FROM email_outbox",
        )
        .fetch_one(&db)
        .await?;
        if sending == 0 && due == 0 {
            drained = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let drain_secs = drain_started.elapsed().as_secs_f64();

    // SIGTERM, as an operator's stop would.
    // SAFETY: signalling our own child process by its pid.
    unsafe { libc::kill(pid as libc::pid_t, libc::SIGTERM) };
    let exit = tokio::time::timeout(Duration::from_secs(60), served.0.wait())
        .await
        .context("serve did not stop within 60 s of SIGTERM")??;

    let records = world.records.lock().expect("records").clone();
    let rss = rss.lock().expect("rss").clone();
    let mut failures = Vec::new();
    if !exit.success() {
        failures.push(format!("serve exited with {exit} on SIGTERM"));
    }
    summarise_requests(&records, traffic_secs, config, overloaded, &mut failures);
    check_rows(&db, &world, &mut failures).await?;
    check_emails(&db, &sink, drained, drain_secs, &mut failures).await?;
    check_memory(&rss, config, traffic_secs, &mut failures);
    println!("server log: {}", log_path.display());
    db.close().await;
    Ok(failures)
}

/// The resident set of process `pid`, in kB.
fn rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kb| kb.parse().ok())
}

// ---------------------------------------------------------------------------------------------
// The traffic

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    SearchPractitioners,
    SearchClinics,
    Slots,
    Callback,
    Booking,
    ListBookings,
    GetBooking,
    Confirm,
    Cancel,
    ListCallbacks,
    PatchCallback,
}

impl Op {
    /// The mix, in percent of requests.
    const MIX: [(Op, u32); 11] = [
        (Op::SearchPractitioners, 22),
        (Op::SearchClinics, 5),
        (Op::Slots, 10),
        (Op::Callback, 20),
        (Op::Booking, 15),
        (Op::ListBookings, 5),
        (Op::GetBooking, 3),
        (Op::Confirm, 8),
        (Op::Cancel, 4),
        (Op::ListCallbacks, 3),
        (Op::PatchCallback, 5),
    ];

    fn pick() -> Op {
        let total: u32 = Op::MIX.iter().map(|(_, weight)| weight).sum();
        let mut roll = rand::rng().random_range(0..total);
        for (op, weight) in Op::MIX {
            if roll < weight {
                return op;
            }
            roll -= weight;
        }
        Op::SearchPractitioners
    }
}

/// One exchange as the client saw it.
#[derive(Debug, Clone)]
struct Record {
    endpoint: &'static str,
    /// `None`: no complete answer (connection error, timeout, body cut).
    status: Option<u16>,
    latency: Duration,
    error: Option<String>,
}

struct Practitioner {
    id: Uuid,
    modes: Vec<String>,
}

struct Place {
    city: String,
    province: String,
    postal_code: String,
    latitude: f64,
    longitude: f64,
}

/// What the server accepted, to be found in the database afterwards.
#[derive(Default)]
struct Accepted {
    callbacks: Vec<Uuid>,
    bookings: Vec<Uuid>,
    confirmed: HashSet<Uuid>,
    cancelled: HashSet<Uuid>,
    contacted: Vec<Uuid>,
}

struct World {
    client: reqwest::Client,
    base: String,
    token: String,
    practitioners: Vec<Practitioner>,
    places: Vec<Place>,
    clinics: Vec<Uuid>,
    /// The next week each practitioner's slots are fetched from.
    cursors: Mutex<HashMap<Uuid, NaiveDate>>,
    /// Free slots seen and not yet booked: practitioner, start.
    free: Mutex<Vec<(Uuid, String)>>,
    requested: Mutex<VecDeque<Uuid>>,
    confirmed: Mutex<VecDeque<Uuid>>,
    new_callbacks: Mutex<VecDeque<Uuid>>,
    accepted: Mutex<Accepted>,
    records: Mutex<Vec<Record>>,
    serial: AtomicU64,
}

impl World {
    async fn load(
        db: &PgPool,
        client: reqwest::Client,
        base: String,
        token: String,
    ) -> anyhow::Result<World> {
        let practitioners: Vec<(Uuid, Vec<String>)> =
            sqlx::query_as("SELECT id, consult_modes FROM practitioners WHERE active ORDER BY id")
                .fetch_all(db)
                .await?;
        let places: Vec<(Uuid, String, String, String, f64, f64)> = sqlx::query_as(
            "SELECT id, city, province, postal_code, latitude, longitude FROM clinics ORDER BY id",
        )
        .fetch_all(db)
        .await?;
        if practitioners.is_empty() || places.is_empty() {
            bail!("seed-demo created no practitioners or clinics");
        }
        let today = Utc::now().date_naive();
        Ok(World {
            client,
            base,
            token,
            cursors: Mutex::new(practitioners.iter().map(|(id, _)| (*id, today)).collect()),
            practitioners: practitioners
                .into_iter()
                .map(|(id, modes)| Practitioner { id, modes })
                .collect(),
            clinics: places.iter().map(|place| place.0).collect(),
            places: places
                .into_iter()
                .map(
                    |(_, city, province, postal_code, latitude, longitude)| Place {
                        city,
                        province,
                        postal_code,
                        latitude,
                        longitude,
                    },
                )
                .collect(),
            free: Mutex::default(),
            requested: Mutex::default(),
            confirmed: Mutex::default(),
            new_callbacks: Mutex::default(),
            accepted: Mutex::default(),
            records: Mutex::default(),
            serial: AtomicU64::new(0),
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends, reads the whole answer, records it; the status and JSON body when complete.
    async fn exchange(
        &self,
        endpoint: &'static str,
        request: reqwest::RequestBuilder,
    ) -> Option<(u16, Value)> {
        let started = Instant::now();
        let outcome = match request.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                match response.bytes().await {
                    Ok(bytes) => Ok((
                        status,
                        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
                    )),
                    Err(error) => Err(format!("body: {error}")),
                }
            }
            Err(error) => Err(error.to_string()),
        };
        let (status, error) = match &outcome {
            Ok((status, _)) => (Some(*status), None),
            Err(error) => (None, Some(error.clone())),
        };
        self.records.lock().expect("records").push(Record {
            endpoint,
            status,
            latency: started.elapsed(),
            error,
        });
        outcome.ok()
    }

    async fn perform(&self, op: Op) {
        match op {
            Op::SearchPractitioners => {
                self.search("/v1/practitioners", "GET /v1/practitioners")
                    .await
            }
            Op::SearchClinics => self.search("/v1/clinics", "GET /v1/clinics").await,
            Op::Slots => self.slots().await,
            Op::Callback => self.callback().await,
            Op::Booking => self.book().await,
            Op::ListBookings => self.list_bookings().await,
            Op::GetBooking => self.get_booking().await,
            Op::Confirm => self.confirm().await,
            Op::Cancel => self.cancel().await,
            Op::ListCallbacks => self.list_callbacks().await,
            Op::PatchCallback => self.patch_callback().await,
        }
    }

    async fn search(&self, path: &str, endpoint: &'static str) {
        let query: Vec<(&str, String)> = {
            let mut rng = rand::rng();
            let place = self.places.choose(&mut rng).expect("places");
            let mut query = match rng.random_range(0..3) {
                0 => vec![
                    ("city", place.city.clone()),
                    ("province", place.province.clone()),
                ],
                1 => vec![("postal_code", place.postal_code.clone())],
                _ => vec![
                    ("near", format!("{},{}", place.latitude, place.longitude)),
                    ("radius_km", "50".to_owned()),
                ],
            };
            match rng.random_range(0..4) {
                0 => query.push((
                    "discipline",
                    ["physiotherapy", "chiropractic"]
                        .choose(&mut rng)
                        .expect("one")
                        .to_string(),
                )),
                1 => query.push((
                    "mode",
                    ["in_person", "phone", "video"]
                        .choose(&mut rng)
                        .expect("one")
                        .to_string(),
                )),
                2 => query.push(("language", "fr".to_owned())),
                _ => {}
            }
            query
        };
        self.exchange(endpoint, self.client.get(self.url(path)).query(&query))
            .await;
    }

    /// Fetches a week of a practitioner's free slots (the next week not fetched yet) for bookings.
    async fn slots(&self) {
        let (practitioner, from) = {
            let practitioner = self
                .practitioners
                .choose(&mut rand::rng())
                .expect("practitioners")
                .id;
            let mut cursors = self.cursors.lock().expect("cursors");
            let cursor = cursors
                .entry(practitioner)
                .or_insert(Utc::now().date_naive());
            let from = *cursor;
            *cursor = from + Days::new(7);
            (practitioner, from)
        };
        let to = from + Days::new(6);
        let request = self
            .client
            .get(self.url(&format!("/v1/practitioners/{practitioner}/slots")))
            .query(&[("from", from.to_string()), ("to", to.to_string())]);
        if let Some((200, body)) = self
            .exchange("GET /v1/practitioners/{id}/slots", request)
            .await
        {
            let starts = body["slots"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|slot| slot["starts_at"].as_str())
                .map(|start| (practitioner, start.to_owned()));
            self.free.lock().expect("free").extend(starts);
        }
    }

    fn next_serial(&self) -> u64 {
        self.serial.fetch_add(1, Ordering::Relaxed)
    }

    async fn callback(&self) {
        let n = self.next_serial();
        let body = {
            let mut rng = rand::rng();
            let preferred_time = ["morning", "afternoon", "evening", "anytime"]
                .choose(&mut rng)
                .copied();
            let (reminders, updates) = (rng.random_bool(0.5), rng.random_bool(0.5));
            let mut body = json!({
                "name": "Jane Runner", "phone": "+1 416-555-0100", "email": format!("soak-{n}@example.com"),
                "preferred_time": preferred_time,
                "concern": "Knee pain when running",
                "consents": {"appointment_reminders": reminders, "exercise_plans": true,
                             "plans_of_care": false, "service_updates": updates},
                "source_url": "https://clinic.example/blog/runners-knee", "website": ""
            });
            if rng.random_bool(0.5) {
                body["clinic_id"] = json!(self.clinics.choose(&mut rng).expect("clinics"));
            }
            body
        };
        let request = self
            .client
            .post(self.url("/v1/callback-requests"))
            .json(&body);
        if let Some((201, created)) = self.exchange("POST /v1/callback-requests", request).await
            && let Some(id) = id_of(&created)
        {
            self.accepted.lock().expect("accepted").callbacks.push(id);
            self.new_callbacks.lock().expect("callbacks").push_back(id);
        }
    }

    async fn book(&self) {
        let picked = {
            let mut free = self.free.lock().expect("free");
            match free.is_empty() {
                true => None,
                false => {
                    let index = rand::rng().random_range(0..free.len());
                    Some(free.swap_remove(index))
                }
            }
        };
        let Some((practitioner, starts_at)) = picked else {
            return self.slots().await;
        };
        let n = self.next_serial();
        let mode = self
            .practitioners
            .iter()
            .find(|p| p.id == practitioner)
            .and_then(|p| p.modes.choose(&mut rand::rng()).cloned())
            .unwrap_or_else(|| "phone".to_owned());
        let body = json!({
            "practitioner_id": practitioner, "starts_at": starts_at, "mode": mode,
            "patient": {"name": "Sam Patient", "email": format!("soak-{n}@example.com"), "phone": "+1 416-555-0101"},
            "concern": "Lower back pain after lifting",
            "consents": {"appointment_reminders": true, "exercise_plans": false, "plans_of_care": true, "service_updates": false},
            "website": ""
        });
        let request = self.client.post(self.url("/v1/bookings")).json(&body);
        if let Some((201, created)) = self.exchange("POST /v1/bookings", request).await
            && let Some(id) = id_of(&created)
        {
            self.accepted.lock().expect("accepted").bookings.push(id);
            self.requested.lock().expect("requested").push_back(id);
        }
    }

    async fn list_bookings(&self) {
        let status = ["requested", "confirmed", "cancelled"]
            .choose(&mut rand::rng())
            .expect("one")
            .to_string();
        let request = self
            .client
            .get(self.url("/v1/staff/bookings"))
            .bearer_auth(&self.token)
            .query(&[("status", status), ("limit", "20".to_owned())]);
        self.exchange("GET /v1/staff/bookings", request).await;
    }

    async fn get_booking(&self) {
        let id = {
            let accepted = self.accepted.lock().expect("accepted");
            accepted.bookings.choose(&mut rand::rng()).copied()
        };
        let Some(id) = id else {
            return self.list_bookings().await;
        };
        let request = self
            .client
            .get(self.url(&format!("/v1/staff/bookings/{id}")))
            .bearer_auth(&self.token);
        self.exchange("GET /v1/staff/bookings/{id}", request).await;
    }

    async fn confirm(&self) {
        let Some(id) = self.requested.lock().expect("requested").pop_front() else {
            return self.list_bookings().await;
        };
        let request = self
            .client
            .post(self.url(&format!("/v1/staff/bookings/{id}/confirm")))
            .bearer_auth(&self.token);
        if let Some((200, _)) = self
            .exchange("POST /v1/staff/bookings/{id}/confirm", request)
            .await
        {
            self.accepted.lock().expect("accepted").confirmed.insert(id);
            self.confirmed.lock().expect("confirmed").push_back(id);
        }
    }

    async fn cancel(&self) {
        let id = self.confirmed.lock().expect("confirmed").pop_front();
        let id = id.or_else(|| self.requested.lock().expect("requested").pop_front());
        let Some(id) = id else {
            return self.list_bookings().await;
        };
        let request = self
            .client
            .post(self.url(&format!("/v1/staff/bookings/{id}/cancel")))
            .bearer_auth(&self.token)
            .json(&json!({"reason": "The patient asked to cancel"}));
        if let Some((200, _)) = self
            .exchange("POST /v1/staff/bookings/{id}/cancel", request)
            .await
        {
            self.accepted.lock().expect("accepted").cancelled.insert(id);
        }
    }

    async fn list_callbacks(&self) {
        let request = self
            .client
            .get(self.url("/v1/staff/callback-requests"))
            .bearer_auth(&self.token)
            .query(&[("status", "new"), ("limit", "20")]);
        self.exchange("GET /v1/staff/callback-requests", request)
            .await;
    }

    async fn patch_callback(&self) {
        let Some(id) = self.new_callbacks.lock().expect("callbacks").pop_front() else {
            return self.list_callbacks().await;
        };
        let request = self
            .client
            .patch(self.url(&format!("/v1/staff/callback-requests/{id}")))
            .bearer_auth(&self.token)
            .json(&json!({"status": "contacted", "note": "Left a voicemail"}));
        if let Some((200, _)) = self
            .exchange("PATCH /v1/staff/callback-requests/{id}", request)
            .await
        {
            self.accepted.lock().expect("accepted").contacted.push(id);
        }
    }
}

fn id_of(body: &Value) -> Option<Uuid> {
    body["id"].as_str().and_then(|id| id.parse().ok())
}

// ---------------------------------------------------------------------------------------------
// The checks and the summary

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(duration: Duration) -> String {
    format!("{:.1}", duration.as_secs_f64() * 1000.0)
}

fn summarise_requests(
    records: &[Record],
    traffic_secs: f64,
    config: &Config,
    overloaded: u64,
    failures: &mut Vec<String>,
) {
    let mut by_endpoint: BTreeMap<&str, Vec<&Record>> = BTreeMap::new();
    for record in records {
        by_endpoint.entry(record.endpoint).or_default().push(record);
    }
    println!(
        "\nrequests: {} in {:.0} s ({:.1}/s, target {}/s)",
        records.len(),
        traffic_secs,
        records.len() as f64 / traffic_secs,
        config.rate
    );
    println!(
        "{:<42} {:>7}  {:<28} {:>8} {:>8} {:>8}",
        "endpoint", "count", "statuses", "p50 ms", "p99 ms", "max ms"
    );
    let row = |name: &str, records: &[&Record]| {
        let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
        for record in records {
            let key = record
                .status
                .map_or_else(|| "error".to_owned(), |s| s.to_string());
            *statuses.entry(key).or_default() += 1;
        }
        let mut latencies: Vec<Duration> = records.iter().map(|r| r.latency).collect();
        latencies.sort();
        let statuses = statuses
            .iter()
            .map(|(status, n)| format!("{status}:{n}"))
            .collect::<Vec<_>>()
            .join(" ");
        println!(
            "{name:<42} {:>7}  {statuses:<28} {:>8} {:>8} {:>8}",
            records.len(),
            ms(percentile(&latencies, 50.0)),
            ms(percentile(&latencies, 99.0)),
            ms(latencies.last().copied().unwrap_or_default())
        );
    };
    for (endpoint, records) in &by_endpoint {
        row(endpoint, records);
    }
    row("all", &records.iter().collect::<Vec<_>>());

    let server_errors = records
        .iter()
        .filter(|r| r.status.is_some_and(|s| s >= 500))
        .count();
    if server_errors > 0 {
        failures.push(format!("{server_errors} answers were 5xx"));
    }
    let broken: Vec<&Record> = records.iter().filter(|r| r.error.is_some()).collect();
    if !broken.is_empty() {
        failures.push(format!(
            "{} exchanges got no complete answer, e.g. {:?}",
            broken.len(),
            broken[0]
        ));
    }
    let achieved = records.len() as f64 / traffic_secs;
    if overloaded > 0 || achieved < config.rate * 0.95 {
        failures.push(format!(
            "the rate did not hold: {achieved:.1}/s of {}/s, {overloaded} requests not sent (over {} in flight)",
            config.rate, config.max_in_flight
        ));
    }
}

async fn check_rows(db: &PgPool, world: &World, failures: &mut Vec<String>) -> anyhow::Result<()> {
    let accepted = std::mem::take(&mut *world.accepted.lock().expect("accepted"));
    for (table, ids) in [
        ("callback_requests", &accepted.callbacks),
        ("bookings", &accepted.bookings),
    ] {
        let (total, found): (i64, i64) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT count(*), count(*) FILTER (WHERE id = ANY($1)) FROM {table}"
        )))
        .bind(ids)
        .fetch_one(db)
        .await?;
        println!(
            "rows: {} 201s, {total} {table} rows, {found} of them accepted",
            ids.len()
        );
        if found != ids.len() as i64 || total != ids.len() as i64 {
            failures.push(format!(
                "{table}: {} accepted, {found} of them stored, {total} rows in all",
                ids.len()
            ));
        }
    }
    let statuses: HashMap<Uuid, String> =
        sqlx::query_as::<_, (Uuid, String)>("SELECT id, status FROM bookings")
            .fetch_all(db)
            .await?
            .into_iter()
            .collect();
    let wrong_cancelled = accepted
        .cancelled
        .iter()
        .filter(|id| statuses.get(id).map(String::as_str) != Some("cancelled"))
        .count();
    let wrong_confirmed = accepted
        .confirmed
        .iter()
        .filter(|id| !accepted.cancelled.contains(id))
        .filter(|id| statuses.get(id).map(String::as_str) != Some("confirmed"))
        .count();
    let contacted: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM callback_requests
          WHERE id = ANY($1) AND status = 'contacted' AND note = 'Left a voicemail'",
    )
    .bind(&accepted.contacted)
    .fetch_one(db)
    .await?;
    println!(
        "staff actions: {} confirmed, {} cancelled, {} callbacks marked contacted",
        accepted.confirmed.len(),
        accepted.cancelled.len(),
        accepted.contacted.len()
    );
    if wrong_cancelled + wrong_confirmed > 0 || contacted != accepted.contacted.len() as i64 {
        failures.push(format!(
            "staff actions not in their rows: {wrong_confirmed} confirmations, {wrong_cancelled} cancellations, \
             {} callback updates",
            accepted.contacted.len() as i64 - contacted
        ));
    }
    Ok(())
}

async fn check_emails(
    db: &PgPool,
    sink: &smtp::SmtpServer,
    drained: bool,
    drain_secs: f64,
    failures: &mut Vec<String>,
) -> anyhow::Result<()> {
    let by_status: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT kind, status, count(*) FROM email_outbox GROUP BY kind, status ORDER BY kind, status",
    )
    .fetch_all(db)
    .await?;
    println!("\nemails (outbox, by kind and status):");
    for (kind, status, count) in &by_status {
        println!("  {kind:<24} {status:<10} {count:>7}");
    }
    let messages = sink.messages();
    let mut copies: HashMap<String, usize> = HashMap::new();
    for message in &messages {
        let id = message.header("Message-ID").unwrap_or_default();
        *copies.entry(id).or_default() += 1;
    }
    let sent: HashSet<String> =
        sqlx::query_scalar("SELECT message_id FROM email_outbox WHERE status = 'sent'")
            .fetch_all(db)
            .await?
            .into_iter()
            .map(|id: Option<String>| id.unwrap_or_default())
            .collect();
    let sent_rows: i64 =
        sqlx::query_scalar("SELECT count(*) FROM email_outbox WHERE status = 'sent'")
            .fetch_one(db)
            .await?;
    let (stuck, failed, not_yet): (i64, i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE status = 'sending'
                                    OR (status = 'queued' AND (send_after <= now() OR attempts > 0))),
                count(*) FILTER (WHERE status = 'failed'),
                count(*) FILTER (WHERE status = 'queued' AND send_after > now() AND attempts = 0)
           FROM email_outbox",
    )
    .fetch_one(db)
    .await?;
    let doubled = copies.values().filter(|n| **n > 1).count();
    println!(
        "delivered: {} messages, {} distinct Message-IDs, {doubled} delivered more than once; \
         {sent_rows} rows sent; drained {:.1} s after the traffic; {not_yet} reminders not yet due",
        messages.len(),
        copies.len(),
        if drained { drain_secs } else { f64::NAN }
    );
    if !drained {
        failures.push(format!(
            "the outbox still had due or sending emails {} s after the traffic",
            DRAIN_LIMIT.as_secs()
        ));
    }
    if doubled > 0 || messages.len() != copies.len() {
        failures.push(format!("{doubled} emails were delivered more than once"));
    }
    let delivered: HashSet<String> = copies.keys().cloned().collect();
    if sent_rows as usize != delivered.len() || sent != delivered {
        failures.push(format!(
            "{sent_rows} rows sent but {} distinct Message-IDs delivered ({} sent rows not delivered, {} delivered not recorded)",
            delivered.len(),
            sent.difference(&delivered).count(),
            delivered.difference(&sent).count()
        ));
    }
    if stuck > 0 || failed > 0 {
        failures.push(format!(
            "{stuck} emails left sending, past due or retrying; {failed} failed"
        ));
    }
    Ok(())
}

fn check_memory(
    samples: &[(f64, u64)],
    config: &Config,
    traffic_secs: f64,
    failures: &mut Vec<String>,
) {
    println!("\nRSS of serve (MB) every {} s:", RSS_EVERY.as_secs());
    let series = samples
        .iter()
        .map(|(t, kb)| format!("{t:.0}s:{:.1}", *kb as f64 / 1024.0))
        .collect::<Vec<_>>();
    for line in series.chunks(8) {
        println!("  {}", line.join("  "));
    }
    let window = config.window();
    let average = |from: f64, to: f64| {
        let picked: Vec<f64> = samples
            .iter()
            .filter(|(t, _)| *t >= from - 0.5 && *t <= to + 0.5)
            .map(|(_, kb)| *kb as f64)
            .collect();
        (!picked.is_empty()).then(|| picked.iter().sum::<f64>() / picked.len() as f64)
    };
    // The first window is warm-up (caches, pools, allocator arenas filling); compare the next one
    // with the last.
    match (
        average(window, 2.0 * window),
        average(traffic_secs - window, traffic_secs),
    ) {
        (Some(first), Some(last)) => {
            let growth = last / first - 1.0;
            println!(
                "memory: {:.1} MB averaged over {window:.0}-{:.0} s, {:.1} MB over the last {window:.0} s: {:+.1}% (limit +{:.0}%)",
                first / 1024.0,
                2.0 * window,
                last / 1024.0,
                growth * 100.0,
                config.tolerance * 100.0
            );
            if growth > config.tolerance {
                failures.push(format!(
                    "memory grew {:.1}% (limit {:.0}%)",
                    growth * 100.0,
                    config.tolerance * 100.0
                ));
            }
        }
        _ => failures.push("too few RSS samples to compare memory".to_owned()),
    }
}
