//! The storage adapter classes of PROTOCOL.md §1, as JS sees them, and how a `storage` option value
//! becomes a core adapter.

use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::bindings::options;
use crate::bindings::promise::spawn;
use crate::core::cookie::{CookieOptions, SameSite};
use crate::core::storage::{MemoryStorage as CoreMemory, StorageAdapter};
use crate::web::cookie_storage::CookieStorage as CoreCookie;
use crate::web::js_adapter::JsStorageAdapter;
use crate::web::web_storage::{WebStorage, WebStorageKind};

#[wasm_bindgen(typescript_custom_section)]
const TS_ADAPTER: &str = r#"
/** Any object with these three methods can hold a session slot. Sync or async return values both work. */
export interface IStorageAdapter {
  get(key: string): Promise<string | null> | string | null;
  set(key: string, value: string): Promise<void> | void;
  remove(key: string): Promise<void> | void;
}

/** Options of `CookieStorage`; defaults `{ path: "/", domain: "", sameSite: "Strict", secure: true, maxAge: 2592000 }`. */
export interface CookieOptions {
  path?: string;
  domain?: string;
  sameSite?: "Strict" | "Lax" | "None";
  secure?: boolean;
  /** Seconds; 0 makes a session cookie. */
  maxAge?: number;
}
"#;

/// Implements the three promise-returning adapter methods over a core adapter field, and the
/// registration that lets a manager given this object use its core adapter directly. Each method
/// only names its operation: the one future that runs them all is [`run`]'s.
macro_rules! adapter_methods {
    ($class:ident) => {
        #[wasm_bindgen(js_class = $class)]
        impl $class {
            /// For `storage` options: hands this adapter's core adapter to the manager being built.
            #[wasm_bindgen(js_name = __link, skip_typescript)]
            pub fn link(&self) {
                own::offer(self.inner.clone());
            }

            /// The value under `key`, or null.
            #[wasm_bindgen(unchecked_return_type = "Promise<string | null>")]
            pub fn get(&self, key: String) -> js_sys::Promise {
                run(self.inner.clone(), key, None, false)
            }

            /// Stores `value` under `key`.
            #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
            pub fn set(&self, key: String, value: String) -> js_sys::Promise {
                run(self.inner.clone(), key, Some(value), false)
            }

            /// Removes `key`.
            #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
            pub fn remove(&self, key: String) -> js_sys::Promise {
                run(self.inner.clone(), key, None, true)
            }
        }
    };
}

/// An adapter method as a promise: `set` with a value, `remove` when asked, `get` otherwise.
/// One future for the twelve methods of the four classes (a future per method cost ~3 KB of wasm).
#[inline(never)]
fn run(
    adapter: Rc<dyn StorageAdapter>,
    key: String,
    value: Option<String>,
    remove: bool,
) -> js_sys::Promise {
    spawn(async move {
        match value {
            Some(value) => adapter.set(&key, &value).await.map(|()| JsValue::UNDEFINED),
            None if remove => adapter.remove(&key).await.map(|()| JsValue::UNDEFINED),
            None => (adapter.get(&key).await).map(|v| v.map_or(JsValue::NULL, JsValue::from)),
        }
    })
}

/// In-memory storage, per instance; lost on reload.
///
/// @example
/// ```ts
/// const storage = new MemoryStorage();
/// await storage.set("k", "v");
/// storage.clear();
/// ```
#[wasm_bindgen]
#[derive(Debug)]
pub struct MemoryStorage {
    inner: Rc<CoreMemory>,
}

#[wasm_bindgen]
impl MemoryStorage {
    /// An empty store.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Self {
            inner: Rc::new(CoreMemory::new()),
        }
    }

    /// Removes every key.
    pub fn clear(&self) {
        self.inner.clear();
    }
}
adapter_methods!(MemoryStorage);

/// `window.localStorage`.
#[wasm_bindgen]
#[derive(Debug)]
pub struct LocalStorageAdapter {
    inner: Rc<WebStorage>,
}

#[wasm_bindgen]
impl LocalStorageAdapter {
    /// The adapter.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Self {
            inner: Rc::new(WebStorage::new(WebStorageKind::Local)),
        }
    }
}
adapter_methods!(LocalStorageAdapter);

/// `window.sessionStorage`.
#[wasm_bindgen]
#[derive(Debug)]
pub struct SessionStorageAdapter {
    inner: Rc<WebStorage>,
}

#[wasm_bindgen]
impl SessionStorageAdapter {
    /// The adapter.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Self {
            inner: Rc::new(WebStorage::new(WebStorageKind::Session)),
        }
    }
}
adapter_methods!(SessionStorageAdapter);

/// `document.cookie`, with the original's cookie strings.
///
/// @example
/// ```ts
/// const cookies = new CookieStorage({ sameSite: "Lax", maxAge: 3600 });
/// await cookies.set("w3a:refresh_token", token);
/// ```
#[wasm_bindgen]
#[derive(Debug)]
pub struct CookieStorage {
    inner: Rc<CoreCookie>,
}

#[wasm_bindgen]
impl CookieStorage {
    /// A cookie store; throws a `StorageError` (`COOKIE_INSECURE`) for `sameSite: "None"` without `secure`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "CookieOptions")] options: Option<JsValue>,
    ) -> Result<CookieStorage, JsValue> {
        let options = cookie_options(options)?;
        Ok(Self {
            inner: Rc::new(CoreCookie::new(options)?),
        })
    }
}
adapter_methods!(CookieStorage);

/// Reads a `CookieOptions` object (undefined/null gives the defaults).
pub fn cookie_options(value: Option<JsValue>) -> Result<CookieOptions, JsValue> {
    match value {
        Some(v) if !v.is_undefined() && !v.is_null() => read_cookie_options(&v)
            .map_err(|e| crate::bindings::errors::invalid_option("cookieOptions", &e)),
        _ => Ok(CookieOptions::default()),
    }
}

/// `{ path?, domain?, sameSite?, secure?, maxAge? }` over the defaults. As with the original's
/// `{...DEFAULTS, ...options}`, `path`, `domain` or `sameSite` given as `undefined` or `null` omit
/// their attribute; `secure` and `maxAge` given so keep their defaults (Secure, 30 days) rather than
/// silently dropping Secure.
fn read_cookie_options(value: &JsValue) -> options::Read<CookieOptions> {
    let value = options::object(value)?;
    let mut out = CookieOptions::default();
    if let Some(v) = options::member(value, "path")? {
        out.path = options::opt_string(Some(v), "path")?.unwrap_or_default();
    }
    if let Some(v) = options::member(value, "domain")? {
        out.domain = options::opt_string(Some(v), "domain")?.unwrap_or_default();
    }
    if let Some(v) = options::member(value, "sameSite")? {
        out.same_site = match options::opt_string(Some(v), "sameSite")?.as_deref() {
            None => None,
            Some("Strict") => Some(SameSite::Strict),
            Some("Lax") => Some(SameSite::Lax),
            Some("None") => Some(SameSite::None),
            Some(_) => return Err("sameSite must be \"Strict\", \"Lax\" or \"None\"".to_owned()),
        };
    }
    if let Some(v) = options::member(value, "secure")?.filter(|v| !v.is_undefined() && !v.is_null())
    {
        out.secure = options::boolean(&v, "secure")?;
    }
    if let Some(v) = options::member(value, "maxAge")?.filter(|v| !v.is_undefined() && !v.is_null())
    {
        out.max_age = options::integer(&v, "maxAge")?;
    }
    Ok(out)
}

/// A `storage` option value as a core adapter: one of this package's adapter classes is used
/// directly (no call through JS per read or write); any other object with get/set/remove is called
/// through its methods; anything else is an error.
pub fn adapter_from_js(value: JsValue, what: &str) -> Result<Rc<dyn StorageAdapter>, JsValue> {
    if let Some(adapter) = own::adapter_of(&value) {
        Ok(adapter)
    } else if JsStorageAdapter::is_adapter(&value) {
        Ok(Rc::new(value.unchecked_into::<JsStorageAdapter>()))
    } else {
        Err(crate::bindings::errors::invalid_option(
            what,
            "expected an object with get, set and remove",
        ))
    }
}

/// The package's own adapters given in `storage` options (as the original's docs show:
/// `storage: { refreshToken: new CookieStorage() }`): the manager uses their core adapters directly.
mod own {
    use std::cell::RefCell;
    use std::rc::Rc;

    use js_sys::{Function, Object, Reflect};
    use wasm_bindgen::{JsCast, JsValue};

    use crate::core::storage::StorageAdapter;

    thread_local! {
        /// Where `__link()` leaves the adapter for [`adapter_of`] to take.
        static OFFERED: RefCell<Option<Rc<dyn StorageAdapter>>> = const { RefCell::new(None) };
    }

    pub(super) fn offer(adapter: Rc<dyn StorageAdapter>) {
        OFFERED.with(|slot| *slot.borrow_mut() = Some(adapter));
    }

    /// `Object.prototype.hasOwnProperty` (not `Object.hasOwn`, which older Safari lacks).
    #[allow(deprecated)]
    fn has_own(object: &Object, name: &str) -> bool {
        object.has_own_property(&JsValue::from_str(name))
    }

    /// Calls the method `name` of `target` without arguments.
    fn call(target: &JsValue, name: &str) -> Option<JsValue> {
        Reflect::get(target, &JsValue::from_str(name))
            .ok()?
            .dyn_into::<Function>()
            .ok()?
            .call0(target)
            .ok()
    }

    /// The core adapter of `value` when it is an instance of one of the package's adapter classes
    /// (the package's wrapper or the wasm-bindgen class itself) that nothing overrides: not a
    /// subclass, no own `get`, `set` or `remove`. Anything else goes through its JS methods.
    pub(super) fn adapter_of(value: &JsValue) -> Option<Rc<dyn StorageAdapter>> {
        let object = value.dyn_ref::<Object>()?;
        if ["get", "set", "remove"].iter().any(|m| has_own(object, m)) {
            return None;
        }
        let class = Object::get_prototype_of(value);
        let raw = if has_own(&class, "$raw") {
            call(value, "$raw")?
        } else if has_own(&class, "__link") {
            value.clone()
        } else {
            return None;
        };
        offer_none();
        call(&raw, "__link")?;
        OFFERED.with(|slot| slot.borrow_mut().take())
    }

    fn offer_none() {
        OFFERED.with(|slot| *slot.borrow_mut() = None);
    }
}
