//! The SQL of clinics as admins manage them; public results read clinics through `search`.

use crate::directory::search::ClinicSummary;
use crate::domain::locale::Locale;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

// A clinic as admins see it (no doc comment: it would become the schema's description).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ClinicView {
    #[serde(flatten)]
    pub clinic: ClinicSummary,
    /// The language its patients are written to when they named none (`en` or `fr`).
    pub default_locale: Locale,
    /// Where the front desk is told when a patient cancels or moves a booking through the link in
    /// their emails; `null`: nobody is told by email.
    pub notification_email: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Validated clinic fields; every one is `Some` on create, any subset on update.
#[derive(Debug, Default)]
pub struct ClinicFields {
    pub name: Option<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub province: Option<String>,
    pub postal_code: Option<String>,
    pub phone: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub time_zone: Option<String>,
    pub default_locale: Option<Locale>,
    /// `None`: unchanged; `Some(None)`: none (cleared).
    pub notification_email: Option<Option<String>>,
}

/// A `clinics` row as SQL returns it (`query_as!` cannot fill the flattened [`ClinicView`]).
struct ClinicRow {
    id: Uuid,
    name: String,
    address: String,
    city: String,
    province: String,
    postal_code: String,
    phone: String,
    latitude: f64,
    longitude: f64,
    time_zone: String,
    default_locale: Locale,
    notification_email: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<ClinicRow> for ClinicView {
    fn from(row: ClinicRow) -> Self {
        ClinicView {
            clinic: ClinicSummary {
                id: row.id,
                name: row.name,
                address: row.address,
                city: row.city,
                province: row.province,
                postal_code: row.postal_code,
                phone: row.phone,
                latitude: row.latitude,
                longitude: row.longitude,
                time_zone: row.time_zone,
            },
            default_locale: row.default_locale,
            notification_email: row.notification_email,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// Adds the clinic; a field left `None` fails its column's NOT NULL.
pub async fn insert(
    conn: &mut PgConnection,
    id: Uuid,
    fields: &ClinicFields,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO clinics (id, name, address, city, province, postal_code, phone, latitude, longitude, time_zone,
                              default_locale, notification_email)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, COALESCE($11, 'en'), $12::text)",
        id,
        fields.name.as_deref(),
        fields.address.as_deref(),
        fields.city.as_deref(),
        fields.province.as_deref(),
        fields.postal_code.as_deref(),
        fields.phone.as_deref(),
        fields.latitude,
        fields.longitude,
        fields.time_zone.as_deref(),
        fields.default_locale.map(Locale::as_str),
        fields.notification_email.clone().flatten(),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Changes the fields given (`Some`); false when no clinic has this id.
pub async fn update(
    conn: &mut PgConnection,
    id: Uuid,
    fields: &ClinicFields,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query!(
        "UPDATE clinics SET
            name = COALESCE($2, name), address = COALESCE($3, address), city = COALESCE($4, city),
            province = COALESCE($5, province), postal_code = COALESCE($6, postal_code), phone = COALESCE($7, phone),
            latitude = COALESCE($8, latitude), longitude = COALESCE($9, longitude), time_zone = COALESCE($10, time_zone),
            default_locale = COALESCE($11, default_locale),
            notification_email = CASE WHEN $12 THEN $13::text ELSE notification_email END, updated_at = now()
          WHERE id = $1",
        id,
        fields.name.as_deref(),
        fields.address.as_deref(),
        fields.city.as_deref(),
        fields.province.as_deref(),
        fields.postal_code.as_deref(),
        fields.phone.as_deref(),
        fields.latitude,
        fields.longitude,
        fields.time_zone.as_deref(),
        fields.default_locale.map(Locale::as_str),
        fields.notification_email.is_some(),
        fields.notification_email.clone().flatten(),
    )
    .execute(conn)
    .await?;
    Ok(result.rows_affected() > 0)
}

pub async fn fetch(conn: &mut PgConnection, id: Uuid) -> Result<Option<ClinicView>, sqlx::Error> {
    let row = sqlx::query_as!(
        ClinicRow,
        r#"SELECT id, name, address, city, province, postal_code, phone, latitude, longitude, time_zone,
                default_locale AS "default_locale: Locale", notification_email::text, created_at, updated_at
           FROM clinics WHERE id = $1"#,
        id,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(ClinicView::from))
}

/// Up to `limit` clinics after `after` (a clinic id), oldest first.
pub async fn list(
    conn: &mut PgConnection,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<ClinicView>, sqlx::Error> {
    let rows = sqlx::query_as!(
        ClinicRow,
        r#"SELECT id, name, address, city, province, postal_code, phone, latitude, longitude, time_zone,
                default_locale AS "default_locale: Locale", notification_email::text, created_at, updated_at
           FROM clinics WHERE ($1::uuid IS NULL OR id > $1) ORDER BY id LIMIT $2"#,
        after,
        limit,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(ClinicView::from).collect())
}

pub async fn exists(conn: &mut PgConnection, id: Uuid) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM clinics WHERE id = $1) AS "exists!""#,
        id
    )
    .fetch_one(conn)
    .await
}

/// A clinic as a picker names it: the console's filters.
#[derive(Debug, Clone, Serialize)]
pub struct ClinicName {
    pub id: Uuid,
    pub name: String,
    pub time_zone: String,
}

/// The clinics a reader may see (all, or `clinic_ids`), by name.
pub async fn names(
    conn: &mut PgConnection,
    all: bool,
    clinic_ids: &[Uuid],
) -> Result<Vec<ClinicName>, sqlx::Error> {
    sqlx::query_as!(
        ClinicName,
        "SELECT id, name, time_zone FROM clinics WHERE $1 OR id = ANY($2) ORDER BY name, id",
        all,
        clinic_ids,
    )
    .fetch_all(conn)
    .await
}

/// The clinic `wanted` when it exists, else the first clinic by name: the one `/demo` shows.
pub async fn shown_first(
    conn: &mut PgConnection,
    wanted: Option<Uuid>,
) -> Result<Option<ClinicName>, sqlx::Error> {
    sqlx::query_as!(
        ClinicName,
        "SELECT id, name, time_zone FROM clinics ORDER BY id = $1 DESC NULLS LAST, name, id LIMIT 1",
        wanted,
    )
    .fetch_optional(conn)
    .await
}
