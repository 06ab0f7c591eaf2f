//! The `consultdesk` binary: `staff add`, and `serve` on the embedded default with nothing configured.

use crate::binary::{BINARY, free_port, post_a_callback, staff_add};
use crate::helpers::*;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[tokio::test]
async fn staff_add_reads_the_password_from_stdin_and_the_account_can_sign_in() {
    let app = TestApp::spawn().await;
    let output = staff_add(
        "first.admin@clinic.test",
        "First Admin",
        "admin",
        "correct horse battery staple",
        |command| command.env("DATABASE_URL", &app.database_url),
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("first.admin@clinic.test"));
    assert!(
        !String::from_utf8_lossy(&output.stderr).contains("horse"),
        "the password is never logged"
    );

    let token = app
        .sign_in("first.admin@clinic.test", "correct horse battery staple")
        .await;
    assert_eq!(app.get_as("/v1/admin/clinics", &token).await.status(), 200);
}

#[tokio::test]
async fn staff_add_refuses_a_short_password_and_an_unknown_role() {
    let app = TestApp::spawn().await;
    for (role, password) in [("admin", "short"), ("janitor", "a long enough password")] {
        let output = staff_add("x@clinic.test", "X", role, password, |command| {
            command.env("DATABASE_URL", &app.database_url)
        });
        assert!(!output.status.success(), "{role}");
    }
    assert_eq!(app.count("staff").await, 0);
}

/// The README's first command on a machine with nothing configured: a private Postgres is created,
/// the API answers, and SIGTERM stops both cleanly.
#[tokio::test]
async fn serve_runs_on_the_embedded_postgres_the_readme_steps_work_beside_it_and_it_stops_on_sigterm()
 {
    let workdir = std::env::temp_dir().join(format!(
        "consultdesk-serve-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&workdir).unwrap();
    let port = free_port();
    let mut child = Command::new(BINARY)
        .arg("serve")
        .current_dir(&workdir)
        .env_remove("DATABASE_URL")
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut log = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = Vec::new();
    // Wait for the server to say it listens (it prints this only after migrating).
    for line in log.by_ref() {
        let line = line.unwrap();
        let ready = line.contains("consultdesk is listening");
        seen.push(line);
        if ready {
            break;
        }
    }
    assert!(
        seen.iter().any(|l| l.contains("consultdesk is listening")),
        "serve never listened:\n{}",
        seen.join("\n")
    );
    assert!(
        workdir.join(".consultdesk/pg/PG_VERSION").exists(),
        "the cluster lives under .consultdesk/pg"
    );
    // On the new database the migrations ran first, on a connection of their own: every warm
    // connection then found the tables it reads.
    assert!(
        seen.iter()
            .any(|l| l.contains("opened and warmed the minimum database connections"))
            && !seen.iter().any(|l| l.contains("could not warm")),
        "a warm-up failed on the new database:\n{}",
        seen.join("\n")
    );

    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    assert_eq!(
        client
            .get(format!("{base}/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    post_a_callback(&client, &base).await;

    // The README's next steps, in a second terminal while serve runs: they attach to serve's
    // embedded Postgres instead of failing on its lock.
    let seeded = Command::new(BINARY)
        .arg("seed-demo")
        .current_dir(&workdir)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(
        seeded.status.success(),
        "seed-demo beside a running serve: {}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let added = staff_add(
        "admin@clinic.example",
        "Admin",
        "admin",
        "a long admin password",
        |command| command.current_dir(&workdir).env_remove("DATABASE_URL"),
    );
    assert!(
        added.status.success(),
        "staff add beside a running serve: {}",
        String::from_utf8_lossy(&added.stderr)
    );
    let search = client
        .get(format!("{base}/v1/practitioners?city=montreal"))
        .send()
        .await
        .unwrap();
    let found = json_of(search).await;
    assert!(
        !found["items"].as_array().unwrap().is_empty(),
        "serve sees what seed-demo wrote: {found}"
    );
    let signed_in = client
        .post(format!("{base}/v1/staff/sessions"))
        .json(&serde_json::json!({"email": "admin@clinic.example", "password": "a long admin password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 201);

    // SAFETY: signalling our own child process by its pid.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    let rest: Vec<String> = log.map_while(Result::ok).collect();
    let status = child.wait().unwrap();
    assert!(
        status.success(),
        "serve exits 0 on SIGTERM; log:\n{}",
        rest.join("\n")
    );
    assert!(
        rest.iter()
            .any(|line| line.contains("stopped the embedded Postgres")),
        "the embedded Postgres is stopped and says so; log:\n{}",
        rest.join("\n")
    );
    let postmaster_gone = !workdir.join(".consultdesk/pg/postmaster.pid").exists();
    assert!(postmaster_gone, "no Postgres left running");
    let _ = std::fs::remove_dir_all(&workdir);
}
