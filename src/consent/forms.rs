//! What a public form does to consent. A form proves nothing about who owns an email address, so it
//! can only ever add: a checked box grants that category to the form's senders (its clinic and the
//! network), an unchecked box changes nothing. `service_updates`, the one category a sender could
//! use unprompted, is double opt-in: the form leaves it pending and emails a link to confirm it.

use crate::consent::ledger::{self, Evidence};
use crate::consent::senders;
use crate::consent::store::{self, NewConfirmation};
use crate::domain::client::ClientInfo;
use crate::domain::consent::{ConsentCategory, ConsentFlags, ConsentSource, Sender};
use crate::domain::locale::Locale;
use crate::email::outbox::{self, About, NewEmail};
use crate::email::payloads::{ConsentConfirmation, EmailPayload};
use chrono::{Duration, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// How long the link in a `consent_confirmation` email works.
pub const CONFIRMATION_VALID_DAYS: i64 = 7;
/// At most one confirmation email per person and sender in this long, however many forms name
/// their address: the forms are anonymous, and nobody may use them to flood someone's inbox.
const CONFIRMATION_QUIET_HOURS: i32 = 24;

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
    /// The language the person reads (the confirmation email names the senders in it).
    pub locale: Locale,
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
    let recently_asked = store::recently_asked(
        conn,
        form.patient_id,
        form.clinic_id,
        CONFIRMATION_QUIET_HOURS,
    )
    .await?;
    if already_granted || recently_asked {
        return Ok(());
    }
    let time_zone = store::clinic_time_zone(conn, form.clinic_id).await?;
    let to_network = form_senders.contains(&Sender::Network);
    let senders_text =
        senders::form_senders_text(conn, form.clinic_id, to_network, network_name, form.locale)
            .await?;
    let id = Uuid::now_v7();
    let expires_at = Utc::now() + Duration::days(CONFIRMATION_VALID_DAYS);
    store::insert_confirmation(
        conn,
        &NewConfirmation {
            id,
            patient_id: form.patient_id,
            clinic_id: form.clinic_id,
            to_network,
            category: ConsentCategory::ServiceUpdates.as_str(),
            wording_version: form.wording_version,
            ip: form.client.ip.map(|ip| ip.to_string()),
            user_agent: form.client.user_agent.as_deref(),
            expires_at,
        },
    )
    .await?;
    outbox::enqueue(
        conn,
        NewEmail {
            patient_id: form.patient_id,
            clinic_id: form.clinic_id,
            about: form.about,
            to: email,
            send_after: None,
            dedup_key: Some(format!("consent-confirmation:{id}")),
            locale: None,
            payload: EmailPayload::ConsentConfirmation(ConsentConfirmation {
                name: form.name.to_owned(),
                confirmation_id: id,
                senders: senders_text,
                expires_at: expires_at.fixed_offset(),
                time_zone,
            }),
        },
    )
    .await?;
    Ok(())
}
