//! The consent wording the server publishes. A form says which version it showed; only published
//! versions are accepted, so the ledger's evidence is always the server's own text and never words
//! a client made up. New wording is a new version: a published text never changes.

use super::Invalid;
use super::consent::ConsentCategory;

/// One published wording: the words shown next to each checkbox, with `{senders}` standing for the
/// names of whoever the form grants to ("Clinic A and Network B").
pub struct Wording {
    pub version: &'static str,
    pub locale: &'static str,
    pub intro: &'static str,
    pub appointment_reminders: &'static str,
    pub exercise_plans: &'static str,
    pub plans_of_care: &'static str,
    pub service_updates: &'static str,
}

impl Wording {
    pub fn text(&self, category: ConsentCategory) -> &'static str {
        match category {
            ConsentCategory::AppointmentReminders => self.appointment_reminders,
            ConsentCategory::ExercisePlans => self.exercise_plans,
            ConsentCategory::PlansOfCare => self.plans_of_care,
            ConsentCategory::ServiceUpdates => self.service_updates,
        }
    }
}

/// The wording forms show today.
pub const CURRENT: &Wording = &PUBLISHED[1];

/// Every version ever published, oldest first. Forms still showing an older one keep working.
pub const PUBLISHED: [Wording; 2] = [
    Wording {
        version: "2026-11-consult-form-v1",
        locale: "en",
        intro: "By submitting this form you consent to appointment reminders, exercise plans and plans of care; your email is never sold and you can unsubscribe at any time.",
        appointment_reminders: "Appointment reminders",
        exercise_plans: "Exercise plans",
        plans_of_care: "Plans of care",
        service_updates: "News about services relevant to me",
    },
    Wording {
        version: "2026-12-consult-form-v2",
        locale: "en",
        intro: "Choose the emails you would like to receive from {senders}. Your email is never sold, and every email has a link to unsubscribe at any time.",
        appointment_reminders: "Appointment reminders from {senders}: an email before each confirmed appointment.",
        exercise_plans: "Exercise plans from {senders}: home exercises your practitioner prepares for you.",
        plans_of_care: "Plans of care from {senders}: your treatment plan, its goals, visits and duration.",
        service_updates: "News about services relevant to you from {senders}. We will email you a link to confirm this one first.",
    },
];

/// What the server records when staff enter a change the person asked for (no form was shown).
pub const STAFF_RECORDED: &str = "2026-12-staff-recorded-v1";

/// The version a form says it showed: one the server published, or 422 `unknown_wording_version`.
pub fn parse_version(raw: &str) -> Result<&'static str, Invalid> {
    let raw = raw.trim();
    PUBLISHED
        .iter()
        .find(|wording| wording.version == raw)
        .map(|wording| wording.version)
        .ok_or_else(|| {
            Invalid::new(
                "unknown_wording_version",
                format!(
                    "not a consent wording this server published; GET /v1/consent-wording gives the current one ({})",
                    CURRENT.version
                ),
            )
        })
}

/// "Clinic A and Network B", "Clinic A", or the network alone for a form without a clinic.
pub fn senders(clinic: Option<&str>, network: Option<&str>) -> String {
    match (clinic, network) {
        (Some(clinic), Some(network)) => format!("{clinic} and {network}"),
        (Some(clinic), None) => clinic.to_owned(),
        (None, Some(network)) => network.to_owned(),
        (None, None) => "the clinic".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_published_versions_are_accepted() {
        assert_eq!(
            parse_version("2026-12-consult-form-v2"),
            Ok("2026-12-consult-form-v2")
        );
        assert_eq!(
            parse_version(" 2026-11-consult-form-v1 "),
            Ok("2026-11-consult-form-v1")
        );
        let refused = parse_version("I agree to nothing").unwrap_err();
        assert_eq!(refused.code, "unknown_wording_version");
        assert!(
            parse_version(STAFF_RECORDED).is_err(),
            "not a form's wording"
        );
    }

    #[test]
    fn versions_are_unique_and_every_text_names_the_senders() {
        for (index, wording) in PUBLISHED.iter().enumerate() {
            assert!(
                PUBLISHED[index + 1..]
                    .iter()
                    .all(|other| other.version != wording.version)
            );
        }
        for category in ConsentCategory::ALL {
            assert!(CURRENT.text(category).contains("{senders}"), "{category:?}");
        }
        assert_eq!(senders(Some("A"), Some("N")), "A and N");
        assert_eq!(senders(Some("A"), None), "A");
    }
}
