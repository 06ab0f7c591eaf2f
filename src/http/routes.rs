//! Every operation the service answers, listed once. Each `routes!` entry registers the handler with
//! axum and its `#[utoipa::path]` with the OpenAPI document, so a route cannot be served without
//! being documented, or documented without being served. The groups are the layers the router
//! puts around them (`http::router`).

use crate::http::{metrics, ops};
use crate::state::AppState;
use crate::{consent, directory, intake, patients, plans, scheduling, staff};
use axum::Router;
use utoipa::openapi::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The routes by the layers they share.
pub struct Groups<R> {
    /// Public writes: the per-client write limit and CORS.
    pub public_posts: R,
    /// Public reads: the larger read limit and CORS.
    pub public_reads: R,
    /// Staff and admins: bearer tokens, checked by each handler's extractor.
    pub staff: R,
    /// Health, readiness, metrics and this document.
    pub operations: R,
}

pub fn all() -> Groups<OpenApiRouter<AppState>> {
    let public_posts = OpenApiRouter::default()
        .routes(routes!(intake::handlers::create_callback_request))
        .routes(routes!(staff::sessions::sign_in))
        .routes(routes!(scheduling::public::create_booking))
        // A patient's changes through the link in their emails.
        .routes(routes!(scheduling::manage::cancel_managed_booking))
        .routes(routes!(scheduling::manage::reschedule_managed_booking))
        // The same changes from the manage page's forms.
        .routes(routes!(scheduling::manage_page::cancel))
        .routes(routes!(scheduling::manage_page::reschedule));

    let public_reads = OpenApiRouter::default()
        .routes(routes!(directory::public::search_practitioners))
        .routes(routes!(directory::public::get_practitioner))
        .routes(routes!(directory::public::search_clinics))
        .routes(routes!(directory::public::clinic_practitioners))
        // One-click unsubscribes arrive from mail providers' servers, many people behind one IP:
        // they share the larger bucket so a busy provider is not refused.
        .routes(routes!(
            consent::unsubscribe::show,
            consent::unsubscribe::apply
        ))
        .routes(routes!(
            consent::confirmation::show,
            consent::confirmation::confirm
        ))
        .routes(routes!(consent::wording::consent_wording))
        .routes(routes!(scheduling::public::practitioner_slots))
        .routes(routes!(scheduling::manage::get_managed_booking))
        // The manage page the link in a booking's emails opens (HTML).
        .routes(routes!(scheduling::manage_page::show));

    let staff = OpenApiRouter::default()
        .routes(routes!(staff::sessions::sign_out))
        .routes(routes!(intake::queue::list_callback_requests))
        .routes(routes!(
            intake::queue::get_callback_request,
            intake::queue::update_callback_request
        ))
        .routes(routes!(patients::handlers::get_patient))
        .routes(routes!(patients::consents::record_consent))
        .routes(routes!(plans::exercises::list_exercises))
        .routes(routes!(plans::exercise_plans::create_exercise_plan))
        .routes(routes!(plans::care_plans::create_care_plan))
        .routes(routes!(plans::emails::list_emails))
        .routes(routes!(
            directory::clinics::create_clinic,
            directory::clinics::list_clinics
        ))
        .routes(routes!(
            directory::clinics::get_clinic,
            directory::clinics::update_clinic
        ))
        .routes(routes!(
            staff::admin::create_staff,
            staff::admin::list_staff
        ))
        .routes(routes!(staff::admin::get_staff))
        .routes(routes!(
            scheduling::hours::get_schedule,
            scheduling::hours::put_schedule
        ))
        .routes(routes!(scheduling::hours::add_time_off))
        .routes(routes!(scheduling::front_desk::list_bookings))
        .routes(routes!(scheduling::front_desk::get_booking))
        .routes(routes!(scheduling::front_desk::confirm_booking))
        .routes(routes!(scheduling::front_desk::cancel_booking))
        .routes(routes!(scheduling::front_desk::reschedule_booking))
        .routes(routes!(scheduling::front_desk::complete_booking))
        .routes(routes!(scheduling::front_desk::no_show_booking))
        .routes(routes!(
            directory::practitioners::create_practitioner,
            directory::practitioners::list_practitioners
        ))
        .routes(routes!(
            directory::practitioners::get_practitioner,
            directory::practitioners::update_practitioner
        ));

    let operations = OpenApiRouter::default()
        .routes(routes!(ops::healthz))
        .routes(routes!(ops::readyz))
        .routes(routes!(ops::openapi_yaml))
        .routes(routes!(metrics::metrics_text));

    Groups {
        public_posts,
        public_reads,
        staff,
        operations,
    }
}

impl Groups<OpenApiRouter<AppState>> {
    /// The axum routers, and the paths and schemas of all of them in one document.
    pub fn split(self) -> (Groups<Router<AppState>>, OpenApi) {
        let mut document = OpenApi::default();
        let mut take = |group: OpenApiRouter<AppState>| {
            let (router, paths) = group.split_for_parts();
            document.merge(paths);
            router
        };
        let routers = Groups {
            public_posts: take(self.public_posts),
            public_reads: take(self.public_reads),
            staff: take(self.staff),
            operations: take(self.operations),
        };
        (routers, document)
    }
}
