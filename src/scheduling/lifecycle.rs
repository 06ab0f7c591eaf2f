//! Which booking status changes are allowed. Anything else is a 409.

use crate::domain::message::Message;
use crate::domain::status::BookingStatus;
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
    To(BookingStatus),
    /// Already there: answer 200 and change nothing (confirming twice sends no second email).
    AlreadyDone,
}

/// A request nobody confirmed by its start time has expired (issue 12), whether or not the expiry
/// job has marked it yet: the expiry job, the front desk's actions and the open-request count all
/// go by this rule (the SQL forms: `status = 'requested' AND starts_at <= now`).
pub fn is_overdue(status: BookingStatus, starts_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    status == BookingStatus::Requested && starts_at <= now
}

/// The allowed moves:
/// requested → confirmed | cancelled (and rescheduled, staying requested);
/// confirmed → cancelled | completed | no_show (and rescheduled, staying confirmed);
/// cancelled, completed, no_show and expired are final (`requested` → `expired` is the expiry
/// job's, not an action's: see [`is_overdue`]).
/// A refusal says why, in words the door renders in the person's language.
pub fn apply(status: BookingStatus, action: Action) -> Result<Transition, Message> {
    let refused = || {
        Message::new("problem-cannot-transition")
            .arg("status", status.as_str())
            .arg("action", action.as_str())
    };
    use BookingStatus::*;
    match (status, action) {
        (Expired, _) => {
            Err(Message::new("problem-expired-unconfirmed").arg("action", action.as_str()))
        }
        (Requested, Action::Confirm) => Ok(Transition::To(Confirmed)),
        (Confirmed, Action::Confirm) => Ok(Transition::AlreadyDone),
        (Requested | Confirmed, Action::Cancel) => Ok(Transition::To(Cancelled)),
        (Requested, Action::Reschedule) => Ok(Transition::To(Requested)),
        (Confirmed, Action::Reschedule) => Ok(Transition::To(Confirmed)),
        (Confirmed, Action::Complete) => Ok(Transition::To(Completed)),
        (Confirmed, Action::NoShow) => Ok(Transition::To(NoShow)),
        (Cancelled, Action::Cancel) => Err(Message::new("problem-already-cancelled")),
        _ => Err(refused()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use BookingStatus::*;
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
        let allowed: Vec<(BookingStatus, Action, Transition)> = BookingStatus::all()
            .iter()
            .flat_map(|status| ACTIONS.iter().map(move |action| (*status, *action)))
            .filter_map(|(status, action)| apply(status, action).ok().map(|t| (status, action, t)))
            .collect();
        assert_eq!(
            allowed,
            vec![
                (Requested, Action::Confirm, Transition::To(Confirmed)),
                (Requested, Action::Cancel, Transition::To(Cancelled)),
                (Requested, Action::Reschedule, Transition::To(Requested)),
                (Confirmed, Action::Confirm, Transition::AlreadyDone),
                (Confirmed, Action::Cancel, Transition::To(Cancelled)),
                (Confirmed, Action::Reschedule, Transition::To(Confirmed)),
                (Confirmed, Action::Complete, Transition::To(Completed)),
                (Confirmed, Action::NoShow, Transition::To(NoShow)),
            ]
        );
        let words =
            |message: Message| crate::i18n::render(crate::i18n::Locale::En, &message).unwrap();
        assert_eq!(
            words(apply(Cancelled, Action::Cancel).unwrap_err()),
            "The booking is already cancelled."
        );
        // Expired is final, as the table shows; the refusal says why rather than "a expired booking".
        assert_eq!(
            words(apply(Expired, Action::Confirm).unwrap_err()),
            "The booking request expired unconfirmed at its start time, so it cannot be confirmed; \
             the patient may book again."
        );
        assert_eq!(
            words(apply(Completed, Action::NoShow).unwrap_err()),
            "A completed booking cannot be marked as a no-show."
        );
    }

    #[test]
    fn only_a_request_whose_start_has_come_is_overdue() {
        let now = Utc::now();
        let past = now - Duration::minutes(1);
        let future = now + Duration::minutes(1);
        assert!(is_overdue(Requested, past, now));
        assert!(is_overdue(Requested, now, now));
        assert!(!is_overdue(Requested, future, now));
        for status in [Confirmed, Cancelled, Completed, NoShow, Expired] {
            assert!(!is_overdue(status, past, now), "{status}");
        }
    }
}
