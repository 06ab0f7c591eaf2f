//! The consent-per-sender migration keeps what existing ledger rows meant: a database at the
//! migration before it, filled with a history as the older code wrote it, then migrated.

use crate::helpers::*;
use consultdesk::db::MIGRATOR;
use sqlx::PgPool;
use sqlx::migrate::Migrator;
use std::borrow::Cow;
use uuid::Uuid;

/// The version of the migration under test.
const PER_SENDER: i64 = 20261202000011;

#[tokio::test]
async fn existing_consent_rows_keep_their_meaning() {
    let (name, url) = new_empty_database().await;
    let pool = PgPool::connect(&url).await.expect("the empty database");
    let before = Migrator {
        migrations: Cow::Owned(
            MIGRATOR
                .migrations
                .iter()
                .filter(|migration| migration.version < PER_SENDER)
                .cloned()
                .collect(),
        ),
        ..Migrator::DEFAULT
    };
    before.run(&pool).await.expect("the migrations before");

    // Two clinics; a patient who filled a form at A (reminders and plans checked), then one at B
    // (reminders only, plans unchecked: the old rule recorded a withdrawal), then unsubscribed from
    // exercise plans through an email link (the old link acted for the whole person).
    let (clinic_a, clinic_b) = (Uuid::now_v7(), Uuid::now_v7());
    for (clinic, clinic_name) in [(clinic_a, "A"), (clinic_b, "B")] {
        sqlx::query(
            "INSERT INTO clinics (id, name, address, city, province, postal_code, phone, latitude, longitude, time_zone)
             VALUES ($1, $2, '1 Main St', 'Toronto', 'ON', 'M5V 2T6', '+14165550100', 43.6, -79.4, 'America/Toronto')",
        )
        .bind(clinic)
        .bind(clinic_name)
        .execute(&pool)
        .await
        .expect("a clinic");
    }
    let patient = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO patients (id, name, email) VALUES ($1, 'Old Patient', 'old@example.com')",
    )
    .bind(patient)
    .execute(&pool)
    .await
    .unwrap();
    let form = |clinic: Uuid, flags: [(&'static str, bool); 2], offset_secs: i64| {
        let pool = pool.clone();
        async move {
            let at = chrono::Utc::now() - chrono::Duration::seconds(600 - offset_secs);
            sqlx::query(
                "INSERT INTO callback_requests (id, patient_id, clinic_id, name, phone, preferred_time, created_at)
                 VALUES ($1, $2, $3, 'Old Patient', '+14165550100', 'morning', $4)",
            )
            .bind(Uuid::now_v7())
            .bind(patient)
            .bind(clinic)
            .bind(at)
            .execute(&pool)
            .await
            .unwrap();
            for (n, (category, granted)) in (1_i64..).zip(flags) {
                sqlx::query(
                    "INSERT INTO consent_events (id, patient_id, category, granted, source, wording_version, created_at)
                     VALUES ($1, $2, $3, $4, 'web_form', '2026-11-consult-form-v1', $5 + interval '1 millisecond')",
                )
                // Its id from its own time, as the service makes them: the ledger orders by id,
                // and a row made in the same millisecond as the later withdrawal would tie with it.
                .bind(id_at(at + chrono::Duration::milliseconds(n)))
                .bind(patient)
                .bind(category)
                .bind(granted)
                .bind(at)
                .execute(&pool)
                .await
                .unwrap();
            }
        }
    };
    form(
        clinic_a,
        [("appointment_reminders", true), ("exercise_plans", true)],
        0,
    )
    .await;
    form(
        clinic_b,
        [("appointment_reminders", true), ("exercise_plans", false)],
        60,
    )
    .await;
    sqlx::query(
        "INSERT INTO consent_events (id, patient_id, category, granted, source, wording_version, created_at)
         VALUES ($1, $2, 'appointment_reminders', false, 'one_click', '2026-11-preferences-page-v1', now())",
    )
    .bind(Uuid::now_v7())
    .bind(patient)
    .execute(&pool)
    .await
    .unwrap();
    let rows_before: i64 = sqlx::query_scalar("SELECT count(*) FROM consent_events")
        .fetch_one(&pool)
        .await
        .unwrap();

    MIGRATOR.run(&pool).await.expect("the migration under test");

    // Form rows went to the clinic of their form (and, as the form then granted to everyone, to
    // the network); the old rows are all still there.
    let moved: Vec<(String, bool, Option<Uuid>)> = sqlx::query_as(
        "SELECT category, granted, clinic_id FROM consent_events
          WHERE source = 'web_form' AND clinic_id IS NOT NULL ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        moved,
        vec![
            ("appointment_reminders".to_owned(), true, Some(clinic_a)),
            ("exercise_plans".to_owned(), true, Some(clinic_a)),
            ("appointment_reminders".to_owned(), true, Some(clinic_b)),
            ("exercise_plans".to_owned(), false, Some(clinic_b)),
        ]
    );
    let rows_after: i64 = sqlx::query_scalar("SELECT count(*) FROM consent_events")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        rows_after,
        rows_before + 4 + 2,
        "network copies of 4 form rows, the one-click at A and B"
    );
    // A's plans consent is A's; B's unchecked box stays B's.
    assert_eq!(
        consent_state(&pool, patient, Some(clinic_a), "exercise_plans").await,
        Some(true)
    );
    assert_eq!(
        consent_state(&pool, patient, Some(clinic_b), "exercise_plans").await,
        Some(false)
    );
    // The one-click withdrawal acted for the whole person: it stands at the network and at every
    // clinic the person dealt with, later than the grants it overrode.
    for sender in [None, Some(clinic_a), Some(clinic_b)] {
        assert_eq!(
            consent_state(&pool, patient, sender, "appointment_reminders").await,
            Some(false),
            "{sender:?}"
        );
    }
    // The ledger is append-only again.
    let changed = sqlx::query("UPDATE consent_events SET granted = true")
        .execute(&pool)
        .await;
    assert!(changed.is_err(), "the append-only guard is back");
    pool.close().await;
    drop_database(&name).await;
}

/// A UUIDv7 of the time `at`, as a row created then would have.
fn id_at(at: chrono::DateTime<chrono::Utc>) -> Uuid {
    let nanos = at.timestamp_subsec_nanos();
    let seconds = u64::try_from(at.timestamp()).expect("a time after 1970");
    Uuid::new_v7(uuid::Timestamp::from_unix(uuid::NoContext, seconds, nanos))
}
