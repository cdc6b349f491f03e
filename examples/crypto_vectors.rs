//! Runs the SDK's crypto on JSON test vectors, for the compatibility tests in `tests/compat`.
//!
//! Reads a JSON array of operations on stdin and writes a JSON array of results (same order) on
//! stdout. Each operation is an object with `op` and its arguments; each result is
//! `{"ok":true,"value":…}` or `{"ok":false,"error":"…"}`.
//!
//! | op | arguments | value |
//! |---|---|---|
//! | `pubkey` | `key` (session id hex) | 130-hex uncompressed public key |
//! | `encrypt` | `key`, `plaintext`, optional `ephem` (hex) and `iv` (hex) | ECIES JSON to the key's own public key |
//! | `decrypt` | `key`, `data` (ECIES JSON) | the UTF-8 plaintext |
//! | `sign` | `key`, `data` | hex DER signature of keccak256(utf8(data)) |
//! | `verify` | `pub`, `data`, `sig` | `true` |
//! | `request` | `operation` (`create`/`update`/`invalidate`/`authorize`), `options` (StorageManager options), `data`, optional `headers` | the request the StorageManager sends: `{method, url, headers, body}` |
//!
//! ```sh
//! echo '[{"op":"pubkey","key":"0x01"}]' | cargo run --example crypto_vectors
//! ```

use std::cell::RefCell;
use std::io::{Read, Write};
use std::rc::Rc;

use futures::future::{ready, LocalBoxFuture};
use futures::FutureExt;

use serde_json::{json, Value};
use wasm_session_manager::core::crypto::{ecies, signature, SessionKey};
use wasm_session_manager::core::keys::normalize_session_id;
use wasm_session_manager::core::metadata::options::{AllowedOrigin, Scheme};
use wasm_session_manager::core::metadata::{StorageManager, StorageManagerOptions};
use wasm_session_manager::core::transport::{HttpRequest, HttpResponse, Transport};
use wasm_session_manager::{Error, Result};

fn arg<'a>(op: &'a Value, name: &str) -> Result<&'a str> {
    op.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| Error::InvalidOption(format!("missing string argument {name:?}")))
}

fn key(op: &Value) -> Result<SessionKey> {
    SessionKey::from_hex(&normalize_session_id(arg(op, "key")?)?)
}

fn run(op: &Value) -> Result<Value> {
    match arg(op, "op")? {
        "pubkey" => Ok(json!(key(op)?.public_key_hex())),
        "encrypt" => {
            let k = key(op)?;
            let plaintext = arg(op, "plaintext")?.as_bytes();
            let payload = match (op.get("ephem"), op.get("iv")) {
                (Some(_), Some(_)) => {
                    let ephem = SessionKey::from_hex(arg(op, "ephem")?)?;
                    let iv: [u8; 16] = hex::decode(arg(op, "iv")?)
                        .ok()
                        .and_then(|v| v.try_into().ok())
                        .ok_or_else(|| Error::InvalidOption("iv must be 16 hex bytes".into()))?;
                    ecies::encrypt_with(&k.public_key()?, plaintext, &ephem, iv)
                }
                _ => ecies::try_encrypt(&k.public_key()?, plaintext)?,
            };
            Ok(json!(payload.to_json()))
        }
        "decrypt" => Ok(json!(ecies::decrypt_json_str(&key(op)?, arg(op, "data")?)?)),
        "sign" => Ok(json!(signature::sign_keccak(
            &key(op)?,
            arg(op, "data")?.as_bytes()
        ))),
        "verify" => {
            signature::verify_keccak(
                arg(op, "pub")?,
                arg(op, "data")?.as_bytes(),
                arg(op, "sig")?,
            )?;
            Ok(json!(true))
        }
        "request" => capture_request(op),
        other => Err(Error::InvalidOption(format!("unknown op {other:?}"))),
    }
}

/// Records the request and answers 200 with `reply` as the body.
struct Capture {
    seen: RefCell<Option<HttpRequest>>,
    reply: String,
}

impl Transport for Capture {
    fn send(&self, request: HttpRequest) -> LocalBoxFuture<'_, Result<HttpResponse>> {
        *self.seen.borrow_mut() = Some(request);
        ready(Ok(HttpResponse {
            status: 200,
            status_text: "OK".into(),
            headers: vec![("content-type".into(), "application/json".into())],
            body: self.reply.clone(),
            json: None,
            held: None,
        }))
        .boxed_local()
    }
}

/// The original's option object (as JSON) read field by field, as `bindings::storage_manager` reads
/// the JS object.
fn storage_manager_options(o: &Value) -> Result<StorageManagerOptions> {
    let text = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_owned);
    let allowed_origin = match o.get("allowedOrigin") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(AllowedOrigin::Bool(*b)),
        Some(Value::String(s)) => Some(AllowedOrigin::Origin(s.clone())),
        Some(other) => return Err(Error::InvalidOption(format!("allowedOrigin: {other}"))),
    };
    let scheme = match text("scheme").as_deref() {
        None | Some("ecies") => Scheme::Ecies,
        Some("aes-gcm") => Scheme::AesGcm,
        Some(other) => return Err(Error::InvalidOption(format!("scheme: {other}"))),
    };
    Ok(StorageManagerOptions {
        session_server_base_url: text("sessionServerBaseUrl").unwrap_or_default(),
        session_namespace: text("sessionNamespace"),
        session_time: o.get("sessionTime").and_then(Value::as_u64),
        session_id: text("sessionId"),
        allowed_origin,
        use_local_storage: o
            .get("useLocalStorage")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        scheme,
    })
}

fn capture_request(op: &Value) -> Result<Value> {
    let options = storage_manager_options(op.get("options").unwrap_or(&Value::Null))?;
    let headers: Vec<(String, String)> = op
        .get("headers")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                .collect()
        })
        .unwrap_or_default();
    let transport = Rc::new(Capture {
        seen: RefCell::new(None),
        reply: op
            .get("reply")
            .and_then(Value::as_str)
            .unwrap_or(r#"{"message":"ok"}"#)
            .to_owned(),
    });
    let manager = StorageManager::new(&options, transport.clone(), None)?;
    let data = op.get("data").and_then(Value::as_str).unwrap_or("{}");
    let result = futures::executor::block_on(async {
        match arg(op, "operation")? {
            "create" => manager
                .create_session(data, &headers)
                .await
                .map(Value::String),
            "update" => manager
                .update_session(data, &headers)
                .await
                .map(|()| Value::Null),
            "invalidate" => manager.invalidate_session(&headers).await.map(Value::Bool),
            "authorize" => manager.authorize_session(&headers).await.map(Value::String),
            other => Err(Error::InvalidOption(format!("unknown operation {other:?}"))),
        }
    })?;
    let request = transport
        .seen
        .borrow_mut()
        .take()
        .ok_or_else(|| Error::InvalidOption("no request was sent".into()))?;
    Ok(json!({
        "method": request.method.as_str(),
        "url": request.url,
        "headers": request.headers,
        "body": request.body,
        "result": result,
    }))
}

fn main() -> std::process::ExitCode {
    let mut input = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut input) {
        eprintln!("crypto_vectors: cannot read stdin: {e}");
        return std::process::ExitCode::FAILURE;
    }
    let ops: Vec<Value> = match serde_json::from_str(&input) {
        Ok(ops) => ops,
        Err(e) => {
            eprintln!("crypto_vectors: stdin is not a JSON array: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let results: Vec<Value> = ops
        .iter()
        .map(|op| match run(op) {
            Ok(value) => json!({ "ok": true, "value": value }),
            Err(e) => json!({ "ok": false, "error": e.to_string() }),
        })
        .collect();
    let out = Value::Array(results).to_string();
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.write_all(b"\n"))
        .is_err()
    {
        return std::process::ExitCode::FAILURE;
    }
    std::process::ExitCode::SUCCESS
}
