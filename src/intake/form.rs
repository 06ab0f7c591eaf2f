//! The callback form, parsed into values that cannot be invalid.

use crate::domain::consent::ConsentFlags;
use crate::domain::contact::{EmailAddress, PhoneE164};
use crate::domain::fields::FieldReader;
use crate::domain::locale::Locale;
use crate::domain::{Invalid, text};
use crate::domain::{schema, wording};
use crate::error::ApiError;
use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

pub const PREFERRED_TIMES: [&str; 4] = ["morning", "afternoon", "evening", "anytime"];
pub use crate::domain::text::MAX_CONCERN_CHARS;

/// Body of `POST /v1/callback-requests` (documentation; parsing is field by field so every error is reported).
#[derive(Debug, Deserialize, ToSchema)]
pub struct CallbackRequestBody {
    #[schema(schema_with = schema::name)]
    pub name: String,
    /// Normalised to E.164; North American numbers may omit the country code.
    #[schema(schema_with = schema::phone)]
    pub phone: String,
    #[schema(schema_with = schema::optional_email)]
    pub email: Option<String>,
    #[schema(example = "morning")]
    pub preferred_time: PreferredTime,
    pub clinic_id: Option<Uuid>,
    #[schema(schema_with = schema::concern)]
    pub concern: Option<String>,
    pub consents: ConsentFlagsBody,
    #[schema(schema_with = schema::optional_web_url)]
    pub source_url: Option<String>,
    /// The version of the consent wording the form showed (`GET /v1/consent-wording`); it must be one
    /// the server published (422 otherwise). Defaults to the current one.
    #[schema(schema_with = schema::optional_wording_version)]
    pub consent_wording_version: Option<String>,
    /// The language the person reads: their emails and pages use it from now on. Defaults to the
    /// language the person chose before, else the clinic's `default_locale`.
    pub locale: Option<crate::domain::locale::Locale>,
    /// Honeypot: leave empty. Bots that fill it get a 201 and nothing is stored.
    pub website: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PreferredTime {
    Morning,
    Afternoon,
    Evening,
    Anytime,
}

/// Every category must be given explicitly: no pre-checked defaults. A checked box grants the
/// category to the form's senders (`service_updates` once the person confirms it from an email); an
/// unchecked box changes nothing (a form can never withdraw consent).
#[derive(Debug, Deserialize, ToSchema)]
pub struct ConsentFlagsBody {
    pub appointment_reminders: bool,
    pub exercise_plans: bool,
    pub plans_of_care: bool,
    pub service_updates: bool,
}

#[derive(Debug)]
pub struct CallbackForm {
    pub name: String,
    pub phone: PhoneE164,
    pub email: Option<EmailAddress>,
    pub preferred_time: &'static str,
    pub clinic_id: Option<Uuid>,
    pub concern: Option<String>,
    pub consents: ConsentFlags,
    pub source_url: Option<String>,
    /// A version the server published (the current one in the form's language when it named none).
    pub wording_version: &'static str,
    /// The language the form named, if any.
    pub locale: Option<Locale>,
}

pub fn parse_preferred_time(raw: &str) -> Result<&'static str, Invalid> {
    PREFERRED_TIMES
        .into_iter()
        .find(|time| *time == raw.trim())
        .ok_or_else(|| {
            Invalid::new("invalid_value", "field-one-of")
                .arg("allowed", "morning, afternoon, evening, anytime")
        })
}

pub fn parse_consents(reader: &mut FieldReader) -> Option<ConsentFlags> {
    reader.object("consents", |consents| {
        let appointment_reminders = consents.required_bool("appointment_reminders");
        let exercise_plans = consents.required_bool("exercise_plans");
        let plans_of_care = consents.required_bool("plans_of_care");
        let service_updates = consents.required_bool("service_updates");
        Some(ConsentFlags {
            appointment_reminders: appointment_reminders?,
            exercise_plans: exercise_plans?,
            plans_of_care: plans_of_care?,
            service_updates: service_updates?,
        })
    })
}

impl CallbackForm {
    pub fn parse(body: &Map<String, Value>) -> Result<Self, ApiError> {
        let mut reader = FieldReader::new(body);
        let name = reader.required("name", text::name);
        let phone = reader.required("phone", PhoneE164::parse);
        let email = reader.optional("email", EmailAddress::parse);
        let preferred_time = reader.required("preferred_time", parse_preferred_time);
        let clinic_id = reader.optional_uuid("clinic_id");
        let concern = reader.optional("concern", |raw| {
            text::bounded_text(raw, 0, MAX_CONCERN_CHARS, true)
        });
        let consents = parse_consents(&mut reader);
        let source_url = reader.optional("source_url", text::web_url);
        let locale = reader.optional("locale", Locale::parse_field);
        let wording_version = reader
            .optional("consent_wording_version", wording::parse_version)
            .map(|version| {
                version.unwrap_or(wording::current(locale.flatten().unwrap_or_default()).version)
            });
        reader.finish()?;
        Ok(crate::valid_form!(CallbackForm {
            name,
            phone,
            email,
            preferred_time,
            clinic_id,
            concern,
            consents,
            source_url,
            wording_version,
            locale
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn valid() -> Value {
        json!({
            "name": "Jane Runner", "phone": "416-555-0100", "email": "jane@example.com",
            "preferred_time": "morning",
            "consents": {"appointment_reminders": true, "exercise_plans": true, "plans_of_care": false, "service_updates": false}
        })
    }

    #[test]
    fn a_valid_form_parses_and_normalises() {
        let form = CallbackForm::parse(valid().as_object().unwrap()).unwrap();
        assert_eq!(form.phone.as_str(), "+14165550100");
        assert!(form.consents.exercise_plans && !form.consents.plans_of_care);
        assert_eq!(form.wording_version, wording::CURRENT.version);
    }

    #[test]
    fn every_error_is_reported_at_once() {
        let body = json!({"name": "", "phone": "12", "email": "x", "preferred_time": "noon",
                          "consents": {"appointment_reminders": true}, "concern": "a".repeat(2001)});
        let Err(ApiError::Validation(errors)) = CallbackForm::parse(body.as_object().unwrap())
        else {
            panic!()
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        for expected in [
            "name",
            "phone",
            "email",
            "preferred_time",
            "concern",
            "consents.exercise_plans",
            "consents.plans_of_care",
            "consents.service_updates",
        ] {
            assert!(
                fields.contains(&expected),
                "{expected} missing from {fields:?}"
            );
        }
    }
}
