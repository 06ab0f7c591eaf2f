//! Consent categories and the flags a form carries for each of them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// What a person may agree to receive. Transactional emails (the ones they asked for) need none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsentCategory {
    AppointmentReminders,
    ExercisePlans,
    PlansOfCare,
    ServiceUpdates,
}

impl ConsentCategory {
    pub const ALL: [ConsentCategory; 4] = [
        ConsentCategory::AppointmentReminders,
        ConsentCategory::ExercisePlans,
        ConsentCategory::PlansOfCare,
        ConsentCategory::ServiceUpdates,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ConsentCategory::AppointmentReminders => "appointment_reminders",
            ConsentCategory::ExercisePlans => "exercise_plans",
            ConsentCategory::PlansOfCare => "plans_of_care",
            ConsentCategory::ServiceUpdates => "service_updates",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|category| category.as_str() == raw)
    }
}

/// Where a consent change came from; stored on every ledger row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentSource {
    /// A checked box on a public form (grants only).
    WebForm,
    /// The button on the page a `consent_confirmation` email links to (double opt-in).
    EmailConfirmation,
    UnsubscribeLink,
    OneClick,
    ManageLink,
    /// Recorded by a staff member at the person's request (with the staff id).
    Staff,
}

impl ConsentSource {
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentSource::WebForm => "web_form",
            ConsentSource::EmailConfirmation => "email_confirmation",
            ConsentSource::UnsubscribeLink => "unsubscribe_link",
            ConsentSource::OneClick => "one_click",
            ConsentSource::ManageLink => "manage_link",
            ConsentSource::Staff => "staff",
        }
    }
}

/// Who a consent is given to. The clinics on one deployment are separate businesses: a consent
/// given to one never stands for another. The network is the operator running the site for them
/// (`NETWORK_NAME`); a form for a clinic grants to that clinic and to the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sender {
    Network,
    Clinic(Uuid),
}

impl Sender {
    /// The sender of an email or a form with this clinic (none: the network).
    pub fn of(clinic_id: Option<Uuid>) -> Self {
        clinic_id.map_or(Sender::Network, Sender::Clinic)
    }

    /// As stored: the clinic's id, or NULL for the network.
    pub fn clinic_id(self) -> Option<Uuid> {
        match self {
            Sender::Network => None,
            Sender::Clinic(id) => Some(id),
        }
    }

    /// Whom a form grants to: its clinic and, when the deployment names one (`NETWORK_NAME`), the
    /// network; a form without a clinic grants to the network alone. The form's words name exactly
    /// these (see `wording::senders`).
    pub fn of_form(clinic_id: Option<Uuid>, network_named: bool) -> Vec<Sender> {
        match clinic_id {
            Some(clinic) if network_named => vec![Sender::Clinic(clinic), Sender::Network],
            Some(clinic) => vec![Sender::Clinic(clinic)],
            None => vec![Sender::Network],
        }
    }
}

/// The person's explicit choice for every category, as ticked on a form: nothing is assumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsentFlags {
    pub appointment_reminders: bool,
    pub exercise_plans: bool,
    pub plans_of_care: bool,
    pub service_updates: bool,
}

impl ConsentFlags {
    pub fn get(&self, category: ConsentCategory) -> bool {
        match category {
            ConsentCategory::AppointmentReminders => self.appointment_reminders,
            ConsentCategory::ExercisePlans => self.exercise_plans,
            ConsentCategory::PlansOfCare => self.plans_of_care,
            ConsentCategory::ServiceUpdates => self.service_updates,
        }
    }

    /// Every category with the person's choice for it.
    pub fn each(&self) -> impl Iterator<Item = (ConsentCategory, bool)> + '_ {
        ConsentCategory::ALL
            .into_iter()
            .map(|category| (category, self.get(category)))
    }

    /// The categories checked on a form.
    pub fn checked(&self) -> impl Iterator<Item = ConsentCategory> + '_ {
        self.each()
            .filter_map(|(category, granted)| granted.then_some(category))
    }
}
