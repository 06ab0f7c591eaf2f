//! `GET/POST /unsubscribe/{token}`: the link in every email, as HTML pages over `unsubscribing`.
//! The link is about one sender's emails (the clinic that sent it, or the network): GET shows the
//! person's categories there and changes nothing (mail scanners prefetch links). POST reads RFC
//! 8058 one-click (`List-Unsubscribe=One-Click` withdraws the token's categories at that sender),
//! the page's choices at that sender, or "unsubscribe from every sender".
//!
//! The pages speak `?lang=en|fr` when the URL asks for it, else the patient's language; the page's
//! forms post with its own `?lang=`, so the answer stays in that language.

use crate::consent::pages;
use crate::consent::unsubscribing::{self, UnsubscribeRequest};
use crate::domain::client::ClientInfo;
use crate::domain::consent::ConsentCategory;
use crate::error::ApiError;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use serde::Deserialize;
use utoipa::ToSchema;

/// Larger bodies are not ours: the page posts a few short fields.
const MAX_FORM_BYTES: usize = 16 * 1024;

/// The form a POST sends, urlencoded or multipart (the handler reads the raw body; this is its
/// documentation). Anything else is answered with the "not valid" page.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UnsubscribeForm {
    /// `One-Click` (RFC 8058): withdraws the link's categories.
    #[serde(rename = "List-Unsubscribe")]
    pub list_unsubscribe: Option<String>,
    /// The page's buttons: `unsubscribe_this`, `unsubscribe_all` (this sender), `unsubscribe_everywhere`
    /// (every sender) or `save`.
    pub action: Option<String>,
    /// With `save`: each category kept granted (the field repeated).
    pub category: Option<Vec<String>>,
}

#[utoipa::path(get, path = "/unsubscribe/{token}", tag = "public", operation_id = "show_unsubscribe_page",
    params(
        ("token" = String, Path, description = "From the email's link"),
        ("lang" = Option<crate::domain::locale::Locale>, Query, description = "`en` or `fr`: the page's language (default: the patient's)"),
    ),
    responses(
        (status = 200, description = "The preferences page (changes nothing)", content_type = "text/html", body = String),
        (status = 400, description = "The link is not valid or has expired", content_type = "text/html", body = String),
    ))]
pub async fn show(
    State(state): State<AppState>,
    token: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let requested = pages::requested_locale(query.as_deref());
    // A token that is not even UTF-8 once decoded is as invalid as a tampered one.
    let Ok(Path(token)) = token else {
        return Ok(pages::invalid(requested));
    };
    pages::render(
        unsubscribing::preferences(&state, &token, requested).await,
        requested,
        |preferences| {
            pages::preferences(
                preferences.locale,
                &preferences.sender.name,
                preferences.sender.phone.as_deref(),
                &preferences.link_categories,
                |category| preferences.granted.contains(&category),
            )
        },
    )
}

/// What the POST asks for, from its urlencoded or multipart body; `None`: not the page's form.
fn parse_form(headers: &HeaderMap, body: &[u8]) -> Option<UnsubscribeRequest> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let fields: Vec<(String, String)> = if content_type.starts_with("multipart/form-data") {
        multipart_fields(content_type, body)?
    } else {
        // Urlencoded is what the page sends and what most providers use for RFC 8058.
        serde_urlencoded::from_bytes(body).ok()?
    };
    let value = |name: &str| {
        fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    if value("List-Unsubscribe") == Some("One-Click") {
        return Some(UnsubscribeRequest::OneClick);
    }
    match value("action")? {
        "unsubscribe_this" => Some(UnsubscribeRequest::WithdrawThis),
        "unsubscribe_all" => Some(UnsubscribeRequest::WithdrawAll),
        "unsubscribe_everywhere" => Some(UnsubscribeRequest::WithdrawEverywhere),
        "save" => Some(UnsubscribeRequest::Keep(
            fields
                .iter()
                .filter(|(key, _)| key == "category")
                .filter_map(|(_, value)| ConsentCategory::parse(value))
                .collect(),
        )),
        _ => None,
    }
}

/// The simple text fields of a multipart/form-data body (RFC 8058 prefers this encoding).
fn multipart_fields(content_type: &str, body: &[u8]) -> Option<Vec<(String, String)>> {
    let boundary = content_type
        .split(';')
        .find_map(|part| part.trim().strip_prefix("boundary="))?;
    let boundary = format!("--{}", boundary.trim_matches('"'));
    let text = std::str::from_utf8(body).ok()?;
    Some(
        text.split(boundary.as_str())
            .filter_map(|part| {
                let (head, value) = part.split_once("\r\n\r\n")?;
                let name = head.split("name=\"").nth(1)?.split('"').next()?;
                Some((
                    name.to_owned(),
                    value.trim_end_matches("\r\n").trim().to_owned(),
                ))
            })
            .collect(),
    )
}

#[utoipa::path(post, path = "/unsubscribe/{token}", tag = "public", operation_id = "unsubscribe",
    params(
        ("token" = String, Path, description = "From the email's link"),
        ("lang" = Option<crate::domain::locale::Locale>, Query, description = "`en` or `fr`: the page's language (default: the patient's)"),
    ),
    request_body(content(
            (UnsubscribeForm = "application/x-www-form-urlencoded"),
            (UnsubscribeForm = "multipart/form-data"),
        ),
        description = "`List-Unsubscribe=One-Click` (RFC 8058), or the page's form: `action=unsubscribe_this|unsubscribe_all|unsubscribe_everywhere|save` and `category=...` for each kept category"),
    responses(
        (status = 200, description = "What is now in force", content_type = "text/html", body = String),
        (status = 400, description = "The link is not valid or has expired, or the form is not understood", content_type = "text/html", body = String),
    ))]
pub async fn apply(
    State(state): State<AppState>,
    token: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
    client: ClientInfo,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let requested = pages::requested_locale(query.as_deref());
    // Bodies over the server's limit, like those over ours, are not the page's form.
    let (Ok(Path(token)), Ok(body)) = (token, body) else {
        return Ok(pages::invalid(requested));
    };
    if body.len() > MAX_FORM_BYTES {
        return Ok(pages::invalid(requested));
    }
    let Some(request) = parse_form(&headers, &body) else {
        return Ok(pages::invalid(requested));
    };
    pages::render(
        unsubscribing::apply(&state, &token, request, requested, &client).await,
        requested,
        |applied| {
            pages::saved(
                applied.locale,
                &applied.sender.name,
                applied.everywhere,
                |category| applied.granted.contains(&category),
            )
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn forms_are_understood_in_both_encodings() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            "application/x-www-form-urlencoded".parse().unwrap(),
        );
        assert_eq!(
            parse_form(&headers, b"List-Unsubscribe=One-Click"),
            Some(UnsubscribeRequest::OneClick)
        );
        assert_eq!(
            parse_form(&headers, b"action=unsubscribe_all"),
            Some(UnsubscribeRequest::WithdrawAll)
        );
        assert_eq!(
            parse_form(
                &headers,
                b"action=save&category=exercise_plans&category=bogus"
            ),
            Some(UnsubscribeRequest::Keep(HashSet::from([
                ConsentCategory::ExercisePlans
            ])))
        );
        assert_eq!(
            parse_form(&headers, b"action=save"),
            Some(UnsubscribeRequest::Keep(HashSet::new()))
        );
        assert_eq!(parse_form(&headers, b"whatever=1"), None);
        headers.insert(
            header::CONTENT_TYPE,
            "multipart/form-data; boundary=XyZ".parse().unwrap(),
        );
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--XyZ--\r\n";
        assert_eq!(
            parse_form(&headers, body),
            Some(UnsubscribeRequest::OneClick)
        );
    }
}
