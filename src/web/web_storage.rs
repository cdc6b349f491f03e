//! `localStorage` and `sessionStorage` as [`StorageAdapter`]s.
//!
//! Not gloo-storage: its `get`/`set` JSON-encode values (`"abc"` is stored as `"\"abc\""`), which would
//! break the storage format shared with the original package, and its `raw()` panics where storage is
//! missing or blocked. Reads of a missing or blocked store give `None`; writes give a typed error.

use futures::future::{ready, LocalBoxFuture};
use futures::FutureExt;

use crate::core::error::{Error, Result};
use crate::core::storage::StorageAdapter;
use crate::core::text;
use crate::web::js_error;

/// Which Web Storage area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebStorageKind {
    /// `window.localStorage`
    Local,
    /// `window.sessionStorage`
    Session,
}

/// A Web Storage area, looked up on every call (so a storage unblocked later is picked up).
#[derive(Debug, Clone, Copy)]
pub struct WebStorage {
    kind: WebStorageKind,
}

impl WebStorage {
    /// The adapter for `kind`.
    pub fn new(kind: WebStorageKind) -> Self {
        Self { kind }
    }

    fn name(self) -> &'static str {
        match self.kind {
            WebStorageKind::Local => "localStorage",
            WebStorageKind::Session => "sessionStorage",
        }
    }

    /// The storage object, or why there is none (no window, as in a worker; access throws, as when
    /// the user blocks site data).
    pub fn area(self) -> Result<web_sys::Storage> {
        let window = web_sys::window().ok_or_else(|| {
            Error::StorageUnavailable(text::cat(&[self.name(), " needs a window"]))
        })?;
        let area = match self.kind {
            WebStorageKind::Local => window.local_storage(),
            WebStorageKind::Session => window.session_storage(),
        };
        match area {
            Ok(Some(storage)) => Ok(storage),
            Ok(None) => Err(Error::StorageUnavailable(text::cat(&[
                self.name(),
                " is not available",
            ]))),
            Err(e) => Err(Error::StorageUnavailable(text::cat(&[
                self.name(),
                " is blocked: ",
                &js_error::describe(&e),
            ]))),
        }
    }

    fn get_now(self, key: &str) -> Option<String> {
        self.area().ok()?.get_item(key).ok().flatten()
    }

    fn set_now(self, key: &str, value: &str) -> Result<()> {
        self.area()?.set_item(key, value).map_err(|e| {
            let reason = js_error::describe(&e);
            Error::StorageWrite(text::cat(&[
                self.name(),
                ".setItem(\"",
                key,
                "\") failed: ",
                &reason,
            ]))
        })
    }

    fn remove_now(self, key: &str) -> Result<()> {
        self.area()?.remove_item(key).map_err(|e| {
            Error::StorageWrite(text::cat(&[
                self.name(),
                ".removeItem failed: ",
                &js_error::describe(&e),
            ]))
        })
    }
}

impl StorageAdapter for WebStorage {
    fn get<'a>(&'a self, key: &'a str) -> LocalBoxFuture<'a, Result<Option<String>>> {
        ready(Ok(self.get_now(key))).boxed_local()
    }

    fn set<'a>(&'a self, key: &'a str, value: &'a str) -> LocalBoxFuture<'a, Result<()>> {
        ready(self.set_now(key, value)).boxed_local()
    }

    fn remove<'a>(&'a self, key: &'a str) -> LocalBoxFuture<'a, Result<()>> {
        ready(self.remove_now(key)).boxed_local()
    }
}
