//! The catalogue inside minijinja templates, shared by the emails (`email::templates`) and the
//! pages (`crate::pages`, the console): `t("id", name=value, …)`, the `strong` filter, and HTML
//! escaping. In an HTML template (auto-escaped by its name) the words are escaped, message and
//! arguments alike, except arguments already marked up (`strong` makes them so); in a text template
//! they go in as written.

use super::{Arg, Locale, text_with};
use minijinja::value::{Kwargs, ValueKind};
use minijinja::{AutoEscape, Error as TemplateError, ErrorKind, State, Value};

/// What a message receives for an argument the template has no value for (null, undefined or
/// blank): a selector can then say what to write without it, `{ $phone -> [none] … *[other] … }`.
const ABSENT: &str = "none";

/// The templates' `t("id", name=value, …)`: the catalogue's message `id` in the render's locale (the
/// context's `locale`). A missing message, a missing argument or an argument that is neither text
/// nor a number fails the render: nothing goes out with a blank or an `{$name}` where a text
/// should be.
pub fn translate(state: &State, id: &str, kwargs: Kwargs) -> Result<Value, TemplateError> {
    let locale = state
        .lookup("locale")
        .and_then(|value| value.as_str().and_then(Locale::from_tag))
        .ok_or_else(|| template_error(format!("t({id:?}): the render has no locale")))?;
    let html = state.auto_escape() == AutoEscape::Html;
    let mut markup = Vec::new();
    let mut args = Vec::new();
    for name in kwargs.args() {
        let value: Value = kwargs.get(name)?;
        let arg = match value.kind() {
            ValueKind::Undefined | ValueKind::None => Arg::from(ABSENT),
            ValueKind::Number => Arg::Number(i64::try_from(value)?),
            ValueKind::String => {
                let text = value.as_str().unwrap_or_default();
                if text.trim().is_empty() {
                    Arg::from(ABSENT)
                } else if html && value.is_safe() {
                    markup.push(text.to_owned());
                    Arg::from(placeholder(markup.len() - 1))
                } else {
                    Arg::from(text)
                }
            }
            other => {
                return Err(template_error(format!(
                    "t({id:?}): argument {name} is {other}, not text or a number"
                )));
            }
        };
        args.push((name, arg));
    }
    let text = text_with(locale, id, &args).map_err(|err| template_error(err.to_string()))?;
    if !html {
        return Ok(Value::from(text));
    }
    let mut escaped = escape_html(&text);
    for (index, markup) in markup.iter().enumerate() {
        escaped = escaped.replace(&placeholder(index), markup);
    }
    Ok(Value::from_safe_string(escaped))
}

/// Stands in for a markup argument while the message is formatted and escaped: private-use
/// characters, which neither a message nor escaping produces.
fn placeholder(index: usize) -> String {
    format!("\u{E000}{index}\u{E001}")
}

fn template_error(detail: String) -> TemplateError {
    TemplateError::new(ErrorKind::InvalidOperation, detail)
}

/// `value|strong`: in HTML, the value in bold, to be passed to `t` inside a sentence ("on
/// <strong>Tuesday…</strong>"); in text, the value as it is. Nothing stays nothing.
pub fn strong(state: &State, value: Value) -> Value {
    match value.as_str() {
        Some(text) if state.auto_escape() == AutoEscape::Html && !text.trim().is_empty() => {
            let inner = if value.is_safe() {
                text.to_owned()
            } else {
                escape_html(text)
            };
            Value::from_safe_string(format!("<strong>{inner}</strong>"))
        }
        _ => value,
    }
}

/// `raw` as HTML text: what could start markup or end a quoted attribute (`& < > " '`) escaped.
pub fn escape_html(raw: &str) -> String {
    let mut escaped = String::with_capacity(raw.len());
    push_escaped(&mut escaped, raw);
    escaped
}

/// Appends `raw` to `html`, escaped as [`escape_html`] does; text with nothing to escape (most of
/// it) is copied in one go.
pub fn push_escaped(html: &mut String, raw: &str) {
    if !raw
        .bytes()
        .any(|byte| matches!(byte, b'&' | b'<' | b'>' | b'"' | b'\''))
    {
        html.push_str(raw);
        return;
    }
    for ch in raw.chars() {
        match ch {
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '"' => html.push_str("&quot;"),
            '\'' => html.push_str("&#39;"),
            _ => html.push(ch),
        }
    }
}
