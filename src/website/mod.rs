//! The website's forms (contract: "The website's forms: /embed.js"): the script a clinic's site
//! adds with one tag (`GET /embed.js`, three custom elements over the public JSON API) and a page
//! that shows them (`GET /demo`). A door only: the elements call the same public endpoints as any
//! website form, so the rules stay in the services behind them.

pub mod demo;
pub mod script;

use crate::http::rate_limit;
use crate::state::AppState;
use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::get;

pub fn router(state: &AppState) -> Router<AppState> {
    // Built now, so that a catalogue text the script needs and cannot format stops the start
    // instead of the first visitor's request.
    script::current();
    Router::new()
        .route("/embed.js", get(script::serve))
        .route("/demo", get(demo::show))
        // Every public endpoint is rate-limited; these are reads.
        .route_layer(from_fn_with_state(
            state.public_read_limiter.clone(),
            rate_limit::limit,
        ))
}
