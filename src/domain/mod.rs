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
pub mod message;
pub mod plan;
pub mod practice;
pub mod schema;
pub mod status;
pub mod text;
pub mod wording;

use message::{Message, MessageArg};

/// Why a value was rejected: a stable code for programs and a sentence for people, named by its
/// catalogue id so that the answer can be in the person's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub code: &'static str,
    pub message: Message,
}

impl Invalid {
    /// `code` for programs; `message_id` names the words in `locales/*/problems.ftl`.
    pub fn new(code: &'static str, message_id: &'static str) -> Self {
        Self {
            code,
            message: Message::new(message_id),
        }
    }

    /// Adds the argument `{ $name }` of the message.
    pub fn arg(mut self, name: &'static str, value: impl Into<MessageArg>) -> Self {
        self.message = self.message.arg(name, value);
        self
    }
}
