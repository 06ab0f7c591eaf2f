//! The searches' order and paging against a brute-force reference (issue 18): random clinics on a
//! few shared points (so distances tie between clinics and within each clinic's team), random
//! practitioners, origins, radii, filters and page sizes. Every page of `GET /v1/practitioners` and
//! `GET /v1/clinics`, followed through `next_cursor`, must give exactly the reference's list:
//! the matching active practitioners within the radius ordered by (distance, clinic, id), and the
//! clinics with one ordered by (distance, id). Distances of the reference are the sphere's
//! (PostGIS's geography `<->`); cases where two different points, or a point and the radius, are
//! too close to call are skipped rather than decided by rounding.

use crate::helpers::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::Value;
use uuid::Uuid;

/// PostGIS's sphere for geography distances: the WGS 84 mean radius.
const EARTH_RADIUS_M: f64 = 6_371_008.771_415_06;

const DISCIPLINES: [&str; 2] = ["physiotherapy", "chiropractic"];
const LANGUAGES: [&str; 2] = ["en", "fr"];
const MODES: [&str; 3] = ["phone", "video", "in_person"];
const SERVICES: [&str; 2] = ["acupuncture", "dry needling"];

#[derive(Debug, Clone)]
struct Practitioner {
    discipline: usize,
    languages: Vec<&'static str>,
    modes: Vec<&'static str>,
    services: Vec<&'static str>,
    active: bool,
}

#[derive(Debug, Clone)]
struct World {
    /// Grid points (lat, lng); clinics stand on them, several on one.
    points: Vec<(f64, f64)>,
    /// Each clinic: its point and its team.
    clinics: Vec<(usize, Vec<Practitioner>)>,
    origin: (f64, f64),
    radius_km: f64,
    discipline: Option<usize>,
    language: Option<usize>,
    mode: Option<usize>,
    service: Option<usize>,
    limit: usize,
}

fn practitioner() -> impl Strategy<Value = Practitioner> {
    (
        0..2usize,
        proptest::sample::subsequence(LANGUAGES.to_vec(), 1..=2),
        proptest::sample::subsequence(MODES.to_vec(), 1..=3),
        proptest::sample::subsequence(SERVICES.to_vec(), 0..=2),
        proptest::bool::weighted(0.85),
    )
        .prop_map(
            |(discipline, languages, modes, services, active)| Practitioner {
                discipline,
                languages,
                modes,
                services,
                active,
            },
        )
}

fn world() -> impl Strategy<Value = World> {
    let grid =
        proptest::sample::subsequence((0..64).collect::<Vec<u32>>(), 1..=6).prop_map(|cells| {
            cells
                .into_iter()
                .map(|cell| {
                    (
                        43.60 + f64::from(cell / 8) * 0.013,
                        -79.45 + f64::from(cell % 8) * 0.017,
                    )
                })
                .collect::<Vec<_>>()
        });
    grid.prop_flat_map(|points| {
        let count = points.len();
        (
            Just(points),
            proptest::collection::vec(
                (0..count, proptest::collection::vec(practitioner(), 0..=7)),
                1..=9,
            ),
            (43.55..43.75f64, -79.55..-79.25f64),
            proptest::sample::select(vec![2.0, 6.0, 25.0]),
            proptest::option::weighted(0.3, 0..2usize),
            proptest::option::weighted(0.2, 0..2usize),
            proptest::option::weighted(0.2, 0..3usize),
            proptest::option::weighted(0.2, 0..2usize),
            1..=6usize,
        )
    })
    .prop_map(
        |(points, clinics, origin, radius_km, discipline, language, mode, service, limit)| World {
            points,
            clinics,
            origin,
            radius_km,
            discipline,
            language,
            mode,
            service,
            limit,
        },
    )
}

/// The great-circle distance on PostGIS's sphere, in metres.
fn distance_m(from: (f64, f64), to: (f64, f64)) -> f64 {
    let (lat1, lng1) = (from.0.to_radians(), from.1.to_radians());
    let (lat2, lng2) = (to.0.to_radians(), to.1.to_radians());
    let a = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lng2 - lng1) / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * a.sqrt().asin()
}

impl World {
    fn matches(&self, practitioner: &Practitioner) -> bool {
        practitioner.active
            && self
                .discipline
                .is_none_or(|wanted| practitioner.discipline == wanted)
            && self
                .language
                .is_none_or(|wanted| practitioner.languages.contains(&LANGUAGES[wanted]))
            && self
                .mode
                .is_none_or(|wanted| practitioner.modes.contains(&MODES[wanted]))
            && self
                .service
                .is_none_or(|wanted| practitioner.services.contains(&SERVICES[wanted]))
    }

    /// Whether rounding could decide the answer: two points' distances, or a point's distance and
    /// the radius, within a metre of each other.
    fn too_close_to_call(&self) -> bool {
        let distances: Vec<f64> = self
            .points
            .iter()
            .map(|point| distance_m(self.origin, *point))
            .collect();
        let radius = self.radius_km * 1000.0;
        distances.iter().enumerate().any(|(i, a)| {
            (a - radius).abs() < 1.0 || distances[i + 1..].iter().any(|b| (a - b).abs() < 1.0)
        })
    }

    fn query(&self) -> String {
        let mut query = format!(
            "near={},{}&radius_km={}&limit={}",
            self.origin.0, self.origin.1, self.radius_km, self.limit
        );
        if let Some(discipline) = self.discipline {
            query.push_str(&format!("&discipline={}", DISCIPLINES[discipline]));
        }
        if let Some(language) = self.language {
            query.push_str(&format!("&language={}", LANGUAGES[language]));
        }
        if let Some(mode) = self.mode {
            query.push_str(&format!("&mode={}", MODES[mode]));
        }
        if let Some(service) = self.service {
            query.push_str(&format!(
                "&service={}",
                SERVICES[service].replace(' ', "%20")
            ));
        }
        query
    }
}

/// The rows of a world as stored: clinic ids and practitioner ids in the world's order.
struct Stored {
    clinics: Vec<Uuid>,
    practitioners: Vec<Vec<Uuid>>,
}

async fn store(app: &TestApp, world: &World) -> Stored {
    sqlx::query("DELETE FROM practitioners")
        .execute(&app.db)
        .await
        .unwrap();
    sqlx::query("DELETE FROM clinics")
        .execute(&app.db)
        .await
        .unwrap();
    let mut stored = Stored {
        clinics: Vec::new(),
        practitioners: Vec::new(),
    };
    for (index, (point, team)) in world.clinics.iter().enumerate() {
        let (lat, lng) = world.points[*point];
        let clinic = Uuid::new_v4();
        sqlx::query(
            "INSERT INTO clinics (id, name, address, city, province, postal_code, phone, latitude, longitude, time_zone)
             VALUES ($1, $2, '1 King St', 'Toronto', 'ON', 'M5V 2T6', '+14165550100', $3, $4, 'America/Toronto')",
        )
        .bind(clinic)
        .bind(format!("Clinic {index}"))
        .bind(lat)
        .bind(lng)
        .execute(&app.db)
        .await
        .unwrap();
        let mut ids = Vec::new();
        for (number, practitioner) in team.iter().enumerate() {
            // Random ids, so that id order and insertion order differ.
            let id = Uuid::new_v4();
            sqlx::query(
                "INSERT INTO practitioners (id, clinic_id, name, discipline, services, languages, consult_modes, active)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id)
            .bind(clinic)
            .bind(format!("Practitioner {index}.{number}"))
            .bind(DISCIPLINES[practitioner.discipline])
            .bind(&practitioner.services)
            .bind(&practitioner.languages)
            .bind(&practitioner.modes)
            .bind(practitioner.active)
            .execute(&app.db)
            .await
            .unwrap();
            ids.push(id);
        }
        stored.clinics.push(clinic);
        stored.practitioners.push(ids);
    }
    stored
}

/// Every item of every page of `path?query`, following `next_cursor`.
async fn all_pages(app: &TestApp, path: &str, query: &str) -> Result<Vec<Value>, String> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..200 {
        let url = match &cursor {
            Some(cursor) => format!("{path}?{query}&cursor={cursor}"),
            None => format!("{path}?{query}"),
        };
        let response = app.get(&url).await;
        if response.status() != 200 {
            return Err(format!("{url}: {}", response.text().await.unwrap()));
        }
        let page: Value = response.json().await.unwrap();
        let found = page["items"].as_array().unwrap();
        let limit: usize = query
            .split('&')
            .find_map(|pair| pair.strip_prefix("limit="))
            .unwrap()
            .parse()
            .unwrap();
        if found.len() > limit {
            return Err(format!("{url}: {} items on a page of {limit}", found.len()));
        }
        items.extend(found.iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return Ok(items),
        }
    }
    Err("more than 200 pages".to_owned())
}

fn ids_of(items: &[Value]) -> Vec<Uuid> {
    items
        .iter()
        .map(|item| item["id"].as_str().unwrap().parse().unwrap())
        .collect()
}

async fn check(app: &TestApp, world: &World) -> Result<(), TestCaseError> {
    let stored = store(app, world).await;
    let radius = world.radius_km * 1000.0;
    // The reference: everything, filtered and sorted the slow, obvious way.
    let mut practitioners: Vec<(f64, Uuid, Uuid)> = Vec::new();
    let mut clinics: Vec<(f64, Uuid)> = Vec::new();
    for (index, (point, team)) in world.clinics.iter().enumerate() {
        let distance = distance_m(world.origin, world.points[*point]);
        if distance > radius {
            continue;
        }
        let clinic = stored.clinics[index];
        let mut any = false;
        for (number, practitioner) in team.iter().enumerate() {
            if world.matches(practitioner) {
                any = true;
                practitioners.push((distance, clinic, stored.practitioners[index][number]));
            }
        }
        if any {
            clinics.push((distance, clinic));
        }
    }
    practitioners.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    clinics.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));

    let query = world.query();
    let found = all_pages(app, "/v1/practitioners", &query)
        .await
        .map_err(TestCaseError::fail)?;
    let expected: Vec<Uuid> = practitioners.iter().map(|row| row.2).collect();
    if ids_of(&found) != expected {
        let got: Vec<String> = found
            .iter()
            .map(|item| {
                format!(
                    "{} {} {}",
                    item["distance_km"], item["clinic"]["id"], item["id"]
                )
            })
            .collect();
        let want: Vec<String> = practitioners
            .iter()
            .map(|row| format!("{:.1} {} {}", row.0 / 1000.0, row.1, row.2))
            .collect();
        return Err(TestCaseError::fail(format!(
            "practitioners for {query}\ngot:\n{}\nwant:\n{}",
            got.join("\n"),
            want.join("\n")
        )));
    }
    let found = all_pages(app, "/v1/clinics", &query)
        .await
        .map_err(TestCaseError::fail)?;
    let expected: Vec<Uuid> = clinics.iter().map(|row| row.1).collect();
    prop_assert_eq!(ids_of(&found), expected, "clinics for {}", query);
    Ok(())
}

#[test]
fn search_pages_follow_a_brute_force_reference_through_every_tie() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let app = runtime.block_on(TestApp::spawn_with(Overrides::from([(
        "PUBLIC_READ_RATE_LIMIT",
        "1000000/min".to_owned(),
    )])));
    let mut runner = TestRunner::new(Config {
        cases: 96,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&world(), |world| {
        prop_assume!(!world.too_close_to_call());
        runtime.block_on(check(&app, &world))
    });
    if let Err(error) = result {
        panic!("{error}");
    }
    drop(app);
}
