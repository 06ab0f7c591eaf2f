//! Fault drills, black-box: real processes and servers, failures injected from outside, and every
//! wait a condition polled against a deadline (no sleep stands in for synchronisation).
//!
//! 1. Postgres restarted during traffic: a private Postgres is stopped and started again under a
//!    steady stream of callback forms; meanwhile every request gets a fast 503 with Retry-After
//!    (never a 500, never a hang), afterwards the pool heals by itself, and every 201 has its row.
//! 2. SMTP down for "minutes": emails wait `queued` with growing attempts and back off while the
//!    server is absent (connection refused) and then refusing (421); when it returns, each leaves
//!    exactly once. The worker's backoff is scaled down so the minutes compress into seconds.
//! 3. SIGTERM during traffic: the real `consultdesk serve` finishes the requests in flight and the
//!    email it is sending, sends no email twice, leaves nothing `sending`, and exits 0. Requests
//!    arriving as it stops are refused, or (a connection the kernel had completed but the server
//!    had not yet read) reset before any answer: allowed, and the row count proves they did nothing.

use crate::binary::{BINARY, free_port};
use crate::helpers::*;
use crate::smtp::{Mode, SmtpServer};
use consultdesk::config::Settings;
use consultdesk::db;
use consultdesk::email::transport::Transport;
use consultdesk::embedded_pg::{self, EmbeddedOptions, EmbeddedPostgres};
use consultdesk::startup::Application;
use secrecy::SecretString;
use serde_json::{Value, json};
use sqlx::PgPool;
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::task::JoinHandle;
use uuid::Uuid;

/// How long a drill waits for something that should take a few seconds at most.
const PATIENCE: Duration = Duration::from_secs(30);

/// Polls `condition` every 20 ms until it holds; panics naming `what` after `limit`.
async fn wait_until(what: &str, limit: Duration, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A directory under the system temp dir, traversable (0755) so the `postgres` user can reach a
/// cluster inside it when the tests run as root; removed at the end, failed test or not. Also the
/// replica tests' (`standby.rs`).
pub(crate) struct TempDir(pub(crate) PathBuf);

impl TempDir {
    pub(crate) fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "consultdesk-faults-{tag}-{}",
            Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&dir).expect("creating a temp dir");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755))
            .expect("chmod the temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

// ---------------------------------------------------------------------------------------------
// 1. Postgres restarted during traffic

/// Runs `pg_ctl <args> -D <data_dir>` as the cluster's owner (the `postgres` user when the tests run
/// as root, as the embedded Postgres does: the server refuses to run as root). The server log goes
/// to the cluster's own `server.log`, so no output pipe is left open by the server.
async fn pg_ctl(data_dir: &Path, args: &[&str]) {
    let bin = embedded_pg::find_programs().expect("the Postgres programs");
    let mut command = tokio::process::Command::new(bin.join("pg_ctl"));
    command
        .args(args)
        .arg("-D")
        .arg(data_dir)
        .arg("-l")
        .arg(data_dir.join("server.log"))
        .current_dir(data_dir.parent().expect("a parent"))
        .stdin(Stdio::null());
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } == 0 {
        let owner = std::fs::metadata(data_dir).expect("the data dir");
        command
            .uid(owner.uid())
            .gid(owner.gid())
            .env("HOME", "/tmp");
    }
    let output = command.output().await.expect("running pg_ctl");
    assert!(
        output.status.success(),
        "pg_ctl {args:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// One request of the drill's traffic, as the client saw it.
#[derive(Debug, Clone)]
struct Exchange {
    started: Instant,
    finished: Instant,
    status: Option<u16>,
    retry_after: Option<String>,
    content_type: Option<String>,
    /// Set when no complete answer came back (connection error, timeout, body cut).
    error: Option<String>,
}

impl Exchange {
    fn took(&self) -> Duration {
        self.finished - self.started
    }
}

async fn post_and_record(client: &reqwest::Client, url: &str, body: &Value) -> Exchange {
    let started = Instant::now();
    let mut exchange = Exchange {
        started,
        finished: started,
        status: None,
        retry_after: None,
        content_type: None,
        error: None,
    };
    match client.post(url).json(body).send().await {
        Ok(response) => {
            let header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            };
            exchange.status = Some(response.status().as_u16());
            exchange.retry_after = header("retry-after");
            exchange.content_type = header("content-type");
            if let Err(error) = response.bytes().await {
                exchange.error = Some(format!("body: {error}"));
            }
        }
        Err(error) => exchange.error = Some(format!("{error:?}")),
    }
    exchange.finished = Instant::now();
    exchange
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_restarted_during_traffic_gives_fast_503s_and_the_pool_heals_itself() {
    // A Postgres of this test's own, so stopping it disturbs no other test.
    let tmp = TempDir::new("pg-restart");
    let data_dir = tmp.0.join("pgdata");
    let pg = EmbeddedPostgres::start(&data_dir, EmbeddedOptions { fast_unsafe: true })
        .await
        .expect("starting a private Postgres");
    // The port lives in the cluster's consultdesk.conf, so pg_ctl stop/start keeps the app's URL.
    let url = pg.url();
    let data_dir = std::fs::canonicalize(&data_dir).expect("the data dir");
    let pool = PgPool::connect(&url).await.expect("connecting");
    db::migrate(&pool).await.expect("migrating");

    let mut settings = Settings::from_lookup(|name| match name {
        "BIND_ADDR" => Some("127.0.0.1:0".to_owned()),
        "PUBLIC_RATE_LIMIT" => Some("100000/min".to_owned()),
        "DATABASE_MIN_CONNECTIONS" => Some("1".to_owned()),
        _ => None,
    })
    .expect("settings");
    settings.database_url = Some(SecretString::from(url.clone()));
    settings.db_acquire_timeout = Duration::from_secs(1);
    let app_pool = db::pool(&url, &settings).expect("the app's pool");
    let app = Application::bind(settings, app_pool)
        .await
        .expect("binding");
    let base = format!("http://{}", app.local_addr());
    let (stop_app, app_stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(app.run_until(async move {
        let _ = app_stopped.await;
    }));

    // Steady traffic: two clients posting callback forms back to back. A client-side timeout far
    // above the app's 1 s acquire timeout turns a hanging request into a recorded failure.
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .build()
        .expect("client");
    let log: Arc<Mutex<Vec<Exchange>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let posters: Vec<JoinHandle<()>> = (0..2)
        .map(|_| {
            let (client, log, stop) = (client.clone(), log.clone(), stop.clone());
            let url = format!("{base}/v1/callback-requests");
            tokio::spawn(async move {
                while !stop.load(Ordering::SeqCst) {
                    let exchange = post_and_record(&client, &url, &callback_body()).await;
                    log.lock().expect("log").push(exchange);
                }
            })
        })
        .collect();
    let count = |since: Instant, status: u16| {
        log.lock()
            .expect("log")
            .iter()
            .filter(|e| e.started >= since && e.status == Some(status))
            .count()
    };

    let began = Instant::now();
    wait_until("traffic to flow", PATIENCE, || count(began, 201) >= 20).await;

    // Down: a fast shutdown (open transactions rolled back, clients disconnected).
    pg_ctl(&data_dir, &["stop", "-m", "fast", "-w"]).await;
    let down = Instant::now();
    wait_until("503s while Postgres is down", PATIENCE, || {
        count(down, 503) >= 5
    })
    .await;
    let restarting = Instant::now();
    pg_ctl(&data_dir, &["start", "-w", "-t", "60"]).await;
    let up = Instant::now();
    wait_until("201s again after the restart", PATIENCE, || {
        count(up, 201) >= 20
    })
    .await;

    stop.store(true, Ordering::SeqCst);
    for poster in posters {
        poster.await.expect("a poster");
    }
    let log = log.lock().expect("log").clone();
    let by_status = log
        .iter()
        .fold(HashMap::<Option<u16>, usize>::new(), |mut m, e| {
            *m.entry(e.status).or_default() += 1;
            m
        });
    let slowest = log.iter().map(Exchange::took).max().unwrap_or_default();
    println!(
        "{} requests: {by_status:?}; slowest {slowest:?}; down for {:?}",
        log.len(),
        up - down
    );

    for exchange in &log {
        assert!(
            exchange.error.is_none(),
            "every request is answered: {exchange:?}"
        );
        assert!(
            matches!(exchange.status, Some(201 | 503)),
            "only 201 or 503, never a 500: {exchange:?}"
        );
        assert!(
            exchange.took() < Duration::from_secs(5),
            "answered fast, never hanging: {exchange:?}"
        );
        if exchange.status == Some(503) {
            assert_eq!(exchange.retry_after.as_deref(), Some("2"), "{exchange:?}");
            assert_eq!(
                exchange.content_type.as_deref(),
                Some("application/problem+json"),
                "{exchange:?}"
            );
        }
    }
    let while_down: Vec<&Exchange> = log
        .iter()
        .filter(|e| e.started >= down && e.finished <= restarting)
        .collect();
    assert!(while_down.len() >= 5);
    assert!(
        while_down.iter().all(|e| e.status == Some(503)),
        "while Postgres is down every request gets a 503"
    );
    // Healed without restarting the app: from the first success after the restart on, all succeed.
    let first_ok = log
        .iter()
        .filter(|e| e.started >= up && e.status == Some(201))
        .map(|e| e.started)
        .min()
        .expect("a 201 after the restart");
    let relapses: Vec<&Exchange> = log
        .iter()
        .filter(|e| e.started > first_ok && e.status != Some(201))
        .collect();
    assert!(relapses.is_empty(), "after recovery: {relapses:?}");
    let readyz = client
        .get(format!("{base}/readyz"))
        .send()
        .await
        .expect("readyz");
    assert_eq!(readyz.status(), 200);

    // Every 201 has its row, and nothing answered 503 left one behind.
    let accepted = log.iter().filter(|e| e.status == Some(201)).count();
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM callback_requests")
        .fetch_one(&pool)
        .await
        .expect("counting rows");
    assert_eq!(rows, accepted as i64, "rows == 201s");

    let _ = stop_app.send(());
    serving
        .await
        .expect("the app task")
        .expect("the app stops cleanly");
    pool.close().await;
    pg.stop().await.expect("stopping the private Postgres");
}

// ---------------------------------------------------------------------------------------------
// 2. SMTP down for minutes

/// A fixed SMTP address for the worker whose listener the test controls: closed at first (nothing
/// listens: connection refused), then opened to relay to a capturing server.
struct SmtpFront {
    port: u16,
}

impl SmtpFront {
    /// A port that nothing listens on.
    async fn closed() -> SmtpFront {
        let probe = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let port = probe.local_addr().expect("address").port();
        drop(probe);
        SmtpFront { port }
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Starts listening on the port, relaying each connection to `target`.
    async fn open(&self, target: &SmtpServer) {
        let socket = TcpSocket::new_v4().expect("a socket");
        socket.set_reuseaddr(true).expect("SO_REUSEADDR");
        socket
            .bind(([127, 0, 0, 1], self.port).into())
            .expect("binding the SMTP front's port again");
        let listener = socket.listen(64).expect("listening");
        let target = target.port;
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(("127.0.0.1", target)).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
            }
        });
    }
}

#[derive(Debug, sqlx::FromRow)]
struct OutboxRow {
    id: Uuid,
    status: String,
    attempts: i32,
    last_error: Option<String>,
    message_id: Option<String>,
    /// Seconds between the row's creation and the database's now.
    age: f64,
}

async fn outbox(db: &PgPool) -> Vec<OutboxRow> {
    sqlx::query_as(
        "SELECT id, status, attempts, last_error, message_id,
                EXTRACT(EPOCH FROM now() - created_at)::float8 AS age
           FROM email_outbox ORDER BY created_at, id",
    )
    .fetch_all(db)
    .await
    .expect("the outbox")
}

/// Polls the outbox until `condition` holds for its rows; panics naming `what` after `limit`.
async fn wait_for_outbox(
    db: &PgPool,
    what: &str,
    limit: Duration,
    condition: impl Fn(&[OutboxRow]) -> bool,
) -> Vec<OutboxRow> {
    let deadline = Instant::now() + limit;
    loop {
        let rows = outbox(db).await;
        if condition(&rows) {
            return rows;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}: {rows:#?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The most attempts an email `age` seconds old can have had under the worker's backoff: each
/// retry waits at least half its ceiling (base × 2^(n-1), capped), so attempts grow like the
/// logarithm of the time at first and then linearly at the cap's pace, not at the poll's.
fn most_attempts(age: f64, base: Duration, cap: Duration) -> i32 {
    let mut attempts = 1;
    let mut waited = 0.0;
    loop {
        let exponent = u32::try_from(attempts - 1).unwrap_or(0).min(20);
        let ceiling = base.saturating_mul(1 << exponent).min(cap);
        waited += ceiling.as_secs_f64() / 2.0;
        if waited > age {
            return attempts;
        }
        attempts += 1;
    }
}

async fn post_callback_for(app: &TestApp, email: &str) {
    let mut body = callback_body();
    body["email"] = json!(email);
    assert_eq!(app.post_callback(&body).await.status(), 201, "{email}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtp_down_for_minutes_emails_wait_with_backoff_then_each_leaves_exactly_once() {
    let smtp = SmtpServer::start().await;
    smtp.set_mode(Mode::Refuse421);
    let front = SmtpFront::closed().await;
    let app = TestApp::spawn().await;
    // Production waits 30 s doubling up to an hour; here 250 ms doubling up to 2 s, so an outage
    // of minutes (a dozen retries) plays out in seconds. Attempts are plentiful: while they
    // remain, nothing may end `failed`.
    let (base, cap) = (Duration::from_millis(250), Duration::from_secs(2));
    let transport = Transport::from_settings(
        Some(&SecretString::from(front.url())),
        Path::new(env!("CARGO_TARGET_TMPDIR")),
    )
    .expect("a transport");
    let worker = app.worker_with(transport, |config| {
        config.base_backoff = base;
        config.max_backoff = cap;
        config.max_attempts = 1000;
        config.poll_interval = Duration::from_millis(100);
    });
    let (stop_worker, worker_stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(worker.run(async move {
        let _ = worker_stopped.await;
    }));
    let waiting = |rows: &[OutboxRow]| {
        for row in rows {
            assert!(
                row.status == "queued" || row.status == "sending",
                "nothing leaves or fails while SMTP is down: {row:?}"
            );
            assert!(
                row.attempts <= most_attempts(row.age, base, cap) + 1,
                "retries back off: {row:?}"
            );
        }
    };

    // Absent: nothing listens on the SMTP port.
    let absent: Vec<String> = (0..10).map(|n| format!("absent-{n}@example.com")).collect();
    for email in &absent {
        post_callback_for(&app, email).await;
    }
    let rows = wait_for_outbox(&app.db, "3 attempts each", PATIENCE, |rows| {
        waiting(rows);
        rows.len() == 10 && rows.iter().all(|r| r.attempts >= 3)
    })
    .await;
    assert!(
        rows.iter().all(|r| r.last_error.is_some()),
        "each failure is recorded: {rows:?}"
    );

    // Present but refusing: 421 to every connection.
    front.open(&smtp).await;
    let busy: Vec<String> = (0..10).map(|n| format!("busy-{n}@example.com")).collect();
    for email in &busy {
        post_callback_for(&app, email).await;
    }
    let rows = wait_for_outbox(&app.db, "every email refused with 421", PATIENCE, |rows| {
        waiting(rows);
        rows.len() == 20
            && rows.iter().all(|r| {
                r.status == "queued" && r.last_error.as_deref().is_some_and(|e| e.contains("421"))
            })
            && rows[..10].iter().all(|r| r.attempts >= 5)
    })
    .await;
    assert!(smtp.messages().is_empty(), "nothing delivered yet");
    println!(
        "attempts before SMTP came back: {:?}",
        rows.iter().map(|r| r.attempts).collect::<Vec<_>>()
    );

    // Back: every email leaves, once.
    smtp.set_mode(Mode::Accept);
    let rows = wait_for_outbox(&app.db, "every email sent", PATIENCE, |rows| {
        rows.iter().all(|r| r.status == "sent")
    })
    .await;
    stop_worker.send(()).expect("the worker runs");
    tokio::time::timeout(PATIENCE, running)
        .await
        .expect("the worker stops")
        .expect("the worker does not panic");

    let messages = smtp.messages();
    assert_eq!(messages.len(), 20, "each email exactly once");
    let delivered: HashSet<String> = messages
        .iter()
        .map(|m| m.header("Message-ID").expect("a Message-ID"))
        .collect();
    assert_eq!(delivered.len(), 20, "20 distinct Message-IDs");
    let recorded: HashSet<String> = rows
        .iter()
        .map(|r| r.message_id.clone().expect("a recorded Message-ID"))
        .collect();
    assert_eq!(recorded, delivered);
    let recipients: HashSet<String> = messages
        .iter()
        .flat_map(|m| m.rcpt_to.iter().cloned())
        .collect();
    let expected: HashSet<String> = absent.into_iter().chain(busy).collect();
    assert_eq!(recipients, expected);
    assert!(
        rows.iter().all(|r| r.attempts >= 2),
        "each was retried: {rows:?}"
    );
    let ids: HashSet<Uuid> = rows.iter().map(|r| r.id).collect();
    assert_eq!(ids.len(), 20);
}

// ---------------------------------------------------------------------------------------------
// 3. SIGTERM during traffic

/// The `serve` child, killed if the test ends before it exits.
struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// What one request of the SIGTERM drill came to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ending {
    /// A complete answer: the status, and the callback's id on a 201.
    Answered(u16, Option<Uuid>),
    /// No connection: the listener was closed.
    Refused,
    /// Connected, but the connection closed before any answer (a connection the server had not
    /// taken on yet when it stopped accepting). The row count proves these did nothing.
    Unanswered(String),
    /// An answer began but did not arrive whole: what graceful shutdown must never do.
    Cut(String),
}

async fn post_once(client: &reqwest::Client, url: &str, email: &str) -> Ending {
    let mut body = callback_body();
    body["email"] = json!(email);
    let response = match client.post(url).json(&body).send().await {
        Ok(response) => response,
        Err(error) if error.is_connect() => return Ending::Refused,
        Err(error) => return Ending::Unanswered(format!("{error:?}")),
    };
    let status = response.status().as_u16();
    match response.bytes().await {
        Ok(bytes) => {
            let id = (status == 201).then(|| {
                serde_json::from_slice::<Value>(&bytes)
                    .ok()
                    .and_then(|v| v["id"].as_str().and_then(|id| id.parse().ok()))
                    .unwrap_or_else(|| panic!("a 201 with a complete body: {bytes:?}"))
            });
            Ending::Answered(status, id)
        }
        Err(error) => Ending::Cut(format!("{error:?}")),
    }
}

/// Reads from `stream` until `buffer` holds a full response head; returns its length.
async fn read_head(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> usize {
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            return end + 4;
        }
        let mut chunk = [0u8; 4096];
        let read = tokio::time::timeout(PATIENCE, stream.read(&mut chunk))
            .await
            .expect("an answer in time")
            .expect("reading");
        assert!(
            read > 0,
            "closed before a full response head: {:?}",
            String::from_utf8_lossy(buffer)
        );
        buffer.extend_from_slice(&chunk[..read]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_traffic_finishes_requests_and_the_email_in_flight_then_exits_0() {
    let database = OwnedDatabase::new().await;
    let db = PgPool::connect(&database.url).await.expect("connecting");
    let smtp = SmtpServer::start().await;
    smtp.set_mode(Mode::Stall);
    let workdir = TempDir::new("sigterm");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = Command::new(BINARY)
        .arg("serve")
        .current_dir(&workdir.0)
        .env("DATABASE_URL", &database.url)
        .env("SMTP_URL", smtp.url())
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .env("MAIL_FROM", MAIL_FROM)
        .env(
            "SIGNING_KEY",
            "a signing key for the sigterm drill of at least 32 bytes",
        )
        .env("PUBLIC_RATE_LIMIT", "100000/min")
        .env("PUBLIC_READ_RATE_LIMIT", "100000/min")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawning consultdesk serve");
    let stderr = child.stderr.take().expect("stderr");
    let mut served = Served(child);
    let log: Arc<Mutex<Vec<String>>> = Arc::default();
    let reader = {
        let log = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                log.lock().expect("log").push(line);
            }
        })
    };
    let logged = |text: &str| {
        log.lock()
            .expect("log")
            .iter()
            .any(|line| line.contains(text))
    };
    let dump = || log.lock().expect("log").join("\n");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !logged("consultdesk is listening") {
        let exited = served.0.try_wait().expect("waiting");
        assert!(
            exited.is_none() && Instant::now() < deadline,
            "serve never listened ({exited:?}); log:\n{}",
            dump()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // An email mid-send: the server has it all and holds its answer.
    let client = reqwest::Client::builder()
        // A connection per request: after SIGTERM a request either gets through or is refused,
        // with no idle keep-alive connection closing under it.
        .pool_max_idle_per_host(0)
        .timeout(PATIENCE)
        .build()
        .expect("client");
    let callbacks = format!("{base}/v1/callback-requests");
    assert!(matches!(
        post_once(&client, &callbacks, "in-flight@example.com").await,
        Ending::Answered(201, Some(_))
    ));
    smtp.wait_for_stalled(1, PATIENCE).await;

    // Traffic: four clients posting forms back to back until the server stops taking connections.
    let endings: Arc<Mutex<Vec<(Instant, Ending)>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<JoinHandle<()>> = (0..4)
        .map(|task| {
            let (client, endings, stop, url) = (
                client.clone(),
                endings.clone(),
                stop.clone(),
                callbacks.clone(),
            );
            tokio::spawn(async move {
                let mut n = 0;
                while !stop.load(Ordering::SeqCst) {
                    n += 1;
                    let ending =
                        post_once(&client, &url, &format!("c{task}-{n}@example.com")).await;
                    let refused = ending == Ending::Refused;
                    endings
                        .lock()
                        .expect("endings")
                        .push((Instant::now(), ending));
                    if refused {
                        break;
                    }
                }
            })
        })
        .collect();

    // A request surely in flight at SIGTERM: its handler is reading the body (the server asked for
    // it with 100 Continue) when the signal comes, and the rest of the body is sent only after.
    let body = serde_json::to_vec(&{
        let mut body = callback_body();
        body["email"] = json!("half-sent@example.com");
        body
    })
    .expect("json");
    let mut half = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connecting");
    let head = format!(
        "POST /v1/callback-requests HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nExpect: 100-continue\r\n\r\n",
        body.len()
    );
    half.write_all(head.as_bytes()).await.expect("writing");
    let mut buffer = Vec::new();
    let continue_len = read_head(&mut half, &mut buffer).await;
    assert!(
        buffer.starts_with(b"HTTP/1.1 100"),
        "{:?}",
        String::from_utf8_lossy(&buffer)
    );
    buffer.drain(..continue_len);
    half.write_all(&body[..body.len() / 2])
        .await
        .expect("writing");

    let count = || endings.lock().expect("endings").len();
    wait_until("traffic to flow", PATIENCE, || count() >= 20).await;
    // SAFETY: signalling our own child process by its pid.
    unsafe { libc::kill(served.0.id() as libc::pid_t, libc::SIGTERM) };
    let signalled = Instant::now();
    wait_until("the shutdown to begin", PATIENCE, || {
        logged("shutdown requested")
    })
    .await;
    // The SMTP server answers the email it holds.
    smtp.set_mode(Mode::Accept);

    // The in-flight request completes, whole.
    half.write_all(&body[body.len() / 2..])
        .await
        .expect("the rest of the body");
    let head_len = read_head(&mut half, &mut buffer).await;
    let head = String::from_utf8_lossy(&buffer[..head_len]).to_lowercase();
    assert!(head.starts_with("http/1.1 201"), "{head}");
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("a content-length");
    while buffer.len() < head_len + length {
        let mut chunk = [0u8; 4096];
        let read = tokio::time::timeout(PATIENCE, half.read(&mut chunk))
            .await
            .expect("the body in time")
            .expect("reading");
        assert!(
            read > 0,
            "the answer was cut: {:?}",
            String::from_utf8_lossy(&buffer)
        );
        buffer.extend_from_slice(&chunk[..read]);
    }
    let created: Value =
        serde_json::from_slice(&buffer[head_len..head_len + length]).expect("json");
    let half_sent_id: Uuid = created["id"]
        .as_str()
        .and_then(|id| id.parse().ok())
        .expect("an id");

    // The process exits by itself, with 0.
    let deadline = Instant::now() + PATIENCE;
    let status = loop {
        if let Some(status) = served.0.try_wait().expect("waiting") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "serve did not exit; log:\n{}",
            dump()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    stop.store(true, Ordering::SeqCst);
    for client in clients {
        client.await.expect("a client");
    }
    reader.join().expect("the log reader");
    assert!(
        status.success(),
        "serve exits 0 on SIGTERM: {status}; log:\n{}",
        dump()
    );
    assert!(logged("stopped taking requests"), "{}", dump());
    assert!(logged("email worker stopped"), "{}", dump());

    let endings = endings.lock().expect("endings").clone();
    let mut tally: HashMap<String, usize> = HashMap::new();
    for (_, ending) in &endings {
        let key = match ending {
            Ending::Answered(status, _) => status.to_string(),
            Ending::Refused => "refused".into(),
            Ending::Unanswered(_) => "unanswered".into(),
            Ending::Cut(_) => "cut".into(),
        };
        *tally.entry(key).or_default() += 1;
    }
    println!("traffic: {tally:?}");
    for (at, ending) in &endings {
        if let Ending::Unanswered(error) = ending {
            println!("unanswered {:?} after SIGTERM: {error}", *at - signalled);
        }
    }
    for (at, ending) in &endings {
        match ending {
            Ending::Answered(status, _) => {
                assert!((200..500).contains(status), "no 5xx: {ending:?}")
            }
            Ending::Cut(_) => panic!("an answer was cut mid-response: {ending:?}"),
            Ending::Refused | Ending::Unanswered(_) => assert!(
                *at >= signalled,
                "only after SIGTERM may a request go unanswered: {ending:?}"
            ),
        }
    }
    // Every 201 has its row (the half-sent one and the email's included), and requests that went
    // unanswered left none.
    let mut accepted: HashSet<Uuid> = endings
        .iter()
        .filter_map(|(_, ending)| match ending {
            Ending::Answered(201, id) => *id,
            _ => None,
        })
        .collect();
    accepted.insert(half_sent_id);
    let stored: HashSet<Uuid> = sqlx::query_scalar("SELECT id FROM callback_requests")
        .fetch_all(&db)
        .await
        .expect("rows")
        .into_iter()
        .collect();
    assert_eq!(
        stored.len(),
        accepted.len() + 1,
        "the first form, and each 201"
    );
    assert!(accepted.is_subset(&stored));

    // Emails: nothing left `sending`, nothing sent twice, the held one delivered and recorded.
    let rows = outbox(&db).await;
    assert!(rows.iter().all(|r| r.status != "sending"), "{rows:#?}");
    let messages = smtp.messages();
    let mut copies: HashMap<String, usize> = HashMap::new();
    for message in &messages {
        *copies
            .entry(message.header("Message-ID").expect("a Message-ID"))
            .or_default() += 1;
    }
    assert!(
        copies.values().all(|n| *n == 1),
        "no email twice: {copies:?}"
    );
    let sent: HashSet<String> = rows
        .iter()
        .filter(|r| r.status == "sent")
        .map(|r| r.message_id.clone().expect("a Message-ID"))
        .collect();
    assert_eq!(
        sent,
        copies.keys().cloned().collect::<HashSet<_>>(),
        "sent rows are exactly what arrived"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.rcpt_to == ["in-flight@example.com"]),
        "the email in flight at SIGTERM was delivered"
    );
    println!(
        "emails: {} sent, {} still queued for the next start",
        sent.len(),
        rows.iter().filter(|r| r.status == "queued").count()
    );
    db.close().await;
}
