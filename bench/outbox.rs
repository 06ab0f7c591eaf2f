//! Draining the outbox (issue 5): emails per second the worker sends from a 10,000-row outbox into a
//! local SMTP sink, against the same sink fed directly by a minimal lettre loop, in the same run and
//! at the same concurrency (the worker's: `SMTP_POOL_SIZE` emails in flight over a pooled
//! transport of that size), as a ratio. Target: the worker at least 80% of the loop.
//!
//! The worker does what it does in production for each email: claims it (`FOR UPDATE SKIP LOCKED`,
//! in batches), re-checks nothing (transactional kind), reads the clinic, signs the unsubscribe
//! token, renders the templates, builds the MIME message, sends, and records the answer. The loop
//! builds a comparable message (same headers, same rendered text and HTML, rendered once) and sends.
//!
//! Two sinks, each measured with both paths. lettre 0.11.23 writes a message's body and its final
//! `\r\n.\r\n` as two writes on a socket without TCP_NODELAY, so Nagle holds the dot until the
//! server acknowledges the body, and a Linux server delays that ACK by 40 ms: every message costs
//! 40 ms of waiting whatever the code does (fixed upstream by lettre PR #1159, not in this
//! release). The `delayed-ACK` sink behaves like any Linux SMTP server (what production sees); the
//! `quick-ACK` sink sets TCP_QUICKACK before each body, removing the stall so the figures show what
//! the code itself costs. `BENCH_SINK=quick|delayed|both` (default both).
//!
//! Not a timed test: it prints figures and fails only when a run is broken (an email missing or
//! doubled). Run it through `scripts/bench-outbox.sh`.

use anyhow::{Context, bail, ensure};
use consultdesk::db;
use consultdesk::email::payloads::{CallbackReceived, ClinicInfo, EmailPayload};
use consultdesk::email::templates;
use consultdesk::email::transport::{SMTP_POOL_SIZE, Transport};
use consultdesk::email::worker::{Outcome, Worker, WorkerConfig};
use consultdesk::i18n::Locale;
use futures::StreamExt;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::SecretString;
use sqlx::{Executor, PgPool};
use std::os::fd::{AsRawFd, RawFd};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use uuid::Uuid;

const MAIL_FROM: &str = "Downtown Physio <no-reply@clinic.test>";
const PUBLIC_BASE_URL: &str = "http://localhost:8080";
const SIGNING_KEY: &[u8] = b"benchmark signing key, at least 32 bytes long";

mod kit;

fn main() -> anyhow::Result<()> {
    kit::run_with_bench_flag("scripts/bench-outbox.sh", run()).map(|_| ())
}

/// How the sink acknowledges a message's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ack {
    /// TCP_QUICKACK before each body: no 40 ms Nagle/delayed-ACK stall.
    Quick,
    /// The kernel's default, as a real server on Linux.
    Delayed,
}

impl Ack {
    fn label(self) -> &'static str {
        match self {
            Ack::Quick => "quick-ACK sink (the code's own cost)",
            Ack::Delayed => "delayed-ACK sink (like a real Linux SMTP server)",
        }
    }
}

fn sinks_from_env() -> anyhow::Result<Vec<Ack>> {
    match std::env::var("BENCH_SINK").unwrap_or_default().trim() {
        "" | "both" => Ok(vec![Ack::Quick, Ack::Delayed]),
        "quick" => Ok(vec![Ack::Quick]),
        "delayed" => Ok(vec![Ack::Delayed]),
        other => bail!("BENCH_SINK={other:?}: expected quick, delayed or both"),
    }
}

async fn run() -> anyhow::Result<()> {
    // The worker logs each email at INFO; by default no subscriber is installed, so logging costs
    // nothing. Set RUST_LOG to measure with logs (they go to stderr).
    if std::env::var_os("RUST_LOG").is_some() {
        consultdesk::telemetry::init(false);
    }
    let emails: usize = kit::env_or("BENCH_EMAILS", 10_000)?;
    ensure!(emails > 0, "BENCH_EMAILS must be positive");
    let sinks = sinks_from_env()?;
    let database =
        kit::BenchDatabase::create(&kit::server_url(), "consultdesk_bench_outbox").await?;
    let outcome = measure_all(&database.url()?, emails, &sinks).await;
    database.drop().await?;
    outcome
}

async fn measure_all(database_url: &str, emails: usize, sinks: &[Ack]) -> anyhow::Result<()> {
    let pool = PgPool::connect(database_url)
        .await
        .context("connecting to the bench database")?;
    db::migrate(&pool).await?;
    let clinic = clinic();
    let clinic_id = insert_clinic(&pool, &clinic).await?;
    let patient_id = insert_patient(&pool).await?;
    let concurrency = SMTP_POOL_SIZE as usize;
    print_machine();
    println!(
        "{emails} emails per path; both paths keep {concurrency} in flight on a pool of {SMTP_POOL_SIZE} SMTP connections; \
         the worker claims {} per round",
        worker_config()?.batch_size
    );
    for &ack in sinks {
        let sink = Sink::start(ack).await?;
        println!();
        println!("{}:", ack.label());

        // (b) first: the loop, straight into the sink.
        let started = Instant::now();
        lettre_loop(&sink, emails, concurrency, &clinic).await?;
        let loop_elapsed = started.elapsed();
        ensure!(
            sink.take() == emails,
            "the lettre loop delivered a different number of emails"
        );

        // (a) the worker draining the outbox.
        queue(&pool, patient_id, clinic_id, emails).await?;
        let worker = Worker::new(pool.clone(), sink.transport()?, worker_config()?);
        let started = Instant::now();
        let mut sent = 0;
        loop {
            let outcomes = worker.run_once().await?;
            if outcomes.is_empty() {
                break;
            }
            if let Some(other) = outcomes.iter().find(|o| **o != Outcome::Sent) {
                bail!("an email ended {other:?}, not sent");
            }
            sent += outcomes.len();
        }
        let worker_elapsed = started.elapsed();
        let delivered = sink.take();
        let recorded: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM email_outbox WHERE status = 'sent' AND attempts = 1",
        )
        .fetch_one(&pool)
        .await?;
        ensure!(
            sent == emails && delivered == emails && recorded == emails as i64,
            "the worker sent {sent}, the sink got {delivered}, {recorded} rows are sent once; expected {emails}"
        );
        pool.execute("TRUNCATE email_outbox").await?;
        print_comparison(emails, loop_elapsed, worker_elapsed);
    }
    print_load();
    pool.close().await;
    Ok(())
}

fn print_comparison(emails: usize, loop_elapsed: Duration, worker_elapsed: Duration) {
    let rate = |elapsed: Duration| emails as f64 / elapsed.as_secs_f64();
    let (worker_rate, loop_rate) = (rate(worker_elapsed), rate(loop_elapsed));
    println!(
        "  lettre loop (same sink, same concurrency):   {loop_rate:>8.0} emails/s  ({:.2} s)",
        loop_elapsed.as_secs_f64()
    );
    println!(
        "  outbox worker (claim, render, send, record): {worker_rate:>8.0} emails/s  ({:.2} s)",
        worker_elapsed.as_secs_f64()
    );
    let ratio = worker_rate / loop_rate;
    println!(
        "  ratio worker / loop: {:.0}%  (target >= 80%: {})",
        ratio * 100.0,
        if ratio >= 0.8 { "met" } else { "NOT met" }
    );
}

// ---------------------------------------------------------------------------------------------
// The two paths

/// The worker's defaults, but for `BENCH_BATCH_SIZE` when set (to study the batch size).
fn worker_config() -> anyhow::Result<WorkerConfig> {
    let mut config = WorkerConfig::new(
        MAIL_FROM.to_owned(),
        PUBLIC_BASE_URL.to_owned(),
        vec![SIGNING_KEY.to_vec()],
    );
    config.batch_size = kit::env_or("BENCH_BATCH_SIZE", config.batch_size)?;
    ensure!(config.batch_size > 0, "BENCH_BATCH_SIZE must be positive");
    Ok(config)
}

fn clinic() -> ClinicInfo {
    ClinicInfo {
        name: "Downtown Physio".into(),
        address: "100 King St W".into(),
        city: "Toronto".into(),
        province: "ON".into(),
        postal_code: "M5X 1A9".into(),
        phone: "+14165550199".into(),
    }
}

/// The payload the callback form queues, built with the production type.
fn payload(n: usize) -> EmailPayload {
    EmailPayload::CallbackReceived(CallbackReceived {
        name: format!("Patient {n}"),
        preferred_time: "morning".into(),
        phone: "+14165550100".into(),
    })
}

/// Sends `emails` messages with `concurrency` in flight through lettre's pooled transport, each
/// built like the worker's: the same headers and the same text and HTML (rendered once here).
async fn lettre_loop(
    sink: &Sink,
    emails: usize,
    concurrency: usize,
    clinic: &ClinicInfo,
) -> anyhow::Result<()> {
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&sink.url())?
        .timeout(Some(Duration::from_secs(30)))
        .pool_config(PoolConfig::new().max_size(SMTP_POOL_SIZE))
        .build();
    let unsubscribe = format!("{PUBLIC_BASE_URL}/unsubscribe/{}", "x".repeat(120));
    let links = templates::Links {
        unsubscribe: &unsubscribe,
        confirm: None,
        manage: None,
    };
    let rendered = templates::render(&payload(0), Some(clinic), links, Locale::En)?;
    let from: Mailbox = MAIL_FROM.parse()?;
    let kind = HeaderName::new_from_ascii_str("X-Consultdesk-Kind");
    let list = HeaderName::new_from_ascii_str("List-Unsubscribe");
    let list_post = HeaderName::new_from_ascii_str("List-Unsubscribe-Post");
    let results = futures::stream::iter(0..emails)
        .map(|n| {
            let message = Message::builder()
                .from(from.clone())
                .to(format!("patient-{n}@example.com")
                    .parse()
                    .expect("an address"))
                .subject(rendered.subject.clone())
                .message_id(Some(format!("<{}@clinic.test>", Uuid::now_v7())))
                .raw_header(HeaderValue::new(kind.clone(), "callback_received".into()))
                .raw_header(HeaderValue::new(list.clone(), format!("<{unsubscribe}>")))
                .raw_header(HeaderValue::new(
                    list_post.clone(),
                    "List-Unsubscribe=One-Click".into(),
                ))
                .multipart(MultiPart::alternative_plain_html(
                    rendered.text.clone(),
                    rendered.html.clone(),
                ));
            let transport = &transport;
            async move { transport.send(message?).await.map_err(anyhow::Error::from) }
        })
        .buffer_unordered(concurrency)
        .collect::<Vec<_>>()
        .await;
    for result in results {
        result?;
    }
    Ok(())
}

/// `emails` due callback emails, in one statement.
async fn queue(
    pool: &PgPool,
    patient_id: Uuid,
    clinic_id: Uuid,
    emails: usize,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO email_outbox (id, kind, patient_id, clinic_id, to_address, payload)
         SELECT gen_random_uuid(), 'callback_received', $1, $2, 'patient-' || n || '@example.com',
                jsonb_build_object('name', 'Patient ' || n, 'preferred_time', 'morning', 'phone', '+14165550100')
           FROM generate_series(1, $3) AS n",
    )
    .bind(patient_id)
    .bind(clinic_id)
    .bind(i32::try_from(emails)?)
    .execute(pool)
    .await?;
    // Fresh statistics, as autovacuum would have after a bulk insert in a live system.
    pool.execute("ANALYZE email_outbox").await?;
    Ok(())
}

async fn insert_clinic(pool: &PgPool, clinic: &ClinicInfo) -> anyhow::Result<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO clinics (id, name, address, city, province, postal_code, phone, latitude, longitude, time_zone)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 43.6487, -79.3817, 'America/Toronto')",
    )
    .bind(id)
    .bind(&clinic.name)
    .bind(&clinic.address)
    .bind(&clinic.city)
    .bind(&clinic.province)
    .bind(&clinic.postal_code)
    .bind(&clinic.phone)
    .execute(pool)
    .await?;
    Ok(id)
}

async fn insert_patient(pool: &PgPool) -> anyhow::Result<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query("INSERT INTO patients (id, name, email, phone) VALUES ($1, 'Jane Runner', 'jane@example.com', '+14165550100')")
        .bind(id)
        .execute(pool)
        .await?;
    Ok(id)
}

// ---------------------------------------------------------------------------------------------
// The SMTP sink: answers 250 to everything and counts the messages (the test suite's server,
// tests/api/smtp.rs, cut down to its accepting path).

struct Sink {
    port: u16,
    received: Arc<AtomicUsize>,
}

impl Sink {
    async fn start(ack: Ack) -> anyhow::Result<Sink> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let received = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&received);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let counter = Arc::clone(&counter);
                tokio::spawn(async move {
                    let _ = session(stream, ack, &counter).await;
                });
            }
        });
        Ok(Sink { port, received })
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The worker's transport, made the way the app makes it from SMTP_URL.
    fn transport(&self) -> anyhow::Result<Transport> {
        Transport::from_settings(
            Some(&SecretString::from(self.url())),
            Path::new(env!("CARGO_TARGET_TMPDIR")),
        )
    }

    /// Messages received since the last call.
    fn take(&self) -> usize {
        self.received.swap(0, Ordering::SeqCst)
    }
}

async fn session(stream: TcpStream, ack: Ack, received: &AtomicUsize) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let fd = stream.as_raw_fd();
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    write.write_all(b"220 sink ESMTP\r\n").await?;
    let mut line = Vec::with_capacity(256);
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        let verb = line
            .get(..4)
            .map(|verb| verb.to_ascii_uppercase())
            .unwrap_or_default();
        match verb.as_slice() {
            b"EHLO" => {
                write
                    .write_all(b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                    .await?
            }
            b"DATA" => {
                write.write_all(b"354 go ahead\r\n").await?;
                if ack == Ack::Quick {
                    quick_ack(fd)?;
                }
                loop {
                    line.clear();
                    if reader.read_until(b'\n', &mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == b".\r\n" || line == b".\n" {
                        break;
                    }
                }
                received.fetch_add(1, Ordering::SeqCst);
                write.write_all(b"250 2.0.0 Ok: queued\r\n").await?;
            }
            b"QUIT" => {
                write.write_all(b"221 2.0.0 Bye\r\n").await?;
                return Ok(());
            }
            _ => write.write_all(b"250 2.0.0 Ok\r\n").await?,
        }
    }
}

/// Acknowledges what arrives next at once instead of after the delayed-ACK timer (Linux keeps the
/// flag only until the connection turns interactive again, so it is set before each body).
fn quick_ack(fd: RawFd) -> std::io::Result<()> {
    let on: libc::c_int = 1;
    // SAFETY: `fd` is the open socket of the session calling this; the option value is a live c_int
    // whose size is passed with it.
    let result = unsafe {
        libc::setsockopt(
            fd,
            libc::IPPROTO_TCP,
            libc::TCP_QUICKACK,
            (&raw const on).cast::<libc::c_void>(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    match result {
        0 => Ok(()),
        _ => Err(std::io::Error::last_os_error()),
    }
}

// ---------------------------------------------------------------------------------------------
// The machine

fn print_machine() {
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    println!("machine: {cores} cores available; {}", load());
}

fn print_load() {
    println!("after the run: {}", load());
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|raw| {
            let averages: Vec<&str> = raw.split_whitespace().take(3).collect();
            format!("load average {}", averages.join(" "))
        })
        .unwrap_or_else(|_| "load average unknown".to_owned())
}
