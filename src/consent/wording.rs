//! `GET /v1/consent-wording?locale=&clinic_id=`: the consent words a form shows, with their version,
//! as JSON over `form_wording`.

use crate::consent::form_wording::{self, ConsentWording};
use crate::domain::Invalid;
use crate::error::ApiError;
use crate::http::query::QueryParams;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;

/// The locales a form may ask for. French texts arrive with the languages work; until then a
/// French form gets the English texts and is told so by `locale`.
const LOCALES: [&str; 2] = ["en", "fr"];

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
    Ok(Json(form_wording::current(&state, clinic_id).await?))
}
