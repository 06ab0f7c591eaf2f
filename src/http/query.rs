//! Query-string parameters read one by one, every malformed one named in a single 400 problem,
//! plus the list conventions: `limit` (default 20, max 100) and an opaque `cursor`.

use crate::domain::Invalid;
use crate::error::{ApiError, FieldError, Message};
use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 100;
/// Longer cursors than this are not ours; refuse before decoding.
const MAX_CURSOR_LENGTH: usize = 512;

pub struct QueryParams {
    values: HashMap<String, String>,
    errors: Vec<FieldError>,
}

impl<S: Send + Sync> FromRequestParts<S> for QueryParams {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Query(pairs) = Query::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|rejection| {
                ApiError::BadRequest(
                    Message::new("problem-malformed-query").arg("reason", rejection.body_text()),
                )
            })?;
        Ok(QueryParams {
            values: pairs.into_iter().collect(),
            errors: Vec::new(),
        })
    }
}

impl QueryParams {
    pub fn error(&mut self, name: &str, invalid: Invalid) {
        self.errors.push(FieldError::new(name, invalid));
    }

    /// The value of `name`, parsed; blank counts as absent.
    pub fn optional<T>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, Invalid>,
    ) -> Option<T> {
        let raw = self
            .values
            .get(name)
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())?;
        match parse(&raw) {
            Ok(value) => Some(value),
            Err(invalid) => {
                self.error(name, invalid);
                None
            }
        }
    }

    pub fn uuid(&mut self, name: &str) -> Option<Uuid> {
        self.optional(name, crate::domain::fields::parse_uuid)
    }

    /// One of `allowed`, returned as given.
    /// One of a fixed set of names: plain strings, or a text enum's values.
    pub fn one_of<T: Copy + Into<&'static str>>(&mut self, name: &str, allowed: &[T]) -> Option<T> {
        self.optional(name, |raw| {
            allowed
                .iter()
                .copied()
                .find(|candidate| (*candidate).into() == raw)
                .ok_or_else(|| {
                    let names: Vec<&str> = allowed.iter().map(|value| (*value).into()).collect();
                    Invalid::new("invalid_value", "field-one-of").arg("allowed", names.join(", "))
                })
        })
    }

    pub fn limit(&mut self) -> i64 {
        self.optional("limit", |raw| match raw.parse::<i64>() {
            Ok(limit) if (1..=MAX_LIMIT).contains(&limit) => Ok(limit),
            _ => Err(Invalid::new("out_of_range", "field-whole-number-range")
                .arg("min", 1)
                .arg("max", MAX_LIMIT)),
        })
        .unwrap_or(DEFAULT_LIMIT)
    }

    pub fn cursor<T: DeserializeOwned>(&mut self) -> Option<T> {
        self.optional("cursor", |raw| {
            decode_cursor(raw).ok_or_else(|| Invalid::new("invalid_cursor", "field-invalid-cursor"))
        })
    }

    /// Whether `name` was given with a non-blank value.
    pub fn is_given(&self, name: &str) -> bool {
        self.values
            .get(name)
            .is_some_and(|value| !value.trim().is_empty())
    }

    /// Ends reading for endpoints whose parameters are their whole input (search): a 422 naming every
    /// invalid parameter, as a body would get.
    pub fn finish_as_validation(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.errors))
        }
    }

    /// Ends reading: a 400 naming every malformed parameter, if any.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            return Ok(());
        }
        let names: Vec<_> = self
            .errors
            .iter()
            .map(|error| error.field.clone())
            .collect();
        Err(ApiError::BadQuery {
            detail: Message::new("problem-invalid-parameters").arg("names", names.join(", ")),
            errors: self.errors,
        })
    }
}

pub fn encode_cursor(position: &impl Serialize) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(position).unwrap_or_default())
}

pub fn decode_cursor<T: DeserializeOwned>(raw: &str) -> Option<T> {
    if raw.len() > MAX_CURSOR_LENGTH {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(raw).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// One page of a list: `{"items": [...], "next_cursor": "..." | null}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from `limit + 1` fetched rows: the extra row only tells that more exist.
    pub fn from_rows<P: Serialize>(
        mut rows: Vec<T>,
        limit: i64,
        position: impl Fn(&T) -> P,
    ) -> Self {
        let has_more = rows.len() as i64 > limit;
        rows.truncate(limit.max(0) as usize);
        let next_cursor = if has_more {
            rows.last().map(|last| encode_cursor(&position(last)))
        } else {
            None
        };
        Page {
            items: rows,
            next_cursor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let cursor = encode_cursor(&(3, "x"));
        assert_eq!(
            decode_cursor::<(i32, String)>(&cursor),
            Some((3, "x".to_owned()))
        );
        assert_eq!(decode_cursor::<(i32, String)>("!!!"), None);
        assert_eq!(decode_cursor::<(i32, String)>(&"A".repeat(600)), None);
    }

    #[test]
    fn a_cursors_distance_comes_back_to_the_bit() {
        // A distance Postgres computed, which the default JSON float parser reads one ulp off.
        let distance = f64::from_bits(0x409a_4885_7d9b_5725);
        for d in [distance, 0.1 + 0.2, 5e-324, 4615.551148860333] {
            let back: f64 = decode_cursor(&encode_cursor(&d)).unwrap();
            assert_eq!(back.to_bits(), d.to_bits(), "{d}");
        }
    }

    #[test]
    fn pages_know_when_more_exist() {
        let page = Page::from_rows(vec![1, 2, 3], 2, |n| *n);
        assert_eq!(page.items, vec![1, 2]);
        assert_eq!(
            decode_cursor::<i32>(page.next_cursor.as_deref().unwrap()),
            Some(2)
        );
        assert!(Page::from_rows(vec![1, 2], 2, |n| *n).next_cursor.is_none());
    }
}
