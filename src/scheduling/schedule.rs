//! A practitioner's weekly hours: parsing and validating the parts of
//! `PUT /v1/admin/practitioners/{id}/schedule`, and the instants the scheduling forms carry (time
//! off, a booking's start). Nothing here does I/O.
//!
//! Times are the clinic's local wall-clock time; turning them into instants is the job of
//! [`super::slots`], which knows the clinic's time zone.

use crate::domain::Invalid;
use chrono::{DateTime, NaiveTime, Utc};
use serde::{Serialize, Serializer};

/// The shortest consult slot a schedule may use, in minutes.
pub const MIN_SLOT_MINUTES: u32 = 5;
/// The longest consult slot a schedule may use, in minutes (four hours).
pub const MAX_SLOT_MINUTES: u32 = 240;

/// One range of working hours on an ISO weekday (1 = Monday … 7 = Sunday), in the clinic's local
/// time. The range is half-open: a slot may end exactly at `end`, never start there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct WeeklyRange {
    /// ISO weekday: 1 = Monday … 7 = Sunday.
    #[schema(schema_with = weekday_schema)]
    pub weekday: u8,
    /// Local opening time, `HH:MM`.
    #[schema(schema_with = time_schema)]
    #[serde(serialize_with = "hh_mm")]
    pub start: NaiveTime,
    /// Local closing time, `HH:MM`, after `start`.
    #[schema(schema_with = time_schema)]
    #[serde(serialize_with = "hh_mm")]
    pub end: NaiveTime,
}

/// The first and last ISO weekday numbers.
pub const MONDAY: u8 = 1;
pub const SUNDAY: u8 = 7;

/// What [`parse_time`] accepts, as a pattern.
pub const TIME_PATTERN: &str = "^([01][0-9]|2[0-3]):[0-5][0-9]$";

fn time_schema() -> utoipa::openapi::schema::Schema {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .pattern(Some(TIME_PATTERN))
        .examples(["09:00"])
        .into()
}

fn weekday_schema() -> utoipa::openapi::schema::Schema {
    crate::domain::schema::whole(MONDAY.into(), SUNDAY.into())
        .examples([1])
        .into()
}

/// Writes a time the way the API reads it (`HH:MM`), so a schedule read back can be sent again.
fn hh_mm<S: Serializer>(time: &NaiveTime, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&time.format("%H:%M"))
}

/// Parses a local time written exactly `HH:MM` (24-hour, `00:00` to `23:59`).
///
/// Handled deliberately: `24:00` is rejected, so hours cannot reach midnight (`23:59` is the
/// latest end) and a range never spans two dates; seconds, single-digit hours (`9:00`) and
/// surrounding spaces are rejected rather than guessed at.
pub fn parse_time(raw: &str) -> Result<NaiveTime, Invalid> {
    let invalid = || Invalid::new("invalid_time", "field-invalid-time");
    let bytes = raw.as_bytes();
    let well_formed = bytes.len() == 5
        && bytes[2] == b':'
        && [0, 1, 3, 4].iter().all(|&i| bytes[i].is_ascii_digit());
    if !well_formed {
        return Err(invalid());
    }
    let two_digits = |at: usize| u32::from(bytes[at] - b'0') * 10 + u32::from(bytes[at + 1] - b'0');
    // `from_hms_opt` rejects hours above 23 and minutes above 59.
    NaiveTime::from_hms_opt(two_digits(0), two_digits(3), 0).ok_or_else(invalid)
}

/// An RFC 3339 time with an offset (`2026-12-01T14:30:00-05:00`).
pub fn parse_instant(raw: &str) -> Result<DateTime<Utc>, Invalid> {
    DateTime::parse_from_rfc3339(raw.trim())
        .map(|time| time.with_timezone(&Utc))
        .map_err(|_| Invalid::new("invalid_datetime", "field-invalid-datetime"))
}

/// An ISO weekday number: 1 = Monday … 7 = Sunday.
pub fn parse_weekday(value: i64) -> Result<u8, Invalid> {
    u8::try_from(value)
        .ok()
        .filter(|weekday| (MONDAY..=SUNDAY).contains(weekday))
        .ok_or_else(|| Invalid::new("invalid_weekday", "field-invalid-weekday"))
}

/// A slot length in minutes, from [`MIN_SLOT_MINUTES`] to [`MAX_SLOT_MINUTES`].
pub fn check_slot_minutes(value: i64) -> Result<u32, Invalid> {
    u32::try_from(value)
        .ok()
        .filter(|minutes| (MIN_SLOT_MINUTES..=MAX_SLOT_MINUTES).contains(minutes))
        .ok_or_else(|| {
            Invalid::new("out_of_range", "field-slot-minutes-range")
                .arg("min", MIN_SLOT_MINUTES)
                .arg("max", MAX_SLOT_MINUTES)
        })
}

/// Validates a whole week and returns its ranges sorted by (weekday, start).
///
/// Each range needs a weekday from 1 to 7 and an end after its start. Ranges on the same weekday
/// must not overlap; touching ranges (09:00-12:00 and 12:00-17:00) are fine, since ranges are
/// half-open. Every problem is reported, each under the path of the element at fault, as sent:
/// `weekly[2].weekday`, `weekly[2].end` (end not after start) or `weekly[2]` (overlaps an earlier
/// range, named in the message). Errors come in the order of the elements.
pub fn validate_week(ranges: Vec<WeeklyRange>) -> Result<Vec<WeeklyRange>, Vec<(String, Invalid)>> {
    let mut errors: Vec<(usize, String, Invalid)> = Vec::new();
    for (index, range) in ranges.iter().enumerate() {
        if let Err(invalid) = parse_weekday(i64::from(range.weekday)) {
            errors.push((index, format!("weekly[{index}].weekday"), invalid));
        }
        if range.end <= range.start {
            let invalid =
                Invalid::new("end_before_start", "field-end-before-start").arg("start", "start");
            errors.push((index, format!("weekly[{index}].end"), invalid));
        }
    }
    errors.extend(overlaps(&ranges));
    if errors.is_empty() {
        let mut sorted = ranges;
        sorted.sort_by_key(|range| (range.weekday, range.start, range.end));
        return Ok(sorted);
    }
    // Stable sort: an element's own errors keep the order they were found in.
    errors.sort_by_key(|(index, _, _)| *index);
    Err(errors
        .into_iter()
        .map(|(_, path, invalid)| (path, invalid))
        .collect())
}

/// Overlapping ranges of one weekday, each reported on the later-starting element (ties go to
/// the later element as sent). Ranges whose end is not after their start are left out: they
/// already have an error of their own and have no meaningful extent.
fn overlaps(ranges: &[WeeklyRange]) -> Vec<(usize, String, Invalid)> {
    let mut order: Vec<usize> = (0..ranges.len())
        .filter(|&index| ranges[index].start < ranges[index].end)
        .collect();
    order.sort_by_key(|&index| (ranges[index].weekday, ranges[index].start, index));

    let mut errors = Vec::new();
    // The range reaching furthest so far on the current weekday: comparing with the previous
    // range alone would miss 12:00-13:00 inside 09:00-17:00 after 10:00-11:00.
    let mut furthest: Option<usize> = None;
    for index in order {
        let range = ranges[index];
        match furthest {
            Some(earlier)
                if ranges[earlier].weekday == range.weekday
                    && range.start < ranges[earlier].end =>
            {
                errors.push((
                    index,
                    format!("weekly[{index}]"),
                    overlap(earlier, &ranges[earlier]),
                ));
                if range.end > ranges[earlier].end {
                    furthest = Some(index);
                }
            }
            _ => furthest = Some(index),
        }
    }
    errors
}

fn overlap(earlier: usize, range: &WeeklyRange) -> Invalid {
    Invalid::new("overlapping_range", "field-overlapping-hours")
        .arg("other", format!("weekly[{earlier}]"))
        .arg("day", u32::from(range.weekday))
        .arg("from", range.start.format("%H:%M").to_string())
        .arg("to", range.end.format("%H:%M").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(raw: &str) -> NaiveTime {
        parse_time(raw).unwrap()
    }

    fn range(weekday: u8, start: &str, end: &str) -> WeeklyRange {
        WeeklyRange {
            weekday,
            start: t(start),
            end: t(end),
        }
    }

    fn paths_and_codes(errors: &[(String, Invalid)]) -> Vec<(&str, &str)> {
        errors
            .iter()
            .map(|(path, invalid)| (path.as_str(), invalid.code))
            .collect()
    }

    #[test]
    fn times_are_parsed_from_hh_mm() {
        assert_eq!(t("00:00"), NaiveTime::MIN);
        assert_eq!(t("09:05"), NaiveTime::from_hms_opt(9, 5, 0).unwrap());
        assert_eq!(t("23:59"), NaiveTime::from_hms_opt(23, 59, 0).unwrap());
    }

    #[test]
    fn malformed_times_are_rejected() {
        for raw in [
            "24:00",
            "23:60",
            "9:00",
            "09:0",
            "0900",
            "09:00:00",
            " 09:00",
            "09:00 ",
            "",
            "ab:cd",
            "+9:00",
            "09-00",
            "٠٩:٠٠",
            "99:99",
        ] {
            let error = parse_time(raw).unwrap_err();
            assert_eq!(error.code, "invalid_time", "{raw:?}");
        }
    }

    #[test]
    fn weekdays_are_iso_numbers() {
        assert_eq!(parse_weekday(1), Ok(1));
        assert_eq!(parse_weekday(7), Ok(7));
        for value in [0, 8, -1, 256 + 1, i64::MAX, i64::MIN] {
            assert_eq!(parse_weekday(value).unwrap_err().code, "invalid_weekday");
        }
    }

    #[test]
    fn slot_minutes_are_bounded() {
        assert_eq!(check_slot_minutes(5), Ok(5));
        assert_eq!(check_slot_minutes(15), Ok(15));
        assert_eq!(check_slot_minutes(240), Ok(240));
        for value in [4, 241, 0, -15, i64::from(u32::MAX) + 5] {
            assert_eq!(check_slot_minutes(value).unwrap_err().code, "out_of_range");
        }
    }

    #[test]
    fn ranges_serialize_as_hh_mm() {
        let json = serde_json::to_value(range(1, "09:00", "17:30")).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"weekday": 1, "start": "09:00", "end": "17:30"})
        );
    }

    #[test]
    fn a_valid_week_comes_back_sorted() {
        let week = vec![
            range(3, "09:00", "12:00"),
            range(1, "13:00", "17:00"),
            range(1, "08:00", "12:00"),
            range(7, "10:00", "11:00"),
        ];
        let sorted = validate_week(week).unwrap();
        assert_eq!(
            sorted,
            vec![
                range(1, "08:00", "12:00"),
                range(1, "13:00", "17:00"),
                range(3, "09:00", "12:00"),
                range(7, "10:00", "11:00"),
            ]
        );
    }

    #[test]
    fn an_empty_week_is_valid() {
        assert_eq!(validate_week(Vec::new()), Ok(Vec::new()));
    }

    #[test]
    fn touching_ranges_are_allowed() {
        let week = vec![range(1, "12:00", "17:00"), range(1, "09:00", "12:00")];
        assert!(validate_week(week).is_ok());
    }

    #[test]
    fn the_same_hours_on_different_days_do_not_overlap() {
        let week = vec![range(1, "09:00", "17:00"), range(2, "09:00", "17:00")];
        assert!(validate_week(week).is_ok());
    }

    #[test]
    fn overlaps_are_reported_on_the_later_range() {
        let week = vec![
            range(1, "09:00", "12:00"),
            range(2, "09:00", "12:00"),
            range(1, "11:30", "14:00"),
        ];
        let errors = validate_week(week).unwrap_err();
        assert_eq!(
            paths_and_codes(&errors),
            [("weekly[2]", "overlapping_range")]
        );
        let message = &errors[0].1.message;
        assert_eq!(message.id, "field-overlapping-hours");
        assert_eq!(
            crate::i18n::render(crate::i18n::Locale::En, message).unwrap(),
            "overlaps weekly[0] (Monday 09:00-12:00)"
        );
        assert_eq!(
            crate::i18n::render(crate::i18n::Locale::Fr, message).unwrap(),
            "chevauche weekly[0] (lundi 09:00-12:00)"
        );
    }

    #[test]
    fn a_range_inside_a_long_one_is_an_overlap_even_after_a_shorter_one() {
        let week = vec![
            range(1, "09:00", "17:00"),
            range(1, "10:00", "11:00"),
            range(1, "12:00", "13:00"),
        ];
        let errors = validate_week(week).unwrap_err();
        assert_eq!(
            paths_and_codes(&errors),
            [
                ("weekly[1]", "overlapping_range"),
                ("weekly[2]", "overlapping_range")
            ]
        );
        assert!(
            errors[1]
                .1
                .message
                .args
                .contains(&("other", "weekly[0]".into()))
        );
    }

    #[test]
    fn identical_ranges_overlap() {
        let week = vec![range(5, "09:00", "10:00"), range(5, "09:00", "10:00")];
        let errors = validate_week(week).unwrap_err();
        assert_eq!(
            paths_and_codes(&errors),
            [("weekly[1]", "overlapping_range")]
        );
    }

    #[test]
    fn an_end_not_after_the_start_is_rejected() {
        let week = vec![
            range(1, "09:00", "17:00"),
            range(2, "17:00", "09:00"),
            range(3, "10:00", "10:00"),
        ];
        let errors = validate_week(week).unwrap_err();
        assert_eq!(
            paths_and_codes(&errors),
            [
                ("weekly[1].end", "end_before_start"),
                ("weekly[2].end", "end_before_start")
            ]
        );
    }

    #[test]
    fn a_backwards_range_is_not_also_reported_as_an_overlap() {
        let week = vec![range(1, "09:00", "17:00"), range(1, "12:00", "10:00")];
        let errors = validate_week(week).unwrap_err();
        assert_eq!(
            paths_and_codes(&errors),
            [("weekly[1].end", "end_before_start")]
        );
    }

    #[test]
    fn a_bad_weekday_is_rejected() {
        let week = vec![range(0, "09:00", "17:00"), range(8, "09:00", "17:00")];
        let errors = validate_week(week).unwrap_err();
        assert_eq!(
            paths_and_codes(&errors),
            [
                ("weekly[0].weekday", "invalid_weekday"),
                ("weekly[1].weekday", "invalid_weekday")
            ]
        );
    }

    #[test]
    fn every_error_is_reported_in_element_order() {
        let week = vec![
            range(1, "09:00", "12:00"),
            range(9, "13:00", "12:00"),
            range(1, "10:00", "11:00"),
        ];
        let errors = validate_week(week).unwrap_err();
        assert_eq!(
            paths_and_codes(&errors),
            [
                ("weekly[1].weekday", "invalid_weekday"),
                ("weekly[1].end", "end_before_start"),
                ("weekly[2]", "overlapping_range")
            ]
        );
    }
}
