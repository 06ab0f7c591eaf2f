//! Calendar invites (RFC 5545) for bookings, built with the `icalendar` crate. The UID is stable per
//! booking so calendar apps update one event; SEQUENCE grows with each change; a cancellation is
//! METHOD:CANCEL with STATUS:CANCELLED.
//!
//! Names, addresses and descriptions come from people (a patient's name from a public form), so no
//! text may add or change a property or parameter. What `icalendar` 0.17 does itself: it escapes
//! `\ ; , LF` in TEXT values (SUMMARY, DESCRIPTION, LOCATION) and DQUOTEs a parameter value holding
//! `; : ,`. What it does not: it passes a parameter value that starts and ends with `"` as it is
//! (`"a";ROLE=CHAIR;X="b"` would become two more parameters), leaves DQUOTE inside a value (which
//! ends a quoted one early), and writes CR and other control characters raw (a CR starts a new line
//! for lenient readers). The functions below take care of those before the crate sees the text.

use chrono::{DateTime, Utc};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus, Property};
use uuid::Uuid;

pub struct Invite<'a> {
    pub booking_id: Uuid,
    pub sequence: u32,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub summary: &'a str,
    pub description: &'a str,
    pub location: &'a str,
    /// The sender's address (`MAIL_FROM`'s address part).
    pub organizer_email: &'a str,
    pub attendee_email: &'a str,
    pub attendee_name: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Request,
    Cancel,
}

/// The stable UID of a booking's calendar event.
pub fn uid(booking_id: Uuid) -> String {
    format!("booking-{booking_id}@consultdesk")
}

pub fn render(invite: &Invite, method: Method) -> String {
    let mut event = Event::new();
    event
        .uid(&uid(invite.booking_id))
        .sequence(invite.sequence)
        .timestamp(Utc::now())
        .starts(invite.starts_at)
        .ends(invite.ends_at)
        .summary(&text_value(invite.summary))
        .description(&text_value(invite.description))
        .location(&text_value(invite.location))
        .status(match method {
            Method::Request => EventStatus::Confirmed,
            Method::Cancel => EventStatus::Cancelled,
        });
    event.append_property(
        Property::new(
            "ORGANIZER",
            format!("mailto:{}", uri_value(invite.organizer_email)),
        )
        .done(),
    );
    event.append_property(
        Property::new(
            "ATTENDEE",
            format!("mailto:{}", uri_value(invite.attendee_email)),
        )
        .add_parameter("CN", &param_value(invite.attendee_name))
        .add_parameter("ROLE", "REQ-PARTICIPANT")
        .done(),
    );
    let mut calendar = Calendar::empty();
    calendar
        .append_property(("VERSION", "2.0"))
        .append_property(("PRODID", "-//consultdesk//bookings//EN"))
        .append_property(("CALSCALE", "GREGORIAN"))
        .append_property((
            "METHOD",
            match method {
                Method::Request => "REQUEST",
                Method::Cancel => "CANCEL",
            },
        ))
        .push(event.done());
    calendar.done().to_string()
}

/// A parameter value (RFC 5545 §3.1): DQUOTE and control characters may not appear in one, quoted
/// or not, so they are dropped. The crate then DQUOTEs the value when it holds `; : ,`; without a
/// DQUOTE left it can no longer be taken for a value that is already quoted.
pub fn param_value(raw: &str) -> String {
    raw.chars()
        .filter(|c| *c != '"' && !c.is_control())
        .collect()
}

/// A TEXT value: every line break becomes LF (which the crate writes as `\n`, as it escapes
/// `\ ; ,`), so no CR reaches a line; other control characters but tab are dropped (§3.3.11
/// allows none).
pub fn text_value(raw: &str) -> String {
    raw.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect()
}

/// A URI value (the `mailto:` of ORGANIZER and ATTENDEE), which the crate writes as it is: no
/// valid address holds a control character, so dropping them changes no real address.
fn uri_value(raw: &str) -> String {
    raw.chars().filter(|c| !c.is_control()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn invite(sequence: u32) -> Invite<'static> {
        Invite {
            booking_id: Uuid::nil(),
            sequence,
            starts_at: Utc.with_ymd_and_hms(2026, 12, 1, 19, 30, 0).unwrap(),
            ends_at: Utc.with_ymd_and_hms(2026, 12, 1, 19, 45, 0).unwrap(),
            summary: "Free consult with Alex Physio",
            description: "Phone call; we will call +14165550100",
            location: "Downtown Physio, 100 King St W, Toronto, ON M5X 1A9",
            organizer_email: "no-reply@clinic.example",
            attendee_email: "jane@example.com",
            attendee_name: "Jane Runner",
        }
    }

    #[test]
    fn a_request_parses_back_with_its_uid_sequence_and_times() {
        let text = render(&invite(2), Method::Request);
        let parsed: Calendar = text.parse().unwrap();
        assert_eq!(parsed.property_value("METHOD"), Some("REQUEST"));
        let event = parsed.events().next().unwrap();
        assert_eq!(event.get_uid(), Some(uid(Uuid::nil()).as_str()));
        assert_eq!(event.get_sequence(), Some(2));
        assert_eq!(event.get_status(), Some(EventStatus::Confirmed));
        assert!(text.contains("DTSTART:20261201T193000Z"), "{text}");
        assert!(text.contains("DTEND:20261201T194500Z"));
        assert!(text.contains("ATTENDEE;"), "{text}");
    }

    #[test]
    fn parameter_values_lose_quotes_and_control_characters_only() {
        assert_eq!(param_value("Jane Runner"), "Jane Runner");
        assert_eq!(
            param_value("O'Brien, Zoë; Ph.D: ^x"),
            "O'Brien, Zoë; Ph.D: ^x"
        );
        assert_eq!(param_value("\"a\";ROLE=CHAIR;X=\"b\""), "a;ROLE=CHAIR;X=b");
        assert_eq!(param_value("a\r\nATTENDEE:x\u{7}\t\u{85}b"), "aATTENDEE:xb");
    }

    #[test]
    fn text_values_keep_their_characters_and_turn_every_line_break_into_lf() {
        assert_eq!(text_value("a;b,c\\d: \"e\""), "a;b,c\\d: \"e\"");
        assert_eq!(
            text_value("one\r\ntwo\rthree\nfour"),
            "one\ntwo\nthree\nfour"
        );
        assert_eq!(text_value("tab\there\u{0}\u{1b}[0m"), "tab\there[0m");
    }

    #[test]
    fn a_cancellation_keeps_the_uid() {
        let text = render(&invite(3), Method::Cancel);
        let parsed: Calendar = text.parse().unwrap();
        assert_eq!(parsed.property_value("METHOD"), Some("CANCEL"));
        let event = parsed.events().next().unwrap();
        assert_eq!(event.get_status(), Some(EventStatus::Cancelled));
        assert_eq!(event.get_uid(), Some(uid(Uuid::nil()).as_str()));
    }
}
