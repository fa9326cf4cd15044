//! The admin panel: server-rendered pages (minijinja, assets embedded, no
//! JavaScript), sessions in an HttpOnly SameSite=Strict cookie, CSRF tokens on
//! every form.

pub mod pages;
pub mod session;
pub mod templates;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

/// Every page of the panel. Not in the OpenAPI document: these answer HTML.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::dashboard))
        .route("/links", get(pages::links_page))
        .route("/login", get(pages::login_form).post(pages::login_submit))
        .route("/logout", post(pages::logout))
        .route("/assets/app.css", get(pages::stylesheet))
}
