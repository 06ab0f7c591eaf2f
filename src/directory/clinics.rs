//! Admin management of clinics over JSON: `POST/GET/PATCH /v1/admin/clinics`. These handlers
//! only translate HTTP; `directory::clinic_admin` holds the rules.

use crate::directory::clinic_admin;
use crate::directory::clinic_store::{ClinicFields, ClinicView};
use crate::domain::contact::{EmailAddress, PhoneE164};
use crate::domain::fields::FieldReader;
use crate::domain::locale::Locale;
use crate::domain::{Invalid, location, schema, text};
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
    /// The language its patients are written to when their form named none (default `en`;
    /// Québec clinics: `fr`).
    pub default_locale: Option<Locale>,
    /// Where the front desk is told (a `booking_changed_by_patient` email) when a patient cancels
    /// or moves a booking through the link in their emails; `null` (the default) clears it.
    #[schema(schema_with = schema::optional_email)]
    pub notification_email: Option<String>,
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

const TEXT_FIELDS: [&str; 7] = [
    "name",
    "address",
    "city",
    "province",
    "postal_code",
    "phone",
    "time_zone",
];

/// `partial`: a PATCH, where absent fields stay as they are (but at least one must be given).
/// Reads a clinic's fields (also the console's forms, turned into the same fields).
pub fn read_fields(body: &Map<String, Value>, partial: bool) -> Result<ClinicFields, ApiError> {
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
    // Optional on create too: a clinic serves patients in English unless it says otherwise.
    fields.default_locale = reader
        .optional("default_locale", Locale::parse_field)
        .flatten();
    // Optional: absent leaves it as it is; null or blank clears it.
    if body.contains_key("notification_email") {
        fields.notification_email = reader
            .optional("notification_email", EmailAddress::parse)
            .map(|email| email.map(|email| email.as_str().to_owned()));
    }
    let any_given = TEXT_FIELDS
        .iter()
        .chain(["latitude", "longitude", "default_locale"].iter())
        .any(|name| reader.is_present(name))
        || body.contains_key("notification_email");
    if partial && !any_given && !reader.has_errors() {
        reader.error(
            "body",
            Invalid::new("empty_update", "field-empty-update-clinic"),
        );
    }
    reader.finish()?;
    Ok(fields)
}

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
    // Non-admins are refused before their body is read: they learn nothing of its rules.
    staff.require_admin()?;
    let fields = read_fields(&body, false)?;
    let clinic = clinic_admin::create(&state, &staff, fields).await?;
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
    let rows = clinic_admin::list(&state, &staff, after, limit).await?;
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
    Ok(Json(clinic_admin::get(&state, &staff, id).await?))
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
    let fields = read_fields(&body, true)?;
    Ok(Json(
        clinic_admin::update(&state, &staff, id, fields).await?,
    ))
}
