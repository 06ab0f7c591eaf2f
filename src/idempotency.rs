//! `Idempotency-Key` for public POSTs. The key row is inserted first in the request's transaction:
//! a concurrent request with the same key blocks on that insert until the first commits, then finds
//! the stored response and replays it. Same key with a different body is a 422.

use crate::domain::Invalid;
use crate::error::ApiError;
use axum::Json;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use sqlx::PgConnection;

pub const HEADER: &str = "idempotency-key";
const MAX_KEY_LENGTH: usize = 255;

/// The stored first answer to a key.
#[derive(Debug, Clone)]
pub struct StoredResponse {
    pub status: u16,
    pub body: Value,
    pub location: Option<String>,
}

/// The answer itself: the same status, body and `Location` every time it is replayed.
pub fn respond(stored: StoredResponse) -> Response {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut response = (status, Json(stored.body)).into_response();
    if let Some(value) = stored
        .location
        .and_then(|location| HeaderValue::from_str(&location).ok())
    {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// The client's key, when it sent one; 422 when it is not printable ASCII of sane length.
pub fn key_from(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get(HEADER) else {
        return Ok(None);
    };
    match value.to_str() {
        Ok(key)
            if !key.trim().is_empty()
                && key.len() <= MAX_KEY_LENGTH
                && key.chars().all(|c| c.is_ascii_graphic()) =>
        {
            Ok(Some(key.to_owned()))
        }
        _ => Err(ApiError::validation(
            "Idempotency-Key",
            Invalid::new("invalid_idempotency_key", "field-invalid-idempotency-key"),
        )),
    }
}

/// A fingerprint of the body: the same JSON object gives the same hash whatever its key order or spacing.
pub fn fingerprint(body: &Map<String, Value>) -> Vec<u8> {
    let mut hasher = Sha256::new();
    hash_canonical(&Value::Object(body.clone()), &mut hasher);
    hasher.finalize().to_vec()
}

/// Feeds `value` to the hasher with object keys sorted, whatever order the map keeps them in.
fn hash_canonical(value: &Value, hasher: &mut Sha256) {
    match value {
        Value::Object(object) => {
            let mut keys: Vec<&String> = object.keys().collect();
            keys.sort();
            hasher.update(b"{");
            for key in keys {
                hasher.update(serde_json::to_vec(key).unwrap_or_default());
                hasher.update(b":");
                hash_canonical(&object[key], hasher);
                hasher.update(b",");
            }
            hasher.update(b"}");
        }
        Value::Array(items) => {
            hasher.update(b"[");
            for item in items {
                hash_canonical(item, hasher);
                hasher.update(b",");
            }
            hasher.update(b"]");
        }
        scalar => hasher.update(serde_json::to_vec(scalar).unwrap_or_default()),
    }
}

/// Claims `key` for this request inside `conn`'s transaction. `Ok(None)`: go ahead, then call [`complete`].
/// `Ok(Some(stored))`: an earlier request with this key and body already answered; replay it.
pub async fn claim(
    conn: &mut PgConnection,
    scope: &str,
    key: &str,
    request_hash: &[u8],
) -> Result<Option<StoredResponse>, ApiError> {
    // The placeholder status 0 is never visible to others: the row only becomes visible on commit,
    // by which time `complete` has replaced it.
    let inserted = sqlx::query!(
        "INSERT INTO idempotency_keys (scope, key, request_hash, response_status, response_body)
         VALUES ($1, $2, $3, 0, 'null'::jsonb) ON CONFLICT (scope, key) DO NOTHING",
        scope,
        key,
        request_hash,
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if inserted == 1 {
        return Ok(None);
    }
    let stored = sqlx::query!(
        "SELECT request_hash, response_status, response_body, location FROM idempotency_keys WHERE scope = $1 AND key = $2",
        scope,
        key,
    )
    .fetch_one(&mut *conn)
    .await?;
    if stored.request_hash != request_hash {
        return Err(ApiError::validation(
            "Idempotency-Key",
            Invalid::new("idempotency_key_reused", "field-idempotency-key-reused"),
        ));
    }
    Ok(Some(StoredResponse {
        status: u16::try_from(stored.response_status).unwrap_or(200),
        body: stored.response_body,
        location: stored.location,
    }))
}

/// Stores the answer for a claimed key, in the same transaction as the rows it describes.
pub async fn complete(
    conn: &mut PgConnection,
    scope: &str,
    key: &str,
    response: &StoredResponse,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE idempotency_keys SET response_status = $3, response_body = $4, location = $5 WHERE scope = $1 AND key = $2",
        scope,
        key,
        i16::try_from(response.status).unwrap_or(200),
        response.body,
        response.location,
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fingerprint_ignores_key_order_but_not_values() {
        let a: Map<String, Value> =
            serde_json::from_str(r#"{"a":1,"b":{"x":[1,2],"y":"z"}}"#).unwrap();
        let b: Map<String, Value> =
            serde_json::from_str(r#"{ "b": {"y":"z","x":[1,2]}, "a": 1 }"#).unwrap();
        assert_eq!(fingerprint(&a), fingerprint(&b));
        let c = json!({"a": 1, "b": {"x": [2, 1], "y": "z"}});
        assert_ne!(fingerprint(&a), fingerprint(c.as_object().unwrap()));
    }
}
