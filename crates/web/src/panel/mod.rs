//! The admin panel: server-rendered pages (minijinja, assets embedded, no
//! JavaScript), sessions in an HttpOnly SameSite=Strict cookie, CSRF tokens on
//! every form.

pub mod access_pages;
pub mod audit_pages;
pub mod error;
pub mod export_pages;
pub mod link_pages;
pub mod pages;
pub mod session;
pub mod simulator;
pub mod templates;
pub mod user_pages;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

/// Every page of the panel. Not in the OpenAPI document: these answer HTML.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::dashboard))
        .route(
            "/links",
            get(pages::links_page).post(link_pages::create_link),
        )
        .route("/links/new", get(link_pages::new_link_form))
        .route("/links/{key}", get(link_pages::link_detail))
        .route("/links/{key}/edit", post(link_pages::edit_link))
        .route("/links/{key}/revoke", post(link_pages::revoke_link))
        .route("/links/{key}/qr.png", get(link_pages::qr_png))
        .route("/links/{key}/qr.svg", get(link_pages::qr_svg))
        .route("/login", get(pages::login_form).post(pages::login_submit))
        .route("/logout", post(pages::logout))
        .route(
            "/admins",
            get(access_pages::access).post(access_pages::create_admin),
        )
        .route("/admins/manage", post(access_pages::manage_admin))
        .route("/audit", get(audit_pages::audit_page))
        .route("/users", get(user_pages::users_page))
        .route("/settings", get(pages::settings))
        .route("/tokens", post(access_pages::create_token))
        .route("/tokens/{id}/revoke", post(access_pages::revoke_token))
        .route("/exports", get(export_pages::exports_page))
        .route("/exports/download", get(export_pages::download))
        .route("/reports/summary.pdf", get(export_pages::report_pdf))
        .route("/simulator", get(simulator::simulator_page))
        .route("/simulator/users", post(simulator::create_user))
        .route("/simulator/send", post(simulator::send))
        .route("/simulator/press", post(simulator::press))
        .route("/simulator/files/{file_id}", get(simulator::file))
        .route("/assets/app.css", get(pages::stylesheet))
}
