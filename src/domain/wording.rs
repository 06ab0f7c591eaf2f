//! The consent wording the server publishes. A form says which version it showed; only published
//! versions are accepted, so the ledger's evidence is always the server's own text and never words
//! a client made up. New wording is a new version: a published text never changes.

use super::Invalid;
use super::consent::ConsentCategory;
use super::locale::Locale;

/// One published wording: the words shown next to each checkbox, with `{senders}` standing for the
/// names of whoever the form grants to ("Clinic A and Network B").
pub struct Wording {
    pub version: &'static str,
    pub locale: Locale,
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

/// The English wording forms show today.
pub const CURRENT: &Wording = &PUBLISHED[1];

/// The wording a form in `locale` shows today. Each language's text is its own version, so the
/// ledger's `wording_version` says which language the person read.
pub fn current(locale: Locale) -> &'static Wording {
    match locale {
        Locale::En => CURRENT,
        Locale::Fr => &PUBLISHED[2],
    }
}

/// Every version ever published, oldest first. Forms still showing an older one keep working.
pub const PUBLISHED: [Wording; 3] = [
    Wording {
        version: "2026-11-consult-form-v1",
        locale: Locale::En,
        intro: "By submitting this form you consent to appointment reminders, exercise plans and plans of care; your email is never sold and you can unsubscribe at any time.",
        appointment_reminders: "Appointment reminders",
        exercise_plans: "Exercise plans",
        plans_of_care: "Plans of care",
        service_updates: "News about services relevant to me",
    },
    Wording {
        version: "2026-12-consult-form-v2",
        locale: Locale::En,
        intro: "Choose the emails you would like to receive from {senders}. Your email is never sold, and every email has a link to unsubscribe at any time.",
        appointment_reminders: "Appointment reminders from {senders}: an email before each confirmed appointment.",
        exercise_plans: "Exercise plans from {senders}: home exercises your practitioner prepares for you.",
        plans_of_care: "Plans of care from {senders}: your treatment plan, its goals, visits and duration.",
        service_updates: "News about services relevant to you from {senders}. We will email you a link to confirm this one first.",
    },
    // The same choices as v2, as a Québec clinic writes them (non-breaking spaces before colons).
    Wording {
        version: "2026-12-consult-form-v2-fr",
        locale: Locale::Fr,
        intro: "Choisissez les courriels que vous souhaitez recevoir de {senders}. Votre adresse courriel n’est jamais vendue, et chaque courriel contient un lien pour vous désabonner en tout temps.",
        appointment_reminders: "Rappels de rendez-vous de {senders}\u{a0}: un courriel avant chaque rendez-vous confirmé.",
        exercise_plans: "Programmes d’exercices de {senders}\u{a0}: les exercices à faire à la maison que votre professionnel prépare pour vous.",
        plans_of_care: "Plans de traitement de {senders}\u{a0}: votre plan de traitement, ses objectifs, ses visites et sa durée.",
        service_updates: "Nouvelles sur les services pertinents pour vous de {senders}. Nous vous enverrons d’abord un lien par courriel pour confirmer ce choix.",
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
            Invalid::new("unknown_wording_version", "field-unknown-wording-version")
                .arg("current", CURRENT.version)
        })
}

/// "Clinic A and Network B", "Clinic A", or the network alone for a form without a clinic.
pub fn senders(clinic: Option<&str>, network: Option<&str>) -> String {
    senders_in(Locale::En, clinic, network)
}

/// What the network is called when `NETWORK_NAME` is unset (emails say the same).
pub fn unnamed_network(locale: Locale) -> &'static str {
    match locale {
        Locale::En => "our clinic team",
        Locale::Fr => "notre équipe clinique",
    }
}

/// [`senders`] in `locale`: « Clinique A et Réseau B ». These words are part of the published
/// wording (its `{senders}`), so they live beside it rather than in the changing catalogue.
pub fn senders_in(locale: Locale, clinic: Option<&str>, network: Option<&str>) -> String {
    let (and, the_clinic) = match locale {
        Locale::En => ("and", "the clinic"),
        Locale::Fr => ("et", "la clinique"),
    };
    match (clinic, network) {
        (Some(clinic), Some(network)) => format!("{clinic} {and} {network}"),
        (Some(clinic), None) => clinic.to_owned(),
        (None, Some(network)) => network.to_owned(),
        (None, None) => the_clinic.to_owned(),
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
        for locale in Locale::all() {
            let current = current(*locale);
            assert_eq!(current.locale, *locale);
            for category in ConsentCategory::ALL {
                assert!(current.text(category).contains("{senders}"), "{category:?}");
            }
        }
        assert_eq!(senders(Some("A"), Some("N")), "A and N");
        assert_eq!(senders_in(Locale::Fr, Some("A"), Some("N")), "A et N");
        assert_eq!(senders(Some("A"), None), "A");
    }
}
