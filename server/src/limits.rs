//! Request limits and last-resort guards: header sizes (431), and a panic in a handler becomes a
//! JSON 500 instead of a dropped connection (no handler is expected to panic).

use std::panic::AssertUnwindSafe;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::FutureExt;

use crate::config::{MAX_HEADERS_BYTES, MAX_HEADER_VALUE_BYTES};
use crate::error::ApiError;

/// Rejects a request whose headers are too large with 431 `request_header_fields_too_large`.
pub async fn header_limits(request: Request, next: Next) -> Response {
    let mut total = 0usize;
    for (name, value) in request.headers() {
        if value.len() > MAX_HEADER_VALUE_BYTES {
            return too_large(&format!(
                "header {name} is over {MAX_HEADER_VALUE_BYTES} bytes"
            ));
        }
        total += name.as_str().len() + value.len();
    }
    if total > MAX_HEADERS_BYTES {
        return too_large(&format!(
            "headers are over {MAX_HEADERS_BYTES} bytes in total"
        ));
    }
    if request.uri().to_string().len() > MAX_HEADER_VALUE_BYTES {
        return ApiError::new(
            StatusCode::URI_TOO_LONG,
            "uri_too_long",
            "request URI too long",
        )
        .into_response();
    }
    next.run(request).await
}

fn too_large(description: &str) -> Response {
    ApiError::new(
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        "request_header_fields_too_large",
        description,
    )
    .into_response()
}

/// Turns a panic below into a JSON 500 and a log line.
pub async fn catch_panic(request: Request, next: Next) -> Response {
    match AssertUnwindSafe(next.run(request)).catch_unwind().await {
        Ok(response) => response,
        Err(_) => {
            tracing::error!("handler panicked");
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "internal error",
            )
            .into_response()
        }
    }
}
