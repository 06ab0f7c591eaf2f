//! Admin management of practitioners over JSON: `POST/GET /v1/admin/practitioners`,
//! `GET/PATCH /v1/admin/practitioners/{id}`. These handlers only translate HTTP;
//! `directory::practitioner_admin` holds the rules.

use crate::directory::practitioner_admin;
use crate::directory::practitioner_store::{PractitionerFields, PractitionerView};
use crate::domain::fields::{FieldReader, parse_uuid};
use crate::domain::{Invalid, practice, schema, text};
use crate::error::ApiError;
use crate::http::extract::JsonObject;
use crate::http::query::{Page, QueryParams};
use crate::staff::auth::CurrentStaff;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

/// Body of `POST /v1/admin/practitioners`; `PATCH` takes any subset (and `active`).
#[derive(Debug, Deserialize, ToSchema)]
pub struct PractitionerBody {
    pub clinic_id: Uuid,
    #[schema(schema_with = schema::name)]
    pub name: String,
    #[schema(value_type = crate::domain::practice::Discipline)]
    pub discipline: String,
    /// Stored lower case, e.g. `acupuncture`, `dry needling`.
    #[serde(default)]
    #[schema(schema_with = schema::services)]
    pub services: Vec<String>,
    /// ISO 639-1 codes, e.g. `en`, `fr`.
    #[serde(default)]
    #[schema(schema_with = schema::languages)]
    pub languages: Vec<String>,
    /// At least one.
    #[schema(schema_with = schema::consult_modes)]
    pub consult_modes: Vec<String>,
    /// Default true; inactive practitioners are not searchable.
    pub active: Option<bool>,
}

/// Body of `PATCH /v1/admin/practitioners/{id}`: any non-empty subset of [`PractitionerBody`].
pub struct PractitionerPatchBody;

impl utoipa::PartialSchema for PractitionerPatchBody {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        schema::any_subset(
            <PractitionerBody as utoipa::PartialSchema>::schema(),
            "Any non-empty subset of the fields of `PractitionerBody`",
        )
    }
}

impl ToSchema for PractitionerPatchBody {}

const FIELDS: [&str; 7] = [
    "clinic_id",
    "name",
    "discipline",
    "services",
    "languages",
    "consult_modes",
    "active",
];

/// Removes repeats, keeping the first occurrence's place.
fn unique<T: PartialEq>(items: Vec<T>) -> Vec<T> {
    let mut kept = Vec::with_capacity(items.len());
    for item in items {
        if !kept.contains(&item) {
            kept.push(item);
        }
    }
    kept
}

/// `partial`: a PATCH, where absent fields stay as they are (but at least one must be given).
pub fn read_fields(
    body: &Map<String, Value>,
    partial: bool,
) -> Result<PractitionerFields, ApiError> {
    let mut reader = FieldReader::new(body);
    let wanted = |reader: &FieldReader, name: &str| !partial || reader.is_present(name);
    let mut fields = PractitionerFields::default();
    if wanted(&reader, "clinic_id") {
        fields.clinic_id = reader.required("clinic_id", parse_uuid);
    }
    if wanted(&reader, "name") {
        fields.name = reader.required("name", text::name);
    }
    if wanted(&reader, "discipline") {
        fields.discipline = reader.required("discipline", practice::discipline);
    }
    if reader.is_present("services") || !partial {
        fields.services = reader
            .string_array("services", practice::MAX_SERVICES, practice::service)
            .map(unique);
    }
    if reader.is_present("languages") || !partial {
        fields.languages = reader
            .string_array("languages", practice::MAX_LANGUAGES, practice::language)
            .map(unique);
    }
    if wanted(&reader, "consult_modes") {
        if reader.is_present("consult_modes") {
            fields.consult_modes = reader
                .string_array("consult_modes", practice::MAX_CONSULT_MODES, |raw| {
                    practice::consult_mode(raw).map(str::to_owned)
                })
                .map(unique);
            if fields.consult_modes.as_ref().is_some_and(Vec::is_empty) {
                reader.error(
                    "consult_modes",
                    Invalid::new("required", "field-modes-required"),
                );
            }
        } else {
            reader.error("consult_modes", Invalid::new("required", "field-required"));
        }
    }
    if reader.is_present("active") {
        fields.active = reader.required_bool("active");
    }
    if partial && !FIELDS.iter().any(|name| reader.is_present(name)) && !reader.has_errors() {
        reader.error(
            "body",
            Invalid::new("empty_update", "field-empty-update-practitioner"),
        );
    }
    reader.finish()?;
    Ok(fields)
}

#[utoipa::path(post, path = "/v1/admin/practitioners", tag = "admin",
    request_body = PractitionerBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = PractitionerView, headers(("location" = String))),
        (status = 422, description = "Invalid fields or unknown clinic", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_practitioner(
    State(state): State<AppState>,
    staff: CurrentStaff,
    JsonObject(body): JsonObject,
) -> Result<(StatusCode, HeaderMap, Json<PractitionerView>), ApiError> {
    // Non-admins are refused before their body is read: they learn nothing of its rules.
    staff.require_admin()?;
    let fields = read_fields(&body, false)?;
    let view = practitioner_admin::create(&state, &staff, fields).await?;
    let mut headers = HeaderMap::new();
    if let Ok(location) = format!("/v1/admin/practitioners/{}", view.id).parse() {
        headers.insert(header::LOCATION, location);
    }
    Ok((StatusCode::CREATED, headers, Json(view)))
}

#[utoipa::path(get, path = "/v1/admin/practitioners", tag = "admin",
    params(
        ("clinic_id" = Option<Uuid>, Query),
        ("limit" = Option<i64>, Query, description = "1..=100, default 20"),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Practitioners, oldest first", body = Page<PractitionerView>),
        (status = 400, description = "Malformed parameters", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_practitioners(
    State(state): State<AppState>,
    staff: CurrentStaff,
    mut query: QueryParams,
) -> Result<Json<Page<PractitionerView>>, ApiError> {
    staff.require_admin()?;
    let clinic_id = query.uuid("clinic_id");
    let limit = query.limit();
    let after: Option<Uuid> = query.cursor();
    query.finish()?;
    let rows = practitioner_admin::list(&state, &staff, clinic_id, after, limit).await?;
    Ok(Json(Page::from_rows(rows, limit, |row| row.id)))
}

#[utoipa::path(get, path = "/v1/admin/practitioners/{id}", tag = "admin", operation_id = "get_practitioner_as_admin",
    params(("id" = Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The practitioner", body = PractitionerView),
        (status = 404, description = "No such practitioner", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_practitioner(
    State(state): State<AppState>,
    staff: CurrentStaff,
    Path(id): Path<String>,
) -> Result<Json<PractitionerView>, ApiError> {
    staff.require_admin()?;
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::NotFound)?;
    Ok(Json(practitioner_admin::get(&state, &staff, id).await?))
}

#[utoipa::path(patch, path = "/v1/admin/practitioners/{id}", tag = "admin",
    params(("id" = Uuid, Path)),
    request_body = PractitionerPatchBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = PractitionerView),
        (status = 404, description = "No such practitioner", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields or unknown clinic", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_practitioner(
    State(state): State<AppState>,
    staff: CurrentStaff,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> Result<Json<PractitionerView>, ApiError> {
    staff.require_admin()?;
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::NotFound)?;
    let fields = read_fields(&body, true)?;
    Ok(Json(
        practitioner_admin::update(&state, &staff, id, fields).await?,
    ))
}
