//! The public's scheduling doors: a practitioner's free slots (`GET /v1/practitioners/{id}/slots`)
//! and "book your free consult" (`POST /v1/bookings`). These handlers only translate HTTP;
//! `scheduling::availability` and `scheduling::public_booking` hold the rules.

use crate::domain::Invalid;
use crate::domain::client::ClientInfo;
use crate::error::ApiError;
use crate::http::extract::JsonObject;
use crate::http::query::QueryParams;
use crate::idempotency;
use crate::public_form::{self, Created, Submission};
use crate::scheduling::availability::{self, SlotDays, SlotsView};
use crate::scheduling::bookings::{BookingCreated, BookingForm, BookingRequestBody};
use crate::scheduling::public_booking::book;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::NaiveDate;
use uuid::Uuid;

const IDEMPOTENCY_SCOPE: &str = "POST /v1/bookings";

fn parse_date(raw: &str) -> Result<NaiveDate, Invalid> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| Invalid::new("invalid_date", "field-invalid-date"))
}

#[utoipa::path(get, path = "/v1/practitioners/{id}/slots", tag = "public",
    params(
        ("id" = Uuid, Path),
        ("from" = Option<String>, Query, description = "YYYY-MM-DD in the clinic's zone; default today"),
        ("to" = Option<String>, Query, description = "YYYY-MM-DD, included; at most 31 days after from; default from + 6"),
    ),
    responses(
        (status = 200, description = "Free consult slots", body = SlotsView),
        (status = 404, description = "No such active practitioner", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid dates or range", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn practitioner_slots(
    State(state): State<AppState>,
    Path(id): Path<String>,
    mut query: QueryParams,
) -> Result<Json<SlotsView>, ApiError> {
    let from = query.optional("from", parse_date);
    let to = query.optional("to", parse_date);
    query.finish_as_validation()?;
    // A path that is not a UUID names nobody: a 404, once the dates have been checked.
    let id = Uuid::parse_str(&id).ok();
    // Slots are read from the replica when there is one: a slot it still shows after a booking
    // took it is refused by the booking's own check on the primary (409).
    let slots = state
        .reads
        .read(&(&state, id, from, to), |conn, &(state, id, from, to)| {
            Box::pin(availability::free_slots_on(
                conn,
                state,
                id,
                SlotDays { from, to },
            ))
        })
        .await?;
    Ok(Json(slots))
}

#[utoipa::path(post, path = "/v1/bookings", tag = "public",
    request_body = BookingRequestBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for the same key and body")),
    responses(
        (status = 201, description = "Requested; the clinic confirms it", body = BookingCreated, headers(("location" = String))),
        (status = 409, description = "The slot is taken", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or not one of the practitioner's slots (the reason is given)", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Rate limited, or `too_many_open_requests`: the email address or client address already has MAX_OPEN_REQUESTS requests waiting for confirmation", body = crate::http::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_booking(
    State(state): State<AppState>,
    client: ClientInfo,
    headers: HeaderMap,
    JsonObject(body): JsonObject,
) -> Result<Response, ApiError> {
    let key = idempotency::key_from(&headers)?;
    let form = BookingForm::parse(&body)?;
    let submission = Submission {
        scope: IDEMPOTENCY_SCOPE,
        key,
        body: &body,
    };
    public_form::submit(&state.db, submission, async |tx| {
        let booking = book(tx, &form, &client, &state).await?;
        Ok(Created {
            body: serde_json::to_value(BookingCreated::from(&booking))
                .map_err(anyhow::Error::from)?,
            location: format!("/v1/staff/bookings/{}", booking.id),
        })
    })
    .await
}
