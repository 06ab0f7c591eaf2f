//! Dates and times as each language writes them, in the clinic's time zone: "Tuesday, December 8,
//! 2026 at 2:30 PM" and "le mardi 8 décembre 2026 à 14 h 30". The patterns are catalogue messages
//! (`format-*`, chrono's strftime syntax), so the words around them are the translators' too.

use super::{Locale, MissingText, text, text_with};
use chrono::{DateTime, Datelike, TimeZone, Timelike};

fn chrono_locale(locale: Locale) -> chrono::Locale {
    match locale {
        // The names (Tuesday, December, PM) are the same in Canadian and US English; chrono's
        // en_CA data writes "p.m.", which our English texts do not use.
        Locale::En => chrono::Locale::en_US,
        Locale::Fr => chrono::Locale::fr_CA,
    }
}

fn formatted<Tz: TimeZone>(
    locale: Locale,
    pattern_id: &str,
    time: &DateTime<Tz>,
) -> Result<String, MissingText>
where
    Tz::Offset: std::fmt::Display,
{
    let mut pattern = text(locale, pattern_id)?;
    // French writes the first of the month as an ordinal: « le mardi 1er décembre ».
    if locale == Locale::Fr && time.day() == 1 {
        pattern = pattern.replace("%-d", "1er");
    }
    Ok(time
        .format_localized(&pattern, chrono_locale(locale))
        .to_string())
}

/// "Tuesday, December 8, 2026" / "mardi 8 décembre 2026".
pub fn long_date<Tz: TimeZone>(locale: Locale, time: &DateTime<Tz>) -> Result<String, MissingText>
where
    Tz::Offset: std::fmt::Display,
{
    formatted(locale, "format-date-long", time)
}

/// "2:30 PM" / "14 h 30"; on the hour "2:00 PM" / "14 h" (Québec leaves the zero minutes out).
pub fn time_of_day<Tz: TimeZone>(locale: Locale, time: &DateTime<Tz>) -> Result<String, MissingText>
where
    Tz::Offset: std::fmt::Display,
{
    if time.minute() == 0 {
        formatted(locale, "format-time-on-the-hour", time)
    } else {
        formatted(locale, "format-time", time)
    }
}

/// "Tuesday, December 8, 2026 at 2:30 PM" / "le mardi 8 décembre 2026 à 14 h 30".
pub fn long_date_time<Tz: TimeZone>(
    locale: Locale,
    time: &DateTime<Tz>,
) -> Result<String, MissingText>
where
    Tz::Offset: std::fmt::Display,
{
    text_with(
        locale,
        "format-date-time-long",
        &[
            ("date", long_date(locale, time)?.into()),
            ("time", time_of_day(locale, time)?.into()),
        ],
    )
}

/// "Tuesday, December 8 at 2:30 PM" / "mardi 8 décembre à 14 h 30": for subject lines.
pub fn short_date_time<Tz: TimeZone>(
    locale: Locale,
    time: &DateTime<Tz>,
) -> Result<String, MissingText>
where
    Tz::Offset: std::fmt::Display,
{
    text_with(
        locale,
        "format-date-time-short",
        &[
            ("date", formatted(locale, "format-date-short", time)?.into()),
            ("time", time_of_day(locale, time)?.into()),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::America::{Montreal, Toronto};

    #[test]
    fn english_and_french_write_a_moment_their_own_way() {
        let time = Toronto.with_ymd_and_hms(2026, 12, 8, 14, 30, 0).unwrap();
        assert_eq!(
            long_date_time(Locale::En, &time).unwrap(),
            "Tuesday, December 8, 2026 at 2:30 PM"
        );
        assert_eq!(
            long_date_time(Locale::Fr, &time).unwrap(),
            "le mardi 8 décembre 2026 à 14\u{a0}h\u{a0}30"
        );
        let morning = Montreal.with_ymd_and_hms(2026, 3, 2, 9, 5, 0).unwrap();
        assert_eq!(time_of_day(Locale::En, &morning).unwrap(), "9:05 AM");
        assert_eq!(
            time_of_day(Locale::Fr, &morning).unwrap(),
            "9\u{a0}h\u{a0}05"
        );
        assert_eq!(
            short_date_time(Locale::En, &morning).unwrap(),
            "Monday, March 2 at 9:05 AM"
        );
        assert_eq!(
            short_date_time(Locale::Fr, &morning).unwrap(),
            "lundi 2 mars à 9\u{a0}h\u{a0}05"
        );
        let first = Montreal.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap();
        assert_eq!(time_of_day(Locale::En, &first).unwrap(), "10:00 AM");
        assert_eq!(
            long_date_time(Locale::Fr, &first).unwrap(),
            "le mardi 1er décembre 2026 à 10\u{a0}h"
        );
    }
}
