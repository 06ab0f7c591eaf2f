//! Who sees and touches which bookings (broken object-level authorisation): every role × own or
//! another clinic × every staff booking endpoint. Another clinic's booking answers exactly what a
//! booking that does not exist answers, and stays as it was.

use crate::bookings::{Desk, Row, TORONTO, at, id_of, ids_of, staff_with_id, upcoming};
use crate::helpers::*;
use chrono::{Days, Weekday};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use uuid::Uuid;

const ACTIONS: [&str; 5] = ["confirm", "cancel", "reschedule", "complete", "no-show"];

/// Clinics A and B (both Toronto, each with a practitioner working Mon-Fri 09:00-17:00), an
/// admin, A's front desk and practitioner, and B's front desk.
struct World {
    desk: Desk,
    clinic_b: Uuid,
    practitioner_b: Uuid,
    desk_a: String,
    desk_a_id: Uuid,
    practitioner_a: String,
    desk_b: String,
    desk_b_id: Uuid,
    /// Free slot starts next week (the same times are free for both practitioners).
    slots: Vec<String>,
    next_slot: AtomicUsize,
}

impl World {
    async fn build() -> World {
        let desk = Desk::new().await;
        let clinic_b = desk.app.create_clinic(&desk.admin, "Clinic B").await;
        let practitioner_b = desk.practitioner_at(clinic_b, &["phone", "video"]).await;
        desk.nine_to_five(practitioner_b, 15).await;
        let (desk_a_id, desk_a) = staff_with_id(&desk.app, "front_desk", &[desk.clinic]).await;
        let (_, practitioner_a) = staff_with_id(&desk.app, "practitioner", &[desk.clinic]).await;
        let (desk_b_id, desk_b) = staff_with_id(&desk.app, "front_desk", &[clinic_b]).await;
        let monday = upcoming(TORONTO, Weekday::Mon, 3);
        let slots = desk
            .slot_starts(desk.practitioner, monday, monday + Days::new(4))
            .await;
        assert_eq!(slots.len(), 5 * 32);
        World {
            desk,
            clinic_b,
            practitioner_b,
            desk_a,
            desk_a_id,
            practitioner_a,
            desk_b,
            desk_b_id,
            slots,
            next_slot: AtomicUsize::new(0),
        }
    }

    fn app(&self) -> &TestApp {
        &self.desk.app
    }

    fn admin(&self) -> &str {
        &self.desk.admin
    }

    fn practitioner_a(&self) -> Uuid {
        self.desk.practitioner
    }

    /// A slot no booking of this test has used yet.
    fn fresh_slot(&self) -> String {
        let index = self.next_slot.fetch_add(1, Ordering::SeqCst);
        self.slots[index].clone()
    }

    async fn book(&self, practitioner: Uuid, email: &str) -> Uuid {
        self.desk
            .book_with(practitioner, &self.fresh_slot(), email)
            .await
    }

    /// The body each action needs to get past validation.
    fn body_for(&self, action: &str) -> Value {
        match action {
            "reschedule" => json!({"starts_at": self.fresh_slot()}),
            "cancel" => json!({"reason": "Scoping test", "notify_patient": true}),
            _ => json!({}),
        }
    }

    async fn detail(&self, token: &str, id: Uuid) -> reqwest::Response {
        self.app()
            .get_as(&format!("/v1/staff/bookings/{id}"), token)
            .await
    }

    async fn listed(&self, token: &str, query: &str) -> HashSet<Uuid> {
        ids_of(&self.desk.list(token, query).await)
            .into_iter()
            .collect()
    }

    /// What changes when anyone acts on a booking: its row, its emails, its audit trail.
    async fn footprint(&self, id: Uuid) -> (Row, i64, i64) {
        let emails: i64 =
            sqlx::query_scalar("SELECT count(*) FROM email_outbox WHERE booking_id = $1")
                .bind(id)
                .fetch_one(&self.app().db)
                .await
                .unwrap();
        let audit: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE entity_id = $1")
            .bind(id)
            .fetch_one(&self.app().db)
            .await
            .unwrap();
        (self.desk.row(id).await, emails, audit)
    }
}

fn set(ids: &[Uuid]) -> HashSet<Uuid> {
    ids.iter().copied().collect()
}

#[tokio::test]
async fn each_role_acts_on_its_own_clinics_bookings_along_the_allowed_transitions() {
    let world = World::build().await;
    let cases = [
        ("admin at A", world.admin(), world.practitioner_a()),
        ("admin at B", world.admin(), world.practitioner_b),
        (
            "front desk of A",
            world.desk_a.as_str(),
            world.practitioner_a(),
        ),
        (
            "practitioner of A",
            world.practitioner_a.as_str(),
            world.practitioner_a(),
        ),
        (
            "front desk of B",
            world.desk_b.as_str(),
            world.practitioner_b,
        ),
    ];
    for (index, (who, token, practitioner)) in cases.into_iter().enumerate() {
        let desk = &world.desk;
        let x = world
            .book(practitioner, &format!("x{index}@example.com"))
            .await;
        let detail = world.detail(token, x).await;
        assert_eq!(detail.status(), 200, "{who} reads their booking");
        assert_eq!(json_of(detail).await["id"], json!(x));
        assert!(
            world.listed(token, "?limit=100").await.contains(&x),
            "{who} lists it"
        );

        // Allowed by scope, refused by state: 409, not 404.
        for action in ["complete", "no-show"] {
            let response = desk.act(token, x, action, &json!({})).await;
            assert_eq!(
                response.status(),
                409,
                "{who}: {action} on a requested booking"
            );
        }
        assert_eq!(
            desk.act_ok(token, x, "confirm", &json!({})).await["status"],
            "confirmed"
        );
        let new_start = world.fresh_slot();
        let moved = desk.reschedule(token, x, &new_start).await;
        assert_eq!(moved["starts_at"], json!(new_start), "{who}");
        assert_eq!(
            desk.act_ok(token, x, "complete", &json!({})).await["status"],
            "completed"
        );

        let y = world
            .book(practitioner, &format!("y{index}@example.com"))
            .await;
        desk.act_ok(token, y, "confirm", &json!({})).await;
        assert_eq!(
            desk.act_ok(token, y, "no-show", &json!({})).await["status"],
            "no_show"
        );

        let z = world
            .book(practitioner, &format!("z{index}@example.com"))
            .await;
        assert_eq!(
            desk.act_ok(token, z, "cancel", &world.body_for("cancel"))
                .await["status"],
            "cancelled"
        );
        let again = desk
            .act(token, z, "cancel", &world.body_for("cancel"))
            .await;
        assert_eq!(again.status(), 409, "{who}: cancelling twice");

        assert_eq!(world.desk.row(x).await.status, "completed", "{who}");
        assert_eq!(world.desk.row(y).await.status, "no_show", "{who}");
        assert_eq!(world.desk.row(z).await.status, "cancelled", "{who}");
    }

    // The audit trail names who acted.
    let audited: Vec<(String, Uuid)> = sqlx::query_as(
        "SELECT action, staff_id FROM audit_log WHERE entity_type = 'booking' AND staff_id = ANY($1)
          ORDER BY id",
    )
    .bind(vec![world.desk_a_id, world.desk_b_id])
    .fetch_all(&world.app().db)
    .await
    .unwrap();
    for staff in [world.desk_a_id, world.desk_b_id] {
        let actions: Vec<&str> = audited
            .iter()
            .filter(|(_, id)| *id == staff)
            .map(|(action, _)| action.as_str())
            .collect();
        assert_eq!(
            actions,
            vec![
                "booking.confirm",
                "booking.reschedule",
                "booking.complete",
                "booking.confirm",
                "booking.no_show",
                "booking.cancel"
            ]
        );
    }
}

#[tokio::test]
async fn another_clinics_booking_is_404_exactly_like_a_missing_one_and_stays_untouched() {
    let world = World::build().await;
    let a_requested = world.book(world.practitioner_a(), "a1@example.com").await;
    let a_confirmed = world.book(world.practitioner_a(), "a2@example.com").await;
    let b_requested = world.book(world.practitioner_b, "b1@example.com").await;
    let b_confirmed = world.book(world.practitioner_b, "b2@example.com").await;
    for id in [a_confirmed, b_confirmed] {
        world
            .desk
            .act_ok(world.admin(), id, "confirm", &json!({}))
            .await;
    }
    let missing = Uuid::now_v7();

    let cases = [
        (
            "front desk of A",
            world.desk_a.as_str(),
            [b_requested, b_confirmed],
        ),
        (
            "practitioner of A",
            world.practitioner_a.as_str(),
            [b_requested, b_confirmed],
        ),
        (
            "front desk of B",
            world.desk_b.as_str(),
            [a_requested, a_confirmed],
        ),
    ];
    for (who, token, targets) in cases {
        let not_found = assert_problem(world.detail(token, missing).await, 404).await;
        for target in targets {
            let before = world.footprint(target).await;
            let problem = assert_problem(world.detail(token, target).await, 404).await;
            assert_eq!(problem, not_found, "{who}: GET another clinic's booking");
            for action in ACTIONS {
                let body = world.body_for(action);
                let expected =
                    assert_problem(world.desk.act(token, missing, action, &body).await, 404).await;
                let problem =
                    assert_problem(world.desk.act(token, target, action, &body).await, 404).await;
                assert_eq!(
                    problem, expected,
                    "{who}: {action} another clinic's booking"
                );
            }
            assert_eq!(
                world.footprint(target).await,
                before,
                "{who}: the booking, its emails and its audit trail are untouched"
            );
            assert!(
                !world.listed(token, "?limit=100").await.contains(&target),
                "{who} never lists it"
            );
        }
    }

    // The owners still see them as they were.
    for (token, id, status) in [
        (world.desk_a.as_str(), a_requested, "requested"),
        (world.desk_a.as_str(), a_confirmed, "confirmed"),
        (world.desk_b.as_str(), b_requested, "requested"),
        (world.desk_b.as_str(), b_confirmed, "confirmed"),
    ] {
        let detail = world.detail(token, id).await;
        assert_eq!(detail.status(), 200);
        assert_eq!(json_of(detail).await["status"], status);
    }
}

#[tokio::test]
async fn lists_show_only_the_staff_members_clinics() {
    let world = World::build().await;
    let a1 = world.book(world.practitioner_a(), "a1@example.com").await;
    let a2 = world.book(world.practitioner_a(), "a2@example.com").await;
    let b1 = world.book(world.practitioner_b, "b1@example.com").await;
    let (clinic_a, clinic_b) = (world.desk.clinic, world.clinic_b);

    assert_eq!(world.listed(&world.desk_a, "").await, set(&[a1, a2]));
    assert_eq!(
        world.listed(&world.practitioner_a, "").await,
        set(&[a1, a2])
    );
    assert_eq!(world.listed(&world.desk_b, "").await, set(&[b1]));
    assert_eq!(world.listed(world.admin(), "").await, set(&[a1, a2, b1]));
    // A member of both clinics sees both, and narrows to either; a third clinic shows nothing.
    let (_, desk_ab) = staff_with_id(world.app(), "front_desk", &[clinic_a, clinic_b]).await;
    assert_eq!(world.listed(&desk_ab, "").await, set(&[a1, a2, b1]));
    assert_eq!(
        world
            .listed(&desk_ab, &format!("?clinic_id={clinic_b}"))
            .await,
        set(&[b1])
    );
    assert_eq!(
        world
            .listed(&desk_ab, &format!("?clinic_id={}", Uuid::now_v7()))
            .await,
        set(&[])
    );

    let b_patient = world.desk.row(b1).await.patient_id;
    for token in [world.desk_a.as_str(), world.practitioner_a.as_str()] {
        for query in [
            format!("?clinic_id={clinic_b}"),
            format!("?practitioner_id={}", world.practitioner_b),
            format!("?patient_id={b_patient}"),
            format!("?clinic_id={clinic_b}&status=requested"),
        ] {
            let page = world.desk.list(token, &query).await;
            assert_eq!(page["items"], json!([]), "{query}");
            assert_eq!(page["next_cursor"], Value::Null);
        }
        assert_eq!(
            world.listed(token, &format!("?clinic_id={clinic_a}")).await,
            set(&[a1, a2])
        );
    }
    assert!(
        world
            .listed(&world.desk_b, &format!("?clinic_id={clinic_a}"))
            .await
            .is_empty()
    );
    assert_eq!(
        world
            .listed(world.admin(), &format!("?clinic_id={clinic_b}"))
            .await,
        set(&[b1])
    );
    assert_eq!(
        world
            .listed(world.admin(), &format!("?clinic_id={clinic_a}"))
            .await,
        set(&[a1, a2])
    );
}

#[tokio::test]
async fn hours_and_time_off_are_admin_only() {
    let world = World::build().await;
    let practitioner = world.practitioner_a();
    let schedule_path = format!("/v1/admin/practitioners/{practitioner}/schedule");
    let time_off_path = format!("/v1/admin/practitioners/{practitioner}/time-off");
    let before = world.app().get_json_as(&schedule_path, world.admin()).await;
    let week =
        json!({"weekly": [{"weekday": 6, "start": "10:00", "end": "12:00"}], "slot_minutes": 30});
    let monday = upcoming(TORONTO, Weekday::Mon, 3);
    let time_off =
        json!({"starts_at": at(TORONTO, monday, "09:00"), "ends_at": at(TORONTO, monday, "17:00")});

    for token in [
        world.desk_a.as_str(),
        world.practitioner_a.as_str(),
        world.desk_b.as_str(),
    ] {
        let problem = assert_problem(
            world.desk.put_schedule_as(token, practitioner, &week).await,
            403,
        )
        .await;
        assert_eq!(problem["type"], "/problems/forbidden");
        assert_problem(world.app().get_as(&schedule_path, token).await, 403).await;
        assert_problem(
            world.app().post_as(&time_off_path, token, &time_off).await,
            403,
        )
        .await;
    }
    let after = world.app().get_json_as(&schedule_path, world.admin()).await;
    assert_eq!(after, before, "the hours are unchanged");
    assert_eq!(world.app().count("time_off").await, 0);
    assert_eq!(
        world
            .desk
            .slot_starts(practitioner, monday, monday)
            .await
            .len(),
        32,
        "Monday is still bookable"
    );
}

#[tokio::test]
async fn a_bookings_patient_is_visible_to_that_clinics_staff_only() {
    let world = World::build().await;
    // Jane books at both clinics; Bob only at B.
    let jane_a = world.book(world.practitioner_a(), "jane@example.com").await;
    let jane_b = world.book(world.practitioner_b, "jane@example.com").await;
    let bob_b = world.book(world.practitioner_b, "bob@example.com").await;
    let jane = world.desk.row(jane_a).await.patient_id;
    assert_eq!(
        world.desk.row(jane_b).await.patient_id,
        jane,
        "matched by email"
    );
    let bob = world.desk.row(bob_b).await.patient_id;

    let patient = |token: &str, id: Uuid| {
        let request = world
            .app()
            .client
            .get(world.app().url(&format!("/v1/staff/patients/{id}")))
            .bearer_auth(token);
        async move { request.send().await.unwrap() }
    };
    let booking_ids = |view: &Value| -> HashSet<Uuid> {
        view["bookings"]
            .as_array()
            .expect("bookings")
            .iter()
            .map(id_of)
            .collect()
    };

    for (who, token, own_booking) in [
        ("front desk of A", world.desk_a.as_str(), jane_a),
        ("practitioner of A", world.practitioner_a.as_str(), jane_a),
        ("front desk of B", world.desk_b.as_str(), jane_b),
    ] {
        let response = patient(token, jane).await;
        assert_eq!(
            response.status(),
            200,
            "{who} reads the patient of a booking at their clinic"
        );
        let view = json_of(response).await;
        assert_eq!(view["id"], json!(jane));
        assert_eq!(
            booking_ids(&view),
            set(&[own_booking]),
            "{who} sees only their clinic's booking"
        );
        assert_eq!(
            view["emails"].as_array().expect("emails").len(),
            1,
            "{who} sees only their clinic's email"
        );
    }
    let admin_view = json_of(patient(world.admin(), jane).await).await;
    assert_eq!(booking_ids(&admin_view), set(&[jane_a, jane_b]));

    let not_found = assert_problem(patient(&world.desk_a, Uuid::now_v7()).await, 404).await;
    for (who, token) in [
        ("front desk of A", world.desk_a.as_str()),
        ("practitioner of A", world.practitioner_a.as_str()),
    ] {
        let problem = assert_problem(patient(token, bob).await, 404).await;
        assert_eq!(problem, not_found, "{who} cannot read B's patient");
    }
    assert_eq!(patient(&world.desk_b, bob).await.status(), 200);
}

#[tokio::test]
async fn staff_booking_endpoints_need_a_token() {
    let world = World::build().await;
    let id = world.book(world.practitioner_a(), "jane@example.com").await;
    let before = world.footprint(id).await;
    let client = &world.app().client;
    for path in [
        "/v1/staff/bookings".to_owned(),
        format!("/v1/staff/bookings/{id}"),
    ] {
        let response = client.get(world.app().url(&path)).send().await.unwrap();
        assert_problem(response, 401).await;
        let response = client
            .get(world.app().url(&path))
            .bearer_auth("not-a-real-token")
            .send()
            .await
            .unwrap();
        assert_problem(response, 401).await;
    }
    for action in ACTIONS {
        let response = client
            .post(
                world
                    .app()
                    .url(&format!("/v1/staff/bookings/{id}/{action}")),
            )
            .json(&world.body_for(action))
            .send()
            .await
            .unwrap();
        assert_problem(response, 401).await;
    }
    assert_eq!(world.footprint(id).await, before);
}
