//! The public directory: `GET /v1/practitioners`, `GET /v1/practitioners/{id}`, `GET /v1/clinics`.

use crate::directory::search::{
    self, ClinicRow, DistanceCursor, PRACTITIONER_COLUMNS, PractitionerRow, Search, kilometres,
};
use crate::error::ApiError;
use crate::http::query::{Page, QueryParams};
use crate::scheduling::availability;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

pub use crate::directory::search::{ClinicSummary, PractitionerCard};

#[derive(Debug, Serialize, ToSchema)]
pub struct PractitionerResult {
    #[serde(flatten)]
    pub practitioner: PractitionerCard,
    pub clinic: ClinicSummary,
    /// Kilometres from the searched point, one decimal; null outside a search.
    pub distance_km: Option<f64>,
    /// Start of the next free consult slot, or null.
    pub next_available: Option<DateTime<FixedOffset>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClinicResult {
    #[serde(flatten)]
    pub clinic: ClinicSummary,
    /// Kilometres from the searched point, one decimal.
    pub distance_km: f64,
}

impl From<PractitionerRow> for PractitionerResult {
    fn from(row: PractitionerRow) -> Self {
        PractitionerResult {
            practitioner: row.practitioner,
            clinic: ClinicSummary {
                id: row.clinic_id,
                name: row.clinic_name,
                address: row.address,
                city: row.city,
                province: row.province,
                postal_code: row.postal_code,
                phone: row.phone,
                latitude: row.latitude,
                longitude: row.longitude,
                time_zone: row.time_zone,
            },
            distance_km: row.distance_m.map(kilometres),
            next_available: None,
        }
    }
}

impl From<ClinicRow> for ClinicResult {
    fn from(row: ClinicRow) -> Self {
        ClinicResult {
            distance_km: kilometres(row.distance_m),
            clinic: row.clinic,
        }
    }
}

/// The query parameters of both searches, for the document: `Search::parse` reads them. The
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
    let search = Search::parse(query)?;
    let mut conn = state.db.acquire().await?;
    let point = search.locate(&mut conn).await?;
    let rows = search::practitioners_near(&mut conn, point, &search).await?;
    let page = Page::from_rows(rows, search.limit, |row| DistanceCursor {
        d: row.distance_m.unwrap_or(0.0),
        id: row.practitioner.id,
    });
    let items = with_next_available(&mut conn, page.items, availability::lead(&state)).await?;
    Ok(Json(Page {
        items: items
            .into_iter()
            .map(|(row, next)| result(row, next))
            .collect(),
        next_cursor: page.next_cursor,
    }))
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
    let search = Search::parse(query)?;
    let mut conn = state.db.acquire().await?;
    let point = search.locate(&mut conn).await?;
    let rows = search::clinics_near(&mut conn, point, &search).await?;
    let page = Page::from_rows(rows, search.limit, |row| DistanceCursor {
        d: row.distance_m,
        id: row.clinic.id,
    });
    Ok(Json(Page {
        items: page.items.into_iter().map(ClinicResult::from).collect(),
        next_cursor: page.next_cursor,
    }))
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
    let row: Option<PractitionerRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {PRACTITIONER_COLUMNS}, NULL::float8 AS distance_m
           FROM practitioners p JOIN clinics c ON c.id = p.clinic_id WHERE p.id = $1 AND p.active"
    )))
    .bind(id)
    .fetch_optional(&state.db)
    .await?;
    let row = row.ok_or(ApiError::NotFound)?;
    let mut conn = state.db.acquire().await?;
    let mut rows = with_next_available(&mut conn, vec![row], availability::lead(&state)).await?;
    let (row, next) = rows.pop().ok_or(ApiError::NotFound)?;
    Ok(Json(result(row, next)))
}

/// Pairs each row with its practitioner's next free slot (one batch of queries for the whole page).
async fn with_next_available(
    conn: &mut PgConnection,
    rows: Vec<PractitionerRow>,
    min_lead: chrono::Duration,
) -> Result<Vec<(PractitionerRow, Option<DateTime<FixedOffset>>)>, sqlx::Error> {
    let practitioners: Vec<(Uuid, chrono_tz::Tz)> = rows
        .iter()
        .map(|row| {
            (
                row.practitioner.id,
                row.time_zone.parse().unwrap_or(chrono_tz::UTC),
            )
        })
        .collect();
    let mut next = availability::next_available(conn, &practitioners, min_lead).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let slot = next.remove(&row.practitioner.id);
            (row, slot)
        })
        .collect())
}

fn result(
    row: PractitionerRow,
    next_available: Option<DateTime<FixedOffset>>,
) -> PractitionerResult {
    PractitionerResult {
        next_available,
        ..PractitionerResult::from(row)
    }
}
