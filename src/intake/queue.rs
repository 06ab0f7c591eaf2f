//! The staff callback queue over JSON: list, read and work callback requests; `intake::desk` holds
//! the rules (scoping, routing, the audit entry).

use crate::domain::Invalid;
use crate::domain::fields::{FieldReader, parse_uuid};
use crate::domain::text;
use crate::error::ApiError;
use crate::http::extract::JsonObject;
use crate::http::query::{Page, QueryParams};
use crate::intake::desk::{self, QueueQuery};
use crate::intake::store::{CallbackChange, CallbackView, QueuePosition};
use crate::staff::auth::{CurrentStaff, StaffConnection};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

pub const STATUSES: [&str; 4] = ["new", "contacted", "booked", "closed"];
const MAX_NOTE_CHARS: usize = 2000;

#[utoipa::path(get, path = "/v1/staff/callback-requests", tag = "staff",
    params(
        ("status" = Option<String>, Query, description = "new | contacted | booked | closed"),
        ("clinic_id" = Option<Uuid>, Query),
        ("limit" = Option<i64>, Query, description = "1..=100, default 20"),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Oldest new first, then the handled ones by age", body = Page<CallbackView>),
        (status = 400, description = "Malformed parameters", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_callback_requests(
    StaffConnection { staff, mut conn }: StaffConnection,
    mut query: QueryParams,
) -> Result<Json<Page<CallbackView>>, ApiError> {
    let status = query.one_of("status", &STATUSES);
    let clinic_id = query.uuid("clinic_id");
    let limit = query.limit();
    let after: Option<QueuePosition> = query.cursor();
    query.finish()?;
    let wanted = QueueQuery {
        status,
        clinic_id,
        after,
        limit,
    };
    let rows = desk::queue(&mut conn, &staff, wanted).await?;
    Ok(Json(Page::from_rows(rows, limit, QueuePosition::of)))
}

#[utoipa::path(get, path = "/v1/staff/callback-requests/{id}", tag = "staff",
    params(("id" = Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The callback request", body = CallbackView),
        (status = 404, description = "No such request, or not one of your clinics'", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_callback_request(
    StaffConnection { staff, mut conn }: StaffConnection,
    Path(id): Path<String>,
) -> Result<Json<CallbackView>, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::NotFound)?;
    Ok(Json(desk::request(&mut conn, &staff, id).await?))
}

fn status_schema() -> utoipa::openapi::schema::Schema {
    crate::domain::schema::string_enum(STATUSES).into()
}

fn note_schema() -> utoipa::openapi::schema::Schema {
    crate::domain::schema::optional_note(MAX_NOTE_CHARS)
}

/// Body of `PATCH /v1/staff/callback-requests/{id}`: any of the three fields.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CallbackPatchBody {
    /// `new`, `contacted`, `booked` or `closed`.
    #[schema(schema_with = status_schema)]
    pub status: Option<String>,
    /// Replaces the note; null clears it.
    #[schema(schema_with = note_schema)]
    pub note: Option<String>,
    /// Routes the request to a clinic (admins: any clinic, or null for the network queue; others: one of theirs).
    pub clinic_id: Option<Uuid>,
}

/// Reads a change of a request (also the console's form, turned into the same fields).
pub fn parse_change(body: &serde_json::Map<String, Value>) -> Result<CallbackChange, ApiError> {
    let mut reader = FieldReader::new(body);
    let status = reader.optional("status", |raw| {
        STATUSES
            .into_iter()
            .find(|status| *status == raw)
            .ok_or_else(|| {
                Invalid::new("invalid_value", "field-one-of")
                    .arg("allowed", "new, contacted, booked, closed")
            })
    });
    // For note and clinic_id an explicit null means "clear", so presence is read from the raw body.
    let note = match body.get("note") {
        None => Some(None),
        Some(Value::Null) => Some(Some(None)),
        Some(_) => reader
            .optional("note", |raw| {
                text::bounded_text(raw, 0, MAX_NOTE_CHARS, true)
            })
            .map(|note| Some(note.filter(|n| !n.is_empty()))),
    };
    let clinic_id = match body.get("clinic_id") {
        None => Some(None),
        Some(Value::Null) => Some(Some(None)),
        Some(_) => reader
            .required("clinic_id", parse_uuid)
            .map(|id| Some(Some(id))),
    };
    let nothing_given = ["status", "note", "clinic_id"]
        .iter()
        .all(|name| !body.contains_key(*name));
    if nothing_given {
        reader.error(
            "body",
            Invalid::new("empty_update", "field-empty-update-callback"),
        );
    }
    reader.finish()?;
    Ok(crate::valid_form!(CallbackChange {
        status,
        note,
        clinic_id
    }))
}

#[utoipa::path(patch, path = "/v1/staff/callback-requests/{id}", tag = "staff",
    params(("id" = Uuid, Path)),
    request_body = CallbackPatchBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = CallbackView),
        (status = 403, description = "Routing to a clinic you are not assigned to", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request, or not one of your clinics'", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_callback_request(
    State(state): State<AppState>,
    staff: CurrentStaff,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> Result<Json<CallbackView>, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::NotFound)?;
    let change = parse_change(&body)?;
    Ok(Json(desk::update(&state, &staff, id, change).await?))
}
