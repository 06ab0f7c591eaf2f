//! `GET|POST /desk/sign-in`, `POST /desk/sign-out` and the language switch. Signing in follows the
//! JSON API's rules (`staff::signing`: the same throttle, the same answer for a wrong email and a
//! wrong password); the session token goes into the console's cookie instead of the answer.

use crate::desk::extract::{DeskPost, SignInPost};
use crate::desk::page;
use crate::desk::session;
use crate::domain::client::ClientInfo;
use crate::error::ApiError;
use crate::i18n::{self, Locale};
use crate::pages;
use crate::staff::signing;
use crate::state::AppState;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;

/// The sign-in page with a fresh nonce (its cookie set), `problem` above the form.
fn sign_in_page(
    state: &AppState,
    locale: Locale,
    status: StatusCode,
    email: &str,
    problem: Option<String>,
) -> Response {
    let (cookie, csrf) = session::sign_in_nonce(state);
    let mut response = page::bare(
        locale,
        status,
        "sign_in.html",
        context! { csrf, email, problem },
    );
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

pub async fn show(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if session::signed_in(&state, &headers).await {
        return Redirect::to("/desk/").into_response();
    }
    let locale = session::locale_of(&headers);
    sign_in_page(&state, locale, StatusCode::OK, "", None)
}

pub async fn sign_in(
    State(state): State<AppState>,
    client: ClientInfo,
    SignInPost { locale, form }: SignInPost,
) -> Response {
    let email = form.get("email").unwrap_or_default().trim().to_owned();
    let password = form.get("password").unwrap_or_default().to_owned();
    if email.is_empty() || password.is_empty() {
        let words = i18n::text(locale, "desk-sign-in-missing").unwrap_or_default();
        return sign_in_page(
            &state,
            locale,
            StatusCode::UNPROCESSABLE_ENTITY,
            &email,
            Some(words),
        );
    }
    match signing::sign_in(&state, &email, password, &client).await {
        Ok(opened) => {
            let mut response = Redirect::to("/desk/").into_response();
            for cookie in session::session_cookies(&state, opened.token) {
                response.headers_mut().append(header::SET_COOKIE, cookie);
            }
            response
        }
        Err(ApiError::Unauthorized(message)) => {
            let words = i18n::render(locale, &message).unwrap_or_default();
            sign_in_page(
                &state,
                locale,
                StatusCode::UNAUTHORIZED,
                &email,
                Some(words),
            )
        }
        Err(ApiError::RateLimited { retry_after_secs }) => {
            let minutes = retry_after_secs.div_ceil(60).max(1);
            let words = crate::t!(locale, "desk-sign-in-throttled", minutes = minutes as i64)
                .unwrap_or_default();
            let mut response = sign_in_page(
                &state,
                locale,
                StatusCode::TOO_MANY_REQUESTS,
                &email,
                Some(words),
            );
            if let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
        Err(error) => page::failure(locale, error),
    }
}

pub async fn sign_out(State(state): State<AppState>, DeskPost { desk, .. }: DeskPost) -> Response {
    if let Err(error) = signing::sign_out(&state, &desk.staff.token_hash).await {
        return page::failure(desk.locale, error);
    }
    let mut response = session::to_sign_in();
    response
        .headers_mut()
        .append(header::SET_COOKIE, session::session_removal(&state));
    response
}

/// `GET /desk/language?to=en|fr&back=/desk/…`: keeps the console in that language (a cookie) and
/// goes back. Only a console path is a place to go back to (never another site).
pub async fn switch_language(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let value = |name: &str| pages::query_value(query.as_deref(), name);
    let back = value("back")
        .filter(|back| back.starts_with("/desk") && !back.contains("//") && !back.contains('\\'))
        .unwrap_or_else(|| "/desk/".to_owned());
    let mut response = Redirect::to(&back).into_response();
    if let Some(locale) = value("to").and_then(|to| Locale::from_tag(&to)) {
        response
            .headers_mut()
            .append(header::SET_COOKIE, session::language_cookie(&state, locale));
    }
    response
}
