//! The outbox worker: claims due emails with `FOR UPDATE SKIP LOCKED` (so several workers never take
//! the same row), re-checks consent right before sending, sends through the transport, and records
//! the result. Transient failures are retried with exponential backoff and jitter; permanent ones
//! and exhausted retries end `failed`, visible to staff. It wakes on `LISTEN email_outbox` and polls
//! as a fallback, so a due email leaves within seconds even if a notification is missed.
//!
//! Delivery is at least once: a worker that dies after the SMTP server accepted an email but before
//! recording it leaves the row `sending`; when its lease runs out another worker sends it again.

use crate::consent::{ledger, tokens};
use crate::domain::consent::{ConsentCategory, Sender};
use crate::domain::status::EmailStatus;
use crate::email::message::{self, Outgoing};
use crate::email::outbox::EmailKind;
use crate::email::payloads::{ClinicInfo, EmailPayload};
use crate::email::templates::{self, Links};
use crate::email::transport::{self, Failure, Transport};
use crate::email::worker_store::{self, Claimed, Clinics, Finished};
use crate::i18n::Locale;
use crate::scheduling::manage_token;
use anyhow::Context as _;
use chrono::Utc;
use futures::StreamExt;
use rand::Rng;
use sqlx::PgPool;
use sqlx::postgres::PgListener;
use std::future::Future;
use std::time::Duration;
use uuid::Uuid;

/// What the worker needs besides the database and the transport.
#[derive(Clone)]
pub struct WorkerConfig {
    pub mail_from: String,
    pub public_base_url: String,
    /// Unsubscribe signing keys: the first signs.
    pub signing_keys: Vec<Vec<u8>>,
    /// Rows claimed per round.
    pub batch_size: i64,
    /// Emails sent at the same time (matches the SMTP pool).
    pub concurrency: usize,
    /// A claimed row not recorded within this time is taken back by any worker.
    pub lease: Duration,
    /// Attempts before a transiently failing email is given up as `failed`.
    pub max_attempts: i32,
    /// First retry delay; doubles each attempt (with jitter), capped at `max_backoff`.
    pub base_backoff: Duration,
    pub max_backoff: Duration,
    /// Longest sleep between rounds when nothing wakes the worker.
    pub poll_interval: Duration,
    /// `NETWORK_NAME`: who signs the emails the network sends (those of no clinic).
    pub network_name: Option<String>,
}

impl WorkerConfig {
    pub fn new(mail_from: String, public_base_url: String, signing_keys: Vec<Vec<u8>>) -> Self {
        WorkerConfig {
            mail_from,
            public_base_url,
            signing_keys,
            // A multiple of the concurrency, so no round ends with most connections idle.
            batch_size: 64,
            concurrency: crate::email::transport::SMTP_POOL_SIZE as usize,
            lease: Duration::from_secs(120),
            max_attempts: 8,
            base_backoff: Duration::from_secs(30),
            max_backoff: Duration::from_secs(3600),
            poll_interval: Duration::from_secs(5),
            network_name: None,
        }
    }
}

/// How one email ended this round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    Suppressed,
    Retrying,
    Failed,
}

pub struct Worker {
    pool: PgPool,
    transport: Transport,
    config: WorkerConfig,
}

impl Worker {
    pub fn new(pool: PgPool, transport: Transport, config: WorkerConfig) -> Self {
        Worker {
            pool,
            transport,
            config,
        }
    }

    /// Sends what is due now, one batch; returns how each email ended (empty: nothing was due).
    pub async fn run_once(&self) -> Result<Vec<Outcome>, sqlx::Error> {
        let (claimed, clinics) = {
            let mut conn = self.pool.acquire().await?;
            let claimed =
                worker_store::claim(&mut conn, self.config.batch_size, self.config.lease).await?;
            if claimed.is_empty() {
                return Ok(Vec::new());
            }
            // One query for the batch's clinics rather than one per email.
            let clinic_ids: Vec<Uuid> = claimed.iter().filter_map(|row| row.clinic_id).collect();
            let clinics = worker_store::clinics(&mut conn, &clinic_ids).await?;
            (claimed, clinics)
        };
        let outcomes = futures::stream::iter(claimed)
            .map(|row| self.deliver(row, &clinics))
            .buffer_unordered(self.config.concurrency.max(1))
            .collect::<Vec<_>>()
            .await;
        outcomes.into_iter().collect()
    }

    /// Runs until `shutdown` resolves; the batch in flight is finished first.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) {
        tokio::pin!(shutdown);
        let mut listener = self.listen().await;
        loop {
            // Shutdown stops the worker between batches: the batch in flight is finished, no new
            // one is claimed (a backlog would otherwise outlast a supervisor's grace period).
            if futures::FutureExt::now_or_never(&mut shutdown).is_some() {
                break;
            }
            crate::scheduling::expiry::tick(&self.pool).await;
            match self.run_once().await {
                Ok(outcomes) if !outcomes.is_empty() => continue,
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!(error = %error, "email worker round failed; retrying shortly")
                }
            }
            let wait = self.next_wait().await;
            tokio::select! {
                () = &mut shutdown => break,
                () = wait_for_notification(&mut listener, wait) => {}
            }
        }
        tracing::info!("email worker stopped");
    }

    async fn listen(&self) -> Option<PgListener> {
        match PgListener::connect_with(&self.pool).await {
            Ok(mut listener) => match listener.listen("email_outbox").await {
                Ok(()) => Some(listener),
                Err(error) => {
                    tracing::warn!(error = %error, "LISTEN failed; the worker will poll");
                    None
                }
            },
            Err(error) => {
                tracing::warn!(error = %error, "could not open a LISTEN connection; the worker will poll");
                None
            }
        }
    }

    /// Until the next email falls due (a reminder, a retry), but never longer than the poll interval.
    async fn next_wait(&self) -> Duration {
        let next = match self.pool.acquire().await {
            Ok(mut conn) => worker_store::next_due(&mut conn).await,
            Err(error) => Err(error),
        }
        .unwrap_or_else(|error| {
            // The database is away: wait the poll interval, then the next round will say more.
            tracing::warn!(error = %error, "could not read when the next email is due");
            None
        });
        let poll = self.config.poll_interval;
        match next {
            Some(due) => (due - Utc::now())
                .to_std()
                .unwrap_or(Duration::ZERO)
                .min(poll)
                .max(Duration::from_millis(20)),
            None => poll,
        }
    }

    async fn deliver(&self, row: Claimed, clinics: &Clinics) -> Result<Outcome, sqlx::Error> {
        let category = row.category.as_deref().and_then(ConsentCategory::parse);
        if let Some(category) = category {
            let mut conn = self.pool.acquire().await?;
            let sender = Sender::of(row.clinic_id);
            if !ledger::is_granted(&mut conn, row.patient_id, sender, category).await? {
                let finished = Finished {
                    status: EmailStatus::Suppressed,
                    response: None,
                    error: Some("consent withdrawn before sending"),
                    message_id: None,
                };
                worker_store::finish(&mut conn, row.id, finished).await?;
                metrics::counter!("emails_suppressed_total", "kind" => row.kind.clone())
                    .increment(1);
                return Ok(Outcome::Suppressed);
            }
        }
        let message = match self.compose(&row, category, clinics) {
            Ok(message) => message,
            Err(error) => {
                // A message that cannot be built will not build next time either.
                // An address the builder refused may be quoted in the error: never log or store it.
                let error = transport::redact_addresses(&format!("{error:#}"));
                tracing::error!(email_id = %row.id, error = %error, "could not compose an email");
                self.finish(row.id, failed(&format!("could not compose: {error}")))
                    .await?;
                return Ok(Outcome::Failed);
            }
        };
        let message_id = message::message_id(row.id, &self.config.mail_from);
        match self.transport.send(message).await {
            Ok(delivered) => {
                let finished = Finished {
                    status: EmailStatus::Sent,
                    response: Some(&delivered.response),
                    error: None,
                    message_id: Some(&message_id),
                };
                self.finish(row.id, finished).await?;
                tracing::info!(email_id = %row.id, kind = %row.kind, "email sent");
                metrics::counter!("emails_sent_total", "kind" => row.kind.clone()).increment(1);
                Ok(Outcome::Sent)
            }
            Err(Failure::Permanent(error)) => {
                tracing::warn!(email_id = %row.id, error = %error, "email refused permanently");
                metrics::counter!("emails_failed_total", "kind" => row.kind.clone()).increment(1);
                self.finish(row.id, failed(&error)).await?;
                Ok(Outcome::Failed)
            }
            Err(Failure::Transient(error)) if row.attempts >= self.config.max_attempts => {
                tracing::warn!(email_id = %row.id, error = %error, "email failed; no attempts left");
                metrics::counter!("emails_failed_total", "kind" => row.kind.clone()).increment(1);
                self.finish(row.id, failed(&error)).await?;
                Ok(Outcome::Failed)
            }
            Err(Failure::Transient(error)) => {
                let delay = self.backoff(row.attempts);
                metrics::counter!("emails_retried_total", "kind" => row.kind.clone()).increment(1);
                tracing::info!(email_id = %row.id, error = %error, retry_in_secs = delay.as_secs(), "email will be retried");
                let mut conn = self.pool.acquire().await?;
                worker_store::retry_later(&mut conn, row.id, &error, delay).await?;
                Ok(Outcome::Retrying)
            }
        }
    }

    /// Exponential backoff with equal jitter: a random delay between half of and the whole of
    /// base × 2^(attempt-1), capped (never near zero, so a retry storm cannot form).
    fn backoff(&self, attempts: i32) -> Duration {
        let exponent = u32::try_from(attempts.saturating_sub(1))
            .unwrap_or(0)
            .min(20);
        let ceiling = self
            .config
            .base_backoff
            .saturating_mul(1 << exponent)
            .min(self.config.max_backoff);
        let millis = u64::try_from(ceiling.as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        Duration::from_millis(rand::rng().random_range(millis / 2..=millis))
    }

    async fn finish(&self, id: Uuid, finished: Finished<'_>) -> Result<(), sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        worker_store::finish(&mut conn, id, finished).await
    }

    fn compose(
        &self,
        row: &Claimed,
        category: Option<ConsentCategory>,
        clinics: &Clinics,
    ) -> anyhow::Result<lettre::Message> {
        let kind = EmailKind::parse(&row.kind)
            .ok_or_else(|| anyhow::anyhow!("unknown email kind {}", row.kind))?;
        let clinic = row.clinic_id.and_then(|id| clinics.get(&id));
        // A transactional email's link covers every category: one click from it withdraws them all.
        let categories: Vec<ConsentCategory> = category
            .map(|c| vec![c])
            .unwrap_or_else(|| ConsentCategory::ALL.to_vec());
        let key = self
            .config
            .signing_keys
            .first()
            .ok_or_else(|| anyhow::anyhow!("no signing key"))?;
        // The link acts at the email's sender: one clinic's unsubscribe is not another's.
        let token = tokens::sign(
            key,
            row.unsubscribe_ref,
            &categories,
            Sender::of(row.clinic_id),
            Utc::now(),
        );
        let unsubscribe_url = format!("{}/unsubscribe/{token}", self.config.public_base_url);
        let payload = EmailPayload::from_stored(kind, &row.payload)
            .with_context(|| format!("the stored {kind} payload"))?;
        // An email no clinic sends speaks for the network, by name when the operator gave one.
        let network;
        let clinic = match (clinic, &self.config.network_name) {
            (None, Some(name)) if payload.booking().is_none() => {
                network = ClinicInfo {
                    name: name.clone(),
                    address: String::new(),
                    city: String::new(),
                    province: String::new(),
                    postal_code: String::new(),
                    phone: String::new(),
                };
                Some(&network)
            }
            (clinic, _) => clinic,
        };
        // Signed now, so no token is ever stored.
        let confirm_url = match &payload {
            EmailPayload::ConsentConfirmation(email) => Some(format!(
                "{}/consent/confirm/{}",
                self.config.public_base_url,
                tokens::sign_confirmation(key, email.confirmation_id)
            )),
            _ => None,
        };
        // The patient's own booking emails carry the link to change the booking; the staff's
        // notice of a change does not (it would act as the patient).
        let manage_url = match &payload {
            EmailPayload::BookingRequested(_)
            | EmailPayload::BookingConfirmed(_)
            | EmailPayload::BookingRescheduled(_)
            | EmailPayload::AppointmentReminder(_) => {
                row.booking_id
                    .zip(row.booking_ends_at)
                    .map(|(id, ends_at)| {
                        format!(
                            "{}/manage/{}",
                            self.config.public_base_url,
                            manage_token::sign(key, id, manage_token::expiry(ends_at))
                        )
                    })
            }
            _ => None,
        };
        let links = Links {
            unsubscribe: &unsubscribe_url,
            confirm: confirm_url.as_deref(),
            manage: manage_url.as_deref(),
        };
        // Stored by the outbox's CHECK as en or fr; anything else would be a bug of a migration.
        let locale = Locale::from_tag(&row.locale).unwrap_or_default();
        let rendered = templates::render(&payload, clinic, links, locale)?;
        message::build(&Outgoing {
            id: row.id,
            kind,
            from: &self.config.mail_from,
            to: &row.to_address,
            rendered: &rendered,
            unsubscribe_url: (!kind.is_for_staff()).then_some(unsubscribe_url.as_str()),
            ics: payload.invite(),
            locale,
        })
    }
}

/// A claimed email that ended `failed`, and why.
fn failed(error: &str) -> Finished<'_> {
    Finished {
        status: EmailStatus::Failed,
        response: None,
        error: Some(error),
        message_id: None,
    }
}

/// Returns when a notification arrives or `wait` passes. Without a listener it just waits.
async fn wait_for_notification(listener: &mut Option<PgListener>, wait: Duration) {
    match listener {
        Some(active) => {
            if let Ok(Err(error)) = tokio::time::timeout(wait, active.recv()).await {
                // The LISTEN connection is down (and reconnects on the next call): don't spin.
                tracing::debug!(error = %error, "LISTEN connection lost");
                tokio::time::sleep(wait).await;
            }
        }
        None => tokio::time::sleep(wait).await,
    }
}
