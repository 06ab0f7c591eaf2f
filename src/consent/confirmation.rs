//! `GET/POST /consent/confirm/{token}`: the double opt-in for `service_updates` as HTML pages over
//! `confirming`. The link comes in a `consent_confirmation` email; GET shows a page whose button
//! POSTs to the same URL (mail scanners fetch links, so GET changes nothing), and the POST confirms.
//! The pages speak `?lang=en|fr` when the URL asks for it, else the patient's language; the button
//! posts with the page's own `?lang=`.

use crate::consent::confirming::{self, ConfirmationView};
use crate::consent::pages;
use crate::domain::client::ClientInfo;
use crate::error::ApiError;
use crate::i18n::MissingText;
use crate::state::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;

fn page(view: ConfirmationView) -> Result<Response, MissingText> {
    Ok(if view.confirmed {
        pages::confirmed(view.locale, &view.senders)
    } else {
        pages::confirm(view.locale, &view.senders)
    })
}

#[utoipa::path(get, path = "/consent/confirm/{token}", tag = "public", operation_id = "show_consent_confirmation",
    params(
        ("token" = String, Path, description = "From the consent_confirmation email's link"),
        ("lang" = Option<crate::domain::locale::Locale>, Query, description = "`en` or `fr`: the page's language (default: the patient's)"),
    ),
    responses(
        (status = 200, description = "The page with the button that confirms (changes nothing)", content_type = "text/html", body = String),
        (status = 400, description = "The link is not valid or has expired", content_type = "text/html", body = String),
    ))]
pub async fn show(
    State(state): State<AppState>,
    token: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let requested = pages::requested_locale(query.as_deref());
    let Ok(Path(token)) = token else {
        return Ok(pages::invalid(requested));
    };
    pages::render(
        confirming::show(&state, &token, requested).await,
        requested,
        page,
    )
}

#[utoipa::path(post, path = "/consent/confirm/{token}", tag = "public", operation_id = "confirm_consent",
    params(
        ("token" = String, Path, description = "From the consent_confirmation email's link"),
        ("lang" = Option<crate::domain::locale::Locale>, Query, description = "`en` or `fr`: the page's language (default: the patient's)"),
    ),
    responses(
        (status = 200, description = "Confirmed: the grant is in the ledger", content_type = "text/html", body = String),
        (status = 400, description = "The link is not valid or has expired", content_type = "text/html", body = String),
    ))]
pub async fn confirm(
    State(state): State<AppState>,
    token: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
    client: ClientInfo,
) -> Result<Response, ApiError> {
    let requested = pages::requested_locale(query.as_deref());
    let Ok(Path(token)) = token else {
        return Ok(pages::invalid(requested));
    };
    pages::render(
        confirming::confirm(&state, &token, requested, &client).await,
        requested,
        page,
    )
}
