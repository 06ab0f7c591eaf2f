//! Reading MIME back: enough of RFC 2045/2046 for what lettre writes.

use crate::smtp::header_in;
use base64::Engine as _;

#[derive(Debug)]
pub struct Part {
    /// The part's header block.
    pub head: String,
    /// The decoded body of a leaf; empty for a multipart.
    pub body: String,
    pub children: Vec<Part>,
}

impl Part {
    pub fn parse(raw: &str) -> Part {
        let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((raw, ""));
        let mut part = Part {
            head: head.to_owned(),
            body: String::new(),
            children: Vec::new(),
        };
        if part.mime_type().starts_with("multipart/") {
            let boundary = part.parameter("boundary").expect("a multipart boundary");
            let delimiter = format!("--{boundary}");
            part.children = body
                .split(delimiter.as_str())
                .skip(1) // the preamble
                .take_while(|chunk| !chunk.starts_with("--")) // the closing delimiter
                .map(|chunk| {
                    let chunk = chunk.strip_prefix("\r\n").unwrap_or(chunk);
                    Part::parse(chunk.strip_suffix("\r\n").unwrap_or(chunk))
                })
                .collect();
        } else {
            part.body = decode(
                body,
                &header_in(head, "Content-Transfer-Encoding").unwrap_or_default(),
            );
        }
        part
    }

    pub fn header(&self, name: &str) -> Option<String> {
        header_in(&self.head, name)
    }

    pub fn content_type(&self) -> String {
        self.header("Content-Type")
            .unwrap_or_else(|| "text/plain".to_owned())
    }

    /// `text/plain`, lowercased, without parameters.
    pub fn mime_type(&self) -> String {
        let content_type = self.content_type();
        content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase()
    }

    /// A Content-Type parameter (`boundary`, `method`), unquoted.
    pub fn parameter(&self, name: &str) -> Option<String> {
        self.content_type().split(';').skip(1).find_map(|param| {
            let (key, value) = param.split_once('=')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then(|| value.trim().trim_matches('"').to_owned())
        })
    }

    pub fn child_types(&self) -> Vec<String> {
        self.children.iter().map(Part::mime_type).collect()
    }

    /// The leaf parts, depth first, each as (MIME type, decoded body).
    pub fn leaves(&self) -> Vec<(String, String)> {
        if self.children.is_empty() {
            return vec![(self.mime_type(), self.body.clone())];
        }
        self.children.iter().flat_map(Part::leaves).collect()
    }
}

/// The decoded bodies of the leaf parts of a MIME entity, with their content types.
pub fn leaves(entity: &str) -> Vec<(String, String)> {
    Part::parse(entity).leaves()
}

fn decode(body: &str, encoding: &str) -> String {
    match encoding.trim().to_ascii_lowercase().as_str() {
        "base64" => {
            let compact: String = body.split_whitespace().collect();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(compact)
                .expect("a base64 body");
            String::from_utf8(bytes).expect("a UTF-8 body")
        }
        "quoted-printable" => decode_quoted_printable(body),
        _ => body.to_owned(),
    }
}

/// Soft line breaks removed, `=XX` turned back into bytes, the result read as UTF-8.
fn decode_quoted_printable(body: &str) -> String {
    let joined = body.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'=')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8(out).expect("a UTF-8 body")
}

/// The entities an HTML attribute or text may use for URL characters.
pub fn html_unescape(html: &str) -> String {
    html.replace("&#x2f;", "/")
        .replace("&#x2F;", "/")
        .replace("&#47;", "/")
        .replace("&#x3d;", "=")
        .replace("&#61;", "=")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}
