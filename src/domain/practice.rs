//! What a practitioner offers: discipline, services, languages and consult modes.

use super::Invalid;
use serde::Serialize;
use utoipa::ToSchema;

pub const DISCIPLINES: [&str; 2] = ["physiotherapy", "chiropractic"];
/// The consult mode that needs the patient's phone number.
pub const PHONE_MODE: &str = "phone";
pub const CONSULT_MODES: [&str; 3] = [PHONE_MODE, "video", "in_person"];

/// A practitioner's discipline, as the API document lists it (input is read case-insensitively).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Discipline {
    Physiotherapy,
    Chiropractic,
}

/// A consult mode, as the API document lists it (input is read case-insensitively).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsultMode {
    Phone,
    Video,
    InPerson,
}

/// The longest service name, in characters.
pub const MAX_SERVICE_CHARS: usize = 100;
/// How many services, languages and consult modes a practitioner may list.
pub const MAX_SERVICES: usize = 50;
pub const MAX_LANGUAGES: usize = 50;
pub const MAX_CONSULT_MODES: usize = 10;

/// ISO 639-1: every two-letter language code.
pub const ISO_639_1: [&str; 183] = [
    "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg", "bi",
    "bm", "bn", "bo", "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy", "da", "de",
    "dv", "dz", "ee", "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi", "fj", "fo", "fr", "fy",
    "ga", "gd", "gl", "gn", "gu", "gv", "ha", "he", "hi", "ho", "hr", "ht", "hu", "hy", "hz", "ia",
    "id", "ie", "ig", "ii", "ik", "io", "is", "it", "iu", "ja", "jv", "ka", "kg", "ki", "kj", "kk",
    "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw", "ky", "la", "lb", "lg", "li", "ln", "lo",
    "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mr", "ms", "mt", "my", "na", "nb", "nd",
    "ne", "ng", "nl", "nn", "no", "nr", "nv", "ny", "oc", "oj", "om", "or", "os", "pa", "pi", "pl",
    "ps", "pt", "qu", "rm", "rn", "ro", "ru", "rw", "sa", "sc", "sd", "se", "sg", "si", "sk", "sl",
    "sm", "sn", "so", "sq", "sr", "ss", "st", "su", "sv", "sw", "ta", "te", "tg", "th", "ti", "tk",
    "tl", "tn", "to", "tr", "ts", "tt", "tw", "ty", "ug", "uk", "ur", "uz", "ve", "vi", "vo", "wa",
    "wo", "xh", "yi", "yo", "za", "zh", "zu",
];

pub fn discipline(raw: &str) -> Result<&'static str, Invalid> {
    one_of(raw, &DISCIPLINES)
}

pub fn consult_mode(raw: &str) -> Result<&'static str, Invalid> {
    one_of(raw, &CONSULT_MODES)
}

fn one_of(raw: &str, allowed: &[&'static str]) -> Result<&'static str, Invalid> {
    let wanted = raw.trim().to_ascii_lowercase();
    allowed
        .iter()
        .copied()
        .find(|candidate| *candidate == wanted)
        .ok_or_else(|| {
            Invalid::new("invalid_value", "field-one-of").arg("allowed", allowed.join(", "))
        })
}

/// A two-letter ISO 639-1 language code, lower case.
pub fn language(raw: &str) -> Result<String, Invalid> {
    let code = raw.trim().to_ascii_lowercase();
    if ISO_639_1.binary_search(&code.as_str()).is_ok() {
        Ok(code)
    } else {
        Err(Invalid::new("invalid_language", "field-invalid-language"))
    }
}

/// A service offered (`acupuncture`, `dry needling`): trimmed, lower case, single-spaced, so searches match.
pub fn service(raw: &str) -> Result<String, Invalid> {
    let normalised = raw
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    if normalised.is_empty() {
        return Err(Invalid::new("required", "field-empty"));
    }
    if normalised.chars().count() > MAX_SERVICE_CHARS {
        return Err(Invalid::new("too_long", "field-too-long").arg("max", MAX_SERVICE_CHARS));
    }
    if normalised.chars().any(char::is_control) {
        return Err(Invalid::new(
            "invalid_characters",
            "field-control-characters",
        ));
    }
    Ok(normalised)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_list_is_sorted_for_binary_search() {
        assert!(ISO_639_1.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn values_normalise_or_are_refused() {
        assert_eq!(language(" FR ").unwrap(), "fr");
        assert!(language("xx").is_err() && language("fra").is_err() && language("").is_err());
        assert_eq!(discipline("Physiotherapy").unwrap(), "physiotherapy");
        assert!(discipline("massage").is_err());
        assert_eq!(consult_mode("in_person").unwrap(), "in_person");
        assert_eq!(service("  Dry   Needling ").unwrap(), "dry needling");
        assert!(service(&"a".repeat(101)).is_err());
    }
}
