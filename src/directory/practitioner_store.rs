//! The SQL of practitioners: as admins manage them, and one active practitioner as the public sees
//! them. Searches are in `search`.

use crate::directory::search::{PractitionerCard, PractitionerRow};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

// A practitioner as admins see it (no doc comment: it would become the schema's description).
#[derive(Debug, Serialize, ToSchema)]
pub struct PractitionerView {
    pub id: Uuid,
    pub clinic_id: Uuid,
    pub name: String,
    pub discipline: String,
    pub services: Vec<String>,
    pub languages: Vec<String>,
    pub consult_modes: Vec<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Validated practitioner fields: on create all but `active` are `Some`, on update any subset.
#[derive(Debug, Default)]
pub struct PractitionerFields {
    pub clinic_id: Option<Uuid>,
    pub name: Option<String>,
    pub discipline: Option<&'static str>,
    pub services: Option<Vec<String>>,
    pub languages: Option<Vec<String>>,
    pub consult_modes: Option<Vec<String>>,
    pub active: Option<bool>,
}

/// Adds the practitioner: no services or languages when not given, active unless said otherwise.
pub async fn insert(
    conn: &mut PgConnection,
    id: Uuid,
    fields: &PractitionerFields,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO practitioners (id, clinic_id, name, discipline, services, languages, consult_modes, active)
         VALUES ($1, $2, $3, $4, $5, $6, $7, COALESCE($8, true))",
        id,
        fields.clinic_id,
        fields.name.as_deref(),
        fields.discipline,
        fields.services.as_deref().unwrap_or_default(),
        fields.languages.as_deref().unwrap_or_default(),
        fields.consult_modes.as_deref(),
        fields.active,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Changes the fields given (`Some`); false when no practitioner has this id.
pub async fn update(
    conn: &mut PgConnection,
    id: Uuid,
    fields: &PractitionerFields,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query!(
        "UPDATE practitioners SET
            clinic_id = COALESCE($2, clinic_id), name = COALESCE($3, name), discipline = COALESCE($4, discipline),
            services = COALESCE($5, services), languages = COALESCE($6, languages),
            consult_modes = COALESCE($7, consult_modes), active = COALESCE($8, active), updated_at = now()
          WHERE id = $1",
        id,
        fields.clinic_id,
        fields.name.as_deref(),
        fields.discipline,
        fields.services.as_deref(),
        fields.languages.as_deref(),
        fields.consult_modes.as_deref(),
        fields.active,
    )
    .execute(conn)
    .await?;
    Ok(result.rows_affected() > 0)
}

pub async fn fetch(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<Option<PractitionerView>, sqlx::Error> {
    sqlx::query_as!(
        PractitionerView,
        "SELECT id, clinic_id, name, discipline, services, languages, consult_modes, active, created_at, updated_at
           FROM practitioners WHERE id = $1",
        id,
    )
    .fetch_optional(conn)
    .await
}

/// Up to `limit` practitioners after `after` (a practitioner id), oldest first; of one clinic
/// when `clinic_id` is given.
pub async fn list(
    conn: &mut PgConnection,
    clinic_id: Option<Uuid>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<PractitionerView>, sqlx::Error> {
    sqlx::query_as!(
        PractitionerView,
        "SELECT id, clinic_id, name, discipline, services, languages, consult_modes, active, created_at, updated_at
           FROM practitioners
          WHERE ($1::uuid IS NULL OR clinic_id = $1) AND ($2::uuid IS NULL OR id > $2) ORDER BY id LIMIT $3",
        clinic_id,
        after,
        limit,
    )
    .fetch_all(conn)
    .await
}

/// A public practitioner row from a `query!` record holding the practitioner's and the clinic's
/// columns (each query's record is a type of its own).
macro_rules! practitioner_row {
    ($row:ident, $distance:expr) => {
        PractitionerRow {
            practitioner: PractitionerCard {
                id: $row.id,
                name: $row.name,
                discipline: $row.discipline,
                services: $row.services,
                languages: $row.languages,
                consult_modes: $row.consult_modes,
            },
            clinic_id: $row.clinic_id,
            clinic_name: $row.clinic_name,
            address: $row.address,
            city: $row.city,
            province: $row.province,
            postal_code: $row.postal_code,
            phone: $row.phone,
            latitude: $row.latitude,
            longitude: $row.longitude,
            time_zone: $row.time_zone,
            distance_m: $distance,
        }
    };
}

/// The practitioner with their clinic, when they are active (what the public may see).
pub async fn fetch_active_with_clinic(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<Option<PractitionerRow>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT p.id, p.name, p.discipline, p.services, p.languages, p.consult_modes,
                  c.id AS clinic_id, c.name AS clinic_name, c.address, c.city, c.province, c.postal_code, c.phone,
                  c.latitude, c.longitude, c.time_zone, NULL::float8 AS distance_m
             FROM practitioners p JOIN clinics c ON c.id = p.clinic_id WHERE p.id = $1 AND p.active"#,
        id,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|row| practitioner_row!(row, row.distance_m)))
}

/// Up to `limit` active practitioners of a clinic after `after` (a practitioner id), oldest first,
/// with their clinic: what the public may see of a clinic's team.
pub async fn active_of_clinic(
    conn: &mut PgConnection,
    clinic_id: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<PractitionerRow>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT p.id, p.name, p.discipline, p.services, p.languages, p.consult_modes,
                  c.id AS clinic_id, c.name AS clinic_name, c.address, c.city, c.province, c.postal_code, c.phone,
                  c.latitude, c.longitude, c.time_zone
             FROM practitioners p JOIN clinics c ON c.id = p.clinic_id
            WHERE p.clinic_id = $1 AND p.active AND ($2::uuid IS NULL OR p.id > $2)
            ORDER BY p.id LIMIT $3"#,
        clinic_id,
        after,
        limit,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| practitioner_row!(row, None))
        .collect())
}

/// A practitioner as a picker names them: the console's filters.
#[derive(Debug, Clone, Serialize)]
pub struct PractitionerName {
    pub id: Uuid,
    pub clinic_id: Uuid,
    pub name: String,
    pub active: bool,
}

/// The practitioners of these clinics, by name.
pub async fn names_at(
    conn: &mut PgConnection,
    clinic_ids: &[Uuid],
) -> Result<Vec<PractitionerName>, sqlx::Error> {
    sqlx::query_as!(
        PractitionerName,
        "SELECT id, clinic_id, name, active FROM practitioners WHERE clinic_id = ANY($1) ORDER BY name, id",
        clinic_ids,
    )
    .fetch_all(conn)
    .await
}
