//! Admin management of clinics: `POST/GET/PATCH /v1/admin/clinics`.

use crate::directory::search::ClinicSummary;
use crate::domain::contact::PhoneE164;
use crate::domain::fields::FieldReader;
use crate::domain::{Invalid, location, schema, text};
use crate::error::ApiError;
use crate::http::extract::JsonObject;
use crate::http::query::{Page, QueryParams};
use crate::staff::audit::{self, AuditEntry};
use crate::staff::auth::CurrentStaff;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct ClinicView {
    #[serde(flatten)]
    #[sqlx(flatten)]
    pub clinic: ClinicSummary,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Body of `POST /v1/admin/clinics`; `PATCH` takes any subset of it.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ClinicBody {
    #[schema(schema_with = schema::name)]
    pub name: String,
    #[schema(schema_with = address_schema)]
    pub address: String,
    #[schema(schema_with = city_schema)]
    pub city: String,
    #[schema(schema_with = schema::province)]
    pub province: String,
    #[schema(schema_with = schema::postal_code)]
    pub postal_code: String,
    #[schema(schema_with = schema::phone)]
    pub phone: String,
    #[schema(schema_with = schema::latitude)]
    pub latitude: f64,
    #[schema(schema_with = schema::longitude)]
    pub longitude: f64,
    #[schema(schema_with = schema::time_zone)]
    pub time_zone: String,
}

const MAX_ADDRESS_CHARS: usize = 300;
const MAX_CITY_CHARS: usize = 100;

fn address_schema() -> utoipa::openapi::schema::Schema {
    schema::text(1, MAX_ADDRESS_CHARS, false).into()
}

fn city_schema() -> utoipa::openapi::schema::Schema {
    schema::text(1, MAX_CITY_CHARS, false).into()
}

/// Body of `PATCH /v1/admin/clinics/{id}`: any non-empty subset of [`ClinicBody`].
pub struct ClinicPatchBody;

impl utoipa::PartialSchema for ClinicPatchBody {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        schema::any_subset(
            <ClinicBody as utoipa::PartialSchema>::schema(),
            "Any non-empty subset of the fields of `ClinicBody`",
        )
    }
}

impl ToSchema for ClinicPatchBody {}

/// Validated clinic fields; every one is `Some` on create, any subset on update.
#[derive(Debug, Default)]
struct ClinicFields {
    name: Option<String>,
    address: Option<String>,
    city: Option<String>,
    province: Option<String>,
    postal_code: Option<String>,
    phone: Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    time_zone: Option<String>,
}

const TEXT_FIELDS: [&str; 7] = [
    "name",
    "address",
    "city",
    "province",
    "postal_code",
    "phone",
    "time_zone",
];

impl ClinicFields {
    /// `partial`: a PATCH, where absent fields stay as they are (but at least one must be given).
    fn parse(body: &Map<String, Value>, partial: bool) -> Result<Self, ApiError> {
        let mut reader = FieldReader::new(body);
        let mut fields = ClinicFields::default();
        let address = |raw: &str| text::bounded_text(raw, 1, MAX_ADDRESS_CHARS, false);
        let city = |raw: &str| text::bounded_text(raw, 1, MAX_CITY_CHARS, false);
        let phone = |raw: &str| PhoneE164::parse(raw).map(|p| p.as_str().to_owned());
        let wanted = |reader: &FieldReader, name: &str| !partial || reader.is_present(name);
        if wanted(&reader, "name") {
            fields.name = reader.required("name", text::name);
        }
        if wanted(&reader, "address") {
            fields.address = reader.required("address", address);
        }
        if wanted(&reader, "city") {
            fields.city = reader.required("city", city);
        }
        if wanted(&reader, "province") {
            fields.province = reader.required("province", location::province);
        }
        if wanted(&reader, "postal_code") {
            fields.postal_code = reader.required("postal_code", location::postal_code);
        }
        if wanted(&reader, "phone") {
            fields.phone = reader.required("phone", phone);
        }
        if wanted(&reader, "latitude") {
            fields.latitude = reader.required_f64("latitude", location::latitude);
        }
        if wanted(&reader, "longitude") {
            fields.longitude = reader.required_f64("longitude", location::longitude);
        }
        if wanted(&reader, "time_zone") {
            fields.time_zone = reader.required("time_zone", location::time_zone);
        }
        let any_given = TEXT_FIELDS
            .iter()
            .chain(["latitude", "longitude"].iter())
            .any(|name| reader.is_present(name));
        if partial && !any_given && !reader.has_errors() {
            reader.error(
                "body",
                Invalid::new("empty_update", "name at least one clinic field to change"),
            );
        }
        reader.finish()?;
        Ok(fields)
    }
}

const CLINIC_COLUMNS: &str = "id, name, address, city, province, postal_code, phone, latitude, longitude, time_zone, created_at, updated_at";

fn location_header(id: Uuid) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let Ok(value) = format!("/v1/admin/clinics/{id}").parse() {
        headers.insert(header::LOCATION, value);
    }
    headers
}

#[utoipa::path(post, path = "/v1/admin/clinics", tag = "admin",
    request_body = ClinicBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = ClinicView, headers(("location" = String))),
    ))]
pub async fn create_clinic(
    State(state): State<AppState>,
    staff: CurrentStaff,
    JsonObject(body): JsonObject,
) -> Result<(StatusCode, HeaderMap, Json<ClinicView>), ApiError> {
    staff.require_admin()?;
    let fields = ClinicFields::parse(&body, false)?;
    let mut tx = crate::db::begin(&state.db).await?;
    let clinic = sqlx::query_as::<_, ClinicView>(sqlx::AssertSqlSafe(format!(
        "INSERT INTO clinics (id, name, address, city, province, postal_code, phone, latitude, longitude, time_zone)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING {CLINIC_COLUMNS}"
    )))
    .bind(Uuid::now_v7())
    .bind(fields.name)
    .bind(fields.address)
    .bind(fields.city)
    .bind(fields.province)
    .bind(fields.postal_code)
    .bind(fields.phone)
    .bind(fields.latitude)
    .bind(fields.longitude)
    .bind(fields.time_zone)
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        AuditEntry {
            staff_id: staff.id,
            action: "clinic.create",
            entity_type: "clinic",
            entity_id: clinic.clinic.id,
            clinic_id: Some(clinic.clinic.id),
            detail: serde_json::json!({"name": clinic.clinic.name}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        location_header(clinic.clinic.id),
        Json(clinic),
    ))
}

#[utoipa::path(get, path = "/v1/admin/clinics", tag = "admin",
    params(
        ("limit" = Option<i64>, Query, description = "1..=100, default 20"),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Clinics, oldest first", body = Page<ClinicView>),
        (status = 400, description = "Malformed parameters", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_clinics(
    State(state): State<AppState>,
    staff: CurrentStaff,
    mut query: QueryParams,
) -> Result<Json<Page<ClinicView>>, ApiError> {
    staff.require_admin()?;
    let limit = query.limit();
    let after: Option<Uuid> = query.cursor();
    query.finish()?;
    let rows = sqlx::query_as::<_, ClinicView>(sqlx::AssertSqlSafe(format!(
        "SELECT {CLINIC_COLUMNS} FROM clinics WHERE ($1::uuid IS NULL OR id > $1) ORDER BY id LIMIT $2"
    )))
    .bind(after)
    .bind(limit + 1)
    .fetch_all(&state.db)
    .await?;
    Ok(Json(Page::from_rows(rows, limit, |clinic| {
        clinic.clinic.id
    })))
}

#[utoipa::path(get, path = "/v1/admin/clinics/{id}", tag = "admin",
    params(("id" = Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The clinic", body = ClinicView),
        (status = 404, description = "No such clinic", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_clinic(
    State(state): State<AppState>,
    staff: CurrentStaff,
    Path(id): Path<String>,
) -> Result<Json<ClinicView>, ApiError> {
    staff.require_admin()?;
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::NotFound)?;
    sqlx::query_as::<_, ClinicView>(sqlx::AssertSqlSafe(format!(
        "SELECT {CLINIC_COLUMNS} FROM clinics WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&state.db)
    .await?
    .map(Json)
    .ok_or(ApiError::NotFound)
}

#[utoipa::path(patch, path = "/v1/admin/clinics/{id}", tag = "admin",
    params(("id" = Uuid, Path)),
    request_body = ClinicPatchBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = ClinicView),
        (status = 404, description = "No such clinic", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_clinic(
    State(state): State<AppState>,
    staff: CurrentStaff,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> Result<Json<ClinicView>, ApiError> {
    staff.require_admin()?;
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::NotFound)?;
    let fields = ClinicFields::parse(&body, true)?;
    let mut tx = crate::db::begin(&state.db).await?;
    let clinic = sqlx::query_as::<_, ClinicView>(sqlx::AssertSqlSafe(format!(
        "UPDATE clinics SET
            name = COALESCE($2, name), address = COALESCE($3, address), city = COALESCE($4, city),
            province = COALESCE($5, province), postal_code = COALESCE($6, postal_code), phone = COALESCE($7, phone),
            latitude = COALESCE($8, latitude), longitude = COALESCE($9, longitude), time_zone = COALESCE($10, time_zone),
            updated_at = now()
          WHERE id = $1 RETURNING {CLINIC_COLUMNS}"
    )))
    .bind(id)
    .bind(fields.name)
    .bind(fields.address)
    .bind(fields.city)
    .bind(fields.province)
    .bind(fields.postal_code)
    .bind(fields.phone)
    .bind(fields.latitude)
    .bind(fields.longitude)
    .bind(fields.time_zone)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(ApiError::NotFound)?;
    let changed: Vec<&String> = body
        .keys()
        .filter(|key| {
            TEXT_FIELDS.contains(&key.as_str()) || *key == "latitude" || *key == "longitude"
        })
        .collect();
    audit::record(
        &mut tx,
        AuditEntry {
            staff_id: staff.id,
            action: "clinic.update",
            entity_type: "clinic",
            entity_id: clinic.clinic.id,
            clinic_id: Some(clinic.clinic.id),
            detail: serde_json::json!({"fields": changed}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Json(clinic))
}
