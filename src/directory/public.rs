//! The public directory over JSON: `GET /v1/practitioners`, `GET /v1/practitioners/{id}`,
//! `GET /v1/clinics`. These handlers read the search and translate; `directory::finder` answers.

use crate::directory::finder::{self, ClinicResult, Found, PractitionerResult};
use crate::directory::places::{self, Origin};
use crate::directory::search::{DEFAULT_RADIUS_KM, DistanceCursor, Filters, MAX_RADIUS_KM, Search};
use crate::domain::{Invalid, location, practice};
use crate::error::ApiError;
use crate::http::query::{Page, QueryParams, encode_cursor};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use uuid::Uuid;

pub use crate::directory::search::{ClinicSummary, PractitionerCard};

/// The query parameters of both searches, for the document: `read_search` reads them. The
/// location (`near`, `postal_code` or `city`, exactly one) is added as one `oneOf` parameter by
/// `http::openapi`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct SearchParameters {
    /// Two-letter province code to disambiguate `city`.
    province: Option<String>,
    /// Default 25, at most 500.
    #[param(exclusive_minimum = 0, maximum = 500)]
    radius_km: Option<f64>,
    /// Only practitioners of this discipline (clinics: with such a practitioner).
    discipline: Option<crate::domain::practice::Discipline>,
    /// e.g. acupuncture.
    service: Option<String>,
    /// ISO 639-1, e.g. fr.
    language: Option<String>,
    mode: Option<crate::domain::practice::ConsultMode>,
    /// 1..=100, default 20.
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

const LOCATION_PARAMETERS: [&str; 3] = ["near", "postal_code", "city"];

/// Reads every parameter; a 422 names each invalid one, as the contract asks of search.
fn read_search(mut query: QueryParams) -> Result<Search, ApiError> {
    let given: Vec<&str> = LOCATION_PARAMETERS
        .into_iter()
        .filter(|name| query.is_given(name))
        .collect();
    if given.len() != 1 {
        let message = if given.is_empty() {
            "field-location-missing"
        } else {
            "field-location-ambiguous"
        };
        query.error("location", Invalid::new("location_required", message));
    }
    let province = query.optional("province", location::province);
    let origin = match given.first().copied() {
        Some("near") => query
            .optional("near", places::parse_near)
            .map(Origin::Point),
        Some("postal_code") => query
            .optional("postal_code", places::parse_postal_area)
            .map(Origin::PostalArea),
        Some("city") => query
            .optional("city", |raw| places::parse_city(raw, province.as_deref()))
            .map(|(name, province)| Origin::City { name, province }),
        _ => None,
    };
    let radius_km =
        query
            .optional("radius_km", |raw| match raw.parse::<f64>() {
                Ok(km) if km.is_finite() && km > 0.0 && km <= MAX_RADIUS_KM => Ok(km),
                _ => Err(Invalid::new("out_of_range", "field-radius-range")
                    .arg("max", MAX_RADIUS_KM as i64)),
            })
            .unwrap_or(DEFAULT_RADIUS_KM);
    let filters = Filters {
        discipline: query.optional("discipline", practice::discipline),
        service: query.optional("service", practice::service),
        language: query.optional("language", practice::language),
        mode: query.optional("mode", practice::consult_mode),
    };
    let limit = query.limit();
    let after = query
        .cursor::<DistanceCursor>()
        .filter(|cursor| cursor.d.is_finite());
    query.finish_as_validation()?;
    let origin = origin.ok_or_else(|| {
        ApiError::Internal(anyhow::anyhow!("search origin missing after validation"))
    })?;
    Ok(Search {
        origin,
        radius_km,
        filters,
        limit,
        after,
    })
}

#[utoipa::path(get, path = "/v1/practitioners", tag = "public",
    params(SearchParameters),
    responses(
        (status = 200, description = "Nearest first", body = Page<PractitionerResult>),
        (status = 422, description = "Invalid parameters, unknown postal code or city", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn search_practitioners(
    State(state): State<AppState>,
    query: QueryParams,
) -> Result<Json<Page<PractitionerResult>>, ApiError> {
    let search = read_search(query)?;
    Ok(Json(page(finder::practitioners(&state, &search).await?)))
}

#[utoipa::path(get, path = "/v1/clinics", tag = "public",
    params(SearchParameters),
    responses(
        (status = 200, description = "Clinics with a matching active practitioner, nearest first", body = Page<ClinicResult>),
        (status = 422, description = "Invalid parameters, unknown postal code or city", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn search_clinics(
    State(state): State<AppState>,
    query: QueryParams,
) -> Result<Json<Page<ClinicResult>>, ApiError> {
    let search = read_search(query)?;
    Ok(Json(page(finder::clinics(&state, &search).await?)))
}

#[utoipa::path(get, path = "/v1/practitioners/{id}", tag = "public",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "An active practitioner", body = PractitionerResult),
        (status = 404, description = "No such active practitioner", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_practitioner(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<PractitionerResult>, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::NotFound)?;
    Ok(Json(finder::practitioner(&state, id).await?))
}

/// Where the previous page of a clinic's practitioners ended.
#[derive(serde::Serialize, serde::Deserialize)]
struct AfterPractitioner {
    id: Uuid,
}

#[utoipa::path(get, path = "/v1/clinics/{id}/practitioners", tag = "public",
    params(
        ("id" = Uuid, Path),
        ("limit" = Option<i64>, Query, description = "1..=100, default 20", minimum = 1, maximum = 100),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
    ),
    responses(
        (status = 200, description = "The clinic's active practitioners, oldest first (what a booking form for the clinic offers)", body = Page<PractitionerResult>),
        (status = 404, description = "No such clinic", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid limit or cursor", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn clinic_practitioners(
    State(state): State<AppState>,
    Path(id): Path<String>,
    mut query: QueryParams,
) -> Result<Json<Page<PractitionerResult>>, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::NotFound)?;
    let limit = query.limit();
    let after = query.cursor::<AfterPractitioner>().map(|cursor| cursor.id);
    query.finish_as_validation()?;
    let (items, next) = finder::of_clinic(&state, id, after, limit).await?;
    Ok(Json(Page {
        items,
        next_cursor: next.map(|id| encode_cursor(&AfterPractitioner { id })),
    }))
}

fn page<T>(found: Found<T>) -> Page<T> {
    Page {
        items: found.items,
        next_cursor: found.next.as_ref().map(encode_cursor),
    }
}
