//! `document.cookie` as a [`StorageAdapter`], with the exact cookie strings of PROTOCOL.md §2
//! (built in `crate::core::cookie`).

use futures::future::{ready, LocalBoxFuture};
use futures::FutureExt;
use wasm_bindgen::JsCast;

use crate::core::cookie::{check_name, find_cookie, CookieOptions};
use crate::core::error::{Error, Result};
use crate::core::storage::StorageAdapter;
use crate::core::text;
use crate::web::js_error;

/// Cookies of the current document.
#[derive(Debug, Clone, Default)]
pub struct CookieStorage {
    options: CookieOptions,
}

impl CookieStorage {
    /// A cookie store with `options`; rejects `SameSite=None` without `Secure`.
    pub fn new(options: CookieOptions) -> Result<Self> {
        options.validate()?;
        Ok(Self { options })
    }

    /// The options in force.
    pub fn options(&self) -> &CookieOptions {
        &self.options
    }

    fn document() -> Result<web_sys::HtmlDocument> {
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
            .ok_or_else(|| Error::StorageUnavailable("cookies need a document".into()))
    }

    fn write(cookie: &str) -> Result<()> {
        Self::document()?.set_cookie(cookie).map_err(|e| {
            Error::StorageWrite(text::cat(&["document.cookie: ", &js_error::describe(&e)]))
        })
    }

    fn get_now(&self, key: &str) -> Option<String> {
        let all = Self::document().ok()?.cookie().ok()?;
        find_cookie(&all, key)
    }
}

impl StorageAdapter for CookieStorage {
    fn get<'a>(&'a self, key: &'a str) -> LocalBoxFuture<'a, Result<Option<String>>> {
        ready(Ok(self.get_now(key))).boxed_local()
    }

    fn set<'a>(&'a self, key: &'a str, value: &'a str) -> LocalBoxFuture<'a, Result<()>> {
        ready(
            self.options
                .set_string(key, value)
                .and_then(|c| Self::write(&c)),
        )
        .boxed_local()
    }

    fn remove<'a>(&'a self, key: &'a str) -> LocalBoxFuture<'a, Result<()>> {
        ready(check_name(key).and_then(|()| Self::write(&self.options.remove_string(key))))
            .boxed_local()
    }
}
