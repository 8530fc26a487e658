//! The page itself: three hand-written files compiled into the binary.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

const INDEX: &str = include_str!("assets/index.html");
const CSS: &str = include_str!("assets/console.css");
const JS: &str = include_str!("assets/console.js");

fn file(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            // Embedded in the binary: a new build is a new sandbox run, so never reuse a copy.
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

pub async fn index() -> Response {
    file("text/html; charset=utf-8", INDEX)
}

pub async fn asset(Path(name): Path<String>) -> Response {
    match name.as_str() {
        "console.css" => file("text/css; charset=utf-8", CSS),
        "console.js" => file("text/javascript; charset=utf-8", JS),
        _ => (StatusCode::NOT_FOUND, "no such console asset").into_response(),
    }
}
