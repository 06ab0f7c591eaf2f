//! The token in a booking email's "Need to change your appointment?" link: the booking's id and
//! when the link stops working (a day after the booking ends), signed with HMAC-SHA256 under
//! `SIGNING_KEY` like the unsubscribe links (`consent::tokens`): the first key signs, every
//! configured key verifies, so a rotation keeps recent links working and a key dropped from the
//! list voids its links. Nothing is stored to check a token.

use crate::consent::tokens::{InvalidToken, open, seal};
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

/// Signed under its own purpose: an unsubscribe or confirmation token is never a manage token.
const PURPOSE: &[u8] = b"consultdesk/manage-booking/v1\0";
const VERSION: u8 = 1;
/// version (1) + booking id (16) + expiry in Unix seconds (8).
const PAYLOAD_LEN: usize = 25;

/// How long after its end a booking's link keeps working.
pub fn expiry(ends_at: DateTime<Utc>) -> DateTime<Utc> {
    ends_at + Duration::days(1)
}

/// Signs the link of booking `booking_id`, valid until `expires_at`.
pub fn sign(key: &[u8], booking_id: Uuid, expires_at: DateTime<Utc>) -> String {
    let mut payload = Vec::with_capacity(PAYLOAD_LEN);
    payload.push(VERSION);
    payload.extend_from_slice(booking_id.as_bytes());
    payload.extend_from_slice(&expires_at.timestamp().to_be_bytes());
    seal(key, PURPOSE, payload)
}

/// The booking a token names, when some key verifies it and it has not expired.
pub fn verify(keys: &[&[u8]], token: &str, now: DateTime<Utc>) -> Result<Uuid, InvalidToken> {
    let payload = open(keys, PURPOSE, token)?;
    if payload.len() != PAYLOAD_LEN || payload[0] != VERSION {
        return Err(InvalidToken);
    }
    let booking_id = Uuid::from_slice(&payload[1..17]).map_err(|_| InvalidToken)?;
    let mut seconds = [0u8; 8];
    seconds.copy_from_slice(&payload[17..25]);
    let expires_at =
        DateTime::from_timestamp(i64::from_be_bytes(seconds), 0).ok_or(InvalidToken)?;
    if now >= expires_at {
        return Err(InvalidToken);
    }
    Ok(booking_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef-manage-1";
    const OLD_KEY: &[u8] = b"0123456789abcdef0123456789abcdef-manage-0";

    #[test]
    fn a_token_names_its_booking_until_it_expires() {
        let booking = Uuid::now_v7();
        let now = Utc::now();
        let token = sign(KEY, booking, now + Duration::hours(1));
        assert_eq!(verify(&[KEY], &token, now), Ok(booking));
        assert_eq!(verify(&[KEY, OLD_KEY], &token, now), Ok(booking));
        assert_eq!(verify(&[OLD_KEY, KEY], &token, now), Ok(booking));
        assert_eq!(
            verify(&[KEY], &token, now + Duration::hours(1)),
            Err(InvalidToken)
        );
        assert_eq!(verify(&[OLD_KEY], &token, now), Err(InvalidToken));
    }

    #[test]
    fn tampered_truncated_and_foreign_tokens_are_refused() {
        let now = Utc::now();
        let token = sign(KEY, Uuid::now_v7(), now + Duration::days(3));
        for cut in 0..token.len() {
            assert!(verify(&[KEY], &token[..cut], now).is_err(), "{cut}");
        }
        for index in 0..token.len() {
            let mut bytes = token.clone().into_bytes();
            bytes[index] = if bytes[index] == b'A' { b'B' } else { b'A' };
            let tampered = String::from_utf8(bytes).unwrap();
            if tampered != token {
                assert!(verify(&[KEY], &tampered, now).is_err(), "{index}");
            }
        }
        let confirmation = crate::consent::tokens::sign_confirmation(KEY, Uuid::now_v7());
        assert!(verify(&[KEY], &confirmation, now).is_err());
        assert!(verify(&[KEY], "", now).is_err());
        assert!(verify(&[KEY], "not base64 at all!", now).is_err());
    }
}
