//! The test harness: a Postgres server (DATABASE_URL, or the embedded one `serve` uses), a migrated
//! template database, and `TestApp`, the app on a random port over a fresh copy of that template.

use crate::smtp::SmtpServer;
use consultdesk::config::Settings;
use consultdesk::db;
use consultdesk::email::transport::Transport;
use consultdesk::email::worker::{Worker, WorkerConfig};
use consultdesk::embedded_pg::{EmbeddedOptions, EmbeddedPostgres};
use consultdesk::startup::Application;
use reqwest::{Client, Response};
use secrecy::SecretString;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, Executor, PgConnection, PgPool};
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;
use uuid::Uuid;

/// The database server every test database lives on, and the template they are cloned from.
struct Server {
    /// URL of the server's maintenance database (`postgres`).
    admin_url: String,
    template: String,
}

static SERVER: OnceLock<Server> = OnceLock::new();
/// Kept here so the embedded Postgres can be stopped when the test process exits.
static EMBEDDED: Mutex<Option<EmbeddedPostgres>> = Mutex::new(None);

extern "C" fn stop_embedded_at_exit() {
    if let Ok(mut slot) = EMBEDDED.lock() {
        drop(slot.take());
    }
}

fn server() -> &'static Server {
    SERVER.get_or_init(|| {
        // Set-up runs on its own runtime: each test has its own, and none may own shared connections.
        std::thread::spawn(|| {
            let runtime = tokio::runtime::Runtime::new().expect("a runtime for the test set-up");
            runtime.block_on(start_server())
        })
        .join()
        .expect("test database set-up panicked")
    })
}

async fn start_server() -> Server {
    let admin_url = match std::env::var("DATABASE_URL")
        .ok()
        .filter(|url| !url.is_empty())
    {
        Some(url) => url,
        None => {
            let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("test-pg");
            let embedded = EmbeddedPostgres::start(&dir, EmbeddedOptions { fast_unsafe: true })
                .await
                .expect("starting the embedded Postgres for the tests");
            let url = embedded.url();
            *EMBEDDED.lock().expect("embedded slot") = Some(embedded);
            // SAFETY: registering a plain extern "C" function with no captured state.
            unsafe { libc::atexit(stop_embedded_at_exit) };
            url
        }
    };
    let template = ensure_template(&admin_url).await;
    Server {
        admin_url,
        template,
    }
}

/// A template named after the migrations' checksums: a new migration gives a new template, and
/// concurrent test runs either find it or build their own copy and race only on the final rename.
async fn ensure_template(admin_url: &str) -> String {
    let mut hasher = Sha256::new();
    for migration in db::MIGRATOR.iter() {
        hasher.update(&migration.checksum);
    }
    let digest = hasher.finalize();
    let name = format!(
        "consultdesk_tpl_{}",
        digest
            .iter()
            .take(6)
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let mut admin = PgConnection::connect(admin_url)
        .await
        .expect("connecting to the test Postgres");
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(&name)
            .fetch_one(&mut admin)
            .await
            .expect("looking for the template");
    if exists {
        return name;
    }
    let building = format!("{name}_build_{}", Uuid::new_v4().simple());
    admin
        .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {building}")))
        .await
        .expect("creating the template");
    let options = PgConnectOptions::from_str(admin_url)
        .expect("admin url")
        .database(&building);
    let pool = PgPool::connect_with(options)
        .await
        .expect("connecting to the template");
    db::migrate(&pool).await.expect("migrating the template");
    pool.close().await;
    let renamed = admin
        .execute(sqlx::AssertSqlSafe(format!(
            "ALTER DATABASE {building} RENAME TO {name}"
        )))
        .await;
    if renamed.is_err() {
        // Another run finished first; use theirs.
        let _ = admin
            .execute(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {building}"
            )))
            .await;
    }
    name
}

/// Environment-style overrides for a test's settings.
pub type Overrides = HashMap<&'static str, String>;

pub struct TestApp {
    pub address: String,
    pub client: Client,
    /// A pool on the test's own database, for asserting stored rows.
    pub db: PgPool,
    pub database_url: String,
    /// The test database this app drops when it ends; `None`: a database it does not own.
    database: Option<String>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(Overrides::new()).await
    }

    pub async fn spawn_with(overrides: Overrides) -> TestApp {
        let (database, url) = new_test_database().await;
        Self::spawn_on(database, url.clone(), url, overrides).await
    }

    /// Starts the app over the test database `database` (at `url`), but with `app_url` as its
    /// DATABASE_URL: a proxy in front of the same database, say.
    pub async fn spawn_on(
        database: String,
        url: String,
        app_url: String,
        overrides: Overrides,
    ) -> TestApp {
        Self::start(Some(database), url, app_url, overrides).await
    }

    /// Starts the app over a database that someone else owns and drops (a server of the test's
    /// own, say).
    pub async fn spawn_over(url: String, overrides: Overrides) -> TestApp {
        Self::start(None, url.clone(), url, overrides).await
    }

    async fn start(
        database: Option<String>,
        url: String,
        app_url: String,
        overrides: Overrides,
    ) -> TestApp {
        let mut env: HashMap<&str, String> = HashMap::from([
            ("BIND_ADDR", "127.0.0.1:0".to_owned()),
            ("PUBLIC_RATE_LIMIT", "100000/min".to_owned()),
            // Tests book many slots with one email from 127.0.0.1; only the tests of the cap itself
            // (booking_abuse.rs) set it back to the default.
            ("MAX_OPEN_REQUESTS", "100000".to_owned()),
            ("PUBLIC_BASE_URL", "http://consultdesk.test".to_owned()),
            // One warm connection at start rather than the default's many: hundreds of test apps
            // start, and few of them search. replica.rs asks for more.
            ("DATABASE_MIN_CONNECTIONS", "1".to_owned()),
        ]);
        env.extend(overrides);
        let mut settings =
            Settings::from_lookup(|name| env.get(name).cloned()).expect("test settings");
        settings.database_url = Some(SecretString::from(app_url.clone()));
        settings.db_acquire_timeout = Duration::from_secs(1);
        let app_pool = db::pool(&app_url, &settings).expect("app pool");
        let app = Application::bind(settings, app_pool)
            .await
            .expect("binding the app");
        let address = format!("http://{}", app.local_addr());
        let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(app.run_until(async move {
            let _ = stop.await;
        }));
        let db = PgPool::connect(&url)
            .await
            .expect("connecting to the test database");
        TestApp {
            address,
            client: Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            db,
            database_url: url,
            database,
            shutdown: Some(shutdown),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// A GET without credentials.
    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("POST")
    }

    /// A JSON POST from a browser that names itself `user_agent`.
    pub async fn post_json_from(&self, user_agent: &str, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .header("user-agent", user_agent)
            .json(body)
            .send()
            .await
            .expect("POST")
    }

    /// A POST of `body` as it is, with `content_type` when given.
    pub async fn post_raw(
        &self,
        path: &str,
        content_type: Option<&str>,
        body: &'static str,
    ) -> Response {
        let mut request = self.client.post(self.url(path)).body(body);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        request.send().await.expect("POST")
    }

    pub async fn post_callback(&self, body: &Value) -> Response {
        self.post_json("/v1/callback-requests", body).await
    }

    /// Posts a callback form that must be accepted; the callback's id.
    pub async fn accepted_callback(&self, body: &Value) -> Uuid {
        let response = self.post_callback(body).await;
        assert_eq!(response.status(), 201, "posting a callback");
        json_of(response).await["id"]
            .as_str()
            .and_then(|id| id.parse().ok())
            .expect("the callback id")
    }

    pub async fn get_as(&self, path: &str, token: &str) -> Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("GET")
    }

    /// A GET as `token` that must answer 200; its JSON.
    pub async fn get_json_as(&self, path: &str, token: &str) -> Value {
        let response = self.get_as(path, token).await;
        assert_eq!(response.status(), 200, "GET {path}");
        json_of(response).await
    }

    pub async fn post_as(&self, path: &str, token: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("POST")
    }

    pub async fn patch_as(&self, path: &str, token: &str, body: &Value) -> Response {
        self.client
            .patch(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("PATCH")
    }

    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
            .fetch_one(&self.db)
            .await
            .expect("count")
    }

    /// The one value a query without parameters returns, for asserting stored rows.
    pub async fn scalar<T>(&self, sql: &'static str) -> T
    where
        T: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send + Unpin,
    {
        sqlx::query_scalar(sql)
            .fetch_one(&self.db)
            .await
            .unwrap_or_else(|error| panic!("{sql}: {error}"))
    }

    /// Creates a staff member directly (as `consultdesk staff add` would) and signs them in.
    pub async fn staff_token(&self, role: &str, clinic_ids: &[Uuid]) -> String {
        let email = format!("{}-{}@clinic.test", role, Uuid::new_v4().simple());
        self.create_staff(&email, role, clinic_ids, "a long enough password")
            .await;
        self.sign_in(&email, "a long enough password").await
    }

    pub async fn create_staff(
        &self,
        email: &str,
        role: &str,
        clinic_ids: &[Uuid],
        password: &str,
    ) -> Uuid {
        let body = json!({"email": email, "name": "Test Staff", "role": role, "clinic_ids": clinic_ids, "password": password});
        let new = consultdesk::staff::accounts::NewStaff::parse(body.as_object().unwrap())
            .expect("valid staff");
        consultdesk::staff::accounts::create_with_password(&self.db, &new)
            .await
            .expect("creating staff")
            .id
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> String {
        let response = self
            .post_json(
                "/v1/staff/sessions",
                &json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(response.status(), 201, "signing in {email}");
        let body: Value = response.json().await.expect("session json");
        body["token"].as_str().expect("token").to_owned()
    }

    pub async fn admin_token(&self) -> String {
        self.staff_token("admin", &[]).await
    }

    /// Creates a clinic through the admin API and returns its id.
    pub async fn create_clinic(&self, admin_token: &str, name: &str) -> Uuid {
        let response = self
            .post_as("/v1/admin/clinics", admin_token, &clinic_body(name))
            .await;
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.expect("clinic json");
        body["id"]
            .as_str()
            .and_then(|id| id.parse().ok())
            .expect("clinic id")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(database) = self.database.take() {
            drop_database_now(database);
        }
    }
}

/// Drops the test database `name` before returning, from any context: dropping needs async I/O,
/// and a `Drop` may run inside the test's runtime, so it runs on a thread of its own.
fn drop_database_now(name: String) {
    let _ = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(drop_database(&name));
    })
    .join();
}

/// A fresh test database that is dropped with this value, for tests that run the app some other
/// way than `TestApp` (which drops its own).
pub struct OwnedDatabase {
    name: String,
    pub url: String,
}

impl OwnedDatabase {
    pub async fn new() -> OwnedDatabase {
        let (name, url) = new_test_database().await;
        OwnedDatabase { name, url }
    }
}

impl Drop for OwnedDatabase {
    fn drop(&mut self) {
        drop_database_now(self.name.clone());
    }
}

/// A fresh database cloned from the migrated template: its name and URL.
pub async fn new_test_database() -> (String, String) {
    let name = create_test_database().await;
    let url = database_url(&name);
    (name, url)
}

async fn create_test_database() -> String {
    create_database(&server().template).await
}

/// A new database copied from `template`; its name.
async fn create_database(template: &str) -> String {
    let name = format!("consultdesk_test_{}", Uuid::new_v4().simple());
    let mut admin = PgConnection::connect(&server().admin_url)
        .await
        .expect("connecting to the test Postgres");
    admin
        .execute(sqlx::AssertSqlSafe(format!(
            "CREATE DATABASE {name} TEMPLATE {template}"
        )))
        .await
        .expect("creating a test database");
    name
}

/// A fresh, empty database (no migrations applied): its name and URL. The caller drops it.
pub async fn new_empty_database() -> (String, String) {
    let name = create_database("template0").await;
    let url = database_url(&name);
    (name, url)
}

/// Drops a database made by [`new_empty_database`].
pub async fn drop_database(name: &str) {
    let Ok(mut admin) = PgConnection::connect(&server().admin_url).await else {
        return;
    };
    let _ = admin
        .execute(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .await;
}

fn database_url(database: &str) -> String {
    let mut url = reqwest::Url::parse(&server().admin_url).expect("admin url");
    url.set_path(&format!("/{database}"));
    url.to_string()
}

pub fn clinic_body(name: &str) -> Value {
    json!({
        "name": name, "address": "100 King St W", "city": "Toronto", "province": "ON",
        "postal_code": "M5X 1A9", "phone": "416-555-0199", "latitude": 43.6487, "longitude": -79.3817,
        "time_zone": "America/Toronto"
    })
}

pub fn callback_body() -> Value {
    json!({
        "name": "Jane Runner", "phone": "+1 416-555-0100", "email": "jane@example.com",
        "preferred_time": "morning", "concern": "Knee pain when running",
        "consents": {"appointment_reminders": true, "exercise_plans": true, "plans_of_care": false, "service_updates": false},
        "source_url": "https://clinic.example/blog/runners-knee", "website": ""
    })
}

pub async fn json_of(response: Response) -> Value {
    response.json().await.expect("a JSON body")
}

/// Asserts a problem response: status, content type, and returns the problem body.
pub async fn assert_problem(response: Response, status: u16) -> Value {
    assert_eq!(response.status(), status, "status");
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    let body: Value = response.json().await.expect("problem json");
    assert_eq!(body["status"], status);
    assert!(
        body["type"].is_string() && body["title"].is_string() && body["detail"].is_string(),
        "{body}"
    );
    body
}

/// The consent in force for (sender, category) from the ledger, the newest row's; None: never
/// recorded. `clinic` None is the network that runs the site.
pub async fn consent_state(
    db: &PgPool,
    patient: Uuid,
    clinic: Option<Uuid>,
    category: &str,
) -> Option<bool> {
    sqlx::query_scalar(
        "SELECT granted FROM consent_events
          WHERE patient_id = $1 AND clinic_id IS NOT DISTINCT FROM $2 AND category = $3
          ORDER BY id DESC LIMIT 1",
    )
    .bind(patient)
    .bind(clinic)
    .bind(category)
    .fetch_optional(db)
    .await
    .expect("the ledger")
}

/// Asserts a 201 whose `location` is `collection`/{the new id}; the created body.
pub async fn assert_created_under(response: Response, collection: &str) -> Value {
    assert_eq!(response.status(), 201, "creating under {collection}");
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .expect("location");
    let body = json_of(response).await;
    let id = body["id"].as_str().expect("the new id");
    assert_eq!(location, format!("{collection}/{id}"));
    body
}

/// The `field`s named in a problem's `errors`.
pub fn error_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The `field`s named in a problem's `errors`, sorted: for problems whose order is not the point.
pub fn sorted_error_fields(problem: &Value) -> Vec<String> {
    let mut fields = error_fields(problem);
    fields.sort();
    fields
}

/// Asserts a 422 problem naming exactly `fields` (in any order); the problem.
pub async fn assert_invalid_fields(response: Response, fields: &[&str]) -> Value {
    let problem = assert_problem(response, 422).await;
    assert_eq!(sorted_error_fields(&problem), fields, "{problem}");
    problem
}

/// `url` with its host and port replaced, e.g. to go through a proxy.
pub fn with_host_port(url: &str, host: &str, port: u16) -> String {
    let mut parsed = reqwest::Url::parse(url).expect("url");
    parsed.set_host(Some(host)).expect("host");
    parsed.set_port(Some(port)).expect("port");
    parsed.to_string()
}

pub fn port_of(url: &str) -> u16 {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|parsed| parsed.port())
        .unwrap_or(5432)
}

/// The sender test workers use; Message-IDs end in its domain.
pub const MAIL_FROM: &str = "Clinic <no-reply@clinic.test>";

impl TestApp {
    /// An outbox worker on this app's database that sends to `smtp`, its configuration (the app's
    /// defaults, a test sender and signing key) adjusted by `tweak`.
    pub fn worker(&self, smtp: &SmtpServer, tweak: impl FnOnce(&mut WorkerConfig)) -> Worker {
        let transport = Transport::from_settings(
            Some(&SecretString::from(smtp.url())),
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR")),
        )
        .expect("an SMTP transport");
        self.worker_with(transport, tweak)
    }

    /// An outbox worker on this app's database that sends through `transport`.
    pub fn worker_with(
        &self,
        transport: Transport,
        tweak: impl FnOnce(&mut WorkerConfig),
    ) -> Worker {
        let mut config = WorkerConfig::new(
            MAIL_FROM.to_owned(),
            "http://consultdesk.test".to_owned(),
            vec![b"test signing key that is at least 32 bytes".to_vec()],
        );
        tweak(&mut config);
        // A pool of its own, as a worker process would have: workers share nothing but the database.
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .connect_lazy(&self.database_url)
            .expect("a worker pool");
        Worker::new(pool, transport, config)
    }
}
