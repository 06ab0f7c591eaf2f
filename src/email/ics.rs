//! Calendar invites (RFC 5545) for bookings, built with the `icalendar` crate. The UID is stable per
//! booking so calendar apps update one event; SEQUENCE grows with each change; a cancellation is
//! METHOD:CANCEL with STATUS:CANCELLED.

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
        .summary(invite.summary)
        .description(invite.description)
        .location(invite.location)
        .status(match method {
            Method::Request => EventStatus::Confirmed,
            Method::Cancel => EventStatus::Cancelled,
        });
    event.append_property(
        Property::new("ORGANIZER", format!("mailto:{}", invite.organizer_email)).done(),
    );
    event.append_property(
        Property::new("ATTENDEE", format!("mailto:{}", invite.attendee_email))
            .add_parameter("CN", invite.attendee_name)
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
    fn a_cancellation_keeps_the_uid() {
        let text = render(&invite(3), Method::Cancel);
        let parsed: Calendar = text.parse().unwrap();
        assert_eq!(parsed.property_value("METHOD"), Some("CANCEL"));
        let event = parsed.events().next().unwrap();
        assert_eq!(event.get_status(), Some(EventStatus::Cancelled));
        assert_eq!(event.get_uid(), Some(uid(Uuid::nil()).as_str()));
    }
}
