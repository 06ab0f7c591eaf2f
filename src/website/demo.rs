//! `GET /demo`: the three elements on one page of the service's own, for trying them (and for the
//! accessibility check). It shows `?clinic=` when that clinic exists, else the first clinic by name;
//! `?lang=` picks the language, else the request's `Accept-Language`.

use crate::directory::clinic_store;
use crate::error::ApiError;
use crate::http::language;
use crate::pages;
use crate::state::AppState;
use crate::website::script;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::Response;
use minijinja::context;

pub async fn show(State(state): State<AppState>, uri: Uri) -> Result<Response, ApiError> {
    let locale = pages::requested_locale(uri.query()).unwrap_or_else(language::current);
    let wanted =
        pages::query_value(uri.query(), "clinic").and_then(|raw| uuid::Uuid::parse_str(&raw).ok());
    let mut conn = state.db.acquire().await?;
    let clinic = clinic_store::shown_first(&mut conn, wanted).await?;
    drop(conn);
    let script = script::current().versioned_path();
    let snippet = format!(
        "<script src=\"{base}/embed.js\" defer></script>\n\
         <consultdesk-finder></consultdesk-finder>\n\
         <consultdesk-booking clinic=\"{clinic}\"></consultdesk-booking>\n\
         <consultdesk-callback clinic=\"{clinic}\"></consultdesk-callback>",
        base = state.settings.public_base_url.trim_end_matches('/'),
        clinic = clinic
            .as_ref()
            .map_or_else(|| "CLINIC-ID".to_owned(), |clinic| clinic.id.to_string()),
    );
    let mut response = pages::page(
        StatusCode::OK,
        "demo.html",
        locale,
        context! { script, snippet, clinic },
    );
    // The page runs the script and lets it call the API of the same origin; nothing else.
    let policy = format!(
        "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'sha256-{}'; \
         form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        pages::STYLE_HASH.as_str()
    );
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
        .headers_mut()
        .append(header::VARY, HeaderValue::from_static("accept-language"));
    Ok(response)
}
