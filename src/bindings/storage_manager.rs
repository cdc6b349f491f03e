//! `StorageManager` as JS sees it (PROTOCOL.md §7): a thin handle over the core
//! [`metadata::StorageManager`] wired to `fetch` and, with `useLocalStorage`, to `localStorage`.
//!
//! Session data crosses the boundary as JSON text: `JSON.stringify` on the way in and `JSON.parse`
//! on the way out, both through js-sys, so the binding carries no JSON code of its own.

use std::rc::Rc;

use futures::FutureExt;
use wasm_bindgen::prelude::*;

use crate::bindings::errors::invalid_option;
use crate::bindings::js_value::{field, option_field, parse_session_data};
use crate::bindings::promise::spawn;
use crate::bindings::session_keys::SessionKeys;
use crate::core::error::{Error, Result};
use crate::core::metadata::cache::cache_key;
use crate::core::metadata::options::DEFAULT_CACHE_NAMESPACE;
use crate::core::metadata::{self, public_key_of, AllowedOrigin, Scheme, StorageManagerOptions};
use crate::core::storage::StorageAdapter;
use crate::core::text;
use crate::web::fetch::FetchTransport;
use crate::web::js_error;
use crate::web::web_storage::{WebStorage, WebStorageKind};

#[wasm_bindgen(typescript_custom_section)]
const TS_STORAGE_MANAGER: &str = r#"
/** Options of `new StorageManager(...)`: the original's, plus `scheme`. */
export interface StorageManagerOptions {
  /** The session server; requests go to `${sessionServerBaseUrl}/v2/store/{set,get,update}`. */
  sessionServerBaseUrl: string;
  /** Namespace on the server and in the local cache key. */
  sessionNamespace?: string;
  /** Lifetime of a created session, in seconds (default 86400). */
  sessionTime?: number;
  /** The session id: a secp256k1 secret key in hex, `0x` optional (see `generateRandomSessionKey`). */
  sessionId?: string;
  /** Who may read the session: an origin, "*" (the default) for any, true for the origin that creates it, false for no check. */
  allowedOrigin?: string | boolean;
  /** Keep a copy in localStorage, encrypted to the session key (the original keeps it in plaintext). */
  useLocalStorage?: boolean;
  /** "ecies" (default: what the original sends) or "aes-gcm" (this SDK's AES-256-GCM envelope, read only by this SDK). */
  scheme?: "ecies" | "aes-gcm";
}

/** The argument of `authorizeSession`. */
export interface AuthorizeSessionOptions {
  headers?: RequestInit["headers"];
}

export interface StorageManager {
  /**
   * The session data: from the local cache when it holds a valid entry, else from the server.
   * Rejects with `AuthError` `NO_SESSION_ID` without a session id, `HttpError` when the server
   * refuses (e.g. 403 for another origin), `AuthError` `SESSION_EXPIRED` when it has no data,
   * and `CryptoError` `DECRYPT_FAILED` when the data does not decrypt.
   *
   * @example
   * ```ts
   * const data = await manager.authorizeSession<{ userId: string }>();
   * ```
   */
  authorizeSession<T = any>(options?: AuthorizeSessionOptions): Promise<T>;
}
"#;

fn string_option(options: &JsValue, name: &str) -> std::result::Result<Option<String>, JsValue> {
    option_field(options, name)?
        .map(|v| {
            v.as_string()
                .ok_or_else(|| invalid_option(name, "must be a string"))
        })
        .transpose()
}

/// Reads the option object the way the original does (falsy values mean "not set"), but refuses
/// values of the wrong type with a `TypeError` (`INVALID_OPTION`).
fn options_from_js(options: &JsValue) -> std::result::Result<StorageManagerOptions, JsValue> {
    if !options.is_object() {
        return Err(invalid_option(
            "options",
            "must be an object with sessionServerBaseUrl",
        ));
    }
    let session_time = match option_field(options, "sessionTime")? {
        None => None,
        Some(v) => {
            let secs = v
                .as_f64()
                .filter(|s| s.is_finite() && *s >= 0.0)
                .ok_or_else(|| invalid_option("sessionTime", "must be a number of seconds"))?;
            // Whole seconds, rounded up so that a short positive time stays positive.
            Some(secs.ceil().min(u64::MAX as f64) as u64)
        }
    };
    let allowed_origin = match option_field(options, "allowedOrigin")? {
        None => None,
        Some(v) => Some(match (v.as_bool(), v.as_string()) {
            (Some(b), _) => AllowedOrigin::Bool(b),
            (_, Some(s)) => AllowedOrigin::Origin(s),
            _ => {
                return Err(invalid_option(
                    "allowedOrigin",
                    "must be an origin string, \"*\" or a boolean",
                ))
            }
        }),
    };
    let scheme = match string_option(options, "scheme")?.as_deref() {
        None | Some("ecies") => Scheme::Ecies,
        Some("aes-gcm") => Scheme::AesGcm,
        Some(other) => {
            return Err(invalid_option(
                "scheme",
                &text::cat(&[
                    "must be \"ecies\" or \"aes-gcm\", not ",
                    &crate::core::json::quote(other),
                ]),
            ))
        }
    };
    Ok(StorageManagerOptions {
        session_server_base_url: string_option(options, "sessionServerBaseUrl")?
            .unwrap_or_default(),
        session_namespace: string_option(options, "sessionNamespace")?,
        session_time,
        session_id: string_option(options, "sessionId")?,
        allowed_origin,
        use_local_storage: option_field(options, "useLocalStorage")?.is_some_and(|v| v.is_truthy()),
        scheme,
    })
}

/// `RequestInit["headers"]` (a `Headers`, `[name, value][]` or a record) as name/value pairs, read
/// through the browser's own `new Headers(init)` so that it accepts exactly what `fetch` accepts.
fn headers_from_js(init: Option<&JsValue>) -> Result<Vec<(String, String)>> {
    let Some(init) = init.filter(|v| !v.is_undefined() && !v.is_null()) else {
        return Ok(Vec::new());
    };
    let bad = |e: JsValue| Error::InvalidOption(text::cat(&["headers: ", &js_error::describe(&e)]));
    let headers = web_sys::Headers::new_with_str_sequence_sequence(init).map_err(bad)?;
    let mut out = Vec::new();
    if let Some(entries) = js_sys::try_iter(&headers).map_err(bad)? {
        for entry in entries {
            let pair = js_sys::Array::from(&entry.map_err(bad)?);
            if let (Some(name), Some(value)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
                out.push((name, value));
            }
        }
    }
    Ok(out)
}

/// `JSON.stringify(data)`; values it cannot write (`undefined`, functions, cycles, BigInt) are a
/// `TypeError` (`INVALID_OPTION`).
fn stringify(data: &JsValue) -> Result<String> {
    let text = js_sys::JSON::stringify(data)
        .map_err(|e| Error::InvalidOption(text::cat(&["data: ", &js_error::describe(&e)])))?;
    JsValue::from(text)
        .as_string()
        .ok_or_else(|| Error::InvalidOption("data must be JSON-serialisable".to_owned()))
}

/// Session data kept encrypted on a session server under a session key (the legacy
/// `StorageManager` of `@toruslabs/session-manager`), optionally cached in localStorage — encrypted,
/// unlike the original.
///
/// @example
/// ```ts
/// const sessionId = StorageManager.generateRandomSessionKey();
/// const manager = new StorageManager({ sessionServerBaseUrl: "https://session.example", sessionId });
/// await manager.createSession({ userId: "u1" });
/// const data = await manager.authorizeSession<{ userId: string }>();
/// await manager.invalidateSession();
/// ```
#[wasm_bindgen]
#[derive(Debug, Clone)]
pub struct StorageManager {
    inner: Rc<metadata::StorageManager>,
}

impl StorageManager {
    /// The core manager.
    pub fn core(&self) -> &metadata::StorageManager {
        &self.inner
    }
}

#[wasm_bindgen]
impl StorageManager {
    /// A manager; throws a `TypeError` (`INVALID_OPTION`, or `INVALID_SESSION_ID` for a session id
    /// that is not hex) for options it cannot use.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "StorageManagerOptions")] options: JsValue,
    ) -> std::result::Result<StorageManager, JsValue> {
        let options = options_from_js(&options)?;
        let cache: Rc<dyn StorageAdapter> = Rc::new(WebStorage::new(WebStorageKind::Local));
        let inner = metadata::StorageManager::new(&options, Rc::new(FetchTransport), Some(cache))?;
        Ok(Self {
            inner: Rc::new(inner),
        })
    }

    /// A fresh session id: `0x` and 64 hex digits of a random secp256k1 secret key.
    #[wasm_bindgen(js_name = generateRandomSessionKey)]
    pub fn generate_random_session_key() -> std::result::Result<String, JsValue> {
        SessionKeys::generate_random_session_key()
    }

    /// The public key of a session id (130 hex digits, `04…`, no `0x`): the server's key for the
    /// session, and what a login sends to the auth server.
    ///
    /// @example
    /// ```ts
    /// const publicKey = StorageManager.getPublicKey(StorageManager.generateRandomSessionKey());
    /// ```
    #[wasm_bindgen(js_name = getPublicKey)]
    pub fn get_public_key(
        #[wasm_bindgen(js_name = sessionId)] session_id: &str,
    ) -> std::result::Result<String, JsValue> {
        SessionKeys::get_public_key(session_id)
    }

    /// The session id (`0x` + 64 hex digits), or undefined (never set, or after `invalidateSession`).
    #[wasm_bindgen(getter = sessionId)]
    pub fn session_id(&self) -> Option<String> {
        self.inner.session_id()
    }

    /// Sets the session id; throws a `TypeError` (`INVALID_SESSION_ID`) unless it is hex.
    #[wasm_bindgen(setter = sessionId)]
    pub fn set_session_id_accessor(
        &self,
        session_id: Option<String>,
    ) -> std::result::Result<(), JsValue> {
        self.set_session_id(session_id)
    }

    /// Sets the session id, as the original's `setSessionId`: validated (hex, `0x` optional) and
    /// left-padded to 64 digits.
    #[wasm_bindgen(js_name = setSessionId)]
    pub fn set_session_id(
        &self,
        #[wasm_bindgen(js_name = sessionId, unchecked_param_type = "string")] session_id: Option<
            String,
        >,
    ) -> std::result::Result<(), JsValue> {
        let id = session_id.ok_or(Error::InvalidSessionId)?;
        Ok(self.inner.set_session_id(&id)?)
    }

    /// The session server's base URL.
    #[wasm_bindgen(getter = sessionServerBaseUrl)]
    pub fn session_server_base_url(&self) -> String {
        self.inner.options().base_url.clone()
    }

    /// The namespace, or undefined.
    #[wasm_bindgen(getter = sessionNamespace)]
    pub fn session_namespace(&self) -> Option<String> {
        self.inner.options().namespace.clone()
    }

    /// The lifetime of a created session, in seconds.
    #[wasm_bindgen(getter = sessionTime)]
    pub fn session_time(&self) -> f64 {
        self.inner.options().session_time as f64
    }

    /// The `allowedOrigin` sent: the option, or `"*"` when it was falsy (as in the original).
    #[wasm_bindgen(getter = allowedOrigin, unchecked_return_type = "string | boolean")]
    pub fn allowed_origin(&self) -> JsValue {
        match &self.inner.options().allowed_origin {
            AllowedOrigin::Bool(b) => JsValue::from_bool(*b),
            AllowedOrigin::Origin(s) => JsValue::from_str(s),
        }
    }

    /// The encryption scheme of the data sent.
    #[wasm_bindgen(getter, unchecked_return_type = "\"ecies\" | \"aes-gcm\"")]
    pub fn scheme(&self) -> String {
        match self.inner.options().scheme {
            Scheme::Ecies => "ecies",
            Scheme::AesGcm => "aes-gcm",
        }
        .to_owned()
    }

    /// The server's key for the current session (its public key), or undefined without a session id.
    #[wasm_bindgen(getter = serverHandlerStorageKey)]
    pub fn server_handler_storage_key(&self) -> Option<String> {
        public_key_of(&self.inner.session_id()?).ok()
    }

    /// The localStorage key of the current session's cache entry, or undefined without
    /// `useLocalStorage` or a session id.
    #[wasm_bindgen(getter = localStorageHandlerStorageKey)]
    pub fn local_storage_handler_storage_key(&self) -> Option<String> {
        let options = self.inner.options();
        if !options.use_local_storage {
            return None;
        }
        let id = self.inner.session_id()?;
        Some(cache_key(options.namespace.as_deref(), &id))
    }

    /// Stores `data` (anything `JSON.stringify` accepts) on the server for `sessionTime` seconds,
    /// encrypted and signed with the session key; resolves to the session id.
    ///
    /// @example
    /// ```ts
    /// const sessionId = await manager.createSession({ userId: "u1" }, { "X-Request-Id": "1" });
    /// ```
    #[wasm_bindgen(js_name = createSession, unchecked_return_type = "Promise<string>")]
    pub fn create_session(
        &self,
        #[wasm_bindgen(unchecked_param_type = "unknown")] data: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RequestInit[\"headers\"]")] headers: Option<
            js_sys::Object,
        >,
    ) -> js_sys::Promise {
        let inner = self.inner.clone();
        let input = stringify(&data).and_then(|d| Ok((d, headers_from_js(headers.as_deref())?)));
        spawn(async move {
            let (data, headers) = input?;
            let id = inner.create_session(&data, &headers).await?;
            Ok(JsValue::from(id))
        })
    }

    /// Replaces the session's data on the server (and in the cache); the session keeps its expiry.
    #[wasm_bindgen(js_name = updateSession, unchecked_return_type = "Promise<void>")]
    pub fn update_session(
        &self,
        #[wasm_bindgen(unchecked_param_type = "unknown")] data: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RequestInit[\"headers\"]")] headers: Option<
            js_sys::Object,
        >,
    ) -> js_sys::Promise {
        let inner = self.inner.clone();
        let input = stringify(&data).and_then(|d| Ok((d, headers_from_js(headers.as_deref())?)));
        spawn(async move {
            let (data, headers) = input?;
            inner.update_session(&data, &headers).await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// The session data (typed in the `.d.ts` as `authorizeSession<T>()`).
    #[wasm_bindgen(js_name = authorizeSession, skip_typescript)]
    pub fn authorize_session(&self, options: Option<js_sys::Object>) -> js_sys::Promise {
        let inner = self.inner.clone();
        let headers = headers_from_js(options.as_ref().and_then(|o| field(o, "headers")).as_ref());
        spawn(async move {
            let text = inner.authorize_session(&headers?).await?;
            parse_session_data(&text)
        })
    }

    /// Ends the session: the server copy is overwritten with `{}` for one second, the cache entry is
    /// removed and the session id forgotten. Resolves to true.
    #[wasm_bindgen(js_name = invalidateSession, unchecked_return_type = "Promise<boolean>")]
    pub fn invalidate_session(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "RequestInit[\"headers\"]")] headers: Option<
            js_sys::Object,
        >,
    ) -> js_sys::Promise {
        let inner = self.inner.clone();
        let headers = headers_from_js(headers.as_deref());
        spawn(async move {
            Ok(JsValue::from_bool(
                inner.invalidate_session(&headers?).await?,
            ))
        })
    }

    /// Removes the current session's cache entry (the server copy expires on its own). Throws
    /// `AuthError` `NO_SESSION_ID` without a session id, as the original does.
    #[wasm_bindgen(js_name = clearStorage)]
    pub fn clear_storage(&self) -> std::result::Result<(), JsValue> {
        let inner = self.inner.clone();
        let mut op = Box::pin(async move { inner.clear_storage().await });
        // localStorage answers synchronously, so this completes here, and its error (no session
        // id) is thrown like the original's; an adapter that did not would finish on its own.
        match op.as_mut().now_or_never() {
            Some(result) => Ok(result?),
            None => {
                crate::web::task::spawn(async move {
                    let _ = op.await;
                });
                Ok(())
            }
        }
    }

    /// Removes every cache entry of this namespace whose name (after `{namespace}:`) starts with
    /// `baseKey`, all of them without it, as the original's `clearOrphanedData`. Entry names here are
    /// hashes of the session's public key (the original's contain the session id itself), so a
    /// `baseKey` made from a session id matches nothing: call it without one to clear the namespace.
    /// A no-op without `useLocalStorage`.
    #[wasm_bindgen(js_name = clearOrphanedData)]
    pub fn clear_orphaned_data(&self, #[wasm_bindgen(js_name = baseKey)] base_key: Option<String>) {
        let options = self.inner.options();
        if !options.use_local_storage {
            return;
        }
        let Ok(area) = WebStorage::new(WebStorageKind::Local).area() else {
            return;
        };
        let prefix = text::cat(&[
            options
                .namespace
                .as_deref()
                .unwrap_or(DEFAULT_CACHE_NAMESPACE),
            ":",
            base_key.as_deref().unwrap_or_default(),
        ]);
        let len = area.length().unwrap_or(0);
        let doomed: Vec<String> = (0..len)
            .filter_map(|i| area.key(i).ok().flatten())
            .filter(|key| key.starts_with(&prefix))
            .collect();
        for key in doomed {
            // Best effort, like every cache operation.
            let _ = area.remove_item(&key);
        }
    }
}
