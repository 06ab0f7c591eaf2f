//! The MIME message for one outbox row: text and HTML alternatives, the calendar invite when the
//! email carries one, and the headers mail providers and operators rely on (one-click unsubscribe,
//! a Message-ID that survives retries, the kind for mail filters).

use super::outbox::EmailKind;
use super::templates::Rendered;
use crate::i18n::Locale;
use anyhow::{Context as _, bail};
use lettre::Message;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use uuid::Uuid;

/// Operators' mail filters and provider analytics tell emails apart by this header (API.md).
const KIND_HEADER: HeaderName = HeaderName::new_from_ascii_str("X-Consultdesk-Kind");
const LIST_UNSUBSCRIBE: HeaderName = HeaderName::new_from_ascii_str("List-Unsubscribe");
/// RFC 8058: mailbox providers may unsubscribe with a POST to the link, without a browser.
const LIST_UNSUBSCRIBE_POST: HeaderName = HeaderName::new_from_ascii_str("List-Unsubscribe-Post");
const ONE_CLICK: &str = "List-Unsubscribe=One-Click";
const CONTENT_LANGUAGE: HeaderName = HeaderName::new_from_ascii_str("Content-Language");

/// The Message-ID domain when `MAIL_FROM` has none we can read.
const FALLBACK_DOMAIN: &str = "consultdesk.local";

/// One email to send, as the worker has it after rendering.
pub struct Outgoing<'a> {
    /// The outbox row id: the Message-ID is derived from it, so retries keep the same Message-ID.
    pub id: Uuid,
    pub kind: EmailKind,
    /// `MAIL_FROM`, e.g. `Clinic <no-reply@localhost>`.
    pub from: &'a str,
    pub to: &'a str,
    pub rendered: &'a Rendered,
    /// `None` for a notice to the clinic's staff (no List-Unsubscribe: it would be the patient's).
    pub unsubscribe_url: Option<&'a str>,
    /// iCalendar text; its METHOD line (REQUEST or CANCEL) decides the content type's `method`.
    pub ics: Option<&'a str>,
    /// The language it is written in: `Content-Language` (RFC 3282), for screen readers and filters.
    pub locale: Locale,
}

/// `<{id}@{domain of from}>`: the same row always gets the same id, so a message retried after an
/// ambiguous SMTP failure is recognised as one message by receivers that deduplicate.
pub fn message_id(id: Uuid, from: &str) -> String {
    let domain = from
        .parse::<Mailbox>()
        .ok()
        .map(|mailbox| mailbox.email.domain().to_owned())
        .filter(|domain| !domain.is_empty())
        .unwrap_or_else(|| FALLBACK_DOMAIN.to_owned());
    format!("<{id}@{domain}>")
}

pub fn build(outgoing: &Outgoing) -> anyhow::Result<Message> {
    let from: Mailbox = outgoing
        .from
        .parse()
        .with_context(|| format!("MAIL_FROM {:?} is not a valid mailbox", outgoing.from))?;
    // The recipient's address stays out of the error: it ends up in logs and the outbox row.
    let to: Mailbox = outgoing
        .to
        .parse()
        .context("the recipient address is not a valid mailbox")?;
    let mut builder = Message::builder()
        .from(from)
        .to(to)
        .subject(outgoing.rendered.subject.clone())
        .message_id(Some(message_id(outgoing.id, outgoing.from)))
        .raw_header(HeaderValue::new(
            KIND_HEADER,
            outgoing.kind.as_str().to_owned(),
        ));
    if let Some(unsubscribe_url) = outgoing.unsubscribe_url {
        builder = builder
            .raw_header(HeaderValue::new(
                LIST_UNSUBSCRIBE,
                list_unsubscribe(unsubscribe_url)?,
            ))
            .raw_header(HeaderValue::new(
                LIST_UNSUBSCRIBE_POST,
                ONE_CLICK.to_owned(),
            ));
    }
    let builder = builder.raw_header(HeaderValue::new(
        CONTENT_LANGUAGE,
        outgoing.locale.as_str().to_owned(),
    ));
    let alternatives = MultiPart::alternative_plain_html(
        outgoing.rendered.text.clone(),
        outgoing.rendered.html.clone(),
    );
    let body = match outgoing.ics {
        None => alternatives,
        Some(ics) => MultiPart::mixed()
            .multipart(alternatives)
            .singlepart(invite(ics)?),
    };
    builder
        .multipart(body)
        .context("assembling the email message")
}

/// `<URL>`. The URL must be printable ASCII: anything else would be RFC 2047-encoded by the header
/// writer, which no mail client reads back as a link.
fn list_unsubscribe(url: &str) -> anyhow::Result<String> {
    let printable = |byte: u8| byte.is_ascii_graphic() && byte != b'<' && byte != b'>';
    if url.is_empty() || !url.bytes().all(printable) {
        bail!("the unsubscribe URL must be printable ASCII without spaces or angle brackets");
    }
    Ok(format!("<{url}>"))
}

/// The invite as `invite.ics`, typed `text/calendar` with the method calendar apps act on.
fn invite(ics: &str) -> anyhow::Result<SinglePart> {
    let method = ics_method(ics)?;
    let content_type =
        ContentType::parse(&format!("text/calendar; charset=utf-8; method={method}"))
            .context("building the calendar content type")?;
    Ok(Attachment::new("invite.ics".to_owned()).body(ics.to_owned(), content_type))
}

/// The calendar's METHOD: REQUEST (add or update the event) or CANCEL (remove it).
fn ics_method(ics: &str) -> anyhow::Result<&'static str> {
    let value = ics.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("METHOD")
            .then(|| value.trim())
    });
    match value {
        Some(method) if method.eq_ignore_ascii_case("REQUEST") => Ok("REQUEST"),
        Some(method) if method.eq_ignore_ascii_case("CANCEL") => Ok("CANCEL"),
        Some(other) => bail!("calendar METHOD {other:?} is neither REQUEST nor CANCEL"),
        None => bail!("the calendar invite has no METHOD line"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::ics::{self, Invite, Method};
    use crate::email::templates::render;
    use crate::email::templates::tests::{UNSUBSCRIBE, clinic, links, sample};
    use base64::Engine as _;
    use chrono::{TimeZone, Utc};

    const FROM: &str = "Clinic <no-reply@localhost>";

    fn invite_text(method: Method) -> String {
        ics::render(
            &Invite {
                booking_id: Uuid::nil(),
                sequence: 1,
                starts_at: Utc.with_ymd_and_hms(2026, 12, 1, 14, 30, 0).unwrap(),
                ends_at: Utc.with_ymd_and_hms(2026, 12, 1, 15, 0, 0).unwrap(),
                summary: "Free consult with Émilie Roy",
                description: "In-person consult.",
                location: "Harbourfront Physio, 200 Queens Quay W, Toronto, ON M5J 2Y5",
                organizer_email: "no-reply@localhost",
                attendee_email: "ana@example.com",
                attendee_name: "Ana Lima",
            },
            method,
        )
    }

    fn formatted(id: Uuid, kind: EmailKind, ics: Option<&str>) -> String {
        let payload = sample(kind, "Ana Lima", "Émilie Roy");
        let rendered = render(&payload, Some(&clinic()), links(), crate::i18n::Locale::En).unwrap();
        let message = build(&Outgoing {
            id,
            kind,
            from: FROM,
            to: "Ana Lima <ana@example.com>",
            rendered: &rendered,
            unsubscribe_url: Some(UNSUBSCRIBE),
            ics,
            locale: Locale::En,
        })
        .unwrap();
        String::from_utf8(message.formatted()).unwrap()
    }

    /// Undoes quoted-printable body encoding (soft line breaks and `=XX`), enough to search text.
    fn decode_quoted_printable(raw: &str) -> String {
        let joined = raw.replace("=\r\n", "");
        let bytes = joined.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|hex| std::str::from_utf8(hex).ok());
            match hex.map(|hex| u8::from_str_radix(hex, 16)) {
                Some(Ok(byte)) if bytes[i] == b'=' => {
                    out.push(byte);
                    i += 3;
                }
                _ => {
                    out.push(bytes[i]);
                    i += 1;
                }
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    /// The Subject header's value with RFC 2047 `=?utf-8?b?…?=` words decoded.
    fn decoded_subject(headers: &str) -> String {
        let unfolded = headers.replace("\r\n ", " ");
        let line = unfolded
            .lines()
            .find_map(|line| line.strip_prefix("Subject: "))
            .unwrap();
        let mut subject = String::new();
        let mut previous_encoded = false;
        for word in line.split_whitespace() {
            let encoded = word
                .strip_prefix("=?utf-8?b?")
                .and_then(|word| word.strip_suffix("?="));
            // Whitespace between two encoded words is folding, not text (RFC 2047 §6.2).
            let joins_encoded_words = previous_encoded && encoded.is_some();
            if !subject.is_empty() && !joins_encoded_words {
                subject.push(' ');
            }
            match encoded {
                Some(b64) => {
                    let bytes = base64::engine::general_purpose::STANDARD
                        .decode(b64)
                        .unwrap();
                    subject.push_str(&String::from_utf8(bytes).unwrap());
                }
                None => subject.push_str(word),
            }
            previous_encoded = encoded.is_some();
        }
        subject
    }

    #[test]
    fn confirmation_carries_headers_alternatives_and_the_invite() {
        let id = Uuid::now_v7();
        let ics = invite_text(Method::Request);
        let raw = formatted(id, EmailKind::BookingConfirmed, Some(&ics));
        let (headers, body) = raw.split_once("\r\n\r\n").unwrap();

        assert!(headers.is_ascii(), "headers must be encoded: {headers}");
        for expected in [
            "From: Clinic <no-reply@localhost>\r\n".to_owned(),
            "To: \"Ana Lima\" <ana@example.com>\r\n".to_owned(),
            "Date: ".to_owned(),
            format!("Message-ID: <{id}@localhost>\r\n"),
            "X-Consultdesk-Kind: booking_confirmed\r\n".to_owned(),
            format!("List-Unsubscribe: <{UNSUBSCRIBE}>\r\n"),
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n".to_owned(),
            "Content-Language: en\r\n".to_owned(),
            "MIME-Version: 1.0\r\n".to_owned(),
            "Content-Type: multipart/mixed;".to_owned(),
        ] {
            assert!(headers.contains(&expected), "{expected} missing: {headers}");
        }
        assert_eq!(
            decoded_subject(headers),
            "Confirmed: your physiotherapy consultation with Émilie Roy on \
             Tuesday, December 1 at 9:30 AM"
        );

        // Unfolded, so folded part headers read as one line each.
        let body = decode_quoted_printable(body).replace("\r\n ", " ");
        let at = |needle: &str| {
            body.find(needle)
                .unwrap_or_else(|| panic!("{needle}: {body}"))
        };
        let alternative_at = at("Content-Type: multipart/alternative;");
        let text_at = at("Content-Type: text/plain; charset=utf-8");
        let html_at = at("Content-Type: text/html; charset=utf-8");
        let attachment_at = at("Content-Disposition: attachment; filename=\"invite.ics\"");
        let calendar_at = at("Content-Type: text/calendar; charset=utf-8; method=REQUEST");
        // The alternatives come first, inside the mixed part; the invite after them.
        assert!(alternative_at < text_at && text_at < html_at && html_at < attachment_at);
        let text = &body[text_at..html_at];
        let html = &body[html_at..attachment_at];
        let calendar = &body[calendar_at..];
        assert!(
            text.contains(UNSUBSCRIBE) && text.contains("Émilie Roy"),
            "{text}"
        );
        assert!(
            html.contains(UNSUBSCRIBE) && html.contains("Émilie Roy"),
            "{html}"
        );
        assert!(calendar.contains("METHOD:REQUEST"));
        assert!(calendar.contains(&ics::uid(Uuid::nil())));
    }

    #[test]
    fn message_id_is_stable_per_row() {
        let id = Uuid::now_v7();
        assert_eq!(message_id(id, FROM), message_id(id, FROM));
        assert_eq!(message_id(id, FROM), format!("<{id}@localhost>"));
        assert_ne!(message_id(id, FROM), message_id(Uuid::now_v7(), FROM));
        assert_eq!(
            message_id(id, "not a mailbox"),
            format!("<{id}@consultdesk.local>")
        );
        let first = formatted(id, EmailKind::BookingRequested, None);
        let retry = formatted(id, EmailKind::BookingRequested, None);
        let header = format!("Message-ID: <{id}@localhost>\r\n");
        assert!(first.contains(&header) && retry.contains(&header));
    }

    #[test]
    fn a_cancellation_invite_says_cancel() {
        let ics = invite_text(Method::Cancel);
        let raw = formatted(Uuid::now_v7(), EmailKind::BookingCancelled, Some(&ics));
        assert!(raw.contains("Content-Type: text/calendar; charset=utf-8; method=CANCEL"));
        assert!(raw.contains("X-Consultdesk-Kind: booking_cancelled\r\n"));
    }

    #[test]
    fn without_an_invite_the_message_is_just_the_alternatives() {
        let raw = formatted(Uuid::now_v7(), EmailKind::ExercisePlan, None);
        let (headers, body) = raw.split_once("\r\n\r\n").unwrap();
        assert!(
            headers.contains("Content-Type: multipart/alternative;"),
            "{headers}"
        );
        assert!(!raw.contains("multipart/mixed") && !raw.contains("text/calendar"));
        assert!(body.contains("Content-Type: text/plain; charset=utf-8"));
        assert!(body.contains("Content-Type: text/html; charset=utf-8"));
    }

    #[test]
    fn unusable_inputs_are_errors_not_panics() {
        assert!(ics_method("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n").is_err());
        assert!(ics_method("BEGIN:VCALENDAR\r\nMETHOD:PUBLISH\r\n").is_err());
        assert_eq!(ics_method("method:cancel\n").unwrap(), "CANCEL");
        assert!(list_unsubscribe("https://x.example/u/a b").is_err());
        assert!(list_unsubscribe("https://x.example/ü").is_err());
        assert!(list_unsubscribe("").is_err());
        let rendered = Rendered {
            subject: "s".into(),
            text: "t".into(),
            html: "h".into(),
        };
        let outgoing = |to| Outgoing {
            id: Uuid::now_v7(),
            kind: EmailKind::CarePlan,
            from: FROM,
            to,
            rendered: &rendered,
            unsubscribe_url: Some(UNSUBSCRIBE),
            ics: None,
            locale: Locale::Fr,
        };
        assert!(build(&outgoing("not an address")).is_err());
        assert!(build(&outgoing("ana@example.com")).is_ok());
    }
}
