//! `GET/POST /consent/confirm/{token}`: the double opt-in for `service_updates`. The link comes in a
//! `consent_confirmation` email; GET shows a page whose button POSTs to the same URL (mail scanners
//! fetch links, so GET changes nothing), and the POST enters the grant in the ledger with source
//! `email_confirmation`. Links work for 7 days; using one again changes nothing.

use crate::consent::ledger::{self, Evidence};
use crate::consent::{pages, senders, tokens};
use crate::domain::client::ClientInfo;
use crate::domain::consent::{ConsentCategory, ConsentSource, Sender};
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct Pending {
    id: Uuid,
    patient_id: Uuid,
    clinic_id: Option<Uuid>,
    to_network: bool,
    category: String,
    wording_version: String,
    expires_at: DateTime<Utc>,
    confirmed_at: Option<DateTime<Utc>>,
}

/// The pending consent a link names, while the link is valid; `lock` holds it for this transaction.
async fn pending(
    conn: &mut PgConnection,
    state: &AppState,
    token: &str,
    lock: bool,
) -> Result<Option<Pending>, sqlx::Error> {
    let keys = state.settings.signing_keys();
    let key_refs: Vec<&[u8]> = keys.iter().map(Vec::as_slice).collect();
    let Ok(id) = tokens::verify_confirmation(&key_refs, token) else {
        return Ok(None);
    };
    let lock_clause = if lock { "FOR UPDATE" } else { "" };
    let row: Option<Pending> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT id, patient_id, clinic_id, to_network, category, wording_version, expires_at, confirmed_at
           FROM consent_confirmations WHERE id = $1 {lock_clause}"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    // A confirmed link keeps answering "confirmed"; an unconfirmed one dies at its expiry.
    Ok(row.filter(|row| row.confirmed_at.is_some() || row.expires_at > Utc::now()))
}

async fn senders_text(
    conn: &mut PgConnection,
    state: &AppState,
    row: &Pending,
) -> Result<String, sqlx::Error> {
    senders::form_senders_text(
        conn,
        row.clinic_id,
        row.to_network,
        state.settings.network_name.as_deref(),
    )
    .await
}

#[utoipa::path(get, path = "/consent/confirm/{token}", tag = "public", operation_id = "show_consent_confirmation",
    params(("token" = String, Path, description = "From the consent_confirmation email's link")),
    responses(
        (status = 200, description = "The page with the button that confirms (changes nothing)", content_type = "text/html", body = String),
        (status = 400, description = "The link is not valid or has expired", content_type = "text/html", body = String),
    ))]
pub async fn show(
    State(state): State<AppState>,
    token: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let Ok(Path(token)) = token else {
        return Ok(pages::invalid());
    };
    let mut conn = state.db.acquire().await?;
    let Some(row) = pending(&mut conn, &state, &token, false).await? else {
        return Ok(pages::invalid());
    };
    let senders = senders_text(&mut conn, &state, &row).await?;
    Ok(if row.confirmed_at.is_some() {
        pages::confirmed(&senders)
    } else {
        pages::confirm(&senders)
    })
}

#[utoipa::path(post, path = "/consent/confirm/{token}", tag = "public", operation_id = "confirm_consent",
    params(("token" = String, Path, description = "From the consent_confirmation email's link")),
    responses(
        (status = 200, description = "Confirmed: the grant is in the ledger", content_type = "text/html", body = String),
        (status = 400, description = "The link is not valid or has expired", content_type = "text/html", body = String),
    ))]
pub async fn confirm(
    State(state): State<AppState>,
    token: Result<Path<String>, PathRejection>,
    client: ClientInfo,
) -> Result<Response, ApiError> {
    let Ok(Path(token)) = token else {
        return Ok(pages::invalid());
    };
    let mut tx = crate::db::begin(&state.db).await?;
    let Some(row) = pending(&mut tx, &state, &token, true).await? else {
        return Ok(pages::invalid());
    };
    if row.confirmed_at.is_none() {
        let category = ConsentCategory::parse(&row.category).ok_or_else(|| {
            ApiError::Internal(anyhow::anyhow!(
                "pending consent {} has no category",
                row.id
            ))
        })?;
        let senders = Sender::of_form(row.clinic_id, row.to_network);
        let evidence = Evidence {
            source: ConsentSource::EmailConfirmation,
            wording_version: &row.wording_version,
            client: &client,
            staff_id: None,
            note: None,
        };
        for sender in senders {
            ledger::record(
                &mut tx,
                row.patient_id,
                sender,
                &[(category, true)],
                &evidence,
            )
            .await?;
        }
        sqlx::query("UPDATE consent_confirmations SET confirmed_at = now() WHERE id = $1")
            .bind(row.id)
            .execute(&mut *tx)
            .await?;
        tracing::info!(patient_id = %row.patient_id, "consent confirmed from an email link");
    }
    let senders = senders_text(&mut tx, &state, &row).await?;
    tx.commit().await?;
    Ok(pages::confirmed(&senders))
}
