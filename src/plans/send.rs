//! Sending a plan, whichever kind and whichever door: the one flow both plan kinds follow.
//!
//! 1. [`open`]: the transaction, and the patient when the staff member may see them (404 otherwise).
//! 2. [`Draft::address`]: the plan's clinic, the patient's address and the consent the kind needs
//!    (409 `no_email` or `consent_missing` before anything is stored).
//! 3. The kind stores its row in [`Draft::conn`].
//! 4. [`Draft::send`]: the email queued (a consent withdrawn meanwhile refuses the whole plan), the
//!    audit entry, the commit.

use super::store;
use super::{QueuedEmail, plan_clinic, queue_plan_email, require_email_and_consent};
use crate::domain::consent::{ConsentCategory, Sender};
use crate::email::outbox::{About, NewEmail};
use crate::email::payloads::EmailPayload;
use crate::error::ApiError;
use crate::patients::store::{PatientRow, find_visible};
use crate::staff::audit::{self, AuditEntry};
use crate::staff::auth::CurrentStaff;
use crate::state::AppState;
use serde_json::Value;
use sqlx::{PgConnection, Postgres, Transaction};
use uuid::Uuid;

/// What tells the plan kinds apart in the flow.
pub struct Kind {
    pub category: ConsentCategory,
    /// How problems name it (a selector in the catalogue's `problem-no-email`): `exercise_plan`.
    pub what: &'static str,
    /// Its table's entity name in the audit log and dedup keys: `exercise_plan`.
    pub entity: &'static str,
    pub about: fn(Uuid) -> About,
}

pub const EXERCISE_PLAN: Kind = Kind {
    category: ConsentCategory::ExercisePlans,
    what: "exercise_plan",
    entity: "exercise_plan",
    about: About::ExercisePlan,
};

pub const CARE_PLAN: Kind = Kind {
    category: ConsentCategory::PlansOfCare,
    what: "care_plan",
    entity: "care_plan",
    about: About::CarePlan,
};

/// A plan being written: its transaction and who it is for.
pub struct Draft<'a> {
    tx: Transaction<'static, Postgres>,
    staff: &'a CurrentStaff,
    kind: &'static Kind,
    pub patient: PatientRow,
}

/// Where a plan goes and who sends it.
pub struct Addressed {
    pub plan_id: Uuid,
    pub clinic_id: Option<Uuid>,
    pub to: String,
    pub staff_name: String,
}

impl Addressed {
    /// The keys of the plan's row.
    pub fn keys(&self, patient_id: Uuid, staff_id: Uuid) -> store::PlanKeys {
        store::PlanKeys {
            plan_id: self.plan_id,
            patient_id,
            clinic_id: self.clinic_id,
            staff_id,
        }
    }
}

/// Step 1: the transaction and the patient.
pub async fn open<'a>(
    state: &AppState,
    staff: &'a CurrentStaff,
    patient_id: Uuid,
    kind: &'static Kind,
) -> Result<Draft<'a>, ApiError> {
    let (is_admin, clinic_ids) = staff.scope();
    let mut tx = crate::db::begin(&state.db).await?;
    let patient = find_visible(&mut tx, patient_id, is_admin, &clinic_ids)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Draft {
        tx,
        staff,
        kind,
        patient,
    })
}

impl Draft<'_> {
    /// The transaction, for the kind's own reads and its row.
    pub fn conn(&mut self) -> &mut PgConnection {
        &mut self.tx
    }

    /// Step 2: the clinic (the one asked for, else the patient's latest visible one), the address
    /// and the consent.
    pub async fn address(&mut self, requested_clinic: Option<Uuid>) -> Result<Addressed, ApiError> {
        let clinic_id =
            plan_clinic(&mut self.tx, self.staff, self.patient.id, requested_clinic).await?;
        let to = require_email_and_consent(
            &mut self.tx,
            &self.patient,
            Sender::of(clinic_id),
            self.kind.category,
            self.kind.what,
        )
        .await?;
        let staff_name = store::staff_name(&mut self.tx, self.staff.id).await?;
        Ok(Addressed {
            plan_id: Uuid::now_v7(),
            clinic_id,
            to,
            staff_name,
        })
    }

    /// Step 4: the email, the audit entry (`detail` plus the patient and the email), the commit.
    pub async fn send(
        mut self,
        addressed: &Addressed,
        payload: EmailPayload,
        mut detail: Value,
    ) -> Result<QueuedEmail, ApiError> {
        let Kind {
            category,
            what,
            entity,
            about,
        } = self.kind;
        let plan_id = addressed.plan_id;
        let email = queue_plan_email(
            &mut self.tx,
            NewEmail {
                patient_id: self.patient.id,
                clinic_id: addressed.clinic_id,
                about: about(plan_id),
                to: &addressed.to,
                send_after: None,
                dedup_key: Some(format!("{entity}:{plan_id}")),
                locale: None,
                payload,
            },
            *category,
            what,
        )
        .await?;
        detail["patient_id"] = self.patient.id.to_string().into();
        detail["email_id"] = email.id.to_string().into();
        audit::record(
            &mut self.tx,
            AuditEntry {
                staff_id: self.staff.id,
                action: &format!("{entity}.create"),
                entity_type: entity,
                entity_id: plan_id,
                clinic_id: addressed.clinic_id,
                detail,
            },
        )
        .await?;
        self.tx.commit().await?;
        Ok(email)
    }
}
