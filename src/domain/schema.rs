//! The OpenAPI schemas of the values this module validates, built from the same constants the
//! parsers use (`#[schema(schema_with = ...)]` on the request types), so the document and the code
//! cannot drift apart. Where a parser accepts a little more than a schema can say (surrounding
//! spaces, lower-case codes), the schema states the canonical form: whatever matches it is accepted.

use super::{contact, location, practice, text, wording};
use utoipa::openapi::schema::{
    AllOfBuilder, AnyOfBuilder, ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, SchemaType, Type,
};
use utoipa::openapi::{KnownFormat, RefOr, SchemaFormat};

/// Code points a single-line text refuses: the Unicode control characters (category Cc).
const CONTROL: &str = r"\u0000-\u001f\u007f-\u009f";
/// The control characters a multi-line text still refuses: all but tab, line feed and carriage return.
const CONTROL_BUT_LINE_BREAKS: &str = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f";

/// A `[pattern]` for `text::bounded_text(raw, min, max, multiline)`: no refused control character
/// and, when `min` is at least 1, something besides white space.
fn text_pattern(min: usize, multiline: bool) -> String {
    let refused = if multiline {
        CONTROL_BUT_LINE_BREAKS
    } else {
        CONTROL
    };
    if min == 0 {
        format!("^[^{refused}]*$")
    } else {
        format!(r"^[^{refused}]*[^\s{refused}][^{refused}]*$")
    }
}

fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

/// A string or null: optional fields take null (and a blank string) as "not given".
fn nullable(builder: ObjectBuilder) -> ObjectBuilder {
    builder.schema_type(SchemaType::from_iter([Type::String, Type::Null]))
}

/// What `text::bounded_text(raw, min, max, multiline)` accepts.
pub fn text(min: usize, max: usize, multiline: bool) -> ObjectBuilder {
    string()
        .min_length((min > 0).then_some(min))
        .max_length(Some(max))
        .pattern(Some(text_pattern(min, multiline)))
}

/// A person's or a clinic's name ([`text::name`]).
pub fn name() -> Schema {
    text(1, text::MAX_NAME_CHARS, false)
        .examples(["Jane Runner"])
        .into()
}

/// An optional note of up to `max` characters, several lines allowed.
pub fn optional_note(max: usize) -> Schema {
    nullable(text(0, max, true)).into()
}

/// A free-text concern ([`text::MAX_CONCERN_CHARS`]).
pub fn concern() -> Schema {
    nullable(text(0, text::MAX_CONCERN_CHARS, true))
        .examples(["Knee pain when running"])
        .into()
}

/// A short staff reason (cancellation, time off, consent change).
pub fn reason() -> Schema {
    optional_note(text::MAX_REASON_CHARS)
}

fn email_builder() -> ObjectBuilder {
    string()
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Email)))
        .max_length(Some(contact::MAX_EMAIL_LENGTH))
        .examples(["jane@example.com"])
}

/// A required email address ([`contact::EmailAddress`]).
pub fn email() -> Schema {
    email_builder().into()
}

/// An optional email address.
pub fn optional_email() -> Schema {
    nullable(email_builder()).into()
}

fn phone_builder() -> ObjectBuilder {
    string()
        .pattern(Some(contact::PHONE_PATTERN))
        .max_length(Some(contact::MAX_PHONE_INPUT_LENGTH))
        .description(Some(
            "A dialable number, normalised to E.164; North American numbers may omit the country code",
        ))
        .examples(["+1 416-555-0100"])
}

/// A required phone number ([`contact::PhoneE164`]).
pub fn phone() -> Schema {
    phone_builder().into()
}

/// An optional phone number.
pub fn optional_phone() -> Schema {
    nullable(phone_builder()).into()
}

/// An absolute http(s) URL ([`text::web_url`]).
pub fn optional_web_url() -> Schema {
    nullable(
        string()
            .max_length(Some(text::MAX_URL_CHARS))
            .pattern(Some(text::WEB_URL_PATTERN)),
    )
    .examples(["https://clinic.example/blog/runners-knee"])
    .into()
}

/// A province or territory code ([`location::province`]).
pub fn province() -> Schema {
    string().enum_values(Some(location::PROVINCES)).into()
}

/// A full Canadian postal code ([`location::postal_code`]).
pub fn postal_code() -> Schema {
    string()
        .pattern(Some(location::POSTAL_CODE_PATTERN))
        .max_length(Some(location::MAX_POSTAL_CODE_INPUT))
        .examples(["M5V 2T6"])
        .into()
}

/// An IANA time zone name ([`location::time_zone`]): a reference to the `TimeZone` component,
/// which lists every name the server knows.
pub fn time_zone() -> RefOr<Schema> {
    RefOr::Ref(utoipa::openapi::Ref::from_schema_name("TimeZone"))
}

/// The `TimeZone` component.
pub fn time_zone_component() -> Schema {
    string()
        .enum_values(Some(location::time_zone_names()))
        .description(Some("An IANA time zone name, e.g. America/Toronto"))
        .into()
}

pub fn latitude() -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::Number)
        .minimum(Some(location::MIN_LATITUDE))
        .maximum(Some(location::MAX_LATITUDE))
        .into()
}

pub fn longitude() -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::Number)
        .minimum(Some(location::MIN_LONGITUDE))
        .maximum(Some(location::MAX_LONGITUDE))
        .into()
}

/// A consent wording version the server published ([`wording::parse_version`]).
pub fn optional_wording_version() -> Schema {
    nullable(string())
        .enum_values(Some(
            wording::PUBLISHED
                .iter()
                .map(|published| Some(published.version))
                .chain([None]),
        ))
        .description(Some(
            "The version of the consent wording the form showed (`GET /v1/consent-wording`); \
             default: the current one",
        ))
        .into()
}

/// A service ([`practice::service`]).
pub fn service() -> Schema {
    text(1, practice::MAX_SERVICE_CHARS, false)
        .examples(["acupuncture"])
        .into()
}

/// An ISO 639-1 language code ([`practice::language`]).
pub fn language() -> Schema {
    string_enum(practice::ISO_639_1).into()
}

/// A practitioner's services ([`practice::service`]).
pub fn services() -> Schema {
    ArrayBuilder::new()
        .items(text(1, practice::MAX_SERVICE_CHARS, false))
        .max_items(Some(practice::MAX_SERVICES))
        .description(Some(
            "Stored lower case, e.g. `acupuncture`, `dry needling`",
        ))
        .into()
}

/// A practitioner's languages ([`practice::language`]).
pub fn languages() -> Schema {
    ArrayBuilder::new()
        .items(string().enum_values(Some(practice::ISO_639_1)))
        .max_items(Some(practice::MAX_LANGUAGES))
        .description(Some("ISO 639-1 codes, e.g. `en`, `fr`"))
        .into()
}

/// A practitioner's consult modes: at least one ([`practice::consult_mode`]).
pub fn consult_modes() -> Schema {
    ArrayBuilder::new()
        .items(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
            "ConsultMode",
        )))
        .min_items(Some(1))
        .max_items(Some(practice::MAX_CONSULT_MODES))
        .into()
}

/// A whole number in `min..=max`.
pub fn whole(min: i64, max: i64) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(min as f64))
        .maximum(Some(max as f64))
}

/// An RFC 3339 time with offset.
pub fn date_time() -> ObjectBuilder {
    string().format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
}

/// Up to `max` UUIDs.
pub fn uuids(max: usize) -> ArrayBuilder {
    ArrayBuilder::new()
        .items(string().format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid))))
        .max_items(Some(max))
}

/// One of `values`.
pub fn string_enum<V: Into<serde_json::Value>>(
    values: impl IntoIterator<Item = V>,
) -> ObjectBuilder {
    string().enum_values(Some(values))
}

/// Only null (a field that must be absent or null in some case).
pub fn null() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::Null)
}

/// `base`, and exactly one of `cases` (objects constraining some of its properties further).
pub fn one_of(
    base: RefOr<Schema>,
    cases: impl IntoIterator<Item = ObjectBuilder>,
) -> RefOr<Schema> {
    let cases = cases
        .into_iter()
        .map(|case| case.schema_type(SchemaType::AnyValue))
        .fold(OneOfBuilder::new(), OneOfBuilder::item);
    AllOfBuilder::new().item(base).item(cases).into()
}

/// A PATCH body: any non-empty subset of the object `base` describes (its properties, none
/// required, at least one given).
pub fn any_subset(base: RefOr<Schema>, description: &str) -> RefOr<Schema> {
    let RefOr::T(Schema::Object(mut object)) = base else {
        return base;
    };
    object.required.clear();
    object.description = Some(description.to_owned());
    object.min_properties = Some(1);
    let one_given: Vec<ObjectBuilder> = object
        .properties
        .keys()
        .map(|name| {
            ObjectBuilder::new()
                .schema_type(SchemaType::AnyValue)
                .required(name.clone())
        })
        .collect();
    AllOfBuilder::new()
        .item(object)
        .item(
            one_given
                .into_iter()
                .fold(AnyOfBuilder::new(), AnyOfBuilder::item),
        )
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_patterns_say_what_bounded_text_accepts() {
        assert_eq!(text_pattern(0, false), r"^[^\u0000-\u001f\u007f-\u009f]*$");
        assert!(text_pattern(1, true).contains(r"[^\s\u0000-\u0008"));
    }
}
