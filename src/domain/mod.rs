//! Validated types that cannot hold bad data. Each `parse` returns an [`Invalid`] naming what is wrong;
//! [`fields::FieldReader`] attaches the field name and collects every error of a request at once.
//! Nothing here does I/O.

pub mod client;
pub mod consent;
pub mod contact;
pub mod email_kind;
pub mod fields;
pub mod locale;
pub mod location;
pub mod plan;
pub mod practice;
pub mod schema;
pub mod status;
pub mod text;
pub mod wording;

/// Why a value was rejected: a stable code for programs and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub code: &'static str,
    pub message: String,
}

impl Invalid {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}
