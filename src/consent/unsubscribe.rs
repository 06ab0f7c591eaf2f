//! `GET/POST /unsubscribe/{token}`: the link in every email. GET shows the person's categories and
//! changes nothing (mail scanners prefetch links). POST applies RFC 8058 one-click
//! (`List-Unsubscribe=One-Click` withdraws the token's categories) or the page's form. Each change
//! is a consent-ledger row, and pending emails of a withdrawn category are suppressed at once.

use crate::consent::pages::{self, choices, this_label};
use crate::consent::{ledger, tokens};
use crate::domain::consent::{ConsentCategory, ConsentSource};
use crate::http::error::ApiError;
use crate::http::extract::ClientInfo;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use chrono::Utc;
use serde::Deserialize;
use sqlx::PgConnection;
use std::collections::HashSet;
use utoipa::ToSchema;
use uuid::Uuid;

/// Recorded with each change made from a link or the page.
pub const PAGE_WORDING_VERSION: &str = "2026-11-preferences-page-v1";
/// Larger bodies are not ours: the page posts a few short fields.
const MAX_FORM_BYTES: usize = 16 * 1024;

/// The patient behind a link, with the clinic that last saw them (for the page's wording).
struct Subject {
    patient_id: Uuid,
    categories: Vec<ConsentCategory>,
    clinic_name: String,
    clinic_phone: Option<String>,
}

async fn subject(
    conn: &mut PgConnection,
    state: &AppState,
    token: &str,
) -> Result<Option<Subject>, sqlx::Error> {
    let keys = state.settings.signing_keys();
    let key_refs: Vec<&[u8]> = keys.iter().map(Vec::as_slice).collect();
    let Ok(claims) = tokens::verify(&key_refs, token, Utc::now()) else {
        return Ok(None);
    };
    let row: Option<(Uuid, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT p.id, c.name, c.phone FROM patients p
           LEFT JOIN LATERAL (
             SELECT clinic_id, created_at FROM bookings WHERE patient_id = p.id
             UNION ALL
             SELECT clinic_id, created_at FROM callback_requests WHERE patient_id = p.id AND clinic_id IS NOT NULL
             ORDER BY created_at DESC LIMIT 1) last ON true
           LEFT JOIN clinics c ON c.id = last.clinic_id
          WHERE p.unsubscribe_ref = $1",
    )
    .bind(claims.patient_ref)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(patient_id, clinic_name, clinic_phone)| Subject {
        patient_id,
        categories: claims.categories,
        clinic_name: clinic_name.unwrap_or_else(|| "your clinic".to_owned()),
        clinic_phone,
    }))
}

async fn current(
    conn: &mut PgConnection,
    patient_id: Uuid,
) -> Result<HashSet<ConsentCategory>, sqlx::Error> {
    Ok(ledger::current(conn, patient_id)
        .await?
        .into_iter()
        .filter(|state| state.granted)
        .filter_map(|state| ConsentCategory::parse(&state.category))
        .collect())
}

/// The form a POST sends, urlencoded or multipart (the handler reads the raw body; this is its
/// documentation). Anything else is answered with the "not valid" page.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UnsubscribeForm {
    /// `One-Click` (RFC 8058): withdraws the link's categories.
    #[serde(rename = "List-Unsubscribe")]
    pub list_unsubscribe: Option<String>,
    /// The page's buttons: `unsubscribe_this`, `unsubscribe_all` or `save`.
    pub action: Option<String>,
    /// With `save`: each category kept granted (the field repeated).
    pub category: Option<Vec<String>>,
}

#[utoipa::path(get, path = "/unsubscribe/{token}", tag = "public",
    params(("token" = String, Path, description = "From the email's link")),
    responses(
        (status = 200, description = "The preferences page (changes nothing)", content_type = "text/html", body = String),
        (status = 400, description = "The link is not valid or has expired", content_type = "text/html", body = String),
        (status = 429, description = "Rate limited", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn show(
    State(state): State<AppState>,
    token: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    // A token that is not even UTF-8 once decoded is as invalid as a tampered one.
    let Ok(Path(token)) = token else {
        return Ok(pages::invalid());
    };
    let mut conn = state.db.acquire().await?;
    let Some(subject) = subject(&mut conn, &state, &token).await? else {
        return Ok(pages::invalid());
    };
    let granted = current(&mut conn, subject.patient_id).await?;
    Ok(pages::preferences(
        &subject.clinic_name,
        subject.clinic_phone.as_deref(),
        &this_label(&subject.categories),
        choices(|category| granted.contains(&category)),
    ))
}

/// What a POST asks for.
#[derive(Debug, PartialEq, Eq)]
enum Request {
    /// RFC 8058: withdraw the token's categories.
    OneClick,
    /// The page's "unsubscribe from this" button.
    WithdrawThis,
    /// The page's "unsubscribe from everything" button.
    WithdrawAll,
    /// The page's checkboxes: exactly these categories granted.
    Keep(HashSet<ConsentCategory>),
}

fn parse_form(headers: &HeaderMap, body: &[u8]) -> Option<Request> {
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
        return Some(Request::OneClick);
    }
    match value("action")? {
        "unsubscribe_this" => Some(Request::WithdrawThis),
        "unsubscribe_all" => Some(Request::WithdrawAll),
        "save" => Some(Request::Keep(
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

#[utoipa::path(post, path = "/unsubscribe/{token}", tag = "public",
    params(("token" = String, Path, description = "From the email's link")),
    request_body(content(
            (UnsubscribeForm = "application/x-www-form-urlencoded"),
            (UnsubscribeForm = "multipart/form-data"),
        ),
        description = "`List-Unsubscribe=One-Click` (RFC 8058), or the page's form: `action=unsubscribe_this|unsubscribe_all|save` and `category=...` for each kept category"),
    responses(
        (status = 200, description = "What is now in force", content_type = "text/html", body = String),
        (status = 400, description = "The link is not valid or has expired, or the form is not understood", content_type = "text/html", body = String),
        (status = 429, description = "Rate limited", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn apply(
    State(state): State<AppState>,
    token: Result<Path<String>, PathRejection>,
    client: ClientInfo,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    // Bodies over the server's limit, like those over ours, are not the page's form.
    let (Ok(Path(token)), Ok(body)) = (token, body) else {
        return Ok(pages::invalid());
    };
    if body.len() > MAX_FORM_BYTES {
        return Ok(pages::invalid());
    }
    let mut tx = crate::db::begin(&state.db).await?;
    let Some(subject) = subject(&mut tx, &state, &token).await? else {
        return Ok(pages::invalid());
    };
    let Some(request) = parse_form(&headers, &body) else {
        return Ok(pages::invalid());
    };
    // Serialise changes for one patient so two clicks cannot interleave their reads and writes.
    sqlx::query("SELECT 1 FROM patients WHERE id = $1 FOR UPDATE")
        .bind(subject.patient_id)
        .execute(&mut *tx)
        .await?;
    let before = current(&mut tx, subject.patient_id).await?;
    let (wanted, source) = match request {
        Request::OneClick => (
            without(&before, &subject.categories),
            ConsentSource::OneClick,
        ),
        Request::WithdrawThis => (
            without(&before, &subject.categories),
            ConsentSource::UnsubscribeLink,
        ),
        Request::WithdrawAll => (HashSet::new(), ConsentSource::UnsubscribeLink),
        Request::Keep(kept) => (kept, ConsentSource::UnsubscribeLink),
    };
    let changes: Vec<(ConsentCategory, bool)> = ConsentCategory::ALL
        .into_iter()
        .filter(|category| before.contains(category) != wanted.contains(category))
        .map(|category| (category, wanted.contains(&category)))
        .collect();
    ledger::record_changes(
        &mut tx,
        subject.patient_id,
        &changes,
        source,
        PAGE_WORDING_VERSION,
        &client,
    )
    .await?;
    let withdrawn: Vec<&str> = changes
        .iter()
        .filter(|(_, granted)| !granted)
        .map(|(category, _)| category.as_str())
        .collect();
    sqlx::query(
        "UPDATE email_outbox SET status = 'suppressed', last_error = 'consent withdrawn', lease_until = NULL
          WHERE patient_id = $1 AND category = ANY($2) AND status = 'queued'",
    )
    .bind(subject.patient_id)
    .bind(&withdrawn)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    if !changes.is_empty() {
        tracing::info!(patient_id = %subject.patient_id, changes = changes.len(), source = source.as_str(), "consent changed from an email link");
    }
    Ok(pages::saved(
        &subject.clinic_name,
        choices(|category| wanted.contains(&category)),
    ))
}

fn without(
    granted: &HashSet<ConsentCategory>,
    removed: &[ConsentCategory],
) -> HashSet<ConsentCategory> {
    granted
        .iter()
        .copied()
        .filter(|category| !removed.contains(category))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_are_understood_in_both_encodings() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            "application/x-www-form-urlencoded".parse().unwrap(),
        );
        assert_eq!(
            parse_form(&headers, b"List-Unsubscribe=One-Click"),
            Some(Request::OneClick)
        );
        assert_eq!(
            parse_form(&headers, b"action=unsubscribe_all"),
            Some(Request::WithdrawAll)
        );
        assert_eq!(
            parse_form(
                &headers,
                b"action=save&category=exercise_plans&category=bogus"
            ),
            Some(Request::Keep(HashSet::from([
                ConsentCategory::ExercisePlans
            ])))
        );
        assert_eq!(
            parse_form(&headers, b"action=save"),
            Some(Request::Keep(HashSet::new()))
        );
        assert_eq!(parse_form(&headers, b"whatever=1"), None);
        headers.insert(
            header::CONTENT_TYPE,
            "multipart/form-data; boundary=XyZ".parse().unwrap(),
        );
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--XyZ--\r\n";
        assert_eq!(parse_form(&headers, body), Some(Request::OneClick));
    }
}
