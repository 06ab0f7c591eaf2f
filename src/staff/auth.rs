//! The bearer-token extractor and the scoping rules every staff query goes through.

use crate::error::ApiError;
use crate::staff::token;
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
        if self.is_admin() {
            Ok(())
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
        .ok_or_else(|| {
            ApiError::Unauthorized("Send a staff token as `Authorization: Bearer <token>`.".into())
        })
}

/// The staff member whose live session `presented` is, looked up on `conn`.
async fn authenticate(conn: &mut PgConnection, presented: &str) -> Result<CurrentStaff, ApiError> {
    let token_hash = token::hash(presented);
    let row: Option<(Uuid, String, Vec<Uuid>)> = sqlx::query_as(
        "SELECT s.id, s.role,
                COALESCE(array_agg(sc.clinic_id) FILTER (WHERE sc.clinic_id IS NOT NULL), '{}') AS clinic_ids
           FROM staff_sessions ss
           JOIN staff s ON s.id = ss.staff_id
           LEFT JOIN staff_clinics sc ON sc.staff_id = s.id
          WHERE ss.token_hash = $1 AND ss.expires_at > now() AND s.active
          GROUP BY s.id",
    )
    .bind(&token_hash)
    .fetch_optional(conn)
    .await?;
    let (id, role, clinic_ids) = row.ok_or_else(|| {
        ApiError::Unauthorized("The staff token is invalid or has expired.".into())
    })?;
    let role = Role::parse(&role)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("unknown role {role:?}")))?;
    Ok(CurrentStaff {
        id,
        role,
        clinic_ids,
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
