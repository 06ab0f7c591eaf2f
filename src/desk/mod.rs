//! The front desk's console, `/desk`: server-rendered pages with plain forms (POST, then 303 to a
//! page), working with JavaScript off, in English and French. A door only: every rule is a service
//! function the JSON API calls too (`scheduling::desk`, `intake::desk`, `directory::workplaces`,
//! `staff::signing`); the modules here turn requests into those calls and the results into pages.
//!
//! - `session`: the cookie session, the CSRF field of every form, the console's language;
//! - `extract`: the signed-in staff member, their forms' POSTs (CSRF checked), the sign-in POST;
//! - `form`: a posted form and the JSON body it stands for;
//! - `page`: the templates, the header, the status pages (404 for unknown and other clinics' ids);
//! - `sign_in`, `bookings`, `callbacks`, `patients`, `admin`: the screens; `words`: the catalogue's words for values.
//!
//! Not in the OpenAPI document (it describes the JSON API for client generators); the pages are
//! described in `docs/API.md`.

mod admin;
mod bookings;
mod callbacks;
mod extract;
mod form;
pub mod page;
mod patients;
mod reads;
pub mod session;
mod sign_in;
mod words;

use crate::http::rate_limit;
use crate::state::AppState;
use axum::Router;
use axum::handler::Handler;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};

/// The console's routes, every one under the public read limit (per client address; a clinic's
/// front desk shares one), signing in also under the write limit (its own throttle per account
/// and address is `staff::throttle`'s, as for the JSON API).
pub fn router(state: &AppState) -> Router<AppState> {
    let sign_in_limit = from_fn_with_state(state.public_limiter.clone(), rate_limit::limit);
    Router::new()
        .route(
            "/desk/sign-in",
            get(sign_in::show).post(sign_in::sign_in.layer(sign_in_limit)),
        )
        .route("/desk/sign-out", post(sign_in::sign_out))
        .route("/desk/language", get(sign_in::switch_language))
        .route(
            "/desk",
            get(|| async { axum::response::Redirect::permanent("/desk/") }),
        )
        .route("/desk/", get(bookings::today))
        .route("/desk/bookings", get(bookings::day))
        .route("/desk/bookings/{id}", get(bookings::show))
        .route("/desk/bookings/{id}/confirm", post(bookings::confirm))
        .route("/desk/bookings/{id}/cancel", post(bookings::cancel))
        .route("/desk/bookings/{id}/reschedule", post(bookings::reschedule))
        .route("/desk/bookings/{id}/complete", post(bookings::complete))
        .route("/desk/bookings/{id}/no-show", post(bookings::no_show))
        .route("/desk/callbacks", get(callbacks::list))
        .route("/desk/callbacks/{id}", post(callbacks::update))
        .route("/desk/patients/{id}", get(patients::show))
        .route(
            "/desk/patients/{id}/consents",
            post(patients::record_consent),
        )
        .route(
            "/desk/patients/{id}/exercise-plans",
            post(patients::send_exercise_plan),
        )
        .route(
            "/desk/patients/{id}/care-plans",
            post(patients::send_care_plan),
        )
        .route(
            "/desk/admin/clinics",
            get(admin::clinics).post(admin::create_clinic),
        )
        .route(
            "/desk/admin/clinics/{id}",
            get(admin::clinic).post(admin::update_clinic),
        )
        .route(
            "/desk/admin/practitioners",
            get(admin::practitioners).post(admin::create_practitioner),
        )
        .route(
            "/desk/admin/practitioners/{id}",
            get(admin::practitioner).post(admin::update_practitioner),
        )
        .route(
            "/desk/admin/practitioners/{id}/schedule",
            post(admin::put_schedule),
        )
        .route(
            "/desk/admin/practitioners/{id}/time-off",
            post(admin::add_time_off),
        )
        .route(
            "/desk/admin/staff",
            get(admin::staff).post(admin::create_staff),
        )
        .route_layer(from_fn_with_state(
            state.public_read_limiter.clone(),
            rate_limit::limit,
        ))
        .route_layer(from_fn_with_state(state.clone(), reads::remember_writes))
}
