//! Staff accounts, whichever door asks: admins create and read them (`staff::admin` over JSON),
//! the first admin comes from `consultdesk staff add`.

use crate::domain::contact::EmailAddress;
use crate::domain::fields::{FieldReader, parse_uuid};
use crate::domain::{Invalid, text};
use crate::error::Message;
use crate::error::{ApiError, FieldError, violated_constraint};
use crate::staff::account_store::{self, StaffView};
use crate::staff::audit::{self, AuditEntry};
use crate::staff::auth::{Admin, Role};
use crate::staff::password;
use crate::state::AppState;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// How many clinics one staff member may be given.
pub const MAX_STAFF_CLINICS: usize = 100;

/// A validated request to create a staff member.
pub struct NewStaff {
    pub email: EmailAddress,
    pub name: String,
    pub role: Role,
    pub clinic_ids: Vec<Uuid>,
    pub password: String,
}

impl NewStaff {
    pub fn parse(body: &serde_json::Map<String, serde_json::Value>) -> Result<Self, ApiError> {
        let mut reader = FieldReader::new(body);
        let email = reader.required("email", EmailAddress::parse);
        let name = reader.required("name", text::name);
        let role = reader.required("role", |raw| {
            Role::parse(raw).ok_or_else(|| {
                Invalid::new("invalid_value", "field-one-of")
                    .arg("allowed", "admin, front_desk, practitioner")
            })
        });
        let clinic_ids = reader.string_array("clinic_ids", MAX_STAFF_CLINICS, parse_uuid);
        let password = reader.required("password", |raw| {
            check_password(raw).map(|()| raw.to_owned())
        });
        if let (Some(role), Some(clinics)) = (role, &clinic_ids)
            && role != Role::Admin
            && clinics.is_empty()
        {
            reader.error(
                "clinic_ids",
                Invalid::new("required", "field-clinics-required"),
            );
        }
        reader.finish()?;
        Ok(crate::valid_form!(NewStaff {
            email,
            name,
            role,
            clinic_ids,
            password
        }))
    }
}

pub fn check_password(raw: &str) -> Result<(), Invalid> {
    let length = raw.chars().count();
    if length < password::MIN_PASSWORD_CHARS {
        return Err(
            Invalid::new("too_short", "field-too-short").arg("min", password::MIN_PASSWORD_CHARS)
        );
    }
    if length > password::MAX_PASSWORD_CHARS {
        return Err(
            Invalid::new("too_long", "field-too-long").arg("max", password::MAX_PASSWORD_CHARS)
        );
    }
    Ok(())
}

/// Inserts the staff member and their clinics; unknown clinics and a taken email are field errors.
async fn insert(
    conn: &mut PgConnection,
    new: &NewStaff,
    password_hash: &str,
) -> Result<StaffView, ApiError> {
    let known = account_store::known_clinics(conn, &new.clinic_ids).await?;
    let unknown: Vec<FieldError> = new
        .clinic_ids
        .iter()
        .enumerate()
        .filter(|(_, id)| !known.contains(id))
        .map(|(index, _)| {
            FieldError::new(
                format!("clinic_ids[{index}]"),
                Invalid::new("unknown_clinic", "field-unknown-clinic"),
            )
        })
        .collect();
    if !unknown.is_empty() {
        return Err(ApiError::Validation(unknown));
    }
    let id = Uuid::now_v7();
    account_store::insert(
        conn,
        id,
        new.email.as_str(),
        &new.name,
        new.role,
        password_hash,
    )
    .await
    .map_err(|error| match violated_constraint(&error) {
        Some("staff_email_key") => {
            ApiError::conflict("email_taken", Message::new("problem-email-taken"))
        }
        _ => error.into(),
    })?;
    account_store::add_clinics(conn, id, &new.clinic_ids).await?;
    account_store::fetch_view(conn, id).await?.ok_or_else(|| {
        ApiError::Internal(anyhow::anyhow!(
            "staff member {id} vanished in its own transaction"
        ))
    })
}

/// An admin creates a staff member: the account, its clinics and the audit entry commit together.
pub async fn create(
    state: &AppState,
    admin: Admin<'_>,
    new: &NewStaff,
) -> Result<StaffView, ApiError> {
    let password_hash = password::hash_blocking(new.password.clone()).await?;
    let mut tx = crate::db::begin(&state.db).await?;
    let view = insert(&mut tx, new, &password_hash).await?;
    audit::record(
        &mut tx,
        AuditEntry {
            staff_id: admin.id(),
            action: "staff.create",
            entity_type: "staff",
            entity_id: view.id,
            clinic_id: None,
            detail: serde_json::json!({"role": view.role, "clinic_ids": view.clinic_ids}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(view)
}

/// Creates a staff member outside HTTP (the CLI), in its own transaction.
pub async fn create_with_password(pool: &PgPool, new: &NewStaff) -> Result<StaffView, ApiError> {
    let password_hash = password::hash_blocking(new.password.clone()).await?;
    let mut tx = crate::db::begin(pool).await?;
    let view = insert(&mut tx, new, &password_hash).await?;
    tx.commit().await?;
    Ok(view)
}

/// Up to `limit` + 1 staff after `after`, oldest first, so the page knows whether more exist.
pub async fn list(
    db: &PgPool,
    _admin: Admin<'_>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<StaffView>, ApiError> {
    Ok(account_store::list(db, after, limit + 1).await?)
}

/// The staff member with this id.
pub async fn get(
    conn: &mut PgConnection,
    _admin: Admin<'_>,
    id: Uuid,
) -> Result<StaffView, ApiError> {
    account_store::fetch_view(conn, id)
        .await?
        .ok_or(ApiError::NotFound)
}
