//! Which booking status changes are allowed. Anything else is a 409.

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

/// The allowed moves:
/// requested → confirmed | cancelled (and rescheduled, staying requested);
/// confirmed → cancelled | completed | no_show (and rescheduled, staying confirmed);
/// cancelled, completed and no_show are final.
pub fn apply(status: &str, action: Action) -> Result<Transition, String> {
    let refused = || format!("a {status} booking cannot be {}", past_tense(action));
    match (status, action) {
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

    const STATUSES: [&str; 5] = [
        "requested",
        "confirmed",
        "cancelled",
        "completed",
        "no_show",
    ];
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
    }
}
