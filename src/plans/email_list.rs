//! The outbox as the front desk sees it, whichever door asks: admins see every email; others those
//! of their clinics (the clinic the email names, or the clinic its callback was routed to when it
//! names none).

use crate::error::ApiError;
use crate::plans::email_store::{self, EmailFilter, OutboxEmailView};
use crate::staff::auth::CurrentStaff;
use sqlx::PgConnection;

/// Up to `filter.limit` + 1 emails the staff member may see, newest first, so the page knows
/// whether more exist.
pub async fn list(
    conn: &mut PgConnection,
    staff: &CurrentStaff,
    filter: EmailFilter,
) -> Result<Vec<OutboxEmailView>, ApiError> {
    let (is_admin, clinic_ids) = staff.scope();
    let one_more = EmailFilter {
        limit: filter.limit + 1,
        ..filter
    };
    Ok(email_store::list(conn, is_admin, &clinic_ids, &one_more).await?)
}
