//! The console's pages: minijinja templates from `templates/desk/`, every word from the catalogue
//! (`locales/*/desk.ftl`, ids `desk-…`), one inline stylesheet allowed by its hash in a strict
//! Content-Security-Policy and no script (`crate::pages` does the rendering and the headers). Every
//! page a signed-in staff member sees has the console's header: where they can go, the language
//! switch and the sign-out form with its CSRF field.

use crate::desk::session::Desk;
use crate::desk::words;
use crate::email::history::EmailView;
use crate::error::ApiError;
use crate::i18n::{self, Locale, MissingText, dates};
use crate::pages::{self, Stylesheet};
use crate::t;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::Response;
use minijinja::{Environment, Value, context};
use std::sync::LazyLock;

/// Readable at 768 px and up (tables scroll inside their box below that), large targets, visible
/// focus, high contrast.
const STYLE: &str = "body{margin:0;background:#f6f7f9;color:#1b1f24;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}\
header{background:#0b3d6b;color:#fff}header nav{max-width:72rem;margin:0 auto;display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:center;padding:.5rem 1rem}\
header a{color:#fff;display:inline-block;padding:.6rem .25rem}header a[aria-current=page]{font-weight:700;text-decoration:underline}\
header .end{margin-left:auto;display:flex;gap:1rem;align-items:center}header form{margin:0}\
header button{background:transparent;border-color:#fff;color:#fff;margin:0}\
main{max-width:72rem;margin:0 auto;padding:1rem 1rem 3rem;box-sizing:border-box}\
h1{font-size:1.5rem;line-height:1.25;margin:.5rem 0 1rem}h2{font-size:1.2rem;margin:1.75rem 0 .5rem}h3{font-size:1.05rem;margin:1.25rem 0 .5rem}\
section,.panel{background:#fff;border:1px solid #d5dae1;border-radius:.5rem;padding:1rem;margin:0 0 1rem}\
button,.button{font:inherit;font-weight:600;padding:.55rem 1rem;margin:.25rem 0;border:2px solid #0b5394;border-radius:.4rem;background:#0b5394;color:#fff;cursor:pointer;min-height:44px;display:inline-block;text-decoration:none}\
button.secondary{background:#fff;color:#0b5394}button.danger{background:#a61b1b;border-color:#a61b1b}\
a{color:#0b5394}:focus-visible{outline:3px solid #f2a900;outline-offset:2px}\
label{font-weight:600;display:block;margin:.5rem 0 .15rem}.inline label{display:inline-block;margin-right:.25rem}\
input,select,textarea{font:inherit;padding:.45rem .5rem;border:1px solid #8a94a3;border-radius:.3rem;min-height:40px;box-sizing:border-box;max-width:100%}\
textarea{width:100%;display:block}\
.filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:flex-end}.filters div{min-width:10rem}\
fieldset{border:1px solid #c9ced6;border-radius:.5rem;padding:.5rem 1rem;margin:0 0 1rem}legend{font-weight:600;padding:0 .25rem}\
.choices,.slots{display:flex;flex-wrap:wrap;gap:.25rem 1rem}.slots label{display:flex;gap:.4rem;align-items:center;font-weight:400;margin:0}.slots input{width:1.3rem;height:1.3rem;min-height:0}.choice{display:flex;gap:.4rem;align-items:center;font-weight:400;margin:0}.choice input{width:1.3rem;height:1.3rem;min-height:0}\
.table{overflow-x:auto}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.5rem;border-bottom:1px solid #e3e6ea;vertical-align:top}\
th{font-size:.9rem;color:#3d4651}tr.requested{background:#fff7e0}\
.badge{display:inline-block;padding:.1rem .5rem;border-radius:1rem;font-size:.85rem;font-weight:600;background:#e8ecf1}\
.badge.requested{background:#ffe3a3}.badge.confirmed{background:#cfe9d6}.badge.cancelled,.badge.expired,.badge.no_show{background:#f5d0d0}.badge.new{background:#ffe3a3}\
.notice,.problem{padding:.75rem 1rem;border-radius:.5rem;font-weight:600;margin:0 0 1rem}.notice{background:#e6f4ea}.problem{background:#fdecea}\
.problem ul{margin:.25rem 0 0;font-weight:400}.hint{color:#4a5360;font-size:.9rem}.summary{display:flex;flex-wrap:wrap;gap:1rem}\
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}dt{font-weight:600;color:#3d4651}dd{margin:0}\
.actions{display:flex;flex-wrap:wrap;gap:1rem}.actions form{flex:1 1 18rem}.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:.5rem;background:#fff;color:#0b5394;padding:.5rem;z-index:1}";

static STYLE_HASH: LazyLock<String> = LazyLock::new(|| Stylesheet::hash_of(STYLE));

fn stylesheet() -> Stylesheet {
    Stylesheet {
        css: STYLE,
        hash: STYLE_HASH.as_str(),
    }
}

static DESK: LazyLock<Environment<'static>> = LazyLock::new(|| {
    pages::environment(&[
        (
            "_desk.html",
            include_str!("../../templates/desk/_desk.html"),
        ),
        (
            "sign_in.html",
            include_str!("../../templates/desk/sign_in.html"),
        ),
        (
            "status.html",
            include_str!("../../templates/desk/status.html"),
        ),
        ("day.html", include_str!("../../templates/desk/day.html")),
        (
            "booking.html",
            include_str!("../../templates/desk/booking.html"),
        ),
        (
            "callbacks.html",
            include_str!("../../templates/desk/callbacks.html"),
        ),
        (
            "patient.html",
            include_str!("../../templates/desk/patient.html"),
        ),
        (
            "_emails.html",
            include_str!("../../templates/desk/_emails.html"),
        ),
        (
            "_admin_nav.html",
            include_str!("../../templates/desk/_admin_nav.html"),
        ),
        (
            "_clinic_fields.html",
            include_str!("../../templates/desk/_clinic_fields.html"),
        ),
        (
            "_practitioner_fields.html",
            include_str!("../../templates/desk/_practitioner_fields.html"),
        ),
        (
            "admin_clinics.html",
            include_str!("../../templates/desk/admin_clinics.html"),
        ),
        (
            "admin_clinic.html",
            include_str!("../../templates/desk/admin_clinic.html"),
        ),
        (
            "admin_practitioners.html",
            include_str!("../../templates/desk/admin_practitioners.html"),
        ),
        (
            "admin_practitioner.html",
            include_str!("../../templates/desk/admin_practitioner.html"),
        ),
        (
            "admin_staff.html",
            include_str!("../../templates/desk/admin_staff.html"),
        ),
    ])
});

/// The console's sections, for the header's `aria-current`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Today,
    Bookings,
    Callbacks,
    Admin,
}

impl Section {
    fn as_str(self) -> &'static str {
        match self {
            Section::Today => "today",
            Section::Bookings => "bookings",
            Section::Callbacks => "callbacks",
            Section::Admin => "admin",
        }
    }
}

/// The link that switches the console to the other language and comes back to `uri`.
fn switch_href(locale: Locale, uri: &Uri) -> String {
    let other = match locale {
        Locale::En => Locale::Fr,
        Locale::Fr => Locale::En,
    };
    let back = uri
        .path_and_query()
        .map(|path| path.as_str())
        .unwrap_or("/desk/");
    let query =
        serde_urlencoded::to_string([("to", other.as_str()), ("back", back)]).unwrap_or_default();
    format!("/desk/language?{query}")
}

/// A page of the signed-in console: `template` with `context`, under the header.
pub fn screen(
    desk: &Desk,
    uri: &Uri,
    section: Option<Section>,
    status: StatusCode,
    template: &str,
    context: Value,
) -> Response {
    let context = context! {
        signed_in => true,
        is_admin => desk.is_admin(),
        csrf => desk.csrf,
        section => section.map(Section::as_str),
        switch_href => switch_href(desk.locale, uri),
        ..context
    };
    pages::render(&DESK, stylesheet(), status, template, desk.locale, context)
}

/// A page without the signed-in header (the sign-in page, and the answers to signed-out requests).
/// The keys given here win over `context`'s: the sign-in page brings its own `csrf`.
pub fn bare(locale: Locale, status: StatusCode, template: &str, context: Value) -> Response {
    let context = context! {
        signed_in => false,
        is_admin => false,
        section => Value::from(()),
        switch_href => format!("/desk/language?to={}&back=%2Fdesk%2Fsign-in", match locale {
            Locale::En => "fr",
            Locale::Fr => "en",
        }),
        ..context
    };
    pages::render(&DESK, stylesheet(), status, template, locale, context)
}

/// The page for a status no screen answers itself: 403 (a form without its CSRF field, an admin
/// page), 404 (unknown, or another clinic's: the same page), 400, 413, 415, 429, 500, 503.
pub fn status_page(locale: Locale, status: StatusCode) -> Response {
    bare(locale, status, "status.html", status_words(locale, status))
}

/// [`status_page`] for a signed-in staff member: under the console's header, so they can go on.
pub fn desk_status_page(desk: &Desk, status: StatusCode) -> Response {
    let uri = Uri::from_static("/desk/");
    let words = status_words(desk.locale, status);
    screen(desk, &uri, None, status, "status.html", words)
}

/// A status page's heading and words.
fn status_words(locale: Locale, status: StatusCode) -> Value {
    let words = match status {
        StatusCode::FORBIDDEN => (
            t!(locale, "desk-status-forbidden-title"),
            t!(locale, "desk-status-forbidden-body"),
        ),
        StatusCode::NOT_FOUND => (
            t!(locale, "desk-status-not-found-title"),
            t!(locale, "desk-status-not-found-body"),
        ),
        StatusCode::SERVICE_UNAVAILABLE => (
            t!(locale, "desk-status-unavailable-title"),
            t!(locale, "desk-status-unavailable-body"),
        ),
        StatusCode::TOO_MANY_REQUESTS => (
            t!(locale, "desk-status-too-many-title"),
            t!(locale, "desk-status-too-many-body"),
        ),
        status if status.is_client_error() => (
            t!(locale, "desk-status-bad-request-title"),
            t!(locale, "desk-status-bad-request-body"),
        ),
        _ => (
            t!(locale, "desk-status-error-title"),
            t!(locale, "desk-status-error-body"),
        ),
    };
    context! {
        title => words.0.unwrap_or_default(),
        body => words.1.unwrap_or_default(),
    }
}

/// The page for an error a screen does not show in place.
pub fn failure(locale: Locale, error: ApiError) -> Response {
    failure_with(error, |status| status_page(locale, status))
}

/// [`failure`] for a signed-in staff member (the page keeps the console's header).
pub fn desk_failure(desk: &Desk, error: ApiError) -> Response {
    failure_with(error, |status| desk_status_page(desk, status))
}

fn failure_with(error: ApiError, status_page: impl Fn(StatusCode) -> Response) -> Response {
    match error {
        ApiError::NotFound => status_page(StatusCode::NOT_FOUND),
        ApiError::Forbidden => status_page(StatusCode::FORBIDDEN),
        ApiError::Unavailable(detail) => {
            tracing::warn!(detail, "console: database unavailable");
            let mut response = status_page(StatusCode::SERVICE_UNAVAILABLE);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            response
        }
        ApiError::RateLimited { retry_after_secs }
        | ApiError::LimitReached {
            retry_after_secs, ..
        } => {
            let mut response = status_page(StatusCode::TOO_MANY_REQUESTS);
            if let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
        ApiError::Internal(error) => {
            tracing::error!(error = %error, "console: internal error");
            status_page(StatusCode::INTERNAL_SERVER_ERROR)
        }
        other => {
            tracing::info!(error = %other, "console: request refused");
            status_page(StatusCode::BAD_REQUEST)
        }
    }
}

pub use crate::pages::query_value;

/// The emails of a booking or patient as the pages' table lists them (`_emails.html`).
pub fn email_rows(
    locale: Locale,
    emails: &[EmailView],
    zone: chrono_tz::Tz,
) -> Result<Vec<Value>, MissingText> {
    emails
        .iter()
        .map(|email| {
            let when = email.sent_at.unwrap_or(email.created_at);
            Ok(context! {
                kind => email.kind.as_str(),
                kind_label => words::email_kind(locale, email.kind)?,
                to => email.to,
                status_label => words::email_status(locale, email.status)?,
                last_error => email.last_error,
                when => dates::short_date_time(locale, &when.with_timezone(&zone))?,
            })
        })
        .collect()
}

/// The answer to a form: 303 to `done`'s page when it worked; when the rules refused it (409, 422)
/// the page it came from again (`again`), with why; any other error, its status page.
pub async fn after_form<T, Fut>(
    desk: &Desk,
    result: Result<T, ApiError>,
    done: impl FnOnce(&T) -> String,
    again: impl FnOnce(StatusCode, Vec<String>) -> Fut,
) -> Response
where
    Fut: std::future::Future<Output = Response>,
{
    match result {
        Ok(value) => {
            axum::response::IntoResponse::into_response(axum::response::Redirect::to(&done(&value)))
        }
        Err(error) => {
            let status = match &error {
                ApiError::Conflict { .. } => StatusCode::CONFLICT,
                ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
                _ => return desk_failure(desk, error),
            };
            let problems = problem_words(desk.locale, &error).unwrap_or_default();
            again(status, problems).await
        }
    }
}

/// What an error the screen shows in place says: the problem's detail, and each invalid field's
/// words, in `locale`. `None` for errors that get a page of their own.
pub fn problem_words(locale: Locale, error: &ApiError) -> Option<Vec<String>> {
    let render = |message| i18n::render(locale, message).unwrap_or_default();
    match error {
        ApiError::Conflict { detail, .. } => Some(vec![render(detail)]),
        ApiError::Validation(errors) | ApiError::BadQuery { errors, .. } => Some(
            errors
                .iter()
                .map(|error| {
                    let message = render(&error.message);
                    // A field no form has keeps its name (a query parameter, say).
                    let label =
                        words::field(locale, &error.field).unwrap_or_else(|| error.field.clone());
                    format!("{label}: {message}")
                })
                .collect(),
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body_of(response: Response) -> String {
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("a body");
        String::from_utf8(bytes.to_vec()).expect("UTF-8")
    }

    #[tokio::test]
    async fn every_status_page_renders_in_both_languages_under_its_csp() {
        for locale in [Locale::En, Locale::Fr] {
            for status in [400, 403, 404, 413, 415, 429, 500, 503] {
                let status = StatusCode::from_u16(status).unwrap();
                let response = status_page(locale, status);
                assert_eq!(response.status(), status);
                let policy = response.headers()[header::CONTENT_SECURITY_POLICY]
                    .to_str()
                    .unwrap()
                    .to_owned();
                assert!(policy.contains(&format!("'sha256-{}'", *STYLE_HASH)));
                assert!(!policy.contains("script-src"));
                let body = body_of(response).await;
                assert!(
                    body.contains("<h1>") && body.contains("<main id=\"main\">"),
                    "{body}"
                );
                assert!(!body.contains("desk-status"), "{body}");
            }
        }
    }
}
