//! The exercise library, exercise plans and plans of care (consent first, then one transaction for
//! the plan, its email and the audit row), and the staff view of the outbox.

use crate::helpers::*;
use serde_json::{Value, json};
use std::collections::HashSet;
use uuid::Uuid;

const CALF_RAISES: &str = "01930000-0000-7000-8000-000000000004";
const WALL_CALF_STRETCH: &str = "01930000-0000-7000-8000-000000000002";

/// Two clinics with a front desk each, and an admin.
struct Clinics {
    admin: String,
    clinic_a: Uuid,
    clinic_b: Uuid,
    desk_a: String,
    desk_b: String,
}

impl Clinics {
    async fn build(app: &TestApp) -> Clinics {
        let admin = app.admin_token().await;
        let clinic_a = app.create_clinic(&admin, "Clinic A").await;
        let clinic_b = app.create_clinic(&admin, "Clinic B").await;
        let desk_a = app.staff_token("front_desk", &[clinic_a]).await;
        let desk_b = app.staff_token("front_desk", &[clinic_b]).await;
        Clinics {
            admin,
            clinic_a,
            clinic_b,
            desk_a,
            desk_b,
        }
    }
}

/// Posts a callback form at `clinic_id` (or the network queue) and returns the patient's id.
async fn patient_with(
    app: &TestApp,
    clinic_id: Option<Uuid>,
    edit: impl FnOnce(&mut Value),
) -> Uuid {
    let mut body = callback_body();
    body["email"] = json!(format!("patient-{}@example.com", Uuid::new_v4().simple()));
    if let Some(clinic_id) = clinic_id {
        body["clinic_id"] = json!(clinic_id);
    }
    edit(&mut body);
    let response = app.post_callback(&body).await;
    assert_eq!(response.status(), 201, "posting a callback");
    let id: Uuid = json_of(response).await["id"]
        .as_str()
        .and_then(|id| id.parse().ok())
        .expect("callback id");
    sqlx::query_scalar("SELECT patient_id FROM callback_requests WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .expect("the stored callback")
}

fn consents(exercise_plans: bool, plans_of_care: bool) -> Value {
    json!({"appointment_reminders": true, "exercise_plans": exercise_plans,
           "plans_of_care": plans_of_care, "service_updates": false})
}

fn plan_body() -> Value {
    json!({
        "title": "Runner's knee, week 1",
        "exercises": [
            {"exercise_id": CALF_RAISES, "reps": 20},
            {"exercise_id": WALL_CALF_STRETCH},
            {"name": "Step-downs", "instructions": ["Stand on a low step.", "Lower the other heel slowly to the floor."], "sets": 2, "reps": 8}
        ],
        "note": "Stop if the pain is sharp."
    })
}

fn care_plan_body() -> Value {
    json!({
        "title": "Return to running",
        "summary": "Eight weeks of strengthening and graded running.\nReassess at week four.",
        "goals": ["Run 5 km without pain", "Single-leg squat with good control"],
        "visits_per_week": 2,
        "weeks": 8
    })
}

fn uuid_of(value: &Value) -> Uuid {
    value
        .as_str()
        .and_then(|id| id.parse().ok())
        .expect("a uuid")
}

async fn outbox_rows(app: &TestApp, kind: &str) -> Vec<(Uuid, String, Option<Uuid>, Value)> {
    sqlx::query_as(
        "SELECT id, status, clinic_id, payload FROM email_outbox WHERE kind = $1 ORDER BY created_at, id",
    )
    .bind(kind)
    .fetch_all(&app.db)
    .await
    .expect("outbox rows")
}

async fn audit_rows(app: &TestApp, entity_type: &str, entity_id: Uuid) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE entity_type = $1 AND entity_id = $2")
        .bind(entity_type)
        .bind(entity_id)
        .fetch_one(&app.db)
        .await
        .expect("audit rows")
}

#[tokio::test]
async fn the_library_lists_the_seeded_exercises_with_their_steps() {
    let app = TestApp::spawn().await;
    let response = app.get_as("/v1/staff/exercises", "not-a-token").await;
    assert_problem(response, 401).await;

    let clinics = Clinics::build(&app).await;
    let practitioner = app.staff_token("practitioner", &[clinics.clinic_a]).await;
    let response = app.get_as("/v1/staff/exercises", &practitioner).await;
    assert_eq!(response.status(), 200);
    let body = json_of(response).await;
    let items = body["items"].as_array().expect("items");
    let names: Vec<&str> = items.iter().filter_map(|e| e["name"].as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "ordered by name");
    for wanted in [
        "quadriceps stretch",
        "calf stretch",
        "hamstring stretch",
        "calf raises",
    ] {
        let item = items
            .iter()
            .find(|e| {
                e["name"]
                    .as_str()
                    .is_some_and(|n| n.to_lowercase().contains(wanted))
            })
            .unwrap_or_else(|| panic!("{wanted} in the library: {body}"));
        let steps = item["instructions"].as_array().expect("instructions");
        assert!(steps.len() >= 2, "{wanted} has steps");
        assert!(
            item["id"].is_string() && item["slug"].is_string() && item["body_area"].is_string()
        );
        assert!(
            item["sets"].is_number()
                && (item["reps"].is_number() || item["hold_seconds"].is_number())
        );
    }
}

#[tokio::test]
async fn an_exercise_plan_for_a_consenting_patient_is_stored_queued_and_audited() {
    let app = TestApp::spawn().await;
    let clinics = Clinics::build(&app).await;
    let patient = patient_with(&app, Some(clinics.clinic_a), |_| {}).await;
    let path = format!("/v1/staff/patients/{patient}/exercise-plans");

    let plan = assert_created_under(
        app.post_as(&path, &clinics.desk_a, &plan_body()).await,
        &path,
    )
    .await;
    let plan_id = uuid_of(&plan["id"]);
    assert_eq!(plan["patient_id"], json!(patient));
    assert_eq!(plan["clinic_id"], json!(clinics.clinic_a));
    assert_eq!(plan["title"], "Runner's knee, week 1");
    assert_eq!(plan["note"], "Stop if the pain is sharp.");
    assert_eq!(plan["email"]["status"], "queued");
    assert!(plan["created_at"].is_string());
    let exercises = plan["exercises"].as_array().expect("exercises");
    assert_eq!(exercises.len(), 3);
    // Library items are resolved, with overrides over the defaults.
    assert_eq!(exercises[0]["name"], "Calf raises");
    assert_eq!(exercises[0]["exercise_id"], CALF_RAISES);
    assert_eq!(
        (exercises[0]["sets"].clone(), exercises[0]["reps"].clone()),
        (json!(3), json!(20))
    );
    assert_eq!(
        exercises[0]["instructions"].as_array().map(Vec::len),
        Some(3)
    );
    assert_eq!(exercises[1]["name"], "Wall calf stretch");
    assert_eq!(exercises[1]["hold_seconds"], 30);
    assert_eq!(exercises[2]["exercise_id"], Value::Null);
    assert_eq!(exercises[2]["name"], "Step-downs");
    assert_eq!(exercises[2]["sets"], 2);

    assert_eq!(app.count("exercise_plans").await, 1);
    let stored: Value = sqlx::query_scalar("SELECT exercises FROM exercise_plans WHERE id = $1")
        .bind(plan_id)
        .fetch_one(&app.db)
        .await
        .expect("stored plan");
    assert_eq!(&stored, &plan["exercises"]);

    let emails = outbox_rows(&app, "exercise_plan").await;
    assert_eq!(emails.len(), 1);
    let (email_id, status, clinic_id, payload) = &emails[0];
    assert_eq!(*email_id, uuid_of(&plan["email"]["id"]));
    assert!(
        ["queued", "sending", "sent"].contains(&status.as_str()),
        "{status}"
    );
    assert_eq!(*clinic_id, Some(clinics.clinic_a));
    assert_eq!(payload["patient_name"], "Jane Runner");
    assert_eq!(payload["title"], "Runner's knee, week 1");
    assert_eq!(payload["note"], "Stop if the pain is sharp.");
    assert_eq!(payload["staff_name"], "Test Staff");
    assert_eq!(payload["exercises"], plan["exercises"]);
    assert!(
        payload["exercises"][1]["instructions"][0]
            .as_str()
            .is_some_and(|step| step.contains("wall")),
        "{payload}"
    );
    let linked: Option<Uuid> =
        sqlx::query_scalar("SELECT exercise_plan_id FROM email_outbox WHERE id = $1")
            .bind(email_id)
            .fetch_one(&app.db)
            .await
            .expect("outbox link");
    assert_eq!(linked, Some(plan_id));
    assert_eq!(audit_rows(&app, "exercise_plan", plan_id).await, 1);

    // The email shows up in the staff view of the outbox.
    let listed = app
        .get_json_as(
            &format!("/v1/staff/emails?kind=exercise_plan&patient_id={patient}"),
            &clinics.desk_a,
        )
        .await;
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(listed["items"][0]["id"], plan["email"]["id"]);
    assert_eq!(listed["items"][0]["patient_id"], json!(patient));
}

#[tokio::test]
async fn without_consent_an_exercise_plan_is_refused_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let clinics = Clinics::build(&app).await;
    let patient = patient_with(&app, Some(clinics.clinic_a), |body| {
        body["consents"] = consents(false, true);
    })
    .await;
    let response = app
        .post_as(
            &format!("/v1/staff/patients/{patient}/exercise-plans"),
            &clinics.desk_a,
            &plan_body(),
        )
        .await;
    let problem = assert_problem(response, 409).await;
    assert_eq!(problem["type"], "/problems/consent_missing");
    assert_eq!(app.count("exercise_plans").await, 0);
    assert!(outbox_rows(&app, "exercise_plan").await.is_empty());
    let audits: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE entity_type = 'exercise_plan'")
            .fetch_one(&app.db)
            .await
            .expect("audit count");
    assert_eq!(audits, 0);
}

#[tokio::test]
async fn a_patient_without_email_is_a_conflict() {
    let app = TestApp::spawn().await;
    let clinics = Clinics::build(&app).await;
    let patient = patient_with(&app, Some(clinics.clinic_a), |body| {
        body.as_object_mut().expect("object").remove("email");
        body["consents"] = consents(true, true);
    })
    .await;
    for (path, body) in [
        ("exercise-plans", plan_body()),
        ("care-plans", care_plan_body()),
    ] {
        let response = app
            .post_as(
                &format!("/v1/staff/patients/{patient}/{path}"),
                &clinics.desk_a,
                &body,
            )
            .await;
        let problem = assert_problem(response, 409).await;
        assert_eq!(problem["type"], "/problems/no_email", "{path}");
    }
    assert_eq!(app.count("exercise_plans").await, 0);
    assert_eq!(app.count("care_plans").await, 0);
}

#[tokio::test]
async fn plans_for_another_clinics_patient_are_not_found() {
    let app = TestApp::spawn().await;
    let clinics = Clinics::build(&app).await;
    let patient_a = patient_with(&app, Some(clinics.clinic_a), |body| {
        body["consents"] = consents(true, true);
    })
    .await;
    let network = patient_with(&app, None, |body| {
        body["consents"] = consents(true, true);
    })
    .await;
    for path in ["exercise-plans", "care-plans"] {
        let body = if path == "exercise-plans" {
            plan_body()
        } else {
            care_plan_body()
        };
        for (token, patient) in [
            (&clinics.desk_b, patient_a.to_string()),
            (&clinics.desk_a, network.to_string()),
            (&clinics.desk_a, Uuid::now_v7().to_string()),
            (&clinics.desk_a, "not-a-uuid".to_owned()),
        ] {
            let response = app
                .post_as(
                    &format!("/v1/staff/patients/{patient}/{path}"),
                    token,
                    &body,
                )
                .await;
            assert_problem(response, 404).await;
        }
        // Sending it in the name of a clinic that is not yours.
        let mut elsewhere = body.clone();
        elsewhere["clinic_id"] = json!(clinics.clinic_b);
        let response = app
            .post_as(
                &format!("/v1/staff/patients/{patient_a}/{path}"),
                &clinics.desk_a,
                &elsewhere,
            )
            .await;
        assert_problem(response, 403).await;
    }
    assert_eq!(app.count("exercise_plans").await, 0);
    assert_eq!(app.count("care_plans").await, 0);

    // An admin may send for a network-queue patient; the plan then names no clinic.
    let response = app
        .post_as(
            &format!("/v1/staff/patients/{network}/exercise-plans"),
            &clinics.admin,
            &plan_body(),
        )
        .await;
    assert_eq!(response.status(), 201);
    assert_eq!(json_of(response).await["clinic_id"], Value::Null);
    // And in the name of any clinic, under that clinic's consent: the patient consented to plans
    // of care at A only, and A's consent never stands for B's.
    let mut at_b = care_plan_body();
    at_b["clinic_id"] = json!(clinics.clinic_b);
    let response = app
        .post_as(
            &format!("/v1/staff/patients/{patient_a}/care-plans"),
            &clinics.admin,
            &at_b,
        )
        .await;
    assert_eq!(
        assert_problem(response, 409).await["type"],
        "/problems/consent_missing"
    );
}

#[tokio::test]
async fn an_invalid_exercise_plan_names_every_field() {
    let app = TestApp::spawn().await;
    let clinics = Clinics::build(&app).await;
    let patient = patient_with(&app, Some(clinics.clinic_a), |_| {}).await;
    let path = format!("/v1/staff/patients/{patient}/exercise-plans");

    let body = json!({
        "title": "  ",
        "exercises": [
            {"name": "Custom", "instructions": []},
            {"exercise_id": Uuid::now_v7()},
            {"exercise_id": CALF_RAISES, "sets": 0, "reps": 500, "hold_seconds": "long"},
            {"name": "", "instructions": ["ok", ""]},
            {"exercise_id": "nope"},
            {"sets": 2},
            "not an object"
        ],
        "note": "x".repeat(2001),
        "clinic_id": "somewhere"
    });
    let problem = assert_problem(app.post_as(&path, &clinics.desk_a, &body).await, 422).await;
    let fields: HashSet<String> = error_fields(&problem).into_iter().collect();
    for wanted in [
        "title",
        "exercises[0].instructions",
        "exercises[1].exercise_id",
        "exercises[2].sets",
        "exercises[2].reps",
        "exercises[2].hold_seconds",
        "exercises[3].name",
        "exercises[3].instructions[1]",
        "exercises[4].exercise_id",
        "exercises[5].name",
        "exercises[5].instructions",
        "exercises[6]",
        "note",
        "clinic_id",
    ] {
        assert!(fields.contains(wanted), "{wanted} missing from {problem}");
    }
    assert!(!fields.contains("exercises[0].name"), "{problem}");
    let unknown = problem["errors"]
        .as_array()
        .and_then(|errors| {
            errors
                .iter()
                .find(|e| e["field"] == "exercises[1].exercise_id")
        })
        .expect("the unknown exercise");
    assert_eq!(unknown["code"], "unknown_exercise");

    for (body, field) in [
        (json!({"title": "T", "exercises": []}), "exercises"),
        (json!({"title": "T"}), "exercises"),
        (
            json!({"title": "T", "exercises": vec![json!({"exercise_id": CALF_RAISES}); 31]}),
            "exercises",
        ),
        (
            json!({"title": "T", "exercises": [{"exercise_id": CALF_RAISES, "name": "Both", "instructions": ["x"]}]}),
            "exercises[0].exercise_id",
        ),
        (
            json!({"title": "T", "exercises": [{"name": "Many", "instructions": vec!["step"; 21]}]}),
            "exercises[0].instructions",
        ),
        (
            json!({"title": "x".repeat(201), "exercises": [{"exercise_id": CALF_RAISES}]}),
            "title",
        ),
    ] {
        let problem = assert_problem(app.post_as(&path, &clinics.desk_a, &body).await, 422).await;
        assert_eq!(error_fields(&problem), vec![field.to_owned()], "{problem}");
    }
    assert_eq!(app.count("exercise_plans").await, 0);
    assert!(outbox_rows(&app, "exercise_plan").await.is_empty());
}

#[tokio::test]
async fn a_care_plan_goes_out_under_plans_of_care() {
    let app = TestApp::spawn().await;
    let clinics = Clinics::build(&app).await;
    let consenting = patient_with(&app, Some(clinics.clinic_a), |body| {
        body["consents"] = consents(false, true);
    })
    .await;
    // The default form grants exercise plans but not plans of care.
    let declining = patient_with(&app, Some(clinics.clinic_a), |_| {}).await;

    let response = app
        .post_as(
            &format!("/v1/staff/patients/{declining}/care-plans"),
            &clinics.desk_a,
            &care_plan_body(),
        )
        .await;
    let problem = assert_problem(response, 409).await;
    assert_eq!(problem["type"], "/problems/consent_missing");
    assert_eq!(app.count("care_plans").await, 0);
    assert!(outbox_rows(&app, "care_plan").await.is_empty());

    let path = format!("/v1/staff/patients/{consenting}/care-plans");
    let plan = assert_created_under(
        app.post_as(&path, &clinics.desk_a, &care_plan_body()).await,
        &path,
    )
    .await;
    let plan_id = uuid_of(&plan["id"]);
    assert_eq!(plan["goals"], care_plan_body()["goals"]);
    assert_eq!(plan["visits_per_week"], 2);
    assert_eq!(plan["weeks"], 8);
    assert_eq!(plan["email"]["status"], "queued");
    assert_eq!(app.count("care_plans").await, 1);
    let emails = outbox_rows(&app, "care_plan").await;
    assert_eq!(emails.len(), 1);
    let (email_id, _, clinic_id, payload) = &emails[0];
    assert_eq!(*email_id, uuid_of(&plan["email"]["id"]));
    assert_eq!(*clinic_id, Some(clinics.clinic_a));
    assert_eq!(payload["goals"], care_plan_body()["goals"]);
    assert_eq!(payload["summary"], care_plan_body()["summary"]);
    assert_eq!(payload["visits_per_week"], 2);
    assert_eq!(payload["weeks"], 8);
    assert_eq!(payload["patient_name"], "Jane Runner");
    assert_eq!(payload["staff_name"], "Test Staff");
    assert_eq!(audit_rows(&app, "care_plan", plan_id).await, 1);

    // Every invalid field at once.
    let body = json!({
        "title": "",
        "summary": "s".repeat(4001),
        "goals": ["ok", "", 3],
        "visits_per_week": 15,
        "weeks": 1.5,
    });
    let problem = assert_problem(app.post_as(&path, &clinics.desk_a, &body).await, 422).await;
    let fields: HashSet<String> = error_fields(&problem).into_iter().collect();
    let wanted: HashSet<String> = [
        "title",
        "summary",
        "goals[1]",
        "goals[2]",
        "visits_per_week",
        "weeks",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert_eq!(fields, wanted, "{problem}");
    let problem = assert_problem(app.post_as(&path, &clinics.desk_a, &json!({})).await, 422).await;
    let fields: HashSet<String> = error_fields(&problem).into_iter().collect();
    for wanted in ["title", "summary", "goals", "visits_per_week", "weeks"] {
        assert!(fields.contains(wanted), "{wanted} missing from {problem}");
    }
    let mut no_goals = care_plan_body();
    no_goals["goals"] = json!([]);
    no_goals["weeks"] = json!(105);
    let problem = assert_problem(app.post_as(&path, &clinics.desk_a, &no_goals).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["goals", "weeks"]);
    assert_eq!(app.count("care_plans").await, 1);
}

async fn email_page(app: &TestApp, token: &str, query: &str) -> Value {
    let response = app.get_as(&format!("/v1/staff/emails{query}"), token).await;
    assert_eq!(response.status(), 200, "GET /v1/staff/emails{query}");
    json_of(response).await
}

fn patients_in(page: &Value) -> HashSet<Uuid> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| uuid_of(&item["patient_id"]))
        .collect()
}

#[tokio::test]
async fn staff_see_only_their_clinics_emails_with_filters_and_paging() {
    let app = TestApp::spawn().await;
    let clinics = Clinics::build(&app).await;
    let patient_a = patient_with(&app, Some(clinics.clinic_a), |_| {}).await;
    let patient_a2 = patient_with(&app, Some(clinics.clinic_a), |_| {}).await;
    let patient_b = patient_with(&app, Some(clinics.clinic_b), |_| {}).await;
    let network = patient_with(&app, None, |_| {}).await;
    let response = app
        .post_as(
            &format!("/v1/staff/patients/{patient_a}/exercise-plans"),
            &clinics.desk_a,
            &plan_body(),
        )
        .await;
    assert_eq!(response.status(), 201);

    let page_a = email_page(&app, &clinics.desk_a, "?limit=100").await;
    assert_eq!(patients_in(&page_a), HashSet::from([patient_a, patient_a2]));
    assert_eq!(page_a["items"].as_array().map(Vec::len), Some(3));
    assert_eq!(page_a["next_cursor"], Value::Null);
    let item = &page_a["items"][0];
    for field in [
        "id",
        "kind",
        "to",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
        "send_after",
        "patient_id",
        "booking_id",
    ] {
        assert!(item.get(field).is_some(), "{field} in {item}");
    }
    // Newest first.
    let created: Vec<&str> = page_a["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|item| item["created_at"].as_str())
        .collect();
    let mut newest_first = created.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(created, newest_first);

    let page_b = email_page(&app, &clinics.desk_b, "").await;
    assert_eq!(patients_in(&page_b), HashSet::from([patient_b]));
    // Asking for another clinic's patient gives nothing, not their emails.
    let page = email_page(&app, &clinics.desk_b, &format!("?patient_id={patient_a}")).await;
    assert_eq!(page["items"], json!([]));
    let page_admin = email_page(&app, &clinics.admin, "?limit=100").await;
    assert_eq!(
        patients_in(&page_admin),
        HashSet::from([patient_a, patient_a2, patient_b, network])
    );

    // Filters.
    let page = email_page(&app, &clinics.desk_a, "?kind=exercise_plan").await;
    assert_eq!(patients_in(&page), HashSet::from([patient_a]));
    assert_eq!(page["items"][0]["kind"], "exercise_plan");
    let page = email_page(&app, &clinics.desk_a, &format!("?patient_id={patient_a2}")).await;
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(page["items"][0]["kind"], "callback_received");
    let page = email_page(&app, &clinics.desk_a, "?status=failed").await;
    assert_eq!(page["items"], json!([]));
    let page = email_page(
        &app,
        &clinics.desk_a,
        "?status=queued&kind=callback_received",
    )
    .await;
    assert!(
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|item| item["status"] == "queued" && item["kind"] == "callback_received")
    );

    // Paging one at a time walks the same list, without repeats.
    let mut paged = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let query = match &cursor {
            Some(cursor) => format!("?limit=1&cursor={cursor}"),
            None => "?limit=1".to_owned(),
        };
        let page = email_page(&app, &clinics.admin, &query).await;
        paged.extend(
            page["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|i| i["id"].clone()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
        assert!(paged.len() <= 10, "paging does not end");
    }
    let all: Vec<Value> = page_admin["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].clone())
        .collect();
    assert_eq!(paged, all);

    // A callback routed from the network queue to clinic A brings its email along.
    let callback: Uuid =
        sqlx::query_scalar("SELECT id FROM callback_requests WHERE patient_id = $1")
            .bind(network)
            .fetch_one(&app.db)
            .await
            .expect("network callback");
    let response = app
        .patch_as(
            &format!("/v1/staff/callback-requests/{callback}"),
            &clinics.admin,
            &json!({"clinic_id": clinics.clinic_a}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let page_a = email_page(&app, &clinics.desk_a, "?limit=100").await;
    assert_eq!(
        patients_in(&page_a),
        HashSet::from([patient_a, patient_a2, network])
    );
    let page_b = email_page(&app, &clinics.desk_b, "?limit=100").await;
    assert_eq!(patients_in(&page_b), HashSet::from([patient_b]));

    // Bad parameters are named, all at once.
    let response = app
        .get_as(
            "/v1/staff/emails?patient_id=x&status=lost&kind=postcard&limit=0&cursor=%21%21",
            &clinics.desk_a,
        )
        .await;
    let problem = assert_problem(response, 400).await;
    let fields: HashSet<String> = error_fields(&problem).into_iter().collect();
    for wanted in ["patient_id", "status", "kind", "limit", "cursor"] {
        assert!(fields.contains(wanted), "{wanted} missing from {problem}");
    }
    assert_problem(app.get_as("/v1/staff/emails", "nope").await, 401).await;
}
