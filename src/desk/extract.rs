//! The console's extractors: the signed-in staff member (`Desk`, else 303 to the sign-in page), a
//! POST from one of their forms with the right CSRF field (`DeskPost`, else the 403 page), and the
//! sign-in form's POST checked against its nonce cookie (`SignInPost`).

use crate::desk::form::Form;
use crate::desk::page;
use crate::desk::session::{self, Desk};
use crate::error::ApiError;
use crate::i18n::Locale;
use crate::staff::auth;
use crate::state::AppState;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::Response;

/// Longer form bodies are not the console's forms (a note is at most 2,000 characters).
const MAX_FORM_BYTES: usize = 64 * 1024;

impl FromRequestParts<AppState> for Desk {
    /// Signed out (no cookie, or its session ended): 303 to the sign-in page.
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let locale = session::locale_of(&parts.headers);
        let Some(token) = session::session_token(state, &parts.headers) else {
            return Err(session::to_sign_in());
        };
        let mut conn = state
            .db
            .acquire()
            .await
            .map_err(|error| page::failure(locale, error.into()))?;
        let staff = match auth::authenticate(&mut conn, &token).await {
            Ok(staff) => staff,
            Err(ApiError::Unauthorized(_)) => return Err(session::to_sign_in()),
            Err(error) => return Err(page::failure(locale, error)),
        };
        let csrf = session::csrf_for(&staff.token_hash);
        Ok(Desk {
            staff,
            csrf,
            locale,
        })
    }
}

/// Reads a form body: 415 for another content type, 413 past the limit, 400 when not a form.
async fn read_form(request: Request, locale: Locale) -> Result<Form, Response> {
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(page::status_page(
            locale,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ));
    }
    let bytes = axum::body::to_bytes(request.into_body(), MAX_FORM_BYTES)
        .await
        .map_err(|_| page::status_page(locale, StatusCode::PAYLOAD_TOO_LARGE))?;
    Form::parse(&bytes).ok_or_else(|| page::status_page(locale, StatusCode::BAD_REQUEST))
}

/// A POST from a signed-in staff member's form whose `csrf` field is right (403 page otherwise).
pub struct DeskPost {
    pub desk: Desk,
    pub form: Form,
}

impl FromRequest<AppState> for DeskPost {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let desk = Desk::from_request_parts(&mut parts, state).await?;
        let form = read_form(Request::from_parts(parts, body), desk.locale).await?;
        if !session::csrf_ok(&desk.staff.token_hash, form.get("csrf")) {
            tracing::info!(staff_id = %desk.staff.id, "console form refused: wrong csrf field");
            return Err(page::status_page(desk.locale, StatusCode::FORBIDDEN));
        }
        Ok(DeskPost { desk, form })
    }
}

/// The sign-in form's POST: its fields, checked against the nonce cookie its page set.
pub struct SignInPost {
    pub locale: Locale,
    pub form: Form,
}

impl FromRequest<AppState> for SignInPost {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let locale = session::locale_of(request.headers());
        let nonce = session::sign_in_nonce_of(state, request.headers());
        let form = read_form(request, locale).await?;
        let fresh = nonce.is_some_and(|nonce| session::sign_in_ok(&nonce, form.get("csrf")));
        if !fresh {
            return Err(page::status_page(locale, StatusCode::FORBIDDEN));
        }
        Ok(SignInPost { locale, form })
    }
}

/// A signed-in admin; anyone else gets the 403 page before the request is read any further.
pub struct AdminDesk(pub Desk);

impl FromRequestParts<AppState> for AdminDesk {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let desk = Desk::from_request_parts(parts, state).await?;
        if !desk.is_admin() {
            return Err(page::desk_status_page(&desk, StatusCode::FORBIDDEN));
        }
        Ok(AdminDesk(desk))
    }
}

/// A POST from an admin's form (CSRF checked); anyone else gets the 403 page.
pub struct AdminPost {
    pub desk: Desk,
    pub form: Form,
}

impl FromRequest<AppState> for AdminPost {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let DeskPost { desk, form } = DeskPost::from_request(request, state).await?;
        if !desk.is_admin() {
            return Err(page::desk_status_page(&desk, StatusCode::FORBIDDEN));
        }
        Ok(AdminPost { desk, form })
    }
}
