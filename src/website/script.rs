//! `GET /embed.js`: `static/embed.js` with the catalogue's texts for the forms
//! (`locales/*/widgets.ftl`) written in, built once per process, gzipped once, and served with a
//! strong ETag. `?v=` with the current version (what `/demo` links) is cached for a year; the
//! plain URL, which a clinic's site pastes once, is revalidated every few minutes so that a new
//! release reaches the sites soon.

use crate::i18n::{Locale, texts_for_script};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::io::Write as _;
use std::sync::LazyLock;

const SOURCE: &str = include_str!("../../static/embed.js");
/// Where the source holds the texts' place: an empty object, so the file runs as it is too.
const TEXTS_PLACE: &str = "/*consultdesk:texts*/ {}";
/// The catalogue file the forms' words live in.
const CATALOGUE_FILE: &str = "widgets";

/// The script as served.
pub struct Script {
    pub body: Vec<u8>,
    pub gzip: Vec<u8>,
    /// The first 16 hex digits of the body's SHA-256: the ETag and the `?v=` of versioned URLs.
    pub version: String,
}

static SCRIPT: LazyLock<Script> =
    LazyLock::new(|| build().unwrap_or_else(|error| panic!("building /embed.js: {error}")));

/// The script this process serves.
pub fn current() -> &'static Script {
    &SCRIPT
}

fn build() -> anyhow::Result<Script> {
    let mut texts = Map::new();
    for locale in [Locale::En, Locale::Fr] {
        let words: Map<String, Value> = texts_for_script(locale, CATALOGUE_FILE)?
            .into_iter()
            .map(|(id, text)| (id, Value::String(text)))
            .collect();
        texts.insert(locale.as_str().to_owned(), Value::Object(words));
    }
    anyhow::ensure!(
        SOURCE.matches(TEXTS_PLACE).count() == 1,
        "static/embed.js must hold {TEXTS_PLACE} once"
    );
    let body = SOURCE
        .replacen(TEXTS_PLACE, &Value::Object(texts).to_string(), 1)
        .into_bytes();
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(&body)?;
    let gzip = encoder.finish()?;
    let version = Sha256::digest(&body)
        .iter()
        .take(8)
        .map(|byte| format!("{byte:02x}"))
        .collect();
    Ok(Script {
        body,
        gzip,
        version,
    })
}

impl Script {
    /// A strong validator per representation: the gzipped bytes are not the plain ones.
    fn etag(&self, gzipped: bool) -> String {
        if gzipped {
            format!("\"{}-gzip\"", self.version)
        } else {
            format!("\"{}\"", self.version)
        }
    }

    /// The path a page links to so that it may be cached for good.
    pub fn versioned_path(&self) -> String {
        format!("/embed.js?v={}", self.version)
    }
}

pub async fn serve(headers: HeaderMap, uri: axum::http::Uri) -> Response {
    let script = current();
    let gzipped = accepts_gzip(&headers);
    let etag = script.etag(gzipped);
    let versioned =
        crate::pages::query_value(uri.query(), "v").as_deref() == Some(script.version.as_str());
    let cache = if versioned {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=300, stale-while-revalidate=86400"
    };
    let mut response = if not_modified(&headers, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else if gzipped {
        let mut response = script.gzip.clone().into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        response
    } else {
        script.body.clone().into_response()
    };
    let out = response.headers_mut();
    out.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    out.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    out.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Sites on other origins load it with a plain <script> tag.
    out.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("cross-origin"),
    );
    if let Ok(value) = HeaderValue::from_str(&etag) {
        out.insert(header::ETAG, value);
    }
    response
}

/// `If-None-Match` names the current version (or `*`).
fn not_modified(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == etag || tag == "*")
}

/// `Accept-Encoding` lists gzip without `q=0`.
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or_default();
            let refused = parts.any(|parameter| {
                parameter
                    .strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    == Some(0.0)
            });
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(name: header::HeaderName, value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(name, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn gzip_is_sent_only_when_accepted() {
        assert!(accepts_gzip(&with(
            header::ACCEPT_ENCODING,
            "gzip, deflate, br"
        )));
        assert!(accepts_gzip(&with(
            header::ACCEPT_ENCODING,
            "br;q=1, GZIP;q=0.5"
        )));
        assert!(!accepts_gzip(&with(
            header::ACCEPT_ENCODING,
            "gzip;q=0, br"
        )));
        assert!(!accepts_gzip(&with(header::ACCEPT_ENCODING, "identity")));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn the_texts_of_both_languages_are_written_in_once() {
        let script = String::from_utf8(current().body.clone()).unwrap();
        assert!(!script.contains(TEXTS_PLACE));
        assert!(script.contains("\"widget-callback-submit\":\"Request a call back\""));
        assert!(script.contains("Demander un rappel"));
        // Arguments arrive as placeholders the script fills.
        assert!(script.contains("after {time}."), "{}", &script[..200]);
    }

    #[test]
    fn a_matching_etag_is_not_modified() {
        let etag = current().etag(true);
        assert!(not_modified(&with(header::IF_NONE_MATCH, &etag), &etag));
        assert!(not_modified(
            &with(header::IF_NONE_MATCH, &format!("\"other\", W/{etag}")),
            &etag
        ));
        assert!(!not_modified(
            &with(header::IF_NONE_MATCH, "\"other\""),
            &etag
        ));
    }
}
