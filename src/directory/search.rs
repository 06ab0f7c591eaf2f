//! "Find a physiotherapist near you": the validated search and its distance queries (the door,
//! `directory::public`, reads the parameters into a [`Search`]). Nearest first by an index-ordered KNN scan (`<->` on the GiST index), within the radius by
//! `ST_DWithin`, with a keyset cursor on (distance, id) so pages are stable when distances tie.

use crate::directory::places::{self, Origin, Point, Unknown};
use crate::domain::Invalid;
use crate::error::{ApiError, FieldError};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

pub const DEFAULT_RADIUS_KM: f64 = 25.0;
pub const MAX_RADIUS_KM: f64 = 500.0;

/// A validated search, its origin not yet placed on the map.
#[derive(Debug)]
pub struct Search {
    pub origin: Origin,
    pub radius_km: f64,
    pub filters: Filters,
    pub limit: i64,
    pub after: Option<DistanceCursor>,
}

#[derive(Debug, Default)]
pub struct Filters {
    pub discipline: Option<&'static str>,
    pub service: Option<String>,
    pub language: Option<String>,
    pub mode: Option<&'static str>,
}

/// Where the previous page ended: its last row's distance (metres, as computed by `<->`) and id.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct DistanceCursor {
    pub d: f64,
    pub id: Uuid,
}

impl Search {
    /// Places the origin; an unknown postal code or city is a 422 saying which.
    pub async fn locate(&self, conn: &mut PgConnection) -> Result<Point, ApiError> {
        match places::resolve(conn, &self.origin).await? {
            Ok(point) => Ok(point),
            Err(Unknown::PostalArea(fsa)) => Err(ApiError::Validation(vec![FieldError::new(
                "postal_code",
                Invalid::new("unknown_postal_code", "field-unknown-postal-code").arg("fsa", fsa),
            )])),
            Err(Unknown::City(city)) => Err(ApiError::Validation(vec![FieldError::new(
                "city",
                Invalid::new("unknown_city", "field-unknown-city").arg("city", city),
            )])),
        }
    }
}

/// Metres to kilometres, one decimal.
pub fn kilometres(metres: f64) -> f64 {
    (metres / 100.0).round() / 10.0
}

/// What every answer says about a practitioner.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct PractitionerCard {
    pub id: Uuid,
    pub name: String,
    /// `physiotherapy` or `chiropractic`.
    pub discipline: String,
    pub services: Vec<String>,
    /// ISO 639-1 codes.
    pub languages: Vec<String>,
    /// `phone`, `video`, `in_person`.
    pub consult_modes: Vec<String>,
}

/// One practitioner row of a search, flat as SQL returns it.
#[derive(Debug, sqlx::FromRow)]
pub struct PractitionerRow {
    #[sqlx(flatten)]
    pub practitioner: PractitionerCard,
    pub clinic_id: Uuid,
    pub clinic_name: String,
    pub address: String,
    pub city: String,
    pub province: String,
    pub postal_code: String,
    pub phone: String,
    pub latitude: f64,
    pub longitude: f64,
    pub time_zone: String,
    pub distance_m: Option<f64>,
}

const PRACTITIONER_COLUMNS: &str = "p.id, p.name, p.discipline, p.services, p.languages, p.consult_modes, \
     c.id AS clinic_id, c.name AS clinic_name, c.address, c.city, c.province, c.postal_code, c.phone, \
     c.latitude, c.longitude, c.time_zone";

/// The origin as a geography, written inline so the planner treats it as a constant and can order
/// the GiST index scan by distance to it.
const ORIGIN: &str = "ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography";

/// Builds a nearest-first page query over rows aliased `alias` (which have `location` and `id`).
///
/// Postgres orders a GiST scan by distance only when distance is the sole sort key, but a stable
/// page needs `(distance, id)`. So the query runs in two steps: first the `limit` nearest matching
/// rows by distance alone (an index-ordered KNN scan that stops early), which gives the distance the
/// page cannot go beyond; then every matching row up to that distance, sorted by `(distance, id)`.
/// Ties at the page edge are all in the second step, so the order is exact.
///
/// `_ST_Expand` is the bounding box PostGIS's own `ST_DWithin` uses as its index condition; naming
/// it keeps the first step on the index whatever plan the row estimates would pick.
fn nearest_page_sql(alias: &str, columns: &str, from: &str, matching: &str) -> String {
    let distance = format!("({alias}.location <-> {ORIGIN})");
    let after_cursor =
        format!("($8::float8 IS NULL OR {distance} > $8 OR ({distance} = $8 AND {alias}.id > $9))");
    format!(
        "WITH nearest AS (
            SELECT {distance} AS d FROM {from}
             WHERE {matching} AND {alias}.location && _ST_Expand({ORIGIN}, $3) AND {after_cursor}
             ORDER BY {distance}
             LIMIT $10),
          bound AS (SELECT max(d) AS d FROM nearest)
         SELECT {columns}, {distance} AS distance_m
           FROM bound, {from}
          WHERE bound.d IS NOT NULL
            AND {matching}
            AND ST_DWithin({alias}.location, {ORIGIN}, LEAST(bound.d + 0.01, $3), false)
            AND ST_DWithin({alias}.location, {ORIGIN}, $3, false)
            AND {distance} <= bound.d
            AND {after_cursor}
          ORDER BY {distance}, {alias}.id
          LIMIT $10"
    )
}

/// Active practitioners (aliased `p`) matching the filters $4..$7.
const PRACTITIONER_MATCHES: &str = "p.active
    AND ($4::text IS NULL OR p.discipline = $4)
    AND ($5::text IS NULL OR p.services @> ARRAY[$5::text])
    AND ($6::text IS NULL OR p.languages @> ARRAY[$6::text])
    AND ($7::text IS NULL OR p.consult_modes @> ARRAY[$7::text])";

/// The SQL of a practitioner search (binds: lng, lat, radius m, 4 filters, cursor d and id, limit).
pub fn practitioners_near_sql() -> String {
    nearest_page_sql(
        "p",
        PRACTITIONER_COLUMNS,
        "practitioners p JOIN clinics c ON c.id = p.clinic_id",
        PRACTITIONER_MATCHES,
    )
}

/// The SQL of a clinic search: clinics with a matching active practitioner.
pub fn clinics_near_sql() -> String {
    nearest_page_sql(
        "c",
        "c.id, c.name, c.address, c.city, c.province, c.postal_code, c.phone, c.latitude, c.longitude, c.time_zone",
        "clinics c",
        &format!(
            "EXISTS (SELECT 1 FROM practitioners p WHERE p.clinic_id = c.id AND {PRACTITIONER_MATCHES})"
        ),
    )
}

async fn nearest<T>(
    conn: &mut PgConnection,
    sql: String,
    point: Point,
    search: &Search,
) -> Result<Vec<T>, sqlx::Error>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
{
    let filters = &search.filters;
    // Runtime SQL: one template writes both searches (tests/api/directory.rs EXPLAINs its plan).
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(point.longitude)
        .bind(point.latitude)
        .bind(search.radius_km * 1000.0)
        .bind(filters.discipline)
        .bind(&filters.service)
        .bind(&filters.language)
        .bind(filters.mode)
        .bind(search.after.map(|cursor| cursor.d))
        .bind(search.after.map(|cursor| cursor.id))
        .bind(search.limit + 1)
        .fetch_all(conn)
        .await
}

pub async fn practitioners_near(
    conn: &mut PgConnection,
    point: Point,
    search: &Search,
) -> Result<Vec<PractitionerRow>, sqlx::Error> {
    nearest(conn, practitioners_near_sql(), point, search).await
}

/// A clinic as public results show it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct ClinicSummary {
    pub id: Uuid,
    pub name: String,
    pub address: String,
    pub city: String,
    /// Two-letter province or territory code.
    pub province: String,
    /// `A1A 1A1`.
    pub postal_code: String,
    /// E.164.
    pub phone: String,
    pub latitude: f64,
    pub longitude: f64,
    /// IANA time zone, e.g. `America/Toronto`.
    pub time_zone: String,
}

/// A clinic row of a search.
#[derive(Debug, sqlx::FromRow)]
pub struct ClinicRow {
    #[sqlx(flatten)]
    pub clinic: ClinicSummary,
    pub distance_m: f64,
}

/// Clinics with at least one active practitioner matching the filters, nearest first.
pub async fn clinics_near(
    conn: &mut PgConnection,
    point: Point,
    search: &Search,
) -> Result<Vec<ClinicRow>, sqlx::Error> {
    nearest(conn, clinics_near_sql(), point, search).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kilometres_have_one_decimal() {
        assert_eq!(kilometres(1234.0), 1.2);
        assert_eq!(kilometres(1250.0), 1.3);
        assert_eq!(kilometres(0.0), 0.0);
    }
}
