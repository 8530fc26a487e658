//! The QA console: a page at `/console` beside the sandbox's admin API, for joint testing with
//! two phones and a laptop (show codes to scan, watch payments live, force outcomes, reconcile,
//! scan a photo).
//!
//! The page is hand-written HTML/CSS/JS embedded in the binary (no build step, no CDN). It
//! renders every value with DOM text APIs, and every console response carries a strict
//! Content-Security-Policy, because payloads are attacker-controlled: a `<script>` in a
//! merchant name must reach the screen as text. The JSON endpoints here use the Hutong core
//! (encoders, `render`, `scan`, `registry`); payments, events, scenarios and the ledger come
//! from the sandbox's own `/sandbox/*` API.

mod assets;
mod error;
mod merchant;
mod payer;
mod photo;
mod rng;

pub use error::ApiError;
pub use merchant::{MerchantRequest, MAX_TEXT};
pub use payer::{PayerRequest, REFRESH_SECONDS};
pub use photo::{MAX_UPLOAD_BYTES, UPLOAD_READ_SECONDS};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse as _, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use hutong_core::identify::identify;
use hutong_core::render::{render, RenderOptions, Symbology};
use hutong_core::scan::Scanner;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// JSON requests are a few hundred bytes; anything near this is not from the page.
pub const MAX_JSON_BYTES: usize = 16 << 10;

/// No script but our own file, no inline anything, images only from us or the data: URLs the
/// API returns, network only to this origin (fetch + EventSource), never framed.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

#[derive(Clone)]
struct ConsoleState {
    scanner: Arc<Scanner>,
    /// One photo decode at a time: a second upload meanwhile is refused, not queued.
    decodes: Arc<Semaphore>,
    remote_uploads: bool,
}

/// How the console is served.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConsoleOptions {
    /// Let clients other than this machine upload photos to scan (`hutong-qa sandbox
    /// --allow-remote-upload`). Off by default: a photo decode costs up to ~200 MB and seconds
    /// of CPU, which nobody on the LAN should be able to spend.
    pub remote_uploads: bool,
}

/// The console's routes (`/console`, `/console/assets/*`, `/console/api/*`), to be merged into
/// the sandbox's router, with photo uploads from loopback clients only.
pub fn router() -> Router {
    router_with(ConsoleOptions::default())
}

/// [`router`] with options.
pub fn router_with(options: ConsoleOptions) -> Router {
    let state = ConsoleState {
        scanner: photo::scanner(),
        decodes: Arc::new(Semaphore::new(1)),
        remote_uploads: options.remote_uploads,
    };
    let json_routes = Router::new()
        .route("/console/api/merchant-code", post(merchant_code))
        .route("/console/api/payer-code", post(payer_code))
        .layer(DefaultBodyLimit::max(MAX_JSON_BYTES));
    let upload = Router::new()
        .route("/console/api/scan", post(scan_photo))
        .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES));
    Router::new()
        .route("/console", get(assets::index))
        .route("/console/", get(assets::index))
        .route("/console/assets/{name}", get(assets::asset))
        .route("/console/api/catalog", get(catalog))
        .route("/console/api/setup-code", get(setup_code))
        .merge(json_routes)
        .merge(upload)
        .with_state(state)
        .layer(axum::middleware::from_fn(same_origin_writes))
        .layer(axum::middleware::map_response(security_headers))
}

/// Refuses a POST another site's page sent through the QA engineer's browser (browsers label
/// those `Sec-Fetch-Site: cross-site`): a multipart upload needs no CORS preflight, so without
/// this any page could make the console decode images. Tools that send no such header pass.
async fn same_origin_writes(request: Request, next: axum::middleware::Next) -> Response {
    let site = request
        .headers()
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("none");
    if request.method() == axum::http::Method::POST && !matches!(site, "same-origin" | "none") {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "cross_site",
            "console requests must come from the console page",
        )
        .into_response();
    }
    next.run(request).await
}

async fn security_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    let mut set = |name: &'static str, value: &'static str| {
        h.insert(name, HeaderValue::from_static(value));
    };
    set("content-security-policy", CONTENT_SECURITY_POLICY);
    set("x-content-type-options", "nosniff");
    set("x-frame-options", "DENY");
    set("referrer-policy", "no-referrer");
    set("cross-origin-opener-policy", "same-origin");
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// What the page can ask for: merchant templates, pay-code networks, limits.
async fn catalog() -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "merchant_templates": merchant::templates().iter().map(merchant::Template::to_json).collect::<Vec<_>>(),
        "payer_networks": payer::networks(),
        "payer_refresh_seconds": REFRESH_SECONDS,
        "max_upload_bytes": MAX_UPLOAD_BYTES,
        "max_text_chars": MAX_TEXT,
        "currency_exponents": currency_exponents(),
    }))
}

/// Minor-unit exponents the page needs to show amounts (it never does money arithmetic itself).
fn currency_exponents() -> serde_json::Map<String, serde_json::Value> {
    const SHOWN: &[&str] = &[
        "CNY", "HKD", "MOP", "TWD", "USD", "EUR", "GBP", "JPY", "KRW", "SGD", "THB", "VND", "IDR",
        "MYR", "PHP", "INR", "BRL", "CHF", "BTC",
    ];
    let mut out = serde_json::Map::new();
    let codes = SHOWN.iter().copied().chain(
        merchant::templates()
            .iter()
            .filter_map(|t| t.currency.as_deref()),
    );
    for code in codes {
        if let Some(c) = hutong_core::money::Currency::from_alpha(code) {
            out.insert(c.alpha.to_string(), c.exponent.into());
        }
    }
    out
}

/// A drawn code as base64 PNG with its size.
fn drawn(text: &str, symbology: Symbology, module_px: u32) -> Result<serde_json::Value, ApiError> {
    let bitmap = render(
        text,
        symbology,
        RenderOptions::for_symbology(symbology, module_px),
    )
    .map_err(|e| ApiError::unprocessable("unrenderable", e.to_string()))?;
    let png = bitmap.to_png().map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "png_failed",
            e.to_string(),
        )
    })?;
    Ok(serde_json::json!({
        "png_base64": B64.encode(png),
        "width": bitmap.width,
        "height": bitmap.height,
    }))
}

async fn merchant_code(
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let req: MerchantRequest = error::json_body(&headers, body)?;
    let built = merchant::build(&req)?;
    let image = drawn(&built.payload, built.symbology, 8)?;
    Ok(Json(serde_json::json!({
        "template": built.template.id,
        "network": built.template.network,
        "label": built.template.label,
        // The id the sandbox files payments of this code under (for per-merchant scenarios).
        "merchant_id": crate::merchant::resolve(&built.payload).id,
        "payload": built.payload,
        "symbology": "qr_code",
        "image": image,
        "identification": identify(&built.payload).to_json(),
    })))
}

async fn payer_code(
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let req: PayerRequest = error::json_body(&headers, body)?;
    let digits = payer::issue(&req)?;
    let issued_at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Ok(Json(serde_json::json!({
        "network": req.network,
        "digits": digits,
        "code128": drawn(&digits, Symbology::Code128, 3)?,
        "qr": drawn(&digits, Symbology::Qr, 6)?,
        "issued_at": issued_at,
        "refresh_seconds": REFRESH_SECONDS,
        "identification": identify(&digits).to_json(),
    })))
}

/// `GET /console/api/setup-code[?host=NAME]`: the phone setup code (crate::setup) for one of
/// the certificate's names, as text and as a QR code, with the names to choose from.
async fn setup_code(request: Request) -> Result<Json<serde_json::Value>, ApiError> {
    let Some(source) = request
        .extensions()
        .get::<Arc<crate::setup::SetupSource>>()
        .cloned()
    else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "no_sandbox",
            "setup codes need the console served by a running sandbox",
        ));
    };
    let host = request.uri().query().and_then(|q| {
        q.split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == "host")
            .map(|(_, v)| percent_decode(v))
    });
    let (text, endpoint) = source.code(host.as_deref()).map_err(|e| {
        ApiError::unprocessable(
            "unknown_host",
            format!(
                "`{}` is not a name on the sandbox's certificate (start it with --name {0});                  names: {}",
                e.0,
                source.hosts().join(", ")
            ),
        )
    })?;
    Ok(Json(serde_json::json!({
        "payload": text,
        "endpoint": endpoint,
        "hosts": source.hosts(),
        "image": drawn(&text, Symbology::Qr, 4)?,
    })))
}

/// `%XX` and `+` of a query value; anything malformed stays as it is (and then names no host).
fn percent_decode(v: &str) -> String {
    let bytes = v.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn multipart_error(status: StatusCode, text: String) -> ApiError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(status, "too_large", text)
    } else {
        ApiError::new(status, "bad_multipart", text)
    }
}

/// Accepts the image as a raw body (`image/*`, `application/octet-stream`) or as the first file
/// of a `multipart/form-data` upload. One at a time: the decode permit is taken before the body
/// is read (so waiting uploads hold no memory) and kept until the decode ends, even if the
/// client has gone.
async fn scan_photo(
    State(state): State<ConsoleState>,
    request: Request,
) -> Result<Json<serde_json::Value>, ApiError> {
    if !state.remote_uploads && !from_loopback(&request) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "loopback_only",
            "photo uploads answer this machine only (start the sandbox with \
             --allow-remote-upload to accept them from elsewhere)",
        ));
    }
    let Ok(permit) = state.decodes.clone().try_acquire_owned() else {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            "another photo is being scanned; try again when it is done",
        ));
    };
    let bytes = tokio::time::timeout(
        std::time::Duration::from_secs(UPLOAD_READ_SECONDS),
        upload_body(request),
    )
    .await
    .map_err(|_| {
        ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "upload_timeout",
            format!("the upload took longer than {UPLOAD_READ_SECONDS} s"),
        )
    })??;
    let scanner = state.scanner.clone();
    let result = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        photo::scan(&scanner, &bytes)
    })
    .await
    .map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "scan_failed",
            e.to_string(),
        )
    })??;
    Ok(Json(result))
}

/// The client is this machine (no connection info: the router was called in-process).
fn from_loopback(request: &Request) -> bool {
    request
        .extensions()
        .get::<crate::conn::ConnCtl>()
        .is_none_or(|c| c.peer.ip().is_loopback())
}

async fn upload_body(request: Request) -> Result<Bytes, ApiError> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if content_type == "multipart/form-data" {
        let mut form = Multipart::from_request(request, &())
            .await
            .map_err(|e| multipart_error(e.status(), e.body_text()))?;
        let field = form
            .next_field()
            .await
            .map_err(|e| multipart_error(e.status(), e.body_text()))?
            .ok_or_else(|| ApiError::bad_request("empty_body", "the form holds no file"))?;
        field
            .bytes()
            .await
            .map_err(|e| multipart_error(e.status(), e.body_text()))
    } else if content_type.starts_with("image/") || content_type == "application/octet-stream" {
        Ok(Bytes::from_request(request, &()).await?)
    } else {
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "upload an image (image/*, application/octet-stream or multipart/form-data)",
        ))
    }
}
