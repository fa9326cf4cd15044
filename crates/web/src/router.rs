//! Every route of the web server (the panel's are in `panel::routes`), its OpenAPI document, and the layers all
//! responses pass through (security headers, `Cache-Control: no-store`, CORS, body limit, timeout).

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use tower_http::cors::CorsLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use utoipa_swagger_ui::SwaggerUi;

use crate::api::{
    admins, audit, campaigns, events, exports, links, metrics, qr, reports, stats, tokens, users,
};
use crate::auth::login;
use crate::state::AppState;

/// Largest request body; the API takes small JSON documents only.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// A request still running after this answers 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
pub const OPENAPI_PATH: &str = "/api/openapi.json";
pub const DOCS_PATH: &str = "/docs";

/// No inline scripts anywhere; styles may be inline (Swagger UI sets them).
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "startlink API",
        description = "Telegram deep links: create and manage links, read their opens, users and statistics. \
            Authenticate with `Authorization: Bearer <token>`: an access token from `POST /api/v1/auth/login`, \
            or an API token (`slk_…`) from `startlink token create`, limited to its scopes. \
            Errors are `{\"error\": code, \"message\": text}`.",
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Log in, log out; who am I"),
        (name = "admin", description = "Admins, API tokens and the audit log (the admin role only)"),
        (name = "links", description = "Links and their QR codes"),
        (name = "events", description = "Opens of links"),
        (name = "users", description = "Telegram users"),
        (name = "campaigns", description = "Campaigns"),
        (name = "stats", description = "Statistics"),
        (name = "exports", description = "Spreadsheets (XLSX, CSV) and PDF reports"),
    ),
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT from /api/v1/auth/login, or an slk_ API token")
                    .description(Some("Scopes: links:read, links:write, events:read, users:read, stats:read, exports:read. Admins hold all of them; viewers the read ones."))
                    .build(),
            ),
        );
    }
}

/// The routing table. A route added here is in the OpenAPI document too, and
/// the test that every documented route refuses anonymous callers covers it.
fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(login::login))
        .routes(routes!(login::logout))
        .routes(routes!(login::me))
        .routes(routes!(admins::list, admins::create))
        .routes(routes!(admins::set_password))
        .routes(routes!(admins::disable))
        .routes(routes!(admins::enable))
        .routes(routes!(admins::delete))
        .routes(routes!(tokens::list, tokens::create))
        .routes(routes!(tokens::revoke))
        .routes(routes!(audit::list))
        .routes(routes!(links::list, links::create))
        .routes(routes!(links::get, links::update))
        .routes(routes!(links::revoke))
        .routes(routes!(qr::png))
        .routes(routes!(qr::svg))
        .routes(routes!(events::list))
        .routes(routes!(users::list))
        .routes(routes!(campaigns::list))
        .routes(routes!(stats::summary))
        .routes(routes!(stats::timeseries))
        .routes(routes!(stats::breakdown))
        .routes(routes!(stats::funnel))
        .routes(routes!(stats::referrals))
        .routes(routes!(exports::export))
        .routes(routes!(reports::summary_pdf))
        .routes(routes!(metrics::metrics))
}

/// Whether this application answers `path`, so that nothing else (the bot's
/// webhook route) may be merged there: axum refuses overlapping routes.
pub fn serves_path(path: &str) -> bool {
    let path = path.trim_end_matches('/');
    ["", "/login", "/logout", "/metrics"].contains(&path)
        || [
            "/api",
            "/docs",
            "/assets",
            "/links",
            "/users",
            "/admins",
            "/audit",
            "/tokens",
            "/settings",
            "/simulator",
            "/exports",
            "/reports",
        ]
        .iter()
        .any(|prefix| path == *prefix || path.starts_with(&format!("{prefix}/")))
}

/// The OpenAPI document `GET /api/openapi.json` serves.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut document = api().into_openapi();
    common_responses(&mut document);
    document
}

/// The answers any route may give, added to every operation that can give
/// them (a route's own description of one is kept): 400 for a query, path or
/// body that does not parse or is refused, 413 for a body over
/// [`MAX_BODY_BYTES`], 401 and 403 where a bearer and a scope are needed,
/// 503 when the database is unreachable. All with [`ErrorBody`].
fn common_responses(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let error = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build()
    };
    for item in document.paths.paths.values_mut() {
        for operation in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            let has_input = operation.parameters.as_ref().is_some_and(|p| !p.is_empty())
                || operation.request_body.is_some();
            let (bearer, scoped) = operation
                .security
                .iter()
                .flatten()
                .filter_map(|requirement| {
                    serde_json::to_value(requirement)
                        .ok()?
                        .get("bearer")
                        .and_then(|scopes| scopes.as_array().map(|s| !s.is_empty()))
                })
                .fold((false, false), |(_, any), scoped| (true, any || scoped));
            let mut add = |status: &str, description: &str| {
                operation
                    .responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| error(description).into());
            };
            if has_input {
                add(
                    "400",
                    "A query, path or body value is refused: `bad_request`, the message names the field",
                );
            }
            if operation.request_body.is_some() {
                add("413", "The request body is over 64 KiB");
            }
            if bearer {
                add("401", "No bearer token, or one that does not check out");
            }
            if scoped {
                add(
                    "403",
                    "The token lacks the scope, or the admin the role, this route needs",
                );
            }
            add("503", "The database is unreachable; see Retry-After");
        }
    }
}

/// The web application: the REST API, its document and Swagger UI.
pub fn router(state: AppState) -> Router {
    let cors_origins = state.config.cors_origins.clone();
    let panel_state = state.clone();
    let metrics_state = state.clone();
    let (api, mut document) = api().with_state(state).split_for_parts();
    common_responses(&mut document);
    let docs: Router = SwaggerUi::new(DOCS_PATH).url(OPENAPI_PATH, document).into();
    let app = api
        .merge(docs)
        .merge(crate::panel::routes().with_state(panel_state))
        .layer(axum::middleware::from_fn_with_state(
            metrics_state,
            crate::metrics::track,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ));
    let app = if cors_origins.is_empty() {
        app
    } else {
        app.layer(
            CorsLayer::new()
                .allow_origin(cors_origins)
                .allow_methods([Method::GET, Method::POST, Method::PATCH, Method::DELETE])
                .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
                .max_age(Duration::from_secs(600)),
        )
    };
    security_headers(app.layer(axum::middleware::from_fn(no_store)))
}

/// Paths whose answers hold nothing private and may be cached.
fn cacheable(path: &str) -> bool {
    path == OPENAPI_PATH
        || path.starts_with("/assets/")
        || path == DOCS_PATH
        || path.starts_with(&format!("{DOCS_PATH}/"))
}

/// `Cache-Control: no-store` on everything else: logins, tokens, exports,
/// reports, signed-in pages, API data.
async fn no_store(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let cache = cacheable(request.uri().path());
    let mut response = next.run(request).await;
    if !cache {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// The security headers every response gets (`health::routes` too).
pub(crate) fn security_headers(app: Router) -> Router {
    let headers: [(HeaderName, &'static str); 5] = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ];
    headers.into_iter().fold(app, |app, (name, value)| {
        app.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ))
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_panel_and_api_paths_are_reserved() {
        for taken in [
            "/",
            "/login",
            "/links/",
            "/api/v1/links",
            "/docs",
            "/assets/app.css",
        ] {
            assert!(super::serves_path(taken), "{taken}");
        }
        for free in ["/tg/webhook", "/linksx", "/apix", "/hook/login"] {
            assert!(!super::serves_path(free), "{free}");
        }
    }
}
