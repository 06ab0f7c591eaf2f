//! RFC 3339 timestamps written straight into the JSON: a week of slots is hundreds of them, a page
//! of bookings a hundred, and chrono's `Serialize` goes through `Display`, a character at a time
//! through serde_json's string escaper (a third of the CPU of `GET …/slots` in `bench/run`'s
//! profile). The text is the same as chrono's: `2026-12-01T14:30:00-05:00`,
//! `2026-11-26T01:44:00.123456Z` (fractions in 3, 6 or 9 digits, as few as exact).

use chrono::{DateTime, Datelike, FixedOffset, Timelike, Utc};
use serde::{Serialize, Serializer};

/// `serialize_with` for a `DateTime<FixedOffset>` field.
pub fn serialize<S: Serializer>(
    time: &DateTime<FixedOffset>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match write_rfc3339(time) {
        Some((buffer, length)) => serializer.serialize_str(as_text(&buffer[..length])),
        // Fractions of a second, years outside 0000–9999, offsets with seconds: chrono's way.
        None => time.serialize(serializer),
    }
}

/// `serialize_with` for a `DateTime<Utc>` field.
pub fn serialize_utc<S: Serializer>(
    time: &DateTime<Utc>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serialize(&time.fixed_offset(), serializer)
}

/// `serialize_with` for an `Option<DateTime<Utc>>` field (`null` when absent).
pub fn serialize_utc_opt<S: Serializer>(
    time: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match time {
        Some(time) => serialize_utc(time, serializer),
        None => serializer.serialize_none(),
    }
}

const LENGTH: usize = "2026-12-01T14:30:00.123456789-05:00".len();

/// The timestamp as ASCII and its length, when it has a four-digit year, no leap second and a
/// whole-minute offset. A zero offset is written `Z`, as chrono does.
fn write_rfc3339(time: &DateTime<FixedOffset>) -> Option<([u8; LENGTH], usize)> {
    let offset = time.offset().local_minus_utc();
    let year = time.year();
    let nanos = time.nanosecond();
    if nanos >= 1_000_000_000 || !(0..=9999).contains(&year) || offset % 60 != 0 {
        return None;
    }
    let mut out = [0u8; LENGTH];
    put_digits(&mut out[0..4], year.unsigned_abs());
    out[4] = b'-';
    put_digits(&mut out[5..7], time.month());
    out[7] = b'-';
    put_digits(&mut out[8..10], time.day());
    out[10] = b'T';
    put_digits(&mut out[11..13], time.hour());
    out[13] = b':';
    put_digits(&mut out[14..16], time.minute());
    out[16] = b':';
    put_digits(&mut out[17..19], time.second());
    let mut at = 19;
    if nanos != 0 {
        // As few of 3, 6 or 9 digits as say it exactly.
        let (digits, value) = if nanos.is_multiple_of(1_000_000) {
            (3, nanos / 1_000_000)
        } else if nanos.is_multiple_of(1_000) {
            (6, nanos / 1_000)
        } else {
            (9, nanos)
        };
        out[at] = b'.';
        put_digits(&mut out[at + 1..at + 1 + digits], value);
        at += 1 + digits;
    }
    if offset == 0 {
        out[at] = b'Z';
        return Some((out, at + 1));
    }
    out[at] = if offset < 0 { b'-' } else { b'+' };
    let minutes = offset.unsigned_abs() / 60;
    put_digits(&mut out[at + 1..at + 3], minutes / 60);
    out[at + 3] = b':';
    put_digits(&mut out[at + 4..at + 6], minutes % 60);
    Some((out, at + 6))
}

/// `value` in decimal, zero-padded to fill `out`.
fn put_digits(out: &mut [u8], mut value: u32) {
    for digit in out.iter_mut().rev() {
        *digit = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

fn as_text(buffer: &[u8]) -> &str {
    // Only ASCII digits and punctuation are ever written.
    std::str::from_utf8(buffer).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone, Utc};

    #[derive(Serialize)]
    struct UtcField(#[serde(serialize_with = "serialize_utc")] DateTime<Utc>);

    #[derive(Serialize)]
    struct OptionalUtc(#[serde(serialize_with = "serialize_utc_opt")] Option<DateTime<Utc>>);

    #[derive(Serialize)]
    struct Ours(#[serde(serialize_with = "serialize")] DateTime<FixedOffset>);

    fn ours(time: DateTime<FixedOffset>) -> String {
        serde_json::to_string(&Ours(time)).unwrap()
    }

    fn chronos(time: DateTime<FixedOffset>) -> String {
        serde_json::to_string(&time).unwrap()
    }

    #[test]
    fn writes_what_chrono_writes() {
        let zones = [
            -12 * 3600,
            -9 * 3600 - 30 * 60,
            -5 * 3600,
            0,
            3600,
            5 * 3600 + 45 * 60,
            14 * 3600,
        ];
        let fractions = [
            0,
            1,
            120,
            123_456,
            500_000,
            999_999,
            7_000_000,
            123_456_789,
            999_999_999,
        ];
        let mut time = Utc.with_ymd_and_hms(1999, 12, 31, 23, 59, 0).unwrap();
        for step in 0..5_000 {
            let fraction = fractions[step % fractions.len()];
            let instant = time + Duration::nanoseconds(fraction);
            for seconds in zones {
                let local = instant.with_timezone(&FixedOffset::east_opt(seconds).unwrap());
                assert_eq!(ours(local), chronos(local));
            }
            assert_eq!(
                serde_json::to_string(&UtcField(instant)).unwrap(),
                serde_json::to_string(&instant).unwrap()
            );
            time += Duration::minutes(15 + step as i64 % 7) + Duration::days(3);
        }
        let quarter = Utc.timestamp_opt(1_800_000_000, 250_000_000).unwrap();
        let toronto = FixedOffset::east_opt(-5 * 3600).unwrap();
        assert_eq!(
            ours(quarter.with_timezone(&toronto)),
            "\"2027-01-15T03:00:00.250-05:00\""
        );
        assert_eq!(serde_json::to_string(&OptionalUtc(None)).unwrap(), "null");
        let some = OptionalUtc(Some(time));
        assert_eq!(
            serde_json::to_string(&some).unwrap(),
            chronos(time.fixed_offset())
        );
    }

    #[test]
    fn falls_back_to_chrono_for_what_it_does_not_write() {
        let zone = FixedOffset::east_opt(-5 * 3600).unwrap();
        let leap = Utc
            .timestamp_opt(1_800_000_059, 1_250_000_000)
            .unwrap()
            .with_timezone(&zone);
        let odd_offset =
            Utc::now().with_timezone(&FixedOffset::east_opt(-(4 * 3600 + 56 * 60 + 2)).unwrap());
        let far = Utc
            .with_ymd_and_hms(12_000, 1, 1, 0, 0, 0)
            .unwrap()
            .fixed_offset();
        for time in [leap, odd_offset, far] {
            assert_eq!(ours(time), chronos(time));
        }
    }
}
