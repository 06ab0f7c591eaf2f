//! What the public directory answers, whichever door asks: practitioners and clinics near a place,
//! and one active practitioner, each practitioner with their next free consult slot. All of it is
//! read through `state.reads`: from the read replica when there is one (a lagging answer costs a
//! booking a 409 at worst, never a double booking: bookings check on the primary).

use crate::directory::practitioner_store;
use crate::directory::search::{
    self, ClinicRow, ClinicSummary, DistanceCursor, PractitionerCard, PractitionerRow, Search,
    kilometres,
};
use crate::error::ApiError;
use crate::scheduling::availability;
use crate::state::AppState;
use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

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

/// One page of a search: at most the search's limit of results, and where the next page starts
/// when there is one.
pub struct Found<T> {
    pub items: Vec<T>,
    pub next: Option<DistanceCursor>,
}

impl<T> Found<T> {
    /// From `limit + 1` rows: the extra row only tells that more exist.
    fn from_rows(mut rows: Vec<T>, limit: i64, position: impl Fn(&T) -> DistanceCursor) -> Self {
        let has_more = rows.len() as i64 > limit;
        rows.truncate(limit.max(0) as usize);
        let next = if has_more {
            rows.last().map(position)
        } else {
            None
        };
        Found { items: rows, next }
    }
}

/// Active practitioners matching the search, nearest first.
pub async fn practitioners(
    state: &AppState,
    search: &Search,
) -> Result<Found<PractitionerResult>, ApiError> {
    let lead = availability::lead(state);
    state
        .reads
        .read(&(search, lead), |conn, &(search, lead)| {
            Box::pin(async move {
                let point = search.locate(conn).await?;
                let rows = search::practitioners_near(conn, point, search).await?;
                let page = Found::from_rows(rows, search.limit, |row| DistanceCursor {
                    d: row.distance_m.unwrap_or(0.0),
                    c: Some(row.clinic_id),
                    id: row.practitioner.id,
                });
                Ok(Found {
                    items: with_next_available(conn, page.items, lead).await?,
                    next: page.next,
                })
            })
        })
        .await
}

/// Clinics with a practitioner matching the search, nearest first.
pub async fn clinics(state: &AppState, search: &Search) -> Result<Found<ClinicResult>, ApiError> {
    state
        .reads
        .read(search, |conn, search| {
            Box::pin(async move {
                let point = search.locate(conn).await?;
                let rows = search::clinics_near(conn, point, search).await?;
                let page = Found::from_rows(rows, search.limit, |row| DistanceCursor {
                    d: row.distance_m,
                    c: None,
                    id: row.clinic.id,
                });
                Ok(Found {
                    items: page.items.into_iter().map(ClinicResult::from).collect(),
                    next: page.next,
                })
            })
        })
        .await
}

/// An active practitioner; 404 for an inactive or unknown one.
pub async fn practitioner(state: &AppState, id: Uuid) -> Result<PractitionerResult, ApiError> {
    let lead = availability::lead(state);
    state
        .reads
        .read(&(id, lead), |conn, &(id, lead)| {
            Box::pin(async move {
                let row = practitioner_store::fetch_active_with_clinic(conn, id)
                    .await?
                    .ok_or(ApiError::NotFound)?;
                let mut results = with_next_available(conn, vec![row], lead).await?;
                results.pop().ok_or(ApiError::NotFound)
            })
        })
        .await
}

/// A page of a clinic's active practitioners (oldest first, after the practitioner `after`), each
/// with their next free slot; 404 for an unknown clinic.
pub async fn of_clinic(
    state: &AppState,
    clinic_id: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> Result<(Vec<PractitionerResult>, Option<Uuid>), ApiError> {
    let lead = availability::lead(state);
    state
        .reads
        .read(
            &(clinic_id, after, limit, lead),
            |conn, &(clinic_id, after, limit, lead)| {
                Box::pin(async move {
                    if !crate::directory::clinic_store::exists(conn, clinic_id).await? {
                        return Err(ApiError::NotFound);
                    }
                    let mut rows =
                        practitioner_store::active_of_clinic(conn, clinic_id, after, limit + 1)
                            .await?;
                    let has_more = rows.len() as i64 > limit;
                    rows.truncate(limit.max(0) as usize);
                    let next = if has_more {
                        rows.last().map(|row| row.practitioner.id)
                    } else {
                        None
                    };
                    let items = with_next_available(conn, rows, lead).await?;
                    Ok((items, next))
                })
            },
        )
        .await
}

/// Each row as a result with its practitioner's next free slot (one batch of queries for the page).
async fn with_next_available(
    conn: &mut PgConnection,
    rows: Vec<PractitionerRow>,
    min_lead: chrono::Duration,
) -> Result<Vec<PractitionerResult>, sqlx::Error> {
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
            let next_available = next.remove(&row.practitioner.id);
            PractitionerResult {
                next_available,
                ..PractitionerResult::from(row)
            }
        })
        .collect())
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
