//! A full run of the real binary with debug logging, then a grep of everything it logged for the
//! secrets that passed through it: none may appear. The run takes the paths that log most: a failed
//! sign-in, a bad token, a 429 on an unsubscribe link, and a recipient the SMTP server refuses with
//! a reply quoting the address.

use crate::binary::{BINARY, free_port, post_a_callback, staff_add};
use crate::helpers::*;
use crate::smtp::SmtpServer;
use serde_json::json;
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[tokio::test]
async fn no_secret_ever_reaches_the_logs() {
    let app = TestApp::spawn().await; // only for its fresh database
    let smtp = SmtpServer::start().await;
    let signing_key = "signing-key-that-must-never-be-logged-0123456789";
    let password = "staff password never logged";
    let wrong_password = "wrong password never logged";
    let refused_address = "refused.patient@example.net";
    smtp.refuse_recipient(refused_address, 550);
    // Trust authentication ignores it, but it is in the URL the process holds.
    let database_url =
        app.database_url
            .replacen("postgres@", "postgres:db-password-never-logged@", 1);
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let workdir = std::env::temp_dir().join(format!(
        "consultdesk-logs-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&workdir).unwrap();
    let env = [
        ("DATABASE_URL", database_url.as_str()),
        ("SIGNING_KEY", signing_key),
        ("SMTP_URL", &smtp.url()),
        ("BIND_ADDR", &format!("127.0.0.1:{port}")),
        ("PUBLIC_BASE_URL", &base),
        ("RUST_LOG", "debug"),
        // The unsubscribe link's second visit is refused with 429.
        ("PUBLIC_READ_RATE_LIMIT", "1/min"),
        ("LOG_FORMAT", "json"),
    ];

    let added = staff_add("admin@clinic.test", "Admin", "admin", password, |command| {
        command.envs(env).current_dir(&workdir)
    });
    assert!(added.status.success());
    let mut logs = String::from_utf8_lossy(&added.stderr).into_owned();

    let mut serve = Command::new(BINARY)
        .arg("serve")
        .envs(env)
        .current_dir(&workdir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(serve.stderr.take().unwrap());
    let mut line = String::new();
    while stderr.read_line(&mut line).unwrap() > 0 && !line.contains("consultdesk is listening") {
        logs.push_str(&line);
        line.clear();
    }
    logs.push_str(&line);

    let client = reqwest::Client::new();
    let refused = client
        .post(format!("{base}/v1/staff/sessions"))
        .json(&json!({"email": "admin@clinic.test", "password": wrong_password}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let signed_in = client
        .post(format!("{base}/v1/staff/sessions"))
        .json(&json!({"email": "admin@clinic.test", "password": password}))
        .send()
        .await
        .unwrap();
    let session = json_of(signed_in).await;
    let token = session["token"].as_str().unwrap().to_owned();
    let clinics = client
        .get(format!("{base}/v1/admin/clinics"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(clinics.status(), 200);
    let bad = client
        .get(format!("{base}/v1/admin/clinics"))
        .bearer_auth("cds_not-a-real-token")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);
    post_a_callback(&client, &base).await;
    let mut bounced = callback_body();
    bounced["email"] = json!(refused_address);
    let created = client
        .post(format!("{base}/v1/callback-requests"))
        .json(&bounced)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);

    // The worker inside `serve` sends the confirmation with its unsubscribe link.
    let email = smtp.wait_for(1, Duration::from_secs(20)).await.remove(0);
    let link = email.header("List-Unsubscribe").unwrap();
    let link = link.trim_matches(['<', '>']).to_owned();
    let unsubscribe_token = link.rsplit('/').next().unwrap().to_owned();
    assert_eq!(client.get(&link).send().await.unwrap().status(), 200);
    assert_eq!(client.get(&link).send().await.unwrap().status(), 429);
    // The worker logs a refusal before it stores it: once stored, it has been logged.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let status: String =
            sqlx::query_scalar("SELECT status FROM email_outbox WHERE to_address = $1")
                .bind(refused_address)
                .fetch_one(&app.db)
                .await
                .unwrap();
        if status == "failed" {
            break;
        }
        assert!(Instant::now() < deadline, "the refused email is {status}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    client
        .delete(format!("{base}/v1/staff/sessions/current"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();

    // SAFETY: signalling our own child.
    unsafe { libc::kill(serve.id() as libc::pid_t, libc::SIGTERM) };
    stderr.read_to_string(&mut logs).unwrap();
    assert!(serve.wait().unwrap().success());
    let _ = std::fs::remove_dir_all(&workdir);

    for event in [
        "email sent",
        "email refused permanently",
        "staff sign-in refused",
        "public rate limit reached",
    ] {
        assert!(
            logs.contains(event),
            "the run really logged {event:?} at debug level:\n{logs}"
        );
    }
    for (what, secret) in [
        ("the signing key", signing_key),
        ("the staff password", password),
        ("a wrong staff password", wrong_password),
        ("the refused recipient's address", refused_address),
        ("the bearer token", token.as_str()),
        ("a rejected bearer token", "cds_not-a-real-token"),
        ("the unsubscribe token", unsubscribe_token.as_str()),
        ("the database password", "db-password-never-logged"),
        ("the patient's email address", "jane@example.com"),
        ("the patient's phone number", "4165550100"),
    ] {
        let leaks: Vec<&str> = logs.lines().filter(|line| line.contains(secret)).collect();
        assert!(
            leaks.is_empty(),
            "{what} appears in the logs:\n{}",
            leaks.join("\n")
        );
    }
}
