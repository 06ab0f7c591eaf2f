//! The server-rendered pages behind the links in emails, whatever they are about (the unsubscribe
//! and opt-in pages of `consent::pages`, the manage page of `scheduling::manage_page`): minijinja
//! templates embedded from `templates/pages/`, self-contained (no scripts, no external assets, one
//! inline stylesheet allowed by its hash in a strict Content-Security-Policy).
//!
//! Every word comes from the catalogue (`locales/*/pages.ftl`, ids `page-…`) through the templates'
//! `t("id", name=value)`, in the page's language: the one its link's service decided (the `?lang=`
//! asked for, else the patient's), or for a "not valid" page, which knows no patient, `?lang=` else
//! the request's `Accept-Language`. Each page links to itself in the other language (`?lang=`) and
//! posts its forms with its own `?lang=`, so the answer stays in the language the person reads.

use crate::http::language;
use crate::i18n::template;
use crate::i18n::{Locale, MissingText, dates};
use crate::t;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, Timelike};
use minijinja::{Environment, UndefinedBehavior, Value, context};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::LazyLock;
use std::sync::RwLock;

/// Readable on phones, large tap targets, high contrast.
const STYLE: &str = "body{margin:0;background:#f6f7f9;color:#1b1f24;font:17px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}\
main{max-width:36rem;margin:0 auto;padding:1.5rem 1.25rem 3rem;background:#fff;min-height:100vh;box-sizing:border-box}\
h1{font-size:1.5rem;line-height:1.25;margin:.5rem 0 1rem}h2{font-size:1.15rem;margin:1.75rem 0 .5rem}\
button{font:inherit;font-weight:600;padding:.75rem 1.25rem;margin:.25rem 0;border:2px solid #0b5394;border-radius:.5rem;background:#0b5394;color:#fff;cursor:pointer;min-height:44px}\
button.secondary{background:#fff;color:#0b5394}button:focus,input:focus,a:focus{outline:3px solid #f2a900;outline-offset:2px}\
fieldset{border:1px solid #c9ced6;border-radius:.5rem;padding:.75rem 1rem;margin:0 0 1rem}legend{font-weight:600;padding:0 .25rem}\
.choice{display:flex;gap:.75rem;align-items:flex-start;padding:.5rem 0}.choice input{width:1.4rem;height:1.4rem;margin-top:.15rem}\
.slots{display:flex;flex-wrap:wrap;column-gap:1.25rem}.slots label{display:flex;gap:.6rem;align-items:center;padding:.5rem 0}.slots input{width:1.4rem;height:1.4rem;margin:0}\
.hint{display:block;color:#4a5360;font-size:.9rem}.small{color:#4a5360;font-size:.9rem;margin-top:2rem}a{color:#0b5394}\
.language{margin:0;text-align:right}.language a{display:inline-block;padding:.6rem .25rem}\
.notice,.problem{padding:.75rem 1rem;border-radius:.5rem;font-weight:600}.notice{background:#e6f4ea}.problem{background:#fdecea}\
textarea{display:block;width:100%;box-sizing:border-box;font:inherit;margin:.25rem 0 .75rem}\
pre{white-space:pre-wrap;word-break:break-all;background:#f6f7f9;padding:.75rem;border-radius:.5rem;font-size:.85rem}";

pub(crate) static STYLE_HASH: LazyLock<String> = LazyLock::new(|| Stylesheet::hash_of(STYLE));

static PAGES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    environment(&[
        ("_page.html", include_str!("../templates/pages/_page.html")),
        (
            "preferences.html",
            include_str!("../templates/pages/preferences.html"),
        ),
        ("saved.html", include_str!("../templates/pages/saved.html")),
        (
            "invalid.html",
            include_str!("../templates/pages/invalid.html"),
        ),
        (
            "confirm.html",
            include_str!("../templates/pages/confirm.html"),
        ),
        (
            "confirmed.html",
            include_str!("../templates/pages/confirmed.html"),
        ),
        (
            "manage.html",
            include_str!("../templates/pages/manage.html"),
        ),
        (
            "manage_invalid.html",
            include_str!("../templates/pages/manage_invalid.html"),
        ),
        ("demo.html", include_str!("../templates/pages/demo.html")),
    ])
});

/// A template environment with the catalogue's `t()` and the `strong` filter, holding `templates`
/// (name, source): the emailed links' pages here, the front desk's console in `desk::page`.
pub fn environment(templates: &[(&'static str, &'static str)]) -> Environment<'static> {
    let mut env = Environment::new();
    // A name the templates read and the code does not give is a template bug: the render fails (the
    // tests render every page) instead of a page showing a blank where a name belongs.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.add_function("t", template::translate);
    env.add_filter("strong", template::strong);
    for (name, source) in templates {
        env.add_template(name, source)
            .unwrap_or_else(|error| panic!("page template {name}: {error}"));
    }
    env
}

pub use crate::i18n::template::{escape_html, push_escaped};

/// The language a page's query string asks for: `?lang=en` or `?lang=fr` (a region such as
/// `fr-CA` counts as its language). Anything else asks for nothing, and the page falls back to the
/// patient's language rather than refusing a link someone clicked.
pub fn requested_locale(query: Option<&str>) -> Option<Locale> {
    Locale::from_tag(&query_value(query, "lang")?)
}

/// The value of `name` in a query string (`?done=confirm`), if given.
pub fn query_value(query: Option<&str>, name: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query?).ok()?;
    pairs
        .into_iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value)
}

/// A posted form's fields, in order (`application/x-www-form-urlencoded`): what the pages' forms
/// send (the manage page's, the console's).
pub struct Form(Vec<(String, String)>);

impl Form {
    /// The fields of a form body; `None` when it is not one.
    pub fn parse(body: &[u8]) -> Option<Form> {
        serde_urlencoded::from_bytes(body).ok().map(Form)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Every value of a field given several times (checkboxes of one name).
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// The label of a time of day ("2:30 PM", "14 h 30"): formatted once per language and clock time
/// for the life of the process (the catalogue is compiled in), as a two-week slot list repeats
/// the same few dozen times.
pub fn clock_label<Tz: chrono::TimeZone>(
    locale: Locale,
    start: &DateTime<Tz>,
) -> Result<String, MissingText>
where
    Tz::Offset: std::fmt::Display,
{
    static LABELS: LazyLock<RwLock<HashMap<(Locale, NaiveTime), String>>> =
        LazyLock::new(|| RwLock::new(HashMap::new()));
    let key = (locale, start.naive_local().time());
    if let Some(label) = LABELS
        .read()
        .ok()
        .and_then(|labels| labels.get(&key).cloned())
    {
        return Ok(label);
    }
    let label = dates::time_of_day(locale, start)?;
    if let Ok(mut labels) = LABELS.write() {
        labels.insert(key, label.clone());
    }
    Ok(label)
}

/// The radio inputs of a reschedule form (`name="starts_at"`, each value a slot's RFC 3339 start),
/// one fieldset per local day under the day's name, for the manage page and the console. Written
/// straight into one string: two weeks of open hours are over a thousand slots, and a template loop
/// over them costs more than the rest of the page. `None` when no slot is offered.
pub fn slot_fieldsets<'a>(
    locale: Locale,
    starts: impl Iterator<Item = &'a DateTime<FixedOffset>>,
) -> Result<Option<Value>, MissingText> {
    const MINUTES_A_DAY: usize = 24 * 60;
    let starts = starts.into_iter();
    let mut html = String::with_capacity(starts.size_hint().0 * 80 + 256);
    // This page's labels by minute of the day: the process-wide cache is asked once per time.
    let mut labels: Vec<Option<String>> = vec![None; MINUTES_A_DAY];
    let mut day: Option<NaiveDate> = None;
    let mut first = true;
    for start in starts {
        let date = start.date_naive();
        if day != Some(date) {
            if day.is_some() {
                html.push_str("</div></fieldset>\n");
            }
            day = Some(date);
            html.push_str("<fieldset><legend>");
            push_escaped(&mut html, &dates::long_date(locale, start)?);
            html.push_str("</legend><div class=\"slots\">");
        }
        let minute = (start.hour() * 60 + start.minute()) as usize % MINUTES_A_DAY;
        if labels[minute].is_none() {
            labels[minute] = Some(clock_label(locale, start)?);
        }
        // An RFC 3339 time holds nothing to escape; one `required` radio makes the group required.
        html.push_str("<label><input type=\"radio\" name=\"starts_at\" value=\"");
        html.push_str(&start.to_rfc3339());
        html.push_str(if first { "\" required> " } else { "\"> " });
        first = false;
        push_escaped(&mut html, labels[minute].as_deref().unwrap_or_default());
        html.push_str("</label>");
    }
    if day.is_none() {
        return Ok(None);
    }
    html.push_str("</div></fieldset>\n");
    Ok(Some(Value::from_safe_string(html)))
}

/// A phone number (E.164) as a `tel:` link, written the way people read it: `+1 416-555-0199` for
/// a North American number, else as stored.
pub fn phone_link(e164: &str) -> Value {
    let digits = e164
        .strip_prefix("+1")
        .filter(|rest| rest.len() == 10 && rest.bytes().all(|byte| byte.is_ascii_digit()));
    let shown = match digits {
        Some(rest) => format!("+1 {}-{}-{}", &rest[..3], &rest[3..6], &rest[6..]),
        None => e164.to_owned(),
    };
    Value::from_safe_string(format!(
        "<a href=\"tel:{}\">{}</a>",
        escape_html(e164),
        escape_html(&shown)
    ))
}

/// A page's language tag: its `<html lang>` and its `Content-Language`.
pub fn language_tag(locale: Locale) -> &'static str {
    match locale {
        Locale::En => "en-CA",
        Locale::Fr => "fr-CA",
    }
}

/// The language a page's switch link offers.
fn other(locale: Locale) -> Locale {
    match locale {
        Locale::En => Locale::Fr,
        Locale::Fr => Locale::En,
    }
}

/// A page in `locale`: its template rendered with what the layout needs (the stylesheet, the
/// language and the link to the other one) next to `context`, with the headers every page carries.
pub fn page(status: StatusCode, template: &str, locale: Locale, context: Value) -> Response {
    render(
        &PAGES,
        Stylesheet::pages(),
        status,
        template,
        locale,
        context,
    )
}

/// A page's one stylesheet, inlined and allowed by its hash in the Content-Security-Policy.
pub struct Stylesheet {
    pub css: &'static str,
    pub hash: &'static str,
}

impl Stylesheet {
    fn pages() -> Stylesheet {
        Stylesheet {
            css: STYLE,
            hash: STYLE_HASH.as_str(),
        }
    }

    /// The base64 SHA-256 of `css`, as a CSP `style-src 'sha256-…'` source names it.
    pub fn hash_of(css: &str) -> String {
        STANDARD.encode(Sha256::digest(css.as_bytes()))
    }
}

/// `template` of `env` rendered in `locale` with `style` (see [`page`]); a template that fails is
/// logged and answered with a bare 500 page in the same language.
pub fn render(
    env: &Environment<'static>,
    style: Stylesheet,
    status: StatusCode,
    template: &str,
    locale: Locale,
    context: Value,
) -> Response {
    let other = other(locale);
    let context = context! {
        style => style.css,
        locale => locale.as_str(),
        lang => language_tag(locale),
        other_locale => other.as_str(),
        other_lang => language_tag(other),
        ..context
    };
    let (status, body) = match env
        .get_template(template)
        .and_then(|template| template.render(context))
    {
        Ok(body) => (status, body),
        Err(error) => {
            tracing::error!(error = %error, template, "rendering a page");
            let words = t!(locale, "page-error").unwrap_or_else(|_| "Error".to_owned());
            let body = format!(
                "<!doctype html><html lang=\"{}\"><title>{words}</title><p>{words}</p></html>",
                language_tag(locale)
            );
            (StatusCode::INTERNAL_SERVER_ERROR, body)
        }
    };
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(language_tag(locale)),
    );
    let policy = format!(
        "default-src 'none'; style-src 'sha256-{}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        style.hash
    );
    if let Ok(value) = HeaderValue::from_str(&policy) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// A "not valid" page (`template`, answered with `status`): no hint which part of the link was
/// wrong. It knows no patient, so it speaks the language asked for (`?lang=`), else the request's
/// `Accept-Language`.
pub fn invalid_page(status: StatusCode, template: &str, requested: Option<Locale>) -> Response {
    let locale = requested.unwrap_or_else(language::current);
    let mut response = page(status, template, locale, context! {});
    // Its words may follow Accept-Language: caches must not mix the languages.
    response
        .headers_mut()
        .append(header::VARY, HeaderValue::from_static("accept-language"));
    response
}
