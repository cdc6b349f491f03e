//! A small protected API for HttpClient tests and the demo: `/v1/me` and `/v1/echo`.

use axum::http::{HeaderMap, Method};
use axum::routing::{any, get};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::error::{ApiError, ApiResult};
use crate::extract::{AnyBody, Bearer, MaybeBearer};
use crate::routes::auth::session_json;
use crate::SharedApp;

/// The routes.
pub fn routes() -> Router<SharedApp> {
    Router::new()
        .route("/v1/me", get(me))
        .route("/v1/echo", any(echo))
}

async fn me(bearer: Bearer) -> Json<Value> {
    Json(json!({
        "sub": bearer.claims.sub,
        "username": bearer.claims.sub,
        "sid": bearer.claims.sid,
        "session": session_json(&bearer.session),
    }))
}

/// Echoes the method and JSON body. An Authorization header, when present, must be a valid Bearer
/// token (else 401); without one the request passes with `authorization_present: false`.
async fn echo(
    method: Method,
    headers: HeaderMap,
    MaybeBearer(bearer): MaybeBearer,
    AnyBody(bytes): AnyBody,
) -> ApiResult<Json<Value>> {
    let body: Value = if bytes.iter().all(u8::is_ascii_whitespace) {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::bad_request(format!("invalid JSON body: {e}")))?
    };
    Ok(Json(json!({
        "method": method.as_str(),
        "body": body,
        "authorization_present": bearer.is_some(),
        "sub": bearer.as_ref().map(|b| b.claims.sub.clone()),
        "x_api_key_present": headers.contains_key("x-api-key"),
    })))
}
