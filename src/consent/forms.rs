//! What a public form does to consent. A form proves nothing about who owns an email address, so it
//! can only ever add: a checked box grants that category to the form's senders (its clinic and the
//! network), an unchecked box changes nothing. `service_updates`, the one category a sender could
//! use unprompted, is double opt-in: the form leaves it pending and emails a link to confirm it.

use crate::consent::ledger::{self, Evidence};
use crate::consent::senders;
use crate::domain::consent::{ConsentCategory, ConsentFlags, ConsentSource, Sender};
use crate::email::outbox::{self, About, EmailKind, NewEmail};
use crate::domain::client::ClientInfo;
use chrono::{Duration, Utc};
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

/// How long the link in a `consent_confirmation` email works.
pub const CONFIRMATION_VALID_DAYS: i64 = 7;
/// At most one confirmation email per person and sender in this long, however many forms name
/// their address: the forms are anonymous, and nobody may use them to flood someone's inbox.
const CONFIRMATION_QUIET_HOURS: i64 = 24;

/// The consent part of one submitted form.
pub struct FormConsent<'a> {
    pub patient_id: Uuid,
    /// The clinic the form is for; none: a network form.
    pub clinic_id: Option<Uuid>,
    pub flags: &'a ConsentFlags,
    pub wording_version: &'static str,
    pub client: &'a ClientInfo,
    /// Where a confirmation can be sent; without one, `service_updates` cannot be confirmed.
    pub email: Option<&'a str>,
    pub name: &'a str,
    /// The callback or booking the form created.
    pub about: About,
}

/// Records the form's grants; `service_updates` is held pending with its confirmation email queued.
pub async fn record(
    conn: &mut PgConnection,
    form: FormConsent<'_>,
    network_name: Option<&str>,
) -> Result<(), sqlx::Error> {
    let form_senders = Sender::of_form(form.clinic_id, network_name.is_some());
    let grants: Vec<(ConsentCategory, bool)> = form
        .flags
        .checked()
        .filter(|category| *category != ConsentCategory::ServiceUpdates)
        .map(|category| (category, true))
        .collect();
    let evidence = Evidence {
        source: ConsentSource::WebForm,
        wording_version: form.wording_version,
        client: form.client,
        staff_id: None,
        note: None,
    };
    for sender in &form_senders {
        ledger::record(conn, form.patient_id, *sender, &grants, &evidence).await?;
    }
    if form.flags.service_updates
        && let Some(email) = form.email
    {
        ask_to_confirm(conn, &form, &form_senders, email, network_name).await?;
    }
    Ok(())
}

async fn ask_to_confirm(
    conn: &mut PgConnection,
    form: &FormConsent<'_>,
    form_senders: &[Sender],
    email: &str,
    network_name: Option<&str>,
) -> Result<(), sqlx::Error> {
    let mut already_granted = true;
    for sender in form_senders {
        already_granted &= ledger::is_granted(
            conn,
            form.patient_id,
            *sender,
            ConsentCategory::ServiceUpdates,
        )
        .await?;
    }
    let recently_asked: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM consent_confirmations
                         WHERE patient_id = $1 AND clinic_id IS NOT DISTINCT FROM $2
                           AND confirmed_at IS NULL AND created_at > now() - make_interval(hours => $3))",
    )
    .bind(form.patient_id)
    .bind(form.clinic_id)
    .bind(CONFIRMATION_QUIET_HOURS as i32)
    .fetch_one(&mut *conn)
    .await?;
    if already_granted || recently_asked {
        return Ok(());
    }
    let time_zone: Option<String> =
        sqlx::query_scalar("SELECT time_zone FROM clinics WHERE id = $1")
            .bind(form.clinic_id)
            .fetch_optional(&mut *conn)
            .await?;
    let to_network = form_senders.contains(&Sender::Network);
    let senders_text =
        senders::form_senders_text(conn, form.clinic_id, to_network, network_name).await?;
    let id = Uuid::now_v7();
    let expires_at = Utc::now() + Duration::days(CONFIRMATION_VALID_DAYS);
    sqlx::query(
        "INSERT INTO consent_confirmations
            (id, patient_id, clinic_id, to_network, category, wording_version, ip, user_agent, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7::inet, $8, $9)",
    )
    .bind(id)
    .bind(form.patient_id)
    .bind(form.clinic_id)
    .bind(to_network)
    .bind(ConsentCategory::ServiceUpdates.as_str())
    .bind(form.wording_version)
    .bind(form.client.ip.map(|ip| ip.to_string()))
    .bind(&form.client.user_agent)
    .bind(expires_at)
    .execute(&mut *conn)
    .await?;
    outbox::enqueue(
        conn,
        NewEmail {
            kind: EmailKind::ConsentConfirmation,
            patient_id: form.patient_id,
            clinic_id: form.clinic_id,
            about: form.about,
            to: email,
            send_after: None,
            dedup_key: Some(format!("consent-confirmation:{id}")),
            payload: json!({
                "name": form.name,
                "confirmation_id": id,
                "senders": senders_text,
                "expires_at": expires_at.to_rfc3339(),
                "time_zone": time_zone,
            }),
        },
    )
    .await?;
    Ok(())
}
