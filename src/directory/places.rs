//! Turning "where" into a point: coordinates, a Canadian postal code (by its FSA) or a city name,
//! resolved through the GeoNames reference data loaded by the migrations.

use crate::domain::{Invalid, location};
use sqlx::PgConnection;

/// A point on the map, in degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub latitude: f64,
    pub longitude: f64,
}

/// Where the caller searches from, as they said it.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    Point(Point),
    /// A forward sortation area: the first three characters of a postal code.
    PostalArea(String),
    City {
        name: String,
        province: Option<String>,
    },
}

/// What [`parse_near`] accepts, as a pattern: `LAT,LNG` in decimal degrees, each in its range.
pub const NEAR_PATTERN: &str = r"^ *-?(90(\.0+)?|[1-8]?[0-9](\.[0-9]+)?) *, *-?(180(\.0+)?|(1[0-7][0-9]|[1-9]?[0-9])(\.[0-9]+)?) *$";
/// What [`parse_postal_area`] accepts, as a pattern: a full postal code or its first three characters.
pub const POSTAL_AREA_PATTERN: &str = "^ *[ABCEGHJ-NPRSTVXYabceghj-nprstvxy][0-9][ABCEGHJ-NPRSTV-Zabceghj-nprstv-z]( ?[0-9][ABCEGHJ-NPRSTV-Zabceghj-nprstv-z][0-9])? *$";
/// The longest city name, in characters.
pub const MAX_CITY_CHARS: usize = 100;

/// The search's `location` as the API document states it: exactly one of `near`, `postal_code`
/// and `city`, each a query parameter of its own (a form-style, exploded object).
pub fn location_schema() -> utoipa::openapi::schema::Schema {
    use crate::domain::schema;
    use utoipa::openapi::schema::{
        AdditionalProperties, ObjectBuilder, OneOfBuilder, Schema, SchemaType, Type,
    };
    let only = |name: &str, value: ObjectBuilder| {
        ObjectBuilder::new()
            .property(name, value)
            .required(name)
            .additional_properties(Some(AdditionalProperties::<Schema>::FreeForm(false)))
    };
    let near = only(
        "near",
        schema::text(1, 100, false)
            .pattern(Some(NEAR_PATTERN))
            .description(Some("LAT,LNG in degrees"))
            .examples(["43.65,-79.38"]),
    );
    let postal_code = only(
        "postal_code",
        schema::text(1, location::MAX_POSTAL_CODE_INPUT, false)
            .pattern(Some(POSTAL_AREA_PATTERN))
            .description(Some(
                "A Canadian postal code or its first three characters, the FSA (M5V 2T6, m5v2t6, M5V); \
                 an unknown one is a 422",
            ))
            .examples(["M5V 2T6"]),
    );
    let city = only(
        "city",
        schema::text(1, MAX_CITY_CHARS, false)
            .description(Some(
                "City, case- and accent-insensitive; `Richmond, BC` names the province; an unknown one is a 422",
            ))
            .examples(["Toronto"]),
    );
    OneOfBuilder::new()
        .schema_type(SchemaType::Type(Type::Object))
        .description(Some("Exactly one of near, postal_code and city"))
        .item(near)
        .item(postal_code)
        .item(city)
        .into()
}

/// `LAT,LNG` in degrees.
pub fn parse_near(raw: &str) -> Result<Point, Invalid> {
    let invalid = || Invalid::new("invalid_coordinates", "field-invalid-coordinates");
    let (lat, lng) = raw.split_once(',').ok_or_else(invalid)?;
    let parse = |part: &str| {
        part.trim()
            .parse::<f64>()
            .ok()
            .filter(|value| value.is_finite())
    };
    let (latitude, longitude) = (
        parse(lat).ok_or_else(invalid)?,
        parse(lng).ok_or_else(invalid)?,
    );
    let latitude = location::latitude(latitude).map_err(|_| invalid())?;
    let longitude = location::longitude(longitude).map_err(|_| invalid())?;
    Ok(Point {
        latitude,
        longitude,
    })
}

/// `M5V 2T6`, `m5v2t6` or just `M5V`: the FSA is what locates it.
pub use location::postal_area as parse_postal_area;

/// `Richmond`, or `Richmond, BC` naming the province after a comma.
pub fn parse_city(raw: &str, province: Option<&str>) -> Result<(String, Option<String>), Invalid> {
    let raw = raw.trim();
    let (name, named_province) = match raw.rsplit_once(',') {
        Some((name, suffix)) if location::province(suffix).is_ok() => {
            (name.trim(), location::province(suffix).ok())
        }
        _ => (raw, None),
    };
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty()
        || name.chars().count() > MAX_CITY_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(Invalid::new("invalid_city", "field-invalid-city"));
    }
    let province = match (named_province, province) {
        (Some(a), Some(b)) if a != b => {
            return Err(Invalid::new(
                "conflicting_province",
                "field-conflicting-province",
            ));
        }
        (Some(a), _) => Some(a),
        (None, b) => b.map(str::to_owned),
    };
    Ok((name, province))
}

/// Why a well-formed origin could not be placed.
#[derive(Debug)]
pub enum Unknown {
    PostalArea(String),
    City(String),
}

/// The point an origin stands for; `Ok(Err(_))` when no such postal area or city is known.
pub async fn resolve(
    conn: &mut PgConnection,
    origin: &Origin,
) -> Result<Result<Point, Unknown>, sqlx::Error> {
    let point = match origin {
        Origin::Point(point) => return Ok(Ok(*point)),
        Origin::PostalArea(fsa) => sqlx::query_as!(
            Point,
            r#"SELECT ST_Y(location::geometry) AS "latitude!", ST_X(location::geometry) AS "longitude!"
                 FROM postal_areas WHERE fsa = $1"#,
            fsa,
        )
        .fetch_optional(conn)
        .await?,
        Origin::City { name, province } => {
            // The data spell places without accents; compare accent- and case-insensitively.
            // Where a name exists in several provinces, the one with most postal codes wins.
            sqlx::query_as!(
                Point,
                r#"SELECT ST_Y(location::geometry) AS "latitude!", ST_X(location::geometry) AS "longitude!"
                     FROM places
                    WHERE name_key = lower(unaccent($1)) AND ($2::text IS NULL OR province = $2)
                    ORDER BY postal_codes DESC, id LIMIT 1"#,
                name,
                province.as_deref(),
            )
            .fetch_optional(conn)
            .await?
        }
    };
    Ok(match (point, origin) {
        (Some(point), _) => Ok(point),
        (None, Origin::PostalArea(fsa)) => Err(Unknown::PostalArea(fsa.clone())),
        (None, Origin::City { name, province }) => Err(Unknown::City(match province {
            Some(province) => format!("{name}, {province}"),
            None => name.clone(),
        })),
        (None, Origin::Point(_)) => unreachable!("points resolve to themselves"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near() {
        assert_eq!(
            parse_near("43.65,-79.38").unwrap(),
            Point {
                latitude: 43.65,
                longitude: -79.38
            }
        );
        assert_eq!(parse_near(" 43.65 , -79.38 ").unwrap().latitude, 43.65);
        for bad in [
            "", "43.65", "91,0", "0,181", "NaN,0", "inf,0", "1e400,0", "a,b", "1,2,3",
        ] {
            assert!(parse_near(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn postal_areas() {
        for ok in ["m5v2t6", "M5V 2T6", "M5V", " m5v "] {
            assert_eq!(parse_postal_area(ok).unwrap(), "M5V", "{ok}");
        }
        for bad in [
            "",
            "M5",
            "M5V2T",
            "55V",
            "Z5V",
            "M5V 2T6 X",
            "'; DROP TABLE x",
        ] {
            assert!(parse_postal_area(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn cities() {
        assert_eq!(
            parse_city("Richmond, BC", None).unwrap(),
            ("Richmond".into(), Some("BC".into()))
        );
        assert_eq!(
            parse_city("Richmond", Some("ON")).unwrap(),
            ("Richmond".into(), Some("ON".into()))
        );
        assert_eq!(
            parse_city("  Saint   John ", None).unwrap(),
            ("Saint John".into(), None)
        );
        assert_eq!(
            parse_city("Lakeville, Shediac", None).unwrap().0,
            "Lakeville, Shediac"
        );
        assert!(parse_city("Richmond, BC", Some("ON")).is_err());
        assert!(parse_city(" ", None).is_err());
    }
}
