//! How a sender is named to the person: the clinic's name (and phone), or the network's.

use crate::consent::store;
use crate::domain::consent::Sender;
use crate::domain::locale::Locale;
use crate::domain::wording;
use sqlx::PgConnection;
use uuid::Uuid;

pub struct SenderInfo {
    pub name: String,
    pub phone: Option<String>,
}

pub async fn describe(
    conn: &mut PgConnection,
    sender: Sender,
    network_name: Option<&str>,
    locale: Locale,
) -> Result<SenderInfo, sqlx::Error> {
    let network = || SenderInfo {
        name: network_name
            .unwrap_or(wording::unnamed_network(locale))
            .to_owned(),
        phone: None,
    };
    let Sender::Clinic(clinic_id) = sender else {
        return Ok(network());
    };
    let clinic = store::clinic_contact(conn, clinic_id).await?;
    Ok(clinic.map_or_else(network, |clinic| SenderInfo {
        name: clinic.name,
        phone: Some(clinic.phone).filter(|phone| !phone.trim().is_empty()),
    }))
}

/// "Clinic A and Network B": whom a form with `clinic_id` granted to, as its words named them
/// in `locale`.
pub async fn form_senders_text(
    conn: &mut PgConnection,
    clinic_id: Option<Uuid>,
    to_network: bool,
    network_name: Option<&str>,
    locale: Locale,
) -> Result<String, sqlx::Error> {
    let clinic = match clinic_id {
        Some(id) => Some(
            describe(conn, Sender::Clinic(id), network_name, locale)
                .await?
                .name,
        ),
        None => None,
    };
    let network = match (clinic.is_some(), to_network) {
        (true, false) => None,
        _ => Some(network_name.unwrap_or(wording::unnamed_network(locale))),
    };
    Ok(wording::senders_in(locale, clinic.as_deref(), network))
}
