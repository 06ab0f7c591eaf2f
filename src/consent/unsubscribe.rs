//! `GET/POST /unsubscribe/{token}`: the link in every email. The link is about one sender's emails
//! (the clinic that sent it, or the network): GET shows the person's categories there and changes
//! nothing (mail scanners prefetch links). POST applies RFC 8058 one-click
//! (`List-Unsubscribe=One-Click` withdraws the token's categories at that sender), the page's
//! choices at that sender, or "unsubscribe from every sender". Each change is a consent-ledger
//! row, and queued emails of a withdrawn category from that sender are suppressed at once.

use crate::consent::ledger::{self, Evidence};
use crate::consent::pages::{self, choices, this_label};
use crate::consent::senders::{self, SenderInfo};
use crate::consent::tokens;
use crate::domain::client::ClientInfo;
use crate::domain::consent::{ConsentCategory, ConsentSource, Sender};
use crate::error::ApiError;
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

/// The patient behind a link and the sender whose emails it is about.
struct Subject {
    patient_id: Uuid,
    categories: Vec<ConsentCategory>,
    /// `None`: a link from before consent was kept per sender; it acts at every sender.
    sender: Option<Sender>,
    /// Who the page names: the clinic that sent the email (or the network).
    sender_info: SenderInfo,
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
    let patient_id: Option<Uuid> =
        sqlx::query_scalar("SELECT id FROM patients WHERE unsubscribe_ref = $1")
            .bind(claims.patient_ref)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(patient_id) = patient_id else {
        return Ok(None);
    };
    let sender_info = senders::describe(
        conn,
        claims.sender.unwrap_or(Sender::Network),
        state.settings.network_name.as_deref(),
    )
    .await?;
    Ok(Some(Subject {
        patient_id,
        categories: claims.categories,
        sender: claims.sender,
        sender_info,
    }))
}

/// The senders the link's choices apply to: its own, or every one for a legacy link.
async fn targets(conn: &mut PgConnection, subject: &Subject) -> Result<Vec<Sender>, sqlx::Error> {
    match subject.sender {
        Some(sender) => Ok(vec![sender]),
        None => ledger::senders_of(conn, subject.patient_id).await,
    }
}

/// The categories granted now at any of `senders`.
async fn granted_at_any(
    conn: &mut PgConnection,
    patient_id: Uuid,
    senders: &[Sender],
) -> Result<HashSet<ConsentCategory>, sqlx::Error> {
    let mut granted = HashSet::new();
    for sender in senders {
        granted.extend(ledger::granted_at(conn, patient_id, *sender).await?);
    }
    Ok(granted)
}

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
    params(("token" = String, Path, description = "From the email's link")),
    responses(
        (status = 200, description = "The preferences page (changes nothing)", content_type = "text/html", body = String),
        (status = 400, description = "The link is not valid or has expired", content_type = "text/html", body = String),
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
    let targets = targets(&mut conn, &subject).await?;
    let granted = granted_at_any(&mut conn, subject.patient_id, &targets).await?;
    Ok(pages::preferences(
        &subject.sender_info.name,
        subject.sender_info.phone.as_deref(),
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
    /// The page's "unsubscribe from everything" button (from this sender).
    WithdrawAll,
    /// The page's "unsubscribe from every sender" button: every clinic and the network.
    WithdrawEverywhere,
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
        "unsubscribe_everywhere" => Some(Request::WithdrawEverywhere),
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

#[utoipa::path(post, path = "/unsubscribe/{token}", tag = "public", operation_id = "unsubscribe",
    params(("token" = String, Path, description = "From the email's link")),
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
    ledger::lock_patient(&mut tx, subject.patient_id).await?;
    let source = match request {
        Request::OneClick => ConsentSource::OneClick,
        _ => ConsentSource::UnsubscribeLink,
    };
    let everywhere = request == Request::WithdrawEverywhere;
    let targets = if everywhere {
        ledger::senders_of(&mut tx, subject.patient_id).await?
    } else {
        targets(&mut tx, &subject).await?
    };
    let evidence = Evidence {
        source,
        wording_version: PAGE_WORDING_VERSION,
        client: &client,
        staff_id: None,
        note: None,
    };
    let mut changed = 0;
    for sender in &targets {
        let before = ledger::granted_at(&mut tx, subject.patient_id, *sender).await?;
        let wanted = match &request {
            Request::OneClick | Request::WithdrawThis => without(&before, &subject.categories),
            Request::WithdrawAll | Request::WithdrawEverywhere => HashSet::new(),
            Request::Keep(kept) => kept.clone(),
        };
        changed += ledger::set_state(&mut tx, subject.patient_id, *sender, &wanted, &evidence)
            .await?
            .len();
    }
    let now_granted = granted_at_any(&mut tx, subject.patient_id, &targets).await?;
    tx.commit().await?;
    if changed > 0 {
        tracing::info!(patient_id = %subject.patient_id, changes = changed, source = source.as_str(), "consent changed from an email link");
    }
    Ok(pages::saved(
        &subject.sender_info.name,
        everywhere,
        choices(|category| now_granted.contains(&category)),
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
