//! Signing staff in and out, whichever door they use (the JSON API's bearer token, the console's
//! cookie): the throttle counted before the slow password check, the same refusal for a wrong
//! email and a wrong password, and only the token's hash stored.

use crate::domain::client::ClientInfo;
use crate::error::ApiError;
use crate::error::Message;
use crate::staff::account_store::{self, StaffView};
use crate::staff::{password, session_store, throttle, token};
use crate::state::AppState;
use chrono::{DateTime, Utc};

/// Longer input than this is refused like a wrong password, before any work is spent on it.
const MAX_EMAIL_CHARS: usize = 254;
const MAX_PASSWORD_BYTES: usize = 1024;

/// A session just opened: the token is shown once, here.
pub struct Session {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub staff: StaffView,
}

pub fn wrong_credentials() -> ApiError {
    ApiError::Unauthorized(Message::new("problem-wrong-credentials"))
}

/// Opens a session for an active account whose password matches.
pub async fn sign_in(
    state: &AppState,
    email: &str,
    password_given: String,
    client: &ClientInfo,
) -> Result<Session, ApiError> {
    if email.len() > MAX_EMAIL_CHARS || password_given.len() > MAX_PASSWORD_BYTES {
        return Err(wrong_credentials());
    }
    // Counted before the (slow) password check, so concurrent guesses cannot outrun the count.
    let attempt = throttle::reserve(&state.db, email, client.ip).await?;
    let account = session_store::active_account(&state.db, email).await?;
    let verified = tokio::task::spawn_blocking(move || match &account {
        Some((id, stored)) => password::verify(&password_given, stored).then_some(*id),
        None => {
            password::verify_against_dummy(&password_given);
            None
        }
    })
    .await
    .map_err(anyhow::Error::from)?;
    let Some(staff_id) = verified else {
        tracing::info!("staff sign-in refused");
        attempt.failed(&state.db).await?;
        return Err(wrong_credentials());
    };
    attempt.succeeded(&state.db).await?;

    let token = token::generate();
    let ttl =
        chrono::Duration::from_std(state.settings.session_ttl).map_err(anyhow::Error::from)?;
    let expires_at = Utc::now() + ttl;
    let mut tx = crate::db::begin(&state.db).await?;
    session_store::open(&mut tx, staff_id, &token::hash(&token), expires_at, client).await?;
    let staff = account_store::fetch_view(&mut tx, staff_id)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("staff member {staff_id} vanished")))?;
    tx.commit().await?;
    tracing::info!(staff_id = %staff_id, "staff signed in");
    Ok(Session {
        token,
        expires_at,
        staff,
    })
}

/// Ends the session whose token hashes to `token_hash`.
pub async fn sign_out(state: &AppState, token_hash: &[u8]) -> Result<(), ApiError> {
    session_store::close(&state.db, token_hash).await?;
    Ok(())
}
