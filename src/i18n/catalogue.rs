//! Loading the Fluent files once and formatting a message from them.

use super::Locale;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::LazyLock;

/// The catalogue's files, per locale, in the order they are loaded. Each locale lists the same
/// file names; `tests/catalogue.rs` checks they hold the same message ids.
const FILES: &[&str] = &["common", "desk", "emails", "pages", "problems", "widgets"];

macro_rules! locale_files {
    ($locale:literal) => {
        [
            include_str!(concat!("../../locales/", $locale, "/common.ftl")),
            include_str!(concat!("../../locales/", $locale, "/desk.ftl")),
            include_str!(concat!("../../locales/", $locale, "/emails.ftl")),
            include_str!(concat!("../../locales/", $locale, "/pages.ftl")),
            include_str!(concat!("../../locales/", $locale, "/problems.ftl")),
            include_str!(concat!("../../locales/", $locale, "/widgets.ftl")),
        ]
    };
}

const EN: [&str; 6] = locale_files!("en");
const FR: [&str; 6] = locale_files!("fr");

/// The source text of each of a locale's files, with its name (for the completeness test).
pub fn resources(locale: Locale) -> Vec<(&'static str, &'static str)> {
    let sources = match locale {
        Locale::En => EN,
        Locale::Fr => FR,
    };
    FILES.iter().copied().zip(sources).collect()
}

struct Bundles {
    en: FluentBundle<FluentResource>,
    fr: FluentBundle<FluentResource>,
}

static BUNDLES: LazyLock<Bundles> = LazyLock::new(|| Bundles {
    en: bundle(Locale::En),
    fr: bundle(Locale::Fr),
});

fn bundle(locale: Locale) -> FluentBundle<FluentResource> {
    let tag = match locale {
        Locale::En => "en-CA",
        Locale::Fr => "fr-CA",
    };
    let mut bundle = FluentBundle::new_concurrent(vec![tag.parse().expect("a valid language tag")]);
    // Fluent wraps arguments in Unicode isolation marks by default; in emails and subject lines
    // they show up as stray characters in some clients, and our texts are all left-to-right.
    bundle.set_use_isolating(false);
    if locale == Locale::Fr {
        bundle.set_formatter(Some(french_number));
    }
    for (name, source) in resources(locale) {
        // The files are compiled in and checked by the tests, so a syntax error is a bug of
        // this build, not of its input.
        let resource = FluentResource::try_new(source.to_owned())
            .unwrap_or_else(|(_, errors)| panic!("locales/{tag}/{name}.ftl: {errors:?}"));
        bundle
            .add_resource(resource)
            .unwrap_or_else(|errors| panic!("locales/{tag}/{name}.ftl: {errors:?}"));
    }
    bundle
}

/// French writes a decimal comma: "4,5 km".
fn french_number<M>(value: &FluentValue, _: &M) -> Option<String> {
    match value {
        FluentValue::Number(number) => Some(number.as_string().replace('.', ",")),
        _ => None,
    }
}

/// A message id the catalogue does not have, or one that failed to format.
#[derive(Debug, thiserror::Error)]
#[error("catalogue message {id:?} ({locale}): {problem}")]
pub struct MissingText {
    pub id: String,
    pub locale: Locale,
    pub problem: String,
}

use crate::domain::message::Message;
pub use crate::domain::message::MessageArg as Arg;

/// Named arguments, as `(name, value)` pairs.
pub type Args<'a> = &'a [(&'a str, Arg)];

/// A message without arguments.
pub fn text(locale: Locale, id: &str) -> Result<String, MissingText> {
    text_with(locale, id, &[])
}

/// A message, or one attribute of it (`id.attribute`), with named arguments.
pub fn text_with(locale: Locale, id: &str, args: Args) -> Result<String, MissingText> {
    let bundle = match locale {
        Locale::En => &BUNDLES.en,
        Locale::Fr => &BUNDLES.fr,
    };
    let missing = |problem: &str| MissingText {
        id: id.to_owned(),
        locale,
        problem: problem.to_owned(),
    };
    let (message_id, attribute) = match id.split_once('.') {
        Some((message, attribute)) => (message, Some(attribute)),
        None => (id, None),
    };
    let message = bundle
        .get_message(message_id)
        .ok_or_else(|| missing("no such message"))?;
    let pattern = match attribute {
        None => message.value(),
        Some(name) => message
            .get_attribute(name)
            .map(|attribute| attribute.value()),
    }
    .ok_or_else(|| missing("no such value or attribute"))?;
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        match value {
            Arg::Text(text) => fluent_args.set(*name, text.as_str()),
            Arg::Number(number) => fluent_args.set(*name, *number),
        }
    }
    let mut errors = Vec::new();
    let formatted = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
    if let Some(error) = errors.first() {
        // A misspelt or forgotten argument would otherwise print as "{$name}" to a patient.
        return Err(missing(&error.to_string()));
    }
    Ok(formatted.into_owned())
}

/// A [`Message`] (a rule's words, named by id) in `locale`.
pub fn render(locale: Locale, message: &Message) -> Result<String, MissingText> {
    text_with(locale, message.id, &message.args)
}

/// Every message id of a locale, with `id.attribute` for attributes (for the completeness test).
pub fn message_ids(locale: Locale) -> Vec<String> {
    use fluent_syntax::ast::Entry;
    let mut ids = Vec::new();
    for (_, source) in resources(locale) {
        let resource =
            fluent_syntax::parser::parse(source).unwrap_or_else(|(resource, _)| resource);
        for entry in resource.body {
            let (prefix, attributes) = match entry {
                Entry::Message(message) => (message.id.name.to_owned(), message.attributes),
                Entry::Term(term) => (format!("-{}", term.id.name), term.attributes),
                _ => continue,
            };
            for attribute in attributes {
                ids.push(format!("{prefix}.{}", attribute.id.name));
            }
            ids.push(prefix);
        }
    }
    ids.sort();
    ids
}

/// Every message of the catalogue file `file` in `locale`, for a script that fills the arguments
/// itself: each `{ $name }` is written as `{name}` (the website's forms, `website::script`).
pub fn texts_for_script(locale: Locale, file: &str) -> Result<Vec<(String, String)>, MissingText> {
    use fluent_syntax::ast::Entry;
    let source = resources(locale)
        .into_iter()
        .find(|(name, _)| *name == file)
        .map(|(_, source)| source)
        .ok_or_else(|| MissingText {
            id: file.to_owned(),
            locale,
            problem: "no such catalogue file".to_owned(),
        })?;
    let resource = fluent_syntax::parser::parse(source).unwrap_or_else(|(resource, _)| resource);
    let mut texts = Vec::new();
    for entry in resource.body {
        let Entry::Message(message) = entry else {
            continue;
        };
        let Some(pattern) = &message.value else {
            continue;
        };
        let mut names = Vec::new();
        variables_of(pattern, &mut names);
        let placeholders: Vec<String> = names.iter().map(|name| format!("{{{name}}}")).collect();
        let args: Vec<(&str, Arg)> = names
            .iter()
            .zip(&placeholders)
            .map(|(name, placeholder)| (*name, Arg::Text(placeholder.clone())))
            .collect();
        texts.push((
            message.id.name.to_owned(),
            text_with(locale, message.id.name, &args)?,
        ));
    }
    Ok(texts)
}

/// The names of the variables (`{ $name }`) a pattern reads, selectors and variants included.
fn variables_of<'s>(pattern: &fluent_syntax::ast::Pattern<&'s str>, names: &mut Vec<&'s str>) {
    use fluent_syntax::ast::{Expression, InlineExpression, PatternElement};
    fn inline<'s>(expression: &InlineExpression<&'s str>, names: &mut Vec<&'s str>) {
        match expression {
            InlineExpression::VariableReference { id } if !names.contains(&id.name) => {
                names.push(id.name);
            }
            InlineExpression::Placeable { expression } => placeable(expression, names),
            _ => {}
        }
    }
    fn placeable<'s>(expression: &Expression<&'s str>, names: &mut Vec<&'s str>) {
        match expression {
            Expression::Inline(expression) => inline(expression, names),
            Expression::Select { selector, variants } => {
                inline(selector, names);
                for variant in variants {
                    variables_of(&variant.value, names);
                }
            }
        }
    }
    for element in &pattern.elements {
        if let PatternElement::Placeable { expression } = element {
            placeable(expression, names);
        }
    }
}
