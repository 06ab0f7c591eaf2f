//! Tokens in emailed links, signed with HMAC-SHA256 under `SIGNING_KEY`: URL-safe, unguessable,
//! and free of the patient's id and email, so nothing secret is stored to check them. Several keys
//! may be configured: the first signs, all verify, so rotating the key keeps recent links working.
//!
//! - Unsubscribe tokens name a patient's random handle, the categories the link covers, the sender
//!   of the email (a clinic or the network) and the day it was issued. Version 1 tokens, issued
//!   before consent was kept per sender, carry no sender and still verify: they act at every sender.
//! - Confirmation tokens (double opt-in) name a pending consent's id; its row holds the expiry.

use crate::domain::consent::{ConsentCategory, Sender};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

type HmacSha256 = Hmac<Sha256>;

const LEGACY_VERSION: u8 = 1;
const VERSION: u8 = 2;
/// version (1) + patient handle (16) + categories (1) + issued day (4).
const LEGACY_PAYLOAD_LEN: usize = 22;
/// The legacy payload + the sender (16: a clinic id, or the nil UUID for the network).
const PAYLOAD_LEN: usize = 38;
const MAC_LEN: usize = 32;
/// Each kind of token is signed under its own purpose, so one can never be passed off as another.
const UNSUBSCRIBE_PURPOSE: &[u8] = b"consultdesk/unsubscribe/v2\0";
const CONFIRMATION_PURPOSE: &[u8] = b"consultdesk/consent-confirmation/v1\0";
/// Links keep working this long after the email was sent (the contract asks for at least 60 days).
pub const VALID_DAYS: i64 = 180;
/// Longer than any token we issue: anything longer is refused before decoding.
pub const MAX_TOKEN_CHARS: usize = 128;
/// Every token is unpadded base64url.
pub const TOKEN_PATTERN: &str = "^[A-Za-z0-9_-]+$";

/// What a valid unsubscribe token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    pub patient_ref: Uuid,
    pub categories: Vec<ConsentCategory>,
    /// Whose emails the link is about; `None`: a legacy link, which acts at every sender.
    pub sender: Option<Sender>,
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

fn mac(key: &[u8], purpose: &[u8], payload: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(purpose);
    mac.update(payload);
    mac
}

/// `payload` followed by its tag, URL-safe.
pub(crate) fn seal(key: &[u8], purpose: &[u8], mut payload: Vec<u8>) -> String {
    let tag = mac(key, purpose, &payload).finalize().into_bytes();
    payload.extend_from_slice(&tag);
    URL_SAFE_NO_PAD.encode(payload)
}

/// The payload of a token whose tag any key verifies (in constant time), or `InvalidToken`.
pub(crate) fn open(keys: &[&[u8]], purpose: &[u8], token: &str) -> Result<Vec<u8>, InvalidToken> {
    if token.len() > MAX_TOKEN_CHARS {
        return Err(InvalidToken);
    }
    let mut bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| InvalidToken)?;
    if bytes.len() <= MAC_LEN {
        return Err(InvalidToken);
    }
    let tag = bytes.split_off(bytes.len() - MAC_LEN);
    if !keys
        .iter()
        .any(|key| mac(key, purpose, &bytes).verify_slice(&tag).is_ok())
    {
        return Err(InvalidToken);
    }
    Ok(bytes)
}

/// Signs an unsubscribe token for `patient_ref` covering `categories` of `sender`'s emails.
pub fn sign(
    key: &[u8],
    patient_ref: Uuid,
    categories: &[ConsentCategory],
    sender: Sender,
    now: DateTime<Utc>,
) -> String {
    let mut bytes = Vec::with_capacity(PAYLOAD_LEN);
    bytes.push(VERSION);
    bytes.extend_from_slice(patient_ref.as_bytes());
    bytes.push(mask(categories));
    let day = u32::try_from(now.timestamp().div_euclid(86_400)).unwrap_or(0);
    bytes.extend_from_slice(&day.to_be_bytes());
    bytes.extend_from_slice(sender.clinic_id().unwrap_or(Uuid::nil()).as_bytes());
    seal(key, UNSUBSCRIBE_PURPOSE, bytes)
}

/// Checks an unsubscribe token's signature and age; returns what it says.
pub fn verify(keys: &[&[u8]], token: &str, now: DateTime<Utc>) -> Result<Claims, InvalidToken> {
    let (payload, sender) = match open(keys, UNSUBSCRIBE_PURPOSE, token) {
        Ok(payload) if payload.len() == PAYLOAD_LEN && payload[0] == VERSION => {
            let clinic = Uuid::from_slice(&payload[22..38]).map_err(|_| InvalidToken)?;
            let sender = Sender::of((!clinic.is_nil()).then_some(clinic));
            (payload, Some(sender))
        }
        _ => (verify_legacy(keys, token)?, None),
    };
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
        sender,
        issued,
    })
}

/// Version 1 links (no sender, no purpose in the tag): still honoured until they expire.
fn verify_legacy(keys: &[&[u8]], token: &str) -> Result<Vec<u8>, InvalidToken> {
    let payload = open(keys, b"", token)?;
    if payload.len() != LEGACY_PAYLOAD_LEN || payload[0] != LEGACY_VERSION {
        return Err(InvalidToken);
    }
    Ok(payload)
}

/// Signs the link that confirms the pending consent `confirmation_id`.
pub fn sign_confirmation(key: &[u8], confirmation_id: Uuid) -> String {
    seal(
        key,
        CONFIRMATION_PURPOSE,
        confirmation_id.as_bytes().to_vec(),
    )
}

/// The pending consent a confirmation link names (its row says whether it is still valid).
pub fn verify_confirmation(keys: &[&[u8]], token: &str) -> Result<Uuid, InvalidToken> {
    let payload = open(keys, CONFIRMATION_PURPOSE, token)?;
    Uuid::from_slice(&payload).map_err(|_| InvalidToken)
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
            sign(
                KEY,
                patient,
                &[ConsentCategory::ExercisePlans],
                Sender::Network,
                Utc::now(),
            ),
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
        let old = sign(
            OLD_KEY,
            patient,
            &ConsentCategory::ALL,
            Sender::Network,
            Utc::now(),
        );
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
        let sixty_one_days = sign(KEY, patient, &ConsentCategory::ALL, Sender::Network, issued);
        assert!(
            verify(&[KEY], &sixty_one_days, Utc::now()).is_ok(),
            "valid for at least 60 days"
        );
        let stale = sign(
            KEY,
            patient,
            &ConsentCategory::ALL,
            Sender::Network,
            Utc::now() - Duration::days(VALID_DAYS + 2),
        );
        assert!(verify(&[KEY], &stale, Utc::now()).is_err());
    }

    #[test]
    fn the_sender_travels_with_the_token() {
        let clinic = Uuid::now_v7();
        let patient = Uuid::new_v4();
        let signed = sign(
            KEY,
            patient,
            &[ConsentCategory::AppointmentReminders],
            Sender::Clinic(clinic),
            Utc::now(),
        );
        let claims = verify(&[KEY], &signed, Utc::now()).unwrap();
        assert_eq!(claims.sender, Some(Sender::Clinic(clinic)));
        let (_, network) = token();
        assert_eq!(
            verify(&[KEY], &network, Utc::now()).unwrap().sender,
            Some(Sender::Network)
        );
    }

    #[test]
    fn legacy_links_still_work_and_act_at_every_sender() {
        let patient = Uuid::new_v4();
        let mut payload = vec![LEGACY_VERSION];
        payload.extend_from_slice(patient.as_bytes());
        payload.push(mask(&[ConsentCategory::PlansOfCare]));
        let day = u32::try_from(Utc::now().timestamp() / 86_400).unwrap();
        payload.extend_from_slice(&day.to_be_bytes());
        let legacy = seal(KEY, b"", payload);
        let claims = verify(&[KEY], &legacy, Utc::now()).unwrap();
        assert_eq!(claims.patient_ref, patient);
        assert_eq!(claims.categories, vec![ConsentCategory::PlansOfCare]);
        assert_eq!(claims.sender, None);
    }

    #[test]
    fn confirmation_tokens_are_their_own_kind() {
        let id = Uuid::now_v7();
        let confirmation = sign_confirmation(KEY, id);
        assert_eq!(verify_confirmation(&[OLD_KEY, KEY], &confirmation), Ok(id));
        assert!(verify(&[KEY], &confirmation, Utc::now()).is_err());
        let (_, unsubscribe) = token();
        assert!(verify_confirmation(&[KEY], &unsubscribe).is_err());
        let mut tampered = URL_SAFE_NO_PAD.decode(&confirmation).unwrap();
        tampered[3] ^= 1;
        assert!(verify_confirmation(&[KEY], &URL_SAFE_NO_PAD.encode(tampered)).is_err());
    }
}
