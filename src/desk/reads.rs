//! Where the console's pages read: the read replica (`DATABASE_READ_URL`) when one is configured,
//! answers and has replayed this browser's own last write; else the primary.
//!
//! After a form's POST (which always writes on the primary), the answer carries a cookie with the
//! primary's WAL position; a page asks the replica whether it has replayed that far and reads from
//! the primary when not, so the page a 303 leads to always shows what the form just did. Writes by
//! others (a booking from a website) show once the replica has them, a moment later at most.
//! Sessions are checked on the primary (signing in writes them), and forms re-shown with their
//! errors read from the primary too: only GET pages take [`PageState`].

use crate::desk::session;
use crate::state::AppState;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::Response;
use std::convert::Infallible;

/// The state a console page reads through: [`AppState`] with `db` the pool chosen for this page.
pub struct PageState(pub AppState);

impl FromRequestParts<AppState> for PageState {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        if state.reads.replica().is_none() {
            return Ok(PageState(state.clone()));
        }
        let seen = session::seen_of(state, &parts.headers);
        let pool = state.reads.for_page(seen.as_deref()).await;
        Ok(PageState(state.reading_from(pool)))
    }
}

/// Middleware around the console: after each POST that did its work (every one answers with a
/// redirect then), when there is a replica, the cookie with the primary's WAL position (see the
/// module's documentation). Refused POSTs (403, 429, a form re-shown with its errors) wrote
/// nothing and cost no question to the primary.
pub async fn remember_writes(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let posted = request.method() == Method::POST;
    let mut response = next.run(request).await;
    if posted
        && response.status().is_redirection()
        && let Some(lsn) = state.reads.position_after_writes().await
    {
        response
            .headers_mut()
            .append(header::SET_COOKIE, session::seen_cookie(&state, lsn));
    }
    response
}
