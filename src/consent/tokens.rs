//! Unsubscribe tokens: a patient's random handle, the categories the link covers and the day it was
//! issued, signed with HMAC-SHA256 under `SIGNING_KEY`. URL-safe, unguessable, and free of the
//! patient's id and email. Several keys may be configured: the first signs, all verify, so
//! rotating the key keeps recent links working.

use crate::domain::consent::ConsentCategory;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

type HmacSha256 = Hmac<Sha256>;

const VERSION: u8 = 1;
/// version (1) + patient handle (16) + categories (1) + issued day (4).
const PAYLOAD_LEN: usize = 22;
const MAC_LEN: usize = 32;
/// Links keep working this long after the email was sent (the contract asks for at least 60 days).
pub const VALID_DAYS: i64 = 180;

/// What a valid token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    pub patient_ref: Uuid,
    pub categories: Vec<ConsentCategory>,
    pub issued: DateTime<Utc>,
}

/// A token cannot be used; deliberately says nothing about why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidToken;

fn mask(categories: &[ConsentCategory]) -> u8 {
    categories
        .iter()
        .fold(0, |bits, category| bits | bit(*category))
}

fn bit(category: ConsentCategory) -> u8 {
    1 << ConsentCategory::ALL
        .iter()
        .position(|c| *c == category)
        .unwrap_or(0)
}

fn mac(key: &[u8], payload: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(payload);
    mac
}

/// Signs a token for `patient_ref` covering `categories`, issued at `now`.
pub fn sign(
    key: &[u8],
    patient_ref: Uuid,
    categories: &[ConsentCategory],
    now: DateTime<Utc>,
) -> String {
    let mut bytes = Vec::with_capacity(PAYLOAD_LEN + MAC_LEN);
    bytes.push(VERSION);
    bytes.extend_from_slice(patient_ref.as_bytes());
    bytes.push(mask(categories));
    let day = u32::try_from(now.timestamp().div_euclid(86_400)).unwrap_or(0);
    bytes.extend_from_slice(&day.to_be_bytes());
    let tag = mac(key, &bytes).finalize().into_bytes();
    bytes.extend_from_slice(&tag);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Checks the signature against every key (in constant time) and the age; returns what it says.
pub fn verify(keys: &[&[u8]], token: &str, now: DateTime<Utc>) -> Result<Claims, InvalidToken> {
    if token.len() > 128 {
        return Err(InvalidToken);
    }
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| InvalidToken)?;
    if bytes.len() != PAYLOAD_LEN + MAC_LEN || bytes[0] != VERSION {
        return Err(InvalidToken);
    }
    let (payload, tag) = bytes.split_at(PAYLOAD_LEN);
    if !keys
        .iter()
        .any(|key| mac(key, payload).verify_slice(tag).is_ok())
    {
        return Err(InvalidToken);
    }
    let patient_ref = Uuid::from_slice(&payload[1..17]).map_err(|_| InvalidToken)?;
    let bits = payload[17];
    let categories: Vec<ConsentCategory> = ConsentCategory::ALL
        .into_iter()
        .filter(|category| bits & bit(*category) != 0)
        .collect();
    let day = u32::from_be_bytes([payload[18], payload[19], payload[20], payload[21]]);
    let issued = DateTime::from_timestamp(i64::from(day) * 86_400, 0).ok_or(InvalidToken)?;
    let age_days = (now - issued).num_days();
    if categories.is_empty() || !(0..=VALID_DAYS).contains(&age_days) {
        return Err(InvalidToken);
    }
    Ok(Claims {
        patient_ref,
        categories,
        issued,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef-key-one";
    const OLD_KEY: &[u8] = b"0123456789abcdef0123456789abcdef-key-old";

    fn token() -> (Uuid, String) {
        let patient = Uuid::new_v4();
        (
            patient,
            sign(KEY, patient, &[ConsentCategory::ExercisePlans], Utc::now()),
        )
    }

    #[test]
    fn round_trip() {
        let (patient, token) = token();
        let claims = verify(&[KEY], &token, Utc::now()).unwrap();
        assert_eq!(claims.patient_ref, patient);
        assert_eq!(claims.categories, vec![ConsentCategory::ExercisePlans]);
        assert!(
            token
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert!(
            !token.contains(&patient.simple().to_string()),
            "the handle is not in clear text form"
        );
    }

    #[test]
    fn every_flipped_byte_and_every_truncation_is_rejected() {
        let (_, token) = token();
        let bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
        for index in 0..bytes.len() {
            let mut tampered = bytes.clone();
            tampered[index] ^= 0x01;
            assert_eq!(
                verify(&[KEY], &URL_SAFE_NO_PAD.encode(&tampered), Utc::now()),
                Err(InvalidToken),
                "byte {index}"
            );
        }
        for length in 0..token.len() {
            assert!(
                verify(&[KEY], &token[..length], Utc::now()).is_err(),
                "length {length}"
            );
        }
        assert!(verify(&[KEY], &format!("{token}A"), Utc::now()).is_err());
    }

    #[test]
    fn keys_rotate_and_tokens_expire() {
        let patient = Uuid::new_v4();
        let old = sign(OLD_KEY, patient, &ConsentCategory::ALL, Utc::now());
        assert!(
            verify(&[KEY], &old, Utc::now()).is_err(),
            "an unknown key does not verify"
        );
        assert_eq!(
            verify(&[KEY, OLD_KEY], &old, Utc::now())
                .unwrap()
                .categories
                .len(),
            4
        );
        let issued = Utc::now() - Duration::days(61);
        let sixty_one_days = sign(KEY, patient, &ConsentCategory::ALL, issued);
        assert!(
            verify(&[KEY], &sixty_one_days, Utc::now()).is_ok(),
            "valid for at least 60 days"
        );
        let stale = sign(
            KEY,
            patient,
            &ConsentCategory::ALL,
            Utc::now() - Duration::days(VALID_DAYS + 2),
        );
        assert!(verify(&[KEY], &stale, Utc::now()).is_err());
    }
}
