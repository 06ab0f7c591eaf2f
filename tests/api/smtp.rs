//! A real SMTP server for the tests, listening on a local port: it captures what it receives and can
//! be told to refuse (421), reject (550) or drop connections, or to refuse one recipient quoting its
//! address as Postfix does, so delivery code meets the failures real servers produce.

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
    /// Greet new connections with 421 and close; on a connection already open (a client's pooled
    /// one), answer the next command with 421 and close: the server is "busy" (transient).
    Refuse421,
    /// Accept the connection but reject the recipient with 550 (permanent).
    Reject550,
    /// Close the connection right after the client sends DATA's content, without answering.
    DropConnection,
    /// Hold every DATA answer until the server is switched out of this mode (a slow server). The
    /// message has been received in full: when released it counts as delivered, whether or not the
    /// client is still there to read the 250 (what a real server does once it has the final dot).
    Stall,
}

/// One message as received.
#[derive(Debug, Clone)]
pub struct Captured {
    /// The envelope sender's address, without angle brackets or parameters.
    pub mail_from: String,
    /// The envelope recipients' addresses.
    pub rcpt_to: Vec<String>,
    /// The raw message (headers and body), dot-unstuffed, lines joined with CRLF.
    pub data: String,
}

impl Captured {
    /// The first value of header `name` (case-insensitive), unfolded.
    pub fn header(&self, name: &str) -> Option<String> {
        header_in(&self.data, name)
    }
}

/// The first value of header `name` (case-insensitive, unfolded) in the header block that starts
/// `text` (a message or a MIME part).
pub fn header_in(text: &str, name: &str) -> Option<String> {
    let head = text.split("\r\n\r\n").next().unwrap_or_default();
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

struct State {
    mode: Mode,
    /// Messages accepted (answered 250, or released from a stall), in arrival order.
    messages: Vec<Captured>,
    /// Messages received in full whose answer is being held (`Mode::Stall`).
    stalled: usize,
    /// Recipients refused whatever the mode, with the reply code to refuse them with.
    refused_recipients: Vec<(String, u16)>,
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
                mode: Mode::Accept,
                messages: Vec::new(),
                stalled: 0,
                refused_recipients: Vec::new(),
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
        self.state.lock().expect("state").mode = mode;
        self.changed.notify_waiters();
    }

    /// Refuses `RCPT TO` for `address` from now on with `code` (a 5xx is permanent, a 4xx transient),
    /// naming the address in the reply: `550 5.1.1 <address>: Recipient address rejected: ...`.
    pub fn refuse_recipient(&self, address: &str, code: u16) {
        self.state
            .lock()
            .expect("state")
            .refused_recipients
            .push((address.to_owned(), code));
    }

    /// The reply refusing `address`, when it is to be refused.
    fn refusal_of(&self, address: &str) -> Option<String> {
        let state = self.state.lock().expect("state");
        let (_, code) = state
            .refused_recipients
            .iter()
            .find(|(refused, _)| refused.eq_ignore_ascii_case(address))?;
        let (status, reason) = if *code >= 500 {
            ("5.1.1", "User unknown in virtual mailbox table")
        } else {
            ("4.2.2", "Mailbox full, try again later")
        };
        Some(format!(
            "{code} {status} <{address}>: Recipient address rejected: {reason}\r\n"
        ))
    }

    fn mode(&self) -> Mode {
        self.state.lock().expect("state").mode
    }

    pub fn messages(&self) -> Vec<Captured> {
        self.state.lock().expect("state").messages.clone()
    }

    /// Messages received in full and waiting for their answer (`Mode::Stall`).
    pub fn stalled(&self) -> usize {
        self.state.lock().expect("state").stalled
    }

    /// Waits until at least `count` messages arrived, or panics after `limit`.
    pub async fn wait_for(&self, count: usize, limit: Duration) -> Vec<Captured> {
        self.wait_until(limit, |server| server.messages().len() >= count)
            .await
            .unwrap_or_else(|| {
                panic!(
                    "expected {count} emails within {limit:?}, got {}",
                    self.messages().len()
                )
            });
        self.messages()
    }

    /// Waits until `stalled()` is `count`, or panics after `limit`.
    pub async fn wait_for_stalled(&self, count: usize, limit: Duration) {
        self.wait_until(limit, |server| server.stalled() == count)
            .await
            .unwrap_or_else(|| {
                panic!(
                    "expected {count} stalled messages within {limit:?}, got {}",
                    self.stalled()
                )
            });
    }

    /// Re-checks `condition` whenever the server's state changes; `None` when `limit` passed first.
    async fn wait_until(&self, limit: Duration, condition: impl Fn(&Self) -> bool) -> Option<()> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            // Registered before the check, so a change between the check and the wait still wakes us.
            let notified = self.changed.notified();
            if condition(self) {
                return Some(());
            }
            tokio::time::timeout_at(deadline, notified).await.ok()?;
        }
    }

    /// Holds the current answer until the server leaves `Mode::Stall`, counted in `stalled()` until
    /// the caller records the message.
    async fn stall(&self) {
        self.state.lock().expect("state").stalled += 1;
        self.changed.notify_waiters();
        loop {
            let notified = self.changed.notified();
            if self.mode() != Mode::Stall {
                break;
            }
            notified.await;
        }
    }

    async fn serve(&self, stream: TcpStream) -> std::io::Result<()> {
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
            // A busy server refuses on connections it already had open too (a client's pool checks
            // its idle connections with NOOP before reusing them).
            if self.mode() == Mode::Refuse421 && verb != "QUIT" {
                write
                    .write_all(b"421 4.3.2 busy, closing the connection\r\n")
                    .await?;
                return Ok(());
            }
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
                    mail_from = path_argument(&command, "FROM:");
                    rcpt_to.clear();
                    write.write_all(b"250 2.1.0 Ok\r\n").await?;
                }
                "RCPT" => {
                    let recipient = path_argument(&command, "TO:");
                    if let Some(refusal) = self.refusal_of(&recipient) {
                        write.write_all(refusal.as_bytes()).await?;
                    } else if self.mode() == Mode::Reject550 {
                        write
                            .write_all(b"550 5.1.1 no such mailbox here\r\n")
                            .await?;
                    } else {
                        rcpt_to.push(recipient);
                        write.write_all(b"250 2.1.5 Ok\r\n").await?;
                    }
                }
                "DATA" => {
                    write
                        .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                        .await?;
                    let data = read_data(&mut lines).await?;
                    let stalled = match self.mode() {
                        Mode::DropConnection => return Ok(()),
                        Mode::Stall => {
                            self.stall().await;
                            true
                        }
                        _ => false,
                    };
                    let captured = Captured {
                        mail_from: mail_from.clone(),
                        rcpt_to: rcpt_to.clone(),
                        data,
                    };
                    let queued = {
                        let mut state = self.state.lock().expect("state");
                        // Released and recorded in one step, so a waiter never sees it in neither count.
                        if stalled {
                            state.stalled -= 1;
                        }
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

/// The address of `MAIL FROM:<a@b> BODY=8BITMIME` or `RCPT TO:<a@b>`: after `keyword`, up to the
/// first space (ESMTP parameters follow), without the angle brackets.
fn path_argument(command: &str, keyword: &str) -> String {
    let rest = command.get(5..).unwrap_or_default().trim_start();
    let rest = match rest.get(..keyword.len()) {
        Some(head) if head.eq_ignore_ascii_case(keyword) => &rest[keyword.len()..],
        _ => rest,
    };
    rest.split_whitespace()
        .next()
        .unwrap_or_default()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_owned()
}

/// Reads DATA lines until the lone dot, undoing dot-stuffing.
async fn read_data<R: tokio::io::AsyncBufRead + Unpin>(lines: &mut R) -> std::io::Result<String> {
    let mut collected: Vec<String> = Vec::new();
    let mut raw = Vec::new();
    loop {
        raw.clear();
        if lines.read_until(b'\n', &mut raw).await? == 0 {
            break;
        }
        // Bodies are 7-bit or UTF-8; anything else is kept visible rather than failing the session.
        let line = String::from_utf8_lossy(&raw);
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
