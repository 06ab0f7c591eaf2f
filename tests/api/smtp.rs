//! A real SMTP server for the tests, listening on a local port: it captures what it receives and can
//! be told to refuse (421), reject (550) or drop connections, so delivery code meets the failures
//! real servers produce.

use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

/// How the server treats the next connections and messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Accept every message (250).
    Accept,
    /// Greet with 421 and close: the server is "busy" (transient).
    Refuse421,
    /// Accept the connection but reject the recipient with 550 (permanent).
    Reject550,
    /// Close the connection right after the client sends DATA's content, without answering.
    DropConnection,
    /// Hold every DATA answer until the server is switched out of this mode (a slow server).
    Stall,
}

/// One message as received.
#[derive(Debug, Clone)]
pub struct Captured {
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    /// The raw message (headers and body), dot-unstuffed, lines joined with CRLF.
    pub data: String,
}

impl Captured {
    /// The first value of header `name` (case-insensitive), unfolded.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or_default();
        let mut value: Option<String> = None;
        for line in head.split("\r\n") {
            if let Some(current) = value.as_mut() {
                if line.starts_with(' ') || line.starts_with('\t') {
                    current.push(' ');
                    current.push_str(line.trim());
                    continue;
                }
                break;
            }
            if let Some((key, rest)) = line.split_once(':')
                && key.eq_ignore_ascii_case(name)
            {
                value = Some(rest.trim().to_owned());
            }
        }
        value
    }
}

#[derive(Default)]
struct State {
    mode: Option<Mode>,
    messages: Vec<Captured>,
    /// Messages the server answered 250 to, counted per Message-ID (to detect doubles).
    connections: usize,
}

#[derive(Clone)]
pub struct SmtpServer {
    pub port: u16,
    state: Arc<Mutex<State>>,
    changed: Arc<Notify>,
}

impl SmtpServer {
    pub async fn start() -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binding the test SMTP server");
        let port = listener.local_addr().expect("address").port();
        let server = SmtpServer {
            port,
            state: Arc::new(Mutex::new(State {
                mode: Some(Mode::Accept),
                ..State::default()
            })),
            changed: Arc::new(Notify::new()),
        };
        let accepting = server.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let session = accepting.clone();
                tokio::spawn(async move {
                    let _ = session.serve(stream).await;
                });
            }
        });
        server
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn set_mode(&self, mode: Mode) {
        self.state.lock().expect("state").mode = Some(mode);
        self.changed.notify_waiters();
    }

    fn mode(&self) -> Mode {
        self.state
            .lock()
            .expect("state")
            .mode
            .unwrap_or(Mode::Accept)
    }

    pub fn messages(&self) -> Vec<Captured> {
        self.state.lock().expect("state").messages.clone()
    }

    pub fn connections(&self) -> usize {
        self.state.lock().expect("state").connections
    }

    /// Waits until at least `count` messages arrived, or panics after `limit`.
    pub async fn wait_for(&self, count: usize, limit: Duration) -> Vec<Captured> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let notified = self.changed.notified();
            let messages = self.messages();
            if messages.len() >= count {
                return messages;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!(
                    "expected {count} emails within {limit:?}, got {}",
                    self.messages().len()
                );
            }
        }
    }

    async fn serve(&self, stream: TcpStream) -> std::io::Result<()> {
        self.state.lock().expect("state").connections += 1;
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read);
        if self.mode() == Mode::Refuse421 {
            write
                .write_all(b"421 4.3.2 busy, try again later\r\n")
                .await?;
            return Ok(());
        }
        write.write_all(b"220 test-smtp ESMTP ready\r\n").await?;
        let mut mail_from = String::new();
        let mut rcpt_to = Vec::new();
        let mut line = String::new();
        loop {
            line.clear();
            if lines.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            let command = line.trim_end().to_owned();
            let verb = command
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_ascii_uppercase();
            match verb.as_str() {
                "EHLO" => {
                    write
                        .write_all(
                            b"250-test-smtp\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 PIPELINING\r\n",
                        )
                        .await?
                }
                "HELO" => write.write_all(b"250 test-smtp\r\n").await?,
                "MAIL" => {
                    mail_from = command[5..].trim().to_owned();
                    rcpt_to.clear();
                    write.write_all(b"250 2.1.0 Ok\r\n").await?;
                }
                "RCPT" => {
                    if self.mode() == Mode::Reject550 {
                        write
                            .write_all(b"550 5.1.1 no such mailbox here\r\n")
                            .await?;
                    } else {
                        rcpt_to.push(command[3..].trim().to_owned());
                        write.write_all(b"250 2.1.5 Ok\r\n").await?;
                    }
                }
                "DATA" => {
                    write
                        .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                        .await?;
                    let data = read_data(&mut lines).await?;
                    match self.mode() {
                        Mode::DropConnection => return Ok(()),
                        Mode::Stall => {
                            while self.mode() == Mode::Stall {
                                let notified = self.changed.notified();
                                if self.mode() != Mode::Stall {
                                    break;
                                }
                                notified.await;
                            }
                        }
                        _ => {}
                    }
                    let captured = Captured {
                        mail_from: mail_from.clone(),
                        rcpt_to: rcpt_to.clone(),
                        data,
                    };
                    let queued = {
                        let mut state = self.state.lock().expect("state");
                        state.messages.push(captured);
                        state.messages.len()
                    };
                    self.changed.notify_waiters();
                    write
                        .write_all(format!("250 2.0.0 Ok: queued as TEST{queued}\r\n").as_bytes())
                        .await?;
                }
                "RSET" => write.write_all(b"250 2.0.0 Ok\r\n").await?,
                "NOOP" => write.write_all(b"250 2.0.0 Ok\r\n").await?,
                "QUIT" => {
                    write.write_all(b"221 2.0.0 Bye\r\n").await?;
                    return Ok(());
                }
                _ => {
                    write
                        .write_all(b"502 5.5.2 command not recognized\r\n")
                        .await?
                }
            }
        }
    }
}

/// Reads DATA lines until the lone dot, undoing dot-stuffing.
async fn read_data<R: tokio::io::AsyncBufRead + Unpin>(lines: &mut R) -> std::io::Result<String> {
    let mut collected: Vec<String> = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            break;
        }
        let content = line.trim_end_matches(['\r', '\n']);
        if content == "." {
            break;
        }
        collected.push(
            content
                .strip_prefix('.')
                .map(str::to_owned)
                .unwrap_or_else(|| content.to_owned()),
        );
    }
    Ok(collected.join("\r\n"))
}
