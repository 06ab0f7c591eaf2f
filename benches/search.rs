//! "Find a physiotherapist near you" under load (issue 3): latency and throughput of
//! `GET /v1/practitioners?near=…&radius_km=25&limit=20` against the same query sent straight to
//! Postgres through `search::practitioners_near`, both measured in the same run with the same number
//! of concurrent clients over 100,000 generated practitioners; then the query's plan (it must use
//! the GiST index) and what JIT would cost it (the app's connections have it off).
//!
//! Not a timed test: it prints figures and fails only when a run is broken (errors, wrong answers,
//! no index). Run it through `scripts/bench-search.sh`, which documents the knobs.

use anyhow::{Context, bail};
use consultdesk::config::Settings;
use consultdesk::db;
use consultdesk::directory::places::{Origin, Point};
use consultdesk::directory::search::{self, Filters, Search};
use consultdesk::embedded_pg::{EmbeddedOptions, EmbeddedPostgres};
use consultdesk::seed;
use consultdesk::startup::Application;
use secrecy::SecretString;
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, Executor, PgConnection, PgPool};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

const RADIUS_KM: f64 = 25.0;
const LIMIT: i64 = 20;
/// Unmeasured running time per path before measuring: fills caches, pools and statement caches.
const WARM_UP: Duration = Duration::from_secs(2);
/// Runs per configuration when timing one query with and without JIT.
const JIT_RUNS: usize = 10;

/// Where people search from: city centres, big and small, so the index is walked all over.
const CITIES: [(&str, f64, f64); 20] = [
    ("Toronto", 43.6532, -79.3832),
    ("Montréal", 45.5019, -73.5674),
    ("Vancouver", 49.2827, -123.1207),
    ("Calgary", 51.0447, -114.0719),
    ("Edmonton", 53.5461, -113.4938),
    ("Ottawa", 45.4215, -75.6972),
    ("Winnipeg", 49.8951, -97.1384),
    ("Québec", 46.8139, -71.2080),
    ("Hamilton", 43.2557, -79.8711),
    ("Halifax", 44.6488, -63.5752),
    ("Victoria", 48.4284, -123.3656),
    ("Saskatoon", 52.1332, -106.6700),
    ("Regina", 50.4452, -104.6189),
    ("London", 42.9849, -81.2453),
    ("Kitchener", 43.4516, -80.4925),
    ("St. John's", 47.5615, -52.7126),
    ("Mississauga", 43.5890, -79.6441),
    ("Surrey", 49.1913, -122.8490),
    ("Laval", 45.6066, -73.7124),
    ("Gatineau", 45.4765, -75.7013),
];

fn city_point(turn: usize) -> Point {
    let (_, latitude, longitude) = CITIES[turn % CITIES.len()];
    Point {
        latitude,
        longitude,
    }
}

/// The knobs, from the environment (see scripts/bench-search.sh).
struct Config {
    practitioners: usize,
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
            practitioners: env_number("BENCH_PRACTITIONERS", 100_000)?,
            clients: env_number("BENCH_CLIENTS", 16)?,
            seconds: env_number("BENCH_SECONDS", 10.0)?,
            rounds: env_number("BENCH_ROUNDS", 2)?,
        };
        let positive_seconds = config.seconds.is_finite() && config.seconds > 0.0;
        if config.clients == 0 || config.rounds == 0 || !positive_seconds {
            bail!("BENCH_CLIENTS, BENCH_ROUNDS and BENCH_SECONDS must be positive");
        }
        Ok(config)
    }

    fn round_length(&self) -> Duration {
        Duration::from_secs_f64(self.seconds / self.rounds as f64)
    }
}

fn main() -> anyhow::Result<()> {
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
    let url = prepare_database(admin_url, config.practitioners).await?;
    let settings = bench_settings(&url)?;
    // Both paths get a pool made the way the app makes its own.
    let sql_pool = db::pool(&url, &settings)?;
    let app = RunningApp::start(settings.clone(), db::pool(&url, &settings)?).await?;
    let outcome = measure_all(config, &url, &app, &sql_pool).await;
    app.stop().await?;
    sql_pool.close().await;
    outcome
}

async fn measure_all(
    config: &Config,
    url: &str,
    app: &RunningApp,
    sql_pool: &PgPool,
) -> anyhow::Result<()> {
    print_machine(sql_pool).await?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(config.clients)
        .build()?;
    let found = check_same_answer(&client, &app.base, sql_pool).await?;
    println!(
        "API and SQL return the same {found} practitioners for {}",
        CITIES[0].0
    );

    let plan = explain_on_app_connection(&app.pool, city_point(0)).await?;
    print_plan(&plan)?;
    jit_report(url, &app.pool, city_point(0)).await?;

    let sql = Arc::new({
        let pool = sql_pool.clone();
        move |turn: usize| sql_request(pool.clone(), city_point(turn))
    });
    let api = Arc::new({
        let urls = Arc::new(search_urls(&app.base));
        move |turn: usize| api_request(client.clone(), Arc::clone(&urls), turn)
    });
    drive(config.clients, WARM_UP, &sql)
        .await
        .check("SQL warm-up")?;
    drive(config.clients, WARM_UP, &api)
        .await
        .check("API warm-up")?;
    let (mut sql_samples, mut api_samples) = (Sample::default(), Sample::default());
    for _ in 0..config.rounds {
        sql_samples.merge(drive(config.clients, config.round_length(), &sql).await);
        api_samples.merge(drive(config.clients, config.round_length(), &api).await);
    }
    sql_samples.check("SQL")?;
    api_samples.check("API")?;
    print_results(
        config,
        &Summary::of(&sql_samples),
        &Summary::of(&api_samples),
    );
    print_load("after the run");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The database server and the bench database.

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

/// `consultdesk_bench_100k` for 100,000 practitioners: one database per size, reused between runs.
fn database_name(practitioners: usize) -> String {
    if practitioners.is_multiple_of(1000) {
        format!("consultdesk_bench_{}k", practitioners / 1000)
    } else {
        format!("consultdesk_bench_{practitioners}")
    }
}

/// Creates the bench database unless it exists, migrates it and tops it up to `practitioners`
/// generated practitioners (nothing to do on a second run); returns its URL.
async fn prepare_database(admin_url: &str, practitioners: usize) -> anyhow::Result<String> {
    let name = database_name(practitioners);
    let mut admin = PgConnection::connect(admin_url)
        .await
        .context("connecting to Postgres")?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(&name)
            .fetch_one(&mut admin)
            .await?;
    if !exists {
        admin
            .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .await
            .with_context(|| format!("creating database {name}"))?;
    }
    admin.close().await?;
    let mut url = reqwest::Url::parse(admin_url).context("DATABASE_URL is not a URL")?;
    url.set_path(&format!("/{name}"));
    let url = url.to_string();
    let pool = PgPool::connect_with(db::connect_options(&url)?).await?;
    db::migrate(&pool).await?;
    let started = Instant::now();
    let created = seed::seed_load(&pool, practitioners).await?;
    if created == 0 {
        println!("reusing database {name}: its {practitioners} generated practitioners are there");
    } else {
        println!(
            "seeded {created} generated practitioners into {name} in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    pool.close().await;
    Ok(url)
}

fn bench_settings(url: &str) -> anyhow::Result<Settings> {
    let mut settings = Settings::from_lookup(|name| match name {
        "BIND_ADDR" => Some("127.0.0.1:0".to_owned()),
        // Every bench request comes from one IP: the per-IP limit on public reads must not bite.
        "PUBLIC_READ_RATE_LIMIT" => Some("1000000000/s".to_owned()),
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

/// What the handler asks `practitioners_near` for `near=…&radius_km=25&limit=20`.
fn search_at(point: Point) -> Search {
    Search {
        origin: Origin::Point(point),
        radius_km: RADIUS_KM,
        filters: Filters::default(),
        limit: LIMIT,
        after: None,
    }
}

async fn sql_request(pool: PgPool, point: Point) -> anyhow::Result<()> {
    let mut conn = pool.acquire().await?;
    search::practitioners_near(&mut conn, point, &search_at(point)).await?;
    Ok(())
}

fn search_urls(base: &str) -> Vec<String> {
    (0..CITIES.len())
        .map(|turn| {
            let point = city_point(turn);
            format!(
                "{base}/v1/practitioners?near={},{}&radius_km={RADIUS_KM}&limit={LIMIT}",
                point.latitude, point.longitude
            )
        })
        .collect()
}

/// One search as a website would make it: the whole body is read.
async fn api_request(
    client: reqwest::Client,
    urls: Arc<Vec<String>>,
    turn: usize,
) -> anyhow::Result<()> {
    let response = client.get(&urls[turn % urls.len()]).send().await?;
    let status = response.status();
    response.bytes().await?;
    if !status.is_success() {
        bail!("GET /v1/practitioners answered {status}");
    }
    Ok(())
}

/// Both paths must answer the same rows, or the comparison means nothing.
async fn check_same_answer(
    client: &reqwest::Client,
    base: &str,
    pool: &PgPool,
) -> anyhow::Result<usize> {
    let point = city_point(0);
    let body: serde_json::Value = client
        .get(&search_urls(base)[0])
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let api_ids: Vec<String> = body["items"]
        .as_array()
        .context("no items in the API's answer")?
        .iter()
        .filter_map(|item| item["id"].as_str().map(str::to_owned))
        .collect();
    let mut conn = pool.acquire().await?;
    let rows = search::practitioners_near(&mut conn, point, &search_at(point)).await?;
    let sql_ids: Vec<String> = rows
        .iter()
        .take(LIMIT as usize)
        .map(|row| row.id.to_string())
        .collect();
    if api_ids != sql_ids {
        bail!("the API and SQL answers differ:\n{api_ids:?}\n{sql_ids:?}");
    }
    if api_ids.len() < LIMIT as usize {
        bail!(
            "only {} practitioners near {}: is the data there?",
            api_ids.len(),
            CITIES[0].0
        );
    }
    Ok(api_ids.len())
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
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
{
    let started = Instant::now();
    let deadline = started + duration;
    let loops: Vec<JoinHandle<Sample>> = (0..clients)
        .map(|client| tokio::spawn(client_loop(client, deadline, Arc::clone(request))))
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

/// Client `client` starts at city `client`, so concurrent requests search different places.
async fn client_loop<F, Fut>(client: usize, deadline: Instant, request: Arc<F>) -> Sample
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let mut sample = Sample::default();
    let mut turn = client;
    while Instant::now() < deadline {
        let sent = Instant::now();
        match request(turn).await {
            Ok(()) => sample.latencies.push(sent.elapsed()),
            Err(error) => sample.record_error(format!("{error:#}")),
        }
        turn += 1;
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
        "\n== {} practitioners, {} concurrent clients, radius {RADIUS_KM} km, limit {LIMIT}, {} s per path in {} alternating rounds ==",
        config.practitioners, config.clients, config.seconds, config.rounds
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
    let throughput_ratio = api.per_second / sql.per_second.max(f64::EPSILON);
    let verdict = |met: bool| if met { "met" } else { "MISSED" };
    println!(
        "API/SQL throughput: {throughput_ratio:.2} (target >= 0.60: {})",
        verdict(throughput_ratio >= 0.60)
    );
    println!(
        "API p99: {:.2} ms (target < 10 ms: {}); API p99 / SQL p99: {:.2}; API p50 / SQL p50: {:.2}",
        ms(api.p99),
        verdict(api.p99 < Duration::from_millis(10)),
        ms(api.p99) / ms(sql.p99).max(f64::EPSILON),
        ms(api.p50) / ms(sql.p50).max(f64::EPSILON),
    );
}

// ---------------------------------------------------------------------------------------------
// The plan and JIT.

/// Runs the search a few times on `conn` (past the five custom plans after which Postgres may
/// settle on a generic one), then EXPLAINs the very statement `practitioners_near` prepared, found by
/// name among the session's prepared statements: the plan the app's own connections use.
async fn explain(
    conn: &mut PgConnection,
    point: Point,
    options: &str,
) -> anyhow::Result<Vec<String>> {
    for _ in 0..6 {
        search::practitioners_near(conn, point, &search_at(point)).await?;
    }
    let name: String = sqlx::query_scalar(
        "SELECT name FROM pg_prepared_statements
          WHERE statement LIKE '%ST_DWithin(p.location%'
            AND statement NOT LIKE '%pg_prepared_statements%' -- this very lookup
          ORDER BY prepare_time DESC LIMIT 1",
    )
    .fetch_optional(&mut *conn)
    .await?
    .context("practitioners_near left no prepared statement to explain")?;
    // The parameters as the search binds them: origin, radius in metres, no filters, no cursor, limit + 1.
    let explain = format!(
        "EXPLAIN ({options}) EXECUTE {name}({}, {}, {}, NULL, NULL, NULL, NULL, NULL, NULL, {})",
        point.longitude,
        point.latitude,
        RADIUS_KM * 1000.0,
        LIMIT + 1
    );
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(explain))
        .fetch_all(&mut *conn)
        .await?)
}

async fn explain_on_app_connection(pool: &PgPool, point: Point) -> anyhow::Result<Vec<String>> {
    let mut conn = pool.acquire().await?;
    explain(&mut conn, point, "ANALYZE, BUFFERS").await
}

fn print_plan(plan: &[String]) -> anyhow::Result<()> {
    println!(
        "\nEXPLAIN (ANALYZE, BUFFERS) of practitioners_near near {} on an app connection:",
        CITIES[0].0
    );
    for line in plan {
        println!("  {line}");
    }
    let uses_index = plan
        .iter()
        .any(|l| l.contains("practitioners_location_gist"));
    println!("uses practitioners_location_gist: {uses_index}");
    if !uses_index {
        bail!("the search does not use the GiST index practitioners_location_gist");
    }
    Ok(())
}

/// A connection of its own, with `setup` run before anything is planned on it.
async fn connection(options: &PgConnectOptions, setup: &str) -> anyhow::Result<PgConnection> {
    let mut conn = PgConnection::connect_with(options).await?;
    if !setup.is_empty() {
        // Several statements in one go: the simple query protocol, which raw_sql uses.
        sqlx::raw_sql(sqlx::AssertSqlSafe(setup.to_owned()))
            .execute(&mut conn)
            .await?;
    }
    Ok(conn)
}

async fn show(conn: &mut PgConnection, setting: &str) -> anyhow::Result<String> {
    Ok(
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SHOW {setting}")))
            .fetch_one(conn)
            .await?,
    )
}

/// Median time of one search on `conn`, over a few runs.
async fn median_search_time(conn: &mut PgConnection, point: Point) -> anyhow::Result<Duration> {
    let mut times = Vec::with_capacity(JIT_RUNS);
    for _ in 0..JIT_RUNS {
        let started = Instant::now();
        search::practitioners_near(conn, point, &search_at(point)).await?;
        times.push(started.elapsed());
    }
    times.sort_unstable();
    Ok(times[times.len() / 2])
}

fn jit_lines(plan: &[String]) -> Vec<&str> {
    let start = plan
        .iter()
        .position(|line| line.trim_start().starts_with("JIT:"));
    start
        .map(|at| plan[at..].iter().map(|l| l.trim()).take(5).collect())
        .unwrap_or_default()
}

const FORCE_JIT_COSTS: &str =
    "SET jit_above_cost = 0; SET jit_inline_above_cost = 0; SET jit_optimize_above_cost = 0";

/// Shows the app's connections never JIT-compile the search, whatever the server's defaults: the
/// same query with JIT forced on a plain connection, and with the same costs on the app's options.
async fn jit_report(url: &str, app_pool: &PgPool, point: Point) -> anyhow::Result<()> {
    let plain = PgConnectOptions::from_str(url)?;
    let mut defaults = connection(&plain, "").await?;
    println!(
        "\nJIT: server default jit={} (jit_above_cost={}); SHOW jit on an app pool connection: {}",
        show(&mut defaults, "jit").await?,
        show(&mut defaults, "jit_above_cost").await?,
        sqlx::query_scalar::<_, String>("SHOW jit")
            .fetch_one(app_pool)
            .await?,
    );
    let default_plan = explain(&mut defaults, point, "ANALYZE").await?;
    println!(
        "  with the server's defaults the search is {}",
        match jit_lines(&default_plan).as_slice() {
            [] => "not JIT-compiled".to_owned(),
            lines => format!("JIT-compiled: {}", lines.join(" | ")),
        }
    );
    let mut forced = connection(&plain, &format!("SET jit = on; {FORCE_JIT_COSTS}")).await?;
    // Only meaningful with jit on: it answers false whenever jit is off.
    let available: bool = sqlx::query_scalar("SELECT pg_jit_available()")
        .fetch_one(&mut forced)
        .await?;
    if !available {
        println!(
            "  this server has no JIT compiler (llvmjit): the forced run below cannot show its cost"
        );
    }
    let forced_time = median_search_time(&mut forced, point).await?;
    let forced_plan = explain(&mut forced, point, "ANALYZE").await?;
    let mut app = connection(&db::connect_options(url)?, FORCE_JIT_COSTS).await?;
    let app_time = median_search_time(&mut app, point).await?;
    let app_plan = explain(&mut app, point, "ANALYZE").await?;
    println!(
        "  plain connection, SET jit = on and every jit cost 0: median {:.2} ms per search; {}",
        ms(forced_time),
        jit_lines(&forced_plan).join(" | ")
    );
    println!(
        "  app connection options (jit={}), every jit cost 0: median {:.2} ms per search; JIT section in plan: {}",
        show(&mut app, "jit").await?,
        ms(app_time),
        !jit_lines(&app_plan).is_empty()
    );
    if !jit_lines(&app_plan).is_empty() {
        bail!("the app's connection options let JIT compile the search");
    }
    Ok(())
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
