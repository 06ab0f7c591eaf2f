//! `consultdesk seed-demo`: the demo data make a working search, seeding twice changes nothing, and
//! `--practitioners N` spreads generated practitioners over the postal areas' centroids.

use crate::binary::BINARY;
use crate::helpers::*;
use consultdesk::seed::{self, LOAD_CLINIC_PREFIX};
use serde_json::Value;
use std::process::Command;

/// Great-circle distance in km on the sphere PostGIS's `<->` uses for geography (mean radius).
fn haversine_km((lat1, lng1): (f64, f64), (lat2, lng2): (f64, f64)) -> f64 {
    let (dlat, dlng) = ((lat2 - lat1).to_radians(), (lng2 - lng1).to_radians());
    let a = (dlat / 2.0).sin().powi(2)
        + lat1.to_radians().cos() * lat2.to_radians().cos() * (dlng / 2.0).sin().powi(2);
    2.0 * 6_371.008_8 * a.sqrt().asin()
}

async fn counts(app: &TestApp) -> (i64, i64) {
    (app.count("clinics").await, app.count("practitioners").await)
}

async fn items(app: &TestApp, query: &str) -> Vec<Value> {
    let response = app.get(&format!("/v1/practitioners?{query}")).await;
    assert_eq!(response.status(), 200, "{query}");
    json_of(response).await["items"]
        .as_array()
        .cloned()
        .expect("items")
}

#[tokio::test]
async fn demo_data_answer_a_city_search_nearest_first() {
    let app = TestApp::spawn().await;
    let report = seed::seed_demo(&app.db).await.expect("seeding");
    assert!(report.clinics.len() >= 6 && report.clinics_created() == report.clinics.len());

    let found = items(&app, "city=Toronto").await;
    let toronto_practitioners = report
        .clinics
        .iter()
        .filter(|clinic| clinic.city == "Toronto")
        .map(|clinic| clinic.practitioners.len())
        .sum::<usize>();
    assert_eq!(
        found.len(),
        toronto_practitioners,
        "only Toronto is within 25 km"
    );
    let toronto = (43.666, -79.394); // the reference place the API resolves `city=Toronto` to
    let distances: Vec<f64> = found
        .iter()
        .map(|item| item["distance_km"].as_f64().expect("distance"))
        .collect();
    assert!(
        distances.windows(2).all(|pair| pair[0] <= pair[1]),
        "{distances:?}"
    );
    for item in &found {
        let clinic = &item["clinic"];
        assert_eq!(clinic["city"], "Toronto");
        assert_eq!(clinic["time_zone"], "America/Toronto");
        let at = (
            clinic["latitude"].as_f64().expect("lat"),
            clinic["longitude"].as_f64().expect("lng"),
        );
        let expected = haversine_km(toronto, at);
        let got = item["distance_km"].as_f64().expect("distance");
        assert!(
            (got - expected).abs() <= 0.051 + expected * 0.005,
            "{got} vs {expected}"
        );
    }
    assert_eq!(
        found[0]["clinic"]["name"], "Bloor-Yorkville Chiropractic & Physiotherapy",
        "Bloor St is nearer the city's reference point than King St"
    );

    // Montréal: accent-insensitive, French-speaking practitioners, Eastern time.
    let montreal = items(&app, "city=montreal&language=fr").await;
    assert!(montreal.len() >= 3);
    assert!(
        montreal
            .iter()
            .all(|item| item["clinic"]["city"] == "Montréal"
                && item["clinic"]["time_zone"] == "America/Toronto")
    );
    // Every demo city finds its own practitioners.
    for city in ["Vancouver", "Calgary", "Ottawa", "Halifax", "Winnipeg"] {
        let found = items(&app, &format!("city={city}")).await;
        assert!(found.len() >= 2, "{city}");
        assert!(
            found.iter().all(|item| item["clinic"]["city"] == city),
            "{city}"
        );
    }
}

#[tokio::test]
async fn demo_clinics_sit_in_their_postal_area_and_province() {
    let app = TestApp::spawn().await;
    seed::seed_demo(&app.db).await.expect("seeding");
    // The postal code's FSA is a real one, of the clinic's province, and its centroid is near the clinic.
    let misplaced: Vec<(String, String, Option<f64>)> = sqlx::query_as(
        "SELECT c.name, c.postal_code, ST_Distance(c.location, a.location) / 1000
           FROM clinics c LEFT JOIN postal_areas a
             ON a.fsa = left(c.postal_code, 3) AND a.province = c.province
          WHERE a.fsa IS NULL OR ST_Distance(c.location, a.location) > 5000",
    )
    .fetch_all(&app.db)
    .await
    .expect("query");
    assert!(misplaced.is_empty(), "{misplaced:?}");
}

#[tokio::test]
async fn seeding_the_demo_twice_changes_nothing() {
    let app = TestApp::spawn().await;
    let first = seed::seed_demo(&app.db).await.expect("first seeding");
    let after_first = counts(&app).await;
    let second = seed::seed_demo(&app.db).await.expect("second seeding");
    assert_eq!(counts(&app).await, after_first);
    assert_eq!(
        (second.clinics_created(), second.practitioners_created()),
        (0, 0)
    );
    assert_eq!(
        after_first,
        (first.clinics.len() as i64, first.practitioners() as i64)
    );
}

#[tokio::test]
async fn load_seeding_spreads_practitioners_over_postal_area_centroids() {
    let app = TestApp::spawn().await;
    assert_eq!(seed::seed_load(&app.db, 500).await.expect("seeding"), 500);

    let (practitioners, clinics): (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(DISTINCT c.id) FROM practitioners p JOIN clinics c ON c.id = p.clinic_id
          WHERE p.active AND c.name LIKE $1 || ' %'",
    )
    .bind(LOAD_CLINIC_PREFIX)
    .fetch_one(&app.db)
    .await
    .expect("counting");
    assert_eq!(practitioners, 500);
    assert!(clinics >= 100, "{clinics} clinics");
    let provinces: i64 = sqlx::query_scalar("SELECT count(DISTINCT province) FROM clinics")
        .fetch_one(&app.db)
        .await
        .expect("provinces");
    assert!(
        provinces >= 8,
        "spread over the country, not one province: {provinces}"
    );

    // Each generated clinic stands exactly on its postal area's centroid.
    let off_centroid: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM clinics c LEFT JOIN postal_areas a ON a.fsa = left(c.postal_code, 3)
          WHERE c.name LIKE $1 || ' %'
            AND (a.fsa IS NULL OR abs(ST_Y(a.location::geometry) - c.latitude) > 1e-9
                 OR abs(ST_X(a.location::geometry) - c.longitude) > 1e-9)",
    )
    .bind(LOAD_CLINIC_PREFIX)
    .fetch_one(&app.db)
    .await
    .expect("centroids");
    assert_eq!(off_centroid, 0);

    // Again: nothing new. More: only the difference.
    let before = counts(&app).await;
    assert_eq!(seed::seed_load(&app.db, 500).await.expect("again"), 0);
    assert_eq!(counts(&app).await, before);
    assert_eq!(seed::seed_load(&app.db, 520).await.expect("more"), 20);

    // And the API finds them: at a clinic's own point, distance 0.
    let (latitude, longitude): (f64, f64) = sqlx::query_as(
        "SELECT latitude, longitude FROM clinics WHERE name LIKE $1 || ' %' ORDER BY id LIMIT 1",
    )
    .bind(LOAD_CLINIC_PREFIX)
    .fetch_one(&app.db)
    .await
    .expect("a clinic");
    let found = items(&app, &format!("near={latitude},{longitude}&radius_km=1")).await;
    assert!(!found.is_empty());
    assert_eq!(found[0]["distance_km"], 0.0);
}

#[tokio::test]
async fn the_seed_demo_command_seeds_and_is_idempotent() {
    let app = TestApp::spawn().await;
    let run = |args: &[&str]| {
        let output = Command::new(BINARY)
            .arg("seed-demo")
            .args(args)
            .env("DATABASE_URL", &app.database_url)
            .env("RUST_LOG", "warn")
            .output()
            .expect("running consultdesk seed-demo");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let printed = run(&[]);
    assert!(printed.contains("King West Physiotherapy"), "{printed}");
    assert!(printed.contains("created"), "{printed}");
    let seeded = counts(&app).await;
    assert!(seeded.0 >= 6 && seeded.1 >= 12, "{seeded:?}");

    let printed = run(&["--practitioners", "120"]);
    assert!(
        !printed.contains("  created"),
        "nothing new the second time: {printed}"
    );
    assert!(printed.contains("120 created now"), "{printed}");
    assert_eq!(app.count("practitioners").await, seeded.1 + 120);
}

#[tokio::test]
async fn demo_practitioners_have_hours_so_they_can_be_booked() {
    let app = TestApp::spawn().await;
    consultdesk::seed::seed_demo(&app.db).await.unwrap();
    let page = json_of(app.get("/v1/practitioners?city=Toronto").await).await;
    let first = &page["items"][0];
    assert!(first["next_available"].is_string(), "{first}");
    let slots_path = format!("/v1/practitioners/{}/slots", first["id"].as_str().unwrap());
    let slots = json_of(app.get(&slots_path).await).await;
    assert!(!slots["slots"].as_array().unwrap().is_empty());
    assert_eq!(slots["slots"][0]["starts_at"], first["next_available"]);
}
