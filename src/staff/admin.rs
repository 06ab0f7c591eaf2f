//! Staff accounts over JSON: `POST` and `GET /v1/admin/staff`, `GET /v1/admin/staff/{id}`;
//! `staff::accounts` holds the rules.

use crate::domain::schema;
use crate::error::ApiError;
use crate::http::extract::JsonObject;
use crate::http::query::{Page, QueryParams};
use crate::staff::account_store::StaffView;
use crate::staff::accounts::{self, MAX_STAFF_CLINICS, NewStaff};
use crate::staff::auth::{CurrentStaff, Role, StaffConnection};
use crate::staff::password;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

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
    let admin = staff.as_admin()?;
    let new = NewStaff::parse(&body)?;
    let view = accounts::create(&state, admin, &new).await?;
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
    let admin = staff.as_admin()?;
    let limit = query.limit();
    let after: Option<Uuid> = query.cursor();
    query.finish()?;
    let rows = accounts::list(&state.db, admin, after, limit).await?;
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
    Path(id): Path<String>,
) -> Result<Json<StaffView>, ApiError> {
    let admin = staff.as_admin()?;
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::NotFound)?;
    Ok(Json(accounts::get(&mut conn, admin, id).await?))
}
