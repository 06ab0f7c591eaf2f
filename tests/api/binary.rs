//! The real `consultdesk` binary, run as a child process the way an operator runs it.

use std::io::Write;
use std::process::{Command, Output, Stdio};

pub const BINARY: &str = env!("CARGO_BIN_EXE_consultdesk");

/// A loopback port that was free a moment ago, for a child process to bind: released here just
/// before the child takes it.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// Posts the standard callback form to the child serving at `base`; it must be accepted.
pub async fn post_a_callback(client: &reqwest::Client, base: &str) {
    let created = client
        .post(format!("{base}/v1/callback-requests"))
        .json(&crate::helpers::callback_body())
        .send()
        .await
        .expect("POST to the child");
    assert_eq!(created.status(), 201, "a callback posted to {base}");
}

/// `consultdesk staff add --email … --name … --role …` with `password` typed on its stdin, in the
/// environment and directory `configure` gives the command; what it printed and how it exited.
pub fn staff_add(
    email: &str,
    name: &str,
    role: &str,
    password: &str,
    configure: impl FnOnce(&mut Command) -> &mut Command,
) -> Output {
    let mut command = Command::new(BINARY);
    command.args([
        "staff", "add", "--email", email, "--name", name, "--role", role,
    ]);
    let mut child = configure(&mut command)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting consultdesk staff add");
    child
        .stdin
        .take()
        .expect("its stdin")
        .write_all(format!("{password}\n").as_bytes())
        .expect("typing the password");
    child.wait_with_output().expect("consultdesk staff add")
}
