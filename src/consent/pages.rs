//! The server-rendered pages behind the links in emails: the unsubscribe preferences and the
//! double opt-in confirmation (minijinja templates embedded from `templates/pages/`). Self-contained:
//! no scripts, no external assets, one inline stylesheet allowed by its hash in a strict
//! Content-Security-Policy.
//!
//! Every word comes from the catalogue (`locales/*/pages.ftl`, ids `page-…`) through the templates'
//! `t("id", name=value)`, in the page's language: the one its link's service decided (the `?lang=`
//! asked for, else the patient's), or for the "not valid" page, which knows no patient, `?lang=` else
//! the request's `Accept-Language`. Each page links to itself in the other language (`?lang=`) and
//! posts its forms with its own `?lang=`, so the answer stays in the language the person reads.

use crate::domain::consent::ConsentCategory;
use crate::error::ApiError;
use crate::http::language;
use crate::i18n::{self, Arg, Locale, MissingText};
use crate::t;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use minijinja::value::{Kwargs, ValueKind};
use minijinja::{
    Environment, Error as TemplateError, ErrorKind, State, UndefinedBehavior, Value, context,
};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// Readable on phones, large tap targets, high contrast.
const STYLE: &str = "body{margin:0;background:#f6f7f9;color:#1b1f24;font:17px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}\
main{max-width:36rem;margin:0 auto;padding:1.5rem 1.25rem 3rem;background:#fff;min-height:100vh;box-sizing:border-box}\
h1{font-size:1.5rem;line-height:1.25;margin:.5rem 0 1rem}h2{font-size:1.15rem;margin:1.75rem 0 .5rem}\
button{font:inherit;font-weight:600;padding:.75rem 1.25rem;margin:.25rem 0;border:2px solid #0b5394;border-radius:.5rem;background:#0b5394;color:#fff;cursor:pointer;min-height:44px}\
button.secondary{background:#fff;color:#0b5394}button:focus,input:focus,a:focus{outline:3px solid #f2a900;outline-offset:2px}\
fieldset{border:1px solid #c9ced6;border-radius:.5rem;padding:.75rem 1rem;margin:0 0 1rem}legend{font-weight:600;padding:0 .25rem}\
.choice{display:flex;gap:.75rem;align-items:flex-start;padding:.5rem 0}.choice input{width:1.4rem;height:1.4rem;margin-top:.15rem}\
.hint{display:block;color:#4a5360;font-size:.9rem}.small{color:#4a5360;font-size:.9rem;margin-top:2rem}a{color:#0b5394}\
.language{margin:0;text-align:right}.language a{display:inline-block;padding:.6rem .25rem}\
.notice,.problem{padding:.75rem 1rem;border-radius:.5rem;font-weight:600}.notice{background:#e6f4ea}.problem{background:#fdecea}\
textarea{display:block;width:100%;box-sizing:border-box;font:inherit;margin:.25rem 0 .75rem}";

static STYLE_HASH: LazyLock<String> =
    LazyLock::new(|| STANDARD.encode(Sha256::digest(STYLE.as_bytes())));

static PAGES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    // A name the templates read and the code does not give is a template bug: the render fails (the
    // tests render every page) instead of a page showing a blank where a name belongs.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.add_function("t", translate);
    env.add_filter("strong", strong);
    for (name, source) in [
        (
            "_page.html",
            include_str!("../../templates/pages/_page.html"),
        ),
        (
            "preferences.html",
            include_str!("../../templates/pages/preferences.html"),
        ),
        (
            "saved.html",
            include_str!("../../templates/pages/saved.html"),
        ),
        (
            "invalid.html",
            include_str!("../../templates/pages/invalid.html"),
        ),
        (
            "confirm.html",
            include_str!("../../templates/pages/confirm.html"),
        ),
        (
            "confirmed.html",
            include_str!("../../templates/pages/confirmed.html"),
        ),
        (
            "manage.html",
            include_str!("../../templates/pages/manage.html"),
        ),
        (
            "manage_invalid.html",
            include_str!("../../templates/pages/manage_invalid.html"),
        ),
    ] {
        env.add_template(name, source)
            .unwrap_or_else(|error| panic!("page template {name}: {error}"));
    }
    env
});

/// What a message receives for an argument without a value (none, or blank): a selector can say
/// what to write without it, `{ $phone -> [none] … *[other] … }`.
const ABSENT: &str = "none";

/// The templates' `t("id", name=value, …)`: the catalogue's message in the page's language (the
/// context's `locale`), escaped, with arguments already marked up (`|strong`) put in as they are.
/// A missing message or argument fails the render: no page shows a blank or an `{$name}`.
fn translate(state: &State, id: &str, kwargs: Kwargs) -> Result<Value, TemplateError> {
    let locale = state
        .lookup("locale")
        .and_then(|value| value.as_str().and_then(Locale::from_tag))
        .ok_or_else(|| template_error(format!("t({id:?}): the page has no locale")))?;
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
                } else if value.is_safe() {
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
    let text = i18n::text_with(locale, id, &args).map_err(|err| template_error(err.to_string()))?;
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

/// `value|strong`: the value in bold, to be passed to `t` inside a sentence. Nothing stays nothing.
fn strong(value: Value) -> Value {
    match value.as_str() {
        Some(text) if !text.trim().is_empty() => {
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

fn escape_html(raw: &str) -> String {
    let mut escaped = String::with_capacity(raw.len());
    for ch in raw.chars() {
        match ch {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(ch),
        }
    }
    escaped
}

/// The language a page's query string asks for: `?lang=en` or `?lang=fr` (a region such as
/// `fr-CA` counts as its language). Anything else asks for nothing, and the page falls back to the
/// patient's language rather than refusing a link someone clicked.
pub fn requested_locale(query: Option<&str>) -> Option<Locale> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query?).ok()?;
    pairs
        .iter()
        .find(|(name, _)| name == "lang")
        .and_then(|(_, value)| Locale::from_tag(value))
}

/// A page's language tag: its `<html lang>` and its `Content-Language`.
fn language_tag(locale: Locale) -> &'static str {
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

/// One category as the pages show it.
#[derive(Debug, Serialize)]
pub struct CategoryChoice {
    pub key: &'static str,
    pub label: String,
    pub hint: String,
    pub granted: bool,
}

/// A category's name and the line that explains it, in `locale`.
pub fn label(locale: Locale, category: ConsentCategory) -> Result<(String, String), MissingText> {
    Ok(match category {
        ConsentCategory::AppointmentReminders => (
            t!(locale, "page-category-appointment-reminders")?,
            t!(locale, "page-category-appointment-reminders.hint")?,
        ),
        ConsentCategory::ExercisePlans => (
            t!(locale, "page-category-exercise-plans")?,
            t!(locale, "page-category-exercise-plans.hint")?,
        ),
        ConsentCategory::PlansOfCare => (
            t!(locale, "page-category-plans-of-care")?,
            t!(locale, "page-category-plans-of-care.hint")?,
        ),
        ConsentCategory::ServiceUpdates => (
            t!(locale, "page-category-service-updates")?,
            t!(locale, "page-category-service-updates.hint")?,
        ),
    })
}

/// Every category in `locale`, with whether it is granted.
pub fn choices(
    locale: Locale,
    granted: impl Fn(ConsentCategory) -> bool,
) -> Result<Vec<CategoryChoice>, MissingText> {
    ConsentCategory::ALL
        .into_iter()
        .map(|category| {
            let (label, hint) = label(locale, category)?;
            Ok(CategoryChoice {
                key: category.as_str(),
                label,
                hint,
                granted: granted(category),
            })
        })
        .collect()
}

/// The words of the button that withdraws what a link covers ("Unsubscribe from exercise plans",
/// or "… from all these emails"): a whole sentence per case, so each language words it its own way.
pub fn this_label(locale: Locale, categories: &[ConsentCategory]) -> Result<String, MissingText> {
    match categories {
        [ConsentCategory::AppointmentReminders] => {
            t!(locale, "page-preferences-unsubscribe-appointment-reminders")
        }
        [ConsentCategory::ExercisePlans] => {
            t!(locale, "page-preferences-unsubscribe-exercise-plans")
        }
        [ConsentCategory::PlansOfCare] => t!(locale, "page-preferences-unsubscribe-plans-of-care"),
        [ConsentCategory::ServiceUpdates] => {
            t!(locale, "page-preferences-unsubscribe-service-updates")
        }
        _ => t!(locale, "page-preferences-unsubscribe-these"),
    }
}

/// A page in `locale`: its template rendered with what the layout needs (the stylesheet, the
/// language and the link to the other one) next to `context`, with the headers every page carries.
fn page(status: StatusCode, template: &str, locale: Locale, context: Value) -> Response {
    let other = other(locale);
    let context = context! {
        style => STYLE,
        locale => locale.as_str(),
        lang => language_tag(locale),
        other_locale => other.as_str(),
        other_lang => language_tag(other),
        ..context
    };
    let (status, body) = match PAGES
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
        *STYLE_HASH
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

/// The preferences page of a link about `link_categories`, sent by `clinic_name`.
pub fn preferences(
    locale: Locale,
    clinic_name: &str,
    clinic_phone: Option<&str>,
    link_categories: &[ConsentCategory],
    granted: impl Fn(ConsentCategory) -> bool,
) -> Result<Response, MissingText> {
    let this = this_label(locale, link_categories)?;
    let categories = choices(locale, granted)?;
    Ok(page(
        StatusCode::OK,
        "preferences.html",
        locale,
        context! { clinic_name, clinic_phone, this_label => this, categories },
    ))
}

/// What is now in force at the link's sender; `everywhere`: the person left every sender.
pub fn saved(
    locale: Locale,
    clinic_name: &str,
    everywhere: bool,
    granted: impl Fn(ConsentCategory) -> bool,
) -> Result<Response, MissingText> {
    let categories = choices(locale, granted)?;
    Ok(page(
        StatusCode::OK,
        "saved.html",
        locale,
        context! { clinic_name, everywhere, categories },
    ))
}

/// The double opt-in page: a button (a POST to the same URL) that confirms; showing it changes nothing.
pub fn confirm(locale: Locale, senders: &str) -> Response {
    page(StatusCode::OK, "confirm.html", locale, context! { senders })
}

/// After the confirmation (also when the link is used again).
pub fn confirmed(locale: Locale, senders: &str) -> Response {
    page(
        StatusCode::OK,
        "confirmed.html",
        locale,
        context! { senders },
    )
}

/// The manage page of a booking (`scheduling::manage_page` gives what it shows).
pub fn manage(status: StatusCode, locale: Locale, context: Value) -> Response {
    page(status, "manage.html", locale, context)
}

/// The manage page's answer for a bad link (a 404): like [`invalid`], in `?lang=` else the
/// request's `Accept-Language`, with no hint which part was wrong.
pub fn manage_invalid(requested: Option<Locale>) -> Response {
    let locale = requested.unwrap_or_else(language::current);
    let mut response = page(
        StatusCode::NOT_FOUND,
        "manage_invalid.html",
        locale,
        context! {},
    );
    response
        .headers_mut()
        .append(header::VARY, HeaderValue::from_static("accept-language"));
    response
}

/// The one answer for every bad link: no hint which part was wrong. It knows no patient, so it
/// speaks the language asked for (`?lang=`), else the request's `Accept-Language`.
pub fn invalid(requested: Option<Locale>) -> Response {
    let locale = requested.unwrap_or_else(language::current);
    let mut response = page(StatusCode::BAD_REQUEST, "invalid.html", locale, context! {});
    // Its words may follow Accept-Language: caches must not mix the languages.
    response
        .headers_mut()
        .append(header::VARY, HeaderValue::from_static("accept-language"));
    response
}

/// A service's answer as a page: a link that names nothing valid (`ApiError::NotFound`) gets the
/// "not valid" page (in `requested`, else the request's language), other errors their usual answer.
pub fn render<T>(
    outcome: Result<T, ApiError>,
    requested: Option<Locale>,
    page: impl FnOnce(T) -> Result<Response, MissingText>,
) -> Result<Response, ApiError> {
    match outcome {
        Ok(value) => page(value).map_err(|missing| ApiError::Internal(missing.into())),
        Err(ApiError::NotFound) => Ok(invalid(requested)),
        Err(error) => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body(response: Response) -> String {
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    /// Every page in `locale`, with and without its optional parts.
    fn every_page(locale: Locale) -> Vec<(&'static str, Response)> {
        let granted = |category| category == ConsentCategory::ExercisePlans;
        let one = [ConsentCategory::ExercisePlans];
        let mut pages = Vec::new();
        for categories in [&one[..], &ConsentCategory::ALL[..]] {
            pages.push((
                "preferences",
                preferences(
                    locale,
                    "Clinique Rivière",
                    Some("+1 514-555-0100"),
                    categories,
                    granted,
                )
                .unwrap(),
            ));
        }
        for category in ConsentCategory::ALL {
            pages.push((
                "preferences (one category)",
                preferences(locale, "Clinique Rivière", None, &[category], granted).unwrap(),
            ));
        }
        pages.push((
            "saved",
            saved(locale, "Clinique Rivière", false, granted).unwrap(),
        ));
        pages.push((
            "saved everywhere",
            saved(locale, "Clinique Rivière", true, granted).unwrap(),
        ));
        pages.push(("confirm", confirm(locale, "Clinique Rivière")));
        pages.push(("confirmed", confirmed(locale, "Clinique Rivière")));
        pages.push(("invalid", invalid(Some(locale))));
        pages.push(("manage invalid", manage_invalid(Some(locale))));
        pages
    }

    #[tokio::test]
    async fn pages_render_escaped_with_a_matching_style_hash() {
        let response = preferences(
            Locale::En,
            "<Clinic & Co>",
            None,
            &[ConsentCategory::ExercisePlans],
            |_| true,
        )
        .unwrap();
        let policy = response.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(policy.contains(&format!("'sha256-{}'", *STYLE_HASH)));
        assert!(policy.starts_with("default-src 'none'"));
        let page = body(response).await;
        assert!(
            page.contains("<strong>&lt;Clinic &amp; Co&gt;</strong>"),
            "{page}"
        );
        assert!(!page.contains("<Clinic"), "{page}");
        assert_eq!(invalid(None).status(), StatusCode::BAD_REQUEST);
    }

    #[tokio::test]
    async fn every_page_renders_in_both_languages_and_says_which() {
        for (locale, tag, switch) in [
            (
                Locale::En,
                "en-CA",
                "<a href=\"?lang=fr\" hreflang=\"fr-CA\" lang=\"fr-CA\">Français</a>",
            ),
            (
                Locale::Fr,
                "fr-CA",
                "<a href=\"?lang=en\" hreflang=\"en-CA\" lang=\"en-CA\">English</a>",
            ),
        ] {
            for (name, response) in every_page(locale) {
                assert_eq!(
                    response.headers()[header::CONTENT_LANGUAGE],
                    tag,
                    "{name} ({locale})"
                );
                assert_ne!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
                let page = body(response).await;
                assert!(
                    page.contains(&format!("<html lang=\"{tag}\">")),
                    "{name}: {page}"
                );
                assert!(page.contains(switch), "{name}: {page}");
                for form in page.match_indices("<form").map(|(at, _)| &page[at..]) {
                    let tag = &form[..form.find('>').unwrap()];
                    assert!(
                        tag.contains(&format!("action=\"?lang={locale}\"")),
                        "{name}: a form that keeps the language: {tag}"
                    );
                }
            }
        }
    }

    /// What a reader sees of a page: the text outside its tags, without the stylesheet.
    fn visible_text(page: &str) -> String {
        let page = match (page.find("<style>"), page.find("</style>")) {
            (Some(start), Some(end)) => format!("{}{}", &page[..start], &page[end..]),
            _ => page.to_owned(),
        };
        let mut text = String::new();
        let mut in_tag = false;
        for ch in page.chars() {
            match ch {
                '<' => in_tag = true,
                '>' => {
                    in_tag = false;
                    text.push(' ');
                }
                _ if !in_tag => text.push(ch),
                _ => {}
            }
        }
        text
    }

    #[tokio::test]
    async fn no_french_page_has_an_english_leftover() {
        const GIVE_AWAY: [&str; 14] = [
            "Email",
            "email",
            "Unsubscribe",
            "unsubscribe",
            "preferences",
            "Your ",
            "Save",
            "Send me",
            "Thank",
            "link",
            " yes",
            " no ",
            "Contact",
            "Choose",
        ];
        for (name, response) in every_page(Locale::Fr) {
            let page = body(response).await;
            // The switch link names English in English, as it should.
            let words = visible_text(&page.replace(">English</a>", ">"));
            for english in GIVE_AWAY {
                assert!(!words.contains(english), "{name} says {english:?}:\n{page}");
            }
            assert!(words.contains("courriel"), "{name}: {page}");
        }
    }

    #[tokio::test]
    async fn french_pages_read_as_quebec_writes_them() {
        let page = body(
            preferences(
                Locale::Fr,
                "Clinique Rivière",
                Some("+1 514-555-0100"),
                &[ConsentCategory::ExercisePlans],
                |_| false,
            )
            .unwrap(),
        )
        .await;
        for expected in [
            "<h1>Vos préférences de courriel</h1>",
            ">Se désabonner des programmes d&#x27;exercices</button>",
            ">Se désabonner de tous les courriels envoyés par Clinique Rivière</button>",
            "<legend>Envoyez-moi\u{a0}:</legend>",
            ">Enregistrer mes choix</button>",
            "Des questions\u{a0}? Communiquez avec Clinique Rivière au +1 514-555-0100.",
        ] {
            assert!(page.contains(expected), "{expected}: {page}");
        }
        let saved = body(
            saved(Locale::Fr, "Clinique Rivière", false, |category| {
                category == ConsentCategory::AppointmentReminders
            })
            .unwrap(),
        )
        .await;
        assert!(
            saved.contains("<li>Rappels de rendez-vous\u{a0}: <strong>oui</strong></li>"),
            "{saved}"
        );
        assert!(
            saved.contains("<li>Programmes d&#39;exercices\u{a0}: <strong>non</strong></li>"),
            "{saved}"
        );
    }

    #[test]
    fn the_query_string_asks_for_a_language_or_for_nothing() {
        assert_eq!(requested_locale(Some("lang=fr")), Some(Locale::Fr));
        assert_eq!(requested_locale(Some("x=1&lang=en-CA")), Some(Locale::En));
        assert_eq!(requested_locale(Some("lang=FR")), Some(Locale::Fr));
        assert_eq!(requested_locale(Some("lang=de")), None);
        assert_eq!(requested_locale(Some("lang=")), None);
        assert_eq!(requested_locale(Some("%zz")), None);
        assert_eq!(requested_locale(None), None);
    }
}
