//! Test hooks, mounted only with `--test-hooks`: call counters, forced access-token and session
//! expiry, injected refresh failures and latency, and a slow route for client timeout tests.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::error::{ApiError, ApiResult};
use crate::extract::JsonBody;
use crate::SharedApp;

/// Longest delay a hook accepts (ms).
pub const MAX_DELAY_MS: u64 = 120_000;

/// Most refresh injections queued at once (all `POST /test/next-refresh` calls together).
pub const MAX_QUEUED: usize = 10_000;

/// Calls counted since start or the last reset.
#[derive(Debug, Default)]
pub struct Counters {
    /// `POST /v1/auth/login`.
    pub login: AtomicU64,
    /// `POST /v1/auth/session` (every call that reaches the handler, injected failures included).
    pub refresh: AtomicU64,
    /// `POST /v1/auth/logout`.
    pub logout: AtomicU64,
    /// `POST /v2/store/set`.
    pub store_set: AtomicU64,
    /// `POST /v2/store/get`.
    pub store_get: AtomicU64,
    /// `PUT /v2/store/update`.
    pub store_update: AtomicU64,
}

/// A counter snapshot, as `GET /test/counters` answers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CounterValues {
    /// Logins.
    pub login: u64,
    /// Refreshes.
    pub refresh: u64,
    /// Logouts.
    pub logout: u64,
    /// Store sets.
    pub store_set: u64,
    /// Store gets.
    pub store_get: u64,
    /// Store updates.
    pub store_update: u64,
}

impl Counters {
    /// Adds one.
    pub fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::SeqCst);
    }

    /// The current values.
    pub fn snapshot(&self) -> CounterValues {
        let read = |c: &AtomicU64| c.load(Ordering::SeqCst);
        CounterValues {
            login: read(&self.login),
            refresh: read(&self.refresh),
            logout: read(&self.logout),
            store_set: read(&self.store_set),
            store_get: read(&self.store_get),
            store_update: read(&self.store_update),
        }
    }

    /// All to zero.
    pub fn reset(&self) {
        for c in [
            &self.login,
            &self.refresh,
            &self.logout,
            &self.store_set,
            &self.store_get,
            &self.store_update,
        ] {
            c.store(0, Ordering::SeqCst);
        }
    }
}

/// What the next refresh call does instead of (or before) refreshing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Injection {
    /// Wait this long first.
    pub delay_ms: u64,
    /// Then answer this instead of refreshing: status, body, content type.
    pub answer: Option<(StatusCode, String, String)>,
    /// Hold the answer (the canned one, or the real refresh's once it has rotated and committed)
    /// this long before sending it.
    pub after_delay_ms: u64,
}

impl Injection {
    /// Waits, then gives the canned answer, if any (already held for `after_delay_ms`).
    pub async fn apply(&self) -> Option<Response> {
        if self.delay_ms > 0 {
            tokio::time::sleep(Duration::from_millis(self.delay_ms)).await;
        }
        let (status, body, content_type) = self.answer.clone()?;
        self.hold().await;
        let mut response = (status, body).into_response();
        let content_type = HeaderValue::from_str(&content_type)
            .unwrap_or_else(|_| HeaderValue::from_static("application/json"));
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, content_type);
        Some(response)
    }

    /// Holds an answer that is ready for `after_delay_ms`.
    pub async fn hold(&self) {
        if self.after_delay_ms > 0 {
            tokio::time::sleep(Duration::from_millis(self.after_delay_ms)).await;
        }
    }
}

/// Queued refresh injections.
///
/// The queue holds at most [`MAX_QUEUED`] entries, and `count` copies of one call share a single
/// allocation, so a hook call can not grow memory by more than one body.
#[derive(Debug, Default)]
pub struct HookState {
    next_refresh: Mutex<VecDeque<Arc<Injection>>>,
}

impl HookState {
    /// Takes the injection for this refresh call, if any is queued.
    pub fn take_refresh_injection(&self) -> Option<Arc<Injection>> {
        self.next_refresh.lock().ok()?.pop_front()
    }

    fn queue(&self) -> ApiResult<std::sync::MutexGuard<'_, VecDeque<Arc<Injection>>>> {
        self.next_refresh
            .lock()
            .map_err(|_| ApiError::unavailable("hook state poisoned"))
    }
}

/// The `/test/*` routes.
pub fn routes() -> Router<SharedApp> {
    Router::new()
        .route("/test/counters", get(counters))
        .route("/test/counters/reset", post(reset_counters))
        .route("/test/expire-access", post(expire_access))
        .route("/test/expire-session", post(expire_session))
        .route(
            "/test/next-refresh",
            post(next_refresh)
                .get(pending_refresh)
                .delete(clear_refresh),
        )
        .route("/test/delay", get(delay).post(delay))
}

async fn counters(State(app): State<SharedApp>) -> Json<CounterValues> {
    Json(app.counters.snapshot())
}

async fn reset_counters(State(app): State<SharedApp>) -> Json<Value> {
    app.counters.reset();
    Json(json!({ "ok": true }))
}

#[derive(Deserialize)]
struct SidBody {
    #[serde(default)]
    sid: Option<String>,
}

async fn expire_access(
    State(app): State<SharedApp>,
    JsonBody(body): JsonBody<SidBody>,
) -> ApiResult<Json<Value>> {
    let sessions = app.lifecycle.expire_access(body.sid.as_deref()).await?;
    Ok(Json(json!({ "ok": true, "sessions": sessions })))
}

async fn expire_session(
    State(app): State<SharedApp>,
    JsonBody(body): JsonBody<SidBody>,
) -> ApiResult<Json<Value>> {
    let sid = body
        .sid
        .ok_or_else(|| ApiError::bad_request("sid is required"))?;
    if !app.lifecycle.expire_session(&sid).await? {
        return Err(ApiError::not_found("no such session"));
    }
    Ok(Json(json!({ "ok": true })))
}

#[derive(Deserialize)]
struct NextRefresh {
    count: u32,
    #[serde(default)]
    status: Option<u16>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    content_type: Option<String>,
    #[serde(default)]
    delay_ms: Option<u64>,
    #[serde(default)]
    after_delay_ms: Option<u64>,
}

async fn next_refresh(
    State(app): State<SharedApp>,
    JsonBody(body): JsonBody<NextRefresh>,
) -> ApiResult<Json<Value>> {
    if body.count as usize > MAX_QUEUED {
        return Err(ApiError::bad_request(format!(
            "count must be at most {MAX_QUEUED}"
        )));
    }
    let delay_ms = body.delay_ms.unwrap_or(0);
    let after_delay_ms = body.after_delay_ms.unwrap_or(0);
    for (name, value) in [("delay_ms", delay_ms), ("after_delay_ms", after_delay_ms)] {
        if value > MAX_DELAY_MS {
            return Err(ApiError::bad_request(format!(
                "{name} must be at most {MAX_DELAY_MS}"
            )));
        }
    }
    let answer = match body.status {
        Some(code) => {
            let status = StatusCode::from_u16(code)
                .ok()
                .filter(|s| (200..=599).contains(&s.as_u16()))
                .ok_or_else(|| ApiError::bad_request("status must be 200..=599"))?;
            let content_type = body
                .content_type
                .unwrap_or_else(|| "application/json".into());
            if HeaderValue::from_str(&content_type).is_err() {
                return Err(ApiError::bad_request(
                    "content_type is not a valid header value",
                ));
            }
            Some((status, body.body.unwrap_or_default(), content_type))
        }
        None => None,
    };
    let injection = Arc::new(Injection {
        delay_ms,
        answer,
        after_delay_ms,
    });
    let mut queue = app.hooks.queue()?;
    if queue.len() + body.count as usize > MAX_QUEUED {
        return Err(ApiError::bad_request(format!(
            "at most {MAX_QUEUED} injections can be pending ({} are)",
            queue.len()
        )));
    }
    for _ in 0..body.count {
        queue.push_back(injection.clone());
    }
    Ok(Json(json!({ "ok": true, "pending": queue.len() })))
}

async fn pending_refresh(State(app): State<SharedApp>) -> ApiResult<Json<Value>> {
    Ok(Json(json!({ "pending": app.hooks.queue()?.len() })))
}

async fn clear_refresh(State(app): State<SharedApp>) -> ApiResult<Json<Value>> {
    app.hooks.queue()?.clear();
    Ok(Json(json!({ "ok": true, "pending": 0 })))
}

#[derive(Deserialize)]
struct DelayQuery {
    #[serde(default)]
    ms: u64,
}

async fn delay(
    query: Result<Query<DelayQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Value>> {
    let Query(query) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    if query.ms > MAX_DELAY_MS {
        return Err(ApiError::bad_request(format!(
            "ms must be at most {MAX_DELAY_MS}"
        )));
    }
    tokio::time::sleep(Duration::from_millis(query.ms)).await;
    Ok(Json(json!({ "ok": true })))
}
