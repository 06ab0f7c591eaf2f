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
#[derive(Debug, Clone)]
pub struct Search {
    pub origin: Origin,
    pub radius_km: f64,
    pub filters: Filters,
    pub limit: i64,
    pub after: Option<DistanceCursor>,
}

#[derive(Debug, Default, Clone)]
pub struct Filters {
    pub discipline: Option<&'static str>,
    pub service: Option<String>,
    pub language: Option<String>,
    pub mode: Option<&'static str>,
}

/// Where the previous page ended: its last row's distance (metres, as computed by `<->`), its
/// clinic (practitioner searches) and its id. Practitioners are ordered by (distance, clinic, id):
/// every practitioner stands on their clinic's point, so a clinic's team ties as a block.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct DistanceCursor {
    pub d: f64,
    /// The row's clinic; absent in clinic searches and in cursors from before it was added (those
    /// are resolved from the practitioner's id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub c: Option<Uuid>,
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

/// The origin as a geography, written inline so the planner treats it as a constant and can order
/// the GiST index scan by distance to it.
const ORIGIN: &str = "ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography";

/// Which optional parts a search's statement holds. A condition such as `($4 IS NULL OR …)` costs
/// planning time on every execution (the custom plans searches need are made per execution), so
/// each combination of given filters and cursor is a statement of its own, holding only what it
/// needs. The binds are the same for all of them (see [`nearest`]); the unused ones are ignored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Shape {
    pub discipline: bool,
    pub service: bool,
    pub language: bool,
    pub mode: bool,
    pub after: bool,
}

impl Shape {
    fn of(search: &Search) -> Shape {
        let filters = &search.filters;
        Shape {
            discipline: filters.discipline.is_some(),
            service: filters.service.is_some(),
            language: filters.language.is_some(),
            mode: filters.mode.is_some(),
            after: search.after.is_some(),
        }
    }

    /// The practitioner conditions (`p` active and matching the given filters $4..$7).
    fn matching(self, alias: &str) -> String {
        let mut conditions = format!("{alias}.active");
        for (given, condition) in [
            (self.discipline, "discipline = $4"),
            (self.service, "services @> ARRAY[$5::text]"),
            (self.language, "languages @> ARRAY[$6::text]"),
            (self.mode, "consult_modes @> ARRAY[$7::text]"),
        ] {
            if given {
                conditions.push_str(&format!(" AND {alias}.{condition}"));
            }
        }
        conditions
    }
}

/// `bound`: the distance a page cannot go beyond, the largest of the `limit` nearest rows of `from`
/// (`table alias`) that match and come after the cursor, by an index-ordered KNN scan that stops
/// early. `_ST_Expand` is the bounding box PostGIS's own `ST_DWithin` uses as its index condition.
fn bound_cte(from: &str, distance: &str, matching: &str, after: &str) -> String {
    let alias = from.rsplit(' ').next().unwrap_or(from);
    format!(
        "WITH bound AS (
            SELECT max(d) AS d FROM (
              SELECT {distance} AS d FROM {from}
               WHERE {matching} AND {alias}.location && _ST_Expand({ORIGIN}, $3){after}
               ORDER BY {distance}
               LIMIT $11) nearest)"
    )
}

/// Binds: lng, lat, radius (m), discipline, service, language, mode, cursor distance, cursor
/// clinic, cursor id, limit + 1.
///
/// Nearest first in three steps, each on an index:
/// 1. `bound`: the distance the page cannot go beyond, from an index-ordered KNN scan of the
///    matching practitioners that stops after `limit` rows (the bare KNN's cost);
/// 2. the clinics up to that distance (within the radius), by the clinics' GiST index: usually one
///    or two, since practitioners stand on their clinic's point;
/// 3. per clinic, its first matching practitioners by id (`practitioners_clinic_active`),
///    at most `limit` each;
///
/// and then sorts those few rows by (distance, clinic, id). A clinic's tied team is read in id
/// order up to the page's end instead of whole and re-sorted, so ties cost nothing extra.
fn practitioners_sql(shape: Shape) -> String {
    let matching = shape.matching("p");
    let distance = |alias: &str| format!("({alias}.location <-> {ORIGIN})");
    let (p_distance, c_distance) = (distance("p"), distance("c"));
    let (after_row, after_clinic, after_in_clinic) = if shape.after {
        (
            format!(
                " AND ({p_distance} > $8 OR ({p_distance} = $8 AND (p.clinic_id, p.id) > ($9, $10)))"
            ),
            format!(" AND ({c_distance} > $8 OR ({c_distance} = $8 AND c.id >= $9))"),
            " AND (c.d > $8 OR c.id > $9 OR p.id > $10)".to_owned(),
        )
    } else {
        Default::default()
    };
    let bound = bound_cte("practitioners p", &p_distance, &matching, &after_row);
    format!(
        "{bound}
         SELECT p.id, p.name, p.discipline, p.services, p.languages, p.consult_modes,
                c.id AS clinic_id, c.name AS clinic_name, c.address, c.city, c.province, c.postal_code,
                c.phone, c.latitude, c.longitude, c.time_zone, c.d AS distance_m
           FROM (SELECT c.id, c.name, c.address, c.city, c.province, c.postal_code, c.phone,
                        c.latitude, c.longitude, c.time_zone, {c_distance} AS d
                   FROM bound, clinics c
                  WHERE c.location && _ST_Expand({ORIGIN}, LEAST(bound.d + 0.01, $3))
                    AND {c_distance} <= LEAST(bound.d, $3){after_clinic}) c
          CROSS JOIN LATERAL (
                 SELECT p.id, p.name, p.discipline, p.services, p.languages, p.consult_modes
                   FROM practitioners p
                  WHERE p.clinic_id = c.id AND {matching}{after_in_clinic}
                  ORDER BY p.id
                  LIMIT $11) p
          ORDER BY c.d, c.id, p.id
          LIMIT $11"
    )
}

/// Clinics (aliased `c`) with a matching active practitioner, nearest first by (distance, id), in
/// two steps: the distance the page cannot go beyond (`bound`), then every such clinic up to that
/// distance, sorted exactly.
fn clinics_sql(shape: Shape) -> String {
    let matching = format!(
        "EXISTS (SELECT 1 FROM practitioners p WHERE p.clinic_id = c.id AND {})",
        shape.matching("p")
    );
    let distance = format!("(c.location <-> {ORIGIN})");
    let after = if shape.after {
        format!(" AND ({distance} > $8 OR ({distance} = $8 AND c.id > $10))")
    } else {
        String::new()
    };
    let bound = bound_cte("clinics c", &distance, &matching, &after);
    format!(
        "{bound}
         SELECT c.id, c.name, c.address, c.city, c.province, c.postal_code, c.phone, c.latitude,
                c.longitude, c.time_zone, {distance} AS distance_m
           FROM bound, clinics c
          WHERE c.location && _ST_Expand({ORIGIN}, LEAST(bound.d + 0.01, $3))
            AND {distance} <= LEAST(bound.d, $3)
            AND {matching}{after}
          ORDER BY {distance}, c.id
          LIMIT $11"
    )
}

/// Every shape's statement, written once.
struct Statements {
    practitioners: Vec<String>,
    clinics: Vec<String>,
}

const SHAPES: usize = 32;

static STATEMENTS: std::sync::LazyLock<Statements> = std::sync::LazyLock::new(|| {
    let shapes: Vec<Shape> = (0..SHAPES).map(shape_number).collect();
    Statements {
        practitioners: shapes
            .iter()
            .map(|shape| practitioners_sql(*shape))
            .collect(),
        clinics: shapes.iter().map(|shape| clinics_sql(*shape)).collect(),
    }
});

fn shape_number(n: usize) -> Shape {
    Shape {
        discipline: n & 1 != 0,
        service: n & 2 != 0,
        language: n & 4 != 0,
        mode: n & 8 != 0,
        after: n & 16 != 0,
    }
}

fn number_of(shape: Shape) -> usize {
    usize::from(shape.discipline)
        | usize::from(shape.service) << 1
        | usize::from(shape.language) << 2
        | usize::from(shape.mode) << 3
        | usize::from(shape.after) << 4
}

/// The statement of a practitioner search of `shape`.
pub fn practitioners_near_sql_for(shape: Shape) -> &'static str {
    &STATEMENTS.practitioners[number_of(shape)]
}

/// The statement of a first page without filters: the hot one (a connection's warm-up, the bench).
pub fn practitioners_near_sql() -> String {
    practitioners_near_sql_for(Shape::default()).to_owned()
}

async fn nearest<T>(
    conn: &mut PgConnection,
    sql: &'static str,
    point: Point,
    search: &Search,
) -> Result<Vec<T>, sqlx::Error>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
{
    let filters = &search.filters;
    // Runtime SQL: one template per shape (tests/api/directory.rs EXPLAINs the plan;
    // tests/api/search_paging.rs checks the order against a brute-force reference).
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(point.longitude)
        .bind(point.latitude)
        .bind(search.radius_km * 1000.0)
        .bind(filters.discipline)
        .bind(&filters.service)
        .bind(&filters.language)
        .bind(filters.mode)
        .bind(search.after.map(|cursor| cursor.d))
        .bind(search.after.and_then(|cursor| cursor.c))
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
    // A cursor written before cursors named the clinic: its practitioner's clinic (a deleted
    // practitioner's cursor starts over, as an unknown position must not skip anyone). Only such a
    // cursor costs a copy of the search.
    if let Some(cursor) = search.after
        && cursor.c.is_none()
    {
        let clinic = sqlx::query_scalar("SELECT clinic_id FROM practitioners WHERE id = $1")
            .bind(cursor.id)
            .fetch_optional(&mut *conn)
            .await?;
        let mut resolved = search.clone();
        resolved.after = clinic.map(|c| DistanceCursor {
            c: Some(c),
            ..cursor
        });
        let sql = practitioners_near_sql_for(Shape::of(&resolved));
        return nearest(conn, sql, point, &resolved).await;
    }
    let sql = practitioners_near_sql_for(Shape::of(search));
    nearest(conn, sql, point, search).await
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
    nearest(
        conn,
        &STATEMENTS.clinics[number_of(Shape::of(search))],
        point,
        search,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shape_has_its_own_statement_holding_only_what_it_binds() {
        for n in 0..SHAPES {
            let shape = shape_number(n);
            assert_eq!(number_of(shape), n);
            let sql = practitioners_near_sql_for(shape);
            assert_eq!(sql.contains("$4"), shape.discipline, "{shape:?}");
            assert_eq!(sql.contains("$7"), shape.mode, "{shape:?}");
            assert_eq!(sql.contains("$10"), shape.after, "{shape:?}");
            assert!(!sql.contains("IS NULL"), "{shape:?}");
        }
    }

    /// bench/run measures the statement the service runs, not an old copy of it.
    #[test]
    fn the_benchs_copy_of_the_hot_statement_is_the_statement() {
        let copy = include_str!("../../bench/pgbench/search_statement.sql");
        let words = |sql: &str| sql.split_whitespace().collect::<Vec<_>>().join(" ");
        let copy: String = copy
            .lines()
            .filter(|line| !line.starts_with("--"))
            .collect::<Vec<_>>()
            .join("\n")
            .replace(":lng", "$1")
            .replace(":lat", "$2")
            .replace(":radius", "$3")
            .replace(":limit", "$11");
        assert_eq!(
            words(copy.trim_end().trim_end_matches(';')),
            words(&practitioners_near_sql()),
            "bench/pgbench/search_statement.sql is out of step"
        );
    }

    #[test]
    fn kilometres_have_one_decimal() {
        assert_eq!(kilometres(1234.0), 1.2);
        assert_eq!(kilometres(1250.0), 1.3);
        assert_eq!(kilometres(0.0), 0.0);
    }
}
