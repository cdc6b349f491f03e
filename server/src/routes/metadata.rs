//! `/v2/store/*`: the encrypted metadata store of PROTOCOL.md §7. Writes are signed (ECDSA over
//! keccak256(data) by `key`), entries expire after `timeout` seconds, namespaces are isolated,
//! gets obey `allowedOrigin`, and only ciphertext is accepted.

use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::routing::{post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::crypto;
use crate::error::{ApiError, ApiResult};
use crate::extract::{parse_json, RawBody};
use crate::hooks::Counters;
use crate::store::{MetaEntry, OriginRule, WriteMark};
use crate::util::sha256;
use crate::SharedApp;

/// Default entry lifetime (s) when `timeout` is absent.
pub const DEFAULT_TIMEOUT_SECS: f64 = 86_400.0;
/// Compare-and-swap attempts of one `update` before it gives up (503).
const META_CAS_ATTEMPTS: usize = 100;
/// Longest entry lifetime (s).
pub const MAX_TIMEOUT_SECS: f64 = 90.0 * 86_400.0;

/// The routes.
pub fn routes() -> Router<SharedApp> {
    Router::new()
        .route("/v2/store/set", post(set))
        .route("/v2/store/get", post(get))
        .route("/v2/store/update", put(update))
}

fn key_of(key: &str) -> ApiResult<String> {
    crypto::normalise_public_key(key).map_err(|why| {
        ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "invalid_key",
            format!("key {why}"),
        )
    })
}

fn namespace_of(namespace: Option<&str>) -> ApiResult<String> {
    let namespace = namespace.unwrap_or("");
    let ok = namespace.len() <= 128
        && !namespace.starts_with('.')
        && namespace
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':'));
    if !ok {
        return Err(ApiError::bad_request(
            "namespace must be at most 128 of A-Z a-z 0-9 _ - . : and not start with a dot",
        ));
    }
    Ok(namespace.to_owned())
}

fn origin_of(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn origin_rule(allowed: Option<&Value>, headers: &HeaderMap) -> ApiResult<OriginRule> {
    match allowed {
        None | Some(Value::Null) | Some(Value::Bool(false)) => Ok(OriginRule::Any),
        Some(Value::String(s)) if s == "*" => Ok(OriginRule::Any),
        Some(Value::String(s)) if !s.is_empty() && s.len() <= 512 => {
            Ok(OriginRule::Exact(s.clone()))
        }
        Some(Value::Bool(true)) => Ok(OriginRule::Exact(origin_of(headers).unwrap_or_default())),
        Some(_) => Err(ApiError::bad_request(
            "allowedOrigin must be \"*\", an origin string, true or false",
        )),
    }
}

fn verified_data(key: &str, data: &str, signature: &str) -> ApiResult<()> {
    if signature.is_empty()
        || signature.len() > 256
        || !crypto::signature_valid(key, data, signature)
    {
        return Err(ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "invalid_signature",
            "signature is not an ECDSA signature of keccak256(data) by key",
        ));
    }
    if !crypto::looks_like_ciphertext(data) {
        return Err(ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "invalid_data",
            "data must be ciphertext: an ECIES payload {iv, ephemPublicKey, ciphertext, mac} or an A256GCM envelope",
        ));
    }
    Ok(())
}

fn timeout_ms(timeout: Option<&Value>) -> ApiResult<u64> {
    let secs = match timeout {
        None | Some(Value::Null) => DEFAULT_TIMEOUT_SECS,
        Some(Value::Number(n)) => n.as_f64().unwrap_or(-1.0),
        Some(_) => -1.0,
    };
    if !(secs > 0.0 && secs <= MAX_TIMEOUT_SECS) {
        return Err(ApiError::bad_request(format!(
            "timeout must be a number of seconds in (0, {MAX_TIMEOUT_SECS}]"
        )));
    }
    Ok((secs * 1000.0).ceil() as u64)
}

/// The body of `set` and `update` (update ignores `timeout`: a session keeps its expiry).
#[derive(Deserialize)]
struct WriteRequest {
    key: String,
    data: String,
    signature: String,
    #[serde(default)]
    namespace: Option<String>,
    #[serde(default, rename = "allowedOrigin")]
    allowed_origin: Option<Value>,
    #[serde(default)]
    timeout: Option<Value>,
}

impl WriteRequest {
    /// The key and namespace of a write whose data is signed by that key.
    fn checked(&self, max_bytes: usize) -> ApiResult<(String, String)> {
        let key = key_of(&self.key)?;
        let namespace = namespace_of(self.namespace.as_deref())?;
        if self.data.len() > max_bytes {
            return Err(ApiError::too_large(format!(
                "data is over {max_bytes} bytes (--max-metadata-bytes)"
            )));
        }
        verified_data(&key, &self.data, &self.signature)?;
        Ok((key, namespace))
    }
}

/// Refuses a write whose exact `data` (so its signature) was accepted for `key` before, for as long
/// as what it wrote lives: the signature covers `data` only, so a captured write replayed later
/// (with another `timeout`, `namespace` or `allowedOrigin`) is refused. Honest clients never send
/// the same ciphertext twice (ECIES and AES-GCM are randomised).
async fn refuse_replay(app: &SharedApp, key: &str, data: &str, until_ms: u64) -> ApiResult<()> {
    let hash = hex::encode(sha256(data.as_bytes()));
    let now = app.lifecycle.now_ms();
    match app
        .lifecycle
        .store()
        .meta_mark_write(key, &hash, until_ms, now)
        .await?
    {
        WriteMark::Fresh => Ok(()),
        WriteMark::Replayed => Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "replayed_write",
            "this exact write was already accepted: sign fresh ciphertext",
        )),
        WriteMark::Full => Err(ApiError::new(
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            "too_many_writes",
            "too many live writes for this key",
        )),
    }
}

async fn set(
    State(app): State<SharedApp>,
    headers: HeaderMap,
    RawBody(bytes): RawBody,
) -> ApiResult<Json<Value>> {
    Counters::bump(&app.counters.store_set);
    let body: WriteRequest = parse_json(&bytes)?;
    let (key, namespace) = body.checked(app.settings.max_metadata_bytes)?;
    let origin = origin_rule(body.allowed_origin.as_ref(), &headers)?;
    let now = app.lifecycle.now_ms();
    let expires_ms = now.saturating_add(timeout_ms(body.timeout.as_ref())?);
    refuse_replay(&app, &key, &body.data, expires_ms).await?;
    app.lifecycle
        .store()
        .meta_put(
            &namespace,
            &key,
            MetaEntry {
                data: body.data,
                origin,
                created_ms: now,
                expires_ms,
            },
        )
        .await?;
    tracing::debug!(event = "metadata.set", namespace = %namespace, key = %&key[..18], "metadata written");
    Ok(Json(json!({ "message": "success" })))
}

async fn update(
    State(app): State<SharedApp>,
    headers: HeaderMap,
    RawBody(bytes): RawBody,
) -> ApiResult<Json<Value>> {
    Counters::bump(&app.counters.store_update);
    let body: WriteRequest = parse_json(&bytes)?;
    let (key, namespace) = body.checked(app.settings.max_metadata_bytes)?;
    let now = app.lifecycle.now_ms();
    let store = app.lifecycle.store();
    let new_origin = match body.allowed_origin.as_ref() {
        None => None,
        some => Some(origin_rule(some, &headers)?),
    };
    let mut marked = false;
    // Compare-and-swap: a concurrent `set` or `update` is never lost (this one retries on it).
    for attempt in 0..META_CAS_ATTEMPTS {
        if attempt > 0 {
            // Lost a race: let the winner's write land before reading again (jittered).
            let jitter = u64::from(crate::util::random_bytes::<1>()[0] % 4);
            tokio::time::sleep(std::time::Duration::from_millis(jitter)).await;
        }
        let existing = store
            .meta_get(&namespace, &key)
            .await?
            .filter(|e| e.expires_ms > now)
            .ok_or_else(|| ApiError::not_found("Session Expired or Invalid public key"))?;
        if !marked {
            refuse_replay(&app, &key, &body.data, existing.expires_ms).await?;
            marked = true;
        }
        let entry = MetaEntry {
            data: body.data.clone(),
            origin: new_origin
                .clone()
                .unwrap_or_else(|| existing.origin.clone()),
            created_ms: existing.created_ms,
            expires_ms: existing.expires_ms,
        };
        if store
            .meta_replace(&namespace, &key, &existing, entry)
            .await?
        {
            return Ok(Json(json!({ "message": "success" })));
        }
    }
    Err(ApiError::unavailable(
        "too many concurrent writes of this entry; retry",
    ))
}

#[derive(Deserialize)]
struct GetRequest {
    key: String,
    #[serde(default)]
    namespace: Option<String>,
}

async fn get(
    State(app): State<SharedApp>,
    headers: HeaderMap,
    RawBody(bytes): RawBody,
) -> ApiResult<Json<Value>> {
    Counters::bump(&app.counters.store_get);
    let body: GetRequest = parse_json(&bytes)?;
    let key = key_of(&body.key)?;
    let namespace = namespace_of(body.namespace.as_deref())?;
    let now = app.lifecycle.now_ms();
    let entry = app
        .lifecycle
        .store()
        .meta_get(&namespace, &key)
        .await?
        .filter(|e| e.expires_ms > now)
        .ok_or_else(|| ApiError::not_found("Session Expired or Invalid public key"))?;
    if !entry.origin.allows(origin_of(&headers).as_deref()) {
        return Err(ApiError::forbidden(
            "origin_not_allowed",
            "this entry may not be read from this origin",
        ));
    }
    Ok(Json(json!({ "message": entry.data })))
}
