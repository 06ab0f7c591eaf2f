//! The OpenAPI document, generated from the handlers' annotations. `openapi.yaml` at the project root
//! is this document committed; a test fails when they differ (`consultdesk openapi > openapi.yaml` updates it).

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "consultdesk",
        description = "Clinic booking and callback backend: callback forms, consult bookings, practitioner search, consent-aware email.",
        license(name = "MIT"),
    ),
    paths(
        crate::http::ops::healthz,
        crate::http::ops::readyz,
        crate::http::ops::openapi_yaml,
        crate::http::metrics::metrics_text,
        crate::consent::unsubscribe::show,
        crate::consent::unsubscribe::apply,
        crate::intake::handlers::create_callback_request,
        crate::staff::sessions::sign_in,
        crate::staff::sessions::sign_out,
        crate::intake::queue::list_callback_requests,
        crate::intake::queue::get_callback_request,
        crate::intake::queue::update_callback_request,
        crate::patients::handlers::get_patient,
        crate::plans::exercises::list_exercises,
        crate::plans::exercise_plans::create_exercise_plan,
        crate::plans::care_plans::create_care_plan,
        crate::plans::emails::list_emails,
        crate::directory::clinics::create_clinic,
        crate::directory::clinics::list_clinics,
        crate::directory::clinics::get_clinic,
        crate::directory::clinics::update_clinic,
        crate::staff::accounts::create_staff,
        crate::staff::accounts::list_staff,
        crate::staff::accounts::get_staff,
        crate::directory::public::search_practitioners,
        crate::directory::public::get_practitioner,
        crate::directory::public::search_clinics,
        crate::directory::practitioners::create_practitioner,
        crate::directory::practitioners::list_practitioners,
        crate::directory::practitioners::get_practitioner,
        crate::directory::practitioners::update_practitioner,
        crate::scheduling::availability::practitioner_slots,
        crate::scheduling::public_booking::create_booking,
        crate::scheduling::hours::put_schedule,
        crate::scheduling::hours::get_schedule,
        crate::scheduling::hours::add_time_off,
        crate::scheduling::front_desk::list_bookings,
        crate::scheduling::front_desk::get_booking,
        crate::scheduling::front_desk::confirm_booking,
        crate::scheduling::front_desk::cancel_booking,
        crate::scheduling::front_desk::reschedule_booking,
        crate::scheduling::front_desk::complete_booking,
        crate::scheduling::front_desk::no_show_booking,
    ),
    components(schemas(crate::http::error::Problem, crate::http::error::FieldError)),
    modifiers(&BearerAuth),
    tags(
        (name = "public", description = "Website forms: no auth, rate-limited per client IP"),
        (name = "staff", description = "Front desk: bearer token, scoped to the staff member's clinics"),
        (name = "admin", description = "Admins: clinics, practitioners and staff"),
        (name = "operations", description = "Health and the API document"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The document as YAML, exactly as committed in `openapi.yaml`.
pub fn yaml() -> String {
    ApiDoc::openapi()
        .to_yaml()
        .unwrap_or_else(|error| format!("# failed to render the document: {error}\n"))
}
