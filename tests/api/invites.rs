//! Calendar invites built from text people typed: quotes, semicolons, colons, commas and line breaks
//! in a name, a practitioner or a clinic never add or change an `.ics` property or parameter. Invites
//! are read back with a strict RFC 5545 content-line parser (below), not a lenient one that would
//! quietly accept what a calendar app may read differently.

use crate::bookings::{Desk, TORONTO, at, booking_body, id_of, upcoming};
use crate::email::{drain, invite_of, of_kind};
use crate::helpers::*;
use crate::smtp::SmtpServer;
use chrono::{TimeZone, Utc, Weekday};
use consultdesk::email::ics::{Invite, Method, render};
use serde_json::json;
use uuid::Uuid;

/// One unfolded content line: `name *(";" param) ":" value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ContentLine {
    pub name: String,
    /// Each parameter's name and its values, in order, quotes removed.
    pub params: Vec<(String, Vec<String>)>,
    /// The raw value (still escaped, for TEXT).
    pub value: String,
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-'
}

/// Parses `text` as RFC 5545 content lines, panicking at anything the grammar does not allow:
/// CR or LF other than as a CRLF line end, control characters but tab, a parameter without `=`,
/// a DQUOTE inside a value, an unquoted value holding `:`, and so on.
pub(crate) fn parse_content_lines(text: &str) -> Vec<ContentLine> {
    let body = text
        .strip_suffix("\r\n")
        .unwrap_or_else(|| panic!("the invite ends with CRLF:\n{text}"));
    let mut logical: Vec<String> = Vec::new();
    for physical in body.split("\r\n") {
        assert!(
            !physical.contains(['\r', '\n']),
            "a bare CR or LF in {physical:?}"
        );
        match physical.strip_prefix([' ', '\t']) {
            Some(continued) => logical
                .last_mut()
                .expect("a folded line continues another")
                .push_str(continued),
            None => logical.push(physical.to_owned()),
        }
    }
    logical.iter().map(|line| parse_line(line)).collect()
}

fn parse_line(line: &str) -> ContentLine {
    assert!(
        !line.chars().any(|c| c.is_control() && c != '\t'),
        "a control character in {line:?}"
    );
    let name_end = line.find(|c| !is_name_char(c)).unwrap_or(line.len());
    let name = &line[..name_end];
    assert!(!name.is_empty(), "a line without a name: {line:?}");
    let mut rest = &line[name_end..];
    let mut params = Vec::new();
    while let Some(after) = rest.strip_prefix(';') {
        let key_end = after.find(|c| !is_name_char(c)).unwrap_or(after.len());
        let key = &after[..key_end];
        assert!(!key.is_empty(), "a parameter without a name in {line:?}");
        rest = after[key_end..]
            .strip_prefix('=')
            .unwrap_or_else(|| panic!("parameter {key} without `=` in {line:?}"));
        let mut values = Vec::new();
        loop {
            if let Some(quoted) = rest.strip_prefix('"') {
                let close = quoted
                    .find('"')
                    .unwrap_or_else(|| panic!("an unclosed quote in {line:?}"));
                values.push(quoted[..close].to_owned());
                rest = &quoted[close + 1..];
            } else {
                let end = rest.find([';', ':', ',', '"']).unwrap_or(rest.len());
                values.push(rest[..end].to_owned());
                rest = &rest[end..];
            }
            match rest.strip_prefix(',') {
                Some(next) => rest = next,
                None => break,
            }
        }
        params.push((key.to_owned(), values));
    }
    let value = rest
        .strip_prefix(':')
        .unwrap_or_else(|| panic!("no `:` where the value starts in {line:?} (at {rest:?})"));
    ContentLine {
        name: name.to_owned(),
        params,
        value: value.to_owned(),
    }
}

/// A single TEXT value unescaped (§3.3.11), panicking at an unescaped `;` or `,` or an unknown escape.
pub(crate) fn unescape_text(raw: &str) -> String {
    let mut out = String::new();
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('\\') => out.push('\\'),
                Some(';') => out.push(';'),
                Some(',') => out.push(','),
                Some('n' | 'N') => out.push('\n'),
                other => panic!("an unknown escape \\{other:?} in {raw:?}"),
            },
            ';' | ',' => panic!("an unescaped {c:?} in the TEXT value {raw:?}"),
            _ => out.push(c),
        }
    }
    out
}

/// The lines of the one VEVENT.
fn event_lines(lines: &[ContentLine]) -> Vec<ContentLine> {
    let begin = lines
        .iter()
        .position(|l| l.name == "BEGIN" && l.value == "VEVENT")
        .expect("BEGIN:VEVENT");
    let end = lines
        .iter()
        .position(|l| l.name == "END" && l.value == "VEVENT")
        .expect("END:VEVENT");
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.name == "BEGIN" || l.name == "END")
            .count(),
        4,
        "one calendar with one event"
    );
    lines[begin + 1..end].to_vec()
}

/// The event's only line named `name`.
fn only<'a>(event: &'a [ContentLine], name: &str) -> &'a ContentLine {
    let found: Vec<&ContentLine> = event.iter().filter(|l| l.name == name).collect();
    assert_eq!(found.len(), 1, "exactly one {name}: {event:#?}");
    found[0]
}

/// Checks the invite's structure: the calendar's own properties, the event's eleven, each once, no
/// parameter anywhere but the ATTENDEE's CN and ROLE, and the addresses as given. Returns the event.
fn assert_well_formed(text: &str, attendee_email: &str, organizer_email: &str) -> Vec<ContentLine> {
    let lines = parse_content_lines(text);
    let outside: Vec<(&str, &str)> = lines
        .iter()
        .filter(|l| !["BEGIN", "END"].contains(&l.name.as_str()))
        .take(4)
        .map(|l| (l.name.as_str(), l.value.as_str()))
        .collect();
    assert_eq!(
        outside,
        [
            ("VERSION", "2.0"),
            ("PRODID", "-//consultdesk//bookings//EN"),
            ("CALSCALE", "GREGORIAN"),
            ("METHOD", "REQUEST"),
        ]
    );
    let event = event_lines(&lines);
    let mut names: Vec<&str> = event.iter().map(|l| l.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "ATTENDEE",
            "DESCRIPTION",
            "DTEND",
            "DTSTAMP",
            "DTSTART",
            "LOCATION",
            "ORGANIZER",
            "SEQUENCE",
            "STATUS",
            "SUMMARY",
            "UID"
        ],
        "{text}"
    );
    assert_eq!(lines.len(), 4 + 4 + event.len(), "{text}");
    for line in lines.iter().filter(|l| l.name != "ATTENDEE") {
        assert!(line.params.is_empty(), "{line:?} has parameters");
    }
    let attendee = only(&event, "ATTENDEE");
    let keys: Vec<&str> = attendee.params.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["CN", "ROLE"], "{attendee:?}");
    assert_eq!(attendee.params[1].1, ["REQ-PARTICIPANT"]);
    assert_eq!(attendee.params[0].1.len(), 1, "one CN value: {attendee:?}");
    assert_eq!(attendee.value, format!("mailto:{attendee_email}"));
    assert_eq!(
        only(&event, "ORGANIZER").value,
        format!("mailto:{organizer_email}")
    );
    assert_eq!(only(&event, "STATUS").value, "CONFIRMED");
    event
}

fn cn(event: &[ContentLine]) -> String {
    only(event, "ATTENDEE").params[0].1[0].clone()
}

fn text_of(event: &[ContentLine], name: &str) -> String {
    unescape_text(&only(event, name).value)
}

/// A name as it must appear in CN: DQUOTE and control characters removed, nothing else changed.
fn sanitised(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '"' && !c.is_control())
        .collect()
}

const HOSTILE_NAMES: [&str; 9] = [
    r#""a";ROLE=CHAIR;X="b""#,
    r#""a":mailto:x@evil"#,
    "a\r\nATTENDEE;CN=x:mailto:evil@example.net",
    "Jane\rX-INJECTED:1",
    r#"Zoë "Zee" O'Brien, PT; Ph.D: ^n"#,
    ",;:",
    "\"",
    "Jane Runner",
    "A name long enough to be folded across several lines: Łukasiewicz-藤原, \
     Wolfeschlegelsteinhausenbergerdorff; \"the Elder\": mailto:x@evil",
];

#[test]
fn hostile_names_and_texts_add_or_change_no_property_or_parameter() {
    for name in HOSTILE_NAMES {
        let summary = format!("Free consult with {name}");
        let description = format!("Line one;\nline two, with \\ a backslash\r\n{name}");
        let location = format!("{name}, 100 King St W, Toronto; ON: M5X 1A9\rMETHOD:PUBLISH");
        let text = render(
            &Invite {
                booking_id: Uuid::nil(),
                sequence: 1,
                starts_at: Utc.with_ymd_and_hms(2026, 12, 1, 19, 30, 0).unwrap(),
                ends_at: Utc.with_ymd_and_hms(2026, 12, 1, 19, 45, 0).unwrap(),
                summary: &summary,
                description: &description,
                location: &location,
                organizer_email: "no-reply@clinic.test",
                attendee_email: "jane.o'brien+consult@example.com",
                attendee_name: name,
            },
            Method::Request,
        );
        let event = assert_well_formed(
            &text,
            "jane.o'brien+consult@example.com",
            "no-reply@clinic.test",
        );
        assert_eq!(cn(&event), sanitised(name), "{text}");
        // TEXT values keep every character; a line break, however written, is one LF.
        let lf = |text: &str| text.replace("\r\n", "\n").replace('\r', "\n");
        assert_eq!(text_of(&event, "SUMMARY"), lf(&summary), "{text}");
        assert_eq!(text_of(&event, "DESCRIPTION"), lf(&description), "{text}");
        assert_eq!(text_of(&event, "LOCATION"), lf(&location), "{text}");
    }
}

#[test]
fn the_strict_parser_catches_what_an_unguarded_invite_would_carry() {
    // What the icalendar crate writes for `"a";ROLE=CHAIR;X="b"` when nobody strips the quotes.
    let injected =
        parse_line(r#"ATTENDEE;CN="a";ROLE=CHAIR;X="b";ROLE=REQ-PARTICIPANT:mailto:j@x"#);
    assert_eq!(injected.params.len(), 4);
    for broken in [
        r#"ATTENDEE;CN=""a":mailto:x@evil";ROLE=REQ-PARTICIPANT:mailto:j@x"#,
        "ATTENDEE;CN:mailto:j@x",
        "SUMMARY:a\rb",
    ] {
        assert!(
            std::panic::catch_unwind(|| parse_line(broken)).is_err(),
            "{broken} was accepted"
        );
    }
    assert!(std::panic::catch_unwind(|| unescape_text("a;b")).is_err());
    assert!(std::panic::catch_unwind(|| parse_content_lines("A:b\nC:d\r\n")).is_err());
}

#[tokio::test]
async fn a_confirmed_booking_with_hostile_names_sends_an_invite_that_parses_cleanly() {
    let smtp = SmtpServer::start().await;
    let desk = Desk::new().await;
    let clinic_name = r#"Physio; Plus, "Downtown": West"#;
    let practitioner_name = r#"Alex "The Knee" Physio; PT, Sports: Rehab"#;
    let clinic = desk.clinic_in(clinic_name, "America/Toronto").await;
    let response = desk
        .app
        .post_as(
            "/v1/admin/practitioners",
            &desk.admin,
            &json!({
                "clinic_id": clinic, "name": practitioner_name, "discipline": "physiotherapy",
                "services": ["sports injuries"], "languages": ["en"], "consult_modes": ["video"]
            }),
        )
        .await;
    assert_eq!(response.status(), 201);
    let practitioner = id_of(&json_of(response).await);
    desk.nine_to_five(practitioner, 15).await;
    let front_desk = desk.app.staff_token("front_desk", &[clinic]).await;

    let monday = upcoming(TORONTO, Weekday::Mon, 3);
    let patients = [
        (r#""a";ROLE=CHAIR;X="b""#, "chair@example.com", "09:00"),
        (r#""a":mailto:x@evil"#, "mailto@example.com", "09:15"),
    ];
    for (name, email, time) in patients {
        let mut body = booking_body(practitioner, &at(TORONTO, monday, time), email);
        body["patient"]["name"] = json!(name);
        let response = desk.book(&body).await;
        assert_eq!(response.status(), 201, "booking for {name}");
        let id = id_of(&json_of(response).await);
        desk.act_ok(&front_desk, id, "confirm", &json!({})).await;
    }
    let worker = desk.app.worker(&smtp, |_| {});
    drain(&worker).await;

    let messages = smtp.messages();
    let confirmed = of_kind(&messages, "booking_confirmed");
    assert_eq!(confirmed.len(), 2);
    for (name, email, _) in patients {
        let message = confirmed
            .iter()
            .find(|m| m.rcpt_to == [email])
            .unwrap_or_else(|| panic!("the confirmation to {email}"));
        let (text, _) = invite_of(message, "REQUEST");
        // The invite is made when the desk confirms, by the app (default MAIL_FROM).
        let event = assert_well_formed(&text, email, "no-reply@localhost");
        assert_eq!(cn(&event), sanitised(name), "{text}");
        assert!(
            text_of(&event, "SUMMARY").contains(practitioner_name),
            "{text}"
        );
        assert!(
            text_of(&event, "DESCRIPTION").contains(practitioner_name),
            "{text}"
        );
        assert!(
            text_of(&event, "LOCATION").starts_with(clinic_name),
            "{text}"
        );
    }
}
