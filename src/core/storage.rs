//! The storage slot abstraction: an async string key-value store with a small required surface.
//! Browser adapters live in `crate::web`; [`MemoryStorage`] is here because it needs no browser.

use std::cell::RefCell;

use futures::future::{ready, LocalBoxFuture};
use futures::FutureExt;

use crate::core::error::Result;

/// What every storage adapter does: PROTOCOL.md §1's `IStorageAdapter`.
///
/// Reads of a missing, blocked or unreadable store give `Ok(None)`; writes give a typed error.
pub trait StorageAdapter {
    /// The value under `key`, or `None`.
    fn get<'a>(&'a self, key: &'a str) -> LocalBoxFuture<'a, Result<Option<String>>>;
    /// Stores `value` under `key`.
    fn set<'a>(&'a self, key: &'a str, value: &'a str) -> LocalBoxFuture<'a, Result<()>>;
    /// Removes `key`; removing a missing key is not an error.
    fn remove<'a>(&'a self, key: &'a str) -> LocalBoxFuture<'a, Result<()>>;
}

/// An in-memory store, per instance. Lost on reload; useful for tests and for tokens that must not persist.
///
/// A list of pairs rather than a `HashMap`: it holds a handful of keys, and the hash table with its
/// hasher costs ~2 KB of wasm.
#[derive(Debug, Default)]
pub struct MemoryStorage {
    map: RefCell<Vec<(String, String)>>,
}

impl MemoryStorage {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Removes every key.
    pub fn clear(&self) {
        self.map.borrow_mut().clear();
    }

    /// The value under `key`, synchronously.
    pub fn get_now(&self, key: &str) -> Option<String> {
        self.map
            .borrow()
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }

    /// Stores `value` under `key`, synchronously.
    pub fn set_now(&self, key: &str, value: &str) {
        let mut map = self.map.borrow_mut();
        match map.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => value.clone_into(v),
            None => map.push((key.to_owned(), value.to_owned())),
        }
    }

    /// Removes `key`, synchronously.
    pub fn remove_now(&self, key: &str) {
        self.map.borrow_mut().retain(|(k, _)| k != key);
    }
}

impl StorageAdapter for MemoryStorage {
    fn get<'a>(&'a self, key: &'a str) -> LocalBoxFuture<'a, Result<Option<String>>> {
        ready(Ok(self.get_now(key))).boxed_local()
    }

    fn set<'a>(&'a self, key: &'a str, value: &'a str) -> LocalBoxFuture<'a, Result<()>> {
        self.set_now(key, value);
        ready(Ok(())).boxed_local()
    }

    fn remove<'a>(&'a self, key: &'a str) -> LocalBoxFuture<'a, Result<()>> {
        self.remove_now(key);
        ready(Ok(())).boxed_local()
    }
}
