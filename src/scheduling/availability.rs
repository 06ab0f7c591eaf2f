//! Free consult slots: a practitioner's over a span of days ([`free_slots`], behind
//! `GET /v1/practitioners/{id}/slots`), and `next_available` for search results.

use crate::domain::Invalid;
use crate::error::ApiError;
use crate::scheduling::slots::{self, Interval, MAX_RANGE_DAYS, SlotRequest};
use crate::scheduling::store;
use crate::state::AppState;
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use sqlx::PgConnection;
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// How far ahead `next_available` looks.
const NEXT_AVAILABLE_HORIZON_DAYS: i64 = 31;
/// Days shown when the caller gives no `to`.
const DEFAULT_SPAN_DAYS: i64 = 6;

#[derive(Debug, Serialize, ToSchema)]
pub struct SlotView {
    /// In the clinic's local offset.
    #[serde(serialize_with = "crate::http::timestamp::serialize")]
    pub starts_at: DateTime<FixedOffset>,
    #[serde(serialize_with = "crate::http::timestamp::serialize")]
    pub ends_at: DateTime<FixedOffset>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlotsView {
    pub time_zone: String,
    /// Null when the practitioner has no weekly hours yet.
    pub slot_minutes: Option<u32>,
    pub slots: Vec<SlotView>,
}

/// `time` in `zone`'s offset at that instant, as the contract's times are written.
pub fn local(time: DateTime<Utc>, zone: Tz) -> DateTime<FixedOffset> {
    time.with_timezone(&zone).fixed_offset()
}

/// A window safely covering local dates `from..=to` in any zone (offsets are within ±14 h).
fn utc_window(from: NaiveDate, to: NaiveDate) -> Interval {
    let start = from.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() - Duration::days(1);
    let end = to.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() + Duration::days(2);
    (start, end)
}

/// The days a slot list is asked for, in the clinic's zone; either may be left out.
#[derive(Debug, Clone, Copy)]
pub struct SlotDays {
    /// Default: today in the clinic's zone.
    pub from: Option<NaiveDate>,
    /// Included. Default: `from` + 6 days; at most [`MAX_RANGE_DAYS`] after `from`.
    pub to: Option<NaiveDate>,
}

/// The practitioner's free consult slots over `days`, whichever door asks (the public slot list,
/// a patient choosing a new time). `None` is a practitioner id that names nobody (not a UUID).
///
/// The days are checked first, in the practitioner's zone (UTC when there is no such active
/// practitioner): a bad range is a 422 naming `to`, then an unknown or inactive practitioner a 404.
pub async fn free_slots(
    state: &AppState,
    practitioner_id: Option<Uuid>,
    days: SlotDays,
) -> Result<SlotsView, ApiError> {
    let mut conn = state.db.acquire().await?;
    free_slots_on(&mut conn, state, practitioner_id, days).await
}

/// [`free_slots`] on a connection the caller already holds (a page that reads more beside them
/// takes one connection from the pool, not two).
pub async fn free_slots_on(
    conn: &mut PgConnection,
    state: &AppState,
    practitioner_id: Option<Uuid>,
    days: SlotDays,
) -> Result<SlotsView, ApiError> {
    let practitioner = match practitioner_id {
        Some(id) => store::bookable(&mut *conn, id).await?.filter(|p| p.active),
        None => None,
    };
    let zone = practitioner
        .as_ref()
        .map(store::Bookable::zone)
        .unwrap_or(chrono_tz::UTC);
    let today = Utc::now().with_timezone(&zone).date_naive();
    let from = days.from.unwrap_or(today);
    let to = days
        .to
        .unwrap_or_else(|| from + Duration::days(DEFAULT_SPAN_DAYS));
    if to < from {
        return Err(ApiError::validation(
            "to",
            Invalid::new("before_from", "field-before-from"),
        ));
    }
    if (to - from).num_days() > MAX_RANGE_DAYS {
        return Err(ApiError::validation(
            "to",
            Invalid::new("range_too_long", "field-range-too-long").arg("days", MAX_RANGE_DAYS),
        ));
    }
    let practitioner = practitioner.ok_or(ApiError::NotFound)?;
    let Some(schedule) = store::schedule(&mut *conn, practitioner.id).await? else {
        return Ok(SlotsView {
            time_zone: zone.name().to_owned(),
            slot_minutes: None,
            slots: vec![],
        });
    };
    let busy = store::busy(&mut *conn, &[practitioner.id], utc_window(from, to), None)
        .await?
        .remove(&practitioner.id)
        .unwrap_or_default()
        .all();
    let not_before = Utc::now() + lead(state);
    let free = slots::free_slots(&SlotRequest {
        time_zone: zone,
        weekly: &schedule.weekly,
        slot_minutes: schedule.slot_minutes,
        from,
        to,
        busy: &busy,
        not_before,
    });
    Ok(SlotsView {
        time_zone: zone.name().to_owned(),
        slot_minutes: Some(schedule.slot_minutes),
        slots: free
            .into_iter()
            .map(|(start, end)| SlotView {
                starts_at: local(start, zone),
                ends_at: local(end, zone),
            })
            .collect(),
    })
}

/// `BOOKING_MIN_LEAD` as a chrono duration.
pub fn lead(state: &AppState) -> Duration {
    // The settings refuse a lead over a year, so the conversion cannot fail; were it to, the
    // longest lead allowed is the safe reading (nothing bookable too soon).
    Duration::from_std(state.settings.booking_min_lead).unwrap_or(Duration::days(365))
}

/// The next free slot start of each practitioner (absent when none within the horizon).
pub async fn next_available(
    conn: &mut PgConnection,
    practitioners: &[(Uuid, Tz)],
    min_lead: Duration,
) -> Result<HashMap<Uuid, DateTime<FixedOffset>>, sqlx::Error> {
    if practitioners.is_empty() {
        return Ok(HashMap::new());
    }
    let ids: Vec<Uuid> = practitioners.iter().map(|(id, _)| *id).collect();
    let schedules = store::schedules(conn, &ids).await?;
    if schedules.is_empty() {
        return Ok(HashMap::new());
    }
    let not_before = Utc::now() + min_lead;
    let window = (
        not_before - Duration::days(1),
        not_before + Duration::days(NEXT_AVAILABLE_HORIZON_DAYS + 2),
    );
    let scheduled: Vec<Uuid> = schedules.keys().copied().collect();
    let mut busy = store::busy(conn, &scheduled, window, None).await?;
    Ok(practitioners
        .iter()
        .filter_map(|(id, zone)| {
            let schedule = schedules.get(id)?;
            let busy = busy.remove(id).unwrap_or_default().all();
            let (start, _) = slots::next_free(
                *zone,
                &schedule.weekly,
                schedule.slot_minutes,
                &busy,
                not_before,
                NEXT_AVAILABLE_HORIZON_DAYS,
            )?;
            Some((*id, local(start, *zone)))
        })
        .collect())
}
