//! The language of an answer. Problem answers (and later pages without a patient of their own)
//! follow the request's `Accept-Language`; the negotiated locale is kept for the request's task so
//! that an error built deep inside a handler is rendered in it without every function passing it.

use crate::i18n::Locale;
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;

tokio::task_local! {
    static REQUEST_LOCALE: Locale;
}

/// The layer: negotiates the request's language and runs the rest of the request with it.
pub async fn negotiate(request: Request, next: Next) -> Response {
    let locale = accepted(request.headers());
    REQUEST_LOCALE.scope(locale, next.run(request)).await
}

/// The language the request asked for (`Accept-Language`), English when it names none of ours.
pub fn accepted(headers: &axum::http::HeaderMap) -> Locale {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
        .map(Locale::negotiate)
        .unwrap_or_default()
}

/// The current request's language; English outside a request (a background job's logs).
pub fn current() -> Locale {
    REQUEST_LOCALE
        .try_with(|locale| *locale)
        .unwrap_or_default()
}
