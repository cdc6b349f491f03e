//! `/v1/auth/*`: login, refresh (PROTOCOL.md §4), logout, and the user's sessions.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::crypto;
use crate::error::{ApiError, ApiResult};
use crate::extract::{bearer_token, parse_json, Bearer, Client, JsonBody, RawBody};
use crate::hooks::Counters;
use crate::lifecycle::NewSession;
use crate::store::SessionRecord;
use crate::SharedApp;

/// The routes.
pub fn routes() -> Router<SharedApp> {
    Router::new()
        .route("/v1/auth/login", post(login))
        .route("/v1/auth/session", post(refresh))
        .route("/v1/auth/logout", post(logout))
        .route("/v1/auth/sessions", get(list_sessions))
        .route("/v1/auth/sessions/revoke", post(revoke_sessions))
        .route("/v1/auth/sessions/{id}", delete(delete_session))
}

fn check_text(field: &str, value: &str, max: usize) -> ApiResult<()> {
    if value.trim().is_empty() || value.chars().count() > max || value.chars().any(char::is_control)
    {
        return Err(ApiError::bad_request(format!(
            "{field} must be 1 to {max} characters without control characters"
        )));
    }
    Ok(())
}

#[derive(Deserialize)]
struct LoginRequest {
    username: String,
    #[serde(default)]
    password: Option<String>,
    public_key: String,
    #[serde(default)]
    session_data: Option<Value>,
    #[serde(default)]
    label: Option<String>,
}

#[derive(Serialize)]
struct LoginResponse {
    access_token: String,
    refresh_token: String,
    id_token: String,
    session_id: String,
    token_type: &'static str,
    expires_in: u64,
}

/// Dev-grade login: any user name, the password is optional and not checked.
async fn login(
    State(app): State<SharedApp>,
    Client(client): Client,
    RawBody(bytes): RawBody,
) -> ApiResult<Json<LoginResponse>> {
    Counters::bump(&app.counters.login);
    if !app.settings.dev_login {
        return Err(ApiError::forbidden(
            "login_disabled",
            "the dev login is off (--dev-login=false): sign in through the identity provider in front",
        ));
    }
    let body: LoginRequest = parse_json(&bytes)?;
    check_text("username", &body.username, 128)?;
    if body.password.as_ref().is_some_and(|p| p.len() > 1024) {
        return Err(ApiError::bad_request("password must be at most 1024 bytes"));
    }
    if let Some(label) = &body.label {
        check_text("label", label, 128)?;
    }
    let public_key = crypto::normalise_public_key(&body.public_key)
        .map_err(|why| ApiError::bad_request(format!("public_key {why}")))?;
    let session_data = match body.session_data {
        None | Some(Value::Null) => None,
        Some(value) => Some(value.to_string()),
    };
    let max = app.settings.max_session_data_bytes;
    if session_data.as_ref().is_some_and(|d| d.len() > max) {
        return Err(ApiError::too_large(format!(
            "session_data is over {max} bytes (--max-session-data-bytes)"
        )));
    }
    let (issued, id_token) = app
        .lifecycle
        .login(NewSession {
            user: body.username,
            public_key,
            session_data,
            label: body.label,
            client,
        })
        .await?;
    let now = app.lifecycle.now_ms();
    Ok(Json(LoginResponse {
        access_token: issued.access_token,
        refresh_token: issued.refresh_token,
        id_token,
        session_id: issued.record.sid.clone(),
        token_type: "Bearer",
        expires_in: (issued.record.access.exp * 1000).saturating_sub(now) / 1000,
    }))
}

#[derive(Deserialize)]
struct RefreshRequest {
    #[serde(default)]
    refresh_token: Option<String>,
}

#[derive(Serialize)]
struct RefreshResponse {
    access_token: String,
    refresh_token: String,
    session_data: String,
}

/// PROTOCOL.md §4. Every failure is 401 `invalid_grant`.
async fn refresh(
    State(app): State<SharedApp>,
    headers: HeaderMap,
    Client(client): Client,
    RawBody(bytes): RawBody,
) -> ApiResult<axum::response::Response> {
    Counters::bump(&app.counters.refresh);
    let injection = app.hooks.take_refresh_injection();
    if let Some(injection) = &injection {
        if let Some(response) = injection.apply().await {
            return Ok(response);
        }
    }
    let answer = match &injection {
        // Time moved while the hook held the call: the refresh gets a fresh request time.
        Some(i) if i.delay_ms > 0 => {
            let now = app.lifecycle.read_clock();
            crate::clock::with_request_time(now, refresh_answer(&app, &headers, &client, &bytes))
                .await
        }
        _ => refresh_answer(&app, &headers, &client, &bytes).await,
    };
    if let Some(injection) = injection {
        // The refresh has rotated and committed; its answer is "still on the way".
        injection.hold().await;
    }
    answer
}

async fn refresh_answer(
    app: &SharedApp,
    headers: &HeaderMap,
    client: &crate::lifecycle::ClientInfo,
    bytes: &[u8],
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;

    let body: RefreshRequest = parse_json(bytes)?;
    let (access_token, refresh_token, record) = match body.refresh_token.filter(|t| !t.is_empty()) {
        Some(token) => {
            let issued = app.lifecycle.refresh(&token, client).await?;
            (issued.access_token, issued.refresh_token, issued.record)
        }
        None => {
            let as_grant = |e: ApiError| ApiError::invalid_grant(e.description);
            let token = bearer_token(headers)
                .map_err(as_grant)?
                .ok_or_else(|| ApiError::invalid_grant("no refresh token and no access token"))?
                .to_owned();
            let (_, record) = app
                .lifecycle
                .authenticate_full(&token)
                .await
                .map_err(as_grant)?;
            (token, String::new(), record)
        }
    };
    let session_data = crypto::encrypt_to(&record.public_key, &record.session_data)?;
    Ok(Json(RefreshResponse {
        access_token,
        refresh_token,
        session_data,
    })
    .into_response())
}

/// Revokes the session of the refresh token, else of a valid Bearer token. Always 200.
async fn logout(
    State(app): State<SharedApp>,
    headers: HeaderMap,
    RawBody(bytes): RawBody,
) -> ApiResult<Json<Value>> {
    Counters::bump(&app.counters.logout);
    let body: RefreshRequest = parse_json(&bytes)?;
    let mut revoked = false;
    if let Some(token) = body.refresh_token.filter(|t| !t.is_empty()) {
        revoked = app.lifecycle.logout_with_refresh(&token).await?;
    }
    if !revoked {
        if let Ok(Some(token)) = bearer_token(&headers) {
            if let Ok((claims, _)) = app.lifecycle.authenticate(token).await {
                revoked = app
                    .lifecycle
                    .revoke(&claims.sub, &claims.sid, "logout")
                    .await?;
            }
        }
    }
    Ok(Json(json!({ "ok": true, "revoked": revoked })))
}

#[derive(Serialize)]
struct SessionView {
    id: String,
    label: Option<String>,
    created_at: u64,
    last_used_at: u64,
    idle_expires_at: u64,
    absolute_expires_at: u64,
    current: bool,
    status: &'static str,
    ip: Option<String>,
    user_agent: Option<String>,
    last_ip: Option<String>,
    last_user_agent: Option<String>,
}

fn view(record: &SessionRecord, current_sid: &str) -> SessionView {
    SessionView {
        id: record.sid.clone(),
        label: record.label.clone(),
        created_at: record.created_ms,
        last_used_at: record.last_used_ms,
        idle_expires_at: record.idle_expires_ms,
        absolute_expires_at: record.absolute_expires_ms,
        current: record.sid == current_sid,
        status: "active",
        ip: record.login_ip.clone(),
        user_agent: record.login_user_agent.clone(),
        last_ip: record.last_ip.clone(),
        last_user_agent: record.last_user_agent.clone(),
    }
}

/// Session description for `/v1/me` (no token material).
pub(crate) fn session_json(record: &SessionRecord) -> Value {
    serde_json::to_value(view(record, &record.sid)).unwrap_or(Value::Null)
}

async fn list_sessions(State(app): State<SharedApp>, bearer: Bearer) -> ApiResult<Json<Value>> {
    let sessions: Vec<SessionView> = app
        .lifecycle
        .sessions_of(&bearer.claims.sub)
        .await?
        .iter()
        .map(|r| view(r, &bearer.claims.sid))
        .collect();
    Ok(Json(
        json!({ "user": bearer.claims.sub, "sessions": sessions }),
    ))
}

async fn delete_session(
    State(app): State<SharedApp>,
    bearer: Bearer,
    id: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> ApiResult<Json<Value>> {
    // A path that does not decode (`%FF`) is no session id: a JSON 404 like any unknown id.
    let Ok(Path(id)) = id else {
        return Err(ApiError::not_found("no such session"));
    };
    if !app
        .lifecycle
        .revoke(&bearer.claims.sub, &id, "revoke-one")
        .await?
    {
        return Err(ApiError::not_found("no such session"));
    }
    Ok(Json(json!({ "revoked": 1 })))
}

#[derive(Deserialize)]
struct RevokeRequest {
    scope: String,
}

async fn revoke_sessions(
    State(app): State<SharedApp>,
    bearer: Bearer,
    JsonBody(body): JsonBody<RevokeRequest>,
) -> ApiResult<Json<Value>> {
    let keep = match body.scope.as_str() {
        "others" => Some(bearer.claims.sid.as_str()),
        "all" => None,
        _ => return Err(ApiError::bad_request("scope must be \"others\" or \"all\"")),
    };
    let revoked = app.lifecycle.revoke_all(&bearer.claims.sub, keep).await?;
    Ok(Json(json!({ "revoked": revoked })))
}
