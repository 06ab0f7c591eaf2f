//! Which booking status changes are allowed. Anything else is a 409.

use chrono::{DateTime, Utc};

/// What the front desk (or the patient's request) does to a booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Confirm,
    Cancel,
    Reschedule,
    Complete,
    NoShow,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Confirm => "confirm",
            Action::Cancel => "cancel",
            Action::Reschedule => "reschedule",
            Action::Complete => "complete",
            Action::NoShow => "no_show",
        }
    }
}

/// The outcome of applying an action to a status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// Move to this status.
    To(&'static str),
    /// Already there: answer 200 and change nothing (confirming twice sends no second email).
    AlreadyDone,
}

/// A request nobody confirmed by its start time has expired (issue 12), whether or not the expiry
/// job has marked it yet: the expiry job, the front desk's actions and the open-request count all
/// go by this rule (the SQL forms: `status = 'requested' AND starts_at <= now`).
pub fn is_overdue(status: &str, starts_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    status == "requested" && starts_at <= now
}

/// The allowed moves:
/// requested → confirmed | cancelled (and rescheduled, staying requested);
/// confirmed → cancelled | completed | no_show (and rescheduled, staying confirmed);
/// cancelled, completed, no_show and expired are final (`requested` → `expired` is the expiry
/// job's, not an action's: see [`is_overdue`]).
pub fn apply(status: &str, action: Action) -> Result<Transition, String> {
    let refused = || format!("a {status} booking cannot be {}", past_tense(action));
    match (status, action) {
        ("expired", _) => Err(format!(
            "the booking request expired unconfirmed at its start time, so it cannot be {}; \
             the patient may book again",
            past_tense(action)
        )),
        ("requested", Action::Confirm) => Ok(Transition::To("confirmed")),
        ("confirmed", Action::Confirm) => Ok(Transition::AlreadyDone),
        ("requested" | "confirmed", Action::Cancel) => Ok(Transition::To("cancelled")),
        ("requested", Action::Reschedule) => Ok(Transition::To("requested")),
        ("confirmed", Action::Reschedule) => Ok(Transition::To("confirmed")),
        ("confirmed", Action::Complete) => Ok(Transition::To("completed")),
        ("confirmed", Action::NoShow) => Ok(Transition::To("no_show")),
        ("cancelled", Action::Cancel) => Err("the booking is already cancelled".to_owned()),
        _ => Err(refused()),
    }
}

fn past_tense(action: Action) -> &'static str {
    match action {
        Action::Confirm => "confirmed",
        Action::Cancel => "cancelled",
        Action::Reschedule => "rescheduled",
        Action::Complete => "completed",
        Action::NoShow => "marked as a no-show",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::scheduling::bookings::STATUSES;
    use chrono::Duration;
    const ACTIONS: [Action; 5] = [
        Action::Confirm,
        Action::Cancel,
        Action::Reschedule,
        Action::Complete,
        Action::NoShow,
    ];

    #[test]
    fn the_whole_table() {
        let allowed: Vec<(&str, Action, Transition)> = STATUSES
            .iter()
            .flat_map(|status| ACTIONS.iter().map(move |action| (*status, *action)))
            .filter_map(|(status, action)| apply(status, action).ok().map(|t| (status, action, t)))
            .collect();
        assert_eq!(
            allowed,
            vec![
                ("requested", Action::Confirm, Transition::To("confirmed")),
                ("requested", Action::Cancel, Transition::To("cancelled")),
                ("requested", Action::Reschedule, Transition::To("requested")),
                ("confirmed", Action::Confirm, Transition::AlreadyDone),
                ("confirmed", Action::Cancel, Transition::To("cancelled")),
                ("confirmed", Action::Reschedule, Transition::To("confirmed")),
                ("confirmed", Action::Complete, Transition::To("completed")),
                ("confirmed", Action::NoShow, Transition::To("no_show")),
            ]
        );
        assert_eq!(
            apply("cancelled", Action::Cancel).unwrap_err(),
            "the booking is already cancelled"
        );
        // Expired is final, as the table shows; the refusal says why rather than "a expired booking".
        assert_eq!(
            apply("expired", Action::Confirm).unwrap_err(),
            "the booking request expired unconfirmed at its start time, so it cannot be confirmed; \
             the patient may book again"
        );
    }

    #[test]
    fn only_a_request_whose_start_has_come_is_overdue() {
        let now = Utc::now();
        let past = now - Duration::minutes(1);
        let future = now + Duration::minutes(1);
        assert!(is_overdue("requested", past, now));
        assert!(is_overdue("requested", now, now));
        assert!(!is_overdue("requested", future, now));
        for status in ["confirmed", "cancelled", "completed", "no_show", "expired"] {
            assert!(!is_overdue(status, past, now), "{status}");
        }
    }
}
