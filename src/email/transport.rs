//! Where emails go: an SMTP server from `SMTP_URL` (lettre's pooled async transport: plain,
//! STARTTLS required with `?tls=required`, or implicit TLS with `smtps://`), or, when it is unset,
//! `.eml` files under `<data_dir>/mail/`.

use anyhow::Context;
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;
use std::path::PathBuf;
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
    /// The SMTP server's answer, e.g. `250 2.0.0 Ok: queued as 4Bz...`, or the file written.
    pub response: String,
}

/// Why a delivery did not happen, and whether trying again can help.
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
                    response: format!(
                        "{} {}",
                        response.code(),
                        response.message().collect::<Vec<_>>().join(" ")
                    ),
                }),
                Err(error) if error.is_permanent() => Err(Failure::Permanent(error.to_string())),
                Err(error) => Err(Failure::Transient(error.to_string())),
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
                Err(error) => Err(Failure::Transient(error.to_string())),
            },
        }
    }
}
