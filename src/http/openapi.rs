//! The OpenAPI document, generated from the handlers' annotations as `http::routes` lists them. `openapi.yaml` at the project root
//! is this document committed; a test fails when they differ (`consultdesk openapi > openapi.yaml` updates it).

use utoipa::openapi::header::Header;
use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn, ParameterStyle};
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, Object, Ref, RefOr, Required, Schema, Type};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "consultdesk",
        description = "Clinic booking and callback backend: callback forms, consult bookings, practitioner search, consent-aware email.",
        license(name = "MIT"),
    ),
    components(schemas(crate::http::error::Problem, crate::http::error::InvalidField)),
    tags(
        (name = "public", description = "Website forms: no auth, rate-limited per client (an IPv4 address or an IPv6 /64)"),
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
        components.add_security_scheme(
            "metrics_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "`METRICS_TOKEN`, when the operator set one; `/metrics` is open otherwise",
                    ))
                    .build(),
            ),
        );
    }
}

/// Components that fields refer to by name rather than through a Rust type.
struct SharedSchemas;

impl Modify for SharedSchemas {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.schemas.insert(
            "TimeZone".to_owned(),
            crate::domain::schema::time_zone_component().into(),
        );
        // `domain::schema::consult_modes` refers to it by name.
        components.schemas.insert(
            "ConsultMode".to_owned(),
            <crate::domain::practice::ConsultMode as utoipa::PartialSchema>::schema(),
        );
        // A query parameter of `GET /v1/staff/patients/{id}/emails` refers to it.
        components.schemas.insert(
            "EmailStatus".to_owned(),
            <crate::domain::status::EmailStatus as utoipa::PartialSchema>::schema(),
        );
    }
}

/// The searches take exactly one of `near`, `postal_code` and `city`: a parameter list cannot say
/// "one of these", so the three become one `location` parameter, a form-style exploded object
/// (`?near=43.65,-79.38`, `?city=Toronto`: the query string is unchanged) whose schema is a `oneOf`.
struct SearchLocation;

/// The operations whose location is one of several parameters, and those parameters.
const SEARCHES: [&str; 2] = ["search_practitioners", "search_clinics"];
const LOCATION_PARAMETERS: [&str; 3] = ["near", "postal_code", "city"];

impl Modify for SearchLocation {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let operations = openapi
            .paths
            .paths
            .values_mut()
            .filter_map(|item| item.get.as_mut())
            .filter(|operation| {
                operation
                    .operation_id
                    .as_deref()
                    .is_some_and(|id| SEARCHES.contains(&id))
            });
        for operation in operations {
            let parameters = operation.parameters.get_or_insert_with(Vec::new);
            parameters.retain(|parameter| !LOCATION_PARAMETERS.contains(&parameter.name.as_str()));
            // The filters, as `directory::search` parses them.
            for parameter in parameters.iter_mut() {
                let schema: Option<Schema> = match parameter.name.as_str() {
                    "province" => Some(crate::domain::schema::province()),
                    "language" => Some(crate::domain::schema::language()),
                    "service" => Some(crate::domain::schema::service()),
                    _ => None,
                };
                if let Some(schema) = schema {
                    parameter.schema = Some(schema.into());
                }
            }
            parameters.insert(
                0,
                ParameterBuilder::new()
                    .name("location")
                    .parameter_in(ParameterIn::Query)
                    .required(Required::True)
                    .style(Some(ParameterStyle::Form))
                    .explode(Some(true))
                    .description(Some(
                        "Where to search from, exactly one of `near=LAT,LNG`, `postal_code=` and `city=` \
                         (each its own query parameter)",
                    ))
                    .schema(Some(crate::directory::places::location_schema()))
                    .build(),
            );
        }
    }
}

/// The problems an operation can answer whatever its handler does, added in one place so no
/// operation forgets one: a JSON body can be malformed (400), too large (413), not JSON (415) or
/// not an object (422); a query string can be malformed (400); a bearer token can be missing or bad
/// (401), an admin's operation refuses other staff (403), a public one is rate-limited (429); and
/// anything that reads the database answers 503 while it is unreachable. 429 and 503 carry
/// `Retry-After`. Responses a handler documents itself are kept as written. Every `limit` query
/// parameter gets the list convention's bounds.
struct CommonResponses;

/// Operations that never touch the database.
const WITHOUT_DATABASE: [&str; 2] = ["healthz", "openapi_yaml"];

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                add_common_responses(operation);
            }
        }
    }
}

fn add_common_responses(operation: &mut Operation) {
    let json_body = operation
        .request_body
        .as_ref()
        .is_some_and(|body| body.content.contains_key("application/json"));
    let has_query = operation
        .parameters
        .iter()
        .flatten()
        .any(|parameter| matches!(parameter.parameter_in, ParameterIn::Query));
    let secured = operation
        .security
        .as_ref()
        .is_some_and(|requirements| !requirements.is_empty());
    let uses_database = !operation
        .operation_id
        .as_deref()
        .is_some_and(|id| WITHOUT_DATABASE.contains(&id));
    let mut wanted = Vec::new();
    if json_body {
        wanted.extend([
            ("400", "Malformed JSON"),
            ("413", "Body over 1 MiB"),
            ("415", "Not JSON (send `Content-Type: application/json`)"),
            ("422", "Invalid fields, all listed"),
        ]);
    }
    if has_query {
        wanted.push(("400", "Malformed query parameters"));
    }
    if secured {
        wanted.push(("401", "No or bad staff token"));
    }
    let tagged = |wanted: &str| {
        operation
            .tags
            .as_ref()
            .is_some_and(|tags| tags.iter().any(|tag| tag == wanted))
    };
    if tagged("admin") {
        wanted.push(("403", "Not an admin"));
    }
    // Every public endpoint is rate-limited (`http::router`).
    if tagged("public") {
        wanted.push(("429", "Rate limited"));
    }
    if uses_database {
        wanted.push(("503", "Database unavailable"));
    }
    for parameter in operation.parameters.iter_mut().flatten() {
        // The emailed links' tokens (`consent::tokens`).
        if matches!(parameter.parameter_in, ParameterIn::Path)
            && parameter.name == "token"
            && let Some(RefOr::T(Schema::Object(schema))) = &mut parameter.schema
        {
            schema.pattern = Some(crate::consent::tokens::TOKEN_PATTERN.to_owned());
            schema.max_length = Some(crate::consent::tokens::MAX_TOKEN_CHARS);
        }
        // The list convention (`http::query`): every `limit` is 1..=MAX_LIMIT.
        if matches!(parameter.parameter_in, ParameterIn::Query)
            && parameter.name == "limit"
            && let Some(RefOr::T(Schema::Object(schema))) = &mut parameter.schema
        {
            schema.minimum = Some(1.into());
            schema.maximum = Some((crate::http::query::MAX_LIMIT as isize).into());
        }
    }
    let responses = &mut operation.responses.responses;
    for (status, description) in wanted {
        responses
            .entry(status.to_owned())
            .or_insert_with(|| problem(description).into());
    }
    for status in ["429", "503"] {
        if let Some(RefOr::T(response)) = responses.get_mut(status) {
            response
                .headers
                .entry("retry-after".to_owned())
                .or_insert_with(retry_after);
        }
    }
}

fn problem(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            crate::http::error::PROBLEM_CONTENT_TYPE,
            Content::new(Some(Ref::from_schema_name("Problem"))),
        )
        .build()
}

fn retry_after() -> Header {
    let mut header = Header::new(Object::with_type(Type::Integer));
    header.description = Some("Seconds to wait before retrying".to_owned());
    header
}

/// The document of `paths` (the routes' part): the info, tags and shared components around them,
/// then the security schemes and the responses every operation shares, added over all of them.
pub fn document(paths: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let mut document = ApiDoc::openapi();
    document.merge(paths);
    BearerAuth.modify(&mut document);
    CommonResponses.modify(&mut document);
    SharedSchemas.modify(&mut document);
    SearchLocation.modify(&mut document);
    document
}

/// `document(paths)` as YAML, exactly as committed in `openapi.yaml`.
pub fn finish(paths: utoipa::openapi::OpenApi) -> String {
    document(paths)
        .to_yaml()
        .unwrap_or_else(|error| format!("# failed to render the document: {error}\n"))
}

/// The whole service's document as YAML (`consultdesk openapi`).
pub fn yaml() -> String {
    let (_, paths) = crate::http::routes::all().split();
    finish(paths)
}
