//! "Book your free consult": weekly hours and time off, slots (DST-correct), `POST /v1/bookings`
//! with every refusal reason, real races for slots, the front desk's state machine with its emails,
//! calendar invites, reminders and audit trail, and the staff list.

use crate::helpers::*;
use chrono::{
    DateTime, Datelike, Days, Duration, NaiveDate, NaiveTime, TimeZone, Timelike, Utc, Weekday,
};
use chrono_tz::Tz;
use reqwest::Response;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::Arc;
use tokio::sync::Barrier;
use uuid::Uuid;

pub(crate) const TORONTO: Tz = chrono_tz::America::Toronto;
const PASSWORD: &str = "a long enough password";

// ---------------------------------------------------------------------------------------------
// Time helpers: everything "now"-relative is computed in the clinic's zone.

/// Today's date in `zone`.
pub(crate) fn today(zone: Tz) -> NaiveDate {
    Utc::now().with_timezone(&zone).date_naive()
}

/// The first `weekday` at least `min_days` after today in `zone`.
pub(crate) fn upcoming(zone: Tz, weekday: Weekday, min_days: u64) -> NaiveDate {
    let mut date = today(zone) + Days::new(min_days);
    while date.weekday() != weekday {
        date = date.succ_opt().expect("a next day");
    }
    date
}

/// `date` at local `hh:mm` in `zone`, written as the API writes times (RFC 3339, local offset).
pub(crate) fn at(zone: Tz, date: NaiveDate, hh_mm: &str) -> String {
    let time = NaiveTime::parse_from_str(hh_mm, "%H:%M").expect("HH:MM");
    zone.from_local_datetime(&date.and_time(time))
        .single()
        .expect("an unambiguous local time")
        .fixed_offset()
        .to_rfc3339()
}

pub(crate) fn instant(raw: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(raw)
        .unwrap_or_else(|_| panic!("an RFC 3339 time: {raw}"))
        .with_timezone(&Utc)
}

/// An instant written in Toronto's offset, as a client would send it.
fn toronto(time: DateTime<Utc>) -> String {
    time.with_timezone(&TORONTO).fixed_offset().to_rfc3339()
}

pub(crate) fn id_of(body: &Value) -> Uuid {
    body["id"]
        .as_str()
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("an id in {body}"))
}

fn problem_codes(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    (
                        e["field"].as_str().unwrap_or_default().to_owned(),
                        e["code"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn pair(field: &str, code: &str) -> Vec<(String, String)> {
    vec![(field.to_owned(), code.to_owned())]
}

/// The value of an iCalendar property line (`SEQUENCE`, `METHOD`, `UID`).
pub(crate) fn ics_property(ics: &str, name: &str) -> String {
    ics.lines()
        .find_map(|line| line.trim_end().strip_prefix(&format!("{name}:")))
        .unwrap_or_else(|| panic!("{name} in the invite:\n{ics}"))
        .to_owned()
}

pub(crate) fn booking_body(practitioner: Uuid, starts_at: &str, email: &str) -> Value {
    json!({
        "practitioner_id": practitioner, "starts_at": starts_at, "mode": "video",
        "patient": {"name": "Jane Runner", "email": email, "phone": "+1 416-555-0100"},
        "concern": "Knee pain when running",
        "consents": {"appointment_reminders": true, "exercise_plans": true, "plans_of_care": false, "service_updates": false},
        "website": ""
    })
}

pub(crate) async fn staff_with_id(
    app: &TestApp,
    role: &str,
    clinic_ids: &[Uuid],
) -> (Uuid, String) {
    let email = format!("{role}-{}@clinic.test", Uuid::new_v4().simple());
    let id = app.create_staff(&email, role, clinic_ids, PASSWORD).await;
    (id, app.sign_in(&email, PASSWORD).await)
}

/// A booking as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub(crate) struct Row {
    pub status: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub ics_sequence: i32,
    pub updated_at: DateTime<Utc>,
    pub cancel_reason: Option<String>,
    pub patient_id: Uuid,
}

/// An outbox row of a booking.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct Email {
    pub status: String,
    pub send_after: DateTime<Utc>,
    pub payload: Value,
}

// ---------------------------------------------------------------------------------------------
// The fixture: an app, an admin, a Toronto clinic and a practitioner working Mon-Fri 09:00-17:00
// in 15-minute slots.

pub(crate) struct Desk {
    pub app: TestApp,
    pub admin: String,
    pub clinic: Uuid,
    pub practitioner: Uuid,
}

impl Desk {
    pub(crate) async fn new() -> Desk {
        Desk::with(Overrides::new()).await
    }

    pub(crate) async fn with(overrides: Overrides) -> Desk {
        let app = TestApp::spawn_with(overrides).await;
        let admin = app.admin_token().await;
        let clinic = app.create_clinic(&admin, "Downtown Physio").await;
        let mut desk = Desk {
            app,
            admin,
            clinic,
            practitioner: Uuid::nil(),
        };
        desk.practitioner = desk.practitioner_at(clinic, &["phone", "video"]).await;
        desk.nine_to_five(desk.practitioner, 15).await;
        desk
    }

    /// A clinic in `zone` (`America/Vancouver` gets a Vancouver address).
    pub(crate) async fn clinic_in(&self, name: &str, zone: &str) -> Uuid {
        let mut body = clinic_body(name);
        body["time_zone"] = json!(zone);
        if zone == "America/Vancouver" {
            body["city"] = json!("Vancouver");
            body["province"] = json!("BC");
            body["postal_code"] = json!("V6B 1A1");
            body["phone"] = json!("604-555-0100");
            body["latitude"] = json!(49.2827);
            body["longitude"] = json!(-123.1207);
        }
        let response = self
            .app
            .post_as("/v1/admin/clinics", &self.admin, &body)
            .await;
        assert_eq!(response.status(), 201, "creating clinic {name}");
        id_of(&json_of(response).await)
    }

    pub(crate) async fn practitioner_at(&self, clinic: Uuid, modes: &[&str]) -> Uuid {
        let body = json!({
            "clinic_id": clinic, "name": "Alex Physio", "discipline": "physiotherapy",
            "services": ["sports injuries"], "languages": ["en"], "consult_modes": modes
        });
        let response = self
            .app
            .post_as("/v1/admin/practitioners", &self.admin, &body)
            .await;
        assert_eq!(response.status(), 201, "{body}");
        id_of(&json_of(response).await)
    }

    pub(crate) async fn put_schedule_as(
        &self,
        token: &str,
        practitioner: Uuid,
        body: &Value,
    ) -> Response {
        self.app
            .client
            .put(
                self.app
                    .url(&format!("/v1/admin/practitioners/{practitioner}/schedule")),
            )
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("PUT")
    }

    pub(crate) async fn schedule(&self, practitioner: Uuid, weekly: Value, slot_minutes: u32) {
        let body = json!({"weekly": weekly, "slot_minutes": slot_minutes});
        let response = self.put_schedule_as(&self.admin, practitioner, &body).await;
        assert_eq!(response.status(), 200, "{body}");
    }

    pub(crate) async fn nine_to_five(&self, practitioner: Uuid, slot_minutes: u32) {
        let weekly: Vec<Value> = (1..=5)
            .map(|weekday| json!({"weekday": weekday, "start": "09:00", "end": "17:00"}))
            .collect();
        self.schedule(practitioner, json!(weekly), slot_minutes)
            .await;
    }

    pub(crate) async fn slots(&self, practitioner: Uuid, query: &str) -> Response {
        self.app
            .get(&format!("/v1/practitioners/{practitioner}/slots{query}"))
            .await
    }

    /// The free slot starts from `from` to `to`, as the API writes them.
    pub(crate) async fn slot_starts(
        &self,
        practitioner: Uuid,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Vec<String> {
        let response = self
            .slots(practitioner, &format!("?from={from}&to={to}"))
            .await;
        assert_eq!(response.status(), 200);
        starts_of(&json_of(response).await)
    }

    pub(crate) async fn book(&self, body: &Value) -> Response {
        self.app.post_json("/v1/bookings", body).await
    }

    /// Asks for `starts_at` with `practitioner` for `email` (the standard form otherwise).
    pub(crate) async fn request(
        &self,
        practitioner: Uuid,
        starts_at: &str,
        email: &str,
    ) -> Response {
        self.book(&booking_body(practitioner, starts_at, email))
            .await
    }

    /// Books `starts_at` with `practitioner` for `email`; the booking as answered.
    pub(crate) async fn booked(&self, practitioner: Uuid, starts_at: &str, email: &str) -> Value {
        let response = self.request(practitioner, starts_at, email).await;
        assert_eq!(response.status(), 201, "booking {starts_at}");
        json_of(response).await
    }

    /// Books `starts_at` with `practitioner` for `email`; the booking's id.
    pub(crate) async fn book_with(&self, practitioner: Uuid, starts_at: &str, email: &str) -> Uuid {
        id_of(&self.booked(practitioner, starts_at, email).await)
    }

    /// Asks for a booking that must be refused as invalid (422); the problem.
    pub(crate) async fn refused(&self, practitioner: Uuid, starts_at: &str, email: &str) -> Value {
        assert_problem(self.request(practitioner, starts_at, email).await, 422).await
    }

    pub(crate) async fn book_at(&self, starts_at: &str, email: &str) -> Uuid {
        self.book_with(self.practitioner, starts_at, email).await
    }

    /// A front-desk member of the clinic (their token) and Jane's booking next Monday at 09:00,
    /// which they confirmed.
    pub(crate) async fn front_desk_and_a_confirmed_booking(&self) -> (String, Uuid) {
        let front_desk = self.app.staff_token("front_desk", &[self.clinic]).await;
        let nine = at(TORONTO, upcoming(TORONTO, Weekday::Mon, 3), "09:00");
        let id = self
            .confirmed_at(&front_desk, &nine, "jane@example.com")
            .await;
        (front_desk, id)
    }

    /// Books `starts_at` for `email` and has `token` confirm it; the booking's id.
    pub(crate) async fn confirmed_at(&self, token: &str, starts_at: &str, email: &str) -> Uuid {
        let id = self.book_at(starts_at, email).await;
        self.act_ok(token, id, "confirm", &json!({})).await;
        id
    }

    pub(crate) async fn act(&self, token: &str, id: Uuid, action: &str, body: &Value) -> Response {
        self.app
            .post_as(&format!("/v1/staff/bookings/{id}/{action}"), token, body)
            .await
    }

    /// Performs `action` as `token` and expects `status`; the answer's body.
    pub(crate) async fn act_ok(&self, token: &str, id: Uuid, action: &str, body: &Value) -> Value {
        let response = self.act(token, id, action, body).await;
        assert_eq!(response.status(), 200, "{action} {id}");
        json_of(response).await
    }

    /// Moves the booking to `starts_at` as `token`; the booking as answered.
    pub(crate) async fn reschedule(&self, token: &str, id: Uuid, starts_at: &str) -> Value {
        let body = json!({"starts_at": starts_at});
        self.act_ok(token, id, "reschedule", &body).await
    }

    /// Cancels the booking as `token` with `details` (reason, notify_patient); the booking as
    /// answered.
    pub(crate) async fn cancel(&self, token: &str, id: Uuid, details: Value) -> Value {
        self.act_ok(token, id, "cancel", &details).await
    }

    /// Performs `action` as `token` where the booking's state forbids it: asserts the 409
    /// invalid-transition problem and returns it.
    pub(crate) async fn act_refused(
        &self,
        token: &str,
        id: Uuid,
        action: &str,
        body: &Value,
    ) -> Value {
        let problem = assert_problem(self.act(token, id, action, body).await, 409).await;
        assert_eq!(
            problem["type"], "/problems/invalid_transition",
            "{action} {id}"
        );
        problem
    }

    pub(crate) async fn row(&self, id: Uuid) -> Row {
        sqlx::query_as(
            "SELECT status, starts_at, ends_at, ics_sequence, updated_at, cancel_reason, patient_id
               FROM bookings WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&self.app.db)
        .await
        .expect("the stored booking")
    }

    /// The booking's emails of `kind`, by due time.
    pub(crate) async fn emails(&self, id: Uuid, kind: &str) -> Vec<Email> {
        sqlx::query_as(
            "SELECT status, send_after, payload FROM email_outbox
              WHERE booking_id = $1 AND kind = $2 ORDER BY send_after, id",
        )
        .bind(id)
        .bind(kind)
        .fetch_all(&self.app.db)
        .await
        .expect("emails")
    }

    /// The booking's audited actions, oldest first, without who did them.
    pub(crate) async fn audit_action_names(&self, id: Uuid) -> Vec<String> {
        let actions = self.audit_actions(id).await;
        actions.into_iter().map(|(action, _)| action).collect()
    }

    pub(crate) async fn audit_actions(&self, id: Uuid) -> Vec<(String, Option<Uuid>)> {
        sqlx::query_as(
            "SELECT action, staff_id FROM audit_log WHERE entity_type = 'booking' AND entity_id = $1
              ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.app.db)
        .await
        .expect("audit rows")
    }

    pub(crate) async fn list(&self, token: &str, query: &str) -> Value {
        let response = self
            .app
            .get_as(&format!("/v1/staff/bookings{query}"), token)
            .await;
        assert_eq!(response.status(), 200, "listing bookings{query}");
        json_of(response).await
    }
}

pub(crate) fn starts_of(slots: &Value) -> Vec<String> {
    slots["slots"]
        .as_array()
        .expect("slots")
        .iter()
        .map(|slot| slot["starts_at"].as_str().expect("starts_at").to_owned())
        .collect()
}

pub(crate) fn ids_of(page: &Value) -> Vec<Uuid> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(id_of)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Weekly hours

/// PUTs a schedule that must be refused with a 422; the problem.
async fn refused_schedule(desk: &Desk, weekly: Value, slot_minutes: Value) -> Value {
    let body = json!({"weekly": weekly, "slot_minutes": slot_minutes});
    assert_problem(
        desk.put_schedule_as(&desk.admin, desk.practitioner, &body)
            .await,
        422,
    )
    .await
}

#[tokio::test]
async fn invalid_schedules_name_the_element_at_fault_and_change_nothing() {
    let desk = Desk::new().await;
    let put = |weekly: Value, slot_minutes: Value| refused_schedule(&desk, weekly, slot_minutes);

    let overlapping = put(
        json!([{"weekday": 1, "start": "09:00", "end": "12:00"}, {"weekday": 2, "start": "09:00", "end": "12:00"},
               {"weekday": 1, "start": "11:30", "end": "14:00"}]),
        json!(15),
    )
    .await;
    assert_eq!(
        problem_codes(&overlapping),
        pair("weekly[2]", "overlapping_range")
    );
    assert!(
        overlapping["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("weekly[0]"),
        "{overlapping}"
    );

    // One fault each, and the (field, code) pairs its problem names, in order.
    let faults = [
        (
            json!([{"weekday": 3, "start": "17:00", "end": "09:00"}]),
            json!(15),
            pair("weekly[0].end", "end_before_start"),
        ),
        (
            json!([{"weekday": 0, "start": "09:00", "end": "17:00"}, {"weekday": 8, "start": "09:00", "end": "17:00"}]),
            json!(15),
            vec![
                ("weekly[0].weekday".to_owned(), "invalid_weekday".to_owned()),
                ("weekly[1].weekday".to_owned(), "invalid_weekday".to_owned()),
            ],
        ),
        (
            json!([{"weekday": 1, "start": "25:00", "end": "17:00"}]),
            json!(15),
            pair("weekly[0].start", "invalid_time"),
        ),
    ];
    for (weekly, slot_minutes, expected) in faults {
        let problem = put(weekly.clone(), slot_minutes).await;
        assert_eq!(problem_codes(&problem), expected, "{weekly}");
    }
    for slot_minutes in [3, 500] {
        let problem = put(
            json!([{"weekday": 1, "start": "09:00", "end": "17:00"}]),
            json!(slot_minutes),
        )
        .await;
        assert_eq!(
            error_fields(&problem),
            vec!["slot_minutes"],
            "{slot_minutes}"
        );
    }

    // Several problems at once are all named.
    let several = put(
        json!([{"weekday": 1, "start": "9am", "end": "17:00"}]),
        json!(1),
    )
    .await;
    assert_eq!(
        sorted_error_fields(&several),
        vec!["slot_minutes", "weekly[0].start"]
    );

    // The schedule in force is still the one set up first.
    let current = desk
        .app
        .get_json_as(
            &format!("/v1/admin/practitioners/{}/schedule", desk.practitioner),
            &desk.admin,
        )
        .await;
    assert_eq!(current["slot_minutes"], 15);
    assert_eq!(current["weekly"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn several_ranges_a_day_are_allowed_and_read_back() {
    let desk = Desk::new().await;
    let body = json!({"slot_minutes": 20, "weekly": [
        {"weekday": 1, "start": "13:00", "end": "17:00"},
        {"weekday": 3, "start": "10:00", "end": "11:00"},
        {"weekday": 1, "start": "09:00", "end": "12:00"},
        {"weekday": 1, "start": "12:00", "end": "12:40"}
    ]});
    let response = desk
        .put_schedule_as(&desk.admin, desk.practitioner, &body)
        .await;
    assert_eq!(response.status(), 200);
    let expected_week = json!([
        {"weekday": 1, "start": "09:00", "end": "12:00"},
        {"weekday": 1, "start": "12:00", "end": "12:40"},
        {"weekday": 1, "start": "13:00", "end": "17:00"},
        {"weekday": 3, "start": "10:00", "end": "11:00"}
    ]);
    assert_eq!(json_of(response).await["weekly"], expected_week);

    let read = desk
        .app
        .get_as(
            &format!("/v1/admin/practitioners/{}/schedule", desk.practitioner),
            &desk.admin,
        )
        .await;
    assert_eq!(read.status(), 200);
    let read = json_of(read).await;
    assert_eq!(read["weekly"], expected_week);
    assert_eq!(read["slot_minutes"], 20);
    assert_eq!(read["time_zone"], "America/Toronto");
    assert_eq!(read["practitioner_id"], json!(desk.practitioner));

    // Monday offers 9 + 2 + 12 slots, none from 12:40 to 13:00; Tuesday none.
    let monday = upcoming(TORONTO, Weekday::Mon, 3);
    let starts = desk
        .slot_starts(desk.practitioner, monday, monday + Days::new(1))
        .await;
    let mut expected = Vec::new();
    for (from, to) in [("09:00", "12:00"), ("12:00", "12:40"), ("13:00", "17:00")] {
        let mut time = NaiveTime::parse_from_str(from, "%H:%M").unwrap();
        let end = NaiveTime::parse_from_str(to, "%H:%M").unwrap();
        while time + Duration::minutes(20) <= end {
            expected.push(at(TORONTO, monday, &time.format("%H:%M").to_string()));
            time += Duration::minutes(20);
        }
    }
    assert_eq!(expected.len(), 23);
    assert_eq!(starts, expected);
}

#[tokio::test]
async fn schedules_and_time_off_are_admin_only_and_404_for_unknown_practitioners() {
    let desk = Desk::new().await;
    let front_desk = desk.app.staff_token("front_desk", &[desk.clinic]).await;
    let week =
        json!({"weekly": [{"weekday": 1, "start": "08:00", "end": "09:00"}], "slot_minutes": 30});
    let monday = upcoming(TORONTO, Weekday::Mon, 3);
    let time_off =
        json!({"starts_at": at(TORONTO, monday, "09:00"), "ends_at": at(TORONTO, monday, "10:00")});
    let schedule_path = format!("/v1/admin/practitioners/{}/schedule", desk.practitioner);
    let time_off_path = format!("/v1/admin/practitioners/{}/time-off", desk.practitioner);

    assert_problem(
        desk.put_schedule_as(&front_desk, desk.practitioner, &week)
            .await,
        403,
    )
    .await;
    assert_problem(desk.app.get_as(&schedule_path, &front_desk).await, 403).await;
    assert_problem(
        desk.app
            .post_as(&time_off_path, &front_desk, &time_off)
            .await,
        403,
    )
    .await;
    assert_eq!(desk.app.count("time_off").await, 0);
    assert_eq!(desk.app.count("schedule_ranges").await, 5);

    let unknown = Uuid::now_v7();
    assert_problem(desk.put_schedule_as(&desk.admin, unknown, &week).await, 404).await;
    assert_problem(
        desk.app
            .get_as(
                &format!("/v1/admin/practitioners/{unknown}/schedule"),
                &desk.admin,
            )
            .await,
        404,
    )
    .await;
    assert_problem(
        desk.app
            .get_as("/v1/admin/practitioners/not-a-uuid/schedule", &desk.admin)
            .await,
        404,
    )
    .await;
    assert_problem(
        desk.app
            .post_as(
                &format!("/v1/admin/practitioners/{unknown}/time-off"),
                &desk.admin,
                &time_off,
            )
            .await,
        404,
    )
    .await;
    assert_eq!(desk.app.count("time_off").await, 0);

    // No token at all is a 401.
    let anonymous = desk.app.get(&schedule_path).await;
    assert_problem(anonymous, 401).await;

    // A practitioner without hours reads back an empty week.
    let bare = desk.practitioner_at(desk.clinic, &["video"]).await;
    let empty_path = format!("/v1/admin/practitioners/{bare}/schedule");
    let empty = desk.app.get_json_as(&empty_path, &desk.admin).await;
    assert_eq!(empty["weekly"], json!([]));
    assert_eq!(empty["slot_minutes"], Value::Null);
}

// ---------------------------------------------------------------------------------------------
// Time off

#[tokio::test]
async fn time_off_hides_its_slots_and_refuses_bookings_inside_it() {
    let desk = Desk::new().await;
    let monday = upcoming(TORONTO, Weekday::Mon, 3);
    let path = format!("/v1/admin/practitioners/{}/time-off", desk.practitioner);

    let backwards =
        json!({"starts_at": at(TORONTO, monday, "12:00"), "ends_at": at(TORONTO, monday, "09:00")});
    let problem = assert_problem(desk.app.post_as(&path, &desk.admin, &backwards).await, 422).await;
    assert_eq!(problem_codes(&problem), pair("ends_at", "end_before_start"));
    let garbled = json!({"starts_at": "monday morning", "ends_at": at(TORONTO, monday, "09:00")});
    let problem = assert_problem(desk.app.post_as(&path, &desk.admin, &garbled).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["starts_at"]);
    assert_eq!(desk.app.count("time_off").await, 0);

    let body = json!({"starts_at": at(TORONTO, monday, "09:00"), "ends_at": at(TORONTO, monday, "12:00"),
                      "reason": "Conference"});
    let response = desk.app.post_as(&path, &desk.admin, &body).await;
    assert_eq!(response.status(), 201);
    let created = json_of(response).await;
    assert!(created["id"].is_string());
    assert_eq!(created["practitioner_id"], json!(desk.practitioner));
    assert_eq!(
        instant(created["starts_at"].as_str().unwrap()),
        instant(&at(TORONTO, monday, "09:00"))
    );
    assert_eq!(desk.app.count("time_off").await, 1);

    // Monday's first free slot is 12:00 (time off is half-open), 09:00-11:45 are gone.
    let starts = desk.slot_starts(desk.practitioner, monday, monday).await;
    assert_eq!(starts.first(), Some(&at(TORONTO, monday, "12:00")));
    assert_eq!(starts.len(), 32 - 12);
    assert!(!starts.contains(&at(TORONTO, monday, "11:45")));

    let problem = desk
        .refused(
            desk.practitioner,
            &at(TORONTO, monday, "10:00"),
            "jane@example.com",
        )
        .await;
    assert_eq!(problem_codes(&problem), pair("starts_at", "time_off"));
    assert_eq!(desk.app.count("bookings").await, 0);
    assert_eq!(desk.app.count("email_outbox").await, 0);
    desk.book_at(&at(TORONTO, monday, "12:00"), "jane@example.com")
        .await;
}

// ---------------------------------------------------------------------------------------------
// Slots

#[tokio::test]
async fn slot_queries_validate_dates_and_the_practitioner() {
    let desk = Desk::new().await;
    let p = desk.practitioner;
    let from = upcoming(TORONTO, Weekday::Mon, 3);

    let problem = assert_problem(
        desk.slots(p, &format!("?from={from}&to={}", from - Days::new(1)))
            .await,
        422,
    )
    .await;
    assert_eq!(problem_codes(&problem), pair("to", "before_from"));
    let problem = assert_problem(
        desk.slots(p, &format!("?from={from}&to={}", from + Days::new(32)))
            .await,
        422,
    )
    .await;
    assert_eq!(problem_codes(&problem), pair("to", "range_too_long"));
    let longest = desk
        .slots(p, &format!("?from={from}&to={}", from + Days::new(31)))
        .await;
    assert_eq!(longest.status(), 200, "31 days are allowed");
    assert_eq!(starts_of(&json_of(longest).await).len(), 32 * 24);
    for bad in ["2026-13-01", "tomorrow", "2026-02-30"] {
        let problem = assert_problem(desk.slots(p, &format!("?from={bad}")).await, 422).await;
        assert_eq!(
            problem_codes(&problem),
            pair("from", "invalid_date"),
            "{bad}"
        );
    }

    assert_problem(desk.slots(Uuid::now_v7(), "").await, 404).await;
    assert_problem(desk.slots(Uuid::nil(), "").await, 404).await;
    let response = desk.app.get("/v1/practitioners/nope/slots").await;
    assert_problem(response, 404).await;

    let inactive = desk.practitioner_at(desk.clinic, &["video"]).await;
    desk.nine_to_five(inactive, 15).await;
    let response = desk.slots(inactive, "").await;
    assert_eq!(response.status(), 200);
    assert!(!starts_of(&json_of(response).await).is_empty());
    let patched = desk
        .app
        .patch_as(
            &format!("/v1/admin/practitioners/{inactive}"),
            &desk.admin,
            &json!({"active": false}),
        )
        .await;
    assert_eq!(patched.status(), 200);
    assert_problem(desk.slots(inactive, "").await, 404).await;

    let bare = desk.practitioner_at(desk.clinic, &["video"]).await;
    let response = desk
        .slots(bare, &format!("?from={from}&to={}", from + Days::new(6)))
        .await;
    assert_eq!(response.status(), 200);
    let body = json_of(response).await;
    assert_eq!(body["slots"], json!([]));
    assert_eq!(body["time_zone"], "America/Toronto");
    assert_eq!(body["slot_minutes"], Value::Null);
}

#[tokio::test]
async fn slots_are_in_the_clinic_zone_and_booked_ones_disappear() {
    let desk = Desk::new().await;
    let monday = upcoming(TORONTO, Weekday::Mon, 3);
    let response = desk
        .slots(desk.practitioner, &format!("?from={monday}&to={monday}"))
        .await;
    assert_eq!(response.status(), 200);
    let body = json_of(response).await;
    assert_eq!(body["time_zone"], "America/Toronto");
    assert_eq!(body["slot_minutes"], 15);
    let slots = body["slots"].as_array().unwrap();
    assert_eq!(slots.len(), 32);
    assert_eq!(slots[0]["starts_at"], at(TORONTO, monday, "09:00"));
    assert_eq!(slots[0]["ends_at"], at(TORONTO, monday, "09:15"));
    assert_eq!(slots[31]["starts_at"], at(TORONTO, monday, "16:45"));

    let saturday = monday - Days::new(2);
    assert!(
        desk.slot_starts(desk.practitioner, saturday, saturday + Days::new(1))
            .await
            .is_empty(),
        "no hours at the weekend"
    );

    desk.book_at(&at(TORONTO, monday, "10:00"), "jane@example.com")
        .await;
    let starts = desk.slot_starts(desk.practitioner, monday, monday).await;
    assert_eq!(starts.len(), 31);
    assert!(!starts.contains(&at(TORONTO, monday, "10:00")));
    assert!(starts.contains(&at(TORONTO, monday, "09:45")));
    assert!(starts.contains(&at(TORONTO, monday, "10:15")));
}

#[tokio::test]
async fn past_and_lead_time_slots_are_never_offered() {
    let desk = Desk::new().await;
    let around_the_clock: Vec<Value> = (1..=7)
        .map(|weekday| json!({"weekday": weekday, "start": "00:00", "end": "23:59"}))
        .collect();
    desk.schedule(desk.practitioner, json!(around_the_clock), 15)
        .await;
    let before = Utc::now();
    let yesterday = today(TORONTO) - Days::new(1);
    let starts = desk
        .slot_starts(desk.practitioner, yesterday, yesterday + Days::new(2))
        .await;
    let after = Utc::now();
    let lead = Duration::hours(2);
    assert!(!starts.is_empty());
    for start in &starts {
        assert!(
            instant(start) >= before + lead,
            "{start} is within the lead time"
        );
    }
    // ... but nothing later is lost: the first slot is the first quarter hour after the lead
    // (or after the 23:45-00:00 gap in the hours).
    let first = instant(&starts[0]);
    assert!(
        first < after + lead + Duration::minutes(31),
        "first slot {} too late",
        starts[0]
    );
}

/// Hours around the clock (00:00-23:59 every day) in 5-minute slots, so a slot starts within
/// minutes of any moment.
async fn around_the_clock_in_five_minute_slots(desk: &Desk) {
    let weekly: Vec<Value> = (1..=7)
        .map(|weekday| json!({"weekday": weekday, "start": "00:00", "end": "23:59"}))
        .collect();
    desk.schedule(desk.practitioner, json!(weekly), 5).await;
}

/// The first slot boundary at least two minutes from now (time to book it), skipping the
/// 23:55-00:00 gap in the hours above.
fn a_slot_minutes_away() -> DateTime<Utc> {
    let earliest = Utc::now() + Duration::minutes(2);
    let mut start = earliest.with_second(0).unwrap().with_nanosecond(0).unwrap();
    while start < earliest || !start.minute().is_multiple_of(5) {
        start += Duration::minutes(1);
    }
    if start.with_timezone(&TORONTO).time() >= NaiveTime::from_hms_opt(23, 55, 0).unwrap() {
        start += Duration::minutes(5);
    }
    start
}

#[tokio::test]
async fn with_a_zero_booking_lead_a_slot_minutes_away_is_offered_and_booked() {
    let desk = Desk::with(Overrides::from([("BOOKING_MIN_LEAD", "0s".to_owned())])).await;
    around_the_clock_in_five_minute_slots(&desk).await;
    let starts_at = a_slot_minutes_away();
    let yesterday = today(TORONTO) - Days::new(1);
    let before = Utc::now();
    let starts = desk
        .slot_starts(desk.practitioner, yesterday, yesterday + Days::new(2))
        .await;
    let offered = starts
        .iter()
        .find(|start| instant(start) == starts_at)
        .unwrap_or_else(|| panic!("{starts_at} is not offered: {starts:?}"));
    assert!(
        starts.iter().all(|start| instant(start) >= before),
        "past slots are still never offered: {starts:?}"
    );

    let id = desk.book_at(offered, "jane@example.com").await;
    let stored = desk.row(id).await;
    assert_eq!(stored.status, "requested");
    assert_eq!(stored.starts_at, starts_at);
    assert!(stored.starts_at - Utc::now() < Duration::minutes(13));
}

#[tokio::test]
async fn by_default_a_slot_minutes_away_is_neither_offered_nor_booked() {
    let desk = Desk::new().await;
    around_the_clock_in_five_minute_slots(&desk).await;
    let starts_at = a_slot_minutes_away();
    let yesterday = today(TORONTO) - Days::new(1);
    let starts = desk
        .slot_starts(desk.practitioner, yesterday, yesterday + Days::new(2))
        .await;
    assert!(!starts.is_empty());
    assert!(
        starts
            .iter()
            .all(|start| instant(start) >= starts_at + Duration::minutes(100)),
        "nothing within the two-hour lead is offered: {starts:?}"
    );
    let problem = desk
        .refused(desk.practitioner, &toronto(starts_at), "jane@example.com")
        .await;
    assert_eq!(problem_codes(&problem), pair("starts_at", "too_soon"));
    assert_eq!(desk.app.count("bookings").await, 0);
}

// ---------------------------------------------------------------------------------------------
// Daylight saving time (2027: spring forward on 14 March, fall back on 7 November)

#[tokio::test]
async fn a_nine_oclock_opening_follows_the_march_change_in_toronto_and_vancouver() {
    let desk = Desk::new().await;
    let vancouver_clinic = desk
        .clinic_in("West Coast Physio", "America/Vancouver")
        .await;
    let vancouver = desk.practitioner_at(vancouver_clinic, &["video"]).await;
    desk.nine_to_five(vancouver, 15).await;
    let friday = NaiveDate::from_ymd_opt(2027, 3, 12).unwrap();
    let monday = NaiveDate::from_ymd_opt(2027, 3, 15).unwrap();

    for (practitioner, zone, before, after, utc_before, utc_after) in [
        (
            desk.practitioner,
            "America/Toronto",
            "2027-03-12T09:00:00-05:00",
            "2027-03-15T09:00:00-04:00",
            "2027-03-12T14:00:00Z",
            "2027-03-15T13:00:00Z",
        ),
        (
            vancouver,
            "America/Vancouver",
            "2027-03-12T09:00:00-08:00",
            "2027-03-15T09:00:00-07:00",
            "2027-03-12T17:00:00Z",
            "2027-03-15T16:00:00Z",
        ),
    ] {
        let response = desk
            .slots(practitioner, &format!("?from={friday}&to={monday}"))
            .await;
        assert_eq!(response.status(), 200);
        let body = json_of(response).await;
        assert_eq!(body["time_zone"], zone);
        let starts = starts_of(&body);
        assert_eq!(
            starts.len(),
            64,
            "Friday and Monday, nothing at the weekend"
        );
        assert_eq!(starts[0], before);
        assert_eq!(starts[32], after);
        assert_eq!(instant(&starts[0]), instant(utc_before));
        assert_eq!(instant(&starts[32]), instant(utc_after));
        let (friday_offset, monday_offset) = (&before[19..], &after[19..]);
        assert!(
            starts[..32].iter().all(|s| s.ends_with(friday_offset)),
            "{starts:?}"
        );
        assert!(
            starts[32..].iter().all(|s| s.ends_with(monday_offset)),
            "{starts:?}"
        );
        assert_eq!(starts[31], format!("2027-03-12T16:45:00{friday_offset}"));
        assert_eq!(starts[63], format!("2027-03-15T16:45:00{monday_offset}"));
    }
}

#[tokio::test]
async fn the_spring_gap_offers_nothing_and_the_repeated_autumn_hour_is_offered_once() {
    let desk = Desk::new().await;
    desk.schedule(
        desk.practitioner,
        json!([{"weekday": 7, "start": "01:00", "end": "04:00"}]),
        15,
    )
    .await;

    let spring = desk
        .slots(desk.practitioner, "?from=2027-03-14&to=2027-03-14")
        .await;
    assert_eq!(spring.status(), 200);
    let spring = json_of(spring).await;
    assert_eq!(
        starts_of(&spring),
        vec![
            "2027-03-14T01:00:00-05:00",
            "2027-03-14T01:15:00-05:00",
            "2027-03-14T01:30:00-05:00",
            "2027-03-14T01:45:00-05:00",
            "2027-03-14T03:00:00-04:00",
            "2027-03-14T03:15:00-04:00",
            "2027-03-14T03:30:00-04:00",
            "2027-03-14T03:45:00-04:00",
        ]
    );
    // The slot before the gap lasts 15 real minutes and so ends at 03:00 on the wall clock.
    assert_eq!(spring["slots"][3]["ends_at"], "2027-03-14T03:00:00-04:00");

    let autumn = desk
        .slots(desk.practitioner, "?from=2027-11-07&to=2027-11-07")
        .await;
    assert_eq!(autumn.status(), 200);
    let starts = starts_of(&json_of(autumn).await);
    assert_eq!(
        starts,
        vec![
            "2027-11-07T01:00:00-04:00",
            "2027-11-07T01:15:00-04:00",
            "2027-11-07T01:30:00-04:00",
            "2027-11-07T01:45:00-04:00",
            "2027-11-07T02:00:00-05:00",
            "2027-11-07T02:15:00-05:00",
            "2027-11-07T02:30:00-05:00",
            "2027-11-07T02:45:00-05:00",
            "2027-11-07T03:00:00-05:00",
            "2027-11-07T03:15:00-05:00",
            "2027-11-07T03:30:00-05:00",
            "2027-11-07T03:45:00-05:00",
        ]
    );
    let distinct: HashSet<DateTime<Utc>> = starts.iter().map(|s| instant(s)).collect();
    assert_eq!(distinct.len(), starts.len(), "no instant offered twice");

    // The second 01:00 (EST) is not an offered start; the first (EDT) is.
    let problem = desk
        .refused(
            desk.practitioner,
            "2027-11-07T01:00:00-05:00",
            "late@example.com",
        )
        .await;
    assert_eq!(problem_codes(&problem), pair("starts_at", "misaligned"));
    desk.book_at("2027-11-07T01:00:00-04:00", "early@example.com")
        .await;
}

#[tokio::test]
async fn bookings_in_the_dst_week_use_the_new_offset() {
    let desk = Desk::new().await;
    // 15-minute slots: 09:00 EDT and 09:00 EST (= 10:00 EDT) are both slot starts.
    let body = desk
        .booked(
            desk.practitioner,
            "2027-03-15T09:00:00-04:00",
            "first@example.com",
        )
        .await;
    assert_eq!(body["starts_at"], "2027-03-15T09:00:00-04:00");
    assert_eq!(body["ends_at"], "2027-03-15T09:15:00-04:00");
    let body = desk
        .booked(
            desk.practitioner,
            "2027-03-15T09:00:00-05:00",
            "second@example.com",
        )
        .await;
    assert_eq!(
        body["starts_at"], "2027-03-15T10:00:00-04:00",
        "shown in local time"
    );
    let stored = desk.row(id_of(&body)).await;
    assert_eq!(stored.starts_at, instant("2027-03-15T14:00:00Z"));

    // 09:00 at the old offset on the Friday before is 08:00 local: outside the hours.
    let problem = desk
        .refused(
            desk.practitioner,
            "2027-03-12T09:00:00-04:00",
            "third@example.com",
        )
        .await;
    assert_eq!(problem_codes(&problem), pair("starts_at", "outside_hours"));

    // In Vancouver with 40-minute slots (09:00, 09:40, 10:20 ...), 09:00 PST is 10:00 PDT: misaligned.
    let clinic = desk
        .clinic_in("West Coast Physio", "America/Vancouver")
        .await;
    let vancouver = desk.practitioner_at(clinic, &["video"]).await;
    desk.nine_to_five(vancouver, 40).await;
    let problem = desk
        .refused(vancouver, "2027-03-15T09:00:00-08:00", "fourth@example.com")
        .await;
    assert_eq!(problem_codes(&problem), pair("starts_at", "misaligned"));
    let response = desk
        .request(vancouver, "2027-03-15T16:40:00Z", "fourth@example.com")
        .await;
    assert_eq!(response.status(), 201);
    assert_eq!(
        json_of(response).await["starts_at"],
        "2027-03-15T09:40:00-07:00"
    );
    assert_eq!(desk.app.count("bookings").await, 3);
}

// ---------------------------------------------------------------------------------------------
// POST /v1/bookings

#[tokio::test]
async fn a_booking_is_requested_with_its_consents_and_a_request_email() {
    let desk = Desk::new().await;
    let monday = upcoming(TORONTO, Weekday::Mon, 3);
    let starts_at = at(TORONTO, monday, "10:30");
    let form = booking_body(desk.practitioner, &starts_at, "jane@example.com");
    let response = desk
        .app
        .post_json_from("booking-test/1.0", "/v1/bookings", &form)
        .await;
    let body = assert_created_under(response, "/v1/staff/bookings").await;
    let id = id_of(&body);
    assert_eq!(body["status"], "requested");
    assert_eq!(body["starts_at"], starts_at);
    assert_eq!(body["ends_at"], at(TORONTO, monday, "10:45"));
    assert_eq!(body["mode"], "video");
    assert_eq!(body["practitioner"]["id"], json!(desk.practitioner));
    assert_eq!(body["practitioner"]["name"], "Alex Physio");
    assert_eq!(body["practitioner"]["discipline"], "physiotherapy");
    assert_eq!(body["clinic"]["id"], json!(desk.clinic));
    assert_eq!(body["clinic"]["name"], "Downtown Physio");
    assert_eq!(body["clinic"]["time_zone"], "America/Toronto");
    assert_eq!(body["clinic"]["address"], "100 King St W");

    let (status, practitioner, clinic, mode, email, phone, stored_start, patient): (
        String,
        Uuid,
        Uuid,
        String,
        String,
        Option<String>,
        DateTime<Utc>,
        Uuid,
    ) = sqlx::query_as(
        "SELECT status, practitioner_id, clinic_id, mode, email::text, phone, starts_at, patient_id
           FROM bookings WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&desk.app.db)
    .await
    .unwrap();
    assert_eq!(
        (
            status.as_str(),
            practitioner,
            clinic,
            mode.as_str(),
            email.as_str()
        ),
        (
            "requested",
            desk.practitioner,
            desk.clinic,
            "video",
            "jane@example.com"
        )
    );
    assert_eq!(phone.as_deref(), Some("+14165550100"));
    assert_eq!(stored_start, instant(&starts_at));
    assert_eq!(desk.app.count("bookings").await, 1);

    let patient_email: Option<String> =
        sqlx::query_scalar("SELECT email::text FROM patients WHERE id = $1")
            .bind(patient)
            .fetch_one(&desk.app.db)
            .await
            .unwrap();
    assert_eq!(patient_email.as_deref(), Some("jane@example.com"));

    let mut consents: Vec<(String, bool, String, Option<String>)> = sqlx::query_as(
        "SELECT category, granted, source, user_agent FROM consent_events WHERE patient_id = $1",
    )
    .bind(patient)
    .fetch_all(&desk.app.db)
    .await
    .unwrap();
    consents.sort();
    let ua = Some("booking-test/1.0".to_owned());
    assert_eq!(
        consents,
        vec![
            (
                "appointment_reminders".into(),
                true,
                "web_form".into(),
                ua.clone()
            ),
            // Checked boxes only: an unchecked box is no withdrawal (a form can only add).
            ("exercise_plans".into(), true, "web_form".into(), ua),
        ]
    );

    let emails: Vec<(String, String, String, Option<Uuid>)> =
        sqlx::query_as("SELECT kind, status, to_address::text, booking_id FROM email_outbox")
            .fetch_all(&desk.app.db)
            .await
            .unwrap();
    assert_eq!(
        emails,
        vec![(
            "booking_requested".into(),
            "queued".into(),
            "jane@example.com".into(),
            Some(id)
        )]
    );
}

#[tokio::test]
async fn patients_are_matched_by_email_whatever_its_case() {
    let desk = Desk::new().await;
    let monday = upcoming(TORONTO, Weekday::Mon, 3);
    let first = desk
        .book_at(&at(TORONTO, monday, "09:00"), "jane@example.com")
        .await;
    let second = desk
        .book_at(&at(TORONTO, monday, "11:00"), "JANE@Example.COM")
        .await;
    let other = desk
        .book_at(&at(TORONTO, monday, "12:00"), "john@example.com")
        .await;
    assert_eq!(desk.app.count("patients").await, 2);
    let (a, b, c) = (
        desk.row(first).await.patient_id,
        desk.row(second).await.patient_id,
        desk.row(other).await.patient_id,
    );
    assert_eq!(a, b, "the same person");
    assert_ne!(a, c);
    let consent_rows: i64 =
        sqlx::query_scalar("SELECT count(*) FROM consent_events WHERE patient_id = $1")
            .bind(a)
            .fetch_one(&desk.app.db)
            .await
            .unwrap();
    assert_eq!(consent_rows, 4, "each form's checked boxes are recorded");
}

#[tokio::test]
async fn every_unbookable_start_names_its_reason() {
    let desk = Desk::new().await;
    let monday = upcoming(TORONTO, Weekday::Mon, 3);
    let response = desk
        .app
        .post_as(
            &format!("/v1/admin/practitioners/{}/time-off", desk.practitioner),
            &desk.admin,
            &json!({"starts_at": at(TORONTO, monday, "14:00"), "ends_at": at(TORONTO, monday, "15:00")}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let now = Utc::now();
    let in_an_hour = (now + Duration::hours(1))
        .with_timezone(&TORONTO)
        .fixed_offset()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
    let cases = [
        (toronto(now - Duration::days(1)), "in_the_past"),
        (
            at(TORONTO, today(TORONTO) - Days::new(7), "10:00"),
            "in_the_past",
        ),
        (in_an_hour, "too_soon"),
        (at(TORONTO, monday, "08:45"), "outside_hours"),
        (at(TORONTO, monday, "17:00"), "outside_hours"),
        (at(TORONTO, monday - Days::new(1), "10:00"), "outside_hours"),
        (at(TORONTO, monday, "09:07"), "misaligned"),
        (at(TORONTO, monday, "14:30"), "time_off"),
    ];
    for (starts_at, reason) in cases {
        let problem = desk
            .refused(desk.practitioner, &starts_at, "jane@example.com")
            .await;
        assert_eq!(
            problem_codes(&problem),
            pair("starts_at", reason),
            "{starts_at}"
        );
        assert_eq!(problem["type"], "/problems/validation_failed");
    }
    assert_eq!(desk.app.count("bookings").await, 0);
    assert_eq!(desk.app.count("patients").await, 0);
    assert_eq!(desk.app.count("consent_events").await, 0);
    assert_eq!(desk.app.count("email_outbox").await, 0);
}

#[tokio::test]
async fn invalid_booking_forms_name_their_fields_and_store_nothing() {
    let desk = Desk::new().await;
    let monday = upcoming(TORONTO, Weekday::Mon, 3);
    let start = at(TORONTO, monday, "09:00");
    let valid = booking_body(desk.practitioner, &start, "jane@example.com");

    let mut unknown = valid.clone();
    unknown["practitioner_id"] = json!(Uuid::now_v7());
    let problem = assert_problem(desk.book(&unknown).await, 422).await;
    assert_eq!(
        problem_codes(&problem),
        pair("practitioner_id", "unknown_practitioner")
    );

    let mut in_person = valid.clone();
    in_person["mode"] = json!("in_person");
    let problem = assert_problem(desk.book(&in_person).await, 422).await;
    assert_eq!(problem_codes(&problem), pair("mode", "mode_not_offered"));

    let mut phone_without_number = valid.clone();
    phone_without_number["mode"] = json!("phone");
    phone_without_number["patient"]
        .as_object_mut()
        .unwrap()
        .remove("phone");
    let problem = assert_problem(desk.book(&phone_without_number).await, 422).await;
    assert_eq!(problem_codes(&problem), pair("patient.phone", "required"));

    let mut no_consents = valid.clone();
    no_consents.as_object_mut().unwrap().remove("consents");
    let problem = assert_problem(desk.book(&no_consents).await, 422).await;
    assert_eq!(problem_codes(&problem), pair("consents", "required"));

    let mut one_missing = valid.clone();
    one_missing["consents"]
        .as_object_mut()
        .unwrap()
        .remove("service_updates");
    let problem = assert_problem(desk.book(&one_missing).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["consents.service_updates"]);

    let mut no_email = valid.clone();
    no_email["patient"].as_object_mut().unwrap().remove("email");
    let problem = assert_problem(desk.book(&no_email).await, 422).await;
    assert_eq!(problem_codes(&problem), pair("patient.email", "required"));

    // Everything wrong at once is reported at once.
    let everything_wrong = json!({"practitioner_id": "nope", "starts_at": "soon", "mode": "carrier pigeon",
                                  "patient": {"name": "", "email": "not-an-email"}});
    let expected = [
        "consents",
        "mode",
        "patient.email",
        "patient.name",
        "practitioner_id",
        "starts_at",
    ];
    assert_invalid_fields(desk.book(&everything_wrong).await, &expected).await;

    assert_eq!(desk.app.count("bookings").await, 0);
    assert_eq!(desk.app.count("patients").await, 0);
    assert_eq!(desk.app.count("email_outbox").await, 0);
    // ... and the valid form still books.
    assert_eq!(desk.book(&valid).await.status(), 201);
}

#[tokio::test]
async fn the_honeypot_answers_201_and_stores_nothing() {
    let desk = Desk::new().await;
    let monday = upcoming(TORONTO, Weekday::Mon, 3);
    let start = at(TORONTO, monday, "09:00");
    let mut body = booking_body(desk.practitioner, &start, "bot@example.com");
    body["website"] = json!("http://spam.example");
    let response = desk.book(&body).await;
    assert_eq!(response.status(), 201);
    let answer = json_of(response).await;
    assert_eq!(answer["status"], "requested");
    assert!(answer["id"].is_string());
    for table in ["bookings", "patients", "consent_events", "email_outbox"] {
        assert_eq!(desk.app.count(table).await, 0, "{table}");
    }
    assert!(
        desk.slot_starts(desk.practitioner, monday, monday)
            .await
            .contains(&start),
        "the slot is still free"
    );
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_booking_and_refuses_another_body() {
    let desk = Desk::new().await;
    let monday = upcoming(TORONTO, Weekday::Mon, 3);
    let body = booking_body(
        desk.practitioner,
        &at(TORONTO, monday, "09:00"),
        "jane@example.com",
    );
    let send = |key: &'static str, body: Value| {
        let request = desk
            .app
            .client
            .post(desk.app.url("/v1/bookings"))
            .header("Idempotency-Key", key)
            .json(&body);
        async move { request.send().await.unwrap() }
    };
    let first = send("book-42", body.clone()).await;
    assert_eq!(first.status(), 201);
    let location = first.headers()["location"].clone();
    let first = json_of(first).await;

    let again = send("book-42", body.clone()).await;
    assert_eq!(again.status(), 201, "a replay, not a 409 for the slot");
    assert_eq!(again.headers()["location"], location);
    assert_eq!(json_of(again).await, first);
    assert_eq!(desk.app.count("bookings").await, 1);
    assert_eq!(desk.app.count("email_outbox").await, 1, "no second email");
    assert_eq!(
        desk.app.count("consent_events").await,
        2,
        "the two checked boxes, once"
    );

    let mut other = body.clone();
    other["starts_at"] = json!(at(TORONTO, monday, "09:15"));
    let problem = assert_problem(send("book-42", other.clone()).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["Idempotency-Key"]);
    assert_eq!(desk.app.count("bookings").await, 1);

    // Without the key, the same body is a new request for a taken slot.
    let problem = assert_problem(desk.book(&body).await, 409).await;
    assert_eq!(problem["type"], "/problems/slot_taken");
    assert_eq!(send("book-43", other).await.status(), 201);
    assert_eq!(desk.app.count("bookings").await, 2);
}

// ---------------------------------------------------------------------------------------------
// Real concurrency

/// Settings for racing clients: each is a client of its own (see [`race`]), as fifty visitors are.
/// From one address, bookings queue one behind the other for the open-request count (the cap is
/// per client address; `booking_abuse.rs` races one client against it).
fn racing_clients() -> Overrides {
    // The harness's pool keeps one connection warm, so a race also opens connections in the
    // middle of requests (which serve at once, unwarmed: db::warmup).
    Overrides::from([("TRUSTED_PROXIES", "127.0.0.1".to_owned())])
}

/// Sends every body at once (all tasks wait on one barrier, then fire), the n-th from client
/// address 198.51.100.n (with [`racing_clients`]); the statuses and bodies.
async fn race(app: &TestApp, bodies: Vec<Value>) -> Vec<(u16, Value)> {
    let barrier = Arc::new(Barrier::new(bodies.len()));
    let tasks: Vec<_> = bodies
        .into_iter()
        .enumerate()
        .map(|(n, body)| {
            let request = app
                .client
                .post(app.url("/v1/bookings"))
                .header("x-forwarded-for", format!("198.51.100.{n}"))
                .json(&body);
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                let response = request.send().await.expect("POST /v1/bookings");
                let status = response.status().as_u16();
                (status, response.json::<Value>().await.expect("a JSON body"))
            })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.expect("a racing client"));
    }
    answers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_clients_racing_for_one_slot_get_exactly_one_booking() {
    let desk = Desk::with(racing_clients()).await;
    let monday = upcoming(TORONTO, Weekday::Mon, 3);
    let start = at(TORONTO, monday, "10:00");
    let bodies = (0..50)
        .map(|i| booking_body(desk.practitioner, &start, &format!("racer{i}@example.com")))
        .collect();
    let answers = race(&desk.app, bodies).await;

    let winners: Vec<&Value> = answers
        .iter()
        .filter(|(status, _)| *status == 201)
        .map(|(_, body)| body)
        .collect();
    let losers: Vec<&Value> = answers
        .iter()
        .filter(|(status, _)| *status == 409)
        .map(|(_, body)| body)
        .collect();
    let statuses: Vec<u16> = answers.iter().map(|(status, _)| *status).collect();
    assert_eq!(winners.len(), 1, "{statuses:?}");
    assert_eq!(losers.len(), 49, "{statuses:?}");
    for problem in losers {
        assert_eq!(problem["type"], "/problems/slot_taken", "{problem}");
        assert_eq!(problem["status"], 409);
    }
    let winner = id_of(winners[0]);
    let active: Vec<Uuid> =
        sqlx::query_scalar("SELECT id FROM bookings WHERE status IN ('requested', 'confirmed')")
            .fetch_all(&desk.app.db)
            .await
            .unwrap();
    assert_eq!(active, vec![winner]);
    assert_eq!(desk.app.count("bookings").await, 1);
    // The losers' transactions left nothing behind: no patient, consent or email.
    assert_eq!(desk.app.count("patients").await, 1);
    assert_eq!(desk.app.count("consent_events").await, 2);
    assert_eq!(desk.app.count("email_outbox").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_clients_booking_fifty_different_slots_all_succeed() {
    let desk = Desk::with(racing_clients()).await;
    let monday = upcoming(TORONTO, Weekday::Mon, 3);
    let starts = desk
        .slot_starts(desk.practitioner, monday, monday + Days::new(1))
        .await;
    assert!(starts.len() >= 50);
    let bodies = starts[..50]
        .iter()
        .enumerate()
        .map(|(i, start)| booking_body(desk.practitioner, start, &format!("client{i}@example.com")))
        .collect();
    let answers = race(&desk.app, bodies).await;
    let statuses: Vec<u16> = answers.iter().map(|(status, _)| *status).collect();
    assert!(statuses.iter().all(|status| *status == 201), "{statuses:?}");
    let booked: HashSet<String> = answers
        .iter()
        .map(|(_, body)| body["starts_at"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(booked, starts[..50].iter().cloned().collect());
    assert_eq!(desk.app.count("bookings").await, 50);
    assert_eq!(desk.app.count("email_outbox").await, 50);
    let left = desk
        .slot_starts(desk.practitioner, monday, monday + Days::new(1))
        .await;
    assert_eq!(left, starts[50..].to_vec());
}

// ---------------------------------------------------------------------------------------------
// The front desk's state machine

#[tokio::test]
async fn confirming_sends_one_invite_and_confirming_again_changes_nothing() {
    let desk = Desk::new().await;
    let (desk_id, front_desk) = staff_with_id(&desk.app, "front_desk", &[desk.clinic]).await;
    let monday = upcoming(TORONTO, Weekday::Mon, 3);
    let id = desk
        .book_at(&at(TORONTO, monday, "09:00"), "jane@example.com")
        .await;

    let confirmed = desk.act_ok(&front_desk, id, "confirm", &json!({})).await;
    assert_eq!(confirmed["status"], "confirmed");
    assert_eq!(confirmed["id"], json!(id));
    assert_eq!(confirmed["starts_at"], at(TORONTO, monday, "09:00"));
    let row = desk.row(id).await;
    assert_eq!(row.status, "confirmed");
    let emails = desk.emails(id, "booking_confirmed").await;
    assert_eq!(emails.len(), 1);
    assert_eq!(emails[0].status, "queued");
    let ics = emails[0].payload["ics"].as_str().expect("an invite");
    assert_eq!(ics_property(ics, "METHOD"), "REQUEST");
    assert_eq!(
        ics_property(ics, "UID"),
        format!("booking-{id}@consultdesk")
    );
    assert_eq!(ics_property(ics, "SEQUENCE"), "0");
    assert!(ics.contains("BEGIN:VEVENT"));

    let again = desk.act_ok(&front_desk, id, "confirm", &json!({})).await;
    assert_eq!(again["status"], "confirmed");
    assert_eq!(
        desk.emails(id, "booking_confirmed").await.len(),
        1,
        "no second email"
    );
    assert_eq!(desk.row(id).await, row, "nothing changed");
    let audit = desk.audit_actions(id).await;
    assert_eq!(audit[0], ("booking.confirm".to_owned(), Some(desk_id)));
}

#[tokio::test]
async fn complete_and_no_show_need_a_confirmed_booking() {
    let desk = Desk::new().await;
    let (desk_id, front_desk) = staff_with_id(&desk.app, "front_desk", &[desk.clinic]).await;
    let monday = upcoming(TORONTO, Weekday::Mon, 3);
    let first = desk
        .book_at(&at(TORONTO, monday, "09:00"), "one@example.com")
        .await;
    let second = desk
        .book_at(&at(TORONTO, monday, "09:15"), "two@example.com")
        .await;
    let third = desk
        .book_at(&at(TORONTO, monday, "09:30"), "three@example.com")
        .await;

    for action in ["complete", "no-show"] {
        desk.act_refused(&front_desk, first, action, &json!({}))
            .await;
        assert_eq!(desk.row(first).await.status, "requested", "{action}");
    }

    desk.act_ok(&front_desk, first, "confirm", &json!({})).await;
    let completed = desk
        .act_ok(&front_desk, first, "complete", &json!({}))
        .await;
    assert_eq!(completed["status"], "completed");
    assert_eq!(desk.row(first).await.status, "completed");

    desk.act_ok(&front_desk, second, "confirm", &json!({}))
        .await;
    let no_show = desk
        .act_ok(&front_desk, second, "no-show", &json!({}))
        .await;
    assert_eq!(no_show["status"], "no_show");
    assert_eq!(desk.row(second).await.status, "no_show");

    // Final states stay final.
    for (id, action) in [
        (first, "complete"),
        (first, "no-show"),
        (first, "confirm"),
        (first, "cancel"),
        (second, "complete"),
        (second, "no-show"),
        (second, "cancel"),
    ] {
        let before = desk.row(id).await;
        desk.act_refused(&front_desk, id, action, &json!({})).await;
        assert_eq!(desk.row(id).await, before, "{action}");
    }
    desk.act_refused(
        &front_desk,
        first,
        "reschedule",
        &json!({"starts_at": at(TORONTO, monday, "11:00")}),
    )
    .await;

    // Cancelled is final too.
    desk.cancel(&front_desk, third, json!({"notify_patient": false}))
        .await;
    for action in ["complete", "no-show", "confirm"] {
        desk.act_refused(&front_desk, third, action, &json!({}))
            .await;
        assert_eq!(desk.row(third).await.status, "cancelled");
    }

    assert_eq!(
        desk.audit_actions(first).await,
        vec![
            ("booking.confirm".to_owned(), Some(desk_id)),
            ("booking.complete".to_owned(), Some(desk_id))
        ]
    );
    assert_eq!(
        desk.audit_actions(second).await,
        vec![
            ("booking.confirm".to_owned(), Some(desk_id)),
            ("booking.no_show".to_owned(), Some(desk_id))
        ]
    );
    assert_eq!(
        desk.audit_actions(third).await,
        vec![("booking.cancel".to_owned(), Some(desk_id))]
    );
}

#[tokio::test]
async fn cancelling_frees_the_slot_and_sends_a_cancelling_invite() {
    let desk = Desk::new().await;
    let (desk_id, front_desk) = staff_with_id(&desk.app, "front_desk", &[desk.clinic]).await;
    let monday = upcoming(TORONTO, Weekday::Mon, 3);
    let start = at(TORONTO, monday, "09:00");
    let id = desk
        .confirmed_at(&front_desk, &start, "jane@example.com")
        .await;
    assert!(
        !desk
            .slot_starts(desk.practitioner, monday, monday)
            .await
            .contains(&start)
    );

    let cancelled = desk
        .cancel(
            &front_desk,
            id,
            json!({"reason": "Patient called", "notify_patient": true}),
        )
        .await;
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["cancel_reason"], "Patient called");
    let row = desk.row(id).await;
    assert_eq!(row.status, "cancelled");
    assert_eq!(row.cancel_reason.as_deref(), Some("Patient called"));

    let emails = desk.emails(id, "booking_cancelled").await;
    assert_eq!(emails.len(), 1);
    let ics = emails[0].payload["ics"]
        .as_str()
        .expect("a cancelling invite");
    assert_eq!(ics_property(ics, "METHOD"), "CANCEL");
    assert_eq!(
        ics_property(ics, "UID"),
        format!("booking-{id}@consultdesk")
    );
    let confirmed = desk.emails(id, "booking_confirmed").await;
    let confirmed_sequence: u32 =
        ics_property(confirmed[0].payload["ics"].as_str().unwrap(), "SEQUENCE")
            .parse()
            .unwrap();
    let cancel_sequence: u32 = ics_property(ics, "SEQUENCE").parse().unwrap();
    assert!(
        cancel_sequence > confirmed_sequence,
        "{cancel_sequence} > {confirmed_sequence}"
    );

    // The slot is free again: offered, and bookable by someone else.
    assert!(
        desk.slot_starts(desk.practitioner, monday, monday)
            .await
            .contains(&start)
    );
    let rebooked = desk.book_at(&start, "john@example.com").await;
    assert_ne!(rebooked, id);

    desk.act_refused(&front_desk, id, "cancel", &json!({}))
        .await;
    assert_eq!(desk.row(id).await, row, "cancelling twice changes nothing");
    assert_eq!(desk.emails(id, "booking_cancelled").await.len(), 1);
    desk.act_refused(
        &front_desk,
        id,
        "reschedule",
        &json!({"starts_at": at(TORONTO, monday, "11:00")}),
    )
    .await;
    assert_eq!(desk.row(id).await, row);

    // Without notify_patient, nothing is sent; a requested booking's cancellation has no invite.
    let quiet = desk
        .book_at(&at(TORONTO, monday, "09:30"), "quiet@example.com")
        .await;
    desk.cancel(&front_desk, quiet, json!({"notify_patient": false}))
        .await;
    assert!(desk.emails(quiet, "booking_cancelled").await.is_empty());
    let told = desk
        .book_at(&at(TORONTO, monday, "09:45"), "told@example.com")
        .await;
    desk.cancel(&front_desk, told, json!({})).await;
    let emails = desk.emails(told, "booking_cancelled").await;
    assert_eq!(emails.len(), 1, "notify_patient defaults to true");
    assert!(emails[0].payload.get("ics").is_none_or(Value::is_null));

    assert_eq!(
        desk.audit_actions(id).await,
        vec![
            ("booking.confirm".to_owned(), Some(desk_id)),
            ("booking.cancel".to_owned(), Some(desk_id))
        ]
    );
    let invalid = assert_problem(
        desk.act(
            &front_desk,
            told,
            "cancel",
            &json!({"notify_patient": "yes"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(error_fields(&invalid), vec!["notify_patient"]);
}

#[tokio::test]
async fn rescheduling_moves_the_booking_and_bumps_the_invite() {
    let desk = Desk::new().await;
    let (desk_id, front_desk) = staff_with_id(&desk.app, "front_desk", &[desk.clinic]).await;
    let monday = upcoming(TORONTO, Weekday::Mon, 3);
    let tuesday = monday + Days::new(1);
    let (old, new) = (at(TORONTO, monday, "09:00"), at(TORONTO, tuesday, "14:30"));
    let id = desk
        .confirmed_at(&front_desk, &old, "jane@example.com")
        .await;

    let moved = desk.reschedule(&front_desk, id, &new).await;
    assert_eq!(moved["status"], "confirmed");
    assert_eq!(moved["starts_at"], new);
    assert_eq!(moved["ends_at"], at(TORONTO, tuesday, "14:45"));
    let row = desk.row(id).await;
    assert_eq!(
        (row.starts_at, row.status.as_str()),
        (instant(&new), "confirmed")
    );
    assert_eq!(row.ics_sequence, 1);

    let offered = desk.slot_starts(desk.practitioner, monday, tuesday).await;
    assert!(offered.contains(&old), "the old slot is free");
    assert!(!offered.contains(&new), "the new slot is taken");
    desk.book_at(&old, "john@example.com").await;
    let problem = assert_problem(
        desk.request(desk.practitioner, &new, "jim@example.com")
            .await,
        409,
    )
    .await;
    assert_eq!(problem["type"], "/problems/slot_taken");

    let emails = desk.emails(id, "booking_rescheduled").await;
    assert_eq!(emails.len(), 1);
    let payload = &emails[0].payload;
    assert_eq!(payload["starts_at"], new);
    assert_eq!(payload["previous_starts_at"], old);
    let ics = payload["ics"].as_str().expect("an updated invite");
    assert_eq!(ics_property(ics, "METHOD"), "REQUEST");
    assert_eq!(
        ics_property(ics, "UID"),
        format!("booking-{id}@consultdesk")
    );
    assert_eq!(ics_property(ics, "SEQUENCE"), "1");

    // A requested booking can be moved too (and stays requested).
    let requested = desk
        .book_at(&at(TORONTO, monday, "15:00"), "req@example.com")
        .await;
    let moved = desk
        .reschedule(&front_desk, requested, &at(TORONTO, monday, "15:15"))
        .await;
    assert_eq!(moved["status"], "requested");

    assert_eq!(
        desk.audit_actions(id).await,
        vec![
            ("booking.confirm".to_owned(), Some(desk_id)),
            ("booking.reschedule".to_owned(), Some(desk_id))
        ]
    );
}

#[tokio::test]
async fn rescheduling_onto_a_taken_or_invalid_time_changes_nothing() {
    let desk = Desk::new().await;
    let front_desk = desk.app.staff_token("front_desk", &[desk.clinic]).await;
    let monday = upcoming(TORONTO, Weekday::Mon, 3);
    let mine = at(TORONTO, monday, "10:00");
    let theirs = at(TORONTO, monday, "11:00");
    let id = desk.book_at(&mine, "jane@example.com").await;
    desk.book_at(&theirs, "john@example.com").await;
    desk.act_ok(&front_desk, id, "confirm", &json!({})).await;
    let before = desk.row(id).await;
    let emails_before = desk.app.count("email_outbox").await;

    let problem = assert_problem(
        desk.act(&front_desk, id, "reschedule", &json!({"starts_at": theirs}))
            .await,
        409,
    )
    .await;
    assert_eq!(problem["type"], "/problems/slot_taken");
    assert_eq!(desk.row(id).await, before, "the booking keeps its time");
    let offered = desk.slot_starts(desk.practitioner, monday, monday).await;
    assert!(!offered.contains(&mine), "and still holds its slot");

    let now = Utc::now();
    let cases = [
        (at(TORONTO, monday, "10:07"), "misaligned"),
        (at(TORONTO, monday, "18:00"), "outside_hours"),
        (toronto(now - Duration::hours(3)), "in_the_past"),
        (
            (now + Duration::minutes(30))
                .with_timezone(&TORONTO)
                .fixed_offset()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
            "too_soon",
        ),
    ];
    for (starts_at, reason) in cases {
        let problem = assert_problem(
            desk.act(
                &front_desk,
                id,
                "reschedule",
                &json!({"starts_at": starts_at}),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(
            problem_codes(&problem),
            pair("starts_at", reason),
            "{starts_at}"
        );
        assert_eq!(desk.row(id).await, before);
    }
    let path = format!("/v1/admin/practitioners/{}/time-off", desk.practitioner);
    let time_off =
        json!({"starts_at": at(TORONTO, monday, "13:00"), "ends_at": at(TORONTO, monday, "14:00")});
    assert_eq!(
        desk.app
            .post_as(&path, &desk.admin, &time_off)
            .await
            .status(),
        201
    );
    let problem = assert_problem(
        desk.act(
            &front_desk,
            id,
            "reschedule",
            &json!({"starts_at": at(TORONTO, monday, "13:15")}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(problem_codes(&problem), pair("starts_at", "time_off"));
    let problem = assert_problem(
        desk.act(&front_desk, id, "reschedule", &json!({})).await,
        422,
    )
    .await;
    assert_eq!(error_fields(&problem), vec!["starts_at"]);

    assert_eq!(desk.row(id).await, before);
    assert_eq!(
        desk.app.count("email_outbox").await,
        emails_before,
        "no email for a failed move"
    );
    let actions = desk.audit_action_names(id).await;
    assert_eq!(
        actions,
        vec!["booking.confirm"],
        "failures are not audited as done"
    );

    // Moving within its own neighbourhood works: the booking does not conflict with itself.
    let moved = desk
        .reschedule(&front_desk, id, &at(TORONTO, monday, "10:15"))
        .await;
    assert_eq!(moved["starts_at"], at(TORONTO, monday, "10:15"));
}

// ---------------------------------------------------------------------------------------------
// Reminders

fn reminder_overrides(extra: &[(&'static str, &str)]) -> Overrides {
    let mut overrides = Overrides::from([("REMINDER_OFFSETS", "24h,1h".to_owned())]);
    for (name, value) in extra {
        overrides.insert(name, (*value).to_owned());
    }
    overrides
}

#[tokio::test]
async fn reminders_are_scheduled_on_confirmation_moved_on_reschedule_and_withdrawn_on_cancel() {
    let desk = Desk::with(reminder_overrides(&[])).await;
    let front_desk = desk.app.staff_token("front_desk", &[desk.clinic]).await;
    let monday = upcoming(TORONTO, Weekday::Mon, 3);
    let start = instant(&at(TORONTO, monday, "10:00"));
    let id = desk.book_at(&toronto(start), "jane@example.com").await;
    assert!(
        desk.emails(id, "appointment_reminder").await.is_empty(),
        "none before confirmation"
    );

    desk.act_ok(&front_desk, id, "confirm", &json!({})).await;
    let reminders = desk.emails(id, "appointment_reminder").await;
    let due: Vec<(DateTime<Utc>, &str)> = reminders
        .iter()
        .map(|r| (r.send_after, r.status.as_str()))
        .collect();
    assert_eq!(
        due,
        vec![
            (start - Duration::hours(24), "queued"),
            (start - Duration::hours(1), "queued")
        ]
    );
    let confirmation = &desk.emails(id, "booking_confirmed").await[0];
    let listed = confirmation.payload["reminders"]
        .as_array()
        .expect("reminders");
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().all(|r| r["skipped"].is_null()), "{listed:?}");

    let new_start = instant(&at(TORONTO, monday + Days::new(1), "15:00"));
    desk.reschedule(&front_desk, id, &toronto(new_start)).await;
    let reminders = desk.emails(id, "appointment_reminder").await;
    let mut withdrawn: Vec<DateTime<Utc>> = reminders
        .iter()
        .filter(|r| r.status == "withdrawn")
        .map(|r| r.send_after)
        .collect();
    withdrawn.sort();
    let mut queued: Vec<DateTime<Utc>> = reminders
        .iter()
        .filter(|r| r.status == "queued")
        .map(|r| r.send_after)
        .collect();
    queued.sort();
    assert_eq!(reminders.len(), 4, "{reminders:?}");
    assert_eq!(
        withdrawn,
        vec![start - Duration::hours(24), start - Duration::hours(1)]
    );
    assert_eq!(
        queued,
        vec![
            new_start - Duration::hours(24),
            new_start - Duration::hours(1)
        ]
    );

    desk.cancel(&front_desk, id, json!({})).await;
    let reminders = desk.emails(id, "appointment_reminder").await;
    assert_eq!(reminders.len(), 4);
    assert!(
        reminders.iter().all(|r| r.status == "withdrawn"),
        "{reminders:?}"
    );
}

#[tokio::test]
async fn a_reminder_whose_time_has_passed_is_skipped_and_the_confirmation_says_so() {
    let desk = Desk::with(reminder_overrides(&[("BOOKING_MIN_LEAD", "1s")])).await;
    let around_the_clock: Vec<Value> = (1..=7)
        .map(|weekday| json!({"weekday": weekday, "start": "00:00", "end": "23:59"}))
        .collect();
    desk.schedule(desk.practitioner, json!(around_the_clock), 60)
        .await;
    let front_desk = desk.app.staff_token("front_desk", &[desk.clinic]).await;
    // The first hourly slot at least two hours ahead: well under a day away.
    let soon = Utc::now() + Duration::hours(2);
    let start = desk
        .slot_starts(
            desk.practitioner,
            today(TORONTO),
            today(TORONTO) + Days::new(1),
        )
        .await
        .into_iter()
        .map(|s| instant(&s))
        .find(|s| *s >= soon)
        .expect("a slot a few hours ahead");
    assert!(start < Utc::now() + Duration::hours(6));
    let id = desk
        .confirmed_at(&front_desk, &toronto(start), "jane@example.com")
        .await;

    let reminders = desk.emails(id, "appointment_reminder").await;
    assert_eq!(reminders.len(), 1, "{reminders:?}");
    assert_eq!(reminders[0].send_after, start - Duration::hours(1));
    assert_eq!(reminders[0].status, "queued");
    assert_eq!(reminders[0].payload["offset_seconds"], 3600);

    let confirmation = &desk.emails(id, "booking_confirmed").await[0];
    let listed = confirmation.payload["reminders"]
        .as_array()
        .expect("reminders");
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert_eq!(listed[0]["offset_seconds"], 86_400);
    assert!(listed[0]["at"].is_null());
    assert!(listed[0]["skipped"].is_string(), "{listed:?}");
    assert_eq!(listed[1]["offset_seconds"], 3600);
    assert!(listed[1]["skipped"].is_null());
    assert_eq!(
        instant(listed[1]["at"].as_str().unwrap()),
        start - Duration::hours(1)
    );
}

#[tokio::test]
async fn reminders_for_a_patient_without_reminder_consent_are_suppressed() {
    let desk = Desk::with(reminder_overrides(&[])).await;
    let front_desk = desk.app.staff_token("front_desk", &[desk.clinic]).await;
    let monday = upcoming(TORONTO, Weekday::Mon, 3);
    let mut body = booking_body(
        desk.practitioner,
        &at(TORONTO, monday, "10:00"),
        "jane@example.com",
    );
    body["consents"]["appointment_reminders"] = json!(false);
    let response = desk.book(&body).await;
    assert_eq!(response.status(), 201);
    let id = id_of(&json_of(response).await);
    desk.act_ok(&front_desk, id, "confirm", &json!({})).await;

    let reminders = desk.emails(id, "appointment_reminder").await;
    assert_eq!(reminders.len(), 2);
    assert!(
        reminders.iter().all(|r| r.status == "suppressed"),
        "{reminders:?}"
    );
    let confirmation = desk.emails(id, "booking_confirmed").await;
    assert_eq!(
        confirmation[0].status, "queued",
        "the confirmation is transactional"
    );
}

// ---------------------------------------------------------------------------------------------
// next_available in search

async fn search_near(app: &TestApp) -> Value {
    let response = app.get("/v1/practitioners?near=43.6487,-79.3817").await;
    assert_eq!(response.status(), 200);
    json_of(response).await
}

async fn first_slot_of(desk: &Desk) -> String {
    let response = desk.slots(desk.practitioner, "").await;
    assert_eq!(response.status(), 200);
    starts_of(&json_of(response).await)[0].clone()
}

#[tokio::test]
async fn next_available_in_search_is_the_first_free_slot() {
    let desk = Desk::new().await;
    let bare = desk.practitioner_at(desk.clinic, &["video"]).await;
    let search = || search_near(&desk.app);
    let first_slot = || first_slot_of(&desk);
    let next_of = |page: &Value, id: Uuid| {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|item| item["id"] == json!(id))
            .map(|item| item["next_available"].clone())
            .expect("the practitioner in the results")
    };

    let expected = first_slot().await;
    let page = search().await;
    assert_eq!(next_of(&page, desk.practitioner), json!(expected));
    assert_eq!(next_of(&page, bare), Value::Null, "no hours, no slot");

    // Booking that slot moves next_available to the following one.
    desk.book_at(&expected, "jane@example.com").await;
    let following = first_slot().await;
    assert_ne!(following, expected);
    let page = search().await;
    assert_eq!(next_of(&page, desk.practitioner), json!(following));

    let one = desk
        .app
        .get(&format!("/v1/practitioners/{}", desk.practitioner))
        .await;
    assert_eq!(one.status(), 200);
    assert_eq!(json_of(one).await["next_available"], json!(following));
}

// ---------------------------------------------------------------------------------------------
// The staff list and detail

#[tokio::test]
async fn the_staff_list_is_soonest_first_filtered_and_paged() {
    let desk = Desk::new().await;
    let front_desk = desk.app.staff_token("front_desk", &[desk.clinic]).await;
    let other = desk.practitioner_at(desk.clinic, &["video"]).await;
    desk.nine_to_five(other, 15).await;
    let monday = upcoming(TORONTO, Weekday::Mon, 3);
    let tuesday = monday + Days::new(1);
    let wednesday = monday + Days::new(2);
    // Created out of order.
    let wed = desk
        .book_at(&at(TORONTO, wednesday, "09:00"), "a@example.com")
        .await;
    let mon_late = desk
        .book_at(&at(TORONTO, monday, "09:15"), "b@example.com")
        .await;
    let tue = desk
        .book_at(&at(TORONTO, tuesday, "09:00"), "c@example.com")
        .await;
    let mon_early = desk
        .book_at(&at(TORONTO, monday, "09:00"), "d@example.com")
        .await;
    let mon_other = desk
        .book_with(other, &at(TORONTO, monday, "10:00"), "e@example.com")
        .await;
    desk.act_ok(&front_desk, tue, "confirm", &json!({})).await;
    let order = vec![mon_early, mon_late, mon_other, tue, wed];

    let all = desk.list(&front_desk, "?limit=100").await;
    assert_eq!(ids_of(&all), order);
    assert_eq!(all["next_cursor"], Value::Null);
    let first = &all["items"][0];
    assert_eq!(first["status"], "requested");
    assert_eq!(first["starts_at"], at(TORONTO, monday, "09:00"));
    assert_eq!(first["practitioner"]["id"], json!(desk.practitioner));
    assert_eq!(first["clinic"]["id"], json!(desk.clinic));
    assert_eq!(first["email"], "d@example.com");

    assert_eq!(
        ids_of(&desk.list(&front_desk, "?status=confirmed").await),
        vec![tue]
    );
    assert_eq!(
        ids_of(&desk.list(&front_desk, "?status=requested").await),
        vec![mon_early, mon_late, mon_other, wed]
    );
    assert_eq!(
        ids_of(
            &desk
                .list(&front_desk, &format!("?practitioner_id={other}"))
                .await
        ),
        vec![mon_other]
    );
    let encode = |time: String| time.replace('+', "%2B");
    let from = encode(at(TORONTO, monday, "09:15"));
    let to = encode(at(TORONTO, tuesday, "09:00"));
    assert_eq!(
        ids_of(
            &desk
                .list(&front_desk, &format!("?from={from}&to={to}"))
                .await
        ),
        vec![mon_late, mon_other],
        "from is included, to is not"
    );
    assert_eq!(
        ids_of(&desk.list(&front_desk, &format!("?from={to}")).await),
        vec![tue, wed]
    );
    assert_eq!(
        ids_of(
            &desk
                .list(
                    &front_desk,
                    &format!("?to={from}&practitioner_id={}", desk.practitioner)
                )
                .await
        ),
        vec![mon_early]
    );

    // Pages of two: every booking exactly once, in order.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let query = match &cursor {
            Some(cursor) => format!("?limit=2&cursor={cursor}"),
            None => "?limit=2".to_owned(),
        };
        let page = desk.list(&front_desk, &query).await;
        let ids = ids_of(&page);
        assert!(ids.len() <= 2);
        seen.extend(ids);
        pages += 1;
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
        assert!(pages < 10, "paging does not end");
    }
    assert_eq!(seen, order);
    assert_eq!(pages, 3);

    for (query, field) in [
        ("?from=monday", "from"),
        ("?to=2026-12-01", "to"),
        ("?status=lost", "status"),
        ("?practitioner_id=nope", "practitioner_id"),
    ] {
        let problem = assert_problem(
            desk.app
                .get_as(&format!("/v1/staff/bookings{query}"), &front_desk)
                .await,
            400,
        )
        .await;
        assert_eq!(error_fields(&problem), vec![field], "{query}");
    }
    let anonymous = desk.app.get("/v1/staff/bookings").await;
    assert_problem(anonymous, 401).await;
}

#[tokio::test]
async fn the_staff_detail_shows_the_patient_consents_and_emails() {
    let desk = Desk::new().await;
    let (front_desk, id) = desk.front_desk_and_a_confirmed_booking().await;
    let monday = upcoming(TORONTO, Weekday::Mon, 3);

    let response = desk
        .app
        .get_as(&format!("/v1/staff/bookings/{id}"), &front_desk)
        .await;
    assert_eq!(response.status(), 200);
    let detail = json_of(response).await;
    assert_eq!(detail["id"], json!(id));
    assert_eq!(detail["status"], "confirmed");
    assert_eq!(detail["starts_at"], at(TORONTO, monday, "09:00"));
    assert_eq!(detail["concern"], "Knee pain when running");
    let patient = &detail["patient"];
    assert_eq!(patient["id"], json!(desk.row(id).await.patient_id));
    assert_eq!(patient["name"], "Jane Runner");
    assert_eq!(patient["email"], "jane@example.com");
    assert_eq!(patient["phone"], "+14165550100");

    let mut consents: Vec<(String, bool)> = detail["consents"]
        .as_array()
        .expect("consents")
        .iter()
        .map(|c| {
            (
                c["category"].as_str().unwrap().to_owned(),
                c["granted"].as_bool().unwrap(),
            )
        })
        .collect();
    consents.sort();
    assert_eq!(
        consents,
        vec![
            ("appointment_reminders".into(), true),
            ("exercise_plans".into(), true),
            ("plans_of_care".into(), false),
            ("service_updates".into(), false),
        ]
    );

    let kinds: HashSet<String> = detail["emails"]
        .as_array()
        .expect("emails")
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect();
    assert!(kinds.contains("booking_requested"), "{kinds:?}");
    assert!(kinds.contains("booking_confirmed"), "{kinds:?}");
    assert!(kinds.contains("appointment_reminder"), "{kinds:?}");
    for email in detail["emails"].as_array().unwrap() {
        assert_eq!(email["to"], "jane@example.com");
        assert!(email["status"].is_string());
    }

    let missing = assert_problem(
        desk.app
            .get_as(
                &format!("/v1/staff/bookings/{}", Uuid::now_v7()),
                &front_desk,
            )
            .await,
        404,
    )
    .await;
    let garbled = assert_problem(
        desk.app
            .get_as("/v1/staff/bookings/not-a-uuid", &front_desk)
            .await,
        404,
    )
    .await;
    assert_eq!(missing, garbled);
}
