//! Who sees what (broken object-level authorisation checks): staff of clinic A never see or touch
//! clinic B's callbacks or patients, nor the network queue, which only admins see and route.

use crate::helpers::*;
use serde_json::{Value, json};
use std::collections::HashSet;
use uuid::Uuid;

const PASSWORD: &str = "a long enough password";

/// Two clinics, their staff, and one callback at A, one at B and one in the network queue,
/// each from a different person.
struct World {
    clinic_a: Uuid,
    clinic_b: Uuid,
    admin: String,
    desk_a: String,
    desk_a_id: Uuid,
    desk_b: String,
    practitioner_a: String,
    callback_a: Uuid,
    callback_b: Uuid,
    callback_network: Uuid,
    patient_a: Uuid,
    patient_b: Uuid,
    patient_network: Uuid,
}

async fn staff_with_id(app: &TestApp, role: &str, clinic_ids: &[Uuid]) -> (Uuid, String) {
    let email = format!("{role}-{}@clinic.test", Uuid::new_v4().simple());
    let id = app.create_staff(&email, role, clinic_ids, PASSWORD).await;
    (id, app.sign_in(&email, PASSWORD).await)
}

fn callback_for(clinic_id: Option<Uuid>, name: &str, email: &str) -> Value {
    let mut body = callback_body();
    body["name"] = json!(name);
    body["email"] = json!(email);
    if let Some(clinic_id) = clinic_id {
        body["clinic_id"] = json!(clinic_id);
    }
    body
}

/// Posts a callback form; returns the callback's id and its patient's id.
async fn post(app: &TestApp, body: &Value) -> (Uuid, Uuid) {
    let response = app.post_callback(body).await;
    assert_eq!(response.status(), 201, "posting a callback");
    let created = json_of(response).await;
    let id: Uuid = created["id"]
        .as_str()
        .and_then(|id| id.parse().ok())
        .expect("callback id");
    let patient: Uuid =
        sqlx::query_scalar("SELECT patient_id FROM callback_requests WHERE id = $1")
            .bind(id)
            .fetch_one(&app.db)
            .await
            .expect("the stored callback");
    (id, patient)
}

impl World {
    async fn build(app: &TestApp) -> World {
        let admin = app.admin_token().await;
        let clinic_a = app.create_clinic(&admin, "Clinic A").await;
        let clinic_b = app.create_clinic(&admin, "Clinic B").await;
        let (desk_a_id, desk_a) = staff_with_id(app, "front_desk", &[clinic_a]).await;
        let (_, desk_b) = staff_with_id(app, "front_desk", &[clinic_b]).await;
        let (_, practitioner_a) = staff_with_id(app, "practitioner", &[clinic_a]).await;
        let (callback_a, patient_a) = post(
            app,
            &callback_for(Some(clinic_a), "Alice A", "alice@example.com"),
        )
        .await;
        let (callback_b, patient_b) = post(
            app,
            &callback_for(Some(clinic_b), "Bob B", "bob@example.com"),
        )
        .await;
        let (callback_network, patient_network) =
            post(app, &callback_for(None, "Nora Network", "nora@example.com")).await;
        World {
            clinic_a,
            clinic_b,
            admin,
            desk_a,
            desk_a_id,
            desk_b,
            practitioner_a,
            callback_a,
            callback_b,
            callback_network,
            patient_a,
            patient_b,
            patient_network,
        }
    }
}

fn ids_of(page: &Value) -> Vec<Uuid> {
    ids_in(page, "items")
}

/// The ids of the objects in `value[key]`, in order.
fn ids_in(value: &Value, key: &str) -> Vec<Uuid> {
    value[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key}: {value}"))
        .iter()
        .map(|item| {
            item["id"]
                .as_str()
                .and_then(|id| id.parse().ok())
                .expect("id")
        })
        .collect()
}

async fn list(app: &TestApp, token: &str, query: &str) -> Vec<Uuid> {
    let response = app
        .get_as(&format!("/v1/staff/callback-requests{query}"), token)
        .await;
    assert_eq!(response.status(), 200, "listing callbacks{query}");
    ids_of(&json_of(response).await)
}

fn set(ids: &[Uuid]) -> HashSet<Uuid> {
    ids.iter().copied().collect()
}

/// What a user could notice of a callback row: everything a PATCH could change.
async fn stored_callback(
    app: &TestApp,
    id: Uuid,
) -> (
    String,
    Option<String>,
    Option<Uuid>,
    chrono::DateTime<chrono::Utc>,
) {
    sqlx::query_as(
        "SELECT status, note, clinic_id, updated_at FROM callback_requests WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&app.db)
    .await
    .expect("the callback row")
}

async fn get_patient(app: &TestApp, token: &str, patient: Uuid) -> reqwest::Response {
    app.get_as(&format!("/v1/staff/patients/{patient}"), token)
        .await
}

async fn callback_audit_rows(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE entity_type = 'callback_request'")
        .fetch_one(&app.db)
        .await
        .expect("counting audit rows")
}

fn callback_path(id: Uuid) -> String {
    format!("/v1/staff/callback-requests/{id}")
}

async fn patch_callback(app: &TestApp, token: &str, id: Uuid, change: Value) -> reqwest::Response {
    app.patch_as(&callback_path(id), token, &change).await
}

/// Patches a callback the staff member may change: asserts the 200 and returns what it became.
async fn patch_callback_ok(app: &TestApp, token: &str, id: Uuid, change: Value) -> Value {
    let response = patch_callback(app, token, id, change).await;
    assert_eq!(response.status(), 200, "patching callback {id}");
    json_of(response).await
}

#[tokio::test]
async fn each_clinic_lists_only_its_own_callbacks_and_admins_see_all() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;

    assert_eq!(
        list(&app, &w.desk_a, "").await,
        vec![w.callback_a],
        "A's front desk"
    );
    assert_eq!(
        list(&app, &w.practitioner_a, "").await,
        vec![w.callback_a],
        "A's practitioner"
    );
    assert_eq!(
        list(&app, &w.desk_b, "").await,
        vec![w.callback_b],
        "B's front desk"
    );
    assert_eq!(
        set(&list(&app, &w.admin, "").await),
        set(&[w.callback_a, w.callback_b, w.callback_network]),
        "the admin sees both clinics and the network queue"
    );

    // Asking for another clinic by name gives nothing, not that clinic's queue.
    assert!(
        list(&app, &w.desk_a, &format!("?clinic_id={}", w.clinic_b))
            .await
            .is_empty()
    );
    assert!(
        list(&app, &w.desk_b, &format!("?clinic_id={}", w.clinic_a))
            .await
            .is_empty()
    );
    assert_eq!(
        list(&app, &w.desk_a, &format!("?clinic_id={}", w.clinic_a)).await,
        vec![w.callback_a]
    );
    assert_eq!(
        list(&app, &w.admin, &format!("?clinic_id={}", w.clinic_b)).await,
        vec![w.callback_b]
    );
}

#[tokio::test]
async fn another_clinics_callback_is_a_404_like_one_that_does_not_exist() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;

    let own = app.get_as(&callback_path(w.callback_a), &w.desk_a).await;
    assert_eq!(own.status(), 200);
    assert_eq!(json_of(own).await["id"], w.callback_a.to_string());

    let missing = assert_problem(
        app.get_as(&callback_path(Uuid::now_v7()), &w.desk_a).await,
        404,
    )
    .await;
    let foreign = assert_problem(
        app.get_as(&callback_path(w.callback_b), &w.desk_a).await,
        404,
    )
    .await;
    let network = assert_problem(
        app.get_as(&callback_path(w.callback_network), &w.desk_a)
            .await,
        404,
    )
    .await;
    assert_eq!(
        foreign, missing,
        "B's callback must be indistinguishable from no callback"
    );
    assert_eq!(network, missing, "the network queue is admins' only");
    assert_problem(
        app.get_as(&callback_path(w.callback_a), &w.desk_b).await,
        404,
    )
    .await;

    assert_eq!(
        app.get_as(&callback_path(w.callback_b), &w.admin)
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn patching_another_clinics_callback_is_a_404_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let b_before = stored_callback(&app, w.callback_b).await;
    let network_before = stored_callback(&app, w.callback_network).await;

    let refused = [
        (
            w.callback_b,
            json!({"status": "closed", "note": "mine now"}),
        ),
        (w.callback_b, json!({"clinic_id": w.clinic_a})),
        // Nor can A claim a request waiting in the network queue.
        (w.callback_network, json!({"clinic_id": w.clinic_a})),
    ];
    for (callback, change) in refused {
        assert_problem(patch_callback(&app, &w.desk_a, callback, change).await, 404).await;
    }

    assert_eq!(stored_callback(&app, w.callback_b).await, b_before);
    assert_eq!(
        stored_callback(&app, w.callback_network).await,
        network_before
    );
    assert_eq!(callback_audit_rows(&app).await, 0);
}

#[tokio::test]
async fn a_patient_is_readable_only_by_staff_of_a_clinic_they_asked() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;

    let missing = assert_problem(get_patient(&app, &w.desk_a, Uuid::now_v7()).await, 404).await;
    let foreign = assert_problem(get_patient(&app, &w.desk_a, w.patient_b).await, 404).await;
    assert_eq!(
        foreign, missing,
        "B's patient must be indistinguishable from no patient"
    );

    let response = get_patient(&app, &w.desk_b, w.patient_b).await;
    assert_eq!(response.status(), 200);
    let patient = json_of(response).await;
    assert_eq!(patient["id"], w.patient_b.to_string());
    let categories: HashSet<&str> = patient["consents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["category"].as_str().unwrap())
        .collect();
    assert_eq!(
        categories,
        HashSet::from([
            "appointment_reminders",
            "exercise_plans",
            "plans_of_care",
            "service_updates"
        ]),
        "{patient}"
    );
    assert_eq!(
        patient["consent_history"].as_array().map(Vec::len),
        Some(2),
        "one row per checked box: {patient}"
    );
    let callbacks: Vec<&Value> = patient["callbacks"].as_array().unwrap().iter().collect();
    assert_eq!(callbacks.len(), 1, "{patient}");
    assert_eq!(callbacks[0]["id"], w.callback_b.to_string());

    assert_eq!(
        get_patient(&app, &w.desk_a, w.patient_a).await.status(),
        200
    );
    assert_eq!(
        get_patient(&app, &w.practitioner_a, w.patient_a)
            .await
            .status(),
        200
    );
    assert_problem(get_patient(&app, &w.practitioner_a, w.patient_b).await, 404).await;
}

#[tokio::test]
async fn a_network_queue_patient_is_for_admins_only() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;

    assert_problem(get_patient(&app, &w.desk_a, w.patient_network).await, 404).await;
    assert_problem(get_patient(&app, &w.desk_b, w.patient_network).await, 404).await;
    assert_problem(
        get_patient(&app, &w.practitioner_a, w.patient_network).await,
        404,
    )
    .await;

    let response = get_patient(&app, &w.admin, w.patient_network).await;
    assert_eq!(response.status(), 200);
    let patient = json_of(response).await;
    assert_eq!(
        patient["callbacks"][0]["id"],
        w.callback_network.to_string()
    );
}

#[tokio::test]
async fn an_admin_routes_a_network_callback_to_a_clinic() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;

    let to_clinic_a = json!({"clinic_id": w.clinic_a});
    let routed = patch_callback_ok(&app, &w.admin, w.callback_network, to_clinic_a).await;
    assert_eq!(routed["clinic_id"], w.clinic_a.to_string());
    assert_eq!(
        stored_callback(&app, w.callback_network).await.2,
        Some(w.clinic_a)
    );

    assert_eq!(
        set(&list(&app, &w.desk_a, "").await),
        set(&[w.callback_a, w.callback_network])
    );
    assert_eq!(
        list(&app, &w.desk_b, "").await,
        vec![w.callback_b],
        "B's queue is unchanged"
    );
    assert_eq!(
        app.get_as(&callback_path(w.callback_network), &w.desk_a)
            .await
            .status(),
        200
    );

    let response = get_patient(&app, &w.desk_a, w.patient_network).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        json_of(response).await["callbacks"][0]["id"],
        w.callback_network.to_string()
    );
    assert_problem(get_patient(&app, &w.desk_b, w.patient_network).await, 404).await;
}

#[tokio::test]
async fn front_desk_cannot_move_a_callback_out_of_their_clinics() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let before = stored_callback(&app, w.callback_a).await;

    let refused_changes = [
        json!({"clinic_id": w.clinic_b}),
        json!({"clinic_id": null}),
        // A mixed change is refused whole: the status does not move either.
        json!({"status": "closed", "clinic_id": w.clinic_b}),
    ];
    for change in refused_changes {
        assert_problem(
            patch_callback(&app, &w.desk_a, w.callback_a, change).await,
            403,
        )
        .await;
    }

    assert_eq!(stored_callback(&app, w.callback_a).await, before);
    assert_eq!(list(&app, &w.desk_a, "").await, vec![w.callback_a]);
    assert_eq!(list(&app, &w.desk_b, "").await, vec![w.callback_b]);
}

#[tokio::test]
async fn front_desk_works_their_callback_and_it_is_audited() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;

    let contacted = json!({"status": "contacted", "note": "left a voicemail"});
    let updated = patch_callback_ok(&app, &w.desk_a, w.callback_a, contacted).await;
    assert_eq!(updated["id"], w.callback_a.to_string());
    assert_eq!(updated["status"], "contacted");
    assert_eq!(updated["note"], "left a voicemail");
    assert_eq!(updated["clinic_id"], w.clinic_a.to_string());

    let (status, note, clinic_id, _) = stored_callback(&app, w.callback_a).await;
    assert_eq!(
        (status.as_str(), note.as_deref(), clinic_id),
        ("contacted", Some("left a voicemail"), Some(w.clinic_a))
    );

    let audit: Vec<(String, Option<Uuid>, Option<Uuid>)> = sqlx::query_as(
        "SELECT action, staff_id, entity_id FROM audit_log WHERE entity_type = 'callback_request'",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        audit,
        vec![(
            "callback_request.update".to_owned(),
            Some(w.desk_a_id),
            Some(w.callback_a)
        )]
    );
}

#[tokio::test]
async fn the_queue_lists_new_requests_oldest_first_before_handled_ones() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let clinic = app.create_clinic(&admin, "Busy Clinic").await;
    let desk = app.staff_token("front_desk", &[clinic]).await;
    let mut ids = Vec::new();
    for n in 1..=3 {
        let (id, _) = post(
            &app,
            &callback_for(
                Some(clinic),
                &format!("Caller {n}"),
                &format!("caller{n}@example.com"),
            ),
        )
        .await;
        ids.push(id);
    }
    let (first, second, third) = (ids[0], ids[1], ids[2]);

    assert_eq!(
        list(&app, &desk, "").await,
        vec![first, second, third],
        "oldest first"
    );
    let response = patch_callback(&app, &desk, first, json!({"status": "contacted"})).await;
    assert_eq!(response.status(), 200);

    assert_eq!(
        list(&app, &desk, "").await,
        vec![second, third, first],
        "new ones before contacted ones"
    );
    assert_eq!(list(&app, &desk, "?status=new").await, vec![second, third]);
    assert_eq!(list(&app, &desk, "?status=contacted").await, vec![first]);

    // The same order holds across pages.
    let mut paged = Vec::new();
    let mut path = "/v1/staff/callback-requests?limit=2".to_owned();
    loop {
        let page = app.get_json_as(&path, &desk).await;
        paged.extend(ids_of(&page));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/v1/staff/callback-requests?limit=2&cursor={cursor}"),
            None => break,
        }
        assert!(paged.len() <= 3, "paging must end: {paged:?}");
    }
    assert_eq!(paged, vec![second, third, first]);
}

#[tokio::test]
async fn invalid_or_empty_callback_patches_are_422_and_change_nothing() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let before = stored_callback(&app, w.callback_a).await;
    let path = callback_path(w.callback_a);

    let problem = assert_problem(
        app.patch_as(&path, &w.desk_a, &json!({"status": "bogus"}))
            .await,
        422,
    )
    .await;
    assert_eq!(error_fields(&problem), vec!["status"], "{problem}");
    assert_problem(app.patch_as(&path, &w.desk_a, &json!({})).await, 422).await;
    let problem = assert_problem(
        app.patch_as(
            &path,
            &w.desk_a,
            &json!({"status": "bogus", "clinic_id": "nope"}),
        )
        .await,
        422,
    )
    .await;
    let fields: HashSet<String> = error_fields(&problem).into_iter().collect();
    assert_eq!(
        fields,
        HashSet::from(["status".to_owned(), "clinic_id".to_owned()]),
        "{problem}"
    );

    assert_eq!(stored_callback(&app, w.callback_a).await, before);
    assert_eq!(callback_audit_rows(&app).await, 0);
}

#[tokio::test]
async fn one_person_at_two_clinics_is_one_patient_but_each_clinic_sees_only_its_own_part() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let (shared_a, patient_via_a) = post(
        &app,
        &callback_for(Some(w.clinic_a), "Sam Shared", "Sam.Shared@Example.com"),
    )
    .await;
    let (shared_b, patient_via_b) = post(
        &app,
        &callback_for(Some(w.clinic_b), "Sam Shared", "sam.shared@example.COM"),
    )
    .await;
    assert_eq!(
        patient_via_a, patient_via_b,
        "matched by email, case-insensitively"
    );
    let patient = patient_via_a;

    let outbox_of = |callback: Uuid| {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, Uuid>(
                "SELECT id FROM email_outbox WHERE callback_request_id = $1",
            )
            .bind(callback)
            .fetch_all(&db)
            .await
            .unwrap()
        }
    };
    let email_a = outbox_of(shared_a).await;
    let email_b = outbox_of(shared_b).await;
    assert_eq!(
        (email_a.len(), email_b.len()),
        (1, 1),
        "one confirmation per form"
    );

    let view_of = |patient_view: &Value, key: &str| set(&ids_in(patient_view, key));

    // Each sees the patient's callbacks and emails at their own clinics; the admin sees all.
    for (who, token, callbacks, emails) in [
        ("A's front desk", &w.desk_a, vec![shared_a], email_a.clone()),
        ("B's front desk", &w.desk_b, vec![shared_b], email_b.clone()),
        (
            "the admin",
            &w.admin,
            vec![shared_a, shared_b],
            vec![email_a[0], email_b[0]],
        ),
    ] {
        let response = get_patient(&app, token, patient).await;
        assert_eq!(response.status(), 200, "{who}");
        let seen = json_of(response).await;
        assert_eq!(
            view_of(&seen, "callbacks"),
            set(&callbacks),
            "{who}: {seen}"
        );
        assert_eq!(view_of(&seen, "emails"), set(&emails), "{who}: {seen}");
    }
}
