//! Who is using the console, and proof that a form came from it.
//!
//! - The session is a cookie holding a staff session token of the JSON API's kind (`staff::signing`
//!   opens it, only its hash is stored, `staff::auth::authenticate` checks it): `HttpOnly`,
//!   `SameSite=Strict`, and `Secure` with the `__Host-` prefix when `PUBLIC_BASE_URL` is https.
//! - Every POST form carries a `csrf` field: an HMAC keyed by the session's token hash, which only
//!   the cookie's holder has, so it needs no storage and dies with the session. Before signing in
//!   there is no session: the sign-in page sets a random nonce cookie and its form carries the HMAC
//!   keyed by that nonce (a double submit another site can neither read nor set).
//! - The console speaks the language of the `consultdesk_lang` cookie (set by the switch link),
//!   else of `Accept-Language`.

use crate::http::language;
use crate::i18n::Locale;
use crate::staff::auth::{self, CurrentStaff};
use crate::state::AppState;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cookie::{Cookie, SameSite};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::time::Duration;

type HmacSha256 = Hmac<Sha256>;

const CSRF_PURPOSE: &[u8] = b"consultdesk/desk-csrf/v1\0";
const SIGN_IN_PURPOSE: &[u8] = b"consultdesk/desk-sign-in/v1\0";
/// The language cookie: not a secret, kept a year.
pub const LANGUAGE_COOKIE: &str = "consultdesk_lang";
/// Where the sign-in page sends a signed-out visitor.
pub const SIGN_IN_PATH: &str = "/desk/sign-in";

/// The cookie names: `__Host-` ones (which browsers only accept with `Secure`, `Path=/` and no
/// domain) when the console is served over https.
struct Names {
    session: &'static str,
    sign_in: &'static str,
    seen: &'static str,
    secure: bool,
}

fn names(state: &AppState) -> Names {
    if state.settings.public_base_url.starts_with("https://") {
        Names {
            session: "__Host-consultdesk_desk",
            sign_in: "__Host-consultdesk_sign_in",
            seen: "__Host-consultdesk_seen",
            secure: true,
        }
    } else {
        Names {
            session: "consultdesk_desk",
            sign_in: "consultdesk_sign_in",
            seen: "consultdesk_seen",
            secure: false,
        }
    }
}

/// The value of cookie `name` in the request's `Cookie` headers.
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_owned())
        .filter(|value| !value.is_empty() && value.len() <= 256)
}

/// A `Set-Cookie` value: `HttpOnly`, `Path=/`, `SameSite` as given, `Secure` over https; `None`
/// for `max_age` removes the cookie.
fn set_cookie(
    name: &'static str,
    value: String,
    max_age: Option<Duration>,
    secure: bool,
    same_site: SameSite,
) -> HeaderValue {
    let mut cookie = Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(same_site)
        .build();
    match max_age {
        Some(age) => cookie.set_max_age(cookie::time::Duration::seconds(
            i64::try_from(age.as_secs()).unwrap_or(i64::MAX),
        )),
        None => cookie.make_removal(),
    }
    HeaderValue::from_str(&cookie.to_string()).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The MAC of `purpose` keyed by `secret` (the session's token hash, or the sign-in nonce): only
/// someone holding the secret, which lives in an `HttpOnly` cookie, can compute it.
fn tag(secret: &[u8], purpose: &[u8]) -> HmacSha256 {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(purpose);
    mac
}

/// The form field value that proves a form was rendered for `secret`'s holder.
fn sign(purpose: &[u8], secret: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(tag(secret, purpose).finalize().into_bytes())
}

/// Whether `given` is the field value for `secret` under `purpose` (compared in constant time).
fn verify(purpose: &[u8], secret: &[u8], given: Option<&str>) -> bool {
    given
        .and_then(|given| URL_SAFE_NO_PAD.decode(given).ok())
        .is_some_and(|bytes| tag(secret, purpose).verify_slice(&bytes).is_ok())
}

/// The language the console speaks to this request.
pub fn locale_of(headers: &HeaderMap) -> Locale {
    cookie(headers, LANGUAGE_COOKIE)
        .and_then(|tag| Locale::from_tag(&tag))
        .unwrap_or_else(|| language::accepted(headers))
}

/// The cookie that keeps the console in `locale` (the switch link sets it).
pub fn language_cookie(state: &AppState, locale: Locale) -> HeaderValue {
    set_cookie(
        LANGUAGE_COOKIE,
        locale.as_str().to_owned(),
        Some(Duration::from_secs(365 * 24 * 3600)),
        names(state).secure,
        SameSite::Lax,
    )
}

/// 303 to the sign-in page.
pub fn to_sign_in() -> Response {
    Redirect::to(SIGN_IN_PATH).into_response()
}

/// A signed-in staff member at the console, with the CSRF value their forms carry.
pub struct Desk {
    pub staff: CurrentStaff,
    pub csrf: String,
    pub locale: Locale,
}

impl Desk {
    pub fn is_admin(&self) -> bool {
        self.staff.is_admin()
    }
}

/// The session token the request's cookie holds, if any.
pub fn session_token(state: &AppState, headers: &HeaderMap) -> Option<String> {
    cookie(headers, names(state).session)
}

/// The WAL position after this browser's last console write (`desk::reads`), if any.
pub fn seen_of(state: &AppState, headers: &HeaderMap) -> Option<String> {
    cookie(headers, names(state).seen)
}

/// The cookie that holds the WAL position after a console write: not a secret (a forged one only
/// sends that browser's own pages to the primary, or to a replica that may lag), kept for as long
/// as a replica could plausibly lag.
pub fn seen_cookie(state: &AppState, lsn: String) -> HeaderValue {
    let names = names(state);
    set_cookie(
        names.seen,
        lsn,
        Some(Duration::from_secs(600)),
        names.secure,
        SameSite::Strict,
    )
}

/// The sign-in nonce the request's cookie holds, if any.
pub fn sign_in_nonce_of(state: &AppState, headers: &HeaderMap) -> Option<String> {
    cookie(headers, names(state).sign_in)
}

/// The `csrf` field value of a session's forms.
pub fn csrf_for(token_hash: &[u8]) -> String {
    sign(CSRF_PURPOSE, token_hash)
}

/// Whether `given` is the `csrf` field value of the session with `token_hash`.
pub fn csrf_ok(token_hash: &[u8], given: Option<&str>) -> bool {
    verify(CSRF_PURPOSE, token_hash, given)
}

/// Whether `given` is the sign-in form's `csrf` value for the nonce `nonce`.
pub fn sign_in_ok(nonce: &str, given: Option<&str>) -> bool {
    verify(SIGN_IN_PURPOSE, nonce.as_bytes(), given)
}

/// A new sign-in nonce: its cookie, and the `csrf` value the sign-in form carries.
pub fn sign_in_nonce(state: &AppState) -> (HeaderValue, String) {
    let nonce = crate::staff::token::generate();
    let csrf = sign(SIGN_IN_PURPOSE, nonce.as_bytes());
    let names = names(state);
    let cookie = set_cookie(
        names.sign_in,
        nonce,
        Some(Duration::from_secs(3600)),
        names.secure,
        SameSite::Strict,
    );
    (cookie, csrf)
}

/// Whether the request carries a live session already (the sign-in page then moves on).
pub async fn signed_in(state: &AppState, headers: &HeaderMap) -> bool {
    let Some(token) = cookie(headers, names(state).session) else {
        return false;
    };
    let Ok(mut conn) = state.db.acquire().await else {
        return false;
    };
    auth::authenticate(&mut conn, &token).await.is_ok()
}

/// The cookies a successful sign-in sets: the session (for as long as it lasts) and the sign-in
/// nonce removed.
pub fn session_cookies(state: &AppState, token: String) -> [HeaderValue; 2] {
    let names = names(state);
    [
        set_cookie(
            names.session,
            token,
            Some(state.settings.session_ttl),
            names.secure,
            SameSite::Strict,
        ),
        set_cookie(
            names.sign_in,
            String::new(),
            None,
            names.secure,
            SameSite::Strict,
        ),
    ]
}

/// The cookie that signing out sets: the session's, removed.
pub fn session_removal(state: &AppState) -> HeaderValue {
    let names = names(state);
    set_cookie(
        names.session,
        String::new(),
        None,
        names.secure,
        SameSite::Strict,
    )
}
