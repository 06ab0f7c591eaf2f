//! "Find a physiotherapist near you": admin practitioners and the public location search.

use crate::helpers::*;
use serde_json::{Value, json};
use std::collections::HashSet;
use uuid::Uuid;

const TORONTO: (f64, f64) = (43.6487, -79.3817);

/// Great-circle distance in km (mean Earth radius), computed independently of PostGIS.
fn haversine_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lat2) = (a.0.to_radians(), b.0.to_radians());
    let (dlat, dlng) = ((b.0 - a.0).to_radians(), (b.1 - a.1).to_radians());
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlng / 2.0).sin().powi(2);
    2.0 * 6371.0088 * h.sqrt().asin()
}

struct Directory {
    app: TestApp,
    admin: String,
}

impl Directory {
    async fn new() -> Directory {
        let app = TestApp::spawn().await;
        let admin = app.admin_token().await;
        Directory { app, admin }
    }

    async fn clinic_at(&self, name: &str, lat: f64, lng: f64) -> Uuid {
        let mut body = clinic_body(name);
        body["latitude"] = json!(lat);
        body["longitude"] = json!(lng);
        let response = self
            .app
            .post_as("/v1/admin/clinics", &self.admin, &body)
            .await;
        assert_eq!(response.status(), 201);
        json_of(response).await["id"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap()
    }

    async fn practitioner(&self, clinic: Uuid, overrides: Value) -> Uuid {
        let mut body = json!({
            "clinic_id": clinic, "name": "Alex Physio", "discipline": "physiotherapy",
            "services": ["sports injuries"], "languages": ["en"], "consult_modes": ["phone", "video"]
        });
        for (key, value) in overrides.as_object().unwrap() {
            body[key] = value.clone();
        }
        let response = self
            .app
            .post_as("/v1/admin/practitioners", &self.admin, &body)
            .await;
        assert_eq!(response.status(), 201, "{body}");
        json_of(response).await["id"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap()
    }

    async fn search(&self, query: &str) -> reqwest::Response {
        self.app.get(&format!("/v1/practitioners?{query}")).await
    }

    async fn search_ok(&self, query: &str) -> Value {
        let response = self.search(query).await;
        assert_eq!(response.status(), 200, "{query}");
        json_of(response).await
    }

    async fn ids(&self, query: &str) -> Vec<String> {
        let page = self.search_ok(query).await;
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item["id"].as_str().unwrap().to_owned())
            .collect()
    }
}

#[tokio::test]
async fn admins_create_and_update_practitioners_with_validated_fields() {
    let dir = Directory::new().await;
    let clinic = dir.clinic_at("Downtown Physio", TORONTO.0, TORONTO.1).await;
    let response = dir
        .app
        .post_as(
            "/v1/admin/practitioners",
            &dir.admin,
            &json!({"clinic_id": clinic, "name": "Dr. Émilie Roy", "discipline": "Chiropractic",
                    "services": [" Dry  Needling ", "acupuncture", "acupuncture"], "languages": ["FR", "en"],
                    "consult_modes": ["in_person", "video"]}),
        )
        .await;
    assert_eq!(response.status(), 201);
    assert!(response.headers().contains_key("location"));
    let created = json_of(response).await;
    assert_eq!(created["discipline"], "chiropractic");
    assert_eq!(created["services"], json!(["dry needling", "acupuncture"]));
    assert_eq!(created["languages"], json!(["fr", "en"]));
    assert_eq!(created["active"], true);
    let id = created["id"].as_str().unwrap();

    let patched = dir
        .app
        .patch_as(
            &format!("/v1/admin/practitioners/{id}"),
            &dir.admin,
            &json!({"active": false, "name": "Émilie Roy"}),
        )
        .await;
    assert_eq!(patched.status(), 200);
    let patched = json_of(patched).await;
    assert_eq!(
        (patched["active"].clone(), patched["name"].clone()),
        (json!(false), json!("Émilie Roy"))
    );
    assert_eq!(
        patched["services"], created["services"],
        "untouched fields stay"
    );
    assert_eq!(
        dir.app
            .get_as(&format!("/v1/admin/practitioners/{id}"), &dir.admin)
            .await
            .status(),
        200
    );
    let listed_path = format!("/v1/admin/practitioners?clinic_id={clinic}");
    let listed = dir.app.get_json_as(&listed_path, &dir.admin).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn invalid_practitioners_name_every_field_and_an_unknown_clinic_is_422() {
    let dir = Directory::new().await;
    let bad = json!({"clinic_id": "nope", "name": "", "discipline": "massage", "languages": ["english", "fr"],
                     "consult_modes": [], "services": [""]});
    let response = dir
        .app
        .post_as("/v1/admin/practitioners", &dir.admin, &bad)
        .await;
    let expected = [
        "clinic_id",
        "consult_modes",
        "discipline",
        "languages[0]",
        "name",
        "services[0]",
    ];
    assert_invalid_fields(response, &expected).await;

    let unknown = json!({"clinic_id": Uuid::now_v7(), "name": "A", "discipline": "physiotherapy", "consult_modes": ["phone"]});
    let problem = assert_problem(
        dir.app
            .post_as("/v1/admin/practitioners", &dir.admin, &unknown)
            .await,
        422,
    )
    .await;
    assert_eq!(error_fields(&problem), vec!["clinic_id"]);
    assert_eq!(dir.app.count("practitioners").await, 0);

    let front_desk = dir
        .app
        .staff_token("front_desk", &[dir.clinic_at("A", 45.0, -75.0).await])
        .await;
    assert_problem(
        dir.app
            .post_as("/v1/admin/practitioners", &front_desk, &unknown)
            .await,
        403,
    )
    .await;
    assert_problem(
        dir.app.get_as("/v1/admin/practitioners", &front_desk).await,
        403,
    )
    .await;
}

#[tokio::test]
async fn results_are_nearest_first_within_the_radius_with_true_distances() {
    let dir = Directory::new().await;
    // Roughly 2, 9, 20 and 60 km from downtown Toronto.
    let places = [
        (43.6629, -79.3957),
        (43.7315, -79.3832),
        (43.8256, -79.3386),
        (44.0592, -79.4613),
    ];
    let mut expected = Vec::new();
    for (index, (lat, lng)) in places.iter().enumerate().rev() {
        let clinic = dir.clinic_at(&format!("Clinic {index}"), *lat, *lng).await;
        expected.push((
            dir.practitioner(clinic, json!({})).await.to_string(),
            (*lat, *lng),
        ));
    }
    expected.reverse();
    let page = dir
        .search_ok(&format!("near={},{}", TORONTO.0, TORONTO.1))
        .await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(
        items.len(),
        3,
        "the 60 km clinic is outside the default 25 km"
    );
    for (item, (id, point)) in items.iter().zip(&expected) {
        assert_eq!(item["id"].as_str().unwrap(), id);
        let km = item["distance_km"].as_f64().unwrap();
        let truth = haversine_km(TORONTO, *point);
        assert!(
            (km - truth).abs() <= truth * 0.005 + 0.05,
            "{km} km vs haversine {truth} km"
        );
        assert_eq!(km, (km * 10.0).round() / 10.0, "one decimal");
        assert!(item["next_available"].is_null());
        assert_eq!(item["clinic"]["time_zone"], "America/Toronto");
    }
    assert_eq!(
        dir.ids(&format!("near={},{}&radius_km=100", TORONTO.0, TORONTO.1))
            .await
            .len(),
        4
    );
    assert_eq!(
        dir.ids(&format!("near={},{}&radius_km=5", TORONTO.0, TORONTO.1))
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn filters_narrow_the_results() {
    let dir = Directory::new().await;
    let clinic = dir.clinic_at("Mixed Clinic", TORONTO.0, TORONTO.1).await;
    let physio = dir
        .practitioner(
            clinic,
            json!({"services": ["acupuncture"], "languages": ["en", "fr"]}),
        )
        .await;
    let chiro = dir
        .practitioner(clinic, json!({"discipline": "chiropractic", "consult_modes": ["in_person"], "languages": ["en"]}))
        .await;
    let hidden = dir
        .practitioner(clinic, json!({"services": ["acupuncture"]}))
        .await;
    dir.app
        .patch_as(
            &format!("/v1/admin/practitioners/{hidden}"),
            &dir.admin,
            &json!({"active": false}),
        )
        .await;
    let near = format!("near={},{}", TORONTO.0, TORONTO.1);
    let one = |id: Uuid| vec![id.to_string()];
    assert_eq!(
        dir.ids(&format!("{near}&discipline=chiropractic")).await,
        one(chiro)
    );
    assert_eq!(
        dir.ids(&format!("{near}&service=Acupuncture")).await,
        one(physio)
    );
    assert_eq!(dir.ids(&format!("{near}&language=fr")).await, one(physio));
    assert_eq!(dir.ids(&format!("{near}&mode=in_person")).await, one(chiro));
    assert_eq!(
        dir.ids(&format!("{near}&mode=video&discipline=physiotherapy"))
            .await,
        one(physio)
    );
    assert!(dir.ids(&format!("{near}&language=de")).await.is_empty());
    assert_eq!(
        dir.ids(&near).await.len(),
        2,
        "inactive practitioners never appear"
    );
    let public = dir.app.get(&format!("/v1/practitioners/{hidden}")).await;
    assert_problem(public, 404).await;
    let public = dir.app.get(&format!("/v1/practitioners/{physio}")).await;
    assert_eq!(public.status(), 200);
    assert!(json_of(public).await["distance_km"].is_null());
}

#[tokio::test]
async fn postal_codes_resolve_by_their_fsa_in_any_spelling() {
    let dir = Directory::new().await;
    // M5V is downtown Toronto (the CN Tower's area).
    let clinic = dir.clinic_at("King West Physio", 43.6426, -79.3871).await;
    let id = dir.practitioner(clinic, json!({})).await.to_string();
    for code in ["m5v2t6", "M5V%202T6", "M5V", "m5v"] {
        assert_eq!(
            dir.ids(&format!("postal_code={code}")).await,
            vec![id.clone()],
            "{code}"
        );
    }
    for malformed in ["M5", "12345", "M5V2T", "DROP%20TABLE", "M5V%202T6%20X"] {
        let problem =
            assert_problem(dir.search(&format!("postal_code={malformed}")).await, 422).await;
        assert_eq!(error_fields(&problem), vec!["postal_code"], "{malformed}");
    }
    // Well-formed, but no such area in Canada's data.
    let problem = assert_problem(dir.search("postal_code=Y9Z").await, 422).await;
    assert_eq!(problem["errors"][0]["code"], "unknown_postal_code");
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Y9Z")
    );
}

#[tokio::test]
async fn cities_resolve_accent_and_case_insensitively_and_can_name_a_province() {
    let dir = Directory::new().await;
    let montreal = dir.clinic_at("Plateau Physio", 45.5226, -73.5815).await;
    let montreal_id = dir
        .practitioner(montreal, json!({"languages": ["fr", "en"]}))
        .await
        .to_string();
    let richmond_bc = dir.clinic_at("Richmond Physio", 49.1666, -123.1336).await;
    let richmond_id = dir.practitioner(richmond_bc, json!({})).await.to_string();
    for city in ["montreal", "Montr%C3%A9al", "MONTREAL", "%20montreal%20"] {
        assert_eq!(
            dir.ids(&format!("city={city}")).await,
            vec![montreal_id.clone()],
            "{city}"
        );
    }
    // Richmond exists in several provinces; BC's has the most postal codes.
    assert_eq!(dir.ids("city=Richmond").await, vec![richmond_id.clone()]);
    assert_eq!(
        dir.ids("city=Richmond,%20BC").await,
        vec![richmond_id.clone()]
    );
    assert!(
        dir.ids("city=Richmond&province=ON").await.is_empty(),
        "Richmond, ON is far from both clinics"
    );
    let problem = assert_problem(dir.search("city=Atlantis").await, 422).await;
    assert_eq!(problem["errors"][0]["code"], "unknown_city");
    let problem = assert_problem(dir.search("city=Richmond,%20BC&province=ON").await, 422).await;
    assert_eq!(error_fields(&problem), vec!["city"]);
    let problem = assert_problem(dir.search("city=Toronto&province=XX").await, 422).await;
    assert_eq!(error_fields(&problem), vec!["province"]);
}

#[tokio::test]
async fn exactly_one_location_is_required() {
    let dir = Directory::new().await;
    for query in [
        "",
        "radius_km=10",
        "near=43.6,-79.4&city=Toronto",
        "postal_code=M5V&city=Toronto",
    ] {
        let problem = assert_problem(dir.search(query).await, 422).await;
        assert!(
            error_fields(&problem).contains(&"location".to_owned()),
            "{query}: {problem}"
        );
    }
    let clinics = dir.app.get("/v1/clinics").await;
    assert_problem(clinics, 422).await;
}

#[tokio::test]
async fn hostile_parameters_get_4xx_never_500() {
    let dir = Directory::new().await;
    let queries = [
        "near=NaN,NaN",
        "near=91,0",
        "near=0,-181",
        "near=1e309,0",
        "near=43.6;DROP%20TABLE%20practitioners,-79",
        "near=43.6,-79.4&radius_km=1e308",
        "near=43.6,-79.4&radius_km=-5",
        "near=43.6,-79.4&radius_km=0",
        "near=43.6,-79.4&radius_km=501",
        "near=43.6,-79.4&limit=1000",
        "near=43.6,-79.4&limit=-1",
        "near=43.6,-79.4&cursor=%27%20OR%201%3D1--",
        "near=43.6,-79.4&discipline=%27%20OR%20%271%27%3D%271",
        "near=43.6,-79.4&language=%27%3B--",
        "near=43.6,-79.4&mode=teleport",
    ];
    for query in queries {
        let response = dir.search(query).await;
        assert_eq!(response.status(), 422, "{query}");
        assert_problem(response, 422).await;
    }
    for query in [
        "city=%27%3B%20DROP%20TABLE%20places%3B--",
        &format!("city={}", "x".repeat(5000)),
    ] {
        let response = dir.search(query).await;
        assert_eq!(response.status(), 422, "{query}");
    }
    // A service is free text: a hostile one simply matches nothing.
    assert_eq!(
        dir.search("near=43.6,-79.4&service=%27%20OR%201%3D1--")
            .await
            .status(),
        200
    );
    assert_eq!(
        dir.app.count("places").await,
        7172,
        "the reference data is intact"
    );
}

#[tokio::test]
async fn pagination_returns_every_row_once_in_order_even_when_distances_tie() {
    let dir = Directory::new().await;
    // 30 clinics on a line going north, plus 4 practitioners sharing each clinic (equal distances).
    let mut clinics = Vec::new();
    for step in 0..30 {
        clinics.push(
            dir.clinic_at(
                &format!("Clinic {step}"),
                TORONTO.0 + 0.002 * step as f64,
                TORONTO.1,
            )
            .await,
        );
    }
    sqlx::query(
        "INSERT INTO practitioners (id, clinic_id, name, discipline, services, languages, consult_modes)
         SELECT gen_random_uuid(), c.id, 'Practitioner ' || n, 'physiotherapy', '{}', '{en}', '{phone}'
           FROM unnest($1::uuid[]) AS c(id), generate_series(1, 4) AS n",
    )
    .bind(&clinics)
    .execute(&dir.app.db)
    .await
    .unwrap();
    assert_eq!(dir.app.count("practitioners").await, 120);

    // (distance_km, clinic id, practitioner id) in the order the pages gave them.
    let mut seen: Vec<(f64, String, String)> = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut query = format!("near={},{}&limit=7", TORONTO.0, TORONTO.1);
        if let Some(cursor) = &cursor {
            query.push_str(&format!("&cursor={cursor}"));
        }
        let page = dir.search_ok(&query).await;
        for item in page["items"].as_array().unwrap() {
            let km = item["distance_km"].as_f64().unwrap();
            let clinic = item["clinic"]["id"].as_str().unwrap().to_owned();
            seen.push((km, clinic, item["id"].as_str().unwrap().to_owned()));
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let unique: HashSet<_> = seen.iter().map(|(_, _, id)| id.clone()).collect();
    assert_eq!(seen.len(), 120, "every row once");
    assert_eq!(unique.len(), 120, "no row twice");
    assert!(
        seen.windows(2).all(|pair| pair[0].0 <= pair[1].0),
        "nearest first"
    );
    // Each clinic's four practitioners tie on distance: they come together, ordered by id.
    let groups: Vec<&[(f64, String, String)]> = seen.chunk_by(|a, b| a.1 == b.1).collect();
    assert_eq!(
        groups.len(),
        30,
        "ties are never split apart by a page boundary or reordered"
    );
    for group in groups {
        assert_eq!(group.len(), 4);
        assert!(
            group.windows(2).all(|pair| pair[0].2 < pair[1].2),
            "ties ordered by id"
        );
    }
}

#[tokio::test]
async fn clinics_are_searched_too() {
    let dir = Directory::new().await;
    let near_clinic = dir.clinic_at("Near", 43.6529, -79.3849).await;
    let far_clinic = dir.clinic_at("Farther", 43.7001, -79.4163).await;
    let empty = dir
        .clinic_at("No practitioners yet", 43.6500, -79.3800)
        .await;
    dir.practitioner(near_clinic, json!({"discipline": "chiropractic"}))
        .await;
    dir.practitioner(far_clinic, json!({})).await;
    let response = dir
        .app
        .get(&format!("/v1/clinics?near={},{}", TORONTO.0, TORONTO.1))
        .await;
    assert_eq!(response.status(), 200);
    let page = json_of(response).await;
    let ids: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![near_clinic.to_string(), far_clinic.to_string()]);
    assert!(!ids.contains(&empty.to_string().as_str()));
    assert!(
        page["items"][0]["distance_km"].as_f64().unwrap()
            < page["items"][1]["distance_km"].as_f64().unwrap()
    );
    let chiro = dir
        .app
        .get(&format!(
            "/v1/clinics?near={},{}&discipline=chiropractic",
            TORONTO.0, TORONTO.1
        ))
        .await;
    assert_eq!(json_of(chiro).await["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn moving_a_clinic_moves_its_practitioners_in_search() {
    let dir = Directory::new().await;
    let clinic = dir.clinic_at("Movers", TORONTO.0, TORONTO.1).await;
    let id = dir.practitioner(clinic, json!({})).await.to_string();
    assert_eq!(dir.ids("city=Toronto").await, vec![id.clone()]);
    let moved = dir
        .app
        .patch_as(
            &format!("/v1/admin/clinics/{clinic}"),
            &dir.admin,
            &json!({"latitude": 49.2827, "longitude": -123.1207}),
        )
        .await;
    assert_eq!(moved.status(), 200);
    assert!(dir.ids("city=Toronto").await.is_empty());
    assert_eq!(dir.ids("city=Vancouver").await, vec![id]);
}

#[tokio::test]
async fn app_connections_never_jit_compile_even_when_the_server_default_is_on() {
    let app = TestApp::spawn().await;
    let database: String = app.scalar("SELECT current_database()").await;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "ALTER DATABASE {database} SET jit = on"
    )))
    .execute(&app.db)
    .await
    .unwrap();
    let settings = consultdesk::config::Settings::from_lookup(|_| None).unwrap();
    let pool = consultdesk::db::pool(&app.database_url, &settings).unwrap();
    let jit: String = sqlx::query_scalar("SHOW jit")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(jit, "off");
    let plain = sqlx::postgres::PgPool::connect(&app.database_url)
        .await
        .unwrap();
    let default: String = sqlx::query_scalar("SHOW jit")
        .fetch_one(&plain)
        .await
        .unwrap();
    assert_eq!(
        default, "on",
        "the test really turned the server default on"
    );
}

#[tokio::test]
async fn the_search_uses_the_gist_index() {
    let dir = Directory::new().await;
    // Enough rows spread over Canada for the planner to prefer the index over a scan.
    sqlx::query(
        "INSERT INTO clinics (id, name, address, city, province, postal_code, phone, latitude, longitude, time_zone)
         SELECT gen_random_uuid(), 'Generated ' || n, '1 Main St', 'Somewhere', 'ON', 'M5V 2T6', '+14165550100',
                42 + (n % 97) * 0.1, -120 + (n % 89) * 0.5, 'America/Toronto'
           FROM generate_series(1, 3000) AS n",
    )
    .execute(&dir.app.db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO practitioners (id, clinic_id, name, discipline, consult_modes)
         SELECT gen_random_uuid(), id, 'P', 'physiotherapy', '{phone}' FROM clinics",
    )
    .execute(&dir.app.db)
    .await
    .unwrap();
    sqlx::query("ANALYZE practitioners")
        .execute(&dir.app.db)
        .await
        .unwrap();
    // The very statement the search runs, with its parameters bound as the app binds them.
    let sql = consultdesk::directory::search::practitioners_near_sql();
    let mut conn = dir.app.db.acquire().await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "PREPARE search(float8, float8, float8, text, text, text, text, float8, uuid, uuid, int8) AS {sql}"
    )))
    .execute(&mut *conn)
    .await
    .unwrap();
    let plan: Vec<String> = sqlx::query_scalar(
        "EXPLAIN EXECUTE search(-79.38, 43.65, 25000, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 21)",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    let plan = plan.join("\n");
    assert!(plan.contains("practitioners_location_gist"), "{plan}");
    // Each nearby clinic's team is read in id order from its own index, not sorted whole.
    assert!(plan.contains("practitioners_clinic_active"), "{plan}");
}

#[tokio::test]
async fn territories_are_known_by_their_codes() {
    let dir = Directory::new().await;
    for query in [
        "city=Yellowknife,%20NT",
        "city=Iqaluit&province=NU",
        "postal_code=X1A",
    ] {
        assert_eq!(dir.search(query).await.status(), 200, "{query}");
    }
}

/// Cursors handed out before they named the clinic (`{"d", "id"}`) still continue where they
/// stopped: the service finds the practitioner's clinic.
#[tokio::test]
async fn a_cursor_from_before_cursors_named_the_clinic_still_continues() {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let dir = Directory::new().await;
    let clinic = dir.clinic_at("Tied", TORONTO.0, TORONTO.1).await;
    for _ in 0..3 {
        dir.practitioner(clinic, json!({})).await;
    }
    let query = format!("near={},{}&limit=1", TORONTO.0, TORONTO.1);
    let first = dir.search_ok(&query).await;
    let cursor = first["next_cursor"].as_str().unwrap();
    let mut old: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(cursor).unwrap()).unwrap();
    assert!(
        old["c"].is_string(),
        "today's cursors name the clinic: {old}"
    );
    old.as_object_mut().unwrap().remove("c");
    let old = URL_SAFE_NO_PAD.encode(old.to_string());
    let with_new = dir.search_ok(&format!("{query}&cursor={cursor}")).await;
    let with_old = dir.search_ok(&format!("{query}&cursor={old}")).await;
    assert_eq!(with_old["items"], with_new["items"]);
    assert_ne!(with_old["items"][0]["id"], first["items"][0]["id"]);
}
