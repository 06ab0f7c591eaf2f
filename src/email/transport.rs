//! Where emails go: an SMTP server from `SMTP_URL` (lettre's pooled async transport: plain,
//! STARTTLS required with `?tls=required`, or implicit TLS with `smtps://`), or, when it is unset,
//! `.eml` files under `<data_dir>/mail/`.

use anyhow::Context;
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use regex::Regex;
use secrecy::ExposeSecret;
use std::path::PathBuf;
use std::sync::LazyLock;
use std::time::Duration;

/// How long one SMTP exchange may take before it counts as a transient failure.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);
/// Connections kept open to the SMTP server; the worker sends this many emails at once.
pub const SMTP_POOL_SIZE: u32 = 8;

#[derive(Clone)]
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files {
        dir: PathBuf,
        transport: AsyncFileTransport<Tokio1Executor>,
    },
}

/// A delivery the receiving side accepted.
#[derive(Debug, Clone)]
pub struct Delivered {
    /// The SMTP server's answer, e.g. `250 2.0.0 Ok: queued as 4Bz...`, or the file written; any
    /// email address in it replaced by `<redacted>`.
    pub response: String,
}

/// Why a delivery did not happen, and whether trying again can help. The text is the server's reply
/// or the error, any email address in it replaced by `<redacted>` (servers quote the recipient,
/// `550 5.1.1 <jane@example.com>: Recipient address rejected`, and this text is logged and stored).
#[derive(Debug, Clone)]
pub enum Failure {
    /// Connection refused or dropped, timeouts, 4xx answers: retry later.
    Transient(String),
    /// 5xx answers and messages the server will never take: give up.
    Permanent(String),
}

impl Transport {
    pub fn from_settings(
        smtp_url: Option<&secrecy::SecretString>,
        data_dir: &std::path::Path,
    ) -> anyhow::Result<Self> {
        match smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())
                    // The URL may hold a password: never echo it in the error.
                    .map_err(|error| {
                        anyhow::anyhow!(
                            "SMTP_URL is not a valid smtp:// or smtps:// URL ({})",
                            error.is_client()
                        )
                    })?
                    .timeout(Some(SMTP_TIMEOUT))
                    .pool_config(PoolConfig::new().max_size(SMTP_POOL_SIZE))
                    .build();
                Ok(Transport::Smtp(transport))
            }
            None => {
                let dir = data_dir.join("mail");
                std::fs::create_dir_all(&dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
                tracing::info!(dir = %dir.display(), "SMTP_URL is unset: emails are written as .eml files");
                Ok(Transport::Files {
                    transport: AsyncFileTransport::new(&dir),
                    dir,
                })
            }
        }
    }

    pub async fn send(&self, message: Message) -> Result<Delivered, Failure> {
        match self {
            Transport::Smtp(smtp) => match smtp.send(message).await {
                Ok(response) => Ok(Delivered {
                    response: redact_addresses(&format!(
                        "{} {}",
                        response.code(),
                        response.message().collect::<Vec<_>>().join(" ")
                    )),
                }),
                Err(error) if error.is_permanent() => {
                    Err(Failure::Permanent(redact_addresses(&error.to_string())))
                }
                Err(error) => Err(Failure::Transient(redact_addresses(&error.to_string()))),
            },
            Transport::Files { dir, transport } => match transport.send(message).await {
                Ok(id) => {
                    let path = dir.join(format!("{id}.eml"));
                    tracing::info!(path = %path.display(), "email written to a file");
                    Ok(Delivered {
                        response: format!("written to {}", path.display()),
                    })
                }
                // A full disk or a permission problem may be fixed by the operator: retry.
                Err(error) => Err(Failure::Transient(redact_addresses(&error.to_string()))),
            },
        }
    }
}

/// An email address as servers quote them: a dot-atom or quoted local part (any non-ASCII allowed,
/// for SMTPUTF8), `@`, a domain or address literal; with its angle brackets when it has them. Generous
/// on purpose: redacting a little too much costs nothing, leaking an address does.
static ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    const LOCAL: &str = r#"(?:"(?:[^"\\\r\n]|\\.)*"|[^\s<>()\[\]\\,;:@"]+)"#;
    const DOMAIN: &str = r#"(?:\[[^\]\s]*\]|[^\s<>()\[\]\\,;:@"]+)"#;
    Regex::new(&format!("<{LOCAL}@{DOMAIN}>|{LOCAL}@{DOMAIN}"))
        .unwrap_or_else(|_| unreachable!("the pattern is a constant and a unit test compiles it"))
});

/// `text` with every email address in it replaced by `<redacted>`.
pub fn redact_addresses(text: &str) -> String {
    ADDRESS.replace_all(text, "<redacted>").into_owned()
}

#[cfg(test)]
mod tests {
    use super::redact_addresses;

    #[test]
    fn addresses_in_smtp_replies_are_redacted() {
        for (reply, expected) in [
            (
                "permanent error (550): 5.1.1 <jane@example.com>: Recipient address rejected: User unknown",
                "permanent error (550): 5.1.1 <redacted>: Recipient address rejected: User unknown",
            ),
            (
                "550 5.1.1 jane.runner+clinic@mail.example.co.uk... User unknown",
                "550 5.1.1 <redacted> User unknown",
            ),
            (
                "452 4.2.2 Mailbox full: RCPT TO:<Jane_O'Brien@Example.COM> NOTIFY=NEVER",
                "452 4.2.2 Mailbox full: RCPT TO:<redacted> NOTIFY=NEVER",
            ),
            (
                "550 user 'jane@example.com' and bob@example.org;carol@example.net unknown",
                "550 user <redacted> and <redacted>;<redacted> unknown",
            ),
            (
                "550 5.1.1 \"jane doe\"@example.com is not here",
                "550 5.1.1 <redacted> is not here",
            ),
            (
                "550 5.1.1 jane@[192.0.2.1] and jane@[IPv6:2001:db8::1] refused",
                "550 5.1.1 <redacted> and <redacted> refused",
            ),
            (
                "553 5.1.3 josé@exämple.ca: bad address",
                "553 5.1.3 <redacted>: bad address",
            ),
            ("550 5.7.1 <jane@localhost>", "550 5.7.1 <redacted>"),
        ] {
            assert_eq!(redact_addresses(reply), expected, "{reply}");
        }
    }

    #[test]
    fn text_without_an_address_is_kept_as_it_is() {
        for text in [
            "421 4.3.2 busy, try again later",
            "250 2.0.0 Ok: queued as 4BzXk2",
            "connection error: Connection refused (os error 111)",
            "written to /var/mail/0193f0e1.eml",
            "an @ alone, a trailing user@ and @domain.example lead nowhere",
            "",
        ] {
            assert_eq!(redact_addresses(text), text);
        }
    }
}
