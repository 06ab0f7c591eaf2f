//! SQL for weekly hours, time off and what keeps a practitioner busy.

use crate::domain::locale::Locale;
use crate::scheduling::schedule::WeeklyRange;
use crate::scheduling::slots::Interval;
use chrono::{DateTime, NaiveTime, Utc};
use serde::Serialize;
use sqlx::PgConnection;
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// A practitioner's weekly hours.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub slot_minutes: u32,
    pub weekly: Vec<WeeklyRange>,
}

/// Weekly hours of several practitioners at once (those without any are absent).
pub async fn schedules(
    conn: &mut PgConnection,
    practitioner_ids: &[Uuid],
) -> Result<HashMap<Uuid, Schedule>, sqlx::Error> {
    // One row per range, or one with no range for an empty week.
    let rows = sqlx::query!(
        r#"SELECT s.practitioner_id, s.slot_minutes, r.weekday AS "weekday?", r.starts AS "starts?", r.ends AS "ends?"
           FROM practitioner_schedules s
           LEFT JOIN schedule_ranges r ON r.practitioner_id = s.practitioner_id
          WHERE s.practitioner_id = ANY($1)
          ORDER BY s.practitioner_id, r.weekday, r.starts"#,
        practitioner_ids,
    )
    .fetch_all(conn)
    .await?;
    let mut by_practitioner: HashMap<Uuid, Schedule> = HashMap::new();
    for row in rows {
        // The table's CHECKs bound both (5..=240 minutes, weekdays 1..=7): a value outside them
        // is a broken database, said as such rather than papered over with a default.
        let slot_minutes = u32::try_from(row.slot_minutes)
            .map_err(|error| sqlx::Error::Decode(Box::new(error)))?;
        let schedule = by_practitioner
            .entry(row.practitioner_id)
            .or_insert_with(|| Schedule {
                slot_minutes,
                weekly: vec![],
            });
        if let (Some(weekday), Some(start), Some(end)) = (row.weekday, row.starts, row.ends) {
            let weekday =
                u8::try_from(weekday).map_err(|error| sqlx::Error::Decode(Box::new(error)))?;
            schedule.weekly.push(WeeklyRange {
                weekday,
                start,
                end,
            });
        }
    }
    Ok(by_practitioner)
}

pub async fn schedule(
    conn: &mut PgConnection,
    practitioner_id: Uuid,
) -> Result<Option<Schedule>, sqlx::Error> {
    Ok(schedules(conn, &[practitioner_id])
        .await?
        .remove(&practitioner_id))
}

/// Replaces the weekly hours (ranges already validated: sorted, non-overlapping).
pub async fn replace_schedule(
    conn: &mut PgConnection,
    practitioner_id: Uuid,
    slot_minutes: u32,
    weekly: &[WeeklyRange],
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO practitioner_schedules (practitioner_id, slot_minutes) VALUES ($1, $2)
         ON CONFLICT (practitioner_id) DO UPDATE SET slot_minutes = EXCLUDED.slot_minutes, updated_at = now()",
        practitioner_id,
        i32::try_from(slot_minutes).unwrap_or(i32::MAX),
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "DELETE FROM schedule_ranges WHERE practitioner_id = $1",
        practitioner_id,
    )
    .execute(&mut *conn)
    .await?;
    let weekdays: Vec<i16> = weekly
        .iter()
        .map(|range| i16::from(range.weekday))
        .collect();
    let starts: Vec<NaiveTime> = weekly.iter().map(|range| range.start).collect();
    let ends: Vec<NaiveTime> = weekly.iter().map(|range| range.end).collect();
    sqlx::query!(
        "INSERT INTO schedule_ranges (practitioner_id, weekday, starts, ends)
         SELECT $1, weekday, starts, ends
           FROM unnest($2::int2[], $3::time[], $4::time[]) AS t(weekday, starts, ends)",
        practitioner_id,
        &weekdays,
        &starts,
        &ends,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// What keeps one practitioner from taking a booking.
#[derive(Debug, Default, Clone)]
pub struct Busy {
    pub time_off: Vec<Interval>,
    pub bookings: Vec<Interval>,
}

impl Busy {
    pub fn all(&self) -> Vec<Interval> {
        self.time_off
            .iter()
            .chain(&self.bookings)
            .copied()
            .collect()
    }
}

/// Time off and active bookings of each practitioner overlapping `window`. `except_booking` leaves
/// one booking out (the one being rescheduled, which may move within its own time).
pub async fn busy(
    conn: &mut PgConnection,
    practitioner_ids: &[Uuid],
    window: Interval,
    except_booking: Option<Uuid>,
) -> Result<HashMap<Uuid, Busy>, sqlx::Error> {
    // The UNION hides where each column comes from, so the macro is told none is null.
    let rows = sqlx::query!(
        r#"SELECT practitioner_id AS "practitioner_id!", true AS "is_time_off!", starts_at AS "starts_at!", ends_at AS "ends_at!" FROM time_off
          WHERE practitioner_id = ANY($1) AND tstzrange(starts_at, ends_at) && tstzrange($2, $3)
         UNION ALL
         SELECT practitioner_id, false, starts_at, ends_at FROM bookings
          WHERE practitioner_id = ANY($1) AND status IN ('requested', 'confirmed')
            AND tstzrange(starts_at, ends_at) && tstzrange($2, $3)
            AND ($4::uuid IS NULL OR id <> $4)"#,
        practitioner_ids,
        window.0,
        window.1,
        except_booking,
    )
    .fetch_all(conn)
    .await?;
    let mut by_practitioner: HashMap<Uuid, Busy> = HashMap::new();
    for row in rows {
        let busy = by_practitioner.entry(row.practitioner_id).or_default();
        let interval = (row.starts_at, row.ends_at);
        if row.is_time_off {
            busy.time_off.push(interval);
        } else {
            busy.bookings.push(interval);
        }
    }
    Ok(by_practitioner)
}

/// The practitioner a booking or slot request is about, with their clinic's zone.
#[derive(Debug, Clone)]
pub struct Bookable {
    pub id: Uuid,
    pub name: String,
    pub discipline: String,
    pub consult_modes: Vec<String>,
    pub active: bool,
    pub clinic_id: Uuid,
    pub time_zone: String,
}

impl Bookable {
    pub fn zone(&self) -> chrono_tz::Tz {
        // Zones are validated when clinics are written; UTC only guards against a hand-edited row.
        self.time_zone.parse().unwrap_or(chrono_tz::UTC)
    }
}

pub async fn bookable(
    conn: &mut PgConnection,
    practitioner_id: Uuid,
) -> Result<Option<Bookable>, sqlx::Error> {
    sqlx::query_as!(
        Bookable,
        "SELECT p.id, p.name, p.discipline, p.consult_modes, p.active, p.clinic_id, c.time_zone
           FROM practitioners p JOIN clinics c ON c.id = p.clinic_id WHERE p.id = $1",
        practitioner_id,
    )
    .fetch_optional(conn)
    .await
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TimeOffView {
    pub id: Uuid,
    pub practitioner_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The new entry's fields, in the order of `time_off`'s columns.
pub struct NewTimeOff<'a> {
    pub practitioner_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub reason: Option<&'a str>,
    pub created_by: Uuid,
}

pub async fn insert_time_off(
    conn: &mut PgConnection,
    new: NewTimeOff<'_>,
) -> Result<TimeOffView, sqlx::Error> {
    sqlx::query_as!(
        TimeOffView,
        "INSERT INTO time_off (id, practitioner_id, starts_at, ends_at, reason, created_by)
         VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING id, practitioner_id, starts_at, ends_at, reason, created_at",
        Uuid::now_v7(),
        new.practitioner_id,
        new.starts_at,
        new.ends_at,
        new.reason,
        new.created_by,
    )
    .fetch_one(conn)
    .await
}

/// Where the clinic's front desk wants to hear of a patient's change, if anywhere, and the
/// clinic's language.
pub async fn notification_email(
    conn: &mut PgConnection,
    clinic_id: Uuid,
) -> Result<Option<(String, Locale)>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT notification_email::text AS "notification_email", default_locale AS "default_locale: Locale"
             FROM clinics WHERE id = $1"#,
        clinic_id,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.and_then(|row| Some((row.notification_email?, row.default_locale))))
}
