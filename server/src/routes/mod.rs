//! The HTTP surface: routes, fallbacks and the middleware stack.

pub mod api;
pub mod auth;
pub mod metadata;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderValue, Method, Uri};
use axum::middleware::{from_fn, from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::config::MAX_BODY_BYTES;
use crate::error::ApiError;
use crate::{cors, hooks, limits, static_files, SharedApp};

/// The whole app.
pub fn router(app: SharedApp) -> Router {
    let mut routes = Router::new()
        .route("/health", get(health))
        .merge(auth::routes())
        .merge(api::routes())
        .merge(metadata::routes());
    if app.settings.test_hooks {
        routes = routes.merge(hooks::routes());
    }
    routes
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(from_fn_with_state(app.clone(), rate_limit))
        .layer(from_fn_with_state(app.clone(), request_time))
        .layer(from_fn(no_store))
        .layer(from_fn(limits::header_limits))
        .layer(from_fn_with_state(app.settings.cors.clone(), cors::cors))
        .layer(from_fn(limits::catch_panic))
        .with_state(app)
}

/// One clock read per request: every time decision of the request uses it.
async fn request_time(State(app): State<SharedApp>, request: Request, next: Next) -> Response {
    let now = app.lifecycle.read_clock();
    crate::clock::with_request_time(now, next.run(request)).await
}

/// Per-IP limits: logins on one bucket; refreshes and metadata writes on another. 429 JSON with
/// `Retry-After` past them.
async fn rate_limit(State(app): State<SharedApp>, request: Request, next: Next) -> Response {
    let limiter = match (request.method(), request.uri().path()) {
        (&Method::POST, "/v1/auth/login") => Some(&app.login_limit),
        (&Method::POST, "/v1/auth/session" | "/v2/store/set")
        | (&Method::PUT, "/v2/store/update") => Some(&app.refresh_limit),
        _ => None,
    };
    let ip = crate::extract::client_ip(
        app.settings.trust_forwarded_for,
        request.headers(),
        request.extensions(),
    );
    if let (Some(limiter), Some(ip)) = (limiter, ip) {
        if !limiter.allow(ip, app.lifecycle.now_ms()) {
            tracing::warn!(event = "rate_limited", %ip, path = request.uri().path(), "rate limited");
            return ApiError::rate_limited("too many requests from this address; retry later")
                .into_response();
        }
    }
    next.run(request).await
}

/// API answers carry tokens and session data: never cache them.
async fn no_store(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let api = ["/v1/", "/v2/", "/test/"]
        .iter()
        .any(|p| path.starts_with(p));
    let mut response = next.run(request).await;
    if api {
        response
            .headers_mut()
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
    }
    response
}

/// 200 `{ok: true, store}` when the store answers; 503 JSON (with a retry hint) when it does not,
/// so a load balancer takes the instance out while its Redis is unreachable.
async fn health(State(app): State<SharedApp>) -> Result<Json<Value>, ApiError> {
    let store = app.lifecycle.store();
    store.ping().await?;
    Ok(Json(json!({ "ok": true, "store": store.name() })))
}

async fn fallback(State(app): State<SharedApp>, method: Method, uri: Uri) -> Response {
    let path = uri.path();
    let api_path = ["/v1/", "/v2/", "/test/"]
        .iter()
        .any(|p| path.starts_with(p));
    match (&app.settings.static_dir, api_path) {
        (Some(root), false) => static_files::serve(root, &method, path).await,
        _ => ApiError::not_found(format!("no route for {method} {path}")).into_response(),
    }
}

async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{method} is not allowed on {}", uri.path()),
    )
}
