//! Free text from the open internet: trimmed, bounded, and free of control characters.

use super::Invalid;

/// The longest name (of a person, a clinic, an exercise, a plan), in characters after trimming.
pub const MAX_NAME_CHARS: usize = 200;
/// The longest free-text concern a public form takes.
pub const MAX_CONCERN_CHARS: usize = 2000;
/// The longest reason staff give (a cancellation, time off, a consent change).
pub const MAX_REASON_CHARS: usize = 500;
/// The longest URL a form may name as its page.
pub const MAX_URL_CHARS: usize = 2000;
/// What [`web_url`] accepts, as a pattern: `http://` or `https://` (any case), then at least two
/// characters and no white space.
pub const WEB_URL_PATTERN: &str = r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s\u0000-\u001f\u007f-\u009f]{2,}$";

/// Trims `raw` and checks it holds `min..=max` characters and no control characters
/// (newlines and tabs are allowed only when `multiline`).
pub fn bounded_text(raw: &str, min: usize, max: usize, multiline: bool) -> Result<String, Invalid> {
    let trimmed = raw.trim();
    let length = trimmed.chars().count();
    if length < min {
        return Err(if min == 1 {
            Invalid::new("required", "field-empty")
        } else {
            Invalid::new("too_short", "field-too-short").arg("min", min)
        });
    }
    if length > max {
        return Err(Invalid::new("too_long", "field-too-long").arg("max", max));
    }
    let allowed_control = |c: char| multiline && (c == '\n' || c == '\t' || c == '\r');
    if trimmed
        .chars()
        .any(|c| c.is_control() && !allowed_control(c))
    {
        return Err(Invalid::new(
            "invalid_characters",
            "field-control-characters",
        ));
    }
    Ok(trimmed.to_owned())
}

/// A person's or a clinic's name: 1..=200 characters after trimming, any script, no control characters.
pub fn name(raw: &str) -> Result<String, Invalid> {
    bounded_text(raw, 1, MAX_NAME_CHARS, false)
}

/// An absolute http(s) URL of a page, such as the article a form was posted from.
pub fn web_url(raw: &str) -> Result<String, Invalid> {
    let url = bounded_text(raw, 1, MAX_URL_CHARS, false)?;
    let lower = url.to_ascii_lowercase();
    let has_scheme = lower.starts_with("https://") || lower.starts_with("http://");
    if !has_scheme || url.contains(char::is_whitespace) || url.len() <= "https://".len() {
        return Err(Invalid::new("invalid_url", "field-invalid-url"));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_kept_verbatim() {
        assert_eq!(name("  O'Brien ").unwrap(), "O'Brien");
        assert_eq!(
            name("Robert'); DROP TABLE patients;--").unwrap(),
            "Robert'); DROP TABLE patients;--"
        );
        assert_eq!(
            name("Zoë Łukasiewicz-藤原").unwrap(),
            "Zoë Łukasiewicz-藤原"
        );
    }

    #[test]
    fn empty_long_and_control_characters_are_rejected() {
        assert_eq!(name("   ").unwrap_err().code, "required");
        assert_eq!(name(&"a".repeat(201)).unwrap_err().code, "too_long");
        assert!(
            name(&"é".repeat(200)).is_ok(),
            "length counts characters, not bytes"
        );
        assert_eq!(name("a\u{0}b").unwrap_err().code, "invalid_characters");
        assert_eq!(name("a\nb").unwrap_err().code, "invalid_characters");
        assert!(bounded_text("line one\nline two", 0, 100, true).is_ok());
    }

    #[test]
    fn urls_must_be_absolute_http() {
        assert!(web_url("https://clinic.example/blog/runners-knee").is_ok());
        assert_eq!(
            web_url("javascript:alert(1)").unwrap_err().code,
            "invalid_url"
        );
        assert_eq!(web_url("https://a b").unwrap_err().code, "invalid_url");
        assert_eq!(web_url("https://").unwrap_err().code, "invalid_url");
    }
}
