//! Where a clinic is: province, postal code, coordinates and IANA time zone.

use super::Invalid;

pub const PROVINCES: [&str; 13] = [
    "AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT",
];

/// What [`postal_code`] accepts, as a pattern: `A1A 1A1` in either case, the space optional; the
/// letters D, F, I, O, Q and U never appear, and W and Z never start a code.
pub const POSTAL_CODE_PATTERN: &str = "^ *[ABCEGHJ-NPRSTVXYabceghj-nprstvxy][0-9][ABCEGHJ-NPRSTV-Zabceghj-nprstv-z] ?[0-9][ABCEGHJ-NPRSTV-Zabceghj-nprstv-z][0-9] *$";
/// Longer input is not a postal code, however many spaces it holds.
pub const MAX_POSTAL_CODE_INPUT: usize = 12;
pub const MIN_LATITUDE: f64 = -90.0;
pub const MAX_LATITUDE: f64 = 90.0;
pub const MIN_LONGITUDE: f64 = -180.0;
pub const MAX_LONGITUDE: f64 = 180.0;

/// Every IANA time zone name [`time_zone`] accepts, as the server's chrono-tz knows them.
pub fn time_zone_names() -> impl Iterator<Item = &'static str> {
    chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())
}

/// A Canadian province or territory, as its two-letter code.
pub fn province(raw: &str) -> Result<String, Invalid> {
    let code = raw.trim().to_ascii_uppercase();
    if PROVINCES.contains(&code.as_str()) {
        Ok(code)
    } else {
        Err(Invalid::new("invalid_province", "field-one-of").arg("allowed", PROVINCES.join(", ")))
    }
}

/// `m5v 2t6` → `M5V2T6`: what a person typed, without spaces, in capitals.
fn compact(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase()
}

/// The forward sortation area (`M5V`) of a full postal code or of just its first three characters:
/// what a search by postal code locates.
pub fn postal_area(raw: &str) -> Result<String, Invalid> {
    let compact = compact(raw);
    let invalid = || Invalid::new("invalid_postal_code", "field-postal-code-or-area");
    match compact.len() {
        6 => postal_code(&compact)
            .map(|code| code[..3].to_owned())
            .map_err(|_| invalid()),
        3 => postal_code(&format!("{compact}0A0"))
            .map(|_| compact.clone())
            .map_err(|_| invalid()),
        _ => Err(invalid()),
    }
}

/// A full Canadian postal code, normalised to `A1A 1A1`. Accepts any case, with or without the space.
pub fn postal_code(raw: &str) -> Result<String, Invalid> {
    let compact = compact(raw);
    let invalid = || Invalid::new("invalid_postal_code", "field-postal-code");
    let chars: Vec<char> = compact.chars().collect();
    if chars.len() != 6 || raw.len() > MAX_POSTAL_CODE_INPUT {
        return Err(invalid());
    }
    // Letters D, F, I, O, Q and U never appear; W and Z never start a postal code.
    let letter_ok = |c: char| c.is_ascii_uppercase() && !"DFIOQU".contains(c);
    let shape_ok = chars.iter().enumerate().all(|(i, &c)| {
        if i % 2 == 0 {
            letter_ok(c)
        } else {
            c.is_ascii_digit()
        }
    });
    if !shape_ok || "WZ".contains(chars[0]) {
        return Err(invalid());
    }
    Ok(format!("{} {}", &compact[..3], &compact[3..]))
}

/// An IANA time zone name that chrono-tz knows, in its canonical spelling.
pub fn time_zone(raw: &str) -> Result<String, Invalid> {
    raw.trim()
        .parse::<chrono_tz::Tz>()
        .map(|tz| tz.name().to_owned())
        .map_err(|_| Invalid::new("invalid_time_zone", "field-invalid-time-zone"))
}

pub fn latitude(value: f64) -> Result<f64, Invalid> {
    if value.is_finite() && (MIN_LATITUDE..=MAX_LATITUDE).contains(&value) {
        Ok(value)
    } else {
        Err(Invalid::new("out_of_range", "field-number-range")
            .arg("min", -90)
            .arg("max", 90))
    }
}

pub fn longitude(value: f64) -> Result<f64, Invalid> {
    if value.is_finite() && (MIN_LONGITUDE..=MAX_LONGITUDE).contains(&value) {
        Ok(value)
    } else {
        Err(Invalid::new("out_of_range", "field-number-range")
            .arg("min", -180)
            .arg("max", 180))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postal_codes_normalise() {
        assert_eq!(postal_code("m5v2t6").unwrap(), "M5V 2T6");
        assert_eq!(postal_code(" M5V 2T6 ").unwrap(), "M5V 2T6");
        for bad in [
            "M5V", "M5V 2T", "D5V 2T6", "Z5V 2T6", "M5V 2T66", "55V 2T6", "M5V-2T6",
        ] {
            assert!(postal_code(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn provinces_and_zones() {
        assert_eq!(province("on").unwrap(), "ON");
        assert!(province("XX").is_err());
        assert_eq!(time_zone("America/Toronto").unwrap(), "America/Toronto");
        assert!(time_zone("Mars/Olympus").is_err());
        assert!(time_zone("").is_err());
    }

    #[test]
    fn coordinates() {
        assert!(latitude(43.6).is_ok());
        assert!(latitude(90.1).is_err());
        assert!(longitude(f64::NAN).is_err());
        assert!(longitude(-180.0).is_ok());
    }
}
