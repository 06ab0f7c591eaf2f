//! Property tests of the input parsers: whatever the open internet sends, they never panic, and
//! every rejection is a clear, coded error. Each property runs a few hundred generated inputs.

use chrono::{NaiveDate, TimeZone, Utc};
use consultdesk::consent::tokens;
use consultdesk::directory::places;
use consultdesk::domain::consent::{ConsentCategory, Sender};
use consultdesk::domain::contact::{EmailAddress, PhoneE164};
use consultdesk::domain::{location, text};
use consultdesk::http::query::decode_cursor;
use consultdesk::scheduling::schedule::{self, WeeklyRange};
use consultdesk::scheduling::slots;
use proptest::prelude::*;
use uuid::Uuid;

/// A refusal names a code and words that exist in both languages.
fn clear(invalid: &consultdesk::domain::Invalid) -> bool {
    use consultdesk::i18n::{Locale, render};
    !invalid.code.is_empty()
        && Locale::all()
            .iter()
            .all(|locale| render(*locale, &invalid.message).is_ok_and(|words| !words.is_empty()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn postal_codes_normalise_or_refuse_clearly(raw in "\\PC{0,16}") {
        match location::postal_code(&raw) {
            Ok(code) => {
                prop_assert_eq!(code.len(), 7);
                prop_assert_eq!(location::postal_code(&code).unwrap(), code.clone(), "normal form is stable");
            }
            Err(invalid) => prop_assert!(clear(&invalid)),
        }
        if let Ok(fsa) = places::parse_postal_area(&raw) {
            prop_assert_eq!(fsa.len(), 3);
        }
    }

    #[test]
    fn valid_shaped_postal_codes_are_accepted_in_any_spelling(
        a in "[ABCEGHJ-NPRSTVXY]", b in "[0-9]", c in "[ABCEGHJ-NPRSTV-Z]",
        d in "[0-9]", e in "[ABCEGHJ-NPRSTV-Z]", f in "[0-9]", space in " ?", lower in any::<bool>(),
    ) {
        let raw = format!("{a}{b}{c}{space}{d}{e}{f}");
        let raw = if lower { raw.to_lowercase() } else { raw };
        prop_assert_eq!(location::postal_code(&raw).unwrap(), format!("{a}{b}{c} {d}{e}{f}"));
        prop_assert_eq!(places::parse_postal_area(&raw).unwrap(), format!("{a}{b}{c}"));
    }

    #[test]
    fn phones_never_panic_and_accepted_ones_are_e164(raw in "\\PC{0,48}") {
        match PhoneE164::parse(&raw) {
            Ok(phone) => {
                let e164 = phone.as_str();
                prop_assert!(e164.starts_with('+') && e164[1..].chars().all(|c| c.is_ascii_digit()));
                prop_assert!(e164.len() <= 16);
            }
            Err(invalid) => prop_assert!(clear(&invalid)),
        }
    }

    #[test]
    fn north_american_numbers_normalise(area in 2u16..10, rest in 0u32..10_000_000) {
        // 416-555-01xx style: area code 4xx with a valid exchange.
        let raw = format!("({}16) 555-{:04}", area, rest % 10_000);
        if let Ok(phone) = PhoneE164::parse(&raw) {
            prop_assert!(phone.as_str().starts_with("+1"));
        }
    }

    #[test]
    fn emails_and_names_never_panic(raw in "\\PC{0,300}") {
        if let Err(invalid) = EmailAddress::parse(&raw) { prop_assert!(clear(&invalid)); }
        match text::name(&raw) {
            Ok(name) => prop_assert!((1..=200).contains(&name.chars().count())),
            Err(invalid) => prop_assert!(clear(&invalid)),
        }
    }

    #[test]
    fn coordinates_and_cities_never_panic(raw in "\\PC{0,64}", province in proptest::option::of("\\PC{0,4}")) {
        if let Ok(point) = places::parse_near(&raw) {
            prop_assert!((-90.0..=90.0).contains(&point.latitude) && (-180.0..=180.0).contains(&point.longitude));
        }
        match places::parse_city(&raw, province.as_deref()) {
            Ok((name, _)) => prop_assert!(!name.is_empty() && name.chars().count() <= 100),
            Err(invalid) => prop_assert!(clear(&invalid)),
        }
    }

    #[test]
    fn cursors_from_anyone_never_panic(raw in "\\PC{0,700}") {
        let _ = decode_cursor::<(f64, Uuid)>(&raw);
        let _ = decode_cursor::<(chrono::DateTime<Utc>, Uuid)>(&raw);
    }

    #[test]
    fn forged_or_mangled_tokens_are_refused(raw in "[A-Za-z0-9_-]{0,100}") {
        let key: &[u8] = b"property test key that is at least 32 bytes";
        prop_assert!(tokens::verify(&[key], &raw, Utc::now()).is_err());
    }

    #[test]
    fn signed_tokens_round_trip_and_any_edit_breaks_them(
        cats in proptest::sample::subsequence(ConsentCategory::ALL.to_vec(), 1..=4),
        position in 0usize..96, replacement in "[A-Za-z0-9_-]", from_clinic in proptest::bool::ANY,
    ) {
        let key: &[u8] = b"property test key that is at least 32 bytes";
        let patient = Uuid::new_v4();
        let sender = if from_clinic { Sender::Clinic(Uuid::now_v7()) } else { Sender::Network };
        let token = tokens::sign(key, patient, &cats, sender, Utc::now());
        let claims = tokens::verify(&[key], &token, Utc::now()).unwrap();
        prop_assert_eq!(claims.patient_ref, patient);
        prop_assert_eq!(claims.categories, cats);
        prop_assert_eq!(claims.sender, Some(sender));
        let mut edited: Vec<char> = token.chars().collect();
        let position = position % edited.len();
        let new = replacement.chars().next().unwrap();
        if edited[position] != new {
            edited[position] = new;
            let edited: String = edited.into_iter().collect();
            // The last character carries only 4 significant bits; an edit there may decode identically.
            if tokens::verify(&[key], &edited, Utc::now()).is_ok() {
                prop_assert_eq!(position, token.len() - 1);
            }
        }
    }

    #[test]
    fn time_ranges_never_panic_and_valid_weeks_never_overlap(
        ranges in proptest::collection::vec((0u8..9, 0u32..1440, 0u32..1440), 0..12),
        raw_time in "\\PC{0,8}",
    ) {
        if let Err(invalid) = schedule::parse_time(&raw_time) { prop_assert!(clear(&invalid)); }
        let week: Vec<WeeklyRange> = ranges
            .iter()
            .map(|(weekday, start, end)| WeeklyRange {
                weekday: *weekday,
                start: chrono::NaiveTime::from_num_seconds_from_midnight_opt(start * 60, 0).unwrap(),
                end: chrono::NaiveTime::from_num_seconds_from_midnight_opt(end * 60, 0).unwrap(),
            })
            .collect();
        if let Ok(valid) = schedule::validate_week(week) {
            for pair in valid.windows(2) {
                prop_assert!(pair[0].weekday < pair[1].weekday || pair[0].end <= pair[1].start);
            }
            // Slots computed from a valid week never overlap each other, across DST days too.
            let free = slots::free_slots(&slots::SlotRequest {
                time_zone: chrono_tz::America::Toronto,
                weekly: &valid,
                slot_minutes: 25,
                from: NaiveDate::from_ymd_opt(2027, 3, 10).unwrap(),
                to: NaiveDate::from_ymd_opt(2027, 3, 16).unwrap(),
                busy: &[],
                not_before: Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap(),
            });
            for pair in free.windows(2) {
                prop_assert!(pair[0].1 <= pair[1].0, "{:?}", pair);
            }
        }
    }
}
