//! `GET /v1/consent-wording?locale=&clinic_id=`: the consent words a form shows, with their version,
//! as JSON over `form_wording`.

use crate::consent::form_wording::{self, ConsentWording};
use crate::domain::locale::Locale;
use crate::error::ApiError;
use crate::http::query::QueryParams;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;

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
    let locale = query.optional("locale", Locale::parse_field);
    let clinic_id = query.uuid("clinic_id");
    query.finish_as_validation()?;
    let locale = locale.unwrap_or_default();
    Ok(Json(
        form_wording::current(&state, clinic_id, locale).await?,
    ))
}
