//! How to reach a person: an email address and a phone number in E.164.

use super::Invalid;
use validator::ValidateEmail;

/// The longest address SMTP can carry (RFC 5321 path limit).
pub const MAX_EMAIL_LENGTH: usize = 254;
/// Longer input cannot be a phone number; refusing it early keeps the parser's work bounded.
pub const MAX_PHONE_INPUT_LENGTH: usize = 40;
/// The shape of what [`PhoneE164::parse`] reads: digits with spaces, dots, dashes and parentheses,
/// optionally after `+` and a country code. Only a number valid in its numbering plan is accepted.
pub const PHONE_PATTERN: &str = r"^ *\+?[0-9(][0-9 ().-]{5,36}[0-9] *$";

/// A syntactically valid email address, trimmed. Matching is case-insensitive (citext in the database).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(Invalid::new("required", "field-empty"));
        }
        if trimmed.len() > MAX_EMAIL_LENGTH || !trimmed.validate_email() {
            return Err(Invalid::new("invalid_email", "field-invalid-email"));
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A dialable phone number normalised to E.164 (`+14165550100`). Numbers without a country code
/// are read as North American, since the clinics are Canadian.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneE164(String);

impl PhoneE164 {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(Invalid::new("required", "field-empty"));
        }
        let invalid = || Invalid::new("invalid_phone", "field-invalid-phone");
        if trimmed.len() > MAX_PHONE_INPUT_LENGTH {
            return Err(invalid());
        }
        let number = phonenumber::parse(Some(phonenumber::country::Id::CA), trimmed)
            .map_err(|_| invalid())?;
        if !phonenumber::is_valid(&number) {
            return Err(invalid());
        }
        Ok(Self(
            number.format().mode(phonenumber::Mode::E164).to_string(),
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_normalised_to_e164() {
        for raw in [
            "+1 416-555-0100",
            "416-555-0100",
            "(416) 555 0100",
            "1 416 555 0100",
            "4165550100",
        ] {
            assert_eq!(
                PhoneE164::parse(raw).unwrap().as_str(),
                "+14165550100",
                "{raw}"
            );
        }
        assert_eq!(
            PhoneE164::parse("+44 20 7946 0958").unwrap().as_str(),
            "+442079460958"
        );
    }

    #[test]
    fn bad_phones_are_rejected() {
        for raw in [
            "",
            "12",
            "not a phone",
            "+1 000-000-0000",
            &"9".repeat(41),
            "555-0100",
        ] {
            assert!(PhoneE164::parse(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn emails() {
        assert_eq!(
            EmailAddress::parse(" Jane@Example.com ").unwrap().as_str(),
            "Jane@Example.com"
        );
        for raw in ["", "jane", "jane@", "@example.com", "ja ne@example.com"] {
            assert!(EmailAddress::parse(raw).is_err(), "{raw}");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(
            EmailAddress::parse(&long).unwrap_err().code,
            "invalid_email"
        );
    }
}
