//! Where a staff member works: the clinics they may see and those clinics' practitioners, as the
//! console's filters and pickers list them. Admins see every clinic; a practitioner list is only
//! read for the clinics asked about (all of an admin's network would be too many to offer).

use crate::directory::clinic_store::{self, ClinicName};
use crate::directory::practitioner_store::{self, PractitionerName};
use crate::error::ApiError;
use crate::staff::auth::CurrentStaff;
use sqlx::PgConnection;
use uuid::Uuid;

pub struct Workplaces {
    pub clinics: Vec<ClinicName>,
    /// Of `clinic` when one was asked about (and is visible), else of all `clinics` for staff who
    /// are not admins; empty for an admin who named no clinic.
    pub practitioners: Vec<PractitionerName>,
}

impl Workplaces {
    pub fn clinic(&self, id: Uuid) -> Option<&ClinicName> {
        self.clinics.iter().find(|clinic| clinic.id == id)
    }
}

pub async fn of(
    conn: &mut PgConnection,
    staff: &CurrentStaff,
    clinic: Option<Uuid>,
) -> Result<Workplaces, ApiError> {
    let (is_admin, clinic_ids) = staff.scope();
    let clinics = clinic_store::names(conn, is_admin, &clinic_ids).await?;
    let listed: Vec<Uuid> = match clinic {
        Some(id) if clinics.iter().any(|c| c.id == id) => vec![id],
        Some(_) => Vec::new(),
        None if is_admin => Vec::new(),
        None => clinics.iter().map(|c| c.id).collect(),
    };
    let practitioners = if listed.is_empty() {
        Vec::new()
    } else {
        practitioner_store::names_at(conn, &listed).await?
    };
    Ok(Workplaces {
        clinics,
        practitioners,
    })
}
