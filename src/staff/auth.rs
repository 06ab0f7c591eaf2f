//! The bearer-token extractor and the scoping rules every staff query goes through.

use crate::error::ApiError;
use crate::error::Message;
use crate::staff::{session_store, token};
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use sqlx::pool::PoolConnection;
use sqlx::{PgConnection, Postgres};
use uuid::Uuid;

pub use crate::domain::status::Role;

/// The signed-in staff member making this request, with the clinics they may see.
#[derive(Debug, Clone)]
pub struct CurrentStaff {
    pub id: Uuid,
    pub role: Role,
    pub clinic_ids: Vec<Uuid>,
    /// The hash of the presented token, so the session can be ended.
    pub token_hash: Vec<u8>,
}

impl CurrentStaff {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    pub fn require_admin(&self) -> Result<(), ApiError> {
        self.as_admin().map(|_| ())
    }

    /// This staff member as an admin, or 403: a door asks before it reads the rest of the request,
    /// so others learn nothing from an admin operation, not even what it would refuse in a body.
    pub fn as_admin(&self) -> Result<Admin<'_>, ApiError> {
        if self.is_admin() {
            Ok(Admin(self))
        } else {
            Err(ApiError::Forbidden)
        }
    }

    /// Admins see every clinic and the network queue (`None`); others only their assigned clinics.
    pub fn can_see_clinic(&self, clinic_id: Option<Uuid>) -> bool {
        self.is_admin() || clinic_id.is_some_and(|id| self.clinic_ids.contains(&id))
    }

    /// Bind as `($n::bool OR clinic_id = ANY($m::uuid[]))` in SQL: the one scoping predicate.
    pub fn scope(&self) -> (bool, Vec<Uuid>) {
        (self.is_admin(), self.clinic_ids.clone())
    }
}

/// A staff member checked to be an admin: what admin-only use cases take, so none of them can run
/// for anyone else whichever door calls it.
#[derive(Debug, Clone, Copy)]
pub struct Admin<'a>(&'a CurrentStaff);

impl Admin<'_> {
    pub fn id(&self) -> Uuid {
        self.0.id
    }
}

/// The bearer token of the request, or why there is none usable.
fn presented_token(parts: &Parts) -> Result<&str, ApiError> {
    parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|token| !token.is_empty() && token.len() <= 256)
        .ok_or_else(|| ApiError::Unauthorized(Message::new("problem-sign-in-required")))
}

/// The staff member whose live session `presented` is, looked up on `conn`: the bearer token of the
/// JSON API and the console's session cookie both hold such a token.
pub async fn authenticate(
    conn: &mut PgConnection,
    presented: &str,
) -> Result<CurrentStaff, ApiError> {
    let token_hash = token::hash(presented);
    let holder = session_store::holder(conn, &token_hash)
        .await?
        .ok_or_else(|| ApiError::Unauthorized(Message::new("problem-token-invalid")))?;
    Ok(CurrentStaff {
        id: holder.id,
        role: holder.role,
        clinic_ids: holder.clinic_ids,
        token_hash,
    })
}

impl FromRequestParts<AppState> for CurrentStaff {
    type Rejection = ApiError;

    /// The session is checked on a pooled connection that goes back before the handler runs.
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(StaffConnection::from_request_parts(parts, state)
            .await?
            .staff)
    }
}

/// The signed-in staff member and the connection their session was checked on, for handlers that
/// read with one connection: the request then takes one connection from the pool, not two (each
/// costs a round trip when it goes back). Handlers that open a transaction take [`CurrentStaff`]
/// instead, so no request ever waits for a second connection while holding one.
pub struct StaffConnection {
    pub staff: CurrentStaff,
    pub conn: PoolConnection<Postgres>,
}

impl FromRequestParts<AppState> for StaffConnection {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let presented = presented_token(parts)?;
        let mut conn = state.db.acquire().await?;
        let staff = authenticate(&mut conn, presented).await?;
        Ok(StaffConnection { staff, conn })
    }
}
