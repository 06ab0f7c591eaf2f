//! Consent categories and the flags a form carries for each of them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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
    WebForm,
    UnsubscribeLink,
    OneClick,
    Staff,
}

impl ConsentSource {
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentSource::WebForm => "web_form",
            ConsentSource::UnsubscribeLink => "unsubscribe_link",
            ConsentSource::OneClick => "one_click",
            ConsentSource::Staff => "staff",
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
}

/// The consent wording the public forms show, recorded with every grant so we can prove what was agreed to.
pub const DEFAULT_WORDING_VERSION: &str = "2026-11-consult-form-v1";
