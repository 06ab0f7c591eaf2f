//! The server-rendered preference pages behind unsubscribe links (minijinja templates embedded from
//! `templates/pages/`). Self-contained: no scripts, no external assets, one inline stylesheet allowed
//! by its hash in a strict Content-Security-Policy.

use crate::domain::consent::ConsentCategory;
use crate::error::ApiError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use minijinja::{Environment, context};
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
.hint{display:block;color:#4a5360;font-size:.9rem}.small{color:#4a5360;font-size:.9rem;margin-top:2rem}a{color:#0b5394}";

static STYLE_HASH: LazyLock<String> =
    LazyLock::new(|| STANDARD.encode(Sha256::digest(STYLE.as_bytes())));

static PAGES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
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
    ] {
        env.add_template(name, source)
            .unwrap_or_else(|error| panic!("page template {name}: {error}"));
    }
    env
});

/// One category as the pages show it.
#[derive(Debug, Serialize)]
pub struct CategoryChoice {
    pub key: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub granted: bool,
}

pub fn label(category: ConsentCategory) -> (&'static str, &'static str) {
    match category {
        ConsentCategory::AppointmentReminders => (
            "Appointment reminders",
            "A reminder before each confirmed appointment.",
        ),
        ConsentCategory::ExercisePlans => (
            "Exercise plans",
            "Home exercises your practitioner prepares for you.",
        ),
        ConsentCategory::PlansOfCare => (
            "Plans of care",
            "Your treatment plan: goals, visits and duration.",
        ),
        ConsentCategory::ServiceUpdates => {
            ("Service updates", "News about services relevant to you.")
        }
    }
}

pub fn choices(granted: impl Fn(ConsentCategory) -> bool) -> Vec<CategoryChoice> {
    ConsentCategory::ALL
        .into_iter()
        .map(|category| {
            let (label, hint) = label(category);
            CategoryChoice {
                key: category.as_str(),
                label,
                hint,
                granted: granted(category),
            }
        })
        .collect()
}

/// The words for the categories a link covers ("exercise plans", or "all these emails").
pub fn this_label(categories: &[ConsentCategory]) -> String {
    match categories {
        [one] => label(*one).0.to_lowercase(),
        _ => "all these emails".to_owned(),
    }
}

fn page(status: StatusCode, template: &str, context: minijinja::Value) -> Response {
    let body = PAGES
        .get_template(template)
        .and_then(|template| template.render(context))
        .unwrap_or_else(|error| {
            tracing::error!(error = %error, "rendering a page");
            "<!doctype html><title>Error</title><p>Something went wrong.</p>".to_owned()
        });
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
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

pub fn preferences(
    clinic_name: &str,
    clinic_phone: Option<&str>,
    this: &str,
    categories: Vec<CategoryChoice>,
) -> Response {
    page(
        StatusCode::OK,
        "preferences.html",
        context! { style => STYLE, clinic_name, clinic_phone, this_label => this, categories },
    )
}

/// What is now in force at the link's sender; `everywhere`: the person left every sender.
pub fn saved(clinic_name: &str, everywhere: bool, categories: Vec<CategoryChoice>) -> Response {
    page(
        StatusCode::OK,
        "saved.html",
        context! { style => STYLE, clinic_name, everywhere, categories },
    )
}

/// The double opt-in page: a button (a POST to the same URL) that confirms; showing it changes nothing.
pub fn confirm(senders: &str) -> Response {
    page(
        StatusCode::OK,
        "confirm.html",
        context! { style => STYLE, senders },
    )
}

/// After the confirmation (also when the link is used again).
pub fn confirmed(senders: &str) -> Response {
    page(
        StatusCode::OK,
        "confirmed.html",
        context! { style => STYLE, senders },
    )
}

/// The one answer for every bad link: no hint which part was wrong.
pub fn invalid() -> Response {
    page(
        StatusCode::BAD_REQUEST,
        "invalid.html",
        context! { style => STYLE },
    )
}

/// A service's answer as a page: a link that names nothing valid (`ApiError::NotFound`) gets the
/// "not valid" page, other errors their usual answer.
pub fn render<T>(
    outcome: Result<T, ApiError>,
    page: impl FnOnce(T) -> Response,
) -> Result<Response, ApiError> {
    match outcome {
        Ok(value) => Ok(page(value)),
        Err(ApiError::NotFound) => Ok(invalid()),
        Err(error) => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_render_escaped_with_a_matching_style_hash() {
        let response = preferences("<Clinic & Co>", None, "exercise plans", choices(|_| true));
        let policy = response.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(policy.contains(&format!("'sha256-{}'", *STYLE_HASH)));
        assert!(policy.starts_with("default-src 'none'"));
        assert_eq!(invalid().status(), StatusCode::BAD_REQUEST);
    }
}
