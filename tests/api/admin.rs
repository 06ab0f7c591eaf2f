//! The admin API: clinics (`POST/GET/PATCH /v1/admin/clinics`) and staff (`POST/GET /v1/admin/staff`).

use crate::helpers::*;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use std::collections::HashSet;
use uuid::Uuid;

const PASSWORD: &str = "a long enough password";

/// A signed-in staff member and their id (the audit log names staff by id).
async fn staff_with_id(app: &TestApp, role: &str, clinic_ids: &[Uuid]) -> (Uuid, String) {
    let email = format!("{role}-{}@clinic.test", Uuid::new_v4().simple());
    let id = app.create_staff(&email, role, clinic_ids, PASSWORD).await;
    (id, app.sign_in(&email, PASSWORD).await)
}

fn timestamp(value: &Value) -> DateTime<Utc> {
    value
        .as_str()
        .expect("a time string")
        .parse()
        .expect("RFC 3339")
}

fn ids_of(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item["id"].as_str().expect("id").to_owned())
        .collect()
}

fn uuid_set(value: &Value) -> HashSet<String> {
    value
        .as_array()
        .expect("an array")
        .iter()
        .map(|id| id.as_str().expect("a uuid string").to_owned())
        .collect()
}

async fn audit_rows(app: &TestApp, entity_id: Uuid) -> Vec<(String, Option<Uuid>)> {
    sqlx::query_as(
        "SELECT action, staff_id FROM audit_log WHERE entity_id = $1 ORDER BY created_at, id",
    )
    .bind(entity_id)
    .fetch_all(&app.db)
    .await
    .unwrap()
}

// ---------------------------------------------------------------- clinics

#[tokio::test]
async fn creating_a_clinic_answers_201_with_location_and_every_field_normalised() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let mut body = clinic_body("Runners Physio King West");
    body["postal_code"] = json!("m5x1a9");
    body["phone"] = json!("416-555-0199");

    let response = app.post_as("/v1/admin/clinics", &admin, &body).await;
    assert_eq!(response.status(), 201);
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("Location")
        .to_owned();
    let clinic = json_of(response).await;

    let id: Uuid = clinic["id"]
        .as_str()
        .and_then(|id| id.parse().ok())
        .expect("a uuid id");
    assert_eq!(location, format!("/v1/admin/clinics/{id}"));
    assert_eq!(clinic["name"], "Runners Physio King West");
    assert_eq!(clinic["address"], "100 King St W");
    assert_eq!(clinic["city"], "Toronto");
    assert_eq!(clinic["province"], "ON");
    assert_eq!(clinic["postal_code"], "M5X 1A9");
    assert_eq!(clinic["phone"], "+14165550199");
    assert_eq!(clinic["latitude"].as_f64(), Some(43.6487));
    assert_eq!(clinic["longitude"].as_f64(), Some(-79.3817));
    assert_eq!(clinic["time_zone"], "America/Toronto");
    timestamp(&clinic["created_at"]);
    timestamp(&clinic["updated_at"]);

    // The Location answers the same clinic.
    let fetched = app.get_as(&location, &admin).await;
    assert_eq!(fetched.status(), 200);
    assert_eq!(json_of(fetched).await, clinic);
    assert_eq!(app.count("clinics").await, 1);
}

#[tokio::test]
async fn an_invalid_clinic_is_one_422_naming_every_invalid_field_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let body = json!({
        "name": "", "address": "100 King St W", "city": "Toronto", "province": "XX",
        "postal_code": "12345", "phone": "416-555-0199", "latitude": 91, "longitude": "x",
        "time_zone": "Mars/Base"
    });

    let problem = assert_problem(app.post_as("/v1/admin/clinics", &admin, &body).await, 422).await;
    let fields: HashSet<String> = error_fields(&problem).into_iter().collect();
    let expected: HashSet<String> = [
        "name",
        "province",
        "postal_code",
        "latitude",
        "longitude",
        "time_zone",
    ]
    .map(str::to_owned)
    .into();
    assert_eq!(fields, expected, "{problem}");

    let mut long_name = clinic_body("x");
    long_name["name"] = json!("n".repeat(10_000));
    let problem = assert_problem(
        app.post_as("/v1/admin/clinics", &admin, &long_name).await,
        422,
    )
    .await;
    assert_eq!(error_fields(&problem), vec!["name"], "{problem}");

    assert_eq!(app.count("clinics").await, 0);
    assert_eq!(app.count("audit_log").await, 0);
}

#[tokio::test]
async fn clinics_page_through_with_next_cursor() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let mut created = HashSet::new();
    for name in ["North", "Centre", "South"] {
        created.insert(app.create_clinic(&admin, name).await.to_string());
    }

    let mut seen = Vec::new();
    let mut path = "/v1/admin/clinics?limit=1".to_owned();
    for page_number in 1..=3 {
        let response = app.get_as(&path, &admin).await;
        assert_eq!(response.status(), 200);
        let page = json_of(response).await;
        let ids = ids_of(&page);
        assert_eq!(ids.len(), 1, "page {page_number}: {page}");
        seen.extend(ids);
        if page_number < 3 {
            let cursor = page["next_cursor"]
                .as_str()
                .unwrap_or_else(|| panic!("page {page_number} has more: {page}"));
            path = format!("/v1/admin/clinics?limit=1&cursor={cursor}");
        } else {
            assert!(
                page["next_cursor"].is_null(),
                "the last page says so: {page}"
            );
        }
    }
    let unique: HashSet<String> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), 3, "each clinic once: {seen:?}");
    assert_eq!(unique, created);

    // Without a limit all three fit on one page.
    let page = app.get_json_as("/v1/admin/clinics", &admin).await;
    assert_eq!(ids_of(&page).len(), 3);
    assert!(page["next_cursor"].is_null());
}

#[tokio::test]
async fn a_clinic_is_read_by_id_and_unknown_or_malformed_ids_are_404() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let id = app.create_clinic(&admin, "Readable Clinic").await;

    let response = app.get_as(&format!("/v1/admin/clinics/{id}"), &admin).await;
    assert_eq!(response.status(), 200);
    let clinic = json_of(response).await;
    assert_eq!(clinic["id"], id.to_string());
    assert_eq!(clinic["name"], "Readable Clinic");

    assert_problem(
        app.get_as(&format!("/v1/admin/clinics/{}", Uuid::now_v7()), &admin)
            .await,
        404,
    )
    .await;
    assert_problem(
        app.get_as("/v1/admin/clinics/not-a-uuid", &admin).await,
        404,
    )
    .await;
    let patch = app
        .patch_as(
            &format!("/v1/admin/clinics/{}", Uuid::now_v7()),
            &admin,
            &json!({"name": "Ghost"}),
        )
        .await;
    assert_problem(patch, 404).await;
}

#[tokio::test]
async fn patching_a_clinic_changes_only_the_given_fields() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let id = app.create_clinic(&admin, "Old Name").await;
    let path = format!("/v1/admin/clinics/{id}");
    let before = app.get_json_as(&path, &admin).await;

    let response = app
        .patch_as(
            &path,
            &admin,
            &json!({"name": "New Name", "phone": "(613) 555-0123"}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let after = json_of(response).await;
    assert_eq!(after["name"], "New Name");
    assert_eq!(after["phone"], "+16135550123");
    for unchanged in [
        "id",
        "address",
        "city",
        "province",
        "postal_code",
        "latitude",
        "longitude",
        "time_zone",
        "created_at",
    ] {
        assert_eq!(
            after[unchanged], before[unchanged],
            "{unchanged} must not change"
        );
    }
    assert!(
        timestamp(&after["updated_at"]) > timestamp(&before["updated_at"]),
        "updated_at moves"
    );

    // Stored, not just echoed.
    assert_eq!(app.get_json_as(&path, &admin).await, after);
}

#[tokio::test]
async fn an_empty_or_invalid_clinic_patch_is_a_422_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let id = app.create_clinic(&admin, "Steady Clinic").await;
    let path = format!("/v1/admin/clinics/{id}");
    let before = app.get_json_as(&path, &admin).await;

    assert_problem(app.patch_as(&path, &admin, &json!({})).await, 422).await;

    let problem = assert_problem(
        app.patch_as(&path, &admin, &json!({"time_zone": "Mars/Base"}))
            .await,
        422,
    )
    .await;
    assert_eq!(error_fields(&problem), vec!["time_zone"], "{problem}");

    let problem = assert_problem(
        app.patch_as(&path, &admin, &json!({"name": "Valid", "latitude": -91}))
            .await,
        422,
    )
    .await;
    assert_eq!(error_fields(&problem), vec!["latitude"], "{problem}");

    assert_eq!(
        app.get_json_as(&path, &admin).await,
        before,
        "a refused patch changes nothing"
    );
}

#[tokio::test]
async fn creating_and_updating_a_clinic_are_audited_with_the_admin_id() {
    let app = TestApp::spawn().await;
    let (admin_id, admin) = staff_with_id(&app, "admin", &[]).await;
    let id = app.create_clinic(&admin, "Audited Clinic").await;
    let patch = app
        .patch_as(
            &format!("/v1/admin/clinics/{id}"),
            &admin,
            &json!({"city": "Mississauga"}),
        )
        .await;
    assert_eq!(patch.status(), 200);

    let rows = audit_rows(&app, id).await;
    assert_eq!(
        rows,
        vec![
            ("clinic.create".to_owned(), Some(admin_id)),
            ("clinic.update".to_owned(), Some(admin_id))
        ],
        "one row per action, naming the admin"
    );
}

#[tokio::test]
async fn front_desk_and_practitioners_get_403_on_every_admin_endpoint() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let clinic = app.create_clinic(&admin, "Guarded Clinic").await;
    let clinic_path = format!("/v1/admin/clinics/{clinic}");
    let clinics_before = app.count("clinics").await;
    let staff_before = app.count("staff").await;

    for role in ["front_desk", "practitioner"] {
        let token = app.staff_token(role, &[clinic]).await;
        let new_staff = json!({
            "email": format!("sneaky-{role}@clinic.test"), "name": "Sneaky", "role": "admin",
            "clinic_ids": [], "password": PASSWORD
        });
        let responses = [
            (
                "POST clinics",
                app.post_as("/v1/admin/clinics", &token, &clinic_body("Rogue Clinic"))
                    .await,
            ),
            ("GET clinics", app.get_as("/v1/admin/clinics", &token).await),
            ("GET clinic", app.get_as(&clinic_path, &token).await),
            (
                "PATCH clinic",
                app.patch_as(&clinic_path, &token, &json!({"name": "Hijacked"}))
                    .await,
            ),
            (
                "POST staff",
                app.post_as("/v1/admin/staff", &token, &new_staff).await,
            ),
            ("GET staff", app.get_as("/v1/admin/staff", &token).await),
        ];
        for (what, response) in responses {
            assert_eq!(response.status(), 403, "{role}: {what}");
            assert_problem(response, 403).await;
        }
    }

    assert_eq!(app.count("clinics").await, clinics_before);
    // Two staff were added by the test itself (one per role), none through the refused POSTs.
    assert_eq!(app.count("staff").await, staff_before + 2);
    let clinic_now = app.get_json_as(&clinic_path, &admin).await;
    assert_eq!(clinic_now["name"], "Guarded Clinic");
}

// ---------------------------------------------------------------- staff

#[tokio::test]
async fn creating_staff_answers_201_without_the_password_and_they_can_sign_in() {
    let app = TestApp::spawn().await;
    let (admin_id, admin) = staff_with_id(&app, "admin", &[]).await;
    let clinic_a = app.create_clinic(&admin, "Clinic A").await;
    let clinic_b = app.create_clinic(&admin, "Clinic B").await;
    let password = "correct horse battery staple";

    let response = app
        .post_as(
            "/v1/admin/staff",
            &admin,
            &json!({"email": "Dana.Desk@clinic.test", "name": "Dana Desk", "role": "front_desk",
                    "clinic_ids": [clinic_a, clinic_b], "password": password}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let text = response.text().await.unwrap();
    let staff: Value = serde_json::from_str(&text).unwrap();
    let id: Uuid = staff["id"]
        .as_str()
        .and_then(|id| id.parse().ok())
        .expect("a uuid id");
    assert_eq!(location, Some(format!("/v1/admin/staff/{id}")));
    assert_eq!(
        staff["email"]
            .as_str()
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("dana.desk@clinic.test")
    );
    assert_eq!(staff["name"], "Dana Desk");
    assert_eq!(staff["role"], "front_desk");
    assert_eq!(
        uuid_set(&staff["clinic_ids"]),
        [clinic_a, clinic_b].map(|id| id.to_string()).into()
    );
    assert!(
        !text.contains(password) && !text.contains("argon2"),
        "{text}"
    );
    assert!(!text.to_ascii_lowercase().contains("password"), "{text}");

    let stored_hash: String = sqlx::query_scalar("SELECT password_hash FROM staff WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_ne!(stored_hash, password, "the password is stored hashed");

    // Audited, naming the admin.
    assert_eq!(
        audit_rows(&app, id).await,
        vec![("staff.create".to_owned(), Some(admin_id))]
    );

    // The new member signs in with that password and works in their clinics.
    let response = app
        .post_json(
            "/v1/staff/sessions",
            &json!({"email": "dana.desk@clinic.test", "password": password}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let session = json_of(response).await;
    assert_eq!(session["staff"]["id"], id.to_string());
    let token = session["token"].as_str().unwrap();
    assert_eq!(
        app.get_as("/v1/staff/callback-requests", token)
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn a_taken_email_in_another_case_is_a_409() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let clinic = app.create_clinic(&admin, "Clinic A").await;
    let body = |email: &str| json!({"email": email, "name": "Dup", "role": "front_desk", "clinic_ids": [clinic], "password": PASSWORD});
    assert_eq!(
        app.post_as("/v1/admin/staff", &admin, &body("pat@clinic.test"))
            .await
            .status(),
        201
    );
    let staff_before = app.count("staff").await;

    let problem = assert_problem(
        app.post_as("/v1/admin/staff", &admin, &body("PAT@Clinic.Test"))
            .await,
        409,
    )
    .await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .to_ascii_lowercase()
            .contains("email"),
        "{problem}"
    );
    assert_eq!(app.count("staff").await, staff_before);
}

#[tokio::test]
async fn invalid_staff_are_422_naming_the_field_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let clinic = app.create_clinic(&admin, "Clinic A").await;
    let staff_before = app.count("staff").await;
    let valid = || {
        json!({"email": format!("new-{}@clinic.test", Uuid::new_v4().simple()), "name": "New Person",
               "role": "front_desk", "clinic_ids": [clinic], "password": PASSWORD})
    };

    let mut no_clinics = valid();
    no_clinics["clinic_ids"] = json!([]);
    let mut unknown_clinic = valid();
    unknown_clinic["clinic_ids"] = json!([Uuid::now_v7()]);
    let mut short_password = valid();
    short_password["password"] = json!("short");
    let mut bad_role = valid();
    bad_role["role"] = json!("superuser");

    for (body, field) in [
        (no_clinics, "clinic_ids"),
        (unknown_clinic, "clinic_ids[0]"),
        (short_password, "password"),
        (bad_role, "role"),
    ] {
        let problem =
            assert_problem(app.post_as("/v1/admin/staff", &admin, &body).await, 422).await;
        assert_eq!(error_fields(&problem), vec![field], "{problem}");
    }

    // Several at once are all named.
    let problem = assert_problem(
        app.post_as(
            "/v1/admin/staff",
            &admin,
            &json!({"email": "nope", "name": "", "role": "boss", "password": "x"}),
        )
        .await,
        422,
    )
    .await;
    let fields: HashSet<String> = error_fields(&problem).into_iter().collect();
    let expected: HashSet<String> = ["email", "name", "role", "password"]
        .map(str::to_owned)
        .into();
    assert_eq!(fields, expected, "{problem}");

    assert_eq!(app.count("staff").await, staff_before);
    assert_eq!(app.count("staff_clinics").await, 0);
}

#[tokio::test]
async fn the_staff_list_shows_created_staff() {
    let app = TestApp::spawn().await;
    let (admin_id, admin) = staff_with_id(&app, "admin", &[]).await;
    let clinic = app.create_clinic(&admin, "Clinic A").await;
    let response = app
        .post_as(
            "/v1/admin/staff",
            &admin,
            &json!({"email": "listed@clinic.test", "name": "Listed Person", "role": "practitioner",
                    "clinic_ids": [clinic], "password": PASSWORD}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let created = json_of(response).await;

    let response = app.get_as("/v1/admin/staff", &admin).await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    let page: Value = serde_json::from_str(&text).unwrap();
    let ids: HashSet<String> = ids_of(&page).into_iter().collect();
    assert_eq!(
        ids,
        [
            admin_id.to_string(),
            created["id"].as_str().unwrap().to_owned()
        ]
        .into()
    );
    assert!(page["next_cursor"].is_null());
    let listed = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["id"] == created["id"])
        .unwrap();
    assert_eq!(listed["email"], "listed@clinic.test");
    assert_eq!(listed["role"], "practitioner");
    assert_eq!(uuid_set(&listed["clinic_ids"]), [clinic.to_string()].into());
    assert!(
        !text.contains("argon2") && !text.to_ascii_lowercase().contains("password"),
        "{text}"
    );

    // Paging works here too.
    let first = app.get_json_as("/v1/admin/staff?limit=1", &admin).await;
    assert_eq!(ids_of(&first).len(), 1);
    let cursor = first["next_cursor"].as_str().expect("a second page");
    let second = app
        .get_json_as(&format!("/v1/admin/staff?limit=1&cursor={cursor}"), &admin)
        .await;
    assert_eq!(ids_of(&second).len(), 1);
    assert_ne!(ids_of(&first), ids_of(&second));
    assert!(second["next_cursor"].is_null());
}

#[tokio::test]
async fn malformed_list_parameters_are_400_naming_the_parameter() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for list in ["/v1/admin/clinics", "/v1/admin/staff"] {
        for (query, parameter) in [
            ("limit=0", "limit"),
            ("limit=101", "limit"),
            ("limit=abc", "limit"),
            ("cursor=garbage", "cursor"),
            ("cursor=eyJub3QiOiJhIHV1aWQifQ", "cursor"),
        ] {
            let response = app.get_as(&format!("{list}?{query}"), &admin).await;
            let problem = assert_problem(response, 400).await;
            assert_eq!(
                error_fields(&problem),
                vec![parameter],
                "{list}?{query}: {problem}"
            );
        }
        let problem = assert_problem(
            app.get_as(&format!("{list}?limit=abc&cursor=garbage"), &admin)
                .await,
            400,
        )
        .await;
        let fields: HashSet<String> = error_fields(&problem).into_iter().collect();
        assert_eq!(
            fields,
            ["limit", "cursor"].map(str::to_owned).into(),
            "both named at once: {problem}"
        );
        // The largest allowed limit is fine.
        assert_eq!(
            app.get_as(&format!("{list}?limit=100"), &admin)
                .await
                .status(),
            200
        );
    }
}
