//! Staff accounts: admins create them over HTTP, the first admin comes from `consultdesk staff add`.

use crate::domain::contact::EmailAddress;
use crate::domain::fields::{FieldReader, parse_uuid};
use crate::domain::{Invalid, schema, text};
use crate::error::{ApiError, FieldError, violated_constraint};
use crate::http::extract::JsonObject;
use crate::http::query::{Page, QueryParams};
use crate::staff::audit::{self, AuditEntry};
use crate::staff::auth::{CurrentStaff, Role, StaffConnection};
use crate::staff::password;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgPool};
use utoipa::ToSchema;
use uuid::Uuid;

/// A staff member as the API shows them (never with the password hash).
#[derive(Debug, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct StaffView {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    #[schema(value_type = Role)]
    pub role: String,
    pub clinic_ids: Vec<Uuid>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

/// How many clinics one staff member may be given.
const MAX_STAFF_CLINICS: usize = 100;

/// Body of `POST /v1/admin/staff`: [`NewStaffFields`], with at least one clinic unless the role is
/// `admin`.
pub struct NewStaffBody;

impl utoipa::PartialSchema for NewStaffBody {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder};
        let others: Vec<&str> = Role::all()
            .iter()
            .filter(|role| **role != Role::Admin)
            .map(|role| role.as_str())
            .collect();
        schema::one_of(
            NewStaffFields::schema(),
            [
                ObjectBuilder::new().property("role", schema::string_enum([Role::Admin.as_str()])),
                ObjectBuilder::new()
                    .property("role", schema::string_enum(others))
                    .required("clinic_ids")
                    .property("clinic_ids", ArrayBuilder::new().min_items(Some(1))),
            ],
        )
    }
}

impl ToSchema for NewStaffBody {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        NewStaffFields::schemas(schemas);
    }
}

/// The fields of [`NewStaffBody`].
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewStaffFields {
    #[schema(schema_with = schema::email)]
    pub email: String,
    #[schema(schema_with = schema::name)]
    pub name: String,
    pub role: Role,
    /// Existing clinics; front desk and practitioner staff need at least one.
    #[serde(default)]
    #[schema(schema_with = clinic_ids_schema)]
    pub clinic_ids: Vec<Uuid>,
    #[schema(schema_with = password_schema)]
    pub password: String,
}

fn clinic_ids_schema() -> utoipa::openapi::schema::Schema {
    schema::uuids(MAX_STAFF_CLINICS).into()
}

fn password_schema() -> utoipa::openapi::schema::Schema {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .min_length(Some(password::MIN_PASSWORD_CHARS))
        .max_length(Some(password::MAX_PASSWORD_CHARS))
        .into()
}

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
                Invalid::new("invalid_value", "must be admin, front_desk or practitioner")
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
                Invalid::new(
                    "required",
                    "front_desk and practitioner staff need at least one clinic",
                ),
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
        return Err(Invalid::new(
            "too_short",
            format!(
                "must be at least {} characters",
                password::MIN_PASSWORD_CHARS
            ),
        ));
    }
    if length > password::MAX_PASSWORD_CHARS {
        return Err(Invalid::new(
            "too_long",
            format!(
                "must be at most {} characters",
                password::MAX_PASSWORD_CHARS
            ),
        ));
    }
    Ok(())
}

const STAFF_VIEW_SELECT: &str = "SELECT s.id, s.email::text AS email, s.name, s.role,
        COALESCE(array_agg(sc.clinic_id ORDER BY sc.clinic_id) FILTER (WHERE sc.clinic_id IS NOT NULL), '{}') AS clinic_ids,
        s.active, s.created_at
   FROM staff s LEFT JOIN staff_clinics sc ON sc.staff_id = s.id";

/// Inserts the staff member and their clinics; unknown clinics and a taken email are field errors.
pub async fn create(
    conn: &mut PgConnection,
    new: &NewStaff,
    password_hash: &str,
) -> Result<StaffView, ApiError> {
    let known: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM clinics WHERE id = ANY($1)")
        .bind(&new.clinic_ids)
        .fetch_all(&mut *conn)
        .await?;
    let unknown: Vec<FieldError> = new
        .clinic_ids
        .iter()
        .enumerate()
        .filter(|(_, id)| !known.contains(id))
        .map(|(index, _)| {
            FieldError::new(
                format!("clinic_ids[{index}]"),
                "unknown_clinic",
                "no clinic has this id",
            )
        })
        .collect();
    if !unknown.is_empty() {
        return Err(ApiError::Validation(unknown));
    }
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO staff (id, email, name, role, password_hash) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(new.email.as_str())
    .bind(&new.name)
    .bind(new.role.as_str())
    .bind(password_hash)
    .execute(&mut *conn)
    .await
    .map_err(|error| match violated_constraint(&error) {
        Some("staff_email_key") => ApiError::conflict(
            "email_taken",
            "A staff member with this email already exists.",
        ),
        _ => error.into(),
    })?;
    sqlx::query("INSERT INTO staff_clinics (staff_id, clinic_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING")
        .bind(id)
        .bind(&new.clinic_ids)
        .execute(&mut *conn)
        .await?;
    Ok(fetch_view(conn, id).await?)
}

pub async fn fetch_view(conn: &mut PgConnection, id: Uuid) -> Result<StaffView, sqlx::Error> {
    sqlx::query_as::<_, StaffView>(sqlx::AssertSqlSafe(format!(
        "{STAFF_VIEW_SELECT} WHERE s.id = $1 GROUP BY s.id"
    )))
    .bind(id)
    .fetch_one(conn)
    .await
}

/// Creates a staff member outside HTTP (the CLI), in its own transaction.
pub async fn create_with_password(pool: &PgPool, new: &NewStaff) -> Result<StaffView, ApiError> {
    let password_hash = password::hash_blocking(new.password.clone()).await?;
    let mut tx = crate::db::begin(pool).await?;
    let view = create(&mut tx, new, &password_hash).await?;
    tx.commit().await?;
    Ok(view)
}

#[utoipa::path(post, path = "/v1/admin/staff", tag = "admin",
    request_body = NewStaffBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = StaffView, headers(("location" = String))),
        (status = 409, description = "Email taken", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_staff(
    State(state): State<AppState>,
    staff: CurrentStaff,
    JsonObject(body): JsonObject,
) -> Result<(StatusCode, HeaderMap, Json<StaffView>), ApiError> {
    staff.require_admin()?;
    let new = NewStaff::parse(&body)?;
    let password_hash = password::hash_blocking(new.password.clone()).await?;
    let mut tx = crate::db::begin(&state.db).await?;
    let view = create(&mut tx, &new, &password_hash).await?;
    audit::record(
        &mut tx,
        AuditEntry {
            staff_id: staff.id,
            action: "staff.create",
            entity_type: "staff",
            entity_id: view.id,
            clinic_id: None,
            detail: serde_json::json!({"role": view.role, "clinic_ids": view.clinic_ids}),
        },
    )
    .await?;
    tx.commit().await?;
    let mut headers = HeaderMap::new();
    if let Ok(location) = format!("/v1/admin/staff/{}", view.id).parse() {
        headers.insert(header::LOCATION, location);
    }
    Ok((StatusCode::CREATED, headers, Json(view)))
}

#[utoipa::path(get, path = "/v1/admin/staff", tag = "admin",
    params(
        ("limit" = Option<i64>, Query, description = "1..=100, default 20"),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Staff, oldest first", body = Page<StaffView>),
        (status = 400, description = "Malformed parameters", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_staff(
    State(state): State<AppState>,
    staff: CurrentStaff,
    mut query: QueryParams,
) -> Result<Json<Page<StaffView>>, ApiError> {
    staff.require_admin()?;
    let limit = query.limit();
    let after: Option<Uuid> = query.cursor();
    query.finish()?;
    let rows = sqlx::query_as::<_, StaffView>(sqlx::AssertSqlSafe(format!(
        "{STAFF_VIEW_SELECT} WHERE ($1::uuid IS NULL OR s.id > $1) GROUP BY s.id ORDER BY s.id LIMIT $2"
    )))
    .bind(after)
    .bind(limit + 1)
    .fetch_all(&state.db)
    .await?;
    Ok(Json(Page::from_rows(rows, limit, |row| row.id)))
}

#[utoipa::path(get, path = "/v1/admin/staff/{id}", tag = "admin",
    params(("id" = Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The staff member", body = StaffView),
        (status = 404, description = "No such staff member", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_staff(
    StaffConnection { staff, mut conn }: StaffConnection,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Json<StaffView>, ApiError> {
    staff.require_admin()?;
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::NotFound)?;
    match fetch_view(&mut conn, id).await {
        Ok(view) => Ok(Json(view)),
        Err(sqlx::Error::RowNotFound) => Err(ApiError::NotFound),
        Err(error) => Err(error.into()),
    }
}
