//! The consent words a form shows, with their version, whichever door asks: the published wording
//! with the form's senders named in it (the clinic, and the network when `NETWORK_NAME` is set).
//! Forms send that version back; the ledger records it as the evidence of what the person read.

use crate::consent::{senders, store};
use crate::domain::Invalid;
use crate::domain::consent::ConsentCategory;
use crate::domain::locale::Locale;
use crate::domain::wording;
use crate::error::ApiError;
use crate::state::AppState;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentWording {
    /// Send it back as `consent_wording_version` with the form.
    #[schema(example = "2026-12-consult-form-v2")]
    pub version: &'static str,
    /// The language of these texts.
    #[schema(example = "en")]
    pub locale: &'static str,
    /// The sentence above the checkboxes.
    pub intro: String,
    /// The label of each checkbox, by category.
    #[schema(value_type = BTreeMap<ConsentCategory, String>)]
    pub categories: BTreeMap<&'static str, String>,
}

/// The current wording in `locale` for a form of `clinic_id` (none: a network form); an unknown
/// clinic is a 422 on `clinic_id`.
pub async fn current(
    state: &AppState,
    clinic_id: Option<Uuid>,
    locale: Locale,
) -> Result<ConsentWording, ApiError> {
    let network_name = state.settings.network_name.as_deref();
    // The clinic's name is read from the replica when there is one, like the rest of its page.
    let senders = state
        .reads
        .read(
            &(clinic_id, network_name, locale),
            |conn, &(clinic_id, network_name, locale)| {
                Box::pin(async move {
                    if let Some(id) = clinic_id
                        && !store::clinic_exists(conn, id).await?
                    {
                        return Err(ApiError::validation(
                            "clinic_id",
                            Invalid::new("unknown_clinic", "field-unknown-clinic"),
                        ));
                    }
                    Ok(senders::form_senders_text(
                        conn,
                        clinic_id,
                        network_name.is_some(),
                        network_name,
                        locale,
                    )
                    .await?)
                })
            },
        )
        .await?;
    let current = wording::current(locale);
    let fill = |text: &str| text.replace("{senders}", &senders);
    Ok(ConsentWording {
        version: current.version,
        locale: current.locale.as_str(),
        intro: fill(current.intro),
        categories: ConsentCategory::ALL
            .into_iter()
            .map(|category| (category.as_str(), fill(current.text(category))))
            .collect(),
    })
}
