//! # wasm-session-manager
//!
//! A browser session SDK compiled to WebAssembly: a drop-in for `@toruslabs/session-manager` 5.6 with
//! the same API, storage keys and wire format, and single-flight token refresh within a tab and across
//! tabs. See `PROTOCOL.md` for the compatibility contract.
//!
//! - [`core`]: the target-independent logic (native-testable).
//! - `web` (wasm32 only): the core's seams over browser APIs.
//! - `bindings` (wasm32 only): the `#[wasm_bindgen]` classes JS sees.
//! - `alloc` (wasm32, and native tests): the wasm's global allocator, size-class free lists.
#![deny(missing_docs, missing_debug_implementations)]

pub mod core;

#[cfg(any(target_arch = "wasm32", test))]
mod alloc;

#[cfg(target_arch = "wasm32")]
pub mod web;

#[cfg(target_arch = "wasm32")]
pub mod bindings;

pub use crate::core::error::{AuthErrorCode, Error, Result};
