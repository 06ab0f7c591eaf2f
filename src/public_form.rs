//! The one flow every public form's POST follows (a callback request, a booking; the website's
//! widgets and the manage page after them), so the rules below hold for all of them alike:
//!
//! - One transaction holds everything the submission causes (patient, consents, the record, its
//!   emails) and its `Idempotency-Key` record: a failure leaves nothing behind, and a retried
//!   submission replays the first answer instead of creating a second record.
//! - The honeypot (the hidden `website` field): a filled one is a bot. Its submission runs exactly
//!   as a person's would, so the answer (the 201, or the same 409, 422 or 429) tells it nothing, and
//!   then the transaction is rolled back: nothing is stored and no email leaves.

use crate::error::ApiError;
use crate::idempotency::{self, StoredResponse, respond};
use axum::response::Response;
use serde_json::{Map, Value};
use sqlx::{PgConnection, PgPool};

/// What a form's submission created: the 201's body and where the new record lives.
pub struct Created {
    pub body: Value,
    pub location: String,
}

/// One submission of a public form.
pub struct Submission<'a> {
    /// The idempotency scope: the method and path.
    pub scope: &'static str,
    /// The client's `Idempotency-Key`, already checked (`idempotency::key_from`).
    pub key: Option<String>,
    /// The JSON body as sent: its fingerprint tells a replay from a different request.
    pub body: &'a Map<String, Value>,
}

/// True when the hidden `website` field was filled in.
pub fn honeypot_tripped(body: &Map<String, Value>) -> bool {
    match body.get("website") {
        None | Some(Value::Null) => false,
        Some(Value::String(text)) => !text.trim().is_empty(),
        Some(_) => true,
    }
}

/// Runs `create` in the submission's transaction under the rules above and answers 201.
pub async fn submit(
    db: &PgPool,
    submission: Submission<'_>,
    create: impl AsyncFnOnce(&mut PgConnection) -> Result<Created, ApiError>,
) -> Result<Response, ApiError> {
    let Submission { scope, key, body } = submission;
    let mut tx = crate::db::begin(db).await?;
    if let Some(key) = &key
        && let Some(stored) =
            idempotency::claim(&mut tx, scope, key, &idempotency::fingerprint(body)).await?
    {
        tx.rollback().await?;
        return Ok(respond(stored));
    }
    let created = create(&mut tx).await?;
    let answer = StoredResponse {
        status: 201,
        body: created.body,
        location: Some(created.location),
    };
    if let Some(key) = &key {
        idempotency::complete(&mut tx, scope, key, &answer).await?;
    }
    if honeypot_tripped(body) {
        tx.rollback().await?;
        tracing::info!(
            scope,
            "honeypot field filled: answered as success, stored nothing"
        );
    } else {
        tx.commit().await?;
        // Logged once committed, so a rolled-back submission never reads as received.
        tracing::info!(scope, location = ?answer.location, "public form submission stored");
    }
    Ok(respond(answer))
}

#[cfg(test)]
mod tests {
    use super::honeypot_tripped;
    use serde_json::json;

    #[test]
    fn only_a_filled_website_field_is_a_bot() {
        let tripped = |body: serde_json::Value| honeypot_tripped(body.as_object().unwrap());
        assert!(!tripped(json!({})));
        assert!(!tripped(json!({"website": null})));
        assert!(!tripped(json!({"website": "  "})));
        assert!(tripped(json!({"website": "http://spam"})));
        assert!(tripped(json!({"website": 1})));
    }
}
