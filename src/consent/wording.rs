//! `GET /v1/consent-wording?locale=&clinic_id=`: the consent words a form shows, with their version.
//! Forms send that version back; the ledger records it as the evidence of what the person read.

use crate::consent::senders;
use crate::domain::consent::ConsentCategory;
use crate::domain::{Invalid, wording};
use crate::error::ApiError;
use crate::http::query::QueryParams;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The locales a form may ask for. French texts arrive with the languages work; until then a
/// French form gets the English texts and is told so by `locale`.
const LOCALES: [&str; 2] = ["en", "fr"];

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

fn parse_locale(raw: &str) -> Result<&'static str, Invalid> {
    LOCALES
        .into_iter()
        .find(|locale| raw.eq_ignore_ascii_case(locale))
        .ok_or_else(|| Invalid::new("unsupported_locale", "must be en or fr"))
}

#[utoipa::path(get, path = "/v1/consent-wording", tag = "public",
    params(
        ("locale" = Option<String>, Query, description = "`en` (default) or `fr`"),
        ("clinic_id" = Option<uuid::Uuid>, Query, description = "The clinic the form is for: its name goes into the texts"),
    ),
    responses(
        (status = 200, description = "The current wording", body = ConsentWording),
        (status = 422, description = "Unknown locale or clinic", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn consent_wording(
    State(state): State<AppState>,
    mut query: QueryParams,
) -> Result<Json<ConsentWording>, ApiError> {
    query.optional("locale", parse_locale);
    let clinic_id = query.uuid("clinic_id");
    query.finish_as_validation()?;
    let network_name = state.settings.network_name.as_deref();
    let mut conn = state.db.acquire().await?;
    if let Some(id) = clinic_id {
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM clinics WHERE id = $1)")
                .bind(id)
                .fetch_one(&mut *conn)
                .await?;
        if !exists {
            return Err(ApiError::validation(
                "clinic_id",
                "unknown_clinic",
                "no clinic has this id",
            ));
        }
    }
    let senders =
        senders::form_senders_text(&mut conn, clinic_id, network_name.is_some(), network_name)
            .await?;
    let current = wording::CURRENT;
    let fill = |text: &str| text.replace("{senders}", &senders);
    Ok(Json(ConsentWording {
        version: current.version,
        locale: current.locale.as_str(),
        intro: fill(current.intro),
        categories: ConsentCategory::ALL
            .into_iter()
            .map(|category| (category.as_str(), fill(current.text(category))))
            .collect(),
    }))
}
