//! `HttpClient` as JS sees it (PROTOCOL.md §8): a thin handle over the core
//! [`crate::core::http::HttpClient`] sharing the [`AuthSessionManager`]'s core manager.
//!
//! The JS side of a call: `data` goes through `JSON.stringify`, the options object is read field by
//! field (`bindings::options`), and a 2xx answer comes back as `JSON.parse(body)` when its content
//! type says JSON, else as text.
//! wasm-bindgen cannot declare generic methods, so the class typing is written by hand below and the
//! generated one is skipped.

use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::bindings::auth::AuthSessionManager;
use crate::bindings::options;
use crate::bindings::promise::spawn;
use crate::core::clock::SystemClock;
use crate::core::error::{Error, Result};
use crate::core::http::{HttpClient as CoreHttpClient, HttpResult, RequestOptions};
use crate::core::text;
use crate::core::transport::Method;
use crate::web::fetch::FetchTransport;
use crate::web::js_error;
use crate::web::locks::WebLock;

/// The core client over the browser seams.
pub type WebHttpClient = CoreHttpClient<FetchTransport, WebLock, SystemClock>;

#[wasm_bindgen(typescript_custom_section)]
const TS_HTTP_CLIENT: &str = r#"
/** Options of one `HttpClient` request (the original's `HttpClientRequestOptions`). */
export interface HttpClientRequestOptions {
  /** Attach the session's access token (after any refresh in flight), refresh once on 401 and retry once. Default false. */
  authenticated?: boolean;
  /** Extra request headers; on authenticated requests a caller `Authorization` header is replaced. */
  headers?: Record<string, string> | Headers | [string, string][];
  /** Abort the request after this many ms; default `apiClientConfig.timeout`, else 60000. Applies to every method. */
  timeout?: number;
  /** Send the `x-api-key` header (`setAPIKey`, default "torus-default"). */
  useAPIKey?: boolean;
}

/** Same as `HttpClientRequestOptions`. */
export type RequestOptions = HttpClientRequestOptions;

/**
 * JSON requests for an app's API, authenticated through an `AuthSessionManager`: authenticated
 * requests wait for any refresh in flight, concurrent 401s share one refresh, and each request is
 * retried once with the new token and the same body.
 *
 * Resolves to the parsed JSON body when the answer's content type says JSON, else to its text.
 * Rejects with `HttpError` (`HTTP_ERROR` with `status`, `statusText`, `url`, parsed `body`; `NETWORK`;
 * `TIMEOUT`), or `AuthError` `SESSION_EXPIRED` when the session could not be refreshed.
 *
 * @example
 * ```ts
 * const api = new HttpClient(session);
 * const me = await api.get<{ sub: string }>("https://api.example.com/v1/me", { authenticated: true });
 * await api.post("https://api.example.com/v1/items", { name: "a" }, { authenticated: true, timeout: 5000 });
 * ```
 */
export class HttpClient {
  free(): void;
  [Symbol.dispose](): void;
  /** A client sharing `session`'s tokens and refreshes. */
  constructor(session: AuthSessionManager);
  /** `GET url`. */
  get<T = unknown>(url: string | URL, options?: HttpClientRequestOptions): Promise<T>;
  /** `POST url` with `JSON.stringify(data)` as the body (default `{}`). */
  post<T = unknown>(url: string | URL, data?: unknown, options?: HttpClientRequestOptions): Promise<T>;
  /** `PUT url` with `JSON.stringify(data)` as the body (default `{}`). */
  put<T = unknown>(url: string | URL, data?: unknown, options?: HttpClientRequestOptions): Promise<T>;
  /** `PATCH url` with `JSON.stringify(data)` as the body (default `{}`). */
  patch<T = unknown>(url: string | URL, data?: unknown, options?: HttpClientRequestOptions): Promise<T>;
  /** `DELETE url` with `JSON.stringify(data)` as the body (default `{}`). */
  delete<T = unknown>(url: string | URL, data?: unknown, options?: HttpClientRequestOptions): Promise<T>;
  /** Sets the `x-api-key` value sent with `useAPIKey`; `null` or no argument: back to "torus-default". */
  setAPIKey(apiKey?: string | null): void;
  /** The `x-api-key` value sent with `useAPIKey`. */
  getAPIKey(): string;
}
"#;

/// JSON requests for an app's API, authenticated through an `AuthSessionManager`.
///
/// @example
/// ```ts
/// const api = new HttpClient(session);
/// const me = await api.get<{ sub: string }>("https://api.example.com/v1/me", { authenticated: true });
/// ```
#[wasm_bindgen(skip_typescript)]
#[derive(Debug, Clone)]
pub struct HttpClient {
    inner: Rc<WebHttpClient>,
}

impl HttpClient {
    /// The core client.
    pub fn core(&self) -> &WebHttpClient {
        &self.inner
    }

    /// Sends one request on the JS event loop. Argument errors reject the promise (like every other
    /// failure of an async call) rather than throw.
    fn call(
        &self,
        method: Method,
        url: &JsValue,
        data: Option<&JsValue>,
        options: &JsValue,
    ) -> js_sys::Promise {
        let client = Rc::clone(&self.inner);
        let url = read_url(url);
        let body = data.map(read_body).transpose().map(Option::flatten);
        let options = read_options(options);
        spawn(async move {
            let (url, body, options) = (url?, body?, options?);
            let result = client.request(method, &url, body, options).await?;
            result_to_js(&url, result)
        })
    }
}

#[wasm_bindgen]
impl HttpClient {
    /// A client sharing `session`'s tokens and refreshes (and its `apiClientConfig.timeout` default).
    #[wasm_bindgen(constructor, skip_typescript)]
    pub fn new(session: &AuthSessionManager) -> HttpClient {
        let core = Rc::new(session.core().clone());
        Self {
            inner: Rc::new(CoreHttpClient::new(core, FetchTransport)),
        }
    }

    /// `GET url`.
    #[wasm_bindgen(skip_typescript)]
    pub fn get(&self, url: JsValue, options: JsValue) -> js_sys::Promise {
        self.call(Method::Get, &url, None, &options)
    }

    /// `POST url` with `JSON.stringify(data)` (default `{}`).
    #[wasm_bindgen(skip_typescript)]
    pub fn post(&self, url: JsValue, data: JsValue, options: JsValue) -> js_sys::Promise {
        self.call(Method::Post, &url, Some(&data), &options)
    }

    /// `PUT url` with `JSON.stringify(data)` (default `{}`).
    #[wasm_bindgen(skip_typescript)]
    pub fn put(&self, url: JsValue, data: JsValue, options: JsValue) -> js_sys::Promise {
        self.call(Method::Put, &url, Some(&data), &options)
    }

    /// `PATCH url` with `JSON.stringify(data)` (default `{}`).
    #[wasm_bindgen(skip_typescript)]
    pub fn patch(&self, url: JsValue, data: JsValue, options: JsValue) -> js_sys::Promise {
        self.call(Method::Patch, &url, Some(&data), &options)
    }

    /// `DELETE url` with `JSON.stringify(data)` (default `{}`).
    #[wasm_bindgen(skip_typescript)]
    pub fn delete(&self, url: JsValue, data: JsValue, options: JsValue) -> js_sys::Promise {
        self.call(Method::Delete, &url, Some(&data), &options)
    }

    /// Sets the `x-api-key` value sent with `useAPIKey`; `null`/`undefined`: back to the default.
    #[wasm_bindgen(js_name = setAPIKey, skip_typescript)]
    pub fn set_api_key(&self, api_key: Option<String>) {
        self.inner.set_api_key(api_key);
    }

    /// The `x-api-key` value sent with `useAPIKey`.
    #[wasm_bindgen(js_name = getAPIKey, skip_typescript)]
    pub fn get_api_key(&self) -> String {
        self.inner.api_key()
    }
}

/// A string, or an object whose `toString()` is the URL (a `URL`).
fn read_url(url: &JsValue) -> Result<String> {
    if let Some(s) = url.as_string() {
        return Ok(s);
    }
    if url.is_object() {
        if let Some(s) = crate::bindings::options::string_of(url) {
            return Ok(s);
        }
    }
    Err(Error::InvalidOption(
        "HttpClient: url must be a string or a URL".to_owned(),
    ))
}

/// `JSON.stringify(data)`; `undefined` (and values `JSON.stringify` drops, like functions) give the
/// default `{}` body.
fn read_body(data: &JsValue) -> Result<Option<String>> {
    if data.is_undefined() {
        return Ok(None);
    }
    js_sys::JSON::stringify(data)
        .map(|s| s.as_string())
        .map_err(|e| {
            Error::InvalidOption(text::cat(&[
                "HttpClient: data cannot be serialised with JSON.stringify: ",
                &js_error::describe(&e),
            ]))
        })
}

/// The options object. Fields set to `undefined` or `null` count as absent (`{ timeout: undefined }`
/// is common in JS); `headers` may also be a `Headers` instance or an array of pairs. One pass over
/// `Object.entries` picks the fields out (a request reads its options with a handful of calls into
/// JS, not one per field and name tried); they are then checked in a fixed order, so the error
/// named for several bad fields does not depend on their order.
fn read_options(options: &JsValue) -> Result<RequestOptions> {
    if options.is_undefined() || options.is_null() {
        return Ok(RequestOptions::default());
    }
    if !options.is_object() {
        return Err(Error::InvalidOption(
            "HttpClient: options must be an object".to_owned(),
        ));
    }
    let invalid = |e: &str| Error::InvalidOption(text::cat(&["HttpClient options: ", e]));
    let (
        mut authenticated,
        mut headers,
        mut timeout,
        mut timeout_ms,
        mut use_key,
        mut use_key_alias,
    ) = (None, None, None, None, None, None);
    let all = options::entries(options, "options").map_err(|e| invalid(&e))?;
    for entry in all.iter() {
        let pair: js_sys::Array = entry.unchecked_into();
        let value = pair.get(1);
        if value.is_undefined() || value.is_null() {
            continue;
        }
        let slot = match pair.get(0).as_string().as_deref() {
            Some("authenticated") => &mut authenticated,
            Some("headers") => &mut headers,
            Some("timeout") => &mut timeout,
            Some("timeoutMs") => &mut timeout_ms,
            Some("useAPIKey") => &mut use_key,
            Some("useApiKey") => &mut use_key_alias,
            _ => continue,
        };
        *slot = Some(value);
    }
    let mut out = RequestOptions::default();
    if let Some(v) = authenticated {
        out.authenticated = options::boolean(&v, "authenticated").map_err(|e| invalid(&e))?;
    }
    if let Some(mut v) = headers {
        if v.is_instance_of::<web_sys::Headers>() || js_sys::Array::is_array(&v) {
            v = js_sys::Object::from_entries(&v)
                .map_err(|e| invalid(&text::cat(&["headers: ", &js_error::describe(&e)])))?
                .into();
        }
        out.headers = options::string_record(&v, "headers").map_err(|e| invalid(&e))?;
    }
    out.timeout_ms = options::opt_millis(one_of(timeout, timeout_ms, "timeout")?, "timeout")
        .map_err(|e| invalid(&e))?;
    if let Some(v) = one_of(use_key, use_key_alias, "useAPIKey")? {
        out.use_api_key = options::boolean(&v, "useAPIKey").map_err(|e| invalid(&e))?;
    }
    Ok(out)
}

/// A field given under its name or its alias; both is an error, as it was with serde.
fn one_of(name: Option<JsValue>, alias: Option<JsValue>, field: &str) -> Result<Option<JsValue>> {
    match (name, alias) {
        (Some(_), Some(_)) => Err(Error::InvalidOption(text::cat(&[
            "HttpClient options: duplicate field `",
            field,
            "`",
        ]))),
        (a, b) => Ok(a.or(b)),
    }
}

/// The parsed JSON body when the answer says JSON (an empty body: `null`), else the text. The
/// browser's transport keeps a 2xx body as the JS string it read ([`HttpResult::held`]): it is
/// parsed, or given, as it is, without a copy into the wasm and back.
fn result_to_js(url: &str, result: HttpResult) -> Result<JsValue> {
    let held = result
        .held
        .as_ref()
        .and_then(|h| h.0.downcast_ref::<JsValue>())
        .cloned();
    let body = held.unwrap_or_else(|| JsValue::from_str(&result.body));
    if !result.is_json {
        return Ok(body);
    }
    crate::web::snippet::parse_body(&body).map_err(|e| {
        let mut message = text::cat(&[url, " answered HTTP "]);
        text::push_dec(&mut message, u64::from(result.status));
        message.push_str(" with a JSON content type but a body that does not parse: ");
        message.push_str(&js_error::describe(&e));
        Error::MalformedResponse(message)
    })
}
