//! What a callback request causes, whichever door it came through: the patient (matched by email),
//! the request, the consent rows and the "we will call you back" email, in the caller's transaction.

use crate::consent;
use crate::consent::forms::FormConsent;
use crate::domain::Invalid;
use crate::domain::client::ClientInfo;
use crate::email::outbox::{self, About, NewEmail};
use crate::email::payloads::{CallbackReceived, EmailPayload};
use crate::error::{ApiError, FieldError};
use crate::intake::form::CallbackForm;
use crate::intake::store;
use crate::patients;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// Records the request; returns its id and when it was received.
pub async fn request_callback(
    tx: &mut PgConnection,
    form: &CallbackForm,
    client: &ClientInfo,
    network_name: Option<&str>,
) -> Result<(Uuid, DateTime<Utc>), ApiError> {
    if let Some(clinic_id) = form.clinic_id
        && !store::clinic_exists(tx, clinic_id).await?
    {
        return Err(ApiError::Validation(vec![FieldError::new(
            "clinic_id",
            Invalid::new("unknown_clinic", "field-unknown-clinic"),
        )]));
    }
    let patient_id = patients::store::match_or_create(
        tx,
        &form.name,
        form.email.as_ref(),
        Some(&form.phone),
        form.locale,
    )
    .await?;
    let locale = patients::store::reader_locale(tx, patient_id, form.clinic_id).await?;
    let (id, created_at) = store::insert(tx, form, patient_id, locale, client).await?;
    consent::forms::record(
        tx,
        FormConsent {
            patient_id,
            clinic_id: form.clinic_id,
            flags: &form.consents,
            wording_version: form.wording_version,
            client,
            email: form.email.as_ref().map(|email| email.as_str()),
            name: &form.name,
            about: About::CallbackRequest(id),
            locale,
        },
        network_name,
    )
    .await?;
    if let Some(email) = &form.email {
        outbox::enqueue(
            tx,
            NewEmail {
                patient_id,
                clinic_id: form.clinic_id,
                about: About::CallbackRequest(id),
                send_after: None,
                dedup_key: None,
                locale: None,
                to: email.as_str(),
                payload: EmailPayload::CallbackReceived(CallbackReceived {
                    name: form.name.clone(),
                    preferred_time: form.preferred_time.to_owned(),
                    phone: form.phone.as_str().to_owned(),
                }),
            },
        )
        .await?;
    }
    Ok((id, created_at))
}
