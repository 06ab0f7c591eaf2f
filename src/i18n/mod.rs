//! The message catalogue: every text a patient or staff member reads, in English and Canadian
//! French, written in Project Fluent files under `locales/{en,fr}/` and compiled into the binary.
//! Code and templates name a message by its id; the catalogue picks the words (and plural forms)
//! for a locale. A missing message is an error, never a blank: `tests/catalogue.rs` proves both
//! languages hold the same messages and that every id the code and the templates use exists.

mod catalogue;
pub mod dates;
pub mod template;

pub use crate::domain::locale::Locale;
pub use catalogue::{
    Arg, Args, MissingText, message_ids, render, resources, text, text_with, texts_for_script,
};

/// A message in `locale`, with optional named arguments:
/// `t!(locale, "booking-confirmed-subject", practitioner = name)`. Panics only in the sense of
/// returning `Err` for an id the catalogue lacks, which the completeness test rules out for every
/// literal id written with this macro.
#[macro_export]
macro_rules! t {
    ($locale:expr, $id:literal) => {
        $crate::i18n::text($locale, $id)
    };
    ($locale:expr, $id:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::i18n::text_with($locale, $id, &[$((stringify!($name), $crate::i18n::Arg::from($value))),+])
    };
}
